#!/bin/sh
# Encryption benchmark (not run by ctest): tests/bench/encryption.sh [SIZE_MIB] [SHOAL_CLI]
# Shoal to Shoal plain and with --encryption require, and libtorrent to libtorrent with
# forced RC4, over loopback in one run: throughput, ratios, the seed's CPU seconds per GiB.
here=$(cd "$(dirname "$0")" && pwd)
export SIZE_MIB=${1:-256}
export SHOAL_CLI=${2:-$here/../../build/release/app/shoal-cli}
exec "$here/../interop/netns_run.sh" /usr/bin/python3 "$here/encryption_bench.py"

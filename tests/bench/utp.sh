#!/bin/sh
# uTP benchmark (not run by ctest): tests/bench/utp.sh [SIZE_MIB] [SHOAL_CLI]
# Shoal to Shoal over uTP only (TCP to the seed refused by nftables) and over TCP, and
# libtorrent to libtorrent over uTP only, over loopback in one run: throughput, ratios, the
# seed's CPU seconds per GiB. Needs root (nftables inside the private namespace).
here=$(cd "$(dirname "$0")" && pwd)
export SIZE_MIB=${1:-256}
export SHOAL_CLI=${2:-$here/../../build/release/app/shoal-cli}
exec "$here/../interop/netns_run.sh" /usr/bin/python3 "$here/utp_bench.py"

#!/bin/sh
# Hostile-load benchmark (not run by ctest): tests/bench/hostile.sh [SIZE_MIB] [SHOAL_CLI]
# One Shoal seed and an honest libtorrent leech, without and then with attackers beside it.
here=$(cd "$(dirname "$0")" && pwd)
export SIZE_MIB=${1:-256}
export SHOAL_CLI=${2:-$here/../../build/release/app/shoal-cli}
exec "$here/../interop/netns_run.sh" /usr/bin/python3 "$here/hostile_bench.py"

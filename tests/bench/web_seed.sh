#!/bin/sh
# Web seed benchmark (not run by ctest): tests/bench/web_seed.sh [SIZE_MIB] [SHOAL_CLI]
# A v1 torrent (1 MiB pieces) downloaded from one local nginx web seed with no peer, by
# shoal-cli get and by a libtorrent leech, each timed as a whole process, in one run:
# throughput, the ratio, each one's peak RSS.
here=$(cd "$(dirname "$0")" && pwd)
export SIZE_MIB=${1:-256}
export SHOAL_CLI=${2:-$here/../../build/release/app/shoal-cli}
exec "$here/../interop/netns_run.sh" /usr/bin/python3 "$here/web_seed_bench.py"

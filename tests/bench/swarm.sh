#!/bin/sh
# Swarm throughput benchmark (not run by ctest): tests/bench/swarm.sh [SIZE_MIB] [SHOAL_CLI]
here=$(cd "$(dirname "$0")" && pwd)
export SIZE_MIB=${1:-1024}
export SHOAL_CLI=${2:-$here/../../build/release/app/shoal-cli}
exec "$here/../interop/netns_run.sh" /usr/bin/python3 "$here/swarm_bench.py"

#!/bin/sh
# uTP LEDBAT benchmark (not run by ctest): tests/bench/utp_bottleneck.sh [PHASE_SECONDS] [SHOAL_CLI]
# A Shoal uTP download through a router shaped to 40 Mbit/s with a deep queue: alone, then
# beside an iperf3 TCP flow (TCP_CC=cubic by default); prints link use, added delay and each
# flow's share. Needs root, iperf3 and ping. Everything, the inner namespaces included, is set
# up from inside a private network namespace, so nothing reaches the machine's own network.
here=$(cd "$(dirname "$0")" && pwd)
export PHASE_SECONDS=${1:-20}
export SHOAL_CLI=${2:-$here/../../build/release/app/shoal-cli}
exec "$here/../interop/netns_run.sh" /usr/bin/python3 "$here/utp_bottleneck.py"

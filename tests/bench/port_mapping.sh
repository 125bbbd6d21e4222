#!/bin/sh
# Port mapping benchmark (not run by ctest): tests/bench/port_mapping.sh [ROUNDS] [PROBE]
# Against miniupnpd behind a NAT of network namespaces (tests/interop/nat_topology.py), a
# router speaking UPnP IGD only and one speaking NAT-PMP only: the time from start to a TCP and
# a UDP mapping, and the packets the home side sent to get there, for Shoal's PortMapper
# (port_map_probe) and for libtorrent (python3-libtorrent). One line per case, the median of
# ROUNDS rounds (default 5). Needs root, nftables and miniupnpd.
here=$(cd "$(dirname "$0")" && pwd)
export ROUNDS=${1:-5}
export SHOAL_PORT_MAP_PROBE=${2:-$here/../../build/release/tests/integration/port_mapping/port_map_probe}
exec "$here/../interop/netns_run.sh" /usr/bin/python3 "$here/port_mapping_bench.py"

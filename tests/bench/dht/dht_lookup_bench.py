"""One get_peers lookup from a Shoal node and one from a libtorrent node, in the same
200-node loopback DHT (180 Shoal nodes, 20 libtorrent nodes): time and messages of each.
Not run by ctest. Run inside a private network namespace, from the source tree:

  SHOAL_DHT_TOOL=build/release/tests/integration/dht/dht_node_tool \\
    tests/interop/netns_run.sh /usr/bin/python3 tests/bench/dht/dht_lookup_bench.py [ALPHA]

ALPHA is the Shoal seeker's queries in flight (default 3; libtorrent's dht_search_branching
is 5 by default).
"""
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "interop", "dht"))

import libtorrent as lt  # noqa: E402

from dht_util import ShoalNode, dht_messages, libtorrent_dht, sha1  # noqa: E402

SHOAL_NODES = 180
LIBTORRENT_NODES = 20
TARGET = "c0ffee" + "11" * 17
SETTLE_SECONDS = 8


def libtorrent_lookup(session, target, timeout=60):
    """Runs dht_get_peers; returns (seconds, messages out, messages in, peers)."""
    before_in, before_out = dht_messages(session)
    start = time.monotonic()
    session.dht_get_peers(sha1(target))
    deadline = time.time() + timeout
    while time.time() < deadline:
        session.wait_for_alert(50)
        for alert in session.pop_alerts():
            if isinstance(alert, lt.dht_get_peers_reply_alert) and str(alert.info_hash) == target:
                elapsed = time.monotonic() - start
                # Read the alert before popping more: that frees it.
                peers = len(alert.peers())
                after_in, after_out = dht_messages(session)
                return elapsed, after_out - before_out, after_in - before_in, peers
    raise AssertionError("libtorrent lookup did not finish")


def main():
    alpha = sys.argv[1] if len(sys.argv) > 1 else "3"
    # The network: a Shoal hub with its helpers (all in one process), and libtorrent nodes
    # joining through the hub. The hub announces the target torrent; so does a libtorrent
    # node, through a magnet-style torrent.
    hub = ShoalNode("--bind", "127.0.0.5:6881", "--swarm", str(SHOAL_NODES - 1),
                    "--swarm-base", "127.0.1.1", "--announce", f"{TARGET}:7100",
                    "--settle", "3", "--interval", "600", "--duration", "300")
    sessions = [libtorrent_dht(f"127.0.2.{1 + i}", "127.0.0.5:6881") for i in range(LIBTORRENT_NODES)]
    params = lt.add_torrent_params()
    params.info_hashes = lt.info_hash_t(sha1(TARGET))
    params.save_path = tempfile.mkdtemp(prefix="shoal-dht-bench-")
    params.flags &= ~(lt.torrent_flags.auto_managed | lt.torrent_flags.paused)
    sessions[0].add_torrent(params)
    seeker = None
    try:
        time.sleep(SETTLE_SECONDS)
        # The two searchers join at the same time and get the same settling time.
        lt_seeker = libtorrent_dht("127.0.0.7", "127.0.0.5:6881")
        seeker = ShoalNode("--bind", "127.0.0.6:6881", "--bootstrap", "127.0.0.5:6881",
                           "--lookup", TARGET, "--settle", str(SETTLE_SECONDS), "--alpha", alpha,
                           "--interval", "600", "--duration", "120")
        time.sleep(SETTLE_SECONDS)
        shoal = seeker.wait_for(lambda e: e["event"] == "lookup_done", 60)
        lt_seconds, lt_out, lt_in, lt_peers = libtorrent_lookup(lt_seeker, TARGET)
        shoal_ms = shoal["us"] / 1000
        lt_ms = lt_seconds * 1000
        print(f"network: {SHOAL_NODES} Shoal + {LIBTORRENT_NODES} libtorrent nodes on loopback")
        print(f"Shoal (alpha {alpha}) get_peers: {shoal_ms:8.2f} ms, {shoal['queries']:3d} queries sent, "
              f"{shoal['replies']:3d} replies, {shoal['peers']} peers")
        print(f"libtorrent       get_peers: {lt_ms:8.2f} ms, {lt_out:3d} messages sent, "
              f"{lt_in:3d} received, {lt_peers} peers")
        print(f"ratio Shoal/libtorrent: time {shoal_ms / lt_ms:.2f}, "
              f"messages sent {shoal['queries'] / max(lt_out, 1):.2f}")
    finally:
        if seeker:
            seeker.stop()
        hub.stop()


if __name__ == "__main__":
    main()

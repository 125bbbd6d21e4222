"""Shoal's DHT nodes and libtorrent's in one loopback network (run inside netns_run.sh):
Shoal finds a peer that libtorrent announced, libtorrent finds one that Shoal announced,
libtorrent keeps Shoal nodes in its routing table, and a read-only Shoal node (BEP 43) finds
peers without entering any libtorrent table."""
import atexit
import shutil
import sys
import tempfile
import time

import libtorrent as lt

from dht_util import ShoalNode, libtorrent_dht, routing_table, sha1

HASH_FROM_LIBTORRENT = "aa" * 20
HASH_FROM_SHOAL = "bb" * 20


def main():
    # A Shoal hub with eight Shoal helpers; libtorrent keeps bootstrap routers out of its
    # table, so the helpers are what it learns of Shoal.
    hub = ShoalNode("--bind", "127.0.0.5:6881", "--swarm", "8", "--swarm-base", "127.0.1.1",
                    "--duration", "120")
    sessions = [libtorrent_dht(f"127.0.0.{20 + i}", "127.0.0.5:6881") for i in range(4)]
    seeker = None
    reader = None
    try:
        time.sleep(2)
        announcer, finder = sessions[0], sessions[1]
        seeker = ShoalNode("--bind", "127.0.0.6:6881", "--bootstrap", "127.0.0.5:6881",
                           "--lookup", HASH_FROM_LIBTORRENT, "--announce", f"{HASH_FROM_SHOAL}:7002",
                           "--settle", "1", "--interval", "2", "--duration", "60")
        reader = ShoalNode("--bind", "127.0.0.7:6881", "--bootstrap", "127.0.0.5:6881",
                           "--read-only", "--lookup", HASH_FROM_LIBTORRENT,
                           "--settle", "1", "--interval", "2", "--duration", "60")
        shoal_found = set()
        reader_found = set()
        libtorrent_found = set()
        announced_to_libtorrent = set()
        # The Python binding cannot build dht_announce()'s flags, so libtorrent announces the
        # way it does for any torrent it has: a magnet-style torrent, announced on its port.
        params = lt.add_torrent_params()
        params.info_hashes = lt.info_hash_t(sha1(HASH_FROM_LIBTORRENT))
        params.save_path = tempfile.mkdtemp(prefix="shoal-dht-")
        atexit.register(shutil.rmtree, params.save_path, True)
        params.flags &= ~(lt.torrent_flags.auto_managed | lt.torrent_flags.paused)
        announcer.add_torrent(params)
        want_shoal = "127.0.0.20:6881"
        want_libtorrent = ("127.0.0.6", 7002)
        deadline = time.time() + 60
        next_round = 0
        while time.time() < deadline:
            if time.time() >= next_round:
                finder.dht_get_peers(sha1(HASH_FROM_SHOAL))
                next_round = time.time() + 2
            for session in sessions:
                for alert in session.pop_alerts():
                    if isinstance(alert, lt.dht_get_peers_reply_alert):
                        libtorrent_found.update(tuple(p) for p in alert.peers())
                    elif isinstance(alert, lt.dht_announce_alert):
                        announced_to_libtorrent.add((alert.ip, alert.port))
            for event in list(seeker.all):
                if event["event"] == "peers" and event["hash"] == HASH_FROM_LIBTORRENT:
                    shoal_found.update(event["peers"])
            for event in list(reader.all):
                if event["event"] == "peers" and event["hash"] == HASH_FROM_LIBTORRENT:
                    reader_found.update(event["peers"])
            if (want_shoal in shoal_found and want_libtorrent in libtorrent_found
                    and want_shoal in reader_found):
                break
            time.sleep(0.1)
        print(f"Shoal found {sorted(shoal_found)}; libtorrent found {sorted(libtorrent_found)}; "
              f"announce_peer received by libtorrent from {sorted(announced_to_libtorrent)}")
        lookups = [e for e in seeker.all if e["event"] == "lookup_done"]
        announces = [e for e in seeker.all if e["event"] == "announced"]
        print(f"Shoal lookups: {lookups[:3]}; announces: {announces[:3]}")
        tables = set()
        for session in sessions:
            tables |= routing_table(session)
        shoal_in_tables = sorted(e for e in tables if e.startswith("127.0.1.") or e == "127.0.0.6:6881")
        print(f"libtorrent routing tables hold {len(tables)} nodes, Shoal's: {shoal_in_tables}")
        failures = []
        if not shoal_in_tables:
            failures.append("no Shoal node in any libtorrent routing table")
        if "127.0.0.7:6881" in tables:
            failures.append("the read-only Shoal node is in a libtorrent routing table")
        if want_shoal not in reader_found:
            failures.append(f"the read-only Shoal node did not find {want_shoal}")
        if want_shoal not in shoal_found:
            failures.append(f"Shoal did not find libtorrent's peer {want_shoal}")
        if want_libtorrent not in libtorrent_found:
            failures.append(f"libtorrent did not find Shoal's peer {want_libtorrent}")
        if failures:
            print("FAIL: " + "; ".join(failures), file=sys.stderr)
            sys.exit(1)
        print("ok")
    finally:
        for node in (seeker, reader):
            if node:
                node.stop()
        hub.stop()
        print(f"Shoal hub: {hub.stats()}")


if __name__ == "__main__":
    main()

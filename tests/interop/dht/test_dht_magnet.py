"""Magnet links with the DHT as the only source of peers, between shoal-cli and libtorrent in
one loopback DHT (run inside netns_run.sh): no tracker, no peer given by hand."""
import os
import sys
import time

import libtorrent as lt

from dht_util import ShoalNode, libtorrent_dht

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "integration", "swarm"))
from swarm_util import create, get, run_scenarios, same_file, seed, show, wait_until, write_random  # noqa: E402

MiB = 1024 * 1024
HUB = "127.0.0.5:6881"


def payload(tmp, name):
    data = os.path.join(tmp, "data")
    write_random(os.path.join(data, name), 3 * MiB + 99, seed=len(name))
    torrent = os.path.join(tmp, f"{name}.torrent")
    create(os.path.join(data, name), torrent, "--hybrid", "-s", "64K")
    return data, torrent


def libtorrent_seed_to_shoal(tmp):
    data, torrent = payload(tmp, "from-lt.bin")
    session = libtorrent_dht("127.0.0.20", HUB, port=6890)
    params = lt.add_torrent_params()
    params.ti = lt.torrent_info(torrent)
    params.save_path = data
    params.flags |= lt.torrent_flags.seed_mode
    params.flags &= ~(lt.torrent_flags.auto_managed | lt.torrent_flags.paused)
    handle = session.add_torrent(params)
    wait_until(lambda: handle.status().is_seeding, 30, "libtorrent to seed")
    out = os.path.join(tmp, "out")
    leech = get(show(torrent)["magnet"], out, [], "--dht-bootstrap", HUB, listen="127.0.0.30")
    code = leech.wait(150)
    if code != 0:
        raise AssertionError(f"Shoal magnet leech exited {code}: {leech.log[-8:]}")
    if not same_file(os.path.join(data, "from-lt.bin"), os.path.join(out, "from-lt.bin")):
        raise AssertionError("the file differs")


def shoal_seed_to_libtorrent(tmp):
    data, torrent = payload(tmp, "to-lt.bin")
    s = seed(torrent, data, "--dht-bootstrap", HUB, listen="127.0.0.31")
    session = libtorrent_dht("127.0.0.21", HUB, port=6891)
    params = lt.parse_magnet_uri(show(torrent)["magnet"])
    params.save_path = os.path.join(tmp, "lt-out")
    params.flags &= ~(lt.torrent_flags.auto_managed | lt.torrent_flags.paused)
    handle = session.add_torrent(params)
    try:
        # libtorrent looks a torrent up when it starts and then every 15 minutes; asking again
        # every few seconds keeps the test from depending on which node was up first.
        deadline = time.time() + 150
        while not handle.status().is_seeding:
            if time.time() > deadline:
                raise AssertionError(f"libtorrent did not download from the magnet link: {handle.status().state}")
            handle.force_dht_announce()
            for _ in range(50):
                if handle.status().is_seeding:
                    break
                time.sleep(0.1)
    finally:
        s.stop()
    if not same_file(os.path.join(data, "to-lt.bin"), os.path.join(tmp, "lt-out", "to-lt.bin")):
        raise AssertionError("the file differs")


if __name__ == "__main__":
    # Shoal DHT nodes for libtorrent to learn (it keeps bootstrap routers out of its table).
    hub = ShoalNode("--bind", HUB, "--swarm", "8", "--swarm-base", "127.0.1.1", "--duration", "600")
    try:
        run_scenarios([
            ("libtorrent seed to a Shoal magnet leech over the DHT", libtorrent_seed_to_shoal),
            ("Shoal seed to a libtorrent magnet leech over the DHT", shoal_seed_to_libtorrent),
        ])
    finally:
        hub.stop()

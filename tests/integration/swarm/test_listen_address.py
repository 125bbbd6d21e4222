"""What leaves a Shoal leaves from where it listens: a UDP tracker hears its announces from the
port its peers connect to (where uTP and the DHT listen too; one port for a NAT mapping), and
a peer it dials sees the listen address, not whichever address the route would pick."""
import os
import sys

from swarm_util import create, get, run_scenarios, same_file, seed, wait_until, write_random

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "interop"))
from mini_tracker import MiniUdpTracker  # noqa: E402

MiB = 1024 * 1024


def udp_tracker_is_asked_from_the_listen_port(tmp):
    tracker = MiniUdpTracker()
    try:
        data = os.path.join(tmp, "data")
        write_random(os.path.join(data, "file.bin"), 2 * MiB, seed=61)
        torrent = os.path.join(tmp, "file.torrent")
        create(os.path.join(data, "file.bin"), torrent, "--v1", "-s", "64K", "-t", tracker.url)
        s = seed(torrent, data)
        seed_port = int(s.address().rsplit(":", 1)[1])
        wait_until(lambda: tracker.announces, 20, "the seed to announce")
        out = os.path.join(tmp, "out")
        leech = get(torrent, out, [], listen="127.0.0.2")
        code = leech.wait(60)
        leech_port = leech.port
        s.stop()
        if code != 0:
            raise AssertionError(f"the leech exited {code}: {leech.log[-6:]}")
        if not same_file(os.path.join(data, "file.bin"), os.path.join(out, "file.bin")):
            raise AssertionError("the downloaded file differs")
        ports = {host: {p for h, p in tracker.senders if h == host} for host, _ in tracker.senders}
        if ports != {"127.0.0.1": {seed_port}, "127.0.0.2": {leech_port}}:
            raise AssertionError(f"requests came from {ports}, not from the listen ports "
                                 f"{seed_port} (seed) and {leech_port} (leech)")
    finally:
        tracker.close()


def peers_are_dialed_from_the_listen_address(tmp):
    data = os.path.join(tmp, "data")
    write_random(os.path.join(data, "file.bin"), 1 * MiB, seed=62)
    torrent = os.path.join(tmp, "file.torrent")
    create(os.path.join(data, "file.bin"), torrent, "--v1", "-s", "64K")
    s = seed(torrent, data, "--no-utp")
    out = os.path.join(tmp, "out")
    # The seed is on 127.0.0.1, so the route's own choice of source would be 127.0.0.1 too.
    leech = get(torrent, out, [s.address()], "--no-utp", listen="127.0.0.2")
    code = leech.wait(60)
    s.stop()
    if code != 0:
        raise AssertionError(f"the leech exited {code}: {leech.log[-6:]}")
    connected = [line for line in s.log if " connected (" in line]
    if not connected or not all(line.startswith("peer 127.0.0.2:") for line in connected):
        raise AssertionError(f"the seed saw the leech connect from elsewhere: {connected}")


SCENARIOS = [
    ("a UDP tracker is asked from the listen port", udp_tracker_is_asked_from_the_listen_port),
    ("peers are dialed from the listen address", peers_are_dialed_from_the_listen_address),
]


if __name__ == "__main__":
    run_scenarios(SCENARIOS)

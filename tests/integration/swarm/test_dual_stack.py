"""A Shoal started without --listen listens on IPv4 and IPv6 alike (one socket per family, one
port number): a libtorrent leech on ::1 and a Shoal leech on 127.0.0.1 both download from it,
and a tracker reached over IPv6 hands out the seed in `peers6` (BEP 7), which a leech dials."""
import os
import sys

from swarm_util import create, get, run_scenarios, same_file, seed, wait_until, write_random

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "interop"))
from interop_clients import lt_add, lt_session  # noqa: E402
from mini_tracker import MiniTracker  # noqa: E402

MiB = 1024 * 1024


def make_torrent(tmp, size, seed_value, *extra):
    data = os.path.join(tmp, "data")
    write_random(os.path.join(data, "file.bin"), size, seed=seed_value)
    torrent = os.path.join(tmp, "file.torrent")
    create(os.path.join(data, "file.bin"), torrent, "--v1", "-s", "64K", *extra)
    return data, torrent


def both_families_serve_peers(tmp):
    data, torrent = make_torrent(tmp, 2 * MiB, 71)
    s = seed(torrent, data, listen=None)
    s.address()
    listening = [line for line in s.log if line.startswith("listening on ")]
    want = f"listening on 0.0.0.0:{s.port} and [::]:{s.port}"
    if listening != [want]:
        raise AssertionError(f"the seed said {listening}, not '{want}'")
    try:
        lt = lt_session("::1")
        out_lt = os.path.join(tmp, "lt")
        h = lt_add(lt, torrent, out_lt)
        h.connect_peer(("::1", s.port))
        out = os.path.join(tmp, "out")
        leech = get(torrent, out, [f"127.0.0.1:{s.port}"])
        code = leech.wait(60)
        if code != 0:
            raise AssertionError(f"the IPv4 leech exited {code}: {leech.log[-6:]}")
        wait_until(lambda: h.status().is_seeding, 60, "libtorrent on ::1 to finish")
        for folder in (out, out_lt):
            if not same_file(os.path.join(data, "file.bin"), os.path.join(folder, "file.bin")):
                raise AssertionError(f"the file in {folder} differs")
        peers = {line.split()[1] for line in s.log if " connected (" in line}
        if not any(p.startswith("[::1]:") for p in peers) or not any(p.startswith("127.0.0.1:") for p in peers):
            raise AssertionError(f"the seed did not see one peer per family: {peers}")
    finally:
        s.stop()


def an_ipv6_tracker_hands_out_peers6(tmp):
    tracker = MiniTracker("::1")
    try:
        data, torrent = make_torrent(tmp, 1 * MiB, 72, "-t", tracker.url)
        s = seed(torrent, data, listen=None)
        s.address()
        wait_until(lambda: tracker.announces, 20, "the seed to announce")
        out = os.path.join(tmp, "out")
        leech = get(torrent, out, [], listen=None)
        code = leech.wait(60)
        s.stop()
        if code != 0:
            raise AssertionError(f"the leech exited {code}: {leech.log[-6:]}")
        if not same_file(os.path.join(data, "file.bin"), os.path.join(out, "file.bin")):
            raise AssertionError("the downloaded file differs")
        if not any(f"peer [::1]:{s.port} connected" in line for line in leech.log):
            raise AssertionError(f"the leech did not reach the seed over IPv6: {leech.log[-10:]}")
    finally:
        tracker.close()


SCENARIOS = [
    ("both families serve peers", both_families_serve_peers),
    ("an IPv6 tracker hands out peers6", an_ipv6_tracker_hands_out_peers6),
]


if __name__ == "__main__":
    run_scenarios(SCENARIOS)

"""Shoal trading pieces with real clients from Debian: libtorrent (both ways), Transmission
and aria2 (leeching from a Shoal seed, and Transmission seeding to a Shoal leech). Runs in a
private network namespace (netns_run.sh); every client has DHT, LSD, PEX and port mapping off."""
import os
import subprocess
import sys

import libtorrent as lt

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration", "swarm"))
from mini_tracker import MiniTracker  # noqa: E402
from interop_clients import free_port, lt_add, transmission_settings  # noqa: E402
import interop_clients  # noqa: E402
from swarm_util import FakePeer, create, get, run_scenarios, same_file, seed, show, wait_until, write_random  # noqa: E402

MiB = 1024 * 1024


def lt_session(address):
    return interop_clients.lt_session(address, allow_multiple_connections_per_ip=True)


def make_payload(tmp, name, fmt):
    data = os.path.join(tmp, "data")
    for i, size in enumerate([3 * MiB + 123, 2 * MiB, 70_000]):
        write_random(os.path.join(data, name, f"part{i}.bin"), size, seed=i + 31)
    torrent = os.path.join(tmp, f"{name}.torrent")
    create(os.path.join(data, name), torrent, fmt, "-s", "64K")
    return data, torrent


def without_piece_layers(torrent):
    """The torrent as a magnet link's metadata exchange would give it: the info dictionary
    alone, so a v2 downloader must ask its peers for each file's piece layer (BEP 52)."""
    with open(torrent, "rb") as f:
        meta = lt.bdecode(f.read())
    bare = torrent.replace(".torrent", "-bare.torrent")
    with open(bare, "wb") as f:
        f.write(lt.bencode({b"info": meta[b"info"]}))
    return bare


def check_tree(src, dst, name):
    for i in range(3):
        a = os.path.join(src, name, f"part{i}.bin")
        b = os.path.join(dst, name, f"part{i}.bin")
        if not os.path.exists(b) or not same_file(a, b):
            raise AssertionError(f"{name}/part{i}.bin differs")


def shoal_seed_to_libtorrent(tmp, fmt, bare=False):
    data, torrent = make_payload(tmp, "to-lt", fmt)
    s = seed(torrent, data)
    session = lt_session("127.0.0.2")
    out = os.path.join(tmp, "lt-out")
    handle = lt_add(session, without_piece_layers(torrent) if bare else torrent, out)
    host, port = s.address().split(":")
    handle.connect_peer((host, int(port)))
    wait_until(lambda: handle.status().is_seeding, 60, f"libtorrent to finish ({fmt})")
    s.stop()
    check_tree(data, out, "to-lt")


def libtorrent_seed_to_shoal(tmp, fmt, bare=False):
    data, torrent = make_payload(tmp, "from-lt", fmt)
    session = lt_session("127.0.0.2")
    handle = lt_add(session, torrent, data, seed_mode=True)
    wait_until(lambda: handle.status().is_seeding, 30, "libtorrent to start seeding")
    port = session.listen_port()
    out = os.path.join(tmp, "shoal-out")
    leech = get(without_piece_layers(torrent) if bare else torrent, out, [f"127.0.0.2:{port}"])
    code = leech.wait(60)
    if code != 0:
        raise AssertionError(f"shoal leech from libtorrent exited {code}: {leech.log[-5:]}")
    check_tree(data, out, "from-lt")


def magnet_of(torrent):
    return show(torrent)["magnet"]


def libtorrent_seed_to_shoal_magnet(tmp, fmt):
    data, torrent = make_payload(tmp, "lt-magnet", fmt)
    session = lt_session("127.0.0.2")
    handle = lt_add(session, torrent, data, seed_mode=True)
    wait_until(lambda: handle.status().is_seeding, 30, "libtorrent to start seeding")
    out = os.path.join(tmp, "shoal-out")
    leech = get(magnet_of(torrent), out, [f"127.0.0.2:{session.listen_port()}"])
    code = leech.wait(60)
    if code != 0:
        raise AssertionError(f"shoal magnet leech from libtorrent exited {code}: {leech.log[-8:]}")
    if not leech.logged("metadata received: lt-magnet"):
        raise AssertionError(f"no metadata exchange in the log: {leech.log[:8]}")
    check_tree(data, out, "lt-magnet")


def magnet_connections_carry_on(tmp):
    """A magnet link's connections and announcer go on into the download: the libtorrent seed,
    found through the tracker, stays connected once the metadata is in, and the tracker hears
    `started` once (it used to hear started, stopped, started, and every peer was dropped)."""
    tracker = MiniTracker("127.0.0.1")
    data, torrent = make_payload(tmp, "carry-on", "--hybrid")
    create(os.path.join(data, "carry-on"), torrent, "--hybrid", "-s", "64K", "-t", tracker.url)
    session = lt_session("127.0.0.2")
    session.apply_settings({"upload_rate_limit": 1_500_000})
    handle = lt_add(session, torrent, data, seed_mode=True)
    wait_until(lambda: handle.status().is_seeding, 30, "libtorrent to start seeding")
    wait_until(lambda: tracker.announces, 20, "libtorrent to announce")
    out = os.path.join(tmp, "shoal-out")
    leech = get(magnet_of(torrent), out, [])
    code = leech.wait(60)
    if code != 0:
        raise AssertionError(f"shoal magnet leech exited {code}: {leech.log[-8:]}")
    check_tree(data, out, "carry-on")
    lt_port = session.listen_port()
    ours = [event for (_, (_, port), event) in tracker.announces if port != lt_port]
    if ours.count("started") != 1 or "stopped" in ours[:-1]:
        raise AssertionError(f"the tracker heard {ours} from Shoal")
    # Until the download is done: one connection to the seed, the one the metadata came over.
    # (Two seeds then part, and a later announce may bring the seed back.)
    seed_address = f"127.0.0.2:{lt_port}"
    until_done = leech.log[:leech.log.index("state: seeding")]
    connects = [line for line in until_done if line.startswith(f"peer {seed_address} connected")]
    leaves = [line for line in until_done if line.startswith(f"peer {seed_address} left")]
    if len(connects) != 1 or leaves:
        raise AssertionError(f"the seed's connection did not carry on: {until_done}")
    tracker.close()


def shoal_seed_to_libtorrent_magnet(tmp, fmt):
    data, torrent = make_payload(tmp, "to-lt-magnet", fmt)
    s = seed(torrent, data)
    session = lt_session("127.0.0.2")
    params = lt.parse_magnet_uri(magnet_of(torrent))
    out = os.path.join(tmp, "lt-out")
    params.save_path = out
    params.flags &= ~(lt.torrent_flags.auto_managed | lt.torrent_flags.paused)
    handle = session.add_torrent(params)
    host, port = s.address().split(":")
    handle.connect_peer((host, int(port)))
    wait_until(lambda: handle.status().has_metadata, 30, f"libtorrent to get the metadata ({fmt})")
    wait_until(lambda: handle.status().is_seeding, 60, f"libtorrent to finish ({fmt})")
    s.stop()
    check_tree(data, out, "to-lt-magnet")


def shoal_seed_to_transmission(tmp):
    # Transmission drops 127.0.0.0/8 addresses from tracker replies (as "martian"), so it
    # never dials a loopback seed itself: the Shoal seed dials Transmission instead.
    data, torrent = make_payload(tmp, "to-tr", "--v1")
    out = os.path.join(tmp, "tr-out")
    config = os.path.join(tmp, "tr-config")
    port = free_port("127.0.0.3")
    transmission_settings(config, port)
    tr = subprocess.Popen(["transmission-cli", "-g", config, "-w", out, "-M", "-et", torrent],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    s = None
    try:
        wait_until(lambda: port_open("127.0.0.3", port), 20, "transmission to listen")
        s = seed(torrent, data, "--peer", f"127.0.0.3:{port}")
        wait_until(lambda: all(os.path.exists(os.path.join(out, "to-tr", f"part{i}.bin")) and
                               same_file(os.path.join(data, "to-tr", f"part{i}.bin"),
                                         os.path.join(out, "to-tr", f"part{i}.bin")) for i in range(3)),
                   90, "transmission to finish")
    finally:
        tr.terminate()
        tr.wait(10)
        if s:
            s.stop()


def port_open(address, port):
    import socket
    try:
        with socket.create_connection((address, port), timeout=1):
            return True
    except OSError:
        return False


def transmission_seed_to_shoal(tmp):
    tracker = MiniTracker()
    data, torrent = make_payload(tmp, "from-tr", "--v1")
    create(os.path.join(data, "from-tr"), torrent, "--v1", "-s", "64K", "-t", tracker.url)
    config = os.path.join(tmp, "tr-config")
    transmission_settings(config, free_port("127.0.0.3"))
    tr = subprocess.Popen(["transmission-cli", "-g", config, "-w", data, "-M", "-et", torrent],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until(lambda: any(a[2] != "stopped" and a[1][0] == "127.0.0.3" for a in tracker.announces), 30,
                   "transmission to announce")
        out = os.path.join(tmp, "shoal-out")
        leech = get(torrent, out, [])
        code = leech.wait(90)
        if code != 0:
            raise AssertionError(f"shoal leech from transmission exited {code}: {leech.log[-8:]}")
        check_tree(data, out, "from-tr")
    finally:
        tr.terminate()
        tr.wait(10)
        tracker.close()


def shoal_seed_to_aria2(tmp):
    tracker = MiniTracker()
    data, torrent = make_payload(tmp, "to-aria", "--v1")
    create(os.path.join(data, "to-aria"), torrent, "--v1", "-s", "64K", "-t", tracker.url)
    s = seed(torrent, data)
    wait_until(lambda: tracker.announces, 20, "the Shoal seed to announce")
    out = os.path.join(tmp, "aria-out")
    result = subprocess.run(
        ["aria2c", "--enable-dht=false", "--enable-dht6=false", "--bt-enable-lpd=false",
         "--enable-peer-exchange=false", "--seed-time=0", "--listen-port", str(free_port("127.0.0.4")),
         "--interface", "127.0.0.4", "--dir", out, "--console-log-level=warn", "--summary-interval=0",
         "--follow-torrent=false", torrent],
        capture_output=True, text=True, timeout=120)
    s.stop()
    tracker.close()
    if result.returncode != 0:
        raise AssertionError(f"aria2c exited {result.returncode}: {result.stdout[-500:]}")
    check_tree(data, out, "to-aria")


def libtorrent_seed_beside_a_liar(tmp):
    """An honest libtorrent seed and a peer that sends a few blocks of random bytes, hangs up and
    comes back: the pieces it started are finished by the seed and fail their check. The seed
    must never be blamed for them, every piece must stay requestable, and the liar must be
    found out once those pieces pass."""
    data = os.path.join(tmp, "data")
    write_random(os.path.join(data, "liar", "file.bin"), 8 * MiB, seed=41)
    torrent = os.path.join(tmp, "liar.torrent")
    create(os.path.join(data, "liar"), torrent, "--v1", "-s", "256K")
    info = show(torrent)
    liar = FakePeer(bytes.fromhex(info["info_hash_v1"]), info["num_pieces"], "corrupt", "127.0.0.3",
                    leave_after=5)
    session = lt_session("127.0.0.2")
    session.apply_settings({"upload_rate_limit": 600 * 1000, "ignore_limits_on_local_network": False})
    handle = lt_add(session, torrent, data, seed_mode=True)
    wait_until(lambda: handle.status().is_seeding, 30, "libtorrent to start seeding")
    out = os.path.join(tmp, "shoal-out")
    leech = get(torrent, out, [liar.address, f"127.0.0.2:{session.listen_port()}"])
    code = leech.wait(90)
    liar.close()
    if code != 0:
        raise AssertionError(f"shoal leech beside a liar exited {code}: {leech.log[-8:]}")
    if not same_file(os.path.join(data, "liar", "file.bin"), os.path.join(out, "liar", "file.bin")):
        raise AssertionError("the file differs after download")
    if liar.served == 0:
        raise AssertionError("the liar was never asked for data, so the test proved nothing")
    if leech.logged("banned 127.0.0.2"):
        raise AssertionError(f"the honest seed was banned: {[l for l in leech.log if 'banned' in l]}")
    if not leech.logged("banned 127.0.0.3"):
        raise AssertionError(f"the liar was not found out: {[l for l in leech.log if 'hash' in l]}")


SCENARIOS = [
    ("Shoal seed to libtorrent leech, hybrid", lambda t: shoal_seed_to_libtorrent(t, "--hybrid")),
    ("Shoal seed to libtorrent leech, v2", lambda t: shoal_seed_to_libtorrent(t, "--v2")),
    ("Shoal seed to libtorrent leech, v2, piece layers by hash requests",
     lambda t: shoal_seed_to_libtorrent(t, "--v2", bare=True)),
    ("libtorrent seed to Shoal leech, v1", lambda t: libtorrent_seed_to_shoal(t, "--v1")),
    ("libtorrent seed to Shoal leech, v2", lambda t: libtorrent_seed_to_shoal(t, "--v2")),
    ("libtorrent seed to Shoal leech, hybrid", lambda t: libtorrent_seed_to_shoal(t, "--hybrid")),
    ("libtorrent seed to Shoal leech, v2, piece layers by hash requests",
     lambda t: libtorrent_seed_to_shoal(t, "--v2", bare=True)),
    ("libtorrent seed to Shoal magnet leech, hybrid", lambda t: libtorrent_seed_to_shoal_magnet(t, "--hybrid")),
    ("libtorrent seed to Shoal magnet leech, v2", lambda t: libtorrent_seed_to_shoal_magnet(t, "--v2")),
    ("Magnet link: connections and announcer carry on into the download", magnet_connections_carry_on),
    ("Shoal seed to libtorrent magnet leech, hybrid", lambda t: shoal_seed_to_libtorrent_magnet(t, "--hybrid")),
    ("Shoal seed to libtorrent magnet leech, v1", lambda t: shoal_seed_to_libtorrent_magnet(t, "--v1")),
    ("Shoal seed to libtorrent magnet leech, v2", lambda t: shoal_seed_to_libtorrent_magnet(t, "--v2")),
    ("Shoal seed to Transmission leech", shoal_seed_to_transmission),
    ("Transmission seed to Shoal leech (through a tracker)", transmission_seed_to_shoal),
    ("Shoal seed to aria2 leech", shoal_seed_to_aria2),
    ("libtorrent seed beside a peer that lies", libtorrent_seed_beside_a_liar),
]


if __name__ == "__main__":
    run_scenarios(SCENARIOS)

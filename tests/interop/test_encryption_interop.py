"""Encrypted connections (MSE/PE) with libtorrent: Shoal and libtorrent both set to RC4 only,
each way, the files byte-identical; a Shoal that requires encryption and a libtorrent that
does not speak it, and a Shoal with encryption disabled and a libtorrent that insists on it,
never connect; and in `require` mode nothing readable crosses the wire, checked by relaying
the bytes through a small proxy. Runs in a private network namespace (netns_run.sh)."""
import os
import socket
import sys
import threading
import time

import subprocess

import libtorrent as lt

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration", "swarm"))
from mini_tracker import MiniTracker  # noqa: E402
from interop_clients import free_port, lt_add, transmission_settings  # noqa: E402
import interop_clients  # noqa: E402
import swarm_util  # noqa: E402
from swarm_util import check_file, create, get, run_scenarios, same_file, seed, wait_until  # noqa: E402

MiB = 1024 * 1024


def lt_session(address, encryption):
    """`encryption`: "forced" (MSE with RC4 only, both ways) or "disabled" (plain only)."""
    policy = lt.enc_policy.pe_forced if encryption == "forced" else lt.enc_policy.pe_disabled
    return interop_clients.lt_session(address, out_enc_policy=policy, in_enc_policy=policy,
                                      allowed_enc_level=lt.enc_level.pe_rc4, prefer_rc4=True)


def make_payload(tmp, name, size=5 * MiB + 77):
    return swarm_util.make_payload(tmp, name, size)


def encrypted_peer_logged(client, address_prefix):
    return any(line.startswith(f"peer {address_prefix}") and "connected" in line and "encrypted" in line
               for line in client.log)


def shoal_seed_to_forced_libtorrent(tmp):
    data, torrent = make_payload(tmp, "to-lt")
    s = seed(torrent, data, "--encryption", "require")
    session = lt_session("127.0.0.2", "forced")
    out = os.path.join(tmp, "lt-out")
    handle = lt_add(session, torrent, out)
    host, port = s.address().split(":")
    handle.connect_peer((host, int(port)))
    wait_until(lambda: handle.status().is_seeding, 60, "libtorrent to finish")
    s.stop()
    check_file(data, out, "to-lt")
    if not encrypted_peer_logged(s, ""):
        raise AssertionError(f"the seed did not log an encrypted connection: {s.log[-8:]}")


def forced_libtorrent_seed_to_shoal(tmp):
    data, torrent = make_payload(tmp, "from-lt")
    session = lt_session("127.0.0.2", "forced")
    handle = lt_add(session, torrent, data, seed_mode=True)
    wait_until(lambda: handle.status().is_seeding, 30, "libtorrent to start seeding")
    out = os.path.join(tmp, "shoal-out")
    leech = get(torrent, out, [f"127.0.0.2:{session.listen_port()}"], "--encryption", "require")
    code = leech.wait(60)
    if code != 0:
        raise AssertionError(f"shoal leech from libtorrent exited {code}: {leech.log[-8:]}")
    check_file(data, out, "from-lt")
    if not encrypted_peer_logged(leech, "127.0.0.2"):
        raise AssertionError(f"the leech did not log an encrypted connection: {leech.log[-8:]}")


def prefer_shoal_with_forced_libtorrent(tmp):
    """The default policy: Shoal offers RC4 and plain text, libtorrent takes RC4."""
    data, torrent = make_payload(tmp, "prefer", size=2 * MiB)
    session = lt_session("127.0.0.2", "forced")
    handle = lt_add(session, torrent, data, seed_mode=True)
    wait_until(lambda: handle.status().is_seeding, 30, "libtorrent to start seeding")
    out = os.path.join(tmp, "shoal-out")
    leech = get(torrent, out, [f"127.0.0.2:{session.listen_port()}"])
    code = leech.wait(60)
    if code != 0:
        raise AssertionError(f"shoal leech (prefer) exited {code}: {leech.log[-8:]}")
    check_file(data, out, "prefer")
    if not encrypted_peer_logged(leech, "127.0.0.2"):
        raise AssertionError(f"the leech did not log an encrypted connection: {leech.log[-8:]}")


def prefer_shoal_falls_back_to_plain_libtorrent(tmp):
    """Prefer against a libtorrent that speaks only plain text: the MSE attempt fails and the
    plain redial carries the download."""
    data, torrent = make_payload(tmp, "fallback", size=2 * MiB)
    session = lt_session("127.0.0.2", "disabled")
    handle = lt_add(session, torrent, data, seed_mode=True)
    wait_until(lambda: handle.status().is_seeding, 30, "libtorrent to start seeding")
    out = os.path.join(tmp, "shoal-out")
    leech = get(torrent, out, [f"127.0.0.2:{session.listen_port()}"])
    code = leech.wait(60)
    if code != 0:
        raise AssertionError(f"shoal leech (prefer, plain peer) exited {code}: {leech.log[-8:]}")
    check_file(data, out, "fallback")
    if encrypted_peer_logged(leech, "127.0.0.2"):
        raise AssertionError("an encrypted connection with a libtorrent that has encryption disabled")


def never_connects(leech_session, handle, shoal, seconds=8):
    """Neither side gets a single payload byte, and Shoal never reports the peer connected."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        if handle.status().total_payload_download > 0:
            raise AssertionError("libtorrent received payload")
        if shoal.logged("connected ("):
            raise AssertionError(f"shoal reported a connection: {shoal.log[-5:]}")
        time.sleep(0.25)


def require_refuses_plain_libtorrent(tmp):
    data, torrent = make_payload(tmp, "refuse", size=1 * MiB)
    # libtorrent (plain only) dials a Shoal seed that requires encryption.
    s = seed(torrent, data, "--encryption", "require")
    session = lt_session("127.0.0.2", "disabled")
    handle = lt_add(session, torrent, os.path.join(tmp, "lt-out"))
    host, port = s.address().split(":")
    handle.connect_peer((host, int(port)))
    never_connects(session, handle, s)
    s.stop()
    # And a Shoal leech that requires encryption dials a plain-only libtorrent seed.
    seed_session = lt_session("127.0.0.3", "disabled")
    seed_handle = lt_add(seed_session, torrent, data, seed_mode=True)
    wait_until(lambda: seed_handle.status().is_seeding, 30, "libtorrent to start seeding")
    leech = get(torrent, os.path.join(tmp, "shoal-out"), [f"127.0.0.3:{seed_session.listen_port()}"],
                "--encryption", "require")
    time.sleep(6)
    if leech.logged("connected (") or seed_handle.status().total_payload_upload > 0:
        raise AssertionError(f"a require-mode Shoal connected to a plain libtorrent: {leech.log[-5:]}")
    if not leech.logged("could not connect to 127.0.0.3"):
        raise AssertionError(f"no failed connection logged: {leech.log[-5:]}")
    leech.stop()


def disable_does_not_speak_mse(tmp):
    data, torrent = make_payload(tmp, "disabled", size=1 * MiB)
    s = seed(torrent, data, "--encryption", "disable")
    session = lt_session("127.0.0.2", "forced")
    handle = lt_add(session, torrent, os.path.join(tmp, "lt-out"))
    host, port = s.address().split(":")
    handle.connect_peer((host, int(port)))
    never_connects(session, handle, s)
    s.stop()


class Relay:
    """Forwards one address to another and keeps every byte it saw, each direction apart."""

    def __init__(self, listen, target):
        self.target = target
        self.server = socket.socket()
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind((listen, 0))
        self.server.listen(4)
        self.address = self.server.getsockname()
        self.upstream = bytearray()    # from the dialer to the target
        self.downstream = bytearray()  # back
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            threading.Thread(target=self._pump, args=(client, server, self.upstream), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, self.downstream), daemon=True).start()

    def _pump(self, src, dst, record):
        try:
            while True:
                chunk = src.recv(65536)
                if not chunk:
                    break
                with self.lock:
                    record += chunk
                dst.sendall(chunk)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self):
        self.server.close()


def readable_runs(traffic, payload):
    """Whether any 32-byte run of `payload` shows up in `traffic`: every such run holds one of
    the payload's 16-byte blocks at a multiple of 16, so those are looked for at every offset."""
    blocks = {payload[i:i + 16] for i in range(0, len(payload) - 15, 16)}
    view = bytes(traffic)
    return any(view[i:i + 16] in blocks for i in range(len(view) - 15))


def nothing_readable_on_the_wire(tmp):
    data, torrent = make_payload(tmp, "wire", size=2 * MiB + 5)
    with open(os.path.join(data, "wire", "file.bin"), "rb") as f:
        payload = f.read()
    s = seed(torrent, data, "--encryption", "require")
    host, port = s.address().split(":")
    relay = Relay("127.0.0.4", (host, int(port)))
    session = lt_session("127.0.0.2", "forced")
    out = os.path.join(tmp, "lt-out")
    handle = lt_add(session, torrent, out)
    handle.connect_peer(relay.address)
    wait_until(lambda: handle.status().is_seeding, 60, "libtorrent to finish through the relay")
    s.stop()
    relay.close()
    check_file(data, out, "wire")
    if len(relay.downstream) < len(payload):
        raise AssertionError(f"the relay saw only {len(relay.downstream)} bytes: the payload went around it")
    # The check itself must be able to see a readable run.
    if not readable_runs(b"xx" + payload[1000:1032] + b"yy", payload):
        raise AssertionError("the run search does not find a run it should")
    for name, traffic in (("upstream", relay.upstream), ("downstream", relay.downstream)):
        if b"BitTorrent protocol" in traffic:
            raise AssertionError(f"'BitTorrent protocol' readable {name}")
        if readable_runs(traffic, payload):
            raise AssertionError(f"a 32-byte run of the payload readable {name}")


def port_open(address, port):
    try:
        with socket.create_connection((address, port), timeout=1):
            return True
    except OSError:
        return False


def shoal_seed_to_transmission_requiring_encryption(tmp):
    # Transmission drops loopback addresses from tracker replies, so the Shoal seed dials it.
    data, torrent = make_payload(tmp, "to-tr")
    create(os.path.join(data, "to-tr"), torrent, "--v1", "-s", "64K")
    out = os.path.join(tmp, "tr-out")
    config = os.path.join(tmp, "tr-config")
    port = free_port("127.0.0.3")
    transmission_settings(config, port, encryption=2)
    tr = subprocess.Popen(["transmission-cli", "-g", config, "-w", out, "-M", "-er", torrent],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    s = None
    try:
        wait_until(lambda: port_open("127.0.0.3", port), 20, "transmission to listen")
        s = seed(torrent, data, "--encryption", "require", "--peer", f"127.0.0.3:{port}")
        target = os.path.join(out, "to-tr", "file.bin")
        wait_until(lambda: os.path.exists(target) and same_file(os.path.join(data, "to-tr", "file.bin"), target),
                   90, "transmission to finish")
        if not encrypted_peer_logged(s, "127.0.0.3"):
            raise AssertionError(f"the seed did not log an encrypted connection: {s.log[-8:]}")
    finally:
        tr.terminate()
        tr.wait(10)
        if s:
            s.stop()


def transmission_requiring_encryption_seeds_to_shoal(tmp):
    tracker = MiniTracker()
    data, torrent = make_payload(tmp, "from-tr")
    create(os.path.join(data, "from-tr"), torrent, "--v1", "-s", "64K", "-t", tracker.url)
    config = os.path.join(tmp, "tr-config")
    transmission_settings(config, free_port("127.0.0.3"), encryption=2)
    tr = subprocess.Popen(["transmission-cli", "-g", config, "-w", data, "-M", "-er", torrent],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until(lambda: any(a[2] != "stopped" and a[1][0] == "127.0.0.3" for a in tracker.announces), 30,
                   "transmission to announce")
        out = os.path.join(tmp, "shoal-out")
        leech = get(torrent, out, [], "--encryption", "require")
        code = leech.wait(90)
        if code != 0:
            raise AssertionError(f"shoal leech from transmission exited {code}: {leech.log[-8:]}")
        check_file(data, out, "from-tr")
        if not encrypted_peer_logged(leech, "127.0.0.3"):
            raise AssertionError(f"the leech did not log an encrypted connection: {leech.log[-8:]}")
    finally:
        tr.terminate()
        tr.wait(10)
        tracker.close()


def shoal_seed_to_aria2_requiring_encryption(tmp):
    tracker = MiniTracker()
    data, torrent = make_payload(tmp, "to-aria")
    create(os.path.join(data, "to-aria"), torrent, "--v1", "-s", "64K", "-t", tracker.url)
    s = seed(torrent, data, "--encryption", "require")
    wait_until(lambda: tracker.announces, 20, "the Shoal seed to announce")
    out = os.path.join(tmp, "aria-out")
    result = subprocess.run(
        ["aria2c", "--enable-dht=false", "--enable-dht6=false", "--bt-enable-lpd=false",
         "--enable-peer-exchange=false", "--seed-time=0", "--listen-port", str(free_port("127.0.0.4")),
         "--interface", "127.0.0.4", "--dir", out, "--console-log-level=warn", "--summary-interval=0",
         "--bt-require-crypto=true", "--bt-min-crypto-level=arc4",
         "--follow-torrent=false", torrent],
        capture_output=True, text=True, timeout=120)
    s.stop()
    tracker.close()
    if result.returncode != 0:
        raise AssertionError(f"aria2c exited {result.returncode}: {result.stdout[-500:]}")
    check_file(data, out, "to-aria")
    if not encrypted_peer_logged(s, ""):
        raise AssertionError(f"the seed did not log an encrypted connection: {s.log[-8:]}")


SCENARIOS = [
    ("Shoal seed (require) to libtorrent leech (forced RC4)", shoal_seed_to_forced_libtorrent),
    ("libtorrent seed (forced RC4) to Shoal leech (require)", forced_libtorrent_seed_to_shoal),
    ("libtorrent seed (forced RC4) to Shoal leech (prefer)", prefer_shoal_with_forced_libtorrent),
    ("plain libtorrent seed to Shoal leech (prefer): falls back", prefer_shoal_falls_back_to_plain_libtorrent),
    ("Shoal (require) and a plain-only libtorrent never connect", require_refuses_plain_libtorrent),
    ("Shoal (disable) and a libtorrent forcing encryption never connect", disable_does_not_speak_mse),
    ("require mode: nothing readable on the wire (relay)", nothing_readable_on_the_wire),
    ("Shoal seed (require) to Transmission leech (encryption required)",
     shoal_seed_to_transmission_requiring_encryption),
    ("Transmission seed (encryption required) to Shoal leech (require)",
     transmission_requiring_encryption_seeds_to_shoal),
    ("Shoal seed (require) to aria2 leech (--bt-require-crypto, arc4)", shoal_seed_to_aria2_requiring_encryption),
]


if __name__ == "__main__":
    run_scenarios(SCENARIOS)

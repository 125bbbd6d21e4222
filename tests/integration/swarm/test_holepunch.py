"""Hole punching (BEP 55) between two Shoal peers, each at home behind a NAT router that lets
nothing new in and maps no port (tests/interop/two_homes.py). Neither can dial the other; both
reach a relay on the Internet, which the tracker (opentracker) names to each. The seed at home1
connects to the relay first; the leech at home2 then hears of the seed from the tracker and from
the relay's PEX, fails to dial it, asks the relay for a rendezvous, and both sides dial each other
over uTP at once, so each router takes the other's packets for replies. The leech must download
the whole file over that connection: the relay downloads at 16 KiB/s and can pass on little.

Scenarios: the relay is a Shoal leech (the home peers with their defaults, TCP and uTP), then a
libtorrent peer (the home peers uTP only: libtorrent tells the target the initiator's address as
its connection to the relay shows it, which is the uTP port's mapping only over uTP).
Run by netns_run.sh; needs root, nftables, opentracker and python3-libtorrent."""
import hashlib
import os
import subprocess
import sys
import tempfile
import textwrap
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "interop"))
import two_homes  # noqa: E402
from interop_clients import start_opentracker  # noqa: E402
from swarm_util import stop_process  # noqa: E402
from two_homes import INTERNET, ROUTER1_WAN, ROUTER2_WAN  # noqa: E402

CLI = os.environ["SHOAL_CLI"]
TRACKER_PORT = 6969
RELAY_PORT, SEED_PORT, LEECH_PORT = 6890, 6881, 6882
SIZE = 4 * 1024 * 1024
RELAY_RATE = 16 * 1024

# libtorrent as the relay: a leech on the Internet side, downloading slowly, until killed.
LIBTORRENT_RELAY = textwrap.dedent("""
    import sys, time
    import libtorrent as lt
    torrent, out, address, port, rate = sys.argv[1:6]
    s = lt.session({"listen_interfaces": "%s:%s" % (address, port), "enable_dht": False, "enable_lsd": False,
                    "enable_upnp": False, "enable_natpmp": False, "announce_to_all_tiers": True,
                    "download_rate_limit": int(rate), "alert_mask": lt.alert.category_t.all_categories})
    p = lt.add_torrent_params()
    p.ti = lt.torrent_info(torrent)
    p.save_path = out
    p.flags &= ~(lt.torrent_flags.auto_managed | lt.torrent_flags.paused)
    h = s.add_torrent(p)
    print("ready", flush=True)
    seen = set()
    while True:
        for peer in h.get_peer_info():
            key = "%s:%d" % (peer.ip[0], peer.ip[1])
            if key not in seen:
                seen.add(key)
                print("peer", key, flush=True)
        time.sleep(0.1)
""")


def fail(message):
    raise AssertionError(message)


class Process:
    """A process in a namespace whose stdout and stderr lines are collected."""

    def __init__(self, argv):
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines = []
        for stream in (self.proc.stdout, self.proc.stderr):
            threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream):
        for line in stream:
            self.lines.append(line.rstrip("\n"))

    def said(self, text):
        return any(text in line for line in list(self.lines))

    def wait_for(self, text, timeout, what):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.said(text):
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        fail(f"{what}: not within {timeout} s; it said {self.lines[-12:]}")

    def stop(self):
        stop_process(self.proc)


def shoal(ns, *args):
    return Process(ns.cmd(CLI, *args, "--no-dht", "--no-lsd", "--no-port-mapping", "--state-dir", "", "-v"))


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def scenario(name, relay_kind, home_flags):
    with tempfile.TemporaryDirectory() as folder, two_homes.TwoHomes() as net:
        data = os.path.join(folder, "data")
        os.makedirs(data)
        with open(os.path.join(data, "file.bin"), "wb") as f:
            f.write(os.urandom(SIZE))
        torrent = os.path.join(folder, "file.torrent")
        subprocess.run([CLI, "create", os.path.join(data, "file.bin"), "-o", torrent, "--v1", "-s", "64K",
                        "-t", f"http://{INTERNET}:{TRACKER_PORT}/announce"],
                       check=True, capture_output=True, timeout=60)
        tracker = start_opentracker(net.internet.cmd, torrent, INTERNET, TRACKER_PORT, folder)
        processes = []
        try:
            if relay_kind == "shoal":
                relay = shoal(net.internet, "get", torrent, "-d", os.path.join(folder, "relay"), "--listen", INTERNET,
                              "--port", str(RELAY_PORT), "--down-limit", str(RELAY_RATE))
            else:
                relay = Process(net.internet.cmd(sys.executable, "-c", LIBTORRENT_RELAY, torrent,
                                                 os.path.join(folder, "relay"), INTERNET, str(RELAY_PORT),
                                                 str(RELAY_RATE)))
                relay.wait_for("ready", 20, f"{name}: libtorrent relay start")
            processes.append(relay)
            time.sleep(1)  # the relay's first announce, so that the tracker names it to the seed
            # Without PEX the seed hears of the leech only from the relay's connect message: a
            # dial of its own that crossed the leech's would open the NATs without hole punching.
            seed = shoal(net.home1, "seed", torrent, "-d", data, "--port", str(SEED_PORT), "--no-pex", *home_flags)
            processes.append(seed)
            relay.wait_for(f"peer {ROUTER1_WAN}:", 30, f"{name}: the seed reaching the relay")
            out = os.path.join(folder, "leech")
            started = time.monotonic()
            leech = shoal(net.home2, "get", torrent, "-d", out, "--port", str(LEECH_PORT), *home_flags)
            processes.append(leech)
            try:
                leech.proc.wait(90)
            except subprocess.TimeoutExpired:
                fail(f"{name}: the leech did not finish within 90 s; leech {leech.lines[-15:]}; "
                     f"seed {seed.lines[-8:]}; relay {relay.lines[-8:]}")
            took = time.monotonic() - started
            if leech.proc.returncode != 0:
                fail(f"{name}: the leech exited {leech.proc.returncode}: {leech.lines[-15:]}")
            if digest(os.path.join(out, "file.bin")) != digest(os.path.join(data, "file.bin")):
                fail(f"{name}: the downloaded file differs")
            asked = f"hole punch: asked {INTERNET}:{RELAY_PORT} to introduce us to {ROUTER1_WAN}:{SEED_PORT}"
            if not leech.said(asked):
                fail(f"{name}: the leech never asked the relay for a rendezvous: {leech.lines[-15:]}")
            if not seed.said(f"hole punch: {INTERNET}:{RELAY_PORT} has us dial {ROUTER2_WAN}:{LEECH_PORT} over uTP"):
                fail(f"{name}: the seed was never told to dial the leech: {seed.lines[-15:]}")
            direct = f"peer {ROUTER1_WAN}:{SEED_PORT} connected"
            if not leech.said(direct) or not any(direct in l and "uTP" in l for l in leech.lines):
                fail(f"{name}: the leech never had the seed over uTP: {leech.lines[-15:]}")
            if not seed.said(f"peer {ROUTER2_WAN}:"):
                fail(f"{name}: the seed never had the leech: {seed.lines[-10:]}")
            if took > SIZE / RELAY_RATE / 2:
                fail(f"{name}: {took:.0f} s: too slow to have come from the seed")
            print(f"ok: {name}: {SIZE >> 20} MiB from home1 to home2 through a hole punched by the relay "
                  f"in {took:.1f} s", flush=True)
        finally:
            for p in reversed(processes):
                p.stop()
            tracker.kill()
            tracker.wait()


def main():
    scenario("Shoal relay", "shoal", [])
    scenario("libtorrent relay", "libtorrent", ["--no-tcp"])
    print("all passed")


if __name__ == "__main__":
    main()

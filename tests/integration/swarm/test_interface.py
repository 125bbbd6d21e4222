"""--interface: every socket of a Shoal bound to one interface stays on it. The client's
namespace has two ways to the "world" namespace (where a seed, its DHT node and opentracker
over HTTP and UDP are): eth0, which the routing table prefers, and vpn0. A leech bound to vpn0,
with the DHT, local discovery, port mapping, both families and both trackers on, downloads
the file; nftables counts every TCP and UDP packet that leaves by eth0, and the count stays
at zero through the whole run, including while vpn0 is down in the middle of the download
(the leech says so in its status), and the download completes once vpn0 is back. Then again
with vpn0 deleted and made anew in the middle of the download, as a VPN's device is when it
reconnects: the new device has a new index, to which the leech binds its sockets again, so
that its UDP tracker answers through it afterwards.
Run by netns_run.sh."""
import json
import os
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "interop"))
import netns_util  # noqa: E402
from interop_clients import start_opentracker  # noqa: E402
from swarm_util import same_file, write_random  # noqa: E402

CLI = os.environ["SHOAL_CLI"]
WORLD = "203.0.113.10"
TRACKER_PORT = 6969
SEED_PORT = 6881
MiB = 1024 * 1024


class Shoal:
    """shoal-cli in a namespace, with its stderr lines and JSON status lines collected."""

    def __init__(self, ns, *args):
        self.proc = subprocess.Popen(ns.cmd(CLI, *args, "-v", "--json"), stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self.log, self.status = [], []
        threading.Thread(target=lambda: [self.log.append(line.rstrip()) for line in self.proc.stderr],
                         daemon=True).start()
        threading.Thread(target=lambda: [self.status.append(json.loads(line)) for line in self.proc.stdout
                                         if line.startswith("{")], daemon=True).start()

    def wait_for(self, predicate, timeout, what):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(predicate(s) for s in list(self.status)):
                return
            if self.proc.poll() is not None and not any(predicate(s) for s in list(self.status)):
                break
            time.sleep(0.1)
        raise AssertionError(f"{what}: not within {timeout} s; last status "
                             f"{self.status[-1] if self.status else None}; log {self.log[-10:]}")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def make_vpn(client, world):
    netns_util.veth(client, "vpn0", "198.51.100.2/26", world, "w-vpn", "198.51.100.1/26")
    client.run("ip", "route", "add", "default", "via", "198.51.100.1", "dev", "vpn0", "metric", "200")


def run(mode):
    """`mode` "down": vpn0 goes down and up; "recreated": it is deleted and made anew."""
    client, world = netns_util.Namespace(300), netns_util.Namespace(300)
    seed = leech = tracker = None
    try:
        for ns in (client, world):
            ns.run("sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1")
            ns.run("sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1")
        netns_util.veth(client, "eth0", "192.0.2.2/24", world, "w-eth", "192.0.2.1/24")
        world.run("ip", "addr", "add", f"{WORLD}/32", "dev", "lo")
        # eth0 is the way the routing table prefers; vpn0 is there too, at a worse metric.
        client.run("ip", "route", "add", "default", "via", "192.0.2.1", "dev", "eth0", "metric", "100")
        make_vpn(client, world)
        netns_util.count_leaving(client, "eth0")
        with tempfile.TemporaryDirectory() as tmp:
            data = os.path.join(tmp, "data")
            write_random(os.path.join(data, "file.bin"), 8 * MiB, seed=81)
            torrent = os.path.join(tmp, "file.torrent")
            subprocess.run([CLI, "create", os.path.join(data, "file.bin"), "-o", torrent, "--v1", "-s", "64K",
                            "-t", f"http://{WORLD}:{TRACKER_PORT}/announce",
                            "-t", f"udp://{WORLD}:{TRACKER_PORT}/announce"],
                           check=True, capture_output=True, timeout=60)
            tracker = start_opentracker(world.cmd, torrent, WORLD, TRACKER_PORT, tmp)
            seed = Shoal(world, "seed", torrent, "-d", data, "--listen", WORLD, "--port", str(SEED_PORT),
                         "--state-dir", "", "--no-lsd", "--no-port-mapping",
                         "--dht-bootstrap", f"{WORLD}:{SEED_PORT}")
            seed.wait_for(lambda s: s["state"] == "seeding", 30, "the seed to start")
            out = os.path.join(tmp, "out")
            leech = Shoal(client, "get", torrent, "-d", out, "--interface", "vpn0", "--port", "6882",
                          "--state-dir", "", "--down-limit", "1M", "--dht-bootstrap", f"{WORLD}:{SEED_PORT}")
            leech.wait_for(lambda s: s["done_bytes"] >= 2 * MiB, 30, "the leech to get 2 MiB")
            if mode == "down":
                client.run("ip", "link", "set", "vpn0", "down")
            else:
                client.run("ip", "link", "del", "vpn0")
            leech.wait_for(lambda s: s["network"].get("interface_up") is False, 10, "the leech to see vpn0 gone")
            time.sleep(3)
            during = netns_util.packets_left(client)
            stalled = leech.status[-1]["done_bytes"]
            returned = len(leech.log)
            if mode == "down":
                client.run("ip", "link", "set", "vpn0", "up")
                client.run("ip", "route", "add", "default", "via", "198.51.100.1", "dev", "vpn0", "metric", "200")
            else:
                make_vpn(client, world)
            try:
                code = leech.proc.wait(90)
            except subprocess.TimeoutExpired:
                raise AssertionError(f"the leech did not finish after vpn0 came back: {leech.status[-1:]}; "
                                     f"{leech.log[-10:]}")
            if code != 0:
                raise AssertionError(f"the leech exited {code}: {leech.log[-10:]}")
            if not same_file(os.path.join(data, "file.bin"), os.path.join(out, "file.bin")):
                raise AssertionError("the downloaded file differs")
            after = netns_util.packets_left(client)
            if during or after:
                raise AssertionError(f"{after} packets left by eth0 ({during} by the time vpn0 was down)")
            gone = "vpn0 is down" if mode == "down" else "no interface named vpn0"
            if not any(gone in line for line in leech.log):
                raise AssertionError(f"the leech did not say '{gone}': {leech.log[-10:]}")
            if mode == "recreated":
                since = leech.log[returned:]
                if not any("vpn0 was made anew: every socket is bound to it again" in line
                           for line in since):
                    raise AssertionError(f"the leech did not bind its sockets to the new vpn0: {since[-10:]}")
                udp_replies = [line for line in since if line.startswith(f"tracker udp://{WORLD}")]
                if not udp_replies or "failed" in udp_replies[0]:
                    raise AssertionError(f"the UDP tracker did not answer through the new vpn0: {udp_replies}")
            print(f"ok: 8 MiB through vpn0 with it {mode} for 3 s at {stalled // 1024} KiB; "
                  f"0 packets by eth0", flush=True)
    finally:
        for s in (leech, seed):
            if s:
                s.stop()
        if tracker:
            tracker.kill()
            tracker.wait()
        client.close()
        world.close()


def main():
    run("down")
    run("recreated")
    print("all passed")


if __name__ == "__main__":
    main()

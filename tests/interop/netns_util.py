"""Network namespaces inside the private one that netns_run.sh makes: each is kept alive by a
sleeping holder process and entered with nsenter, and veth pairs join them. Everything goes
away with the holders, so nothing reaches the machine's own network."""
import json
import os
import subprocess
import time


class Namespace:
    """A network namespace with loopback up; `cmd` wraps a command to run in it. It disappears
    when the holder (which ends by itself after `lifetime` seconds) and all it ran have exited."""

    def __init__(self, lifetime):
        self.holder = subprocess.Popen(["unshare", "-n", "--", "sleep", str(lifetime)])
        own = os.readlink("/proc/self/ns/net")
        deadline = time.monotonic() + 10
        # Until unshare has run, the holder is still in our namespace: entering it then would not isolate.
        while os.readlink(f"/proc/{self.holder.pid}/ns/net") == own:
            if time.monotonic() > deadline:
                raise RuntimeError("unshare did not make a namespace")
            time.sleep(0.01)
        self.run("ip", "link", "set", "lo", "up")

    def cmd(self, *args):
        return ["nsenter", "-t", str(self.holder.pid), "-n", "--", *args]

    def run(self, *args, input=None):
        subprocess.run(self.cmd(*args), input=input, text=True, check=True, timeout=30, capture_output=True)

    def close(self):
        self.holder.kill()
        self.holder.wait()


class Topology:
    """Namespaces made by `_build` and removed by `close`, used as a context manager: leaving
    removes them, and so does a build that fails half way."""

    def __enter__(self):
        try:
            self._build()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc):
        self.close()


def veth(a, dev_a, addr_a, b, dev_b, addr_b):
    """A veth pair made here (in the outer private namespace) and its ends moved into `a` and `b`."""
    subprocess.run(["ip", "link", "add", "name", dev_a, "type", "veth", "peer", "name", dev_b], check=True, timeout=30)
    for ns, dev, addr in ((a, dev_a, addr_a), (b, dev_b, addr_b)):
        subprocess.run(["ip", "link", "set", dev, "netns", str(ns.holder.pid)], check=True, timeout=30)
        ns.run("ip", "addr", "add", addr, "dev", dev)
        ns.run("ip", "link", "set", dev, "up")


def count_leaving(ns, device):
    """From now on nftables counts every TCP and UDP packet that `ns` sends out of `device`;
    packets_left() reads the count."""
    ns.run("nft", "-f", "-", input=f"""table inet leak {{
    counter out {{ }}
    chain output {{
        type filter hook output priority 0; policy accept;
        oifname "{device}" meta l4proto {{ tcp, udp }} counter name out
    }}
}}
""")


def packets_left(ns):
    """The packets count_leaving() has counted in `ns`."""
    out = subprocess.run(ns.cmd("nft", "-j", "list", "counter", "inet", "leak", "out"),
                         capture_output=True, text=True, check=True, timeout=30).stdout
    for item in json.loads(out)["nftables"]:
        if "counter" in item:
            return item["counter"]["packets"]
    raise AssertionError(f"no counter in {out}")


def routed_path(sender, router, receiver, sender_addr, receiver_addr, prefix="path"):
    """sender -- router -- receiver on 198.51.100.0/24 (documentation range): the sender on the
    first /26, the receiver on the second; the router forwards between them. Returns the names
    of the router's devices towards the sender and towards the receiver."""
    towards_sender, towards_receiver = f"{prefix}-ri", f"{prefix}-ro"
    veth(sender, f"{prefix}-s", f"{sender_addr}/26", router, towards_sender, "198.51.100.2/26")
    veth(router, towards_receiver, "198.51.100.65/26", receiver, f"{prefix}-r", f"{receiver_addr}/26")
    sender.run("ip", "route", "add", "default", "via", "198.51.100.2")
    receiver.run("ip", "route", "add", "default", "via", "198.51.100.65")
    router.run("sysctl", "-qw", "net.ipv4.ip_forward=1")
    return towards_sender, towards_receiver

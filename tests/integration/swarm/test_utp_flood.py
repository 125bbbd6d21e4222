"""A Shoal seed under uTP floods, in a private network namespace (netns_run.sh): 1,000 SYNs
that never go further, from a few ports on a few loopback addresses; and 10,000 DATA packets
for connection ids it never gave out. Each time the seed must stay up, keep serving (a
leech dialing as usual, and one that can reach it only over uTP, both finish in time), keep
its resident memory within a bound, and answer the unknown ids with no more RESETs than its
rate limit (200 a second) allows. (A sanitizer build, SHOAL_SANITIZED, holds freed memory
back and shadows it, so there the memory bound is not checked.)"""
import math
import os
import random
import select
import socket
import subprocess
import threading
import time

from swarm_util import create, get, run_scenarios, same_file, seed, wait_until, write_random
from utp_wire import ST_DATA, ST_RESET, ST_STATE, ST_SYN, packet, parse

MiB = 1024 * 1024
RSS_BOUND_KIB = 64 * 1024
RSS_CHECKED = os.environ.get("SHOAL_SANITIZED", "0") in ("0", "")
RESETS_PER_SECOND = 200


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError(f"no VmRSS for {pid}")


class Flooder:
    """UDP sockets on `addresses`, `ports` each, and a thread that keeps what comes back."""

    def __init__(self, addresses, ports):
        self.socks = []
        for address in addresses:
            for _ in range(ports):
                sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
                sock.bind((address, 0))
                sock.setblocking(False)
                self.socks.append(sock)
        self.replies = []  # (seconds, our address, Header)
        self.running = True
        self.thread = threading.Thread(target=self._receive, daemon=True)
        self.thread.start()

    def _receive(self):
        while self.running:
            ready, _, _ = select.select(self.socks, [], [], 0.05)
            for sock in ready:
                while True:
                    try:
                        datagram, _ = sock.recvfrom(2048)
                    except OSError:
                        break
                    header = parse(datagram)
                    if header:
                        self.replies.append((time.monotonic(), sock.getsockname(), header))

    def send(self, packets, target, per_burst=100, pause=0.0):
        """Sends (socket index, datagram) pairs, `per_burst` at a time."""
        for i, (n, datagram) in enumerate(packets):
            self.socks[n % len(self.socks)].sendto(datagram, target)
            if pause and i % per_burst == per_burst - 1:
                time.sleep(pause)

    def close(self):
        self.running = False
        self.thread.join(5)
        for sock in self.socks:
            sock.close()


def make_seed(tmp, size=3 * MiB + 11):
    data = os.path.join(tmp, "data")
    write_random(os.path.join(data, "flood", "file.bin"), size, seed=7)
    torrent = os.path.join(tmp, "flood.torrent")
    create(os.path.join(data, "flood"), torrent, "-s", "64K")
    s = seed(torrent, data)
    host, port = s.address().split(":")
    wait_until(lambda: s.logged("state: seeding"), 30, "the seed to check its data")
    return s, torrent, data, (host, int(port))


def still_serves(tmp, s, torrent, data, target, label):
    """A leech dialing as usual, then one that reaches the seed only over uTP, both within
    30 seconds and byte-identical."""
    for kind in ("usual", "uTP only"):
        if s.proc.poll() is not None:
            raise AssertionError(f"the seed exited ({s.proc.returncode}) {label}: {s.log[-8:]}")
        out = os.path.join(tmp, f"out-{label}-{kind}".replace(" ", "-"))
        if kind == "uTP only":
            rules = f"""table inet shoal_flood {{
                chain input {{ type filter hook input priority 0; tcp dport {target[1]} reject with tcp reset; }}
            }}"""
            subprocess.run(["nft", "-f", "-"], input=rules, text=True, check=True)
        try:
            leech = get(torrent, out, [f"{target[0]}:{target[1]}"], listen="127.0.0.3")
            code = leech.wait(30)
        finally:
            subprocess.run(["nft", "delete", "table", "inet", "shoal_flood"], check=False, stderr=subprocess.DEVNULL)
        if code != 0:
            raise AssertionError(f"a leech ({kind}) {label} exited {code}: {leech.log[-8:]}")
        if not same_file(os.path.join(data, "flood", "file.bin"), os.path.join(out, "flood", "file.bin")):
            raise AssertionError(f"the leech's ({kind}) file differs {label}")
        if kind == "uTP only" and not leech.logged(", uTP"):
            raise AssertionError(f"the uTP-only leech logged no uTP connection {label}: {leech.log[-8:]}")


def check_rss(pid, before, label):
    after = rss_kib(pid)
    if RSS_CHECKED and after - before > RSS_BOUND_KIB:
        raise AssertionError(f"the seed's VmRSS grew from {before} to {after} KiB {label} (bound +{RSS_BOUND_KIB} KiB)")


def syn_flood(tmp):
    s, torrent, data, target = make_seed(tmp)
    flooder = Flooder([f"127.0.1.{n}" for n in range(1, 6)], ports=4)
    try:
        before = rss_kib(s.proc.pid)
        ids = random.sample(range(65536), 1000)  # distinct, so every SYN is a new connection
        flooder.send(((n, packet(ST_SYN, cid, seq_nr=1)) for n, cid in enumerate(ids)), target,
                     per_burst=100, pause=0.005)
        time.sleep(2)
        answered = {(addr, h.conn_id) for _, addr, h in flooder.replies if h.type == ST_STATE}
        if s.proc.poll() is not None:
            raise AssertionError(f"the seed exited ({s.proc.returncode}) after the SYN flood")
        flooded = rss_kib(s.proc.pid)
        still_serves(tmp, s, torrent, data, target, "after the SYN flood")
        after = rss_kib(s.proc.pid)
        print(f"     answered {len(answered)} of 1,000 SYNs; VmRSS {before} KiB, {flooded} after the flood, "
              f"{after} after two downloads", flush=True)
        if RSS_CHECKED and max(flooded, after) - before > RSS_BOUND_KIB:
            raise AssertionError(f"the seed's VmRSS grew by {max(flooded, after) - before} KiB (bound "
                                 f"+{RSS_BOUND_KIB} KiB); it answered {len(answered)} of the SYNs")
    finally:
        flooder.close()
        s.stop()


def unknown_id_flood(tmp):
    s, torrent, data, target = make_seed(tmp)
    flooder = Flooder(["127.0.0.6"], ports=4)
    try:
        before = rss_kib(s.proc.pid)
        ids = [random.randrange(65536) for _ in range(10_000)]
        start = time.monotonic()
        # 10,000 in about 2 seconds: 100 every 20 ms.
        flooder.send(((n, packet(ST_DATA, cid, seq_nr=cid ^ 0x5A5A, payload=b"x" * 100))
                      for n, cid in enumerate(ids)), target, per_burst=100, pause=0.02)
        sent = time.monotonic()
        time.sleep(1.5)
        resets = [(t, h) for t, _, h in flooder.replies if h.type == ST_RESET]
        others = [h for _, _, h in flooder.replies if h.type != ST_RESET]
        span = (max(t for t, _ in resets) if resets else sent) - start
        # A fixed one-second window: as many windows as the span touches, and the first may
        # have begun before the flood.
        bound = RESETS_PER_SECOND * (math.ceil(span) + 2)
        print(f"     {len(resets)} RESETs for 10,000 packets sent in {sent - start:.1f}s "
              f"(last RESET at {span:.1f}s, bound {bound})", flush=True)
        if not resets:
            raise AssertionError("the seed answered no packet for an unknown connection with a RESET")
        if len(resets) > bound:
            raise AssertionError(f"{len(resets)} RESETs within {span:.1f}s: more than {RESETS_PER_SECOND} a second")
        window = max(sum(1 for u, _ in resets if t <= u < t + 1.0) for t, _ in resets)
        if window > 2 * RESETS_PER_SECOND:
            raise AssertionError(f"{window} RESETs within one second")
        wrong = [h for _, h in resets if h.conn_id not in set(ids) or h.ack_nr != h.conn_id ^ 0x5A5A]
        if wrong or others:
            raise AssertionError(f"replies that do not answer our packets: {wrong[:3]} {others[:3]}")
        check_rss(s.proc.pid, before, "after 10,000 packets for unknown ids")
        still_serves(tmp, s, torrent, data, target, "after the unknown-id flood")
    finally:
        flooder.close()
        s.stop()


SCENARIOS = [
    ("uTP: 1,000 SYNs that go no further; the seed stays up, serves, bounded memory", syn_flood),
    ("uTP: 10,000 packets for unknown ids; RESETs rate-limited, the seed serves", unknown_id_flood),
]


if __name__ == "__main__":
    run_scenarios(SCENARIOS)

"""LEDBAT against a real bottleneck: a sender and a receiver network namespace joined through a
router namespace by veth pairs, the router's link to the receiver shaped to 40 Mbit/s by tbf with
a deep (400 ms) queue. A Shoal seed in the sender, a Shoal leech in the receiver, TCP to the seed
refused by nftables so that uTP carries the download. The figures:
  (i)   ping round trip across the idle link;
  (ii)  a uTP download alone: link use, and the round trip during it (the delay it adds; LEDBAT
        aims at 100 ms of queue, where loss-based TCP fills most of the 400 ms);
  (iii) the same download beside an iperf3 TCP bulk flow started once uTP has settled: the share
        each gets over the flow's run (LEDBAT should step aside, leaving TCP most of the link).
Each phase lasts PHASE_SECONDS; the payload is sized so that the download never finishes first.
The TCP flow uses TCP_CC (default cubic, whatever the machine's default): LEDBAT steps aside for
TCP that fills the queue; against BBR, which keeps queues short, it sees little delay to react to.
Checks only generous bounds: uTP alone uses > 30% of the link; beside it, TCP keeps > 50%.
Run through tests/bench/utp_bottleneck.sh (it makes the outer private namespace that all this is
set up from; needs root, iperf3 and ping)."""
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time

import bench_util

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "interop"))
import netns_util  # noqa: E402

PHASE = bench_util.env_int("PHASE_SECONDS", 20)
TCP_CC = os.environ.get("TCP_CC", "cubic")
RATE_MBIT = 40
SEND_ADDR, RECV_ADDR = "198.51.100.1", "198.51.100.66"  # documentation range (RFC 5737)
# Enough bytes that even a full link for the whole phase, plus its start, never finishes them.
SIZE = (RATE_MBIT * 125_000 * (PHASE + 10) // 2**20 + 1) * 2**20
# The namespace holders, and so the namespaces, go away by themselves after this long.
LIFETIME = 3 * PHASE + 240
STARTED = []  # every process started here, killed on the way out


def start(args, **kw):
    p = subprocess.Popen(args, **kw)
    STARTED.append(p)
    return p


def drain(stream, sink):
    """Reads lines into `sink` as (time, line), so that no child blocks on a full pipe."""
    def read():
        for line in stream:
            sink.append((time.time(), line))
    threading.Thread(target=read, daemon=True).start()


def make_path(sender, router, receiver):
    """sender -- router -- receiver, with the bottleneck on the router's egress to the receiver.
    Not on the sender's own interface: a qdisc on the sending host holds its TCP back through TCP
    small queues (a socket may have only about two packets waiting in it), so beside uTP's queue
    TCP got ~1 Mbit/s whatever the congestion control, a kernel artefact rather than LEDBAT."""
    _, towards_receiver = netns_util.routed_path(sender, router, receiver, SEND_ADDR, RECV_ADDR, prefix="utpb")
    # The bottleneck, only in the direction the payload flows; ACKs come back unshaped.
    router.run("tc", "qdisc", "add", "dev", towards_receiver, "root", "tbf", "rate", f"{RATE_MBIT}mbit", "burst",
               "32kbit", "latency", "400ms")


def start_seed(sender, torrent, data):
    seed_command = bench_util.shoal_seed_command(torrent, data, "--no-dht", "--no-lsd", listen=SEND_ADDR)
    port = bench_util.wait_until_seeding(start(sender.cmd(*seed_command), stdout=subprocess.DEVNULL,
                                               stderr=subprocess.PIPE, text=True))
    # Resets every TCP connection to the seed: the leech's TCP dial fails and it falls back to uTP.
    sender.run("nft", "-f", "-", input=bench_util.nft_rules_refusing_tcp_to_port("utp_bottleneck", port))
    return port


class Leech:
    """A Shoal leech; its --json lines give the bytes downloaded so far, once a second."""

    def __init__(self, receiver, torrent, out, port):
        shutil.rmtree(out, ignore_errors=True)
        get_command = bench_util.shoal_get_command(torrent, out, f"{SEND_ADDR}:{port}", "-v", "--json", "--no-dht",
                                                   "--no-lsd", listen=RECV_ADDR)
        self.proc = start(receiver.cmd(*get_command), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.status, self.log = [], []
        drain(self.proc.stdout, self.status)
        drain(self.proc.stderr, self.log)

    def wait_connected(self):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            for t, line in self.log:
                if re.match(r"peer \S+ connected \(", line):
                    if ", uTP" not in line:
                        raise RuntimeError(f"the transfer was not over uTP: {line.strip()}")
                    return t
            time.sleep(0.05)
        raise RuntimeError(f"the leech did not connect: {[line for _, line in self.log[-5:]]}")

    def bytes_at(self, when):
        """Bytes downloaded at time `when`, interpolated between the once-a-second samples."""
        deadline = time.monotonic() + 5
        while (not self.status or self.status[-1][0] < when) and time.monotonic() < deadline:
            time.sleep(0.1)  # the sample after `when` is still to come
        samples = [(0.0, 0)] + [(t, json.loads(line)["downloaded"]) for t, line in self.status if line.startswith("{")]
        for (t0, b0), (t1, b1) in zip(samples, samples[1:]):
            if t0 <= when <= t1:
                return b0 + (b1 - b0) * (when - t0) / (t1 - t0)
        raise RuntimeError("no status sample around that time (did the leech stop early?)")

    def stop(self):
        if self.proc.poll() is not None and self.proc.returncode != 0:
            raise RuntimeError(f"the leech exited {self.proc.returncode}: {[line for _, line in self.log[-5:]]}")
        self.proc.kill()
        self.proc.wait()


def rtt_median(pings, t0, t1):
    """Median ping round trip in ms over [t0, t1]; ping -D stamps each reply with its time."""
    rtts = [float(m.group(2)) for _, line in pings
            if (m := re.match(r"\[([\d.]+)\].*time=([\d.]+) ms", line)) and t0 <= float(m.group(1)) <= t1]
    if not rtts:
        raise RuntimeError("no ping replies in the window")
    return statistics.median(rtts)


def mbit(bytes_, seconds):
    return bytes_ * 8 / seconds / 1e6


def iperf_flow(sender, receiver):
    """A TCP bulk flow for PHASE seconds; returns (start, end, receiver's bytes, congestion control)."""
    start(receiver.cmd("iperf3", "-s", "-1", "-B", RECV_ADDR), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(20):  # until the server listens
        t0 = time.time()
        r = subprocess.run(sender.cmd("iperf3", "-c", RECV_ADDR, "-t", str(PHASE), "-C", TCP_CC, "-J"),
                           capture_output=True, text=True, timeout=PHASE + 60)
        t1 = time.time()
        result = json.loads(r.stdout) if r.stdout.strip().startswith("{") else {}
        if r.returncode == 0 and "sum_received" in result.get("end", {}):
            return t0, t1, result["end"]["sum_received"]["bytes"], result["end"].get("sender_tcp_congestion", "?")
        time.sleep(0.25)
    raise RuntimeError(f"iperf3 failed: {r.stdout[-300:]} {r.stderr[-300:]}")


def main():
    if not shutil.which("iperf3") or not shutil.which("ping"):
        raise RuntimeError("needs iperf3 and ping (apt-get install iperf3 iputils-ping)")
    with bench_util.scratch_folder() as work:
        return measure_in_namespaces(work)


def measure_in_namespaces(work):
    """Builds the path, starts the seed and the pings, runs the three phases and prints their
    figures; returns 1 if a bound was missed, else 0. Stops all it started on the way out."""
    sender = None
    try:
        data, torrent = bench_util.make_payload_torrent(work, SIZE, "256K")
        out = os.path.join(work, "out")
        sender, router, receiver = (netns_util.Namespace(LIFETIME) for _ in range(3))
        STARTED.extend(ns.holder for ns in (sender, router, receiver))
        make_path(sender, router, receiver)
        port = start_seed(sender, torrent, data)
        print(f"veth through a router, tbf {RATE_MBIT} Mbit/s (burst 32 kbit, latency 400 ms) towards the receiver; "
              f"{PHASE} s phases, {SIZE >> 20} MiB payload", flush=True)

        # Five pings a second from the sender, so that requests queue behind the payload in tbf.
        pings = []
        pinger = start(sender.cmd("ping", "-D", "-n", "-i", "0.2", RECV_ADDR), stdout=subprocess.PIPE, text=True)
        drain(pinger.stdout, pings)
        t0 = time.time()
        time.sleep(5)
        idle = rtt_median(pings, t0, time.time())
        print(f"(i)   idle link:            RTT median {idle:7.2f} ms", flush=True)

        leech = Leech(receiver, torrent, out, port)
        connected = leech.wait_connected()
        time.sleep(PHASE)
        t0, t1 = connected + 3, time.time()  # after slow start
        alone = mbit(leech.bytes_at(t1) - leech.bytes_at(t0), t1 - t0)
        rtt = rtt_median(pings, t0, t1)
        leech.stop()
        print(f"(ii)  uTP alone:            {alone:5.1f} Mbit/s, {alone / RATE_MBIT:4.0%} of the link; "
              f"RTT median {rtt:7.2f} ms (+{rtt - idle:.1f} ms)", flush=True)

        leech = Leech(receiver, torrent, out, port)
        time.sleep(max(0.0, leech.wait_connected() + 3 - time.time()))  # uTP settled at its target delay first
        t0, t1, tcp_bytes, cc = iperf_flow(sender, receiver)
        utp = mbit(leech.bytes_at(t1) - leech.bytes_at(t0), t1 - t0)
        tcp = mbit(tcp_bytes, t1 - t0)
        rtt = rtt_median(pings, t0 + 3, t1)
        leech.stop()
        print(f"(iii) uTP beside TCP ({cc}): uTP {utp:5.1f} Mbit/s ({utp / RATE_MBIT:4.0%} of the link), "
              f"TCP {tcp:5.1f} Mbit/s ({tcp / RATE_MBIT:4.0%}); TCP's share of the two {tcp / (tcp + utp):4.0%}; "
              f"RTT median {rtt:7.2f} ms", flush=True)

        failed = []
        if alone < 0.3 * RATE_MBIT:
            failed.append("uTP alone used 30% of the link or less")
        if tcp < 0.5 * RATE_MBIT:
            failed.append("TCP beside uTP kept 50% of the link or less")
        print("bounds (uTP alone > 30% of the link, TCP beside uTP > 50%):", "; ".join(failed) or "met")
        return 1 if failed else 0
    finally:
        if sender:
            subprocess.run(sender.cmd("nft", "delete", "table", "inet", "utp_bottleneck"), capture_output=True,
                           timeout=30)
        for p in reversed(STARTED):  # the holders last, so that their namespaces empty and go
            if p.poll() is None:
                p.kill()
            p.wait()
        for dev in ("utpb-s", "utpb-ro"):  # left here only if a setup step failed before moving them
            subprocess.run(["ip", "link", "del", dev], capture_output=True, timeout=30)


if __name__ == "__main__":
    bench_util.run_benchmark_main(main, failures=(RuntimeError, subprocess.SubprocessError, OSError))

"""One seed, one leech on loopback: Shoal to Shoal over uTP only, Shoal to Shoal over TCP, and
libtorrent to libtorrent over uTP only. Prints each throughput, the ratios the uTP work aims at,
and the seed's CPU seconds per GiB sent. For the uTP runs nftables refuses TCP to the seed's
port, so the Shoal leech's first (TCP) dial fails and it falls back to uTP; its log must then
show a uTP peer, or the run fails. Run through tests/bench/utp.sh (it makes the network
namespace, and must run as root for nftables)."""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CLI = os.environ["SHOAL_CLI"]
SIZE = int(os.environ.get("SIZE_MIB", "256")) * 1024 * 1024
ROUNDS = int(os.environ.get("ROUNDS", "2"))
TICKS = os.sysconf("SC_CLK_TCK")
# No single download may take longer: even 1 MB/s finishes 256 MiB in time.
LEECH_TIMEOUT = max(120, SIZE // 1_000_000)
NFT_TABLE = "utp_bench"


def cpu_seconds(pid):
    """User and system CPU time of a process so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def refuse_tcp(port):
    """Resets every TCP connection to `port`, so only uTP (UDP) can reach the seed."""
    rules = f"""table inet {NFT_TABLE} {{
        chain input {{ type filter hook input priority 0; tcp dport {port} reject with tcp reset; }}
    }}"""
    subprocess.run(["nft", "-f", "-"], input=rules, text=True, check=True, timeout=10)


def allow_tcp():
    subprocess.run(["nft", "delete", "table", "inet", NFT_TABLE], capture_output=True, timeout=10)


def shoal_seed(transport):
    def start(torrent, data):
        args = [CLI, "seed", torrent, "-d", data, "--listen", "127.0.0.1", "--port", "0", "-v", "--no-dht", "--no-lsd"]
        if transport == "tcp":
            args.append("--no-utp")
        p = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        port = None
        timer = threading.Timer(120, p.kill)  # a seed that never starts must not hang the run
        timer.start()
        for line in p.stderr:
            m = re.match(r"listening on .*:(\d+)", line)
            if m:
                port = m.group(1)
            if line.startswith("state: seeding") and port:
                timer.cancel()
                # Keep draining its log so that it never blocks on a full pipe.
                threading.Thread(target=lambda: [None for _ in p.stderr], daemon=True).start()
                return p, f"127.0.0.1:{port}"
        timer.cancel()
        p.kill()
        p.wait()
        raise RuntimeError("shoal seed did not start")
    return start


def shoal_leech(transport):
    expected = ", uTP" if transport == "utp" else ", TCP"

    def leech(torrent, out, peer):
        args = [CLI, "get", torrent, "-d", out, "--peer", peer, "--listen", "127.0.0.2", "--port", "0", "-v",
                "--no-dht", "--no-lsd"]
        if transport == "tcp":
            args.append("--no-utp")
        start = time.monotonic()
        r = subprocess.run(args, capture_output=True, text=True, timeout=LEECH_TIMEOUT)
        elapsed = time.monotonic() - start
        if r.returncode != 0:
            raise RuntimeError(f"shoal leech exited {r.returncode}: {r.stderr[-300:]}")
        # "peer 127.0.0.1:PORT connected (CLIENT, uTP)": proof of which transport carried it.
        connected = [line for line in r.stderr.splitlines() if re.match(r"peer \S+ connected \(", line)]
        if not connected or not all(expected + ")" in line or expected + "," in line for line in connected):
            raise RuntimeError(f"expected only {expected[2:]} peers, the leech logged: {connected or r.stderr[-300:]}")
        return elapsed
    return leech


def lt_env():
    return dict(os.environ, LT_TRANSPORT="utp")


def lt_seed(torrent, data):
    p = subprocess.Popen([sys.executable, os.path.join(HERE, "libtorrent_node.py"), "seed", torrent, data, "127.0.0.1"],
                         stdout=subprocess.PIPE, text=True, env=lt_env())
    timer = threading.Timer(120, p.kill)  # a seed that never reports its port must not hang the run
    timer.start()
    line = p.stdout.readline()
    timer.cancel()
    if not line.startswith("port "):
        p.kill()
        p.wait()
        raise RuntimeError("libtorrent seed did not start")
    return p, f"127.0.0.1:{line.split()[1]}"


def lt_leech(torrent, out, peer):
    r = subprocess.run([sys.executable, os.path.join(HERE, "libtorrent_node.py"), "leech", torrent, out, "127.0.0.2",
                        peer], capture_output=True, text=True, env=lt_env(), timeout=LEECH_TIMEOUT)
    if r.returncode != 0 or not r.stdout.startswith("seconds "):
        raise RuntimeError(f"libtorrent leech failed: {r.stderr[-300:]}")
    return float(r.stdout.split()[1])


def run(label, start_seed, leech, torrent, data, work, utp_only):
    """Best time of ROUNDS downloads, and the seed's CPU time per GiB over all of them."""
    out = os.path.join(work, "out")
    seed, peer = start_seed(torrent, data)
    seconds = float("inf")
    try:
        if utp_only:
            refuse_tcp(peer.rsplit(":", 1)[1])
        cpu_before = cpu_seconds(seed.pid)
        for _ in range(ROUNDS):
            subprocess.run(["sync"], timeout=120)
            seconds = min(seconds, leech(torrent, out, peer))
            shutil.rmtree(out, ignore_errors=True)
        cpu = (cpu_seconds(seed.pid) - cpu_before) / (ROUNDS * SIZE / 2**30)
    finally:
        if utp_only:
            allow_tcp()
        seed.kill()
        seed.wait()
        shutil.rmtree(out, ignore_errors=True)
    mbps = SIZE / seconds / 1e6
    print(f"{label:40s} {seconds:7.2f} s {mbps:8.1f} MB/s  seed CPU {cpu:6.2f} s/GiB", flush=True)
    return mbps


def main():
    work = tempfile.mkdtemp(dir=os.environ.get("BENCH_DIR"))
    os.environ["XDG_STATE_HOME"] = os.path.join(work, "state")
    allow_tcp()  # a table left by a run that was killed would skew the TCP run
    try:
        data = os.path.join(work, "data")
        os.makedirs(data)
        with open(os.path.join(data, "payload.bin"), "wb") as f:
            f.write(os.urandom(SIZE))
        torrent = os.path.join(work, "payload.torrent")
        subprocess.run([CLI, "create", os.path.join(data, "payload.bin"), "-o", torrent, "-s", "1M"], check=True,
                       capture_output=True, timeout=300)
        print(f"{SIZE >> 20} MiB, hybrid torrent, 1 MiB pieces, loopback, best of {ROUNDS}")
        utp = run("Shoal -> Shoal, uTP (TCP refused)", shoal_seed("utp"), shoal_leech("utp"), torrent, data, work,
                  utp_only=True)
        tcp = run("Shoal -> Shoal, TCP (--no-utp)", shoal_seed("tcp"), shoal_leech("tcp"), torrent, data, work,
                  utp_only=False)
        lt = run("libtorrent -> libtorrent, uTP only", lt_seed, lt_leech, torrent, data, work, utp_only=True)
        print(f"Shoal uTP / libtorrent uTP:                  {utp / lt:.2f} (target >= 3)")
        print(f"Shoal uTP / Shoal TCP:                       {utp / tcp:.2f} (target >= 0.5)")
    finally:
        allow_tcp()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    # A SIGTERM (from timeout, say) unwinds through the finally blocks, so no seed outlives us.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        main()
    except (RuntimeError, subprocess.SubprocessError) as e:
        print(f"FAILED: {e}", file=sys.stderr)
        sys.exit(1)

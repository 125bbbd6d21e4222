"""One seed, one leech, on loopback, side by side in one run: Shoal to Shoal, libtorrent to
libtorrent (TCP) and a libtorrent seed to a Shoal leech. Prints throughput, ratios and each
leech's peak RSS. Run through tests/bench/swarm.sh (it makes the network namespace)."""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CLI = os.environ["SHOAL_CLI"]
SIZE = int(os.environ.get("SIZE_MIB", "1024")) * 1024 * 1024


def start_shoal_seed(torrent, data):
    p = subprocess.Popen([CLI, "seed", torrent, "-d", data, "--listen", "127.0.0.1", "--port", "0", "-v"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    port = None
    for line in p.stderr:  # ready once it has checked its data, as the libtorrent seed is
        m = re.match(r"listening on .*:(\d+)", line)
        if m:
            port = m.group(1)
        if line.startswith("state: seeding") and port:
            return p, f"127.0.0.1:{port}"
    raise RuntimeError("shoal seed did not start")


def start_lt_seed(torrent, data):
    p = subprocess.Popen([sys.executable, os.path.join(HERE, "libtorrent_node.py"), "seed", torrent, data, "127.0.0.1"],
                         stdout=subprocess.PIPE, text=True)
    port = p.stdout.readline().split()[1]
    return p, f"127.0.0.1:{port}"


def shoal_leech(torrent, out, peer):
    start = time.monotonic()
    r = subprocess.run(["/usr/bin/time", "-f", "%M", CLI, "get", torrent, "-d", out, "--peer", peer,
                        "--listen", "127.0.0.2", "--port", "0"], capture_output=True, text=True)
    elapsed = time.monotonic() - start
    if r.returncode != 0:
        raise RuntimeError(f"shoal leech failed: {r.stderr[-300:]}")
    return elapsed, int(r.stderr.strip().splitlines()[-1])


def lt_leech(torrent, out, peer):
    r = subprocess.run([sys.executable, os.path.join(HERE, "libtorrent_node.py"), "leech", torrent, out, "127.0.0.2", peer],
                       capture_output=True, text=True)
    fields = r.stdout.split()
    return float(fields[1]), int(fields[3])


ROUNDS = int(os.environ.get("ROUNDS", "3"))


def run(label, start_seed, leech, torrent, data, work):
    """Best time of ROUNDS downloads (the machine is shared and noisy), largest peak RSS."""
    out = os.path.join(work, "out")
    seed, peer = start_seed(torrent, data)
    seconds, kib = float("inf"), 0
    try:
        for _ in range(ROUNDS):
            subprocess.run(["sync"])
            s, k = leech(torrent, out, peer)
            seconds, kib = min(seconds, s), max(kib, k)
            shutil.rmtree(out, ignore_errors=True)
    finally:
        seed.kill()
        seed.wait()
        shutil.rmtree(out, ignore_errors=True)
    mbps = SIZE / seconds / 1e6
    print(f"{label:34s} {seconds:7.2f} s {mbps:8.1f} MB/s  leech peak RSS {kib / 1024:7.1f} MiB", flush=True)
    return mbps, kib


def main():
    work = tempfile.mkdtemp(dir=os.environ.get("BENCH_DIR"))
    os.environ["XDG_STATE_HOME"] = os.path.join(work, "state")
    try:
        data = os.path.join(work, "data")
        os.makedirs(data)
        with open(os.path.join(data, "payload.bin"), "wb") as f:
            f.write(os.urandom(SIZE))
        torrent = os.path.join(work, "payload.torrent")
        subprocess.run([CLI, "create", os.path.join(data, "payload.bin"), "-o", torrent, "-s", "1M"], check=True,
                       capture_output=True)
        print(f"{SIZE >> 20} MiB, hybrid torrent, 1 MiB pieces, loopback TCP, best of {ROUNDS}")
        shoal, shoal_kib = run("Shoal seed -> Shoal leech", start_shoal_seed, shoal_leech, torrent, data, work)
        lt, lt_kib = run("libtorrent -> libtorrent", start_lt_seed, lt_leech, torrent, data, work)
        mixed, mixed_kib = run("libtorrent seed -> Shoal leech", start_lt_seed, shoal_leech, torrent, data, work)
        print(f"Shoal->Shoal / libtorrent->libtorrent throughput: {shoal / lt:.2f} (target >= 1.5)")
        print(f"libtorrent->Shoal / libtorrent->libtorrent:       {mixed / lt:.2f}")
        print(f"Shoal leech peak RSS: {max(shoal_kib, mixed_kib) / 1024:.1f} MiB (target < 128 MiB)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

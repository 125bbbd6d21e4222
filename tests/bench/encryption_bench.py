"""One seed, one leech on loopback: Shoal to Shoal plain, Shoal to Shoal with
--encryption require (MSE with RC4), and libtorrent to libtorrent with forced RC4. Prints each
throughput, the ratios the encryption work aims at, and the seed's CPU seconds per GiB sent.
Run through tests/bench/encryption.sh (it makes the network namespace)."""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CLI = os.environ["SHOAL_CLI"]
SIZE = int(os.environ.get("SIZE_MIB", "256")) * 1024 * 1024
ROUNDS = int(os.environ.get("ROUNDS", "2"))
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    """User and system CPU time of a process so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def shoal_seed(encryption):
    def start(torrent, data):
        p = subprocess.Popen([CLI, "seed", torrent, "-d", data, "--listen", "127.0.0.1", "--port", "0", "-v",
                              "--encryption", encryption],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        port = None
        for line in p.stderr:
            m = re.match(r"listening on .*:(\d+)", line)
            if m:
                port = m.group(1)
            if line.startswith("state: seeding") and port:
                # Keep draining its log so that it never blocks on a full pipe.
                subprocess.Popen(["cat"], stdin=p.stderr, stdout=subprocess.DEVNULL)
                return p, f"127.0.0.1:{port}"
        raise RuntimeError("shoal seed did not start")
    return start


def shoal_leech(encryption):
    def leech(torrent, out, peer):
        start = time.monotonic()
        r = subprocess.run([CLI, "get", torrent, "-d", out, "--peer", peer, "--listen", "127.0.0.2", "--port", "0",
                            "--encryption", encryption], capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"shoal leech failed: {r.stderr[-300:]}")
        return time.monotonic() - start
    return leech


def lt_env():
    return dict(os.environ, LT_ENCRYPTION="forced")


def lt_seed(torrent, data):
    p = subprocess.Popen([sys.executable, os.path.join(HERE, "libtorrent_node.py"), "seed", torrent, data, "127.0.0.1"],
                         stdout=subprocess.PIPE, text=True, env=lt_env())
    port = p.stdout.readline().split()[1]
    return p, f"127.0.0.1:{port}"


def lt_leech(torrent, out, peer):
    r = subprocess.run([sys.executable, os.path.join(HERE, "libtorrent_node.py"), "leech", torrent, out, "127.0.0.2",
                        peer], capture_output=True, text=True, env=lt_env())
    return float(r.stdout.split()[1])


def run(label, start_seed, leech, torrent, data, work):
    """Best time of ROUNDS downloads, and the seed's CPU time per GiB over all of them."""
    out = os.path.join(work, "out")
    seed, peer = start_seed(torrent, data)
    seconds = float("inf")
    try:
        cpu_before = cpu_seconds(seed.pid)
        for _ in range(ROUNDS):
            subprocess.run(["sync"])
            seconds = min(seconds, leech(torrent, out, peer))
            shutil.rmtree(out, ignore_errors=True)
        cpu = (cpu_seconds(seed.pid) - cpu_before) / (ROUNDS * SIZE / 2**30)
    finally:
        seed.kill()
        seed.wait()
        shutil.rmtree(out, ignore_errors=True)
    mbps = SIZE / seconds / 1e6
    print(f"{label:40s} {seconds:7.2f} s {mbps:8.1f} MB/s  seed CPU {cpu:6.2f} s/GiB", flush=True)
    return mbps


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
        plain = run("Shoal -> Shoal, plain (disable)", shoal_seed("disable"), shoal_leech("disable"), torrent, data,
                    work)
        rc4 = run("Shoal -> Shoal, MSE RC4 (require)", shoal_seed("require"), shoal_leech("require"), torrent, data,
                  work)
        lt = run("libtorrent -> libtorrent, forced RC4", lt_seed, lt_leech, torrent, data, work)
        print(f"Shoal encrypted / Shoal plain:               {rc4 / plain:.2f} (target >= 0.85)")
        print(f"Shoal encrypted / libtorrent encrypted:      {rc4 / lt:.2f} (target >= 1.5)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

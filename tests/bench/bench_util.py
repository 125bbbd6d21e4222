"""Shared by the loopback benchmarks in this folder (utp_bench, encryption_bench, swarm_bench,
hostile_bench, utp_bottleneck): the scratch folder and payload torrent, shoal-cli and
libtorrent_node.py seeds and leeches, timed rounds of downloads from one seed, the seed's CPU
time, and the way a benchmark exits. The benchmarks run inside a network namespace that their
.sh wrapper makes; nothing here makes one. SHOAL_CLI names the shoal-cli binary."""
import contextlib
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration", "swarm"))
from swarm_util import create  # noqa: E402

CLI = os.environ["SHOAL_CLI"]
LIBTORRENT_NODE = os.path.join(HERE, "libtorrent_node.py")
TICKS = os.sysconf("SC_CLK_TCK")
SEED_START_TIMEOUT = 120


def env_int(name, default):
    return int(os.environ.get(name, str(default)))


def payload_size_from_env(default_mib):
    """SIZE_MIB from the environment (or `default_mib`), in bytes."""
    return env_int("SIZE_MIB", default_mib) * 1024 * 1024


@contextlib.contextmanager
def scratch_folder():
    """A fresh folder under BENCH_DIR (or the system's temporary folder) that also holds the
    clients' resume data (XDG_STATE_HOME); removed on the way out."""
    work = tempfile.mkdtemp(dir=os.environ.get("BENCH_DIR"))
    os.environ["XDG_STATE_HOME"] = os.path.join(work, "state")
    try:
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)


def write_random_payload(path, size, seed=None):
    """`size` random bytes: from os.urandom, or, given a `seed`, the same bytes every run
    (written a MiB at a time)."""
    with open(path, "wb") as f:
        if seed is None:
            f.write(os.urandom(size))
            return
        rng = random.Random(seed)
        for _ in range(size // (1 << 20)):
            f.write(rng.randbytes(1 << 20))


def make_payload_torrent(work, size, piece_size, seed=None):
    """`work`/data/payload.bin of `size` random bytes and a hybrid torrent of it with pieces of
    `piece_size` (shoal-cli's -s: "1M", "256K", a number of bytes); returns the data folder and
    the torrent's path."""
    data = os.path.join(work, "data")
    os.makedirs(data)
    payload = os.path.join(data, "payload.bin")
    write_random_payload(payload, size, seed)
    torrent = os.path.join(work, "payload.torrent")
    create(payload, torrent, "-s", str(piece_size))
    return data, torrent


def cpu_seconds(pid):
    """User and system CPU time of a process so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def nft_rules_refusing_tcp_to_port(table, port):
    """An nftables table that resets every TCP connection to `port`, so that only uTP (UDP) can
    reach a client listening there."""
    return f"""table inet {table} {{
        chain input {{ type filter hook input priority 0; tcp dport {port} reject with tcp reset; }}
    }}"""


def shoal_seed_command(torrent, data, *options, listen="127.0.0.1"):
    """shoal-cli seeding `torrent` from `data` on a port of its choosing; -v, as
    wait_until_seeding reads the log."""
    return [CLI, "seed", torrent, "-d", data, "--listen", listen, "--port", "0", "-v", *options]


def wait_until_seeding(proc):
    """The port a shoal-cli seed (started with stderr piped, as text) listens on, once it has
    checked its data and seeds. Its log is drained from then on so that it never blocks on a
    full pipe. Kills it and raises RuntimeError if it does not get there within
    SEED_START_TIMEOUT seconds."""
    timer = threading.Timer(SEED_START_TIMEOUT, proc.kill)
    timer.start()
    port = None
    try:
        for line in proc.stderr:
            m = re.match(r"listening on .*:(\d+)", line)
            if m:
                port = m.group(1)
            if line.startswith("state: seeding") and port:
                threading.Thread(target=lambda: [None for _ in proc.stderr], daemon=True).start()
                return port
    finally:
        timer.cancel()
    proc.kill()
    proc.wait()
    raise RuntimeError("shoal seed did not start")


def start_shoal_seed(torrent, data, *options, listen="127.0.0.1"):
    """A shoal-cli seed that has checked its data: (process, "address:port")."""
    proc = subprocess.Popen(shoal_seed_command(torrent, data, *options, listen=listen), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    return proc, f"{listen}:{wait_until_seeding(proc)}"


def shoal_get_command(torrent, out, peer, *options, listen="127.0.0.2"):
    return [CLI, "get", torrent, "-d", out, "--peer", peer, "--listen", listen, "--port", "0", *options]


def timed_shoal_get(torrent, out, peer, *options, listen="127.0.0.2", prefix=(), timeout=None):
    """Downloads `torrent` into `out` from `peer` alone with shoal-cli (run under `prefix`, a
    command such as /usr/bin/time, if given); returns the seconds it took and the finished
    process (its output captured as text). Raises RuntimeError if it fails."""
    start = time.monotonic()
    r = subprocess.run([*prefix, *shoal_get_command(torrent, out, peer, *options, listen=listen)],
                       capture_output=True, text=True, timeout=timeout)
    elapsed = time.monotonic() - start
    if r.returncode != 0:
        raise RuntimeError(f"shoal leech exited {r.returncode}: {r.stderr[-300:]}")
    return elapsed, r


def start_libtorrent_seed(torrent, data, env=None):
    """A libtorrent_node.py seed on 127.0.0.1 (`env` picks its transport and encryption):
    (process, "127.0.0.1:port"), once it seeds."""
    p = subprocess.Popen([sys.executable, LIBTORRENT_NODE, "seed", torrent, data, "127.0.0.1"],
                         stdout=subprocess.PIPE, text=True, env=env)
    timer = threading.Timer(SEED_START_TIMEOUT, p.kill)  # a seed that never reports its port must not hang the run
    timer.start()
    line = p.stdout.readline()
    timer.cancel()
    if not line.startswith("port "):
        p.kill()
        p.wait()
        raise RuntimeError("libtorrent seed did not start")
    return p, f"127.0.0.1:{line.split()[1]}"


def libtorrent_get(torrent, out, peer, env=None, timeout=None):
    """Downloads `torrent` into `out` from `peer` with a libtorrent_node.py leech on 127.0.0.2;
    returns the seconds it took and the leech's peak RSS in KiB."""
    r = subprocess.run([sys.executable, LIBTORRENT_NODE, "leech", torrent, out, "127.0.0.2", peer],
                       capture_output=True, text=True, env=env, timeout=timeout)
    if r.returncode != 0 or not r.stdout.startswith("seconds "):
        raise RuntimeError(f"libtorrent leech failed: {r.stderr[-300:]}")
    fields = r.stdout.split()
    return float(fields[1]), int(fields[3])


@contextlib.contextmanager
def running_seed(start_seed, torrent, data):
    """start_seed(torrent, data) -> (process, peer); yields both, and kills the seed on the way out."""
    seed, peer = start_seed(torrent, data)
    try:
        yield seed, peer
    finally:
        seed.kill()
        seed.wait()


def download_rounds(leech, torrent, out, peer, rounds):
    """leech(torrent, out, peer) `rounds` times, each after a sync and into an empty `out`
    (removed again afterwards); returns what each round returned."""
    results = []
    try:
        for _ in range(rounds):
            subprocess.run(["sync"], timeout=120)
            results.append(leech(torrent, out, peer))
            shutil.rmtree(out, ignore_errors=True)
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return results


def best_time_and_seed_cpu(label, start_seed, leech, torrent, data, work, rounds, size, on_seed_ready=None):
    """Best time of `rounds` downloads of `size` bytes from one seed (leech returns seconds), and
    the seed's CPU time per GiB sent over all of them; prints them on one line and returns the
    best throughput in MB/s. on_seed_ready(peer), if given, runs once the seed is up."""
    with running_seed(start_seed, torrent, data) as (seed, peer):
        if on_seed_ready:
            on_seed_ready(peer)
        cpu_before = cpu_seconds(seed.pid)
        seconds = min(download_rounds(leech, torrent, os.path.join(work, "out"), peer, rounds),
                      default=float("inf"))
        cpu = (cpu_seconds(seed.pid) - cpu_before) / (rounds * size / 2**30)
    mbps = size / seconds / 1e6
    print(f"{label:40s} {seconds:7.2f} s {mbps:8.1f} MB/s  seed CPU {cpu:6.2f} s/GiB", flush=True)
    return mbps


def run_benchmark_main(main, failures=(RuntimeError, subprocess.SubprocessError)):
    """Exits with main()'s return value; on one of `failures`, prints "FAILED: ..." and exits 1.
    A SIGTERM (from timeout, say) unwinds through the finally blocks, so no child outlives us."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        sys.exit(main())
    except failures as e:
        print(f"FAILED: {e}", file=sys.stderr)
        sys.exit(1)

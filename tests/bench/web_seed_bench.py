"""Downloads from one nginx web seed, no peers: shoal-cli get against a libtorrent leech
(libtorrent_node.py), each timed as a whole process, best of ROUNDS (default 3). Prints both
throughputs, the ratio against the target (1.5x libtorrent) and each one's peak RSS. Run by
web_seed.sh inside a private network namespace."""
import filecmp
import os
import shutil
import subprocess
import sys
import time

import bench_util

sys.path.insert(0, os.path.join(bench_util.HERE, "..", "integration", "web_seed"))
from nginx_seed import HTTP, Nginx  # noqa: E402

TARGET = 1.5


def timed(command):
    """Runs `command`; its wall seconds and peak RSS in KiB. Raises if it fails."""
    start = time.monotonic()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.monotonic() - start
    if status != 0:
        raise RuntimeError(f"{command[:3]} failed ({status}): {proc.stderr.read()[-300:]}")
    return elapsed, usage.ru_maxrss


def main():
    size = bench_util.payload_size_from_env(256)
    rounds = bench_util.env_int("ROUNDS", 3)
    with bench_util.scratch_folder() as work:
        data = os.path.join(work, "data")
        os.makedirs(data)
        payload = os.path.join(data, "payload.bin")
        bench_util.write_random_payload(payload, size, seed=7)
        torrent = os.path.join(work, "payload.torrent")
        bench_util.create(payload, torrent, "--v1", "-s", "1M", "-w", f"{HTTP}/data/")
        nginx = Nginx(os.path.join(work, "nginx"), {"data": data})
        out = os.path.join(work, "out")
        shoal = [bench_util.CLI, "get", torrent, "-d", out, "--listen", "127.0.0.3", "--port", "0", "--no-dht",
                 "--no-lsd", "--no-port-mapping", "--state-dir", ""]
        libtorrent = [sys.executable, bench_util.LIBTORRENT_NODE, "leech", torrent, out, "127.0.0.3", "none"]
        results = {}
        try:
            for name, command in (("shoal", shoal), ("libtorrent", libtorrent)):
                runs = []
                for _ in range(rounds):
                    subprocess.run(["sync"], timeout=120)
                    runs.append(timed(command))
                    if not filecmp.cmp(payload, os.path.join(out, "payload.bin"), shallow=False):
                        raise RuntimeError(f"{name} did not download the payload")
                    shutil.rmtree(out, ignore_errors=True)
                results[name] = (min(r[0] for r in runs), max(r[1] for r in runs))
        finally:
            nginx.stop()
    mb = size / 1e6
    for name, (seconds, rss) in results.items():
        print(f"{name:10s} {mb / seconds:8.1f} MB/s  best of {rounds}: {seconds:.2f} s  peak RSS {rss / 1024:.1f} MiB")
    ratio = results["libtorrent"][0] / results["shoal"][0]
    verdict = "met" if ratio >= TARGET else "missed"
    print(f"shoal/libtorrent throughput: {ratio:.2f}x (target {TARGET}x: {verdict})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""A Shoal seed under attack, against itself unattacked in the same run: the honest libtorrent
leech's throughput and the seed's peak RSS, first with the seed alone, then with attackers:
  - peers that ask for v2 hashes (49 bytes for a 16 KiB answer) and never read,
  - 1,000 connections that never send a handshake,
  - peers that flood requests while choked and read the rejects.
Targets: the seed's peak RSS grows by less than 100 MiB, and the honest leech gets at least
half its unattacked throughput. Run through tests/bench/hostile.sh (it makes the namespace)."""
import os
import random
import re
import resource
import shutil
import socket
import threading
import time

import bench_util
from swarm_util import read_exact, show  # bench_util puts tests/integration/swarm on the path

SIZE = bench_util.payload_size_from_env(256)
PIECE = 32 * 1024


def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
    except OSError:
        return 0


class Seed:
    def __init__(self, torrent, data):
        self.proc, address = bench_util.start_shoal_seed(torrent, data, "--no-dht", "--no-lsd")
        self.port = int(address.rsplit(":", 1)[1])
        self.peak = rss_kib(self.proc.pid)
        self.start_rss = self.peak
        self.watching = True
        threading.Thread(target=self._watch, daemon=True).start()

    def _watch(self):
        while self.watching:
            self.peak = max(self.peak, rss_kib(self.proc.pid))
            time.sleep(0.05)

    def stop(self):
        self.watching = False
        self.proc.kill()
        self.proc.wait()


def handshake(address, port, info_hash, reserved):
    c = socket.socket()
    c.settimeout(10)
    c.bind((address, 0))
    c.connect(("127.0.0.1", port))
    c.sendall(b"\x13BitTorrent protocol" + reserved + info_hash + os.urandom(20))
    read_exact(c, 68)
    return c


class Attack:
    def __init__(self, port, info_hash, root, num_pieces):
        self.stop = threading.Event()
        self.sockets = []
        self.threads = []
        self.counts = {"hash requests": 0, "idle": 0, "choked requests": 0}
        for i in range(4):
            self._spawn(self._hash_flood, port, info_hash, root, f"127.0.2.{i + 1}")
        for i in range(4):
            self._spawn(self._choked_flood, port, info_hash, num_pieces, f"127.0.3.{i + 1}")
        for i in range(1000):
            try:
                c = socket.create_connection(("127.0.0.1", port), source_address=(f"127.0.4.{i % 250 + 1}", 0),
                                             timeout=2)
                self.sockets.append(c)
                self.counts["idle"] += 1
            except OSError:
                pass

    def _spawn(self, target, *args):
        t = threading.Thread(target=target, args=args, daemon=True)
        t.start()
        self.threads.append(t)

    def _hash_flood(self, port, info_hash, root, address):
        request = (49).to_bytes(4, "big") + b"\x15" + root + (1).to_bytes(4, "big") + bytes(4) + \
            (512).to_bytes(4, "big") + bytes(4)
        while not self.stop.is_set():
            try:
                c = handshake(address, port, info_hash, bytes([0, 0, 0, 0, 0, 0x10, 0, 0x14]))
                c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
                while not self.stop.is_set():
                    c.sendall(request * 100)
                    self.counts["hash requests"] += 100
            except OSError:
                time.sleep(0.2)  # closed by the seed: come back

    def _choked_flood(self, port, info_hash, num_pieces, address):
        while not self.stop.is_set():
            try:
                c = handshake(address, port, info_hash, bytes([0, 0, 0, 0, 0, 0, 0, 0x04]))
                c.settimeout(0.01)
                while not self.stop.is_set():
                    batch = b"".join((13).to_bytes(4, "big") + b"\x06" +
                                     random.randrange(num_pieces).to_bytes(4, "big") + bytes(4) +
                                     (16384).to_bytes(4, "big") for _ in range(200))
                    c.sendall(batch)
                    self.counts["choked requests"] += 200
                    try:
                        while c.recv(1 << 16):
                            pass
                    except (socket.timeout, BlockingIOError):
                        pass
            except OSError:
                time.sleep(0.2)

    def end(self):
        self.stop.set()
        for c in self.sockets:
            c.close()


def honest_leech(torrent, out, port):
    return bench_util.libtorrent_get(torrent, out, f"127.0.0.1:{port}", timeout=600)[0]


def main():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    with bench_util.scratch_folder() as work:
        data, torrent = bench_util.make_payload_torrent(work, SIZE, PIECE, seed=3)
        info_hash = bytes.fromhex(show(torrent)["info_hash_v1"])
        with open(torrent, "rb") as f:
            root = re.search(rb"11:pieces root32:(.{32})", f.read(), re.S).group(1)
        num_pieces = SIZE // PIECE

        results = {}
        for attacked in (False, True):
            seed = Seed(torrent, data)
            attack = Attack(seed.port, info_hash, root, num_pieces) if attacked else None
            time.sleep(2 if attacked else 0)
            out = os.path.join(work, "out")
            seconds = honest_leech(torrent, out, seed.port)
            shutil.rmtree(out, ignore_errors=True)
            alive = seed.proc.poll() is None
            seed.stop()
            if attack:
                attack.end()
            grew = (seed.peak - seed.start_rss) / 1024
            label = "with attackers" if attacked else "alone"
            print(f"{label:15s} honest leech {SIZE / seconds / 1e6:8.1f} MB/s ({seconds:.2f} s)  "
                  f"seed peak RSS {seed.peak / 1024:6.1f} MiB (+{grew:.1f} MiB){'' if alive else '  SEED DIED'}",
                  flush=True)
            if attack:
                print(f"{'':15s} attackers sent: {attack.counts}", flush=True)
            results[attacked] = (SIZE / seconds, grew)
        ratio = results[True][0] / results[False][0]
        print(f"throughput under attack / alone: {ratio:.2f} (target >= 0.5); "
              f"seed RSS growth under attack: {results[True][1]:.1f} MiB (target < 100)")


if __name__ == "__main__":
    main()

"""One seed, one leech, on loopback, side by side in one run: Shoal to Shoal, libtorrent to
libtorrent (TCP) and a libtorrent seed to a Shoal leech. Prints throughput, ratios and each
leech's peak RSS. Run through tests/bench/swarm.sh (it makes the network namespace)."""
import os

import bench_util
from bench_util import libtorrent_get, start_libtorrent_seed, start_shoal_seed

SIZE = bench_util.payload_size_from_env(1024)
ROUNDS = bench_util.env_int("ROUNDS", 3)


def shoal_leech(torrent, out, peer):
    """Seconds and peak RSS in KiB, the latter as /usr/bin/time reports it on the last line."""
    elapsed, r = bench_util.timed_shoal_get(torrent, out, peer, prefix=["/usr/bin/time", "-f", "%M"])
    return elapsed, int(r.stderr.strip().splitlines()[-1])


def run(label, start_seed, leech, torrent, data, work):
    """Best time of ROUNDS downloads (the machine is shared and noisy), largest peak RSS."""
    out = os.path.join(work, "out")
    with bench_util.running_seed(start_seed, torrent, data) as (_, peer):
        rounds = bench_util.download_rounds(leech, torrent, out, peer, ROUNDS)
    seconds = min((s for s, _ in rounds), default=float("inf"))
    kib = max((k for _, k in rounds), default=0)
    mbps = SIZE / seconds / 1e6
    print(f"{label:34s} {seconds:7.2f} s {mbps:8.1f} MB/s  leech peak RSS {kib / 1024:7.1f} MiB", flush=True)
    return mbps, kib


def main():
    with bench_util.scratch_folder() as work:
        data, torrent = bench_util.make_payload_torrent(work, SIZE, "1M")
        print(f"{SIZE >> 20} MiB, hybrid torrent, 1 MiB pieces, loopback TCP, best of {ROUNDS}")
        shoal, shoal_kib = run("Shoal seed -> Shoal leech", start_shoal_seed, shoal_leech, torrent, data, work)
        lt, lt_kib = run("libtorrent -> libtorrent", start_libtorrent_seed, libtorrent_get, torrent, data, work)
        mixed, mixed_kib = run("libtorrent seed -> Shoal leech", start_libtorrent_seed, shoal_leech, torrent, data,
                               work)
        print(f"Shoal->Shoal / libtorrent->libtorrent throughput: {shoal / lt:.2f} (target >= 1.5)")
        print(f"libtorrent->Shoal / libtorrent->libtorrent:       {mixed / lt:.2f}")
        print(f"Shoal leech peak RSS: {max(shoal_kib, mixed_kib) / 1024:.1f} MiB (target < 128 MiB)")


if __name__ == "__main__":
    main()

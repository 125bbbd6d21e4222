"""One seed, one leech on loopback: Shoal to Shoal plain, Shoal to Shoal with
--encryption require (MSE with RC4), and libtorrent to libtorrent with forced RC4. Prints each
throughput, the ratios the encryption work aims at, and the seed's CPU seconds per GiB sent.
Run through tests/bench/encryption.sh (it makes the network namespace)."""
import os

import bench_util

SIZE = bench_util.payload_size_from_env(256)
ROUNDS = bench_util.env_int("ROUNDS", 2)
LIBTORRENT_ENV = dict(os.environ, LT_ENCRYPTION="forced")


def shoal_seed(encryption):
    return lambda torrent, data: bench_util.start_shoal_seed(torrent, data, "--encryption", encryption)


def shoal_leech(encryption):
    return lambda torrent, out, peer: bench_util.timed_shoal_get(torrent, out, peer, "--encryption", encryption)[0]


def lt_seed(torrent, data):
    return bench_util.start_libtorrent_seed(torrent, data, env=LIBTORRENT_ENV)


def lt_leech(torrent, out, peer):
    return bench_util.libtorrent_get(torrent, out, peer, env=LIBTORRENT_ENV)[0]


def run(label, start_seed, leech, torrent, data, work):
    """Best time of ROUNDS downloads, and the seed's CPU time per GiB over all of them."""
    return bench_util.best_time_and_seed_cpu(label, start_seed, leech, torrent, data, work, ROUNDS, SIZE)


def main():
    with bench_util.scratch_folder() as work:
        data, torrent = bench_util.make_payload_torrent(work, SIZE, "1M")
        print(f"{SIZE >> 20} MiB, hybrid torrent, 1 MiB pieces, loopback TCP, best of {ROUNDS}")
        plain = run("Shoal -> Shoal, plain (disable)", shoal_seed("disable"), shoal_leech("disable"), torrent, data,
                    work)
        rc4 = run("Shoal -> Shoal, MSE RC4 (require)", shoal_seed("require"), shoal_leech("require"), torrent, data,
                  work)
        lt = run("libtorrent -> libtorrent, forced RC4", lt_seed, lt_leech, torrent, data, work)
        print(f"Shoal encrypted / Shoal plain:               {rc4 / plain:.2f} (target >= 0.85)")
        print(f"Shoal encrypted / libtorrent encrypted:      {rc4 / lt:.2f} (target >= 1.5)")


if __name__ == "__main__":
    main()

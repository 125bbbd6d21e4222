"""One seed, one leech on loopback: Shoal to Shoal over uTP only, Shoal to Shoal over TCP, and
libtorrent to libtorrent over uTP only. Prints each throughput, the ratios the uTP work aims at,
and the seed's CPU seconds per GiB sent. For the uTP runs nftables refuses TCP to the seed's
port, so the Shoal leech's first (TCP) dial fails and it falls back to uTP; its log must then
show a uTP peer, or the run fails. Run through tests/bench/utp.sh (it makes the network
namespace, and must run as root for nftables)."""
import os
import re
import subprocess

import bench_util

SIZE = bench_util.payload_size_from_env(256)
ROUNDS = bench_util.env_int("ROUNDS", 2)
# No single download may take longer: even 1 MB/s finishes 256 MiB in time.
LEECH_TIMEOUT = max(120, SIZE // 1_000_000)
NFT_TABLE = "utp_bench"
LIBTORRENT_ENV = dict(os.environ, LT_TRANSPORT="utp")


def refuse_tcp(port):
    """Resets every TCP connection to `port`, so only uTP (UDP) can reach the seed."""
    rules = bench_util.nft_rules_refusing_tcp_to_port(NFT_TABLE, port)
    subprocess.run(["nft", "-f", "-"], input=rules, text=True, check=True, timeout=10)


def allow_tcp():
    subprocess.run(["nft", "delete", "table", "inet", NFT_TABLE], capture_output=True, timeout=10)


def shoal_options(transport):
    return ["--no-dht", "--no-lsd"] + (["--no-utp"] if transport == "tcp" else [])


def shoal_seed(transport):
    return lambda torrent, data: bench_util.start_shoal_seed(torrent, data, *shoal_options(transport))


def shoal_leech(transport):
    expected = ", uTP" if transport == "utp" else ", TCP"

    def leech(torrent, out, peer):
        elapsed, r = bench_util.timed_shoal_get(torrent, out, peer, "-v", *shoal_options(transport),
                                                timeout=LEECH_TIMEOUT)
        # "peer 127.0.0.1:PORT connected (CLIENT, uTP)": proof of which transport carried it.
        connected = [line for line in r.stderr.splitlines() if re.match(r"peer \S+ connected \(", line)]
        if not connected or not all(expected + ")" in line or expected + "," in line for line in connected):
            raise RuntimeError(f"expected only {expected[2:]} peers, the leech logged: {connected or r.stderr[-300:]}")
        return elapsed
    return leech


def lt_seed(torrent, data):
    return bench_util.start_libtorrent_seed(torrent, data, env=LIBTORRENT_ENV)


def lt_leech(torrent, out, peer):
    return bench_util.libtorrent_get(torrent, out, peer, env=LIBTORRENT_ENV, timeout=LEECH_TIMEOUT)[0]


def run(label, start_seed, leech, torrent, data, work, utp_only):
    """Best time of ROUNDS downloads, and the seed's CPU time per GiB over all of them."""
    refuse_tcp_to_seed = (lambda peer: refuse_tcp(peer.rsplit(":", 1)[1])) if utp_only else None
    try:
        return bench_util.best_time_and_seed_cpu(label, start_seed, leech, torrent, data, work, ROUNDS, SIZE,
                                                 on_seed_ready=refuse_tcp_to_seed)
    finally:
        if utp_only:
            allow_tcp()


def main():
    with bench_util.scratch_folder() as work:
        allow_tcp()  # a table left by a run that was killed would skew the TCP run
        try:
            data, torrent = bench_util.make_payload_torrent(work, SIZE, "1M")
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


if __name__ == "__main__":
    bench_util.run_benchmark_main(main)

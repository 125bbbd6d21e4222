"""Two Shoals over uTP on a bad path, in a private network namespace (netns_run.sh). The
kernel's netem qdisc is not always there, so the path is a UDP relay (utp_wire.UdpRelay)
that drops, reorders and duplicates datagrams both ways; nftables refuses TCP to the relay
and drops anything the two Shoals send each other directly, so every byte of the download
crosses the relay over uTP. The file must come out byte-identical."""
import os
import subprocess

from swarm_util import create, get, run_scenarios, same_file, seed, write_random
from utp_wire import UdpRelay

MiB = 1024 * 1024
SEED, LEECH, RELAY = "127.0.0.1", "127.0.0.3", "127.0.0.4"


def block_direct_paths(relay_port):
    rules = f"""table inet shoal_lossy {{
        chain input {{
            type filter hook input priority 0;
            tcp dport {relay_port} reject with tcp reset;
            ip saddr {LEECH} ip daddr {SEED} drop;
            ip saddr {SEED} ip daddr {LEECH} drop;
        }}
    }}"""
    subprocess.run(["nft", "-f", "-"], input=rules, text=True, check=True)


def unblock():
    subprocess.run(["nft", "delete", "table", "inet", "shoal_lossy"], check=False, stderr=subprocess.DEVNULL)


def download_through(tmp, name, size, timeout, **impairments):
    data = os.path.join(tmp, "data")
    write_random(os.path.join(data, name, "file.bin"), size, seed=size)
    torrent = os.path.join(tmp, f"{name}.torrent")
    create(os.path.join(data, name), torrent, "-s", "64K")
    s = seed(torrent, data, listen=SEED)
    host, port = s.address().split(":")
    relay = UdpRelay(RELAY, (host, int(port)), **impairments)
    block_direct_paths(relay.address[1])
    leech = None
    try:
        out = os.path.join(tmp, "out")
        leech = get(torrent, out, [f"{RELAY}:{relay.address[1]}"], listen=LEECH)
        code = leech.wait(timeout)
        if code != 0:
            raise AssertionError(f"the leech exited {code}: {leech.log[-8:]}")
        if not same_file(os.path.join(data, name, "file.bin"), os.path.join(out, name, "file.bin")):
            raise AssertionError(f"{name}/file.bin differs")
        if not any(line.startswith(f"peer {RELAY}:") and ", uTP" in line for line in leech.log):
            raise AssertionError(f"the leech did not log a uTP connection through the relay: {leech.log[-8:]}")
        if relay.stats["down bytes"] < size:
            raise AssertionError(f"only {relay.stats['down bytes']} bytes came through the relay")
        return relay.stats
    finally:
        unblock()
        if leech:
            leech.stop()
        s.stop()
        relay.close()


def lossy_reordering_path(tmp):
    """About netem's `loss 3% reorder 10% 50% delay 5ms`, plus a few duplicates."""
    stats = download_through(tmp, "lossy", 8 * MiB + 4321, 180, loss=0.03, reorder=0.10, duplicate=0.01,
                             hold=(0.005, 0.02))
    for what in ("down dropped", "up dropped", "down held", "down duplicated"):
        if stats[what] == 0:
            raise AssertionError(f"the relay never {what.split()[1]} a datagram: {dict(stats)}")
    print(f"     relay: {dict((k, v) for k, v in stats.items() if k != 'n')}", flush=True)


def heavy_reordering_path(tmp):
    """Every third datagram held back up to 40 ms, many duplicates, 1% loss."""
    stats = download_through(tmp, "reorder", 4 * MiB + 1, 180, loss=0.01, reorder=0.33, duplicate=0.05,
                             hold=(0.002, 0.04))
    print(f"     relay: {dict((k, v) for k, v in stats.items() if k != 'n')}", flush=True)


SCENARIOS = [
    ("Shoal to Shoal over uTP: 3% loss, 10% reordered, 1% duplicated", lossy_reordering_path),
    ("Shoal to Shoal over uTP: a third reordered, 5% duplicated, 1% loss", heavy_reordering_path),
]


if __name__ == "__main__":
    run_scenarios(SCENARIOS)

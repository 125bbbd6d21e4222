"""uTP path MTU discovery on a real path: a seed and a leech in network namespaces of their own,
joined through a router whose link to the leech takes 1,280-byte packets (ethernet links take
1,500). The router drops the seed's larger probes (they carry the Don't Fragment bit) and
fragments their resends. The download must come out whole. The router's counters show that the
seed grew its packets to what the narrow link takes, beyond the 1,204-byte packets it starts
with. Once more with the router's ICMP "fragmentation needed" notes dropped (a black hole), so
that only the loss of a probe tells the seed. Run by netns_run.sh; needs root and nftables."""
import os
import subprocess
import sys
import time

from swarm_util import CLI, create, same_file, write_random

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "interop"))
import netns_util  # noqa: E402

MiB = 1024 * 1024
SEED, LEECH = "198.51.100.1", "198.51.100.66"
NARROW_MTU = 1280


def count_forwarded_sizes(router, towards_receiver, black_hole):
    """nftables counters on the router: the seed's packets by size as they arrive (before the
    router drops those too big for the narrow link), and, for a black hole, a rule that drops
    the ICMP the router sends back about them."""
    drop_icmp = "icmp type destination-unreachable drop;" if black_hole else ""
    router.run("nft", "-f", "-", input=f"""table inet mtu_test {{
        counter larger {{ }}
        counter grown {{ }}
        chain arriving {{
            type filter hook prerouting priority 0;
            ip saddr {SEED} ip length > {NARROW_MTU} counter name larger;
            ip saddr {SEED} ip length 1240-{NARROW_MTU} counter name grown;
        }}
        chain output {{
            type filter hook output priority 0;
            {drop_icmp}
        }}
    }}""")
    router.run("ip", "link", "set", towards_receiver, "mtu", str(NARROW_MTU))


def counter(router, name):
    out = subprocess.run(router.cmd("nft", "list", "counter", "inet", "mtu_test", name), capture_output=True,
                         text=True, check=True, timeout=30).stdout
    return int(out.split("packets ")[1].split()[0])


def download_across(tmp, black_hole):
    sender, router, receiver = (netns_util.Namespace(300) for _ in range(3))
    seed = None
    try:
        _, towards_receiver = netns_util.routed_path(sender, router, receiver, SEED, LEECH, prefix="mtu")
        count_forwarded_sizes(router, towards_receiver, black_hole)
        data = os.path.join(tmp, "data")
        write_random(os.path.join(data, "file.bin"), 4 * MiB, seed=71)
        torrent = os.path.join(tmp, "file.torrent")
        create(os.path.join(data, "file.bin"), torrent, "--v1", "-s", "64K")
        common = ["--no-dht", "--no-lsd", "--no-pex", "--state-dir", "", "--port", "6881"]
        seed = subprocess.Popen(sender.cmd(CLI, "seed", torrent, "-d", data, "--listen", SEED, *common),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        out = os.path.join(tmp, "out")
        time.sleep(1)  # the seed checks its data and listens
        # uTP only: the leech dials nothing else.
        leech = subprocess.run(receiver.cmd(CLI, "get", torrent, "-d", out, "--peer", f"{SEED}:6881",
                                            "--listen", LEECH, "--no-tcp", "-v", *common),
                               capture_output=True, text=True, timeout=120)
        if leech.returncode != 0:
            raise AssertionError(f"the leech exited {leech.returncode}: {leech.stderr[-600:]}")
        if "uTP" not in leech.stderr:
            raise AssertionError(f"the leech did not connect over uTP: {leech.stderr[-600:]}")
        if not same_file(os.path.join(data, "file.bin"), os.path.join(out, "file.bin")):
            raise AssertionError("the downloaded file differs")
        larger, grown = counter(router, "larger"), counter(router, "grown")
        if larger == 0:
            raise AssertionError("the seed never sent a packet larger than the narrow link takes")
        if grown < 100:
            raise AssertionError(f"only {grown} of the seed's packets were 1,240 to {NARROW_MTU} bytes: "
                                 "its packets did not grow to what the path takes")
        print(f"  probes or resends larger than {NARROW_MTU} bytes: {larger}; packets of 1,240 to "
              f"{NARROW_MTU} bytes: {grown}", flush=True)
    finally:
        if seed:
            seed.kill()
            seed.wait()
        for ns in (sender, router, receiver):
            ns.close()
        subprocess.run(["ip", "link", "del", "mtu-s"], capture_output=True)
        subprocess.run(["ip", "link", "del", "mtu-ro"], capture_output=True)


if __name__ == "__main__":
    from swarm_util import run_scenarios
    run_scenarios([
        ("across a narrow link, told by ICMP", lambda tmp: download_across(tmp, black_hole=False)),
        ("across a narrow link that drops silently", lambda tmp: download_across(tmp, black_hole=True)),
    ])

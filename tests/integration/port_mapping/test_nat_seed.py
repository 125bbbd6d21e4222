"""A Shoal seed at home behind a NAT router (tests/interop/nat_topology.py) is reached from the
Internet through the port it mapped: for a router that speaks only UPnP IGD and for one that
speaks only NAT-PMP, shoal-cli seeds from the home namespace with its defaults (port mapping
on), says in --json that the mapping is made, with the router's external address; a libtorrent
leech in the internet namespace learns the seed from a tracker there (opentracker), which heard
the mapped port in the seed's announce, connects in and downloads the file. The home side may
not open connections towards the Internet (but to the tracker), so the data can only come in
through the mapping. Once the seed stops, the router holds no mapping of its.
Run by netns_run.sh; needs root, nftables, miniupnpd, opentracker and python3-libtorrent."""
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "interop"))
import nat_topology  # noqa: E402
from interop_clients import start_opentracker  # noqa: E402
from nat_topology import INTERNET_ADDR, ROUTER_WAN  # noqa: E402

CLI = os.environ["SHOAL_CLI"]
TRACKER_PORT = 6969
SEED_PORT = 6881

# libtorrent in the internet namespace: downloads TORRENT into OUT from whoever the tracker
# names, prints "done" and the peers it had, or "timeout".
LEECH = textwrap.dedent("""
    import sys, time
    import libtorrent as lt
    torrent, out, address = sys.argv[1:4]
    s = lt.session({"listen_interfaces": address + ":6882", "enable_dht": False, "enable_lsd": False,
                    "enable_upnp": False, "enable_natpmp": False, "enable_outgoing_utp": False,
                    "enable_incoming_utp": False, "announce_to_all_tiers": True,
                    "download_rate_limit": 4 * 1024 * 1024})  # long enough to see whom it downloads from
    p = lt.add_torrent_params()
    p.ti = lt.torrent_info(torrent)
    p.save_path = out
    p.flags &= ~(lt.torrent_flags.auto_managed | lt.torrent_flags.paused)
    h = s.add_torrent(p)
    deadline = time.monotonic() + 90
    peers = set()
    while time.monotonic() < deadline and not h.status().is_seeding:
        peers |= {"%s:%d" % (peer.ip[0], peer.ip[1]) for peer in h.get_peer_info()}
        time.sleep(0.05)
    print("done" if h.status().is_seeding else "timeout", " ".join(sorted(peers)), flush=True)
""")


def fail(message):
    raise AssertionError(message)


def home_may_only_reach_the_tracker(topology):
    """New connections from home to the internet side are dropped, but to the tracker."""
    topology.home.run("nft", "-f", "-", input=f"""table inet no_dial_out {{
    chain output {{
        type filter hook output priority -10; policy accept;
        ip daddr {INTERNET_ADDR} tcp dport {TRACKER_PORT} accept
        ip daddr {INTERNET_ADDR} ct state new counter drop
    }}
}}
""")


def seed_behind(topology, folder, protocol):
    data = os.path.join(folder, "data")
    os.makedirs(data)
    with open(os.path.join(data, "file.bin"), "wb") as f:
        f.write(os.urandom(3 * 1024 * 1024))
    torrent = os.path.join(folder, "file.torrent")
    subprocess.run([CLI, "create", os.path.join(data, "file.bin"), "-o", torrent, "--v1", "-s", "64K",
                    "-t", f"http://{INTERNET_ADDR}:{TRACKER_PORT}/announce"],
                   check=True, capture_output=True, timeout=60)
    tracker = start_opentracker(topology.internet.cmd, torrent, INTERNET_ADDR, TRACKER_PORT, folder)
    home_may_only_reach_the_tracker(topology)
    seed = subprocess.Popen(topology.home.cmd(CLI, "seed", torrent, "-d", data, "--port", str(SEED_PORT),
                                              "--no-dht", "--no-lsd", "--state-dir", "", "--json", "-v"),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    status, log = [], []
    threading.Thread(target=lambda: [status.append(json.loads(line)) for line in seed.stdout
                                     if line.startswith("{")], daemon=True).start()
    threading.Thread(target=lambda: [log.append(line.rstrip()) for line in seed.stderr], daemon=True).start()
    try:
        deadline = time.monotonic() + 30
        mapped = None
        while time.monotonic() < deadline and not mapped:
            for s in list(status):
                for m in s["network"]["port_mapping"]:
                    if m["protocol"] == protocol and m["state"] == "mapped":
                        mapped = (m, s["network"])
            time.sleep(0.1)
        if not mapped:
            fail(f"{protocol}: no mapping within 30 s: {status[-1:] if status else None}; log {log[-8:]}")
        mapping, network = mapped
        if mapping["external_address"] != ROUTER_WAN or network["external_address"] != ROUTER_WAN:
            fail(f"{protocol}: the external address is not the router's {ROUTER_WAN}: {network}")
        port = mapping["external_port"]
        if network["announce_port"] != port:
            fail(f"{protocol}: trackers are told port {network['announce_port']}, not the mapped {port}")
        if not any(rule[0] == "dnat" and rule[2] == port for rule in topology.mappings()):
            fail(f"{protocol}: the router shows no mapping of port {port}: {topology.mappings()}")

        out = os.path.join(folder, "lt")
        leech = subprocess.run(topology.internet.cmd(sys.executable, "-c", LEECH, torrent, out, INTERNET_ADDR),
                               capture_output=True, text=True, timeout=120)
        said = leech.stdout.strip()
        if not said.startswith("done"):
            fail(f"{protocol}: libtorrent did not download through the mapping: {said} {leech.stderr[-400:]}; "
                 f"seed log {log[-8:]}")
        if f"{ROUTER_WAN}:{port}" not in said:
            fail(f"{protocol}: libtorrent had the seed elsewhere than {ROUTER_WAN}:{port}: {said}")
        digest = lambda p: hashlib.sha256(open(p, "rb").read()).hexdigest()  # noqa: E731
        if digest(os.path.join(out, "file.bin")) != digest(os.path.join(data, "file.bin")):
            fail(f"{protocol}: the downloaded file differs")
        if not any(line.startswith(f"peer {INTERNET_ADDR}:") and "connected" in line for line in log):
            fail(f"{protocol}: the seed logged no peer from {INTERNET_ADDR}: {log[-8:]}")
    finally:
        seed.terminate()
        try:
            seed.wait(20)
        except subprocess.TimeoutExpired:
            seed.kill()
            fail(f"{protocol}: the seed did not stop within 20 s")
        tracker.kill()
        tracker.wait()
    if topology.mappings():
        fail(f"{protocol}: the router still holds {topology.mappings()} after the seed stopped")
    print(f"ok: {protocol}: seeded to libtorrent through {ROUTER_WAN}:{port}; no mapping left after stop",
          flush=True)


def main():
    for protocol, upnp, natpmp in (("UPnP", True, False), ("NAT-PMP", False, True)):
        with tempfile.TemporaryDirectory() as folder, nat_topology.NatTopology(upnp=upnp, natpmp=natpmp) as topology:
            seed_behind(topology, folder, protocol)
    print("all passed")


if __name__ == "__main__":
    main()

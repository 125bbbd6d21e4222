"""The port mapping benchmark (run by port_mapping.sh inside a private network namespace): for
each client and protocol, a fresh NAT topology, the client started in the home namespace, the
time until both the TCP and the UDP mapping are reported, and the home namespace's packet
counters at that moment (SSDP multicast, NAT-PMP, TCP to the router, anything else). The
client is then stopped and the round checks that the router holds no mapping."""
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "interop"))
import nat_topology  # noqa: E402

PROBE = os.environ["SHOAL_PORT_MAP_PROBE"]
ROUNDS = int(os.environ.get("ROUNDS", "5"))
PORT = 6881
TIMEOUT = 30

# libtorrent in the home namespace: prints {"elapsed_ms": ...} once it has mapped TCP and UDP
# (or {"error": ...}), then waits for stdin to close and stops its session.
LIBTORRENT = r"""
import json, sys, time
import libtorrent as lt
upnp, natpmp = sys.argv[1] == "1", sys.argv[2] == "1"
started = time.monotonic()
session = lt.session({"listen_interfaces": "0.0.0.0:" + sys.argv[3], "enable_upnp": upnp,
                      "enable_natpmp": natpmp, "enable_dht": False, "enable_lsd": False,
                      "alert_mask": lt.alert.category_t.all_categories})
mapped, errors = set(), []
while time.monotonic() - started < TIMEOUT and len(mapped) < 2:
    session.wait_for_alert(50)
    for a in session.pop_alerts():
        if isinstance(a, lt.portmap_alert):
            mapped.add(int(a.map_protocol))
        elif isinstance(a, lt.portmap_error_alert):
            errors.append(a.message())
elapsed = (time.monotonic() - started) * 1000
print(json.dumps({"elapsed_ms": round(elapsed)} if len(mapped) >= 2 else {"error": errors[-3:]}), flush=True)
sys.stdin.read()
del session
print(json.dumps({"stopped": True}), flush=True)
""".replace("TIMEOUT", str(TIMEOUT))


def shoal(topology, protocol):
    args = [PROBE, "--port", str(PORT), "--no-natpmp" if protocol == "upnp" else "--no-upnp"]
    proc = subprocess.Popen(topology.home.cmd(*args), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    try:
        deadline = time.monotonic() + TIMEOUT
        for line in proc.stdout:
            status = json.loads(line)
            if status.get(protocol, {}).get("state") == "mapped":
                return status["elapsed_ms"], topology.home_sent(), proc
            if time.monotonic() > deadline:
                break
        raise RuntimeError(f"Shoal did not map with {protocol}")
    except BaseException:
        proc.kill()
        proc.wait()
        raise


def libtorrent(topology, protocol):
    flags = ["1", "0"] if protocol == "upnp" else ["0", "1"]
    proc = subprocess.Popen(topology.home.cmd("/usr/bin/python3", "-c", LIBTORRENT, *flags, str(PORT)),
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = json.loads(proc.stdout.readline() or "{}")
    if "elapsed_ms" not in line:
        proc.kill()
        proc.wait()
        raise RuntimeError(f"libtorrent did not map with {protocol}: {line}")
    return line["elapsed_ms"], topology.home_sent(), proc


def one_round(client, protocol):
    with nat_topology.NatTopology(upnp=protocol == "upnp", natpmp=protocol == "natpmp") as topology:
        topology.reset_home_counters()
        elapsed, sent, proc = client(topology, protocol)
        proc.stdin.close()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        left = topology.mappings()
        return elapsed, sent, not left


def main():
    print(f"port mapping against miniupnpd 2.3.1 behind a NAT of namespaces, median of {ROUNDS} rounds", flush=True)
    for protocol in ("upnp", "natpmp"):
        for name, client in (("Shoal", shoal), ("libtorrent", libtorrent)):
            times, sends, clean = [], [], 0
            for _ in range(ROUNDS):
                try:
                    elapsed, sent, removed = one_round(client, protocol)
                except RuntimeError as e:
                    print(f"  {name} {protocol}: {e}", flush=True)
                    continue
                times.append(elapsed)
                sends.append(sent)
                clean += removed
            if not times:
                continue
            median = lambda key: statistics.median(s.get(key, 0) for s in sends)  # noqa: E731
            total = statistics.median(sum(s.values()) for s in sends)
            print(f"{protocol:7} {name:11} mapped in {statistics.median(times):7.0f} ms (min {min(times)}, "
                  f"max {max(times)}); packets sent {total:4.0f} (SSDP {median('ssdp'):.0f}, NAT-PMP "
                  f"{median('natpmp'):.0f}, TCP to router {median('tcp_router'):.0f}, other {median('other'):.0f}); "
                  f"no mapping left after stop in {clean}/{len(times)} rounds", flush=True)


if __name__ == "__main__":
    main()

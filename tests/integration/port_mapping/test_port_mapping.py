"""Port mapping against miniupnpd behind a NAT (tests/interop/nat_topology.py): a home network
192.0.2.0/24, a router masquerading it behind 203.0.113.1 and an "internet" namespace.

For a router that speaks only UPnP IGD and one that speaks only NAT-PMP, port_map_probe in the
home namespace must reach `mapped` with the router's external address and a port; a TCP
listener and a UDP socket on the local port in the home namespace must then be reached from the
internet namespace at that address and port; and once the probe's stdin closes, the router must
hold no mapping. A router with neither protocol: both fail with a readable error within a few
seconds, and the probe exits promptly when its stdin closes.
Run by netns_run.sh; needs root, nftables and miniupnpd."""
import json
import os
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "interop"))
import nat_topology  # noqa: E402

PROBE = os.environ["SHOAL_PORT_MAP_PROBE"]
LOCAL_PORT = 6881


class Probe:
    """port_map_probe in the home namespace; its JSON lines are collected as they come."""

    def __init__(self, topology, *args):
        self.proc = subprocess.Popen(topology.home.cmd(PROBE, "--port", str(LOCAL_PORT), *args),
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True)
        self.lines = []
        self.changed = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            with self.changed:
                self.lines.append(json.loads(line))
                self.changed.notify_all()
        with self.changed:
            self.lines.append(None)  # end of output
            self.changed.notify_all()

    def wait_for(self, predicate, timeout, what):
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                for line in self.lines:
                    if line is not None and predicate(line):
                        return line
                left = deadline - time.monotonic()
                if left <= 0 or (self.lines and self.lines[-1] is None):
                    raise AssertionError(f"{what} did not happen within {timeout} s; the probe said: "
                                         f"{self.lines[-6:]}; stderr: {self.stderr_text()}")
                self.changed.wait(left)

    def stderr_text(self):
        if self.proc.poll() is None:
            return "(still running)"
        return self.proc.stderr.read()[-800:]

    def close_stdin_and_wait(self, timeout):
        """Closes stdin; returns how long the probe took to exit."""
        started = time.monotonic()
        self.proc.stdin.close()
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"the probe did not exit within {timeout} s of its stdin closing")
        if code != 0:
            raise AssertionError(f"the probe exited {code}: {self.proc.stderr.read()[-800:]}")
        return time.monotonic() - started

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


SERVE = r"""
import socket, sys
port = int(sys.argv[1])
tcp = socket.socket(); tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
tcp.bind(("0.0.0.0", port)); tcp.listen(4)
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); udp.bind(("0.0.0.0", port))
print("ready", flush=True)
conn, peer = tcp.accept(); conn.sendall(b"tcp:" + peer[0].encode()); conn.close()
data, peer = udp.recvfrom(100); udp.sendto(b"udp:" + data, peer)
"""

DIAL = r"""
import socket, sys
address, tcp_port, udp_port = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
c = socket.create_connection((address, tcp_port), timeout=5); print(c.recv(100).decode(), flush=True)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.settimeout(1)
for _ in range(5):
    u.sendto(b"hello", (address, udp_port))
    try:
        print(u.recvfrom(100)[0].decode(), flush=True); break
    except socket.timeout:
        pass
"""


def reach_from_internet(topology, address, tcp_port, udp_port):
    """A listener on the local port in the home namespace, dialled from the internet namespace."""
    server = subprocess.Popen(topology.home.cmd(sys.executable, "-c", SERVE, str(LOCAL_PORT)),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        if server.stdout.readline().strip() != "ready":
            raise AssertionError(f"the home listener did not start: {server.stderr.read()}")
        dial = subprocess.run(topology.internet.cmd(sys.executable, "-c", DIAL, address, str(tcp_port),
                                                    str(udp_port)),
                              capture_output=True, text=True, timeout=30)
        said = dial.stdout.split()
        if f"tcp:{nat_topology.INTERNET_ADDR}" not in said:
            raise AssertionError(f"TCP to {address}:{tcp_port} from the internet did not reach the home "
                                 f"listener: {dial.stdout} {dial.stderr[-400:]}")
        if "udp:hello" not in said:
            raise AssertionError(f"UDP to {address}:{udp_port} from the internet did not reach the home "
                                 f"socket: {dial.stdout} {dial.stderr[-400:]}")
    finally:
        server.kill()
        server.wait()


def mapped_through(protocol):
    upnp, natpmp = protocol == "upnp", protocol == "natpmp"
    other = "natpmp" if upnp else "upnp"
    with nat_topology.NatTopology(upnp=upnp, natpmp=natpmp) as topology:
        if topology.mappings():
            raise AssertionError(f"the router holds mappings before the test: {topology.mappings()}")
        probe = Probe(topology, f"--no-{other}")
        try:
            line = probe.wait_for(lambda l: l[protocol]["state"] == "mapped", 20, f"a {protocol} mapping")
            status = line[protocol]
            address, tcp, udp = status["external_address"], status["tcp"], status["udp"]
            if address != nat_topology.ROUTER_WAN:
                raise AssertionError(f"external address {address}, expected {nat_topology.ROUTER_WAN}: {status}")
            if not tcp or not udp:
                raise AssertionError(f"mapped without ports: {status}")
            if line[other]["state"] != "off":
                raise AssertionError(f"{other} was not asked for but is {line[other]['state']}")
            held = topology.mappings()
            if not any(m[0] == "dnat" and m[1] == "tcp" and m[2] == tcp for m in held) or \
                    not any(m[0] == "dnat" and m[1] == "udp" and m[2] == udp for m in held):
                raise AssertionError(f"the router's rules do not show tcp {tcp} and udp {udp}: {held}")
            reach_from_internet(topology, address, tcp, udp)
            took = probe.close_stdin_and_wait(timeout=10)
        finally:
            probe.kill()
        left = topology.mappings()
        if left:
            raise AssertionError(f"the router still holds mappings after the probe stopped: {left}")
        print(f"  {protocol}: mapped {address} tcp {tcp} udp {udp} after {line['elapsed_ms']} ms "
              f"(gateway {status['gateway']}); reached from the internet; removed, exit in {took:.2f} s",
              flush=True)


def neither_protocol():
    with nat_topology.NatTopology(upnp=False, natpmp=False) as topology:
        probe = Probe(topology, "--discovery-ms", "1000")
        try:
            started = time.monotonic()
            line = probe.wait_for(lambda l: l["upnp"]["state"] == "failed" and l["natpmp"]["state"] == "failed",
                                  10, "both protocols failing")
            waited = time.monotonic() - started
            for protocol in ("upnp", "natpmp"):
                error = line[protocol]["error"]
                if len(error) < 10:
                    raise AssertionError(f"{protocol} failed without a readable error: {line[protocol]}")
            took = probe.close_stdin_and_wait(timeout=5)
            if took > 4:
                raise AssertionError(f"the probe took {took:.1f} s to exit")
        finally:
            probe.kill()
        print(f"  neither: both failed within {waited:.1f} s (upnp: \"{line['upnp']['error']}\"; natpmp: "
              f"\"{line['natpmp']['error']}\"); exit in {took:.2f} s", flush=True)


def main():
    failed = 0
    for name, scenario in (("UPnP IGD only", lambda: mapped_through("upnp")),
                           ("NAT-PMP only", lambda: mapped_through("natpmp")),
                           ("neither protocol", neither_protocol)):
        print(f"{name}:", flush=True)
        try:
            scenario()
        except Exception as e:  # noqa: BLE001 - every scenario runs; the first failure is not the only one
            failed += 1
            print(f"  FAILED: {e}", flush=True)
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()

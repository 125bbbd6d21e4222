"""A home network behind a NAT router, for port mapping tests, made of network namespaces inside
the private one that netns_run.sh makes (netns_util):

    home 192.0.2.2/24 (home-lan) -- (r-lan) 192.0.2.1/24  router  203.0.113.1/24 (r-wan)
                                                                  -- (inet) 203.0.113.2/24 internet

The router masquerades the LAN behind 203.0.113.1 with nftables, forwards nothing inbound but
what miniupnpd (Debian's miniupnpd-nftables) maps, and runs miniupnpd on the LAN side with UPnP
IGD and/or NAT-PMP as the test chooses. Its configuration, pid file and lease file live in a
temporary folder.

miniupnpd treats documentation addresses as private and refuses to map behind one ("Port
forwarding is impossible"), unless a STUN server tells it the external address and that nothing
filters: so the internet namespace runs a minimal STUN responder (`stun_responder.py`) that
answers every binding request with the address it came from, and miniupnpd asks it at start.

The home namespace counts what leaves it towards the router (`home_sent()`), for benchmarks."""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import netns_util

HERE = os.path.dirname(os.path.abspath(__file__))
HOME_ADDR, ROUTER_LAN, ROUTER_WAN, INTERNET_ADDR = "192.0.2.2", "192.0.2.1", "203.0.113.1", "203.0.113.2"
HOME_DEV = "home-lan"
STUN_PORT = 3478
# miniupnpd's nftables names (its defaults, written out in its configuration as well).
TABLE = "filter"
FORWARD_CHAIN, PREROUTING_CHAIN, POSTROUTING_CHAIN = "miniupnpd", "prerouting_miniupnpd", "postrouting_miniupnpd"


def _router_ruleset():
    """The router's firewall: LAN out masqueraded, replies back in, and inbound only what
    miniupnpd puts into its chains (its forward chain accepts, its prerouting chain DNATs)."""
    return f"""table inet {TABLE} {{
    chain forward {{
        type filter hook forward priority 0; policy drop;
        ct state established,related accept
        iifname "r-lan" oifname "r-wan" accept
        jump {FORWARD_CHAIN}
    }}
    chain {FORWARD_CHAIN} {{
    }}
    chain prerouting {{
        type nat hook prerouting priority -100; policy accept;
        jump {PREROUTING_CHAIN}
    }}
    chain postrouting {{
        type nat hook postrouting priority 100; policy accept;
        jump {POSTROUTING_CHAIN}
        oifname "r-wan" ip saddr 192.0.2.0/24 masquerade
    }}
    chain {PREROUTING_CHAIN} {{
    }}
    chain {POSTROUTING_CHAIN} {{
    }}
}}
"""


def _home_counters():
    """Counters of what the home namespace sends to the LAN, by kind."""
    return f"""table inet home_count {{
    counter ssdp {{ }}
    counter natpmp {{ }}
    counter tcp_router {{ }}
    counter other {{ }}
    chain output {{
        type filter hook output priority 0; policy accept;
        oifname "{HOME_DEV}" udp dport 1900 counter name ssdp accept
        oifname "{HOME_DEV}" udp dport 5351 counter name natpmp accept
        oifname "{HOME_DEV}" ip daddr {ROUTER_LAN} meta l4proto tcp counter name tcp_router accept
        oifname "{HOME_DEV}" counter name other accept
    }}
}}
"""


class NatTopology(netns_util.Topology):
    """The three namespaces and the router's miniupnpd. `upnp` and `natpmp` choose what
    miniupnpd speaks; with neither, no miniupnpd runs at all (a router without port mapping).
    Use as a context manager: leaving kills miniupnpd and the STUN responder and removes the
    namespaces and the temporary folder."""

    def __init__(self, upnp, natpmp, lifetime=600):
        self.upnp, self.natpmp = upnp, natpmp
        self.folder = tempfile.mkdtemp(prefix="nat_topology_")
        self.home = self.router = self.internet = None
        self.miniupnpd = self.stun = None
        self.lifetime = lifetime

    def _build(self):
        self.home, self.router, self.internet = (netns_util.Namespace(self.lifetime) for _ in range(3))
        netns_util.veth(self.home, HOME_DEV, f"{HOME_ADDR}/24", self.router, "r-lan", f"{ROUTER_LAN}/24")
        netns_util.veth(self.router, "r-wan", f"{ROUTER_WAN}/24", self.internet, "inet", f"{INTERNET_ADDR}/24")
        self.home.run("ip", "route", "add", "default", "via", ROUTER_LAN)
        self.router.run("ip", "route", "add", "default", "via", INTERNET_ADDR)
        self.router.run("sysctl", "-qw", "net.ipv4.ip_forward=1")
        self.router.run("nft", "-f", "-", input=_router_ruleset())
        self.home.run("nft", "-f", "-", input=_home_counters())
        if self.upnp or self.natpmp:
            self._start_stun()
            self._start_miniupnpd()

    def _start_stun(self):
        log = open(os.path.join(self.folder, "stun.log"), "w")
        self.stun = subprocess.Popen(
            self.internet.cmd(sys.executable, os.path.join(HERE, "stun_responder.py"), INTERNET_ADDR, str(STUN_PORT)),
            stdout=subprocess.PIPE, stderr=log, text=True)
        if self.stun.stdout.readline().strip() != "ready":
            raise RuntimeError("the STUN responder did not start")

    def config(self):
        yes = lambda on: "yes" if on else "no"  # noqa: E731
        return "\n".join([
            "ext_ifname=r-wan",
            "listening_ip=r-lan",
            "http_port=0",
            f"enable_upnp={yes(self.upnp)}",
            f"enable_natpmp={yes(self.natpmp)}",
            "ext_perform_stun=yes",
            f"ext_stun_host={INTERNET_ADDR}",
            f"ext_stun_port={STUN_PORT}",
            "secure_mode=yes",
            "system_uptime=yes",
            "notify_interval=60",
            "clean_ruleset_interval=0",
            f"lease_file={os.path.join(self.folder, 'leases')}",
            f"upnp_table_name={TABLE}",
            f"upnp_nat_table_name={TABLE}",
            f"upnp_forward_chain={FORWARD_CHAIN}",
            f"upnp_nat_chain={PREROUTING_CHAIN}",
            f"upnp_nat_postrouting_chain={POSTROUTING_CHAIN}",
            "uuid=3a1e7a52-3b0c-4c1f-9d62-5b4f0c2d7e10",
            "allow 1024-65535 192.0.2.0/24 1024-65535",
            "deny 0-65535 0.0.0.0/0 0-65535",
            "",
        ])

    def _start_miniupnpd(self):
        conf = os.path.join(self.folder, "miniupnpd.conf")
        with open(conf, "w") as f:
            f.write(self.config())
        self.log_path = os.path.join(self.folder, "miniupnpd.log")
        log = open(self.log_path, "w")
        # -d: in the foreground (so it dies with its process, and logs to stderr); -4: IPv4 only.
        self.miniupnpd = subprocess.Popen(
            self.router.cmd("miniupnpd", "-d", "-4", "-f", conf, "-P", os.path.join(self.folder, "miniupnpd.pid")),
            stdout=log, stderr=subprocess.STDOUT)
        # Ready once it listens for what it was asked to speak (after its STUN check).
        deadline = time.monotonic() + 15
        want = []
        if self.natpmp:
            want.append("Listening for NAT-PMP")
        if self.upnp:
            want.append("HTTP listening on port")
        while time.monotonic() < deadline:
            text = self.router_log()
            if self.miniupnpd.poll() is not None:
                raise RuntimeError(f"miniupnpd exited {self.miniupnpd.returncode}: {text[-1500:]}")
            if all(w in text for w in want) and "Port forwarding is now enabled" in text:
                return
            time.sleep(0.05)
        raise RuntimeError(f"miniupnpd did not get ready: {self.router_log()[-1500:]}")

    def router_log(self):
        try:
            with open(os.path.join(self.folder, "miniupnpd.log")) as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def mappings(self):
        """The router's current port mappings, read from miniupnpd's nftables chains: one
        (chain, protocol, external port, internal address:port) per rule, chain "dnat" for its
        prerouting chain (the address is None there) and "forward" for its filter chain (which
        names no port on the inside). Empty when nothing is mapped."""
        out = subprocess.run(self.router.cmd("nft", "-j", "list", "table", "inet", TABLE), capture_output=True,
                             text=True, check=True, timeout=30).stdout
        names = {6: "tcp", 17: "udp"}
        found = []
        for item in json.loads(out)["nftables"]:
            rule = item.get("rule")
            if not rule or rule["chain"] not in (PREROUTING_CHAIN, FORWARD_CHAIN):
                continue
            proto, port, to = None, None, None
            for expr in rule["expr"]:
                match = expr.get("match", {})
                payload = match.get("left", {}).get("payload", {}) if isinstance(match.get("left"), dict) else {}
                if payload.get("field") == "dport":
                    port = match["right"]
                elif payload.get("base") == "nh" and payload.get("offset") == 72 and payload.get("len") == 8:
                    proto = names.get(match["right"], match["right"])  # the IPv4 protocol field
                elif payload.get("protocol") in ("tcp", "udp") and payload.get("field") == "dport":
                    proto, port = payload["protocol"], match["right"]
                if "dnat" in expr:
                    to = f"{expr['dnat'].get('addr')}:{expr['dnat'].get('port')}"
            found.append(("dnat" if rule["chain"] == PREROUTING_CHAIN else "forward", proto, port, to))
        return found

    def home_sent(self):
        """Packets the home namespace has sent to the LAN so far: {"ssdp", "natpmp", "tcp_router", "other"}."""
        out = subprocess.run(self.home.cmd("nft", "-j", "list", "counters", "table", "inet", "home_count"),
                             capture_output=True, text=True, check=True, timeout=30).stdout
        counts = {}
        for item in json.loads(out)["nftables"]:
            c = item.get("counter")
            if c:
                counts[c["name"]] = c["packets"]
        return counts

    def reset_home_counters(self):
        self.home.run("nft", "reset", "counters", "table", "inet", "home_count")

    def close(self):
        for proc in (self.miniupnpd, self.stun):
            if proc and proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        for ns in (self.home, self.router, self.internet):
            if ns:
                ns.close()
        for dev in (HOME_DEV, "r-wan"):
            subprocess.run(["ip", "link", "del", dev], capture_output=True)
        shutil.rmtree(self.folder, ignore_errors=True)

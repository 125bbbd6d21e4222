"""Two home networks, each behind a NAT router without port mapping, and the Internet between
them (one link, a bridge in the internet namespace), made of network namespaces inside the
private one that netns_run.sh makes (netns_util):

    home1 192.0.2.2/26  -- 192.0.2.1  router1 203.0.113.1/24 --+
                                                               +-- internet 203.0.113.2/24
    home2 192.0.2.66/26 -- 192.0.2.65 router2 203.0.113.5/24 --+

Each router masquerades its LAN and, like a home router's firewall, lets nothing new in from
the Internet: a TCP connection is refused with a reset, anything else is dropped. Replies to what
the LAN sent pass. Dropped in the router's input hook, an unsolicited packet leaves no
connection-tracking entry behind (the entry is only kept once a packet passes), so a peer's
packet that arrives just before our own went out does not spoil the NAT's port for later."""
import subprocess

import netns_util

HOME1, ROUTER1_LAN, ROUTER1_WAN = "192.0.2.2", "192.0.2.1", "203.0.113.1"
HOME2, ROUTER2_LAN, ROUTER2_WAN = "192.0.2.66", "192.0.2.65", "203.0.113.5"
INTERNET = "203.0.113.2"


def _router_ruleset(lan):
    return f"""table inet home_router {{
    chain input {{
        type filter hook input priority 0; policy accept;
        iifname "wan" ct state new meta l4proto tcp reject with tcp reset
        iifname "wan" ct state new drop
    }}
    chain forward {{
        type filter hook forward priority 0; policy drop;
        ct state established,related accept
        iifname "lan" oifname "wan" accept
    }}
    chain postrouting {{
        type nat hook postrouting priority 100; policy accept;
        oifname "wan" ip saddr {lan} masquerade
    }}
}}
"""


class TwoHomes(netns_util.Topology):
    """The five namespaces: home1, router1, home2, router2, internet. A context manager: leaving
    removes them."""

    def __init__(self, lifetime=600):
        self.lifetime = lifetime
        self.namespaces = []

    def _build(self):
        self.home1, self.router1, self.home2, self.router2, self.internet = (
            netns_util.Namespace(self.lifetime) for _ in range(5))
        self.namespaces = [self.home1, self.router1, self.home2, self.router2, self.internet]
        self.internet.run("ip", "link", "add", "inet", "type", "bridge")
        self.internet.run("ip", "addr", "add", f"{INTERNET}/24", "dev", "inet")
        self.internet.run("ip", "link", "set", "inet", "up")
        for n, home, router, home_addr, lan_addr, wan_addr, lan in (
                (1, self.home1, self.router1, HOME1, ROUTER1_LAN, ROUTER1_WAN, "192.0.2.0/26"),
                (2, self.home2, self.router2, HOME2, ROUTER2_LAN, ROUTER2_WAN, "192.0.2.64/26")):
            netns_util.veth(home, f"home{n}", f"{home_addr}/26", router, f"r{n}-lan", f"{lan_addr}/26")
            subprocess.run(["ip", "link", "add", "name", f"r{n}-wan", "type", "veth", "peer", "name", f"port{n}"],
                           check=True, timeout=30)
            subprocess.run(["ip", "link", "set", f"r{n}-wan", "netns", str(router.holder.pid)], check=True, timeout=30)
            subprocess.run(["ip", "link", "set", f"port{n}", "netns", str(self.internet.holder.pid)], check=True,
                           timeout=30)
            self.internet.run("ip", "link", "set", f"port{n}", "master", "inet")
            self.internet.run("ip", "link", "set", f"port{n}", "up")
            # The routers' devices get the plain names their firewall speaks of.
            router.run("ip", "link", "set", f"r{n}-lan", "down")
            router.run("ip", "link", "set", f"r{n}-lan", "name", "lan")
            router.run("ip", "link", "set", "lan", "up")
            router.run("ip", "link", "set", f"r{n}-wan", "name", "wan")
            router.run("ip", "addr", "add", f"{wan_addr}/24", "dev", "wan")
            router.run("ip", "link", "set", "wan", "up")
            router.run("ip", "route", "add", "default", "via", INTERNET)
            router.run("sysctl", "-qw", "net.ipv4.ip_forward=1")
            router.run("nft", "-f", "-", input=_router_ruleset(lan))
            home.run("ip", "route", "add", "default", "via", lan_addr)

    def close(self):
        for ns in self.namespaces:
            ns.close()
        self.namespaces = []
        for dev in ("home1", "home2", "r1-wan", "r2-wan", "port1", "port2"):
            subprocess.run(["ip", "link", "del", dev], capture_output=True)

"""Helpers for DHT tests: libtorrent DHT sessions on loopback, and Shoal's test node tool."""
import json
import os
import queue
import subprocess
import threading
import time

import libtorrent as lt

TOOL = os.environ.get("SHOAL_DHT_TOOL", "")


def libtorrent_dht(address, bootstrap, port=6881):
    """A libtorrent session that only does DHT, on address:port, joining through bootstrap."""
    settings = {
        "enable_dht": True, "enable_lsd": False, "enable_upnp": False, "enable_natpmp": False,
        "listen_interfaces": f"{address}:{port}", "dht_bootstrap_nodes": bootstrap,
        # Every node here shares 127.0.0.0/8 and has an id not derived from its address.
        "dht_restrict_routing_ips": False, "dht_restrict_search_ips": False,
        "dht_prefer_verified_node_ids": False,
        "alert_mask": (lt.alert.category_t.dht_notification | lt.alert.category_t.dht_operation_notification
                       | lt.alert.category_t.status_notification),
    }
    if "dht_ignore_dark_internet" in lt.default_settings():
        settings["dht_ignore_dark_internet"] = False
    return lt.session(settings)


def routing_table(session, timeout=5):
    """The endpoints ("ip:port") in a libtorrent session's DHT routing table."""
    state = session.save_state()  # already a decoded dictionary
    # Each entry is the 20-byte node id followed by the address it belongs to.
    node_id = state[b"dht state"][b"node-id"][0][:20]
    session.dht_live_nodes(lt.sha1_hash(node_id))
    deadline = time.time() + timeout
    while time.time() < deadline:
        session.wait_for_alert(100)
        for alert in session.pop_alerts():
            if isinstance(alert, lt.dht_live_nodes_alert):
                return {"%s:%d" % node["endpoint"] for node in alert.nodes}
    raise AssertionError("libtorrent did not list its DHT nodes")


def sha1(hex_text):
    return lt.sha1_hash(bytes.fromhex(hex_text))


def dht_messages(session):
    """libtorrent's counters of DHT messages (in, out)."""
    session.post_session_stats()
    deadline = time.time() + 5
    while time.time() < deadline:
        session.wait_for_alert(100)
        for alert in session.pop_alerts():
            if isinstance(alert, lt.session_stats_alert):
                values = alert.values  # the binding maps metric names to values
                return values["dht.dht_messages_in"], values["dht.dht_messages_out"]
    raise AssertionError("libtorrent sent no session stats")


class ShoalNode:
    """dht_node_tool in a child process; its JSON lines are collected on a thread."""

    def __init__(self, *args):
        if not TOOL:
            raise AssertionError("SHOAL_DHT_TOOL is not set")
        self.process = subprocess.Popen([TOOL, *args], stdout=subprocess.PIPE, text=True)
        self.events = queue.Queue()
        self.all = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        started = self.wait_for(lambda e: e["event"] == "started", 10)
        self.endpoint = started["endpoint"]

    def _read(self):
        for line in self.process.stdout:
            try:
                event = json.loads(line)
            except ValueError:
                continue
            self.all.append(event)
            self.events.put(event)

    def wait_for(self, predicate, timeout):
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                event = self.events.get(timeout=max(0.01, deadline - time.time()))
            except queue.Empty:
                break
            if predicate(event):
                return event
        raise AssertionError(f"Shoal node {TOOL}: no matching event in {timeout} s; saw {self.all[-5:]}")

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.reader.join(timeout=5)

    def stats(self):
        """The counters the node printed when it stopped (after stop())."""
        for event in reversed(self.all):
            if event["event"] == "stats":
                return event["stats"]
        return {}

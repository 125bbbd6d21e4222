"""Start shoal-tracker on 127.0.0.1 ephemeral ports and talk to it over HTTP and UDP.

The environment variable SHOAL_TRACKER_STORE picks the swarm store of every Tracker that is
not given one: "memory" (the default) or "redis", which starts a private redis-server for
each such Tracker (see redis_harness.py) and adds its url to the [store] section.
"""

import ctypes
import http.client
import os
import random
import signal
import socket
import struct
import subprocess
import tempfile
import threading
import time
import urllib.parse

PROTOCOL_ID = 0x41727101980


def bdecode(data):
    """Strict enough bencode decoder for tracker replies."""
    def parse(i):
        c = data[i:i + 1]
        if c == b"i":
            end = data.index(b"e", i)
            return int(data[i + 1:end]), end + 1
        if c == b"l":
            i += 1
            out = []
            while data[i:i + 1] != b"e":
                v, i = parse(i)
                out.append(v)
            return out, i + 1
        if c == b"d":
            i += 1
            out = {}
            while data[i:i + 1] != b"e":
                k, i = parse(i)
                v, i = parse(i)
                out[k] = v
            return out, i + 1
        colon = data.index(b":", i)
        n = int(data[i:colon])
        return data[colon + 1:colon + 1 + n], colon + 1 + n
    value, end = parse(0)
    if end != len(data):
        raise ValueError("trailing bytes")
    return value


def die_with_parent():
    """For preexec_fn: the child gets SIGKILL when the process that started it ends, so a
    test killed by its timeout leaves no server behind."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


class Tracker:
    """A running shoal-tracker process; use as a context manager."""

    def __init__(self, binary, config="", args=(), http="127.0.0.1:0", udp="127.0.0.1:0",
                 store_url=None, wait_store=True, env=None):
        """store_url: the [store] url to use; None follows SHOAL_TRACKER_STORE. With a store
        url the start waits (wait_store) until the store is up: /metrics says so, or without
        HTTP, the store_available line is logged. env: added to the tracker's environment."""
        self.dir = tempfile.TemporaryDirectory(prefix="shoal-tracker-it-")
        self.redis = None
        if store_url is None and store_kind() == "redis":
            from redis_harness import RedisServer
            try:
                self.redis = RedisServer()
            except BaseException:
                self.dir.cleanup()
                raise
            store_url = self.redis.url
        self.store_url = store_url
        if store_url:
            config = with_store_url(config, store_url)
        self.config_path = os.path.join(self.dir.name, "tracker.toml")
        with open(self.config_path, "w") as f:
            f.write(config)
        cmd = [binary, "--config", self.config_path, "--http", http, "--udp", udp,
               "--threads", "2", *args]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     preexec_fn=die_with_parent,
                                     env=dict(os.environ, **env) if env else None)
        # stderr is drained all along, so a chatty tracker never blocks on a full pipe.
        self._stderr = []
        self._stderr_lock = threading.Lock()
        self._stderr_reader = threading.Thread(target=self._drain_stderr, daemon=True)
        self._stderr_reader.start()
        self.http_port = None
        self.udp_port = None
        self.http_host = None
        self.udp_host = None
        want = (http not in ("", "off")) + (udp not in ("", "off"))
        got = 0
        # The tracker prints its ports at once; a stuck start is killed after 10 s.
        watchdog = threading.Timer(10, self.proc.kill)
        watchdog.start()
        while got < want:
            line = self.proc.stdout.readline().decode()
            if not line:
                watchdog.cancel()
                self.proc.wait()
                message = "tracker exited: " + self.stderr_text()
                self._release()
                raise RuntimeError(message)
            parts = line.split()
            if len(parts) == 3 and parts[0] == "listening":
                host, port = parts[2].rsplit(":", 1)
                host = host.strip("[]")
                if parts[1] == "http":
                    self.http_host, self.http_port = host, int(port)
                else:
                    self.udp_host, self.udp_port = host, int(port)
                got += 1
        watchdog.cancel()
        if store_url and wait_store:
            try:
                self.wait_store_up()
            except BaseException:
                self._release()
                raise

    def wait_store_up(self, timeout=10):
        end = time.time() + timeout
        if self.http_port:
            up = lambda: self.metrics().get("shoal_tracker_store_up") == 1  # noqa: E731
        else:
            up = lambda: bool(self.log_lines("store_available"))  # noqa: E731
        while not up():
            if time.time() > end:
                raise RuntimeError("the tracker's store is not up after %d s" % timeout)
            time.sleep(0.02)

    def path(self, name):
        return os.path.join(self.dir.name, name)

    def signal(self, signo):
        self.proc.send_signal(signo)

    def stop(self, timeout=10):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise RuntimeError("tracker did not stop on SIGTERM")
        return rc

    def _drain_stderr(self):
        for line in iter(self.proc.stderr.readline, b""):
            with self._stderr_lock:
                self._stderr.append(line.decode(errors="replace"))

    def stderr_text(self):
        """Everything written to stderr; all of it once the process has ended."""
        if self.proc.poll() is not None:
            self._stderr_reader.join(timeout=5)
        with self._stderr_lock:
            return "".join(self._stderr)

    def log_lines(self, event):
        """The stderr lines logged so far with event=EVENT."""
        with self._stderr_lock:
            return [l for l in self._stderr if (" event=%s " % event) in l
                    or l.rstrip("\n").endswith(" event=" + event)]

    @property
    def pid(self):
        return self.proc.pid

    def rss_kib(self):
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        raise RuntimeError("no VmRSS")

    def metrics(self):
        """/metrics as {'name{labels}': value}."""
        status, body = self.http_get("/metrics")
        assert status == 200, (status, body)
        out = {}
        for line in body.decode().splitlines():
            if line and not line.startswith("#"):
                name, value = line.rsplit(" ", 1)
                out[name] = float(value)
        return out

    def _release(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.redis is not None:
            self.redis.close()
            self.redis = None
        self.dir.cleanup()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._release()

    # ---- HTTP ----
    def http_get(self, target, headers=None, conn=None):
        own = conn is None
        if own:
            conn = http.client.HTTPConnection(self.http_host, self.http_port, timeout=10)
        conn.request("GET", target, headers=headers or {})
        resp = conn.getresponse()
        body = resp.read()
        if own:
            conn.close()
        return resp.status, body

    def announce(self, info_hash, peer_id, port, left=0, event=None, extra="", prefix="",
                 headers=None, conn=None):
        q = {"info_hash": info_hash, "peer_id": peer_id, "port": str(port),
             "uploaded": "0", "downloaded": "0", "left": str(left)}
        if event:
            q["event"] = event
        target = prefix + "/announce?" + urllib.parse.urlencode(q) + extra
        status, body = self.http_get(target, headers=headers, conn=conn)
        assert status == 200, (status, body)
        return bdecode(body)

    def scrape(self, hashes, prefix=""):
        target = prefix + "/scrape?" + "&".join(
            "info_hash=" + urllib.parse.quote_from_bytes(h) for h in hashes)
        status, body = self.http_get(target)
        assert status == 200, (status, body)
        return bdecode(body)


def store_kind():
    kind = os.environ.get("SHOAL_TRACKER_STORE", "memory") or "memory"
    if kind not in ("memory", "redis"):
        raise ValueError("SHOAL_TRACKER_STORE must be memory or redis, not %r" % kind)
    return kind


def with_store_url(config, url):
    """config (TOML text) with [store] url = URL, in the [store] table if it has one."""
    line = 'url = "%s"\n' % url
    lines = config.splitlines(keepends=True)
    for i, l in enumerate(lines):
        if l.strip() == "[store]":
            lines.insert(i + 1, line)
            return "".join(lines)
    if config and not config.endswith("\n"):
        config += "\n"
    return config + "[store]\n" + line


class UdpClient:
    """A BEP 15 client on one socket."""

    def __init__(self, host, port, family=socket.AF_INET, bind_host="127.0.0.1"):
        self.sock = socket.socket(family, socket.SOCK_DGRAM)
        self.sock.bind((bind_host, 0))
        self.sock.settimeout(3)
        self.addr = (host, port)

    def close(self):
        self.sock.close()

    def request(self, packet):
        self.sock.sendto(packet, self.addr)
        return self.sock.recv(4096)

    def connect(self):
        tx = random.getrandbits(32)
        reply = self.request(struct.pack(">QII", PROTOCOL_ID, 0, tx))
        action, rtx, cid = struct.unpack(">IIQ", reply)
        assert action == 0 and rtx == tx, reply
        return cid

    def announce_packet(self, cid, info_hash, peer_id, port, left=0, event=0, numwant=-1,
                        url_data=b"", tx=None):
        tx = random.getrandbits(32) if tx is None else tx
        p = struct.pack(">QII20s20sQQQIIIiH", cid, 1, tx, info_hash, peer_id, 0, left, 0,
                        event, 0, 0, numwant, port)
        while url_data:
            chunk, url_data = url_data[:255], url_data[255:]
            p += bytes([2, len(chunk)]) + chunk
        return p, tx

    def announce(self, cid, info_hash, peer_id, port, left=0, event=0, numwant=-1,
                 url_data=b"", v6=False):
        p, tx = self.announce_packet(cid, info_hash, peer_id, port, left, event, numwant,
                                     url_data)
        reply = self.request(p)
        action, rtx = struct.unpack(">II", reply[:8])
        assert rtx == tx
        if action == 3:
            return {"error": reply[8:].decode()}
        interval, leechers, seeders = struct.unpack(">III", reply[8:20])
        stride = 18 if v6 else 6
        peers = []
        for i in range(20, len(reply), stride):
            chunk = reply[i:i + stride]
            ip = socket.inet_ntop(socket.AF_INET6 if v6 else socket.AF_INET, chunk[:-2])
            peers.append((ip, struct.unpack(">H", chunk[-2:])[0]))
        return {"interval": interval, "leechers": leechers, "seeders": seeders,
                "peers": peers, "size": len(reply)}

    def scrape(self, cid, hashes):
        tx = random.getrandbits(32)
        reply = self.request(struct.pack(">QII", cid, 2, tx) + b"".join(hashes))
        action, rtx = struct.unpack(">II", reply[:8])
        assert rtx == tx
        if action == 3:
            return {"error": reply[8:].decode()}
        return [struct.unpack(">III", reply[i:i + 12]) for i in range(8, len(reply), 12)]


def compact_peers(blob):
    return [(socket.inet_ntoa(blob[i:i + 4]), struct.unpack(">H", blob[i + 4:i + 6])[0])
            for i in range(0, len(blob), 6)]


def random_hash():
    return os.urandom(20)


def peer_id(n):
    return ("-SH0001-%012d" % n).encode()


def lt_session(lt, address="127.0.0.1"):
    """A libtorrent session on ADDRESS for tracker tests: trackers only (no DHT, LSD, port
    mapping or uTP), several peers per address, choking re-decided every second."""
    return lt.session({
        "listen_interfaces": address + ":0",
        "enable_dht": False,
        "enable_lsd": False,
        "enable_upnp": False,
        "enable_natpmp": False,
        "enable_outgoing_utp": False,
        "enable_incoming_utp": False,
        "allow_multiple_connections_per_ip": True,
        "announce_to_all_tiers": True,
        # Otherwise libtorrent refuses to scrape a tracker on localhost (only /announce).
        "ssrf_mitigation": False,
        # Re-decide choking every second, so a newly interested peer waits ~1 s, not ~15 s.
        "unchoke_interval": 1,
        "alert_mask": lt.alert.category_t.error_notification
        | lt.alert.category_t.tracker_notification
        | lt.alert.category_t.status_notification,
    })

"""Integration tests of the shoal-tracker binary: python3 tracker_it.py BINARY SCENARIO.

With SHOAL_TRACKER_STORE=redis every tracker runs on its own private redis-server (see
tracker_harness.py); the few checks that differ with that store say so where they are.
"""

import json
import os
import select
import signal
import socket
import struct
import subprocess
import sys
import time

from tracker_harness import (Tracker, UdpClient, bdecode, compact_peers, peer_id,
                             random_hash, store_kind)

FAST = "[announce]\ninterval = 60\ninterval_jitter = 0\nmin_interval = 30\npeer_timeout = 90\n"


def check(cond, message):
    if not cond:
        raise AssertionError(message)


def scenario_http(binary):
    with Tracker(binary, FAST) as t:
        h = random_hash()
        r1 = t.announce(h, peer_id(1), 7001, left=0, event="started")
        check(b"failure reason" not in r1, r1)
        check(r1[b"interval"] == 60 and r1[b"min interval"] == 30, r1)
        check(compact_peers(r1[b"peers"]) == [], "first peer sees nobody")
        r2 = t.announce(h, peer_id(2), 7002, left=100, event="started")
        check(compact_peers(r2[b"peers"]) == [("127.0.0.1", 7001)], r2)
        check(r2[b"complete"] == 1 and r2[b"incomplete"] == 1, r2)
        # A seed is not sent to a seed; the leecher is.
        r3 = t.announce(h, peer_id(3), 7003, left=0)
        check(compact_peers(r3[b"peers"]) == [("127.0.0.1", 7002)], r3)
        # Dictionary form.
        d = t.announce(h, peer_id(4), 7004, left=5, extra="&compact=0")
        ports = sorted(p[b"port"] for p in d[b"peers"])
        check(ports == [7001, 7002, 7003], d)
        # Neither store keeps peer ids, so non-compact replies have none.
        check(all(p[b"ip"] == b"127.0.0.1" and b"peer id" not in p for p in d[b"peers"]), d)
        # completed counts a download, stopped removes the peer.
        t.announce(h, peer_id(2), 7002, left=0, event="completed")
        s = t.scrape([h])[b"files"][h]
        check(s == {b"complete": 3, b"incomplete": 1, b"downloaded": 1}, s)
        t.announce(h, peer_id(4), 7004, left=5, event="stopped")
        s = t.scrape([h])[b"files"][h]
        check(s[b"incomplete"] == 0, s)
        # Several hashes in one scrape.
        other = random_hash()
        t.announce(other, peer_id(9), 7009, left=1)
        files = t.scrape([h, other])[b"files"]
        check(files[other][b"incomplete"] == 1 and files[h][b"complete"] == 3, files)
        # Refusals carry a failure reason.
        status, body = t.http_get("/announce?info_hash=abc&peer_id=x&port=1")
        check(status == 200 and b"failure reason" in bdecode(body), body)
        status, body = t.http_get("/announce?info_hash=" + "%41" * 20 + "&peer_id=" + "B" * 20)
        check(bdecode(body)[b"failure reason"] == b"missing port", body)
        status, body = t.http_get("/scrape")
        check(b"failure reason" in bdecode(body), "full scrape is off by default")
        check(t.http_get("/nope")[0] == 404, "unknown path")
        # Keep-alive: many requests on one connection.
        import http.client
        conn = http.client.HTTPConnection(t.http_host, t.http_port, timeout=5)
        for i in range(50):
            r = t.announce(h, peer_id(100 + i), 8000 + i, left=1, conn=conn)
            check(b"failure reason" not in r, r)
        conn.close()
        # numwant defaults to 50 and is capped.
        r = t.announce(h, peer_id(999), 9999, left=1)
        check(len(r[b"peers"]) == 6 * 50, len(r[b"peers"]))
        r = t.announce(h, peer_id(999), 9999, left=1, extra="&numwant=5")
        check(len(r[b"peers"]) == 6 * 5, len(r[b"peers"]))
        # Metrics and stats.
        status, body = t.http_get("/metrics")
        text = body.decode()
        check(status == 200 and 'shoal_tracker_announces_total{protocol="http"}' in text, text)
        status, body = t.http_get("/stats")
        stats = json.loads(body)
        check(stats["announces"]["http"] == 59, stats)
        if store_kind() == "memory":
            # Torrent totals are the in-memory store's; a Redis store is shared with other
            # instances and this one does not count its torrents.
            check("shoal_tracker_torrents 2" in text, text)
            check(stats["torrents"] == 2, stats)
        else:
            check("shoal_tracker_store_up 1" in text, text)
        check(t.stop() == 0, "exit code after SIGTERM")


def scenario_udp(binary):
    with Tracker(binary, FAST) as t:
        h = random_hash()
        a = UdpClient(t.udp_host, t.udp_port)
        b = UdpClient(t.udp_host, t.udp_port)
        ca = a.connect()
        r = a.announce(ca, h, peer_id(1), 6001, left=0, event=2)
        check(r.get("interval") == 60 and r["seeders"] == 1 and r["peers"] == [], r)
        cb = b.connect()
        r = b.announce(cb, h, peer_id(2), 6002, left=10, event=2)
        check(r["peers"] == [("127.0.0.1", 6001)] and r["leechers"] == 1, r)
        # The id is bound to the address it was issued to, not the port (a NAT may rebind
        # it; libtorrent shares one id among the sessions of a process).
        r = b.announce(ca, h, peer_id(2), 6002, left=10)
        check(r.get("peers") == [("127.0.0.1", 6001)] and r["leechers"] == 1, r)
        elsewhere = UdpClient(t.udp_host, t.udp_port, bind_host="127.0.0.2")
        r = elsewhere.announce(ca, h, peer_id(2), 6002, left=10)
        check(r.get("error") == "bad connection id", r)
        elsewhere.close()
        r = a.announce(ca ^ 1, h, peer_id(1), 6001)
        check(r.get("error") == "bad connection id", r)
        # Scrape, completed and stopped.
        b.announce(cb, h, peer_id(2), 6002, left=0, event=1)
        counts = a.scrape(ca, [h, random_hash()])
        check(counts == [(2, 1, 0), (0, 0, 0)], counts)
        b.announce(cb, h, peer_id(2), 6002, left=0, event=3)
        check(a.scrape(ca, [h]) == [(1, 1, 0)], "stopped removes")
        # HTTP and UDP share the store.
        r = t.announce(h, peer_id(3), 6003, left=5)
        check(compact_peers(r[b"peers"]) == [("127.0.0.1", 6001)], r)
        # Replies fit one datagram even when many peers are asked for.
        for i in range(300):
            c = UdpClient(t.udp_host, t.udp_port)
            cid = c.connect()
            c.announce(cid, h, peer_id(10 + i), 10000 + i, left=1)
            c.close()
        r = a.announce(ca, h, peer_id(1), 6001, left=0, numwant=5000)
        check(r["size"] <= 1452 and len(r["peers"]) == 200, r["size"])
        a.close()
        b.close()
        check(t.stop() == 0, "exit code after SIGTERM")
    # IPv6: 18-byte peers.
    try:
        socket.socket(socket.AF_INET6, socket.SOCK_DGRAM).bind(("::1", 0))
    except OSError:
        print("no IPv6 loopback; skipping the IPv6 part")
        return
    with Tracker(binary, FAST, http="off", udp="[::1]:0") as t:
        h = random_hash()
        a = UdpClient("::1", t.udp_port, socket.AF_INET6, "::1")
        b = UdpClient("::1", t.udp_port, socket.AF_INET6, "::1")
        a.announce(a.connect(), h, peer_id(1), 6001, left=0, v6=True)
        r = b.announce(b.connect(), h, peer_id(2), 6002, left=3, v6=True)
        check(r["peers"] == [("::1", 6001)] and r["size"] == 38, r)
        a.close()
        b.close()
        check(t.stop() == 0, "exit code after SIGTERM")


def scenario_robustness(binary):
    cfg = FAST + "[http]\nrequest_timeout = 2\nmax_connections = 40\nmax_header_bytes = 2048\n"
    with Tracker(binary, cfg) as t:
        h = random_hash()
        # Garbage and truncated datagrams.
        junk = UdpClient(t.udp_host, t.udp_port)
        junk.sock.settimeout(0.05)
        cid = junk.connect()
        good, _ = junk.announce_packet(cid, h, peer_id(1), 5000)
        packets = [b"", b"\x00", os.urandom(15), os.urandom(16), os.urandom(200),
                   os.urandom(1400), good[:50], good[:97], good + b"\x02\xff" + b"x" * 10,
                   struct.pack(">QII", 0x41727101980, 2, 1), struct.pack(">QII", 1, 9, 1)]
        for i in range(2000):
            packets.append(os.urandom(i % 120))
        for p in packets:
            junk.sock.sendto(p, junk.addr)
        junk.sock.settimeout(0.2)
        try:
            while True:
                reply = junk.sock.recv(4096)
                check(len(reply) <= 1452, "reply too large")
        except socket.timeout:
            pass
        junk.close()
        c = UdpClient(t.udp_host, t.udp_port)
        r = c.announce(c.connect(), h, peer_id(2), 5002)
        check("interval" in r, "UDP still answers after garbage")
        c.close()

        # Slow, half-open HTTP connections are dropped after the request timeout.
        slow = []
        for _ in range(20):
            s = socket.create_connection((t.http_host, t.http_port))
            s.sendall(b"GET /announce?info_hash=")
            slow.append(s)
        r = t.announce(h, peer_id(3), 5003, left=1)
        check(b"failure reason" not in r, "served while slow clients hang")
        time.sleep(3)
        for s in slow:
            s.settimeout(2)
            try:
                data = s.recv(100)
            except ConnectionResetError:
                data = b""
            check(data == b"", "slow connection still open after the timeout")
            s.close()

        # Oversized header: refused with 431, server keeps going.
        s = socket.create_connection((t.http_host, t.http_port))
        s.settimeout(5)
        s.sendall(b"GET /announce HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 10000 + b"\r\n\r\n")
        reply = s.recv(200)
        check(reply.startswith(b"HTTP/1.1 431"), reply)
        s.close()
        # Not HTTP at all.
        s = socket.create_connection((t.http_host, t.http_port))
        s.settimeout(5)
        s.sendall(b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03garbage\r\n\r\n")
        reply = s.recv(200)
        check(reply.startswith(b"HTTP/1.1 400"), reply)
        s.close()
        # A body over the limit.
        s = socket.create_connection((t.http_host, t.http_port))
        s.settimeout(5)
        s.sendall(b"POST /announce HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n")
        reply = s.recv(200)
        check(reply.startswith(b"HTTP/1.1 413"), reply)
        s.close()

        # Connection limit (40): of 50 connections stalled in a request the tracker keeps at
        # most 40 and closes the rest at once. (Connections from above that are still closing
        # on its side may take a slot or two for a moment, so "at most" and not "exactly".)
        # They send a first byte because a silent connection is not handed to the tracker
        # before its first bytes arrive (TCP_DEFER_ACCEPT) or the request timeout passes.
        stalled = []
        for _ in range(50):
            s = socket.create_connection((t.http_host, t.http_port))
            s.sendall(b"G")
            stalled.append(s)
        time.sleep(0.5)
        # A closed one reads as end of stream (or a reset); a kept one has nothing to read.
        readable, _, _ = select.select(stalled, [], [], 0.2)
        closed = len(readable)
        check(10 <= closed <= 13, "%d of 50 stalled connections were closed at a limit of 40" % closed)
        for s in stalled:
            s.close()
        time.sleep(0.5)
        r = t.announce(h, peer_id(4), 5004, left=1)
        check(b"failure reason" not in r, "served after the stalled connections left")
        status, body = t.http_get("/stats")
        errors = json.loads(body)["errors"]
        check(errors["timeout"] >= 20 and errors["connection_limit"] >= 1, errors)
        check(errors["http_parse"] >= 3 and errors["bad_packet"] > 0, errors)
        check(t.stop() == 0, "exit code after SIGTERM")


def scenario_access(binary):
    allowed = random_hash()
    later = random_hash()
    import tempfile
    holder = tempfile.TemporaryDirectory(prefix="shoal-tracker-access-")
    d = holder.name
    list_file = os.path.join(d, "allow.txt")
    keys_file = os.path.join(d, "keys.txt")
    with open(list_file, "w") as f:
        f.write("# allowed\n" + allowed.hex() + "\n")
    with open(keys_file, "w") as f:
        f.write("alpha\n")
    cfg = FAST + ('[access]\nmode = "allow"\nlist_file = "%s"\nprivate = true\n'
                  'keys_file = "%s"\n' % (list_file, keys_file))
    with Tracker(binary, cfg) as t:
        r = t.announce(allowed, peer_id(1), 4001)
        check(r.get(b"failure reason") == b"this tracker needs a passkey", r)
        r = t.announce(allowed, peer_id(1), 4001, prefix="/beta")
        check(r.get(b"failure reason") == b"unknown passkey", r)
        r = t.announce(allowed, peer_id(1), 4001, prefix="/alpha")
        check(b"failure reason" not in r, r)
        r = t.announce(later, peer_id(1), 4001, prefix="/alpha")
        check(r.get(b"failure reason") == b"torrent not allowed on this tracker", r)
        # UDP with the passkey in BEP 41 URL data.
        c = UdpClient(t.udp_host, t.udp_port)
        cid = c.connect()
        check("error" in c.announce(cid, allowed, peer_id(2), 4002), "UDP without key")
        r = c.announce(cid, allowed, peer_id(2), 4002, left=1, url_data=b"/alpha/announce")
        check(r.get("peers") == [("127.0.0.1", 4001)], r)
        # SIGHUP reloads both files.
        with open(list_file, "a") as f:
            f.write(later.hex() + "\n")
        with open(keys_file, "w") as f:
            f.write("beta\n")
        t.signal(signal.SIGHUP)
        time.sleep(0.5)
        r = t.announce(later, peer_id(1), 4001, prefix="/beta")
        check(b"failure reason" not in r, r)
        r = t.announce(later, peer_id(1), 4001, prefix="/alpha")
        check(r.get(b"failure reason") == b"unknown passkey", r)
        # A broken list on reload keeps the old one.
        with open(list_file, "w") as f:
            f.write("not a hash\n")
        t.signal(signal.SIGHUP)
        time.sleep(0.5)
        r = t.announce(later, peer_id(1), 4001, prefix="/beta")
        check(b"failure reason" not in r, "old list kept after a bad reload")
        c.close()
        check(t.stop() == 0, "exit code")
        check("reload_failed" in t.stderr_text(), "bad reload is logged")


def scenario_cli(binary):
    out = subprocess.run([binary, "--print-config"], capture_output=True, timeout=10)
    check(out.returncode == 0 and b"[announce]" in out.stdout, out)
    import tempfile
    holder = tempfile.TemporaryDirectory(prefix="shoal-tracker-cli-")
    d = holder.name
    path = os.path.join(d, "c.toml")
    with open(path, "wb") as f:
        f.write(out.stdout)
    again = subprocess.run([binary, "--config", path, "--print-config"], capture_output=True,
                           timeout=10)
    check(again.stdout == out.stdout, "print-config does not round-trip")
    with open(path, "w") as f:
        f.write("[http]\nmax_conections = 5\n")
    bad = subprocess.run([binary, "--config", path], capture_output=True, timeout=10)
    check(bad.returncode != 0 and b"unknown config key 'http.max_conections'" in bad.stderr, bad)
    check(bad.returncode == 2, "a bad config exits with 2, not %d" % bad.returncode)
    # Files the config names are part of it: one that cannot be read is a config error too.
    for table, key in (("access", "list_file"), ("udp", "secret_file")):
        extra = 'mode = "allow"\n' if table == "access" else ""
        with open(path, "w") as f:
            f.write('[%s]\n%s%s = "%s"\n' % (table, extra, key, os.path.join(d, "missing")))
        missing = subprocess.run([binary, "--config", path, "--http", "127.0.0.1:0", "--udp",
                                  "off"], capture_output=True, timeout=10)
        check(missing.returncode == 2 and b"missing" in missing.stderr,
              "%s.%s naming no file: %r" % (table, key, missing))
    flags = subprocess.run([binary, "--http", "127.0.0.1:7777", "--udp", "off",
                            "--print-config"], capture_output=True, timeout=10)
    check(b'http = "127.0.0.1:7777"' in flags.stdout and b'udp = "off"' in flags.stdout, flags)
    # A port already taken is a clear error.
    with Tracker(binary, FAST, udp="off") as t:
        busy = subprocess.run([binary, "--http", "127.0.0.1:%d" % t.http_port, "--udp", "off"],
                              capture_output=True, timeout=10)
        check(busy.returncode == 1 and b"cannot listen on http 127.0.0.1:" in busy.stderr, busy)
    with Tracker(binary, FAST) as t:
        t.signal(signal.SIGINT)
        check(t.stop() == 0, "SIGINT exit code")


def scenario_proxy(binary):
    """X-Real-IP / X-Forwarded-For count only from trusted proxies; `ip` only if configured."""
    h = random_hash()
    with Tracker(binary, FAST) as t:
        t.announce(h, peer_id(1), 3001, left=1, headers={"X-Real-IP": "10.9.9.9"},
                   extra="&ip=10.8.8.8")
        d = t.announce(h, peer_id(2), 3002, left=1, extra="&compact=0")
        check([p[b"ip"] for p in d[b"peers"]] == [b"127.0.0.1"], d)
        check(t.stop() == 0, "exit code")
    cfg = FAST + '[http]\ntrusted_proxies = ["127.0.0.1"]\n'
    with Tracker(binary, cfg) as t:
        t.announce(h, peer_id(1), 3001, left=1, headers={"X-Real-IP": "10.9.9.9"})
        t.announce(h, peer_id(3), 3003, left=1,
                   headers={"X-Forwarded-For": "1.1.1.1, 10.7.7.7"})
        d = t.announce(h, peer_id(2), 3002, left=1, extra="&compact=0")
        ips = sorted(p[b"ip"] for p in d[b"peers"])
        check(ips == [b"10.7.7.7", b"10.9.9.9"], d)
        check(t.stop() == 0, "exit code")
    cfg = FAST.replace("[announce]\n", "[announce]\naccept_ip_param = true\n")
    with Tracker(binary, cfg) as t:
        t.announce(h, peer_id(1), 3001, left=1, extra="&ip=10.8.8.8")
        d = t.announce(h, peer_id(2), 3002, left=1, extra="&compact=0")
        check([p[b"ip"] for p in d[b"peers"]] == [b"10.8.8.8"], d)
        check(t.stop() == 0, "exit code")


SCENARIOS = {
    "http": scenario_http,
    "udp": scenario_udp,
    "robustness": scenario_robustness,
    "access": scenario_access,
    "cli": scenario_cli,
    "proxy": scenario_proxy,
}

if __name__ == "__main__":
    binary, name = sys.argv[1], sys.argv[2]
    start = time.time()
    SCENARIOS[name](binary)
    print("%s passed in %.1f s" % (name, time.time() - start))

"""shoal-tracker instances sharing one Redis swarm store.

    python3 tracker_redis_it.py BINARY SCENARIO

Each scenario starts its own redis-server (redis_harness.RedisServer) and runs inside a
private network namespace (see CMakeLists.txt); everything talks over loopback.

Scenarios:
  swarm          libtorrent peers announcing to different instances (UDP to A, HTTP to B) meet
                 and complete a download; scrapes through either instance count both
  connection_id  a UDP connection id from instance A is accepted by instance B (same secret);
                 an instance without the secret refuses it; other Redis databases are apart
  failover       one instance killed, the other still serves the swarm
  outage         Redis killed and restarted during announces
  stall          Redis frozen (SIGSTOP): requests time out into failures, then recover
  cold_start     a tracker started while Redis is down serves failures, then connects
  start_ready    requests made while the first connection to Redis is being set up wait
  slow           Redis behind a proxy delaying every chunk; a flood of announces is shed
  dropped        Redis closes the tracker's connections; it connects again by itself
  expiry         peers that stop announcing leave announces and scrapes after peer_timeout
  auth           a password, an ACL user (percent-escaped in the url), a wrong password
  tls            rediss:// with a test CA: trusted, untrusted, another host name
  config         start-up refusals that come with a Redis store
"""

import hashlib
import http.client
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

from redis_harness import DelayProxy, RedisServer, make_tls_files
from tracker_harness import (Tracker, UdpClient, bdecode, compact_peers, peer_id,
                             random_hash, with_store_url)

DEADLINE = 110  # seconds for a whole scenario; CTest's limit is 120
UNAVAILABLE = "tracker store unavailable; retry later"
FAST = "[announce]\ninterval = 60\ninterval_jitter = 0\nmin_interval = 30\npeer_timeout = 90\n"
# A request must be answered within this many seconds, failure or not: never a hang.
ANSWER_WITHIN = 2.0


def check(cond, message):
    if not cond:
        raise AssertionError(message)


def wait_for(predicate, timeout, what, step=0.05):
    end = time.time() + timeout
    last = None
    while True:
        last = predicate()
        if last:
            return last
        if time.time() > end:
            raise AssertionError("timed out waiting for %s (last: %r)" % (what, last))
        time.sleep(step)


class Work:
    """A temporary directory for secrets and payloads, removed at the end."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="shoal-tracker-redis-it-")

    def path(self, name):
        return os.path.join(self.dir, name)

    def secret(self, name="secret", size=32):
        path = self.path(name)
        with open(path, "wb") as f:
            f.write(os.urandom(size).hex().encode()[:size])
        return path

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        shutil.rmtree(self.dir, ignore_errors=True)


def store_config(secret_file=None, extra_store="", base=FAST, prefix="shoal-it:"):
    """A config with a [store] table but no url: Tracker(store_url=...) adds that."""
    cfg = base + '[store]\nprefix = "%s"\n%s' % (prefix, extra_store)
    if secret_file:
        cfg += '[udp]\nsecret_file = "%s"\n' % secret_file
    return cfg


def store_up(t):
    return t.metrics().get("shoal_tracker_store_up")


def store_pending(m):
    """shoal_tracker_store_pending summed over its series (one, or one per thread)."""
    name = "shoal_tracker_store_pending"
    values = [v for k, v in m.items() if k == name or k.startswith(name + "{")]
    return sum(values) if values else None


def error_count(t, kind):
    return t.metrics().get('shoal_tracker_errors_total{kind="%s"}' % kind, 0)


def timed(fn, *args, **kwargs):
    start = time.monotonic()
    value = fn(*args, **kwargs)
    return value, time.monotonic() - start


def http_announce(t, info_hash, pid, port, left=0, event=None, timeout=ANSWER_WITHIN + 1):
    """One HTTP announce on a fresh connection; returns (decoded reply, seconds)."""
    q = {"info_hash": info_hash, "peer_id": pid, "port": str(port), "uploaded": "0",
         "downloaded": "0", "left": str(left)}
    if event:
        q["event"] = event
    start = time.monotonic()
    conn = http.client.HTTPConnection(t.http_host, t.http_port, timeout=timeout)
    try:
        conn.request("GET", "/announce?" + urllib.parse.urlencode(q))
        resp = conn.getresponse()
        body = resp.read()
    finally:
        conn.close()
    check(resp.status == 200, (resp.status, body))
    return bdecode(body), time.monotonic() - start


def udp_client(t, timeout=ANSWER_WITHIN + 1):
    c = UdpClient(t.udp_host, t.udp_port)
    c.sock.settimeout(timeout)
    return c


def check_unavailable_http(reply):
    check(reply.get(b"failure reason") == UNAVAILABLE.encode(), reply)
    check(reply.get(b"retry in") == 1, "retry in must be 1: %r" % (reply,))


def scrape_both(a, b, h):
    """(complete, downloaded, incomplete) through A over UDP and through B over HTTP."""
    c = udp_client(a)
    try:
        via_a = c.scrape(c.connect(), [h])
    finally:
        c.close()
    check(not isinstance(via_a, dict), "UDP scrape through A failed: %r" % (via_a,))
    f = b.scrape([h])[b"files"][h]
    return tuple(via_a[0]), (f[b"complete"], f[b"downloaded"], f[b"incomplete"])


# ---------------------------------------------------------------- swarm (libtorrent)

def lt_session(lt, address):
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
        "ssrf_mitigation": False,
        "unchoke_interval": 1,
        "alert_mask": lt.alert.category_t.error_notification
        | lt.alert.category_t.tracker_notification
        | lt.alert.category_t.status_notification,
    })


def make_torrent(lt, payload):
    """A torrent with no tracker in it; each session is given its own."""
    fs = lt.file_storage()
    lt.add_files(fs, payload)
    ct = lt.create_torrent(fs, 1 << 18)
    lt.set_piece_hashes(ct, os.path.dirname(payload))
    return lt.torrent_info(lt.bencode(ct.generate()))


def lt_add(lt, ses, ti, save_path, tracker_url):
    params = lt.add_torrent_params()
    params.ti = lt.torrent_info(ti)
    params.save_path = save_path
    params.trackers = [tracker_url]
    return ses.add_torrent(params)


def tracker_errors(lt, ses, name):
    """Drains alerts; tracker errors fail the test."""
    for alert in ses.pop_alerts():
        if isinstance(alert, lt.tracker_error_alert):
            raise AssertionError("%s: tracker error %s" % (name, alert.message()))


def file_digest(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def scenario_swarm(binary):
    import libtorrent as lt
    with Work() as w, RedisServer() as redis:
        secret = w.secret()
        # A reaches Redis over its Unix socket, B over TCP: the same store either way.
        with Tracker(binary, store_config(secret), store_url=redis.unix_url) as a, \
                Tracker(binary, store_config(secret), store_url=redis.tcp_url) as b:
            seed_dir, leech_dir = w.path("seed"), w.path("leech")
            os.makedirs(seed_dir)
            os.makedirs(leech_dir)
            payload = os.path.join(seed_dir, "payload.bin")
            with open(payload, "wb") as f:
                f.write(os.urandom(3 << 20))
            ti = make_torrent(lt, payload)
            h = bytes.fromhex(str(ti.info_hash()))
            seeder = lt_session(lt, "127.0.0.2")
            seed = lt_add(lt, seeder, ti, seed_dir, "udp://127.0.0.1:%d/announce" % a.udp_port)
            wait_for(lambda: seed.status().is_seeding, 30, "the seeder to check its data")
            seed.force_reannounce()

            def counts_agree(want):
                tracker_errors(lt, seeder, "seeder")
                got = scrape_both(a, b, h)
                return got if got == (want, want) else None
            # The seeder announced to A only; B counts it too.
            wait_for(lambda: counts_agree((1, 0, 0)), 20, "the seeder in both scrapes")

            leecher = lt_session(lt, "127.0.0.3")
            leech = lt_add(lt, leecher, ti, leech_dir,
                           "http://127.0.0.1:%d/announce" % b.http_port)
            target = os.path.join(leech_dir, "payload.bin")
            expected = file_digest(payload)

            def downloaded():
                tracker_errors(lt, seeder, "seeder")
                tracker_errors(lt, leecher, "leecher")
                return (leech.status().is_seeding and os.path.getsize(target) == 3 << 20
                        and file_digest(target) == expected)
            wait_for(downloaded, 60, "the leecher to download the payload", step=0.2)
            # The leecher reports `completed` to B: two seeds, one download, through A and B.
            wait_for(lambda: counts_agree((2, 1, 0)), 20, "both scrapes to count the download",
                     step=0.2)
            # The sessions end (and send their stopped announces) while the trackers run.
            del leech, seed
            del leecher, seeder
            check(a.stop() == 0 and b.stop() == 0, "exit codes after SIGTERM")


# ---------------------------------------------------------------- connection ids, databases

def scenario_connection_id(binary):
    with Work() as w, RedisServer() as redis:
        secret = w.secret()
        other_secret = w.secret("other")
        with Tracker(binary, store_config(secret), store_url=redis.url) as a, \
                Tracker(binary, store_config(secret), store_url=redis.url) as b, \
                Tracker(binary, store_config(other_secret), store_url=redis.url) as c:
            h = random_hash()
            to_a = udp_client(a)
            cid = to_a.connect()
            r = to_a.announce(cid, h, peer_id(1), 6001, left=0, event=2)
            check(r.get("seeders") == 1 and r["peers"] == [], r)
            # The same id, from the same address, to B.
            to_b = udp_client(b)
            r = to_b.announce(cid, h, peer_id(2), 6002, left=10, event=2)
            check(r.get("peers") == [("127.0.0.1", 6001)], "B refused A's id: %r" % (r,))
            check(r["seeders"] == 1 and r["leechers"] == 1, r)
            counts = to_b.scrape(cid, [h])
            check(counts == [(1, 0, 1)], counts)
            # A tampered id, and A's id at an instance with another secret, are refused.
            check(to_b.announce(cid ^ 1, h, peer_id(2), 6002).get("error") == "bad connection id",
                  "B accepts a tampered id")
            to_c = udp_client(c)
            r = to_c.announce(cid, h, peer_id(3), 6003)
            check(r.get("error") == "bad connection id",
                  "an instance with another secret accepts A's id: %r" % (r,))
            # The id stays bound to the client's address at B too.
            elsewhere = UdpClient(b.udp_host, b.udp_port, bind_host="127.0.0.2")
            r = elsewhere.announce(cid, h, peer_id(4), 6004)
            check(r.get("error") == "bad connection id", r)
            elsewhere.close()
            # B's ids work at A as well.
            cid_b = to_b.connect()
            r = to_a.announce(cid_b, h, peer_id(1), 6001, left=0)
            check(r.get("peers") == [("127.0.0.1", 6002)], r)
            # HTTP to C sees the swarm the UDP peers built through A and B.
            reply = c.announce(h, peer_id(5), 6005, left=1)
            check(sorted(compact_peers(reply[b"peers"])) == [("127.0.0.1", 6001),
                                                              ("127.0.0.1", 6002)], reply)
            for x in (to_a, to_b, to_c):
                x.close()
            check(all(t.stop() == 0 for t in (a, b, c)), "exit codes after SIGTERM")
        # Another database, or another prefix, of the same Redis is another store.
        db1 = redis.tcp_url[:-2] + "/1"
        db1_unix = redis.unix_url + "?db=1"
        with Tracker(binary, store_config(), store_url=redis.url) as zero, \
                Tracker(binary, store_config(), store_url=db1) as one, \
                Tracker(binary, store_config(), store_url=db1_unix) as one_unix, \
                Tracker(binary, store_config(prefix="other:"), store_url=redis.url) as other:
            h = random_hash()
            zero.announce(h, peer_id(1), 7001, left=0)
            r = one.announce(h, peer_id(2), 7002, left=1)
            check(compact_peers(r[b"peers"]) == [], "database 1 sees database 0: %r" % (r,))
            r = one_unix.announce(h, peer_id(3), 7003, left=1)
            check(compact_peers(r[b"peers"]) == [("127.0.0.1", 7002)],
                  "unix://...?db=1 is not database 1: %r" % (r,))
            r = other.announce(h, peer_id(4), 7004, left=1)
            check(compact_peers(r[b"peers"]) == [], "prefix other: sees shoal-it: %r" % (r,))
            check(redis.dbsize(0) > 0 and redis.dbsize(1) > 0, "keys in both databases")
            with redis.client() as rc:
                keys = rc.command("KEYS", "*")
            check(keys and all(k.startswith((b"shoal-it:", b"other:")) for k in keys),
                  "keys outside the prefixes: %r" % (keys[:10],))
            check(any(k.startswith(b"other:") for k in keys), "nothing under other:")


# ---------------------------------------------------------------- failover

def scenario_failover(binary):
    with Work() as w, RedisServer() as redis:
        secret = w.secret()
        with Tracker(binary, store_config(secret), store_url=redis.url) as a, \
                Tracker(binary, store_config(secret), store_url=redis.url) as b:
            h = random_hash()
            to_a = udp_client(a)
            cid = to_a.connect()
            to_a.announce(cid, h, peer_id(1), 6001, left=0, event=2)
            a.announce(h, peer_id(2), 6002, left=5, event="started")
            a.proc.kill()
            a.proc.wait()
            # B has the peers A stored, over both protocols, with the id A issued.
            to_b = udp_client(b)
            r = to_b.announce(cid, h, peer_id(3), 6003, left=5)
            check(sorted(r.get("peers", [])) == [("127.0.0.1", 6001), ("127.0.0.1", 6002)], r)
            reply, took = http_announce(b, h, peer_id(4), 6004, left=0)
            check(sorted(compact_peers(reply[b"peers"])) ==
                  [("127.0.0.1", 6002), ("127.0.0.1", 6003)], reply)
            f = b.scrape([h])[b"files"][h]
            check((f[b"complete"], f[b"incomplete"]) == (2, 2), f)
            check(store_up(b) == 1, "B's store is up")
            to_a.close()
            to_b.close()
            check(b.stop() == 0, "exit code after SIGTERM")


# ---------------------------------------------------------------- outage

class Announcer:
    """Announces over HTTP and UDP in a loop from a thread, recording every outcome."""

    def __init__(self, t, h):
        self.t, self.h = t, h
        self.results = []  # (protocol, kind, detail, seconds); kind: ok, unavailable, other
        self.stop_flag = threading.Event()
        self.failure = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        n = 0
        try:
            while not self.stop_flag.is_set():
                n += 1
                reply, took = http_announce(self.t, self.h, peer_id(500 + n % 7), 5500 + n % 7,
                                            left=1)
                if b"failure reason" not in reply:
                    self.results.append(("http", "ok", None, took))
                elif reply[b"failure reason"] == UNAVAILABLE.encode():
                    check_unavailable_http(reply)
                    self.results.append(("http", "unavailable", None, took))
                else:
                    self.results.append(("http", "other", reply, took))
                c = udp_client(self.t)
                try:
                    cid, took_connect = timed(c.connect)
                    r, took = timed(c.announce, cid, self.h, peer_id(600 + n % 7), 5600 + n % 7,
                                    left=1)
                finally:
                    c.close()
                kind = "ok" if "interval" in r else \
                    "unavailable" if r.get("error") == UNAVAILABLE else "other"
                self.results.append(("udp", kind, r if kind == "other" else None,
                                     max(took, took_connect)))
                time.sleep(0.02)
        except BaseException as e:  # a timeout is a hang: reported by stop()
            self.failure = e

    def kinds(self):
        """The outcomes so far; raises at once if a request went unanswered."""
        if self.failure is not None:
            raise AssertionError("a request was not answered: %r" % (self.failure,))
        return [r[1] for r in list(self.results)]

    def stop(self):
        self.stop_flag.set()
        self.thread.join(timeout=10)
        check(not self.thread.is_alive(), "announcer thread stuck")
        if self.failure is not None:
            raise AssertionError("a request was not answered: %r" % (self.failure,))
        others = [r for r in self.results if r[1] == "other"]
        check(not others, "unexpected replies: %r" % (others[:5],))
        slow = [r for r in self.results if r[3] > ANSWER_WITHIN]
        check(not slow, "requests answered after more than %.1f s: %r" % (ANSWER_WITHIN, slow[:5]))
        return self.results


def wait_metric(t, name, value, timeout, what):
    return wait_for(lambda: t.metrics().get(name) == value, timeout, what)


def scenario_outage(binary):
    with Work() as w, RedisServer() as redis:
        cfg = store_config(w.secret(), extra_store="timeout_ms = 2000\n")
        with Tracker(binary, cfg, store_url=redis.url) as t:
            wait_metric(t, "shoal_tracker_store_up", 1, 5, "store_up 1 at start")
            check(store_pending(t.metrics()) is not None, "no store_pending metric")
            h = random_hash()
            t.announce(h, peer_id(1), 7001, left=0, event="started")
            c = udp_client(t)
            r = c.announce(c.connect(), h, peer_id(2), 7002, left=5, event=2)
            check(r.get("peers") == [("127.0.0.1", 7001)], r)
            c.close()
            down_before = len(t.log_lines("store_unavailable"))
            up_before = len(t.log_lines("store_available"))
            errors_before = error_count(t, "store_unavailable")

            announcer = Announcer(t, h)
            wait_for(lambda: announcer.kinds().count("ok") >= 4, 10, "announces before the outage")
            redis.stop()
            wait_for(lambda: announcer.kinds()[-4:] == ["unavailable"] * 4, 10,
                     "announces to fail with %r" % UNAVAILABLE)
            check(store_up(t) == 0, "store_up is not 0 while Redis is down")
            # Scrapes fail the same way, over both protocols.
            s = bdecode(t.http_get("/scrape?info_hash=" + urllib.parse.quote_from_bytes(h))[1])
            check_unavailable_http(s)
            c = udp_client(t)
            check(c.scrape(c.connect(), [h]) == {"error": UNAVAILABLE}, "UDP scrape")
            c.close()
            # Longer than the largest reconnect backoff (2 s): several failed attempts.
            outage_end = time.time() + 3
            wait_for(lambda: time.time() > outage_end, 5, "the outage to last")
            check(len(t.log_lines("store_unavailable")) == down_before + 1,
                  "want one store_unavailable line, got: %r" % t.log_lines("store_unavailable"))
            check(len(t.log_lines("store_available")) == up_before, "store_available while down")
            check(error_count(t, "store_unavailable") > errors_before,
                  "errors_total{kind=store_unavailable} did not grow")

            redis.start()
            # Reconnects by itself: within the backoff (2 s) and a margin.
            restart = time.monotonic()
            wait_for(lambda: announcer.kinds()[-4:] == ["ok"] * 4, 8, "announces to succeed again")
            recovered_after = time.monotonic() - restart
            results = announcer.stop()
            check(store_up(t) == 1, "store_up is not 1 after the restart")
            check(len(t.log_lines("store_available")) == up_before + 1,
                  "want one store_available line, got: %r" % t.log_lines("store_available"))
            check(len(t.log_lines("store_unavailable")) == down_before + 1,
                  "store_unavailable logged again: %r" % t.log_lines("store_unavailable"))
            kinds = [r[1] for r in results]

            # The restarted Redis is empty: peers announce again and find each other.
            h2 = random_hash()
            r = t.announce(h2, peer_id(1), 7001, left=0, event="started")
            check(b"failure reason" not in r and compact_peers(r[b"peers"]) == [], r)
            c = udp_client(t)
            cid = c.connect()
            r = c.announce(cid, h2, peer_id(2), 7002, left=5, event=2)
            check(r.get("peers") == [("127.0.0.1", 7001)], r)
            check(c.scrape(cid, [h2]) == [(1, 0, 1)], "scrape after the restart")
            c.close()
            m = t.metrics()
            check(store_pending(m) == 0, "requests still pending: %r" % store_pending(m))
            print("outage: %d requests, %d failed with the reason, recovered %.1f s after the "
                  "restart" % (len(kinds), kinds.count("unavailable"), recovered_after))
            check(t.stop() == 0, "exit code after SIGTERM")


def scenario_stall(binary):
    """Redis stops answering without closing its connections."""
    with RedisServer() as redis:
        cfg = store_config(extra_store="timeout_ms = 500\n")
        with Tracker(binary, cfg, store_url=redis.url) as t:
            wait_metric(t, "shoal_tracker_store_up", 1, 5, "store_up 1 at start")
            h = random_hash()
            check(b"failure reason" not in t.announce(h, peer_id(1), 7001, left=0), "announce")
            redis.proc.send_signal(signal.SIGSTOP)
            try:
                # Each request fails once it is older than timeout_ms, or at once when the
                # connection is already known to be broken.
                for i in range(6):
                    reply, took = http_announce(t, h, peer_id(2), 7002, left=1)
                    check(took < ANSWER_WITHIN, "answered after %.2f s" % took)
                    check_unavailable_http(reply)
                    c = udp_client(t)
                    r, took = timed(c.announce, c.connect(), h, peer_id(3), 7003, left=1)
                    c.close()
                    check(took < ANSWER_WITHIN and r == {"error": UNAVAILABLE},
                          "UDP during the stall: %r after %.2f s" % (r, took))
                check(store_up(t) == 0, "store_up is not 0 while Redis is frozen")
            finally:
                redis.proc.send_signal(signal.SIGCONT)
            wait_for(lambda: b"failure reason" not in http_announce(t, h, peer_id(2), 7002,
                                                                     left=1)[0],
                     8, "announces to succeed after the stall", step=0.2)
            check(store_up(t) == 1, "store_up after the stall")
            # One outage, one line: a reconnection that reaches the frozen server's listen
            # queue is not the store being back.
            check(len(t.log_lines("store_unavailable")) == 1,
                  "store_unavailable lines: %r" % t.log_lines("store_unavailable"))
            r = t.announce(h, peer_id(4), 7004, left=1)
            ports = {port for _, port in compact_peers(r[b"peers"])}
            # 7003 may be there too: Redis runs what it had received before it froze when it
            # resumes, though the tracker had already answered that announce with a failure.
            check({7001, 7002} <= ports <= {7001, 7002, 7003}, r)
            check(t.stop() == 0, "exit code after SIGTERM")
        # SIGTERM while requests wait for a frozen Redis: the tracker still stops at once.
        cfg = store_config(extra_store="timeout_ms = 10000\n")
        with Tracker(binary, cfg, store_url=redis.url) as t:
            redis.proc.send_signal(signal.SIGSTOP)
            try:
                c = udp_client(t)
                cid = c.connect()
                for i in range(20):
                    p, _ = c.announce_packet(cid, random_hash(), peer_id(i), 8000 + i)
                    c.sock.sendto(p, c.addr)
                c.close()
                wait_for(lambda: store_pending(t.metrics()) == 20, 5, "20 requests pending")
                rc, took = timed(t.stop)
                check(rc == 0 and took < 2, "stopping took %.2f s (exit code %s)" % (took, rc))
            finally:
                redis.proc.send_signal(signal.SIGCONT)


def scenario_cold_start(binary):
    with RedisServer() as redis:
        redis.stop()
        with Tracker(binary, store_config(), store_url=redis.url, wait_store=False) as t:
            h = random_hash()
            reply, took = http_announce(t, h, peer_id(1), 7001, left=0)
            check_unavailable_http(reply)
            check(took < ANSWER_WITHIN, "answered after %.2f s" % took)
            c = udp_client(t)
            check(c.announce(c.connect(), h, peer_id(2), 7002) == {"error": UNAVAILABLE},
                  "UDP before Redis is up")
            c.close()
            check(store_up(t) == 0, "store_up while Redis was never reached")
            redis.start()
            wait_for(lambda: b"failure reason" not in http_announce(t, h, peer_id(1), 7001,
                                                                     left=0)[0],
                     8, "the tracker to reach Redis", step=0.2)
            check(store_up(t) == 1, "store_up once Redis is there")
            r = t.announce(h, peer_id(2), 7002, left=1)
            check(compact_peers(r[b"peers"]) == [("127.0.0.1", 7001)], r)
            check(len(t.log_lines("store_available")) == 1,
                  "store_available lines: %r" % t.log_lines("store_available"))
            check(t.stop() == 0, "exit code after SIGTERM")


def scenario_start_ready(binary):
    """Requests that arrive while the first connection to a healthy Redis is being made wait
    for it: they are not refused as if the store were down. The proxy makes that connection
    take a while (every exchange with Redis costs 0.6 s)."""
    with RedisServer(tcp=False) as redis, DelayProxy(redis.unix_path, 0.3) as proxy:
        with Tracker(binary, store_config(extra_store="timeout_ms = 5000\n"),
                     store_url=proxy.url, wait_store=False) as t:
            h = random_hash()
            c = udp_client(t, timeout=8)
            r, took = timed(c.announce, c.connect(), h, peer_id(1), 7001, left=0)
            c.close()
            check(r.get("error") != UNAVAILABLE, "UDP announce sent right after the tracker "
                  "started listening was refused: %r (after %.2f s)" % (r, took))
            check("interval" in r, r)
            reply, took = http_announce(t, h, peer_id(2), 7002, left=1, timeout=8)
            check(b"failure reason" not in reply, "HTTP announce: %r" % (reply,))
            check(compact_peers(reply[b"peers"]) == [("127.0.0.1", 7001)], reply)
            check(len(t.log_lines("store_unavailable")) == 0,
                  "store_unavailable logged at start: %r" % t.log_lines("store_unavailable"))
            check(t.stop() == 0, "exit code after SIGTERM")


# ---------------------------------------------------------------- slow Redis

FLOOD = 4000
MAX_PENDING = 64
THREADS = 2  # the harness runs the tracker with --threads 2
RSS_GROWTH_LIMIT_KIB = 20 * 1024


def scenario_slow(binary):
    with RedisServer(tcp=False) as redis, DelayProxy(redis.unix_path, 0.3) as proxy:
        cfg = store_config(extra_store="max_pending = %d\ntimeout_ms = 2000\n" % MAX_PENDING)
        with Tracker(binary, cfg, store_url=proxy.url) as t:
            wait_metric(t, "shoal_tracker_store_up", 1, 10, "store_up 1 through the proxy")
            hashes = [random_hash() for _ in range(50)]
            # Warm up: every code path once, then take the idle size.
            for i, h in enumerate(hashes[:4]):
                reply, took = http_announce(t, h, peer_id(i), 9000 + i, left=1)
                check(b"failure reason" not in reply, reply)
                check(took >= 0.5, "the proxy does not delay (%.2f s)" % took)
            idle_kib = t.rss_kib()
            busy_before = error_count(t, "store_busy")

            flooder = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            flooder.bind(("127.0.0.1", 0))
            flooder.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
            flooder.settimeout(3)
            flooder.sendto(struct.pack(">QII", 0x41727101980, 0, 7), (t.udp_host, t.udp_port))
            cid = struct.unpack(">IIQ", flooder.recv(64))[2]
            replies = {}  # tx -> ("ok" | error text, seconds after sending)
            sent_at = {}
            peak = {"rss": idle_kib, "pending": 0, "probe": 0.0}
            last_reply = [time.monotonic()]
            done = threading.Event()

            def receive():
                flooder.settimeout(0.2)
                while not done.is_set() or len(replies) < len(sent_at):
                    try:
                        data = flooder.recv(4096)
                    except socket.timeout:
                        if done.is_set():
                            return
                        continue
                    action, tx = struct.unpack(">II", data[:8])
                    outcome = data[8:].decode(errors="replace") if action == 3 else "ok"
                    replies[tx] = (outcome, time.monotonic() - sent_at.get(tx, 0))
                    last_reply[0] = time.monotonic()

            def watch():
                while not done.is_set():
                    peak["rss"] = max(peak["rss"], t.rss_kib())
                    m, took = timed(t.metrics)
                    peak["probe"] = max(peak["probe"], took)
                    peak["pending"] = max(peak["pending"], store_pending(m) or 0)
                    time.sleep(0.05)

            receiver = threading.Thread(target=receive, daemon=True)
            watcher = threading.Thread(target=watch, daemon=True)
            receiver.start()
            watcher.start()
            try:
                for n in range(FLOOD):
                    h = hashes[n % len(hashes)]
                    p = struct.pack(">QII20s20sQQQIIIiH", cid, 1, n, h, peer_id(10000 + n), 0,
                                    n % 2, 0, 2, 0, 0, 50, 1024 + n % 50000)
                    sent_at[n] = time.monotonic()
                    flooder.sendto(p, (t.udp_host, t.udp_port))
                    if n % 200 == 199:
                        time.sleep(0.01)
                flood_end = time.monotonic()
                # The tracker answers a new client at once while the flood is queued.
                c = udp_client(t)
                cid2, took = timed(c.connect)
                check(took < 0.5, "UDP connect during the flood took %.2f s" % took)
                c.close()
                # Every request is answered, or nothing is left at the store and no answer
                # came for a second (a lost datagram).
                wait_for(lambda: len(replies) >= FLOOD or (
                    time.monotonic() - last_reply[0] > 1.0 and store_pending(t.metrics()) == 0),
                    15, "replies to the flood", step=0.1)
                settle = last_reply[0] - flood_end
            finally:
                done.set()
                receiver.join(timeout=5)
                watcher.join(timeout=5)
                flooder.close()
            outcomes = [o for o, _ in replies.values()]
            ok = outcomes.count("ok")
            refusals = [o for o in outcomes if o != "ok"]
            busy = error_count(t, "store_busy") - busy_before
            texts = sorted(set(refusals))
            print("slow: %d sent, %d answered (%d ok, %d refused: %r), store_busy +%d, "
                  "answered within %.1f s of the last send; peak pending %d, slowest /metrics "
                  "%.2f s, RSS idle %d KiB peak %d KiB"
                  % (FLOOD, len(replies), ok, len(refusals), texts, busy, settle,
                     peak["pending"], peak["probe"], idle_kib, peak["rss"]))
            check(len(replies) >= FLOOD * 0.98, "%d of %d announces unanswered"
                  % (FLOOD - len(replies), FLOOD))
            check(busy > 0, "no store_busy errors counted under the flood")
            check(len(refusals) > 0 and ok > 0, "want both refusals and answers")
            # store_pending also counts, for a moment, requests on their way to be refused.
            check(peak["pending"] <= 2 * MAX_PENDING * THREADS,
                  "store_pending %d, far above max_pending x threads" % peak["pending"])
            check(peak["probe"] < 1.0, "/metrics took %.2f s during the flood" % peak["probe"])
            refused_slowly = [s for o, s in replies.values() if o != "ok" and s > 1.0]
            check(len(refused_slowly) <= len(refusals) // 100,
                  "%d refusals took more than 1 s" % len(refused_slowly))
            check(peak["rss"] - idle_kib < RSS_GROWTH_LIMIT_KIB,
                  "RSS grew by %d KiB" % (peak["rss"] - idle_kib))
            # After the flood: the store is usable again and nothing is left pending.
            wait_for(lambda: store_pending(t.metrics()) == 0, 10, "pending requests to drain")
            reply, took = http_announce(t, hashes[0], peer_id(1), 9100, left=1)
            check(b"failure reason" not in reply, reply)
            check(t.stop() == 0, "exit code after SIGTERM")


def scenario_dropped(binary):
    """Redis closes the tracker's connections (as its idle timeout, CLIENT KILL or a proxy
    restart do): the tracker connects again by itself."""
    with RedisServer() as redis:
        with Tracker(binary, store_config(), store_url=redis.url) as t:
            h = random_hash()
            t.announce(h, peer_id(1), 7001, left=0)
            with redis.client() as rc:
                killed = rc.command("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes")
            check(killed == 2, "want the 2 threads' connections killed, not %r" % killed)
            start = time.monotonic()
            refused = 0
            while True:
                reply, took = http_announce(t, h, peer_id(2), 7002, left=1)
                check(took < ANSWER_WITHIN, "answered after %.2f s" % took)
                if b"failure reason" not in reply:
                    break
                check_unavailable_http(reply)
                refused += 1
                check(time.monotonic() - start < 3, "no connection 3 s after it was closed")
            print("dropped: served again %.3f s after the connections were closed (%d refused)"
                  % (time.monotonic() - start, refused))
            check(compact_peers(reply[b"peers"]) == [("127.0.0.1", 7001)], reply)
            wait_metric(t, "shoal_tracker_store_up", 1, 3, "store_up 1 again")
            check(len(t.log_lines("store_unavailable")) == 1,
                  "store_unavailable lines: %r" % t.log_lines("store_unavailable"))
            check(len(t.log_lines("store_available")) == 2,
                  "store_available lines: %r" % t.log_lines("store_available"))
            check(t.stop() == 0, "exit code after SIGTERM")


def scenario_expiry(binary):
    """Peers that stop announcing leave the swarm after peer_timeout, in announces and
    scrapes through every instance alike."""
    cfg = "[announce]\ninterval = 10\ninterval_jitter = 0\nmin_interval = 5\npeer_timeout = 11\n"
    with Work() as w, RedisServer() as redis:
        secret = w.secret()
        with Tracker(binary, store_config(secret, base=cfg), store_url=redis.url) as a, \
                Tracker(binary, store_config(secret, base=cfg), store_url=redis.url) as b:
            h = random_hash()
            a.announce(h, peer_id(1), 7001, left=0, event="started")
            a.announce(h, peer_id(2), 7002, left=5, event="started")
            first = time.monotonic()
            f = b.scrape([h])[b"files"][h]
            check((f[b"complete"], f[b"incomplete"]) == (1, 1), f)
            # Peer 2 keeps announcing (through B); peer 1 does not.
            while time.monotonic() - first < 13:
                r = b.announce(h, peer_id(2), 7002, left=5)
                check(b"failure reason" not in r, r)
                time.sleep(1)
            r = a.announce(h, peer_id(3), 7003, left=5)
            check(compact_peers(r[b"peers"]) == [("127.0.0.1", 7002)],
                  "peer 1 has not expired: %r" % (r,))
            check(r[b"complete"] == 0 and r[b"incomplete"] == 2, r)
            for t in (a, b):
                f = t.scrape([h])[b"files"][h]
                check((f[b"complete"], f[b"incomplete"]) == (0, 2),
                      "scrape counts an expired peer: %r" % (f,))
            check(a.stop() == 0 and b.stop() == 0, "exit codes after SIGTERM")
        # Nothing is kept for good: every key of the store expires.
        with redis.client() as rc:
            keys = rc.command("KEYS", "*")
            ttls = {k: rc.command("TTL", k) for k in keys}
        check(keys and all(0 < ttl <= 11 + 1 for ttl in ttls.values()),
              "keys without a bounded TTL: %r" % ttls)


# ---------------------------------------------------------------- credentials and TLS

def refused_for(t, seconds, h):
    """Announces for SECONDS (longer than the reconnect backoff); each must be refused with
    the store's reason, at once."""
    end = time.time() + seconds
    n = 0
    while time.time() < end:
        reply, took = http_announce(t, h, peer_id(90), 9090, left=1)
        check_unavailable_http(reply)
        check(took < ANSWER_WITHIN, "answered after %.2f s" % took)
        n += 1
        time.sleep(0.1)
    check(store_up(t) == 0, "store_up while the store cannot be used")
    return n


def scenario_auth(binary):
    password = "pa:ss@w/rd%"  # every character a URL must escape in its user-info
    with RedisServer(password=password) as redis:
        with redis.client() as rc:
            rc.command("ACL", "SETUSER", "shoal", "on", ">user-pw", "~*", "+@all")
        quoted = urllib.parse.quote(password, safe="")
        urls = ["redis://:%s@127.0.0.1:%d/0" % (quoted, redis.port),
                "redis://shoal:user-pw@127.0.0.1:%d/0" % redis.port]
        h = random_hash()
        for i, url in enumerate(urls):
            with Tracker(binary, store_config(), store_url=url) as t:
                r = t.announce(h, peer_id(i), 7000 + i, left=0)
                check(b"failure reason" not in r, "%s: %r" % (url, r))
                check(r[b"complete"] == i + 1, "%s: %r" % (url, r))
                check(t.stop() == 0, "exit code after SIGTERM")
                log = t.stderr_text()
                check(password not in log and quoted not in log and "user-pw" not in log,
                      "a password is in the log: %s" % log)
        wrong = "redis://:wrong-pw@127.0.0.1:%d/0" % redis.port
        with Tracker(binary, store_config(), store_url=wrong, wait_store=False) as t:
            refused_for(t, 2.5, h)
            check(t.stop() == 0, "exit code after SIGTERM")
            check("wrong-pw" not in t.stderr_text(), "the password is in the log")


def scenario_tls(binary):
    with Work() as w:
        files = make_tls_files(w.dir)
        with RedisServer(tls=files) as redis:
            url = redis.tcp_url
            check(url.startswith("rediss://"), url)
            # OpenSSL's default verify paths follow SSL_CERT_FILE: the test CA is trusted.
            trusted = {"SSL_CERT_FILE": files["ca_file"], "SSL_CERT_DIR": w.path("none")}
            with Tracker(binary, store_config(), store_url=url, env=trusted) as t:
                h = random_hash()
                t.announce(h, peer_id(1), 7001, left=0)
                r = t.announce(h, peer_id(2), 7002, left=1)
                check(compact_peers(r[b"peers"]) == [("127.0.0.1", 7001)], r)
                check(redis.dbsize() > 0, "nothing stored in Redis")
                check(t.stop() == 0, "exit code after SIGTERM")
            # Without it the server's certificate is not trusted; and a certificate for
            # 127.0.0.1 does not do for "localhost". No connection either way.
            wrong_host = url.replace("127.0.0.1", "localhost")
            for store_url, env in ((url, None), (wrong_host, trusted)):
                with Tracker(binary, store_config(), store_url=store_url, wait_store=False,
                             env=env) as t:
                    refused_for(t, 2.5, random_hash())
                    check(t.stop() == 0, "exit code after SIGTERM")
                    lines = t.log_lines("store_unavailable")
                    check(len(lines) == 1 and "certificate" in lines[0],
                          "%s: want one store_unavailable line about the certificate: %r"
                          % (store_url, lines))


# ---------------------------------------------------------------- config

def scenario_config(binary):
    with Work() as w, RedisServer() as redis:
        def refused(config, what):
            path = w.path("refused.toml")
            with open(path, "w") as f:
                f.write(config)
            proc = subprocess.Popen([binary, "--config", path, "--http", "127.0.0.1:0",
                                     "--udp", "127.0.0.1:0"], stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE)
            try:
                out, err = proc.communicate(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                out, err = proc.communicate()
                raise AssertionError("%s: started anyway (%r)" % (what, out))
            check(proc.returncode != 0, "%s: started anyway (%r)" % (what, out))
            check(err.strip() != b"", "%s: refused without a message" % what)
            return err.decode(errors="replace")
        message = refused(with_store_url(store_config(base=FAST + "[http]\nfull_scrape = true\n"),
                                         redis.url), "full scrape with a Redis store")
        check("full_scrape" in message, message)
        message = refused(with_store_url(store_config(w.secret("short", 8)), redis.url),
                          "an 8-byte secret")
        check("secret" in message, message)
        message = refused(with_store_url(store_config(w.path("missing")), redis.url),
                          "a missing secret file")
        check("secret" in message, message)
        refused(with_store_url(store_config(), "http://127.0.0.1:%d/" % redis.port),
                "an http:// store url")
        # The full configuration prints and round-trips with the new keys.
        path = w.path("ok.toml")
        with open(path, "w") as f:
            f.write(with_store_url(store_config(w.secret()), redis.url))
        out = subprocess.run([binary, "--config", path, "--print-config"], capture_output=True,
                             timeout=10)
        check(out.returncode == 0, out)
        for key in (b'url = "%s"' % redis.url.encode(), b'prefix = "shoal-it:"',
                    b"max_pending = ", b"timeout_ms = ", b"secret_file = "):
            check(key in out.stdout, "print-config lacks %r" % key)
        with open(path, "wb") as f:
            f.write(out.stdout)
        again = subprocess.run([binary, "--config", path, "--print-config"], capture_output=True,
                               timeout=10)
        check(again.stdout == out.stdout, "print-config does not round-trip")


SCENARIOS = {
    "swarm": scenario_swarm,
    "connection_id": scenario_connection_id,
    "failover": scenario_failover,
    "outage": scenario_outage,
    "stall": scenario_stall,
    "cold_start": scenario_cold_start,
    "start_ready": scenario_start_ready,
    "slow": scenario_slow,
    "dropped": scenario_dropped,
    "expiry": scenario_expiry,
    "auth": scenario_auth,
    "tls": scenario_tls,
    "config": scenario_config,
}

def on_alarm(signo, frame):
    raise TimeoutError("scenario still running after %d s" % DEADLINE)


if __name__ == "__main__":
    binary, name = sys.argv[1], sys.argv[2]
    # A stuck scenario fails rather than hang the suite; the exception unwinds through the
    # cleanups, so its processes are stopped.
    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(DEADLINE)
    start = time.time()
    SCENARIOS[name](binary)
    print("%s passed in %.1f s" % (name, time.time() - start))

"""What the Redis store's scenario scripts share: limits, config, small clients, libtorrent."""

import hashlib
import http.client
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
import urllib.parse

from tracker_harness import UdpClient, bdecode, peer_id


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


def on_alarm(signo, frame):
    raise TimeoutError("scenario still running after %d s" % DEADLINE)


def run(scenarios):
    """Runs the scenario named on the command line: BINARY SCENARIO."""
    binary, name = sys.argv[1], sys.argv[2]
    # A stuck scenario fails rather than hang the suite; the exception unwinds through the
    # cleanups, so its processes are stopped.
    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(DEADLINE)
    start = time.time()
    scenarios[name](binary)
    print("%s passed in %.1f s" % (name, time.time() - start))

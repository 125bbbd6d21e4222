"""shoal-tracker with a Redis store that fails: down, frozen, slow, dropping connections.

    python3 SCRIPT BINARY SCENARIO

Each scenario starts its own redis-server (redis_harness.RedisServer) and runs inside a
private network namespace (see CMakeLists.txt); everything talks over loopback.

Scenarios:
  outage         Redis killed and restarted during announces
  stall          Redis frozen (SIGSTOP): requests time out into failures, then recover
  cold_start     a tracker started while Redis is down serves failures, then connects
  start_ready    requests made while the first connection to Redis is being set up wait
  slow           Redis behind a proxy delaying every chunk; a flood of announces is shed
  dropped        Redis closes the tracker's connections; it connects again by itself
"""

import signal
import socket
import struct
import threading
import time
import urllib.parse

from redis_harness import DelayProxy, RedisServer
from redis_scenario_common import (ANSWER_WITHIN, Announcer, UNAVAILABLE, Work, check,
                                   check_unavailable_http, error_count, http_announce, run,
                                   store_config, store_pending, store_up, timed, udp_client,
                                   wait_for)
from tracker_harness import (Tracker, bdecode, compact_peers, peer_id, random_hash)


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
            # Those announces may all have reached one thread; the others reconnect on their
            # own backoff.
            wait_metric(t, "shoal_tracker_store_up", 1, 5, "store_up 1 after the restart")
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
            # That announce reached one thread's new connection; the others reconnect on
            # their own backoff.
            wait_metric(t, "shoal_tracker_store_up", 1, 5, "store_up 1 after the stall")
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
            wait_metric(t, "shoal_tracker_store_up", 1, 5, "store_up 1 once Redis is there")
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


SCENARIOS = {
    "outage": scenario_outage,
    "stall": scenario_stall,
    "cold_start": scenario_cold_start,
    "start_ready": scenario_start_ready,
    "slow": scenario_slow,
    "dropped": scenario_dropped,
}


if __name__ == "__main__":
    run(SCENARIOS)

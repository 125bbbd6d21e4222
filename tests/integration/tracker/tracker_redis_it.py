"""shoal-tracker instances sharing one Redis swarm store.

    python3 SCRIPT BINARY SCENARIO

Each scenario starts its own redis-server (redis_harness.RedisServer) and runs inside a
private network namespace (see CMakeLists.txt); everything talks over loopback.

Scenarios:
  swarm          libtorrent peers announcing to different instances (UDP to A, HTTP to B) meet
                 and complete a download; scrapes through either instance count both
  connection_id  a UDP connection id from instance A is accepted by instance B (same secret);
                 an instance without the secret refuses it; other Redis databases are apart
  failover       one instance killed, the other still serves the swarm
  expiry         peers that stop announcing leave announces and scrapes after peer_timeout
  auth           a password, an ACL user (percent-escaped in the url), a wrong password
  tls            rediss:// with a test CA: trusted, untrusted, another host name
  config         start-up refusals that come with a Redis store"""

import os
import subprocess
import time
import urllib.parse

from redis_harness import RedisServer, make_tls_files
from redis_scenario_common import (ANSWER_WITHIN, FAST, Work, check, check_unavailable_http,
                                   file_digest, http_announce, lt_add, make_torrent, run,
                                   scrape_both, store_config, store_up, tracker_errors, udp_client,
                                   wait_for)
from tracker_harness import (Tracker, UdpClient, compact_peers, lt_session, peer_id, random_hash,
                             with_store_url)


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
    "expiry": scenario_expiry,
    "auth": scenario_auth,
    "tls": scenario_tls,
    "config": scenario_config,
}


if __name__ == "__main__":
    run(SCENARIOS)

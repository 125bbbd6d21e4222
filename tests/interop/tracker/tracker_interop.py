"""Real clients (libtorrent, transmission-cli, aria2c) find each other through shoal-tracker.

Run inside a private network namespace (see CMakeLists.txt):
    python3 tracker_interop.py BINARY CLIENT PROTOCOL
CLIENT is libtorrent, transmission or aria2; PROTOCOL is http or udp. A libtorrent session on
127.0.0.2 seeds a few MiB; CLIENT downloads it; the tracker's scrape must agree.
With SHOAL_TRACKER_STORE=redis the tracker keeps its swarms in a private redis-server.
"""

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "integration", "tracker"))
from tracker_harness import Tracker, UdpClient, lt_session  # noqa: E402

import libtorrent as lt  # noqa: E402

PAYLOAD_MIB = 4
DEADLINE = 90  # seconds for the whole scenario; each wait has its own share


def fail(message):
    raise AssertionError(message)


def wait_for(predicate, timeout, what):
    end = time.time() + timeout
    while time.time() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    fail("timed out waiting for " + what)


def lt_add(ses, torrent_file, save_path):
    params = lt.add_torrent_params()
    params.ti = lt.torrent_info(torrent_file)
    params.save_path = save_path
    return ses.add_torrent(params)


class Scraper:
    """Reads the tracker's counts over the protocol under test."""

    def __init__(self, tracker, protocol, info_hash):
        self.tracker, self.protocol, self.info_hash = tracker, protocol, info_hash

    def counts(self):
        """(complete, downloaded, incomplete)"""
        if self.protocol == "http":
            files = self.tracker.scrape([self.info_hash])[b"files"]
            f = files[self.info_hash]
            return f[b"complete"], f[b"downloaded"], f[b"incomplete"]
        c = UdpClient(self.tracker.udp_host, self.tracker.udp_port)
        try:
            return c.scrape(c.connect(), [self.info_hash])[0]
        finally:
            c.close()


def run_libtorrent_leecher(torrent_file, download_dir):
    # Its own process: libtorrent caches UDP connection ids per tracker for the whole
    # process, and ids from this tracker are bound to one client address.
    return subprocess.Popen([sys.executable, __file__, "lt-leecher", torrent_file, download_dir])


def lt_leecher_main(torrent_file, download_dir):
    """Downloads, then seeds until terminated."""
    signal.alarm(DEADLINE)
    ses = lt_session(lt, "127.0.0.3")
    lt_add(ses, torrent_file, download_dir)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    while True:
        time.sleep(0.5)
        ses.pop_alerts()


def run_transmission(torrent_file, download_dir, work):
    config_dir = os.path.join(work, "transmission")
    os.makedirs(config_dir)
    with open(os.path.join(config_dir, "settings.json"), "w") as f:
        json.dump({"dht-enabled": False, "lpd-enabled": False, "utp-enabled": False,
                   "pex-enabled": False, "port-forwarding-enabled": False,
                   "peer-port": 51777, "rename-partial-files": True, "encryption": 0,
                   "message-level": 1}, f)
    proc = subprocess.Popen(["transmission-cli", "-g", config_dir, "-w", download_dir, "-M",
                             "-p", "51777", torrent_file],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return proc


def run_aria2(torrent_file, download_dir, protocol, work):
    # aria2 speaks UDP trackers only through its DHT socket, so UDP needs DHT on; the torrent
    # is private (no DHT use for it) and the namespace reaches nothing beyond loopback.
    dht = ["--enable-dht=true", "--dht-listen-port=51889",
           "--dht-file-path=" + os.path.join(work, "dht.dat")] if protocol == "udp" \
        else ["--enable-dht=false"]
    return subprocess.Popen(
        ["aria2c", *dht, "--enable-dht6=false", "--bt-enable-lpd=false",
         "--enable-peer-exchange=false", "--seed-time=0", "--listen-port=51888",
         "--bt-stop-timeout=60", "--summary-interval=0", "--console-log-level=warn",
         "--dir", download_dir, torrent_file],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def file_digest(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def main():
    binary, client, protocol = sys.argv[1], sys.argv[2], sys.argv[3]
    started = time.time()
    signal.alarm(DEADLINE)  # nothing here may hang the suite
    work = tempfile.mkdtemp(prefix="shoal-tracker-interop-")
    procs = []
    tracker = None
    try:
        config = "[announce]\ninterval = 60\ninterval_jitter = 0\nmin_interval = 10\n" \
                 "peer_timeout = 120\n[log]\nrequests = true\n"
        tracker = Tracker(binary, config)
        with tracker:
            seed_dir = os.path.join(work, "seed")
            leech_dir = os.path.join(work, "leech")
            os.makedirs(seed_dir)
            os.makedirs(leech_dir)
            payload = os.path.join(seed_dir, "payload.bin")
            with open(payload, "wb") as f:
                f.write(os.urandom(PAYLOAD_MIB << 20))
            if protocol == "http":
                url = "http://127.0.0.1:%d/announce" % tracker.http_port
            else:
                url = "udp://127.0.0.1:%d/announce" % tracker.udp_port
            torrent_file = os.path.join(work, "payload.torrent")
            private = ["-p"] if client == "aria2" and protocol == "udp" else []
            subprocess.run(["mktorrent", *private, "-a", url, "-l", "18", "-o", torrent_file,
                            payload], check=True, timeout=30,
                           stdout=subprocess.DEVNULL)
            info_hash = bytes.fromhex(str(lt.torrent_info(torrent_file).info_hash()))
            scraper = Scraper(tracker, protocol, info_hash)

            seeder = lt_session(lt, "127.0.0.2")
            seed_handle = lt_add(seeder, torrent_file, seed_dir)
            wait_for(lambda: seed_handle.status().is_seeding, 30, "seeder to check its data")
            seed_handle.force_reannounce()
            wait_for(lambda: scraper.counts()[0] == 1, 30, "the seeder's announce")

            if client == "libtorrent":
                procs.append(run_libtorrent_leecher(torrent_file, leech_dir))
            elif client == "transmission":
                procs.append(run_transmission(torrent_file, leech_dir, work))
            elif client == "aria2":
                procs.append(run_aria2(torrent_file, leech_dir, protocol, work))
            else:
                fail("unknown client " + client)

            # Transmission 3.00 does not dial 127.0.0.0/8 peers itself; once the client has
            # announced, the seeder announces again, learns the client and dials it.
            wait_for(lambda: scraper.counts()[2] >= 1 or scraper.counts()[1] >= 1, 30,
                     client + "'s announce")
            seed_handle.force_reannounce(0, -1, lt.reannounce_flags_t.ignore_min_interval)
            target = os.path.join(leech_dir, "payload.bin")
            expected = file_digest(payload)
            wait_for(lambda: os.path.exists(target) and os.path.getsize(target) == PAYLOAD_MIB << 20
                     and file_digest(target) == expected, 60, client + " to download the payload")
            # The finished download is reported as `completed`: one download counted.
            wait_for(lambda: scraper.counts()[1] == 1, 30, "the completed event")
            complete, downloaded, incomplete = scraper.counts()
            if client == "aria2":
                # aria2 stops right after finishing (--seed-time=0) and says so.
                procs[0].wait(timeout=30)
                wait_for(lambda: scraper.counts() == (1, 1, 0), 20, "aria2's stopped event")
            else:
                if (complete, incomplete) != (2, 0):
                    fail("scrape says %r, want 2 seeders and no leechers" % ((complete,
                                                                              downloaded,
                                                                              incomplete),))
            # libtorrent's own scrape of the tracker must agree with ours.
            seed_handle.scrape_tracker()

            def lt_scrape():
                for alert in seeder.pop_alerts():
                    if isinstance(alert, lt.scrape_reply_alert):
                        return (alert.complete, alert.incomplete)
                    if isinstance(alert, lt.scrape_failed_alert):
                        fail("libtorrent scrape failed: " + alert.message())
                return None
            lt_counts = wait_for(lt_scrape, 20, "libtorrent's scrape reply")
            ours = scraper.counts()
            if lt_counts != (ours[0], ours[2]):
                fail("libtorrent scraped %r, tracker says %r" % (lt_counts, ours))
            for p in procs:
                if p.poll() is None:
                    p.send_signal(signal.SIGTERM)
                    p.wait(timeout=15)
            if tracker.stop() != 0:
                fail("tracker exit code")
        print("%s over %s passed in %.1f s" % (client, protocol, time.time() - started))
    except BaseException:
        # The tracker's request log shows who announced what.
        if tracker is not None and tracker.proc.poll() is None:
            tracker.proc.kill()
        if tracker is not None:
            lines = [l for l in tracker.stderr_text().splitlines() if "/scrape?" not in l]
            sys.stderr.write("\n".join(lines[-40:]) + "\n")
        raise
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    if sys.argv[1] == "lt-leecher":
        lt_leecher_main(sys.argv[2], sys.argv[3])
    else:
        main()

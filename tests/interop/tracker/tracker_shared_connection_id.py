"""Two libtorrent sessions in one process find each other through shoal-tracker over UDP.

Run inside a private network namespace (see CMakeLists.txt):
    python3 tracker_shared_connection_id.py BINARY
libtorrent keeps one cache of UDP connection ids per tracker for the whole process, so the
second session announces with the id the first session was given, from another source port
(a NAT that rebinds a port between connect and announce does the same). The tracker must
accept it: ids are bound to the client's address, not its port. Both sessions listen on
127.0.0.1; each must get tracker replies without errors and learn the other as a peer, and the
second session downloads the payload from the first.
"""

import hashlib
import os
import shutil
import signal
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "integration", "tracker"))
from tracker_harness import Tracker, lt_session  # noqa: E402

import libtorrent as lt  # noqa: E402

PAYLOAD_BYTES = 1 << 20
DEADLINE = 60  # seconds for the whole scenario


def fail(message):
    raise AssertionError(message)


class Watched:
    """A session and its torrent; remembers the tracker replies, fails on a tracker error."""

    def __init__(self, name, ses, handle):
        self.name, self.ses, self.handle = name, ses, handle
        self.replies = []  # num_peers of each tracker reply

    def poll(self):
        for alert in self.ses.pop_alerts():
            if isinstance(alert, lt.tracker_error_alert):
                fail("%s: tracker error %r (%s)" % (self.name, alert.error_message(),
                                                   alert.message()))
            if isinstance(alert, lt.tracker_reply_alert):
                self.replies.append(alert.num_peers)


def wait_for(sessions, predicate, timeout, what):
    end = time.time() + timeout
    while time.time() < end:
        for s in sessions:
            s.poll()
        if predicate():
            return
        time.sleep(0.1)
    fail("timed out waiting for " + what)


def file_digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main():
    binary = sys.argv[1]
    started = time.time()
    signal.alarm(DEADLINE)  # nothing here may hang the suite
    work = tempfile.mkdtemp(prefix="shoal-tracker-interop-")
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
                f.write(os.urandom(PAYLOAD_BYTES))
            fs = lt.file_storage()
            lt.add_files(fs, payload)
            ct = lt.create_torrent(fs, 1 << 16, flags=lt.create_torrent.v1_only)
            url = "udp://127.0.0.1:%d/announce" % tracker.udp_port
            ct.add_tracker(url)
            lt.set_piece_hashes(ct, seed_dir)
            ti = lt.torrent_info(lt.bencode(ct.generate()))

            def add(ses, save_path, flags=0):
                params = lt.add_torrent_params()
                params.ti = lt.torrent_info(ti)
                params.save_path = save_path
                params.flags |= flags
                return ses.add_torrent(params)

            seed_ses = lt_session(lt)
            seed = Watched("seeding session", seed_ses, add(seed_ses, seed_dir))
            wait_for([seed], lambda: seed.handle.status().is_seeding, 20,
                     "the seeding session to check its data")
            seed.handle.force_reannounce(0, -1, lt.reannounce_flags_t.ignore_min_interval)
            wait_for([seed], lambda: seed.replies, 15, "the seeding session's tracker reply")

            # Same process, so the same cached connection id, sent from another port.
            leech_ses = lt_session(lt)
            if leech_ses.listen_port() == seed_ses.listen_port():
                fail("both sessions listen on port %d" % seed_ses.listen_port())
            # Upload mode holds the download back, so the tracker still counts this session
            # as a leecher when the seeding session asks for peers below.
            leech = Watched("downloading session", leech_ses,
                            add(leech_ses, leech_dir, lt.torrent_flags.upload_mode))
            both = [seed, leech]
            wait_for(both, lambda: any(n >= 1 for n in leech.replies), 15,
                     "a tracker reply naming the seed to the downloading session")

            # The seeding session learns the downloading one from the tracker too.
            seed.replies.clear()
            seed.handle.force_reannounce(0, -1, lt.reannounce_flags_t.ignore_min_interval)
            wait_for(both, lambda: any(n >= 1 for n in seed.replies), 15,
                     "a tracker reply naming the downloading session to the seeding one")

            leech.handle.unset_flags(lt.torrent_flags.upload_mode)
            target = os.path.join(leech_dir, "payload.bin")
            wait_for(both, lambda: leech.handle.status().is_seeding, 20,
                     "the downloading session to finish")
            if file_digest(target) != file_digest(payload):
                fail("the downloaded payload differs from the seed's")
            for w in both:
                status = w.handle.status()
                if status.current_tracker != url:
                    fail("%s has no working tracker (current_tracker %r)"
                         % (w.name, status.current_tracker))
            if tracker.stop() != 0:
                fail("tracker exit code")
        print("two libtorrent sessions in one process over udp passed in %.1f s"
              % (time.time() - started))
    except BaseException:
        # The tracker's request log shows who announced and who was refused.
        if tracker is not None and tracker.proc.poll() is None:
            tracker.proc.kill()
        if tracker is not None:
            sys.stderr.write("\n".join(tracker.stderr_text().splitlines()[-40:]) + "\n")
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

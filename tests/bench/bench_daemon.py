#!/usr/bin/env python3
"""shoald against transmission-daemon and qbittorrent-nox with many torrents, in one run.

For each count N (--counts, 1,000 and 10,000 by default) it makes N small single-file torrents
whose data is on disk (one distinct tiny file each), and for each daemon in turn: adds them all
once (shoald and transmission-daemon by RPC torrent-add with `metainfo`, one torrent a request;
qbittorrent-nox through its WebUI API v2 /api/v2/torrents/add with skip_checking, 50 torrents a
request), waits until every one seeds, stops the daemon, and then measures a restart:
  - the time to the first RPC answer (session-get; /api/v2/app/version for qBittorrent),
  - the time until every torrent reports seeding (torrent-get status; /api/v2/torrents/info
    with filter=seeding),
  - VmRSS and VmHWM from /proc/PID/status once all of them seed, and VmRSS again after it
    has been left alone for SETTLE_SECONDS (what it holds while it serves: what a start-up
    left behind is given back or not by then),
  - the median of 10 torrent-get requests of the web list's fields over every torrent
    (/api/v2/torrents/info for qBittorrent, which has no field choice),
  - and how long SIGTERM takes to end it, after the add and again after the restart.
Then it prints a table and the ratios shoald/transmission and shoald/qbittorrent, with the
targets of the shoald issue next to shoald's numbers (reported, not asserted).

Every daemon runs with DHT, local discovery, PEX and port mapping off, inside a private
network namespace (tests/interop/netns_run.sh, loopback only): the script enters it by itself.
Needs Debian's transmission-daemon and qbittorrent-nox. Every wait has a timeout; on the way out
(an error, Ctrl-C or SIGTERM) the daemons are killed and the scratch folder removed.

A daemon that fails (an error, a timeout, VmRSS over --max-rss-mib) is reported as such and the
run goes on with the next.

  tests/bench/bench_daemon.py [--counts 1000,10000] [--daemons shoald,transmission,qbittorrent]
                              [--shoald PATH] [--timeout SECONDS] [--max-rss-mib MIB]
"""
import argparse
import base64
import hashlib
import http.client
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
NETNS_RUN = os.path.join(HERE, "..", "interop", "netns_run.sh")
IN_NAMESPACE = "SHOAL_BENCH_DAEMON_IN_NETNS"
DEFAULT_SHOALD = os.path.join(HERE, "..", "..", "build", "release", "app", "shoald")

RPC_PORTS = {"shoald": 19091, "transmission": 19092, "qbittorrent": 19093}
PEER_PORTS = {"shoald": 16881, "transmission": 16882, "qbittorrent": 16883}
LIST_FIELDS = ["id", "name", "status", "percentDone", "totalSize", "rateDownload", "rateUpload",
               "peersConnected", "eta", "uploadRatio", "error", "errorString"]
TRANSMISSION_SEEDING = 6
QBITTORRENT_SEEDING = {"uploading", "stalledUP", "queuedUP", "forcedUP"}
QBITTORRENT_ADD_BATCH = 50
LIST_REQUESTS = 10
SETTLE_SECONDS = 5
POLL_SECONDS = 0.5  # a torrent list of every torrent, so not too often
RPC_POLL_SECONDS = 0.02
STOP_TIMEOUT = 300
FILE_BYTES = 1024
PIECE_BYTES = 16 * 1024


# --- torrents -------------------------------------------------------------------------------

def bencode(value):
    if isinstance(value, int):
        return b"i%de" % value
    if isinstance(value, str):
        value = value.encode()
    if isinstance(value, bytes):
        return b"%d:%s" % (len(value), value)
    if isinstance(value, dict):
        return b"d" + b"".join(bencode(k) + bencode(value[k]) for k in sorted(value)) + b"e"
    raise TypeError(f"cannot bencode {type(value)}")


def file_name(index):
    return f"bench-{index:06d}.bin"


def file_content(index):
    """FILE_BYTES bytes that differ from torrent to torrent."""
    seed = hashlib.sha256(b"shoal bench %d" % index).digest()
    return (seed * (FILE_BYTES // len(seed) + 1))[:FILE_BYTES]


def make_torrents(data_dir, count):
    """Writes the data of `count` one-file torrents into `data_dir`; returns their metainfo."""
    os.makedirs(data_dir, exist_ok=True)
    torrents = []
    for index in range(count):
        content = file_content(index)
        with open(os.path.join(data_dir, file_name(index)), "wb") as f:
            f.write(content)
        info = {"name": file_name(index), "length": len(content), "piece length": PIECE_BYTES,
                "pieces": hashlib.sha1(content).digest()}
        torrents.append(bencode({"info": info, "created by": "shoal bench_daemon"}))
    return torrents


# --- processes ------------------------------------------------------------------------------

def memory_kib(pid):
    """VmRSS and VmHWM of a process, in KiB."""
    values = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0])
    return values["VmRSS"], values["VmHWM"]


def wait_until(what, predicate, timeout, process, interval=POLL_SECONDS):
    """Calls predicate() every `interval` seconds until it is true; raises RuntimeError when
    `timeout` seconds pass or `process` exits first. Returns the seconds it took."""
    start = time.monotonic()
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{what}: the daemon exited with {process.returncode}")
        if predicate():
            return time.monotonic() - start
        if time.monotonic() - start > timeout:
            raise RuntimeError(f"{what}: not within {timeout} s")
        time.sleep(interval)


def stop(process):
    """SIGTERM, then SIGKILL if it has not exited within STOP_TIMEOUT seconds."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# --- the daemons ----------------------------------------------------------------------------

class TransmissionRpc:
    """Transmission's RPC (shoald speaks it too), with the X-Transmission-Session-Id handshake."""

    def __init__(self, port):
        self.port = port
        self.session_id = ""

    def post(self, method, arguments=None, timeout=60):
        """The answer's body as it came; raises OSError when the daemon cannot be reached and
        RuntimeError on an HTTP error."""
        body = json.dumps({"method": method, "arguments": arguments or {}})
        for _ in range(2):
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
            try:
                conn.request("POST", "/transmission/rpc", body=body,
                             headers={"X-Transmission-Session-Id": self.session_id,
                                      "Content-Type": "application/json"})
                response = conn.getresponse()
                data = response.read()
            finally:
                conn.close()
            if response.status == 409:
                self.session_id = response.getheader("X-Transmission-Session-Id", "")
                continue
            if response.status != 200:
                raise RuntimeError(f"{method}: HTTP {response.status}")
            return data
        raise RuntimeError(f"{method}: the session id was refused twice")

    @staticmethod
    def arguments(method, data):
        """The arguments of an answer; RuntimeError unless it says "success"."""
        answer = json.loads(data)
        if answer.get("result") != "success":
            raise RuntimeError(f"{method}: {answer.get('result')}")
        return answer["arguments"]

    def call(self, method, arguments=None, timeout=60):
        return self.arguments(method, self.post(method, arguments, timeout))

    def answers(self):
        try:
            self.call("session-get", timeout=5)
            return True
        except (OSError, http.client.HTTPException):
            return False

    def add(self, metainfo, data_dir):
        self.call("torrent-add", {"metainfo": base64.b64encode(metainfo).decode(), "download-dir": data_dir})

    def seeding_count(self):
        torrents = self.call("torrent-get", {"fields": ["id", "status"]})["torrents"]
        return sum(t["status"] == TRANSMISSION_SEEDING for t in torrents)

    def timed_list(self):
        """Seconds a torrent-get of the list fields of every torrent takes (the answer's
        parsing left out), and how many torrents it gave."""
        start = time.monotonic()
        data = self.post("torrent-get", {"fields": LIST_FIELDS})
        seconds = time.monotonic() - start
        return seconds, len(self.arguments("torrent-get", data)["torrents"])


class QbittorrentApi:
    """qBittorrent's WebUI API v2; localhost needs no login (WebUI\\LocalHostAuth=false)."""

    def __init__(self, port):
        self.port = port

    def request(self, method, path, body=None, headers=None, timeout=60):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            data = response.read()
        finally:
            conn.close()
        if response.status != 200:
            raise RuntimeError(f"{path}: HTTP {response.status} {data[:200]!r}")
        return data

    def answers(self):
        try:
            self.request("GET", "/api/v2/app/version", timeout=5)
            return True
        except (OSError, http.client.HTTPException, RuntimeError):
            return False

    def add_batch(self, metainfos, data_dir):
        boundary = uuid.uuid4().hex
        parts = []
        for i, metainfo in enumerate(metainfos):
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="torrents"; '
                         f'filename="{i}.torrent"\r\nContent-Type: application/x-bittorrent\r\n\r\n'.encode()
                         + metainfo + b"\r\n")
        for name, value in (("savepath", data_dir), ("skip_checking", "true")):
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        answer = self.request("POST", "/api/v2/torrents/add", body,
                              {"Content-Type": f"multipart/form-data; boundary={boundary}"})
        if answer.strip() != b"Ok.":
            raise RuntimeError(f"torrents/add: {answer[:200]!r}")

    def timed_list(self):
        """Seconds /api/v2/torrents/info takes (the answer's parsing left out), and how many
        torrents it gave."""
        start = time.monotonic()
        data = self.request("GET", "/api/v2/torrents/info")
        seconds = time.monotonic() - start
        return seconds, len(json.loads(data))

    def seeding_count(self):
        """Asks for the seeding torrents only: the whole list asked for twice a second while
        torrents are being checked makes qBittorrent 4.5 grow by about 12 MiB a second (3,000
        torrents), which took it over 8 GiB while the 10,000 waited after a restart."""
        seeding = json.loads(self.request("GET", "/api/v2/torrents/info?filter=seeding"))
        return sum(t["state"] in QBITTORRENT_SEEDING for t in seeding)



class Daemon:
    """One daemon with its own folders under `work`: start(), add_all(), stop(). One whose VmRSS
    goes over `max_rss_kib` is killed, so that it cannot take the machine's memory."""

    name = ""
    max_rss_kib = 0

    def __init__(self, work):
        self.home = os.path.join(work, self.name)
        os.makedirs(self.home)
        self.process = None
        self.log = os.path.join(self.home, "daemon.log")
        self.over_memory = False

    def command(self):
        raise NotImplementedError

    def start(self):
        with open(self.log, "a") as log:
            self.process = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        threading.Thread(target=self._watch_memory, args=(self.process,), daemon=True).start()

    def _watch_memory(self, process):
        while process.poll() is None:
            try:
                rss, _ = memory_kib(process.pid)
            except (OSError, KeyError):
                return
            if rss > self.max_rss_kib:
                self.over_memory = True
                process.kill()
                return
            time.sleep(1)

    def stop(self):
        if self.process:
            stop(self.process)

    def kill(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def add_all(self, torrents, data_dir):
        for metainfo in torrents:
            self.api.add(metainfo, data_dir)


class Shoald(Daemon):
    name = "shoald"

    def __init__(self, work, binary):
        super().__init__(work)
        self.binary = binary
        self.api = TransmissionRpc(RPC_PORTS[self.name])
        self.config = os.path.join(self.home, "shoald.toml")
        with open(self.config, "w") as f:
            f.write(f'state_dir = "{os.path.join(self.home, "state")}"\n'
                    f'rpc_bind = "127.0.0.1:{RPC_PORTS[self.name]}"\n'
                    f'listen = "127.0.0.1"\nport = {PEER_PORTS[self.name]}\n'
                    'dht = false\nlsd = false\npex = false\nport_mapping = false\n')

    def command(self):
        return [self.binary, "--config", self.config, "--foreground"]


class Transmission(Daemon):
    name = "transmission"

    def __init__(self, work):
        super().__init__(work)
        self.api = TransmissionRpc(RPC_PORTS[self.name])
        settings = {
            "rpc-enabled": True, "rpc-bind-address": "127.0.0.1", "rpc-port": RPC_PORTS[self.name],
            "rpc-authentication-required": False, "rpc-whitelist-enabled": True, "rpc-whitelist": "127.0.0.1",
            "rpc-host-whitelist-enabled": False,
            "bind-address-ipv4": "127.0.0.1", "peer-port": PEER_PORTS[self.name], "peer-port-random-on-start": False,
            "dht-enabled": False, "lpd-enabled": False, "pex-enabled": False, "port-forwarding-enabled": False,
            "download-dir": os.path.join(self.home, "downloads"), "incomplete-dir-enabled": False,
            "download-queue-enabled": False, "seed-queue-enabled": False, "message-level": 1,
        }
        with open(os.path.join(self.home, "settings.json"), "w") as f:
            json.dump(settings, f)

    def command(self):
        return ["transmission-daemon", "--foreground", "--config-dir", self.home]


class Qbittorrent(Daemon):
    name = "qbittorrent"

    def __init__(self, work):
        super().__init__(work)
        self.api = QbittorrentApi(RPC_PORTS[self.name])
        config = os.path.join(self.home, "qBittorrent", "config")
        os.makedirs(config)
        with open(os.path.join(config, "qBittorrent.conf"), "w") as f:
            f.write("[LegalNotice]\nAccepted=true\n\n"
                    "[BitTorrent]\n"
                    f"Session\\Port={PEER_PORTS[self.name]}\n"
                    "Session\\DHTEnabled=false\nSession\\LSDEnabled=false\nSession\\PeXEnabled=false\n"
                    "Session\\QueueingSystemEnabled=false\nSession\\AnonymousModeEnabled=false\n\n"
                    "[Preferences]\n"
                    "Connection\\UPnP=false\nGeneral\\Locale=en\n"
                    "WebUI\\Address=127.0.0.1\n"
                    f"WebUI\\Port={RPC_PORTS[self.name]}\n"
                    "WebUI\\LocalHostAuth=false\nWebUI\\CSRFProtection=false\nWebUI\\HostHeaderValidation=false\n"
                    "WebUI\\UseUPnP=false\n")

    def command(self):
        return ["qbittorrent-nox", f"--profile={self.home}"]

    def add_all(self, torrents, data_dir):
        for i in range(0, len(torrents), QBITTORRENT_ADD_BATCH):
            self.api.add_batch(torrents[i:i + QBITTORRENT_ADD_BATCH], data_dir)


def print_log_tail(daemon, lines=20):
    """The end of the log of a daemon that did not finish its measurement, before it goes."""
    try:
        with open(daemon.log, errors="replace") as f:
            tail = f.readlines()[-lines:]
    except OSError:
        return
    print(f"--- the end of {daemon.name}'s log:\n" + "".join(tail), end="", file=sys.stderr)


# --- one daemon, one count ------------------------------------------------------------------

def measure(daemon, torrents, data_dir, timeout):
    """Adds the torrents, waits until they all seed, stops; then restarts and measures."""
    count = len(torrents)
    result = {}
    daemon.start()
    wait_until(f"{daemon.name}: first RPC answer", daemon.api.answers, timeout, daemon.process, RPC_POLL_SECONDS)
    start = time.monotonic()
    daemon.add_all(torrents, data_dir)
    result["add"] = time.monotonic() - start
    wait_until(f"{daemon.name}: all seeding after the add", lambda: daemon.api.seeding_count() == count,
               timeout, daemon.process)
    result["add_to_seeding"] = time.monotonic() - start
    start = time.monotonic()
    daemon.stop()
    result["stop"] = time.monotonic() - start

    start = time.monotonic()
    daemon.start()
    wait_until(f"{daemon.name}: first RPC answer after the restart", daemon.api.answers, timeout, daemon.process,
               RPC_POLL_SECONDS)
    result["rpc"] = time.monotonic() - start
    wait_until(f"{daemon.name}: all seeding after the restart", lambda: daemon.api.seeding_count() == count,
               timeout, daemon.process)
    result["seeding"] = time.monotonic() - start
    result["rss"], result["hwm"] = memory_kib(daemon.process.pid)
    time.sleep(SETTLE_SECONDS)
    result["settled"], _ = memory_kib(daemon.process.pid)
    latencies = []
    for _ in range(LIST_REQUESTS):
        seconds, listed = daemon.api.timed_list()
        latencies.append(seconds)
        if listed != count:
            raise RuntimeError(f"{daemon.name}: the list has {listed} torrents, not {count}")
    result["list"] = statistics.median(latencies)
    start = time.monotonic()
    daemon.stop()
    result["restart_stop"] = time.monotonic() - start
    return result


# --- the report -----------------------------------------------------------------------------

COLUMNS = [("add", "add all (s)", "{:.1f}"), ("add_to_seeding", "add→seeding (s)", "{:.1f}"),
           ("stop", "stop (s)", "{:.1f}"), ("rpc", "restart: RPC (s)", "{:.2f}"),
           ("seeding", "all seeding (s)", "{:.2f}"), ("rss", "VmRSS (MiB)", "{:.1f}"),
           ("settled", "VmRSS +5 s (MiB)", "{:.1f}"),
           ("hwm", "VmHWM (MiB)", "{:.1f}"), ("list", "torrent-get (ms)", "{:.0f}"),
           ("restart_stop", "stop again (s)", "{:.1f}")]


def shown(key, value):
    if key in ("rss", "settled", "hwm"):
        return value / 1024
    if key == "list":
        return value * 1000
    return value


def print_header(count):
    print(f"\n{count} torrents (restart figures after a clean stop; the seeding counts are polled twice a second)")
    print(f"{'':20s}" + "".join(f"{title:>18s}" for _, title, _ in COLUMNS), flush=True)


def print_row(name, result):
    print(f"{name:20s}" + "".join(f"{fmt.format(shown(key, result[key])):>18s}" for key, _, fmt in COLUMNS),
          flush=True)


def print_comparison(results):
    shoal = results.get("shoald")
    for other in ("transmission", "qbittorrent"):
        if shoal and other in results:
            print(f"{'shoald/' + other:20s}" +
                  "".join(f"{shoal[key] / results[other][key]:>18.2f}" if results[other][key] else f"{'-':>18s}"
                          for key, _, _ in COLUMNS))
    if not shoal:
        return
    print("shoald against the issue's targets (10,000 torrents; reported, not asserted):")
    checks = [("RPC answers in under 5 s", shoal["rpc"] < 5),
              ("every torrent seeding in under 30 s", shoal["seeding"] < 30),
              ("torrent-get of the list fields under 200 ms", shoal["list"] < 0.2),
              ("SIGTERM stops within 5 s (after the add, and after the restart)",
               max(shoal["stop"], shoal["restart_stop"]) < 5)]
    if "transmission" in results:
        checks.append(("starts at least 3x faster than transmission-daemon",
                       shoal["seeding"] * 3 <= results["transmission"]["seeding"]))
    for key, when in (("rss", "once all seed"), ("settled", f"{SETTLE_SECONDS} s later")):
        others = [results[n][key] for n in ("transmission", "qbittorrent") if n in results]
        if others:
            checks.append((f"uses less memory than the others (VmRSS {when})", shoal[key] < min(others)))
    for what, met in checks:
        print(f"  {'met   ' if met else 'MISSED'} {what}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--counts", default="1000,10000", help="torrent counts, comma-separated")
    parser.add_argument("--shoald", default=os.environ.get("SHOALD", DEFAULT_SHOALD))
    parser.add_argument("--daemons", default="shoald,transmission,qbittorrent", help="which to run, comma-separated")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds any one wait may take")
    parser.add_argument("--max-rss-mib", type=int, default=8192, help="a daemon using more is killed")
    args = parser.parse_args()
    Daemon.max_rss_kib = args.max_rss_mib * 1024
    counts = [int(c) for c in args.counts.split(",")]
    names = args.daemons.split(",")
    shoald = os.path.abspath(args.shoald)
    for program in [shoald] * ("shoald" in names) + ["transmission-daemon"] * ("transmission" in names) + \
            ["qbittorrent-nox"] * ("qbittorrent" in names):
        if not shutil.which(program):
            print(f"{program} is not installed (apt-get install transmission-daemon qbittorrent-nox; "
                  "shoald: cmake --build --preset release)", file=sys.stderr)
            return 1
    work = tempfile.mkdtemp(prefix="bench_daemon_", dir=os.environ.get("BENCH_DIR"))
    running = []
    try:
        data_dir = os.path.join(work, "data")
        all_torrents = make_torrents(data_dir, max(counts))
        makers = {"shoald": lambda w: Shoald(w, shoald), "transmission": Transmission, "qbittorrent": Qbittorrent}
        for count in counts:
            print_header(count)
            results = {}
            for name in names:
                folder = os.path.join(work, f"{name}-{count}")
                os.makedirs(folder)
                daemon = makers[name](folder)
                running.append(daemon)
                try:
                    results[name] = measure(daemon, all_torrents[:count], data_dir, args.timeout)
                    print_row(name, results[name])
                except (RuntimeError, OSError, http.client.HTTPException) as e:
                    daemon.kill()
                    why = f"VmRSS went over {args.max_rss_mib} MiB" if daemon.over_memory else str(e)
                    print(f"{name:20s}FAILED: {why}", flush=True)
                    print_log_tail(daemon)
                running.remove(daemon)
                shutil.rmtree(folder, ignore_errors=True)
            print_comparison(results)
        print("\nqBittorrent added its torrents with skip_checking; the others checked the data on add.")
        return 0
    finally:
        for daemon in running:
            daemon.kill()
            print_log_tail(daemon)
        shutil.rmtree(work, ignore_errors=True)


def in_private_namespace():
    """Runs this script again inside netns_run.sh's namespace, unless it already is there."""
    if os.environ.get(IN_NAMESPACE):
        return
    env = dict(os.environ, **{IN_NAMESPACE: "1"})
    os.execve(NETNS_RUN, [NETNS_RUN, sys.executable, os.path.abspath(__file__), *sys.argv[1:]], env)


if __name__ == "__main__":
    in_private_namespace()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        sys.exit(main())
    except (RuntimeError, OSError, http.client.HTTPException, subprocess.SubprocessError) as e:
        print(f"FAILED: {e}", file=sys.stderr)
        sys.exit(1)

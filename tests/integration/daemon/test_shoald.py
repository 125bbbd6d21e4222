"""shoald driven by Debian's transmission-remote: add (from a file and from a URL), list, stop,
start, remove, a restart that keeps the list, and the RPC's access checks (session id, Host,
whitelist, credentials)."""
import base64
import http.client
import http.server
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import tomllib

CLI = os.environ["SHOAL_CLI"]
DAEMON = os.environ["SHOALD"]
REMOTE = os.environ.get("TRANSMISSION_REMOTE", "transmission-remote")
RPC = "127.0.0.1:9091"
failures = []


def check(condition, what):
    if not condition:
        failures.append(what)
        print(f"FAIL: {what}", file=sys.stderr)


def write_config(path, state, downloads, extra=""):
    with open(path, "w") as f:
        f.write(f'state_dir = "{state}"\n'
                f'download_dir = "{downloads}"\n'
                f'rpc_bind = "{RPC}"\n'
                'port = 6999\nlisten = "127.0.0.1"\n'
                'dht = false\nlsd = false\nport_mapping = false\n' + extra)


class Daemon:
    def __init__(self, config, log):
        self.log = open(log, "a")
        self.proc = subprocess.Popen([DAEMON, "--config", config, "--foreground"],
                                     stdout=self.log, stderr=self.log)
        deadline = time.time() + 20
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"shoald exited with {self.proc.returncode}; see {log}")
            try:
                http.client.HTTPConnection("127.0.0.1", 9091, timeout=1).connect()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("shoald's RPC did not open")

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = "killed after 30 s"
        self.log.close()
        return code


def remote(*args):
    return subprocess.run([REMOTE, RPC, *args], capture_output=True, text=True, timeout=60)


def succeeded(result, what):
    check(result.returncode == 0 and 'responded: "success"' in result.stdout,
          f"{what}: exit {result.returncode}, {result.stdout!r} {result.stderr!r}")


def listing_until(predicate, what, timeout=20):
    """transmission-remote -l until its output satisfies `predicate`; the last output."""
    deadline = time.time() + timeout
    while True:
        out = remote("-l")
        if out.returncode == 0 and predicate(out.stdout):
            return out.stdout
        if time.time() > deadline:
            check(False, f"{what}: -l said {out.stdout!r} {out.stderr!r}")
            return out.stdout
        time.sleep(0.3)


def torrent_row(listing, name):
    rows = [line.split() for line in listing.splitlines() if line.rstrip().endswith(name)]
    return rows[0] if rows else None


def post(body, headers=None, host=None):
    conn = http.client.HTTPConnection("127.0.0.1", 9091, timeout=10)
    all_headers = {"Content-Type": "application/json"}
    if host is not None:
        all_headers["Host"] = host
    all_headers.update(headers or {})
    conn.request("POST", "/transmission/rpc", body=body, headers=all_headers)
    res = conn.getresponse()
    data = res.read()
    conn.close()
    return res.status, dict(res.getheaders()), data


def raw_checks():
    request = json.dumps({"method": "session-get", "arguments": {"fields": ["rpc-version", "version"]},
                          "tag": 31}).encode()
    status, headers, _ = post(request)
    check(status == 409, f"no session id: {status}")
    session_id = headers.get("X-Transmission-Session-Id", "")
    check(len(session_id) >= 32, f"409 carries the session id: {headers}")
    status, _, _ = post(request, {"X-Transmission-Session-Id": "wrong"})
    check(status == 409, f"wrong session id: {status}")
    status, _, body = post(request, {"X-Transmission-Session-Id": session_id})
    check(status == 200, f"with the session id: {status}")
    answer = json.loads(body)
    check(answer.get("tag") == 31 and answer.get("result") == "success" and
          answer["arguments"].get("rpc-version") == 17, f"session-get: {answer}")
    status, _, _ = post(request, {"X-Transmission-Session-Id": session_id}, host="evil.example:9091")
    check(status == 421, f"a foreign Host header: {status}")
    status, _, _ = post(request, {"X-Transmission-Session-Id": session_id}, host="localhost:9091")
    check(status == 200, f"Host localhost: {status}")
    status, _, body = post(b'{"method": "no-such-method", "tag": 5}', {"X-Transmission-Session-Id": session_id})
    check(json.loads(body) == {"arguments": {}, "result": "method name not recognized", "tag": 5},
          f"unknown method: {body!r}")
    # An 11 MiB body is refused on its Content-Length, before it is sent.
    with socket.create_connection(("127.0.0.1", 9091), timeout=10) as s:
        s.sendall(b"POST /transmission/rpc HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  b"X-Transmission-Session-Id: " + session_id.encode() + b"\r\n"
                  b"Content-Length: 11534336\r\n\r\n")
        status_line = s.recv(4096).split(b"\r\n")[0]
        check(status_line.startswith(b"HTTP/1.1 413"), f"an 11 MiB body: {status_line!r}")


def call(method, arguments):
    """One RPC call with the session-id handshake; the answer."""
    request = json.dumps({"method": method, "arguments": arguments}).encode()
    _, headers, _ = post(request)
    status, _, body = post(request, {"X-Transmission-Session-Id": headers.get("X-Transmission-Session-Id", "")})
    check(status == 200, f"{method}: HTTP {status}")
    return json.loads(body)


MAGNET = "magnet:?xt=urn:btih:00112233445566778899aabbccddeeff00112233&dn=from-a-redirect"


class TorrentServer(http.server.BaseHTTPRequestHandler):
    """Serves torrent files as an indexer does: one behind a cookie, one a redirect to a magnet
    link, one gone."""
    files = {}

    def do_GET(self):
        if self.path == "/private.torrent" and self.headers.get("Cookie") != "uid=7; pass=x":
            self.send_response(403)
            self.end_headers()
        elif self.path == "/magnet":
            self.send_response(302)
            self.send_header("Location", MAGNET)
            self.end_headers()
        elif self.path in self.files:
            body = self.files[self.path]
            self.send_response(200)
            self.send_header("Content-Type", "application/x-bittorrent")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            self.send_response(404)
            self.end_headers()

    def log_message(self, *args):
        pass


def adds_from_urls(first_torrent, second_torrent):
    """torrent-add of http URLs, by transmission-remote and by hand."""
    with open(first_torrent, "rb") as f:
        TorrentServer.files["/private.torrent"] = f.read()
    with open(second_torrent, "rb") as f:
        TorrentServer.files["/second.torrent"] = f.read()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), TorrentServer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        succeeded(remote("-a", base + "/second.torrent"), "-a a URL")
        listing_until(lambda out: "second.bin" in out, "the torrent from a URL listed")
        gone = call("torrent-add", {"filename": base + "/gone"})
        check(gone["result"] == f"torrent-add: {base}/gone replied HTTP 404 Not Found", f"a missing file: {gone}")
        refused = call("torrent-add", {"filename": base + "/private.torrent"})
        check("HTTP 403" in refused["result"], f"without the cookie: {refused}")
        # The first torrent is there already: fetched with the cookie, it is a duplicate.
        private = call("torrent-add", {"filename": base + "/private.torrent", "cookies": "uid=7; pass=x"})
        check(private["result"] == "success" and "torrent-duplicate" in private["arguments"],
              f"with the cookie: {private}")
        redirected = call("torrent-add", {"filename": base + "/magnet", "paused": True})
        added = redirected.get("arguments", {}).get("torrent-added", {})
        check(added.get("hashString") == "00112233445566778899aabbccddeeff00112233", f"a magnet redirect: {redirected}")
        removed = call("torrent-remove", {"ids": [added.get("hashString", "none")]})
        check(removed["result"] == "success", f"removing the magnet: {removed}")
    finally:
        server.shutdown()


def make_torrent(downloads, tmp, name, size):
    """`downloads`/`name`.bin of random bytes and `tmp`/`name`.torrent made of it."""
    data = os.path.join(downloads, name + ".bin")
    with open(data, "wb") as f:
        f.write(os.urandom(size))
    torrent = os.path.join(tmp, name + ".torrent")
    made = subprocess.run([CLI, "create", data, "-o", torrent], capture_output=True, text=True)
    check(made.returncode == 0, f"shoal-cli create: {made.stderr}")
    return data, torrent


def main():
    if subprocess.run(["which", REMOTE], capture_output=True).returncode != 0:
        print(f"{REMOTE} is not installed (Debian package transmission-cli)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        state = os.path.join(tmp, "state")
        downloads = os.path.join(tmp, "downloads")
        os.makedirs(downloads)
        data, torrent = make_torrent(downloads, tmp, "payload", 300_000)
        _, second_torrent = make_torrent(downloads, tmp, "second", 50_000)
        config = os.path.join(tmp, "shoald.toml")
        log = os.path.join(tmp, "shoald.log")

        write_config(config, state, downloads, 'no_such_key = 1\n')
        bad = subprocess.run([DAEMON, "--config", config, "--print-config"], capture_output=True, text=True)
        check(bad.returncode == 2 and "unknown key 'no_such_key'" in bad.stderr, f"unknown key: {bad.returncode} {bad.stderr!r}")
        write_config(config, state, downloads)
        printed = subprocess.run([DAEMON, "--config", config, "--print-config"], capture_output=True, text=True)
        check(printed.returncode == 0, f"--print-config: {printed.stderr!r}")
        effective = tomllib.loads(printed.stdout)
        check(effective["state_dir"] == state and effective["dht"] is False and effective["utp"] is True and
              effective["rpc_whitelist"] == ["127.0.0.0/8", "::1"] and effective["rpc_bind"] == RPC,
              f"--print-config: {printed.stdout!r}")
        # What it prints reads back as the same settings.
        again = os.path.join(tmp, "printed.toml")
        with open(again, "w") as f:
            f.write(printed.stdout)
        reprinted = subprocess.run([DAEMON, "--config", again, "--print-config"], capture_output=True, text=True)
        check(reprinted.stdout == printed.stdout, f"printed config read back: {reprinted.stdout!r} {reprinted.stderr!r}")

        daemon = Daemon(config, log)
        try:
            raw_checks()
            succeeded(remote("-a", torrent), "-a")
            listing = listing_until(lambda out: "payload.bin" in out and "100%" in out, "the torrent checked")
            row = torrent_row(listing, "payload.bin")
            check(row is not None and row[0] == "1", f"-l row: {listing!r}")
            added_again = remote("-a", torrent)
            check("duplicate torrent" in added_again.stdout + added_again.stderr or
                  'responded: "success"' in added_again.stdout, f"added again: {added_again.stdout!r}")

            succeeded(remote("-t", "1", "-S"), "-t 1 -S")
            listing_until(lambda out: "Stopped" in out, "stopped")
            succeeded(remote("-t", "1", "-s"), "-t 1 -s")
            listing_until(lambda out: "payload.bin" in out and "Stopped" not in out, "started")
            info = remote("-t", "1", "-i")
            check("payload.bin" in info.stdout, f"-t 1 -i: {info.stdout!r}")
            succeeded(remote("-t", "1", "-pr", "7"), "-t 1 -pr 7")
            info = remote("-t", "1", "-i")
            check("Peer limit: 7" in info.stdout, f"-t 1 -pr 7, then -i: {info.stdout!r}")
            session = remote("-si")
            check(session.returncode == 0 and "17" in session.stdout, f"-si: {session.stdout!r} {session.stderr!r}")
            adds_from_urls(torrent, second_torrent)
        finally:
            code = daemon.stop()
        check(code == 0, f"shoald on SIGTERM: {code}")

        # The list survives a restart.
        daemon = Daemon(config, log)
        try:
            listing = listing_until(lambda out: "payload.bin" in out, "after a restart")
            # Ids are given again at a restart, in the order the torrents were added.
            row = torrent_row(listing, "payload.bin")
            succeeded(remote("-t", row[0] if row else "1", "-r"), "-t ID -r")
            listing_until(lambda out: "payload.bin" not in out, "removed")
            check(os.path.exists(data), "-r kept the data")
        finally:
            code = daemon.stop()
        check(code == 0, f"shoald on SIGTERM: {code}")

        # With credentials, and from outside the whitelist.
        write_config(config, state, downloads, 'rpc_username = "user"\nrpc_password = "s3cret"\n')
        daemon = Daemon(config, log)
        try:
            denied = remote("-l")
            check(denied.returncode != 0 and "Unauthorized" in denied.stdout + denied.stderr,
                  f"no credentials: {denied.returncode} {denied.stdout!r} {denied.stderr!r}")
            wrong = remote("-n", "user:wrong", "-l")
            check(wrong.returncode != 0, f"wrong password: {wrong.stdout!r}")
            succeeded(remote("-n", "user:s3cret", "-a", torrent), "-n user:s3cret -a")
            listed = remote("-n", "user:s3cret", "-l")
            check(listed.returncode == 0 and "payload.bin" in listed.stdout, f"-n -l: {listed.stdout!r}")
            auth = "Basic " + base64.b64encode(b"user:s3cret").decode()
            status, _, _ = post(b"{}", {"Authorization": auth})
            check(status == 409, f"credentials without the session id: {status}")
        finally:
            code = daemon.stop()
        check(code == 0, f"shoald on SIGTERM: {code}")

        write_config(config, state, downloads, 'rpc_whitelist = ["10.0.0.0/8"]\n')
        daemon = Daemon(config, log)
        try:
            status, _, _ = post(b"{}")
            check(status == 403, f"outside the whitelist: {status}")
        finally:
            daemon.stop()

        # Without --foreground: the start's outcome is the exit code, then it runs on its own.
        write_config(config, state, downloads)
        started = subprocess.run([DAEMON, "--config", config], capture_output=True, text=True, timeout=30)
        check(started.returncode == 0, f"in the background: {started.returncode} {started.stderr!r}")
        listed = remote("-l")
        check(listed.returncode == 0 and "payload.bin" in listed.stdout, f"background -l: {listed.stdout!r}")
        busy = subprocess.run([DAEMON, "--config", config], capture_output=True, text=True, timeout=30)
        check(busy.returncode == 5 and "cannot listen" in busy.stderr,
              f"a second one on the same ports: {busy.returncode} {busy.stderr!r}")
        sockets = subprocess.run(["ss", "-ltnpH", "sport = :9091"], capture_output=True, text=True).stdout
        pids = {int(p.split("=")[1]) for p in sockets.replace(",", " ").split() if p.startswith("pid=")}
        check(len(pids) == 1, f"one process listens for RPC: {sockets!r}")
        for pid in pids:
            os.kill(pid, signal.SIGTERM)
            deadline = time.time() + 30
            while time.time() < deadline and os.path.exists(f"/proc/{pid}"):
                time.sleep(0.1)
            check(not os.path.exists(f"/proc/{pid}"), "the background daemon stops on SIGTERM")

        if failures:
            with open(log) as f:
                print(f.read(), file=sys.stderr)
    print(f"{len(failures)} failures" if failures else "ok")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

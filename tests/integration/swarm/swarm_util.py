"""Starting shoal-cli seeds and leeches on loopback addresses for swarm tests."""
import json
import os
import random
import sys
import tempfile
import re
import resource
import socket
import subprocess
import threading
import time

CLI = os.environ["SHOAL_CLI"]


def write_random(path, size, seed):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(random.Random(seed).randbytes(size))


def same_file(a, b):
    with open(a, "rb") as fa, open(b, "rb") as fb:
        return fa.read() == fb.read()


class Client:
    """A shoal-cli process; collects its stderr lines and JSON status lines."""

    def __init__(self, args, listen="127.0.0.1", max_fds=None):
        """`listen` None: no --listen, so the client listens on IPv4 and IPv6 (reached here
        through 127.0.0.1 and ::1)."""
        # No DHT or local discovery unless a test asks: the peers are given to each client.
        sources = [] if "--dht-bootstrap" in args else ["--no-dht"]
        sources += [] if "--lsd" in args else ["--no-lsd"]
        # Nor port mapping: there is no router here to ask.
        sources += [] if "--port-mapping" in args else ["--no-port-mapping"]
        args = [a for a in args if a not in ("--lsd", "--port-mapping")]
        where = [] if listen is None else ["--listen", listen]
        self.args = [CLI, *args, *where, "--port", "0", "-v", "--json", *sources]
        self.listen = listen
        def limit_fds():
            if max_fds:
                resource.setrlimit(resource.RLIMIT_NOFILE, (max_fds, max_fds))
        self.proc = subprocess.Popen(self.args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     preexec_fn=limit_fds)
        self.log = []
        self.status = []
        self.text = []
        self.port = None
        self._port_ready = threading.Event()
        threading.Thread(target=self._read_stderr, daemon=True).start()
        threading.Thread(target=self._read_stdout, daemon=True).start()

    def _read_stderr(self):
        for line in self.proc.stderr:
            self.log.append(line.rstrip("\n"))
            m = re.match(r"listening on .*:(\d+)$", line.strip())
            if m:
                self.port = int(m.group(1))
                self._port_ready.set()
        self._port_ready.set()

    def _read_stdout(self):
        for line in self.proc.stdout:
            line = line.strip()
            if line.startswith("{"):
                try:
                    self.status.append(json.loads(line))
                except ValueError:
                    pass
            else:
                self.text.append(line)

    def stdout_lines(self):
        """What the client printed on stdout besides its JSON status lines."""
        return list(self.text)

    def address(self):
        if not self._port_ready.wait(20) or self.port is None:
            raise AssertionError(f"{self.args} did not start: {self.log}")
        if self.listen is None:
            return f"127.0.0.1:{self.port}"
        if ":" in self.listen:  # IPv6: the wildcard is reached through loopback
            host = "::1" if self.listen == "::" else self.listen
            return f"[{host}]:{self.port}"
        return f"{self.listen}:{self.port}"

    def wait(self, timeout):
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise AssertionError(f"{self.args} did not finish in {timeout}s; last status "
                                 f"{self.status[-1] if self.status else None}; log {self.log[-10:]}")

    def stop(self):
        return stop_process(self.proc)

    def logged(self, text):
        return any(text in line for line in self.log)


def stop_process(proc, timeout=15):
    """Asks `proc` to stop (SIGTERM), kills it after `timeout` seconds; its exit code."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode


def seed(torrent, data_dir, *extra, listen="127.0.0.1", max_fds=None):
    return Client(["seed", torrent, "-d", data_dir, *extra], listen=listen, max_fds=max_fds)


def get(torrent, out_dir, peers, *extra, listen="127.0.0.1"):
    args = ["get", torrent, "-d", out_dir]
    for p in peers:
        args += ["--peer", p]
    return Client(args + list(extra), listen=listen)


def create(source, torrent, *extra):
    subprocess.run([CLI, "create", source, "-o", torrent, "--force", *extra], check=True,
                   capture_output=True, timeout=120)


def make_payload(tmp, name, size):
    """`tmp`/data/`name`/file.bin of `size` random bytes and a hybrid torrent of it (64 KiB
    pieces); returns the data folder and the torrent's path."""
    data = os.path.join(tmp, "data")
    write_random(os.path.join(data, name, "file.bin"), size, seed=len(name))
    torrent = os.path.join(tmp, f"{name}.torrent")
    create(os.path.join(data, name), torrent, "--hybrid", "-s", "64K")
    return data, torrent


def check_file(src, dst, name):
    """Raises unless `dst`/`name`/file.bin is byte-identical to the one under `src`."""
    a = os.path.join(src, name, "file.bin")
    b = os.path.join(dst, name, "file.bin")
    if not os.path.exists(b) or not same_file(a, b):
        raise AssertionError(f"{name}/file.bin differs")


class FakePeer:
    """A peer on the wire protocol that lies: it claims every piece and answers requests with
    junk (`mode="corrupt"`), or sends an oversized message (`mode="oversized"`)."""

    def __init__(self, info_hash, num_pieces, mode, address="127.0.0.2", block_delay=0.0,
                 unchoke_delay=0.0, leave_after=None):
        self.info_hash = info_hash
        self.block_delay = block_delay  # seconds before each junk block, to pace the liar
        self.unchoke_delay = unchoke_delay  # seconds before it unchokes, so honest peers start first
        self.leave_after = leave_after  # junk blocks sent per connection before hanging up
        self.num_pieces = num_pieces
        self.mode = mode
        self.server = socket.socket()
        self.server.bind((address, 0))
        self.server.listen(8)
        self.address = f"{address}:{self.server.getsockname()[1]}"
        self.served = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self._talk, args=(conn,), daemon=True).start()

    def _talk(self, conn):
        try:
            hs = read_exact(conn, 68)
            if hs[28:48] != self.info_hash:
                return
            if self.mode == "metadata":
                return self._lie_about_metadata(conn)
            conn.sendall(b"\x13BitTorrent protocol" + bytes(8) + self.info_hash + b"-FK0001-" + bytes(12))
            bits = bytearray((self.num_pieces + 7) // 8)
            for i in range(self.num_pieces):
                bits[i // 8] |= 0x80 >> (i % 8)
            conn.sendall(len(bits + b"\x05").to_bytes(4, "big") + b"\x05" + bytes(bits))
            if self.mode == "oversized":
                conn.sendall((50_000_000).to_bytes(4, "big") + b"\x07" + bytes(1000))
            time.sleep(self.unchoke_delay)
            conn.sendall(b"\x00\x00\x00\x01\x01")  # unchoke
            sent = 0
            while True:
                length = int.from_bytes(read_exact(conn, 4), "big")
                body = read_exact(conn, length)
                if body[:1] == b"\x06" and len(body) == 13:
                    index, begin, size = (int.from_bytes(body[i:i + 4], "big") for i in (1, 5, 9))
                    time.sleep(self.block_delay)
                    junk = random.randbytes(size)
                    payload = b"\x07" + index.to_bytes(4, "big") + begin.to_bytes(4, "big") + junk
                    conn.sendall(len(payload).to_bytes(4, "big") + payload)
                    self.served += size
                    sent += 1
                    if self.leave_after is not None and sent >= self.leave_after:
                        return
        except (OSError, ConnectionError, ValueError):
            pass
        finally:
            conn.close()

    def _lie_about_metadata(self, conn):
        """For a magnet link: announces metadata of a size of its own (`num_pieces` bytes)
        and answers every metadata request with random bytes."""
        conn.sendall(b"\x13BitTorrent protocol" + bytes([0, 0, 0, 0, 0, 0x10, 0, 0]) + self.info_hash +
                     b"-FK0001-" + bytes(12))
        size = self.num_pieces
        hello = b"d1:md11:ut_metadatai3ee13:metadata_sizei%dee" % size
        conn.sendall((len(hello) + 2).to_bytes(4, "big") + b"\x14\x00" + hello)
        their_id = 0
        while True:
            length = int.from_bytes(read_exact(conn, 4), "big")
            body = read_exact(conn, length)
            hs = re.search(rb"11:ut_metadatai(\d+)e", body) if body[:2] == b"\x14\x00" else None
            if hs:
                their_id = int(hs.group(1))
            m = re.match(rb"\x14.d8:msg_typei0e5:piecei(\d+)ee", body, re.S)
            if m and their_id:
                piece = int(m.group(1))
                chunk = min(16384, size - piece * 16384)
                answer = b"\x14" + bytes([their_id]) + b"d8:msg_typei1e5:piecei%de10:total_sizei%dee" % (piece, size) + \
                    random.randbytes(max(chunk, 0))
                conn.sendall(len(answer).to_bytes(4, "big") + answer)
                self.served += 1

    def close(self):
        self.server.close()


def read_exact(conn, n):
    """Exactly n bytes from a socket; ConnectionError if it closes first."""
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    return data


def show(torrent):
    out = subprocess.run([CLI, "show", "--json", torrent], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def wait_until(predicate, timeout, what):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def run_scenarios(scenarios):
    """Runs (name, function(tmp_dir)) pairs, those named on the command line if any; exits 1
    if one failed."""
    only = sys.argv[1:]
    failed = []
    for name, scenario in scenarios:
        if only and not any(o in name for o in only):
            continue
        start = time.time()
        with tempfile.TemporaryDirectory() as tmp:
            # Resume data stays inside the scenario's folder.
            os.environ["XDG_STATE_HOME"] = os.path.join(tmp, "state")
            try:
                scenario(tmp)
                print(f"ok   {name} ({time.time() - start:.1f}s)", flush=True)
            except Exception as e:  # noqa: BLE001 - report every scenario
                print(f"FAIL {name}: {e}", flush=True)
                failed.append(name)
    if failed:
        sys.exit(1)

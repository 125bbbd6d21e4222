"""A private redis-server for tracker tests, a tiny RESP client, and a delaying TCP proxy.

The server runs in its own temporary directory with persistence off; it listens on a Unix
socket there and, unless told otherwise, on a free 127.0.0.1 port. Never the system Redis.
"""

import os
import queue
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time

from tracker_harness import die_with_parent

REDIS_SERVER = os.environ.get("SHOAL_REDIS_SERVER", "redis-server")


def make_tls_files(directory, host_ip="127.0.0.1"):
    """A CA and a server certificate for HOST_IP signed by it, made with openssl; returns
    the paths as RedisServer's tls argument wants them."""
    ca_key, ca_file = os.path.join(directory, "ca.key"), os.path.join(directory, "ca.pem")
    key_file, cert_file = os.path.join(directory, "server.key"), os.path.join(directory,
                                                                              "server.pem")
    csr, ext = os.path.join(directory, "server.csr"), os.path.join(directory, "server.ext")

    def openssl(*args):
        subprocess.run(["openssl", *args], check=True, timeout=60, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE)
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca_key, "-out", ca_file,
            "-days", "2", "-subj", "/CN=shoal test CA")
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", key_file, "-out", csr,
            "-subj", "/CN=%s" % host_ip)
    with open(ext, "w") as f:
        f.write("subjectAltName = IP:%s\n" % host_ip)
    openssl("x509", "-req", "-in", csr, "-CA", ca_file, "-CAkey", ca_key, "-CAcreateserial",
            "-out", cert_file, "-days", "2", "-extfile", ext)
    return {"cert_file": cert_file, "key_file": key_file, "ca_file": ca_file}


def free_tcp_port(host="127.0.0.1"):
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class RespError(Exception):
    pass


class RedisClient:
    """Just enough RESP2 to send commands and read replies, over TCP or a Unix socket."""

    def __init__(self, unix_path=None, host="127.0.0.1", port=None, timeout=5, password=None):
        if unix_path:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.settimeout(timeout)
            self.sock.connect(unix_path)
        else:
            self.sock = socket.create_connection((host, port), timeout=timeout)
        self.buf = b""
        if password is not None:
            try:
                self.command("AUTH", password)
            except BaseException:
                self.sock.close()
                raise

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError("redis closed the connection")
        self.buf += data

    def _line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _reply(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            raise RespError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            if n < 0:
                return None
            while len(self.buf) < n + 2:
                self._fill()
            value, self.buf = self.buf[:n], self.buf[n + 2:]
            return value
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self._reply() for _ in range(n)]
        raise RespError("bad reply line %r" % line)

    def command(self, *args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        self.sock.sendall(b"".join(out))
        return self._reply()

    def info(self, section):
        text = self.command("INFO", section).decode()
        fields = {}
        for line in text.splitlines():
            if ":" in line and not line.startswith("#"):
                k, v = line.split(":", 1)
                fields[k] = v
        return fields


class RedisServer:
    """A redis-server child; start() again after stop() comes back on the same addresses.

    password: required of every client (requirepass). tls: a dict with the cert_file,
    key_file and ca_file paths; the TCP port then speaks TLS only (the Unix socket stays
    plain, for the test's own client)."""

    def __init__(self, tcp=True, port=None, password=None, tls=None):
        self.dir = tempfile.mkdtemp(prefix="shoal-it-redis-")
        self.unix_path = os.path.join(self.dir, "redis.sock")
        self.port = (port or free_tcp_port()) if tcp else 0
        self.password, self.tls = password, tls
        self.proc = None
        self.log_path = os.path.join(self.dir, "redis.log")
        try:
            self.start()
        except BaseException:
            self.close()
            raise

    @property
    def url(self):
        """The redis:// url when listening on TCP, else the unix:// one."""
        return self.tcp_url if self.port else self.unix_url

    @property
    def tcp_url(self):
        assert self.port, "this server has no TCP port"
        return "%s://127.0.0.1:%d/0" % ("rediss" if self.tls else "redis", self.port)

    @property
    def unix_url(self):
        return "unix://" + self.unix_path

    def start(self, timeout=10):
        assert self.proc is None or self.proc.poll() is not None, "already running"
        cmd = [REDIS_SERVER, "--bind", "127.0.0.1",
               "--unixsocket", self.unix_path, "--unixsocketperm", "700",
               "--save", "", "--appendonly", "no", "--dir", self.dir,
               "--logfile", self.log_path, "--daemonize", "no"]
        if self.tls:
            cmd += ["--port", "0", "--tls-port", str(self.port),
                    "--tls-cert-file", self.tls["cert_file"],
                    "--tls-key-file", self.tls["key_file"],
                    "--tls-ca-cert-file", self.tls["ca_file"], "--tls-auth-clients", "no"]
        else:
            cmd += ["--port", str(self.port)]
        if self.password is not None:
            cmd += ["--requirepass", self.password]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, preexec_fn=die_with_parent)
        end = time.time() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("redis-server exited: " + self.log_tail())
            try:
                with self.client(timeout=1) as c:
                    if c.command("PING") == "PONG":
                        return
            except (OSError, RespError):
                pass
            if time.time() > end:
                raise RuntimeError("redis-server did not answer PING: " + self.log_tail())
            time.sleep(0.05)

    def stop(self, sig=signal.SIGKILL):
        """Ends the server (SIGKILL by default: an outage, not a clean shutdown)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        try:
            os.unlink(self.unix_path)
        except FileNotFoundError:
            pass

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def client(self, timeout=5):
        return RedisClient(unix_path=self.unix_path, timeout=timeout, password=self.password)

    def used_memory(self):
        with self.client() as c:
            return int(c.info("memory")["used_memory"])

    def dbsize(self, db=0):
        with self.client() as c:
            if db:
                c.command("SELECT", db)
            return c.command("DBSIZE")

    def log_tail(self, n=20):
        try:
            with open(self.log_path, errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return "(no log)"

    def close(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class DelayProxy:
    """Forwards TCP connections on 127.0.0.1 to an upstream (a Unix socket path or a
    (host, port)), holding every chunk `delay` seconds in each direction, order kept."""

    def __init__(self, upstream, delay):
        self.upstream, self.delay = upstream, delay
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.closed = threading.Event()
        self.lock = threading.Lock()
        self.sockets = []
        self.connections = 0
        self.bytes_up = 0
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self):
        return "redis://127.0.0.1:%d/0" % self.port

    def _connect_upstream(self):
        if isinstance(self.upstream, str):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(self.upstream)
            return s
        return socket.create_connection(self.upstream)

    def _accept(self):
        while not self.closed.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            try:
                server = self._connect_upstream()
            except OSError:
                client.close()
                continue
            with self.lock:
                self.sockets += [client, server]
                self.connections += 1
            self._pump(client, server, up=True)
            self._pump(server, client, up=False)

    def _pump(self, src, dst, up):
        held = queue.Queue()

        def reader():
            while True:
                try:
                    data = src.recv(65536)
                except OSError:
                    data = b""
                held.put((time.monotonic() + self.delay, data))
                if not data:
                    return
                if up:
                    with self.lock:
                        self.bytes_up += len(data)

        def writer():
            while True:
                due, data = held.get()
                wait = due - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                if not data:
                    break
                try:
                    dst.sendall(data)
                except OSError:
                    break
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

        threading.Thread(target=reader, daemon=True).start()
        threading.Thread(target=writer, daemon=True).start()

    def close(self):
        self.closed.set()
        self.listener.close()
        with self.lock:
            for s in self.sockets:
                try:
                    s.close()
                except OSError:
                    pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

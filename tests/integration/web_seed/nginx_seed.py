"""Debian's nginx as a web seed for tests: started in a folder of the test's own, on
127.0.0.2 (HTTP on 8080, HTTPS on 8443 with a certificate from a test CA), serving folders by
prefix, with /flaky/ answering 503 while a flag file exists, /moved/ redirecting to /good/ and
/downgrade/ redirecting to /good/ over plain HTTP, and /slow/ serving /good/ at 7 KB/s.
The access log records each request's URI, status and Range header."""
import os
import shutil
import subprocess
import time

import swarm_util

HOST = "127.0.0.2"
HTTP = f"http://{HOST}:8080"
HTTPS = f"https://{HOST}:8443"

# The data the web seed tests share: one file, and an album whose names have spaces, UTF-8,
# "&" and parentheses, in a subfolder too.
SINGLE = "disk image.bin"
ALBUM = "Ünïcode album"
ALBUM_FILES = [("01 first track.ogg", 700_000), ("cd 2/02 ça va.ogg", 1_300_001), ("cd 2/notes & more (1).txt", 999)]


def make_payloads(folder, single_size):
    """SINGLE and ALBUM of random bytes in `folder`."""
    swarm_util.write_random(os.path.join(folder, SINGLE), single_size, seed=1)
    for i, (name, size) in enumerate(ALBUM_FILES):
        swarm_util.write_random(os.path.join(folder, ALBUM, name), size, seed=10 + i)


def lying_copy(good, folder):
    """A copy of `good` in `folder` whose first album file is all wrong bytes."""
    shutil.copytree(good, folder)
    name, size = ALBUM_FILES[0]
    with open(os.path.join(folder, ALBUM, name), "r+b") as f:
        f.write(b"\xff" * size)


def make_ca(folder):
    """A CA and a server certificate for HOST signed by it; returns (ca, cert, key) paths."""
    ca_key, ca = os.path.join(folder, "ca.key"), os.path.join(folder, "ca.pem")
    key, csr, cert = (os.path.join(folder, n) for n in ("server.key", "server.csr", "server.pem"))
    ext = os.path.join(folder, "server.ext")
    with open(ext, "w") as f:
        f.write(f"subjectAltName=IP:{HOST}\n")
    run = lambda *a: subprocess.run(["openssl", *a], check=True, capture_output=True, timeout=60)
    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca_key, "-out", ca, "-days", "2",
        "-subj", "/CN=Shoal test CA")
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr, "-subj", f"/CN={HOST}")
    run("x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial", "-out", cert, "-days", "2",
        "-extfile", ext)
    return ca, cert, key


class Nginx:
    def __init__(self, folder, roots):
        """`roots`: URL prefix (without slashes) -> folder it serves."""
        self.folder = folder
        os.makedirs(folder, exist_ok=True)
        self.busy_flag = os.path.join(folder, "busy")
        _, cert, key = make_ca(folder)
        self.ca = os.path.join(folder, "ca.pem")
        extra = ""
        if "good" in roots:
            extra = f"""    location /flaky/ {{
      if (-f {self.busy_flag}) {{ add_header Retry-After 1 always; return 503; }}
      alias {roots["good"]}/;
    }}
    location /moved/ {{ rewrite ^/moved/(.*)$ /good/$1 redirect; }}
    location /downgrade/ {{ rewrite ^/downgrade/(.*)$ http://{HOST}:8080/good/$1 redirect; }}
    location /slow/ {{ alias {roots["good"]}/; limit_rate 7k; }}
"""
        locations = "".join(f"    location /{name}/ {{ alias {path}/; }}\n" for name, path in roots.items())
        conf = os.path.join(folder, "nginx.conf")
        temp = os.path.join(folder, "temp")
        os.makedirs(temp, exist_ok=True)
        with open(conf, "w") as f:
            f.write(f"""
{"user root;" if os.getuid() == 0 else ""}
worker_processes 1;
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/error.log info;
events {{ worker_connections 128; }}
http {{
  log_format seeds '$request_method "$request_uri" $status range=$http_range';
  access_log {folder}/access.log seeds;
  client_body_temp_path {temp}/body; proxy_temp_path {temp}/proxy; fastcgi_temp_path {temp}/fcgi;
  uwsgi_temp_path {temp}/uwsgi; scgi_temp_path {temp}/scgi;
  default_type application/octet-stream;
  server {{
    listen {HOST}:8080;
    listen {HOST}:8443 ssl;
    ssl_certificate {cert};
    ssl_certificate_key {key};
{locations}
{extra}  }}
}}
""")
        self.proc = subprocess.Popen(["nginx", "-c", conf, "-p", folder], stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 10
        while not os.path.exists(os.path.join(folder, "nginx.pid")):
            if self.proc.poll() is not None or time.time() > deadline:
                raise AssertionError(f"nginx did not start: {self.proc.stderr.read()}")
            time.sleep(0.05)

    def log(self):
        with open(os.path.join(self.folder, "access.log")) as f:
            return f.read().splitlines()

    def stop(self):
        swarm_util.stop_process(self.proc)


def tree_equal(a, b):
    """Raises unless every file under `a` is under `b` with the same bytes."""
    for dirpath, _, files in os.walk(a):
        for name in files:
            src = os.path.join(dirpath, name)
            dst = os.path.join(b, os.path.relpath(src, a))
            if not os.path.exists(dst) or not swarm_util.same_file(src, dst):
                raise AssertionError(f"{os.path.relpath(src, a)} differs after the download")

"""Web seeds (BEP 19) against a real nginx in the test's own network namespace: torrents whose
only sources are web seeds (v1 single file, v1 multi-file with spaces and UTF-8 names, hybrid
with pad files over HTTPS with a test CA), a seed serving wrong bytes for one file beside a good
one, a seed answering 503 for a while, a seed that redirects, and two seeds each missing a file.
Run through netns_run.sh; SHOAL_CLI is shoal-cli."""
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "swarm"))
import swarm_util  # noqa: E402
from swarm_util import Client, create, write_random  # noqa: E402

HOST = "127.0.0.2"
HTTP = f"http://{HOST}:8080"
HTTPS = f"https://{HOST}:8443"
TIMEOUT = 120 if os.environ.get("SHOAL_SANITIZED") in ("1", "ON", "TRUE", "true") else 60


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
    location /flaky/ {{
      if (-f {self.busy_flag}) {{ add_header Retry-After 1 always; return 503; }}
      alias {roots["good"]}/;
    }}
    location /moved/ {{ rewrite ^/moved/(.*)$ /good/$1 redirect; }}
  }}
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
    for dirpath, _, files in os.walk(a):
        for name in files:
            src = os.path.join(dirpath, name)
            dst = os.path.join(b, os.path.relpath(src, a))
            if not os.path.exists(dst) or not swarm_util.same_file(src, dst):
                raise AssertionError(f"{os.path.relpath(src, a)} differs after the download")


def download(torrent, out, env=None, extra=()):
    """shoal-cli get with no peer at all: web seeds only. Returns the client."""
    args = ["get", torrent, "-d", out, "--state-dir", "", *extra]
    old = dict(os.environ)
    try:
        if env:
            os.environ.update(env)
        client = Client(args)
    finally:
        os.environ.clear()
        os.environ.update(old)
    code = client.wait(TIMEOUT)
    if code != 0:
        raise AssertionError(f"get exited {code}: {client.log[-15:]}")
    return client


def main():
    tmp = tempfile.mkdtemp(prefix="shoal-webseed-")
    try:
        good = os.path.join(tmp, "good")
        single = "disk image.bin"
        write_random(os.path.join(good, single), 3 * 1024 * 1024 + 12345, seed=1)
        album = "Ünïcode album"
        for i, (name, size) in enumerate([("01 first track.ogg", 700_000), ("cd 2/02 ça va.ogg", 1_300_001),
                                          ("cd 2/notes & more.txt", 999)]):
            write_random(os.path.join(good, album, name), size, seed=10 + i)

        # A copy with wrong bytes in one file, and two copies each missing another file.
        bad = os.path.join(tmp, "bad")
        shutil.copytree(good, bad)
        with open(os.path.join(bad, album, "01 first track.ogg"), "r+b") as f:
            f.write(b"\xff" * 700_000)
        part_a, part_b = os.path.join(tmp, "partA"), os.path.join(tmp, "partB")
        shutil.copytree(good, part_a)
        shutil.copytree(good, part_b)
        os.remove(os.path.join(part_a, album, "01 first track.ogg"))
        # (Not files that meet inside one piece: then neither seed has that whole piece.)
        os.remove(os.path.join(part_b, album, "cd 2/notes & more.txt"))

        nginx = Nginx(os.path.join(tmp, "nginx"), {"good": good, "bad": bad, "partA": part_a, "partB": part_b})
        try:
            run_cases(tmp, good, single, album, nginx)
        finally:
            nginx.stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("web seed tests passed")


def run_cases(tmp, good, single, album, nginx):
    torrents = os.path.join(tmp, "torrents")
    os.makedirs(torrents)

    # v1, one file, the seed URL naming a folder.
    t = os.path.join(torrents, "single.torrent")
    create(os.path.join(good, single), t, "--v1", "-s", "256K", "-w", f"{HTTP}/good/")
    out = os.path.join(tmp, "out-single")
    download(t, out)
    if not swarm_util.same_file(os.path.join(good, single), os.path.join(out, single)):
        raise AssertionError("single file differs")
    requested = [l for l in nginx.log() if "disk%20image.bin" in l]
    if not requested or not all(" 206 range=bytes=" in l for l in requested):
        raise AssertionError(f"expected range requests for the file: {nginx.log()[-5:]}")
    print(f"v1 single file: {len(requested)} range requests")

    # v1, one file, the seed URL naming the file itself.
    t = os.path.join(torrents, "single-direct.torrent")
    quoted = urllib.parse.quote(single)
    create(os.path.join(good, single), t, "--v1", "-s", "1M", "-w", f"{HTTP}/good/{quoted}")
    download(t, os.path.join(tmp, "out-direct"))

    # v1, several files with spaces and UTF-8 in their names.
    t = os.path.join(torrents, "album-v1.torrent")
    create(os.path.join(good, album), t, "--v1", "-s", "64K", "-w", f"{HTTP}/good/")
    out = os.path.join(tmp, "out-album-v1")
    download(t, out)
    tree_equal(os.path.join(good, album), os.path.join(out, album))
    print("v1 multi-file: done")

    # Hybrid with pad files, over HTTPS checked against the test CA (SSL_CERT_FILE).
    t = os.path.join(torrents, "album-hybrid.torrent")
    create(os.path.join(good, album), t, "--hybrid", "-s", "64K", "-w", f"{HTTPS}/good/")
    before = len(nginx.log())
    out = os.path.join(tmp, "out-album-hybrid")
    download(t, out, env={"SSL_CERT_FILE": nginx.ca})
    tree_equal(os.path.join(good, album), os.path.join(out, album))
    new = nginx.log()[before:]
    if any(".pad" in l for l in new):
        raise AssertionError("a pad file was requested")
    print(f"hybrid over HTTPS: {len(new)} requests, no pad file asked for")

    # Without the CA the server is not trusted: nothing is downloaded from it.
    out = os.path.join(tmp, "out-untrusted")
    client = Client(["get", t, "-d", out, "--state-dir", ""])
    time.sleep(3)
    done = client.status[-1]["progress"] if client.status else 0
    client.stop()
    if done and done > 0:
        raise AssertionError(f"downloaded {done} from a server whose certificate is not trusted")

    # A good seed and one with wrong bytes in one file: the liar is dropped, the data is right.
    t = os.path.join(torrents, "album-liar.torrent")
    create(os.path.join(good, album), t, "--v1", "-s", "64K", "-w", f"{HTTP}/bad/", "-w", f"{HTTP}/good/")
    out = os.path.join(tmp, "out-liar")
    # In order: the liar, named first, is asked for the first pieces, all in its bad file.
    client = download(t, out, extra=["--sequential"])
    tree_equal(os.path.join(good, album), os.path.join(out, album))
    if not client.logged(f"web seed {HTTP}/bad/ dropped"):
        raise AssertionError(f"expected the lying seed to be dropped: {client.log[-10:]}")
    print("lying seed: dropped, data right")

    # A seed that answers 503 with Retry-After for a while.
    t = os.path.join(torrents, "flaky.torrent")
    create(os.path.join(good, single), t, "--v1", "-s", "256K", "-w", f"{HTTP}/flaky/")
    open(nginx.busy_flag, "w").close()
    out = os.path.join(tmp, "out-flaky")
    client = Client(["get", t, "-d", out, "--state-dir", ""])
    time.sleep(3)
    os.remove(nginx.busy_flag)
    code = client.wait(TIMEOUT)
    if code != 0:
        raise AssertionError(f"get from a seed busy for a while exited {code}: {client.log[-10:]}")
    if not any("/flaky/" in l and " 503 " in l for l in nginx.log()):
        raise AssertionError("the busy seed was never asked while busy")
    print("busy seed: waited, then done")

    # A seed that redirects every request.
    t = os.path.join(torrents, "moved.torrent")
    create(os.path.join(good, album), t, "--v1", "-s", "64K", "-w", f"{HTTP}/moved/")
    out = os.path.join(tmp, "out-moved")
    download(t, out)
    tree_equal(os.path.join(good, album), os.path.join(out, album))
    if not any("/moved/" in l and " 302 " in l for l in nginx.log()):
        raise AssertionError("no redirect was followed")

    # Two seeds, each missing a file the other has.
    t = os.path.join(torrents, "parts.torrent")
    create(os.path.join(good, album), t, "--v1", "-s", "64K", "-w", f"{HTTP}/partA/", "-w", f"{HTTP}/partB/")
    out = os.path.join(tmp, "out-parts")
    download(t, out)
    tree_equal(os.path.join(good, album), os.path.join(out, album))
    print("two seeds each missing a file: done")


if __name__ == "__main__":
    main()

"""Web seeds (BEP 19) against a real nginx in the test's own network namespace: torrents whose
only sources are web seeds (v1 single file, v1 multi-file with spaces and UTF-8 names, hybrid
with pad files over HTTPS with a test CA), a seed serving wrong bytes for one file beside a good
one, a seed answering 503 for a while, a seed that redirects, and two seeds each missing a file.
Run through netns_run.sh; SHOAL_CLI is shoal-cli."""
import os
import shutil
import sys
import tempfile
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "swarm"))
import swarm_util  # noqa: E402
from swarm_util import Client, create  # noqa: E402
sys.path.insert(0, os.path.dirname(__file__))
from nginx_seed import ALBUM, ALBUM_FILES, HTTP, HTTPS, SINGLE, Nginx, lying_copy, make_payloads, tree_equal  # noqa: E402

TIMEOUT = 120 if os.environ.get("SHOAL_SANITIZED") in ("1", "ON", "TRUE", "true") else 60


def start(args, env=None):
    """A shoal-cli client with `env` added to its environment."""
    old = dict(os.environ)
    try:
        os.environ.update(env or {})
        return Client(args)
    finally:
        os.environ.clear()
        os.environ.update(old)


def download(torrent, out, env=None, extra=()):
    """shoal-cli get with no peer at all: web seeds only. Returns the client."""
    client = start(["get", torrent, "-d", out, "--state-dir", "", *extra], env)
    code = client.wait(TIMEOUT)
    if code != 0:
        raise AssertionError(f"get exited {code}: {client.log[-15:]}")
    return client


def main():
    tmp = tempfile.mkdtemp(prefix="shoal-webseed-")
    try:
        good = os.path.join(tmp, "good")
        make_payloads(good, 3 * 1024 * 1024 + 12345)
        # A copy with wrong bytes in one file, and two copies each missing another file.
        bad = os.path.join(tmp, "bad")
        lying_copy(good, bad)
        part_a, part_b = os.path.join(tmp, "partA"), os.path.join(tmp, "partB")
        shutil.copytree(good, part_a)
        shutil.copytree(good, part_b)
        os.remove(os.path.join(part_a, ALBUM, ALBUM_FILES[0][0]))
        # (Not files that meet inside one piece: then neither seed has that whole piece.)
        os.remove(os.path.join(part_b, ALBUM, ALBUM_FILES[2][0]))

        nginx = Nginx(os.path.join(tmp, "nginx"), {"good": good, "bad": bad, "partA": part_a, "partB": part_b})
        try:
            run_cases(tmp, good, nginx)
        finally:
            nginx.stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("web seed tests passed")


def run_cases(tmp, good, nginx):
    torrents = os.path.join(tmp, "torrents")
    os.makedirs(torrents)

    def torrent(name, what, *args):
        """SINGLE or ALBUM made into torrents/NAME.torrent with `args` (-w, --v1...)."""
        path = os.path.join(torrents, f"{name}.torrent")
        create(os.path.join(good, what), path, *args)
        return path

    def download_album(name, *args, env=None, extra=()):
        """The album as a torrent made with `args` (its web seeds among them), downloaded from
        them alone and compared: the client, and the lines nginx logged meanwhile."""
        t = torrent(name, ALBUM, "-s", "64K", *args)
        before = len(nginx.log())
        out = os.path.join(tmp, f"out-{name}")
        client = download(t, out, env=env, extra=extra)
        tree_equal(os.path.join(good, ALBUM), os.path.join(out, ALBUM))
        return client, nginx.log()[before:]

    # v1, one file, the seed URL naming a folder.
    t = torrent("single", SINGLE, "--v1", "-s", "256K", "-w", f"{HTTP}/good/")
    out = os.path.join(tmp, "out-single")
    download(t, out)
    if not swarm_util.same_file(os.path.join(good, SINGLE), os.path.join(out, SINGLE)):
        raise AssertionError("single file differs")
    requested = [line for line in nginx.log() if "disk%20image.bin" in line]
    if not requested or not all(" 206 range=bytes=" in line for line in requested):
        raise AssertionError(f"expected range requests for the file: {nginx.log()[-5:]}")
    print(f"v1 single file: {len(requested)} range requests")

    # v1, one file, the seed URL naming the file itself.
    quoted = urllib.parse.quote(SINGLE)
    download(torrent("single-direct", SINGLE, "--v1", "-s", "1M", "-w", f"{HTTP}/good/{quoted}"),
             os.path.join(tmp, "out-direct"))

    # v1, several files with spaces and UTF-8 in their names.
    download_album("album-v1", "--v1", "-w", f"{HTTP}/good/")
    print("v1 multi-file: done")

    # Hybrid with pad files, over HTTPS checked against the test CA (SSL_CERT_FILE).
    _, asked = download_album("album-hybrid", "--hybrid", "-w", f"{HTTPS}/good/", env={"SSL_CERT_FILE": nginx.ca})
    if any(".pad" in line for line in asked):
        raise AssertionError("a pad file was requested")
    print(f"hybrid over HTTPS: {len(asked)} requests, no pad file asked for")

    # Without the CA the server is not trusted: nothing is downloaded from it.
    client = Client(["get", os.path.join(torrents, "album-hybrid.torrent"), "-d", os.path.join(tmp, "out-untrusted"),
                     "--state-dir", ""])
    time.sleep(3)
    done = client.status[-1]["done_bytes"] if client.status else 0
    client.stop()
    if done:
        raise AssertionError(f"downloaded {done} bytes from a server whose certificate is not trusted")

    # v2 only: every file starts a piece.
    download_album("album-v2", "--v2", "-w", f"{HTTP}/good/")
    print("v2 multi-file: done")

    # An HTTPS seed redirecting to plain HTTP is not followed there.
    t = torrent("downgrade", SINGLE, "--v1", "-s", "256K", "-w", f"{HTTPS}/downgrade/")
    before = len(nginx.log())
    client = start(["get", t, "-d", os.path.join(tmp, "out-downgrade"), "--state-dir", ""],
                   {"SSL_CERT_FILE": nginx.ca})
    deadline = time.time() + 20
    while not client.logged("redirected from https to http") and time.time() < deadline:
        time.sleep(0.1)
    done = client.status[-1]["done_bytes"] if client.status else 0
    client.stop()
    if not client.logged("redirected from https to http") or done:
        raise AssertionError(f"an https to http redirect was followed ({done} bytes): {client.log[-5:]}")
    asked = nginx.log()[before:]
    if not asked or any("/downgrade/" not in line for line in asked):
        raise AssertionError(f"the plain HTTP location was asked: {asked}")
    print("https to http redirect: refused")

    # A good seed and one with wrong bytes in one file: the liar is dropped, the data is right.
    # In order: the liar, named first, is asked for the first pieces, all in its bad file.
    client, _ = download_album("album-liar", "--v1", "-w", f"{HTTP}/bad/", "-w", f"{HTTP}/good/",
                               extra=["--sequential"])
    if not client.logged(f"web seed {HTTP}/bad/ dropped"):
        raise AssertionError(f"expected the lying seed to be dropped: {client.log[-10:]}")
    print("lying seed: dropped, data right")

    # A seed that answers 503 with Retry-After for a while.
    t = torrent("flaky", SINGLE, "--v1", "-s", "256K", "-w", f"{HTTP}/flaky/")
    open(nginx.busy_flag, "w").close()
    client = Client(["get", t, "-d", os.path.join(tmp, "out-flaky"), "--state-dir", ""])
    time.sleep(3)
    os.remove(nginx.busy_flag)
    # --json lists the seed with its state and why.
    seen = [w for line in client.status for w in line.get("web_seeds", [])]
    if not any(w["state"] == "waiting" and "503" in w.get("error", "") for w in seen):
        raise AssertionError(f"--json did not show the busy seed waiting: {seen[-3:]}")
    code = client.wait(TIMEOUT)
    if code != 0:
        raise AssertionError(f"get from a seed busy for a while exited {code}: {client.log[-10:]}")
    if not any("/flaky/" in line and " 503 " in line for line in nginx.log()):
        raise AssertionError("the busy seed was never asked while busy")
    print("busy seed: waited, then done")

    # A seed that redirects every request.
    _, asked = download_album("moved", "--v1", "-w", f"{HTTP}/moved/")
    if not any("/moved/" in line and " 302 " in line for line in asked):
        raise AssertionError("no redirect was followed")

    # A slow seed that keeps sending: one 256 KiB request takes about 37 s at 7 KB/s, longer
    # than the 30 s a request once had in all; each read now has 30 s.
    swarm_util.write_random(os.path.join(good, "slow.bin"), 256 * 1024, seed=5)
    t = torrent("slow", "slow.bin", "--v1", "-s", "256K", "-w", f"{HTTP}/slow/")
    out = os.path.join(tmp, "out-slow")
    client = start(["get", t, "-d", out, "--state-dir", ""])
    if client.wait(TIMEOUT + 60) != 0:
        raise AssertionError(f"the slow seed's download did not finish: {client.log[-5:]}")
    if not swarm_util.same_file(os.path.join(good, "slow.bin"), os.path.join(out, "slow.bin")):
        raise AssertionError("slow.bin differs")
    print("slow seed: done")

    # Two seeds, each missing a file the other has.
    download_album("parts", "--v1", "-w", f"{HTTP}/partA/", "-w", f"{HTTP}/partB/")
    print("two seeds each missing a file: done")


if __name__ == "__main__":
    main()

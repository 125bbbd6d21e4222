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
from swarm_util import Client, create, write_random  # noqa: E402
sys.path.insert(0, os.path.dirname(__file__))
from nginx_seed import HTTP, HTTPS, Nginx, tree_equal  # noqa: E402

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

    # v2 only: every file starts a piece.
    t = os.path.join(torrents, "album-v2.torrent")
    create(os.path.join(good, album), t, "--v2", "-s", "64K", "-w", f"{HTTP}/good/")
    out = os.path.join(tmp, "out-album-v2")
    download(t, out)
    tree_equal(os.path.join(good, album), os.path.join(out, album))
    print("v2 multi-file: done")

    # An HTTPS seed redirecting to plain HTTP is not followed there.
    t = os.path.join(torrents, "downgrade.torrent")
    create(os.path.join(good, single), t, "--v1", "-s", "256K", "-w", f"{HTTPS}/downgrade/")
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

"""Web seeds (BEP 19) beside libtorrent: the same torrents downloaded by Shoal and by
libtorrent from the same nginx, to show that both ask for the same files (nginx's access log);
and two web seeds, one serving wrong bytes, beside a libtorrent seed. Run through
netns_run.sh; SHOAL_CLI is shoal-cli."""
import os
import shutil
import sys
import tempfile
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration", "swarm"))
sys.path.insert(0, os.path.join(HERE, "..", "integration", "web_seed"))
import interop_clients  # noqa: E402
import swarm_util  # noqa: E402
from nginx_seed import ALBUM, HTTP, HTTPS, SINGLE, Nginx, lying_copy, make_payloads, tree_equal  # noqa: E402

TIMEOUT = 90


def shoal_get(torrent, out, env=None, peers=()):
    old = dict(os.environ)
    try:
        os.environ.update(env or {})
        client = swarm_util.get(torrent, out, peers, "--state-dir", "")
    finally:
        os.environ.clear()
        os.environ.update(old)
    code = client.wait(TIMEOUT)
    if code != 0:
        raise AssertionError(f"shoal-cli get exited {code}: {client.log[-10:]}")
    return client


def lt_get(torrent, out):
    session = interop_clients.lt_session("127.0.0.1")
    handle = interop_clients.lt_add(session, torrent, out)
    deadline = time.time() + TIMEOUT
    while not handle.status().is_seeding:
        if time.time() > deadline:
            raise AssertionError(f"libtorrent did not finish {torrent}: {handle.status().progress:.2f}")
        time.sleep(0.2)
    del session


def requested(lines):
    """The files asked for, as paths with percent-escapes decoded, and the raw URIs."""
    paths, raw = set(), set()
    for line in lines:
        uri = line.split('"')[1]
        raw.add(uri)
        paths.add(urllib.parse.unquote(uri))
    return paths, raw


def main():
    tmp = tempfile.mkdtemp(prefix="shoal-webseed-interop-")
    try:
        good = os.path.join(tmp, "good")
        make_payloads(good, 2 * 1024 * 1024 + 777)
        bad = os.path.join(tmp, "bad")
        lying_copy(good, bad)
        nginx = Nginx(os.path.join(tmp, "nginx"), {"good": good, "bad": bad})
        try:
            same_urls(tmp, good, SINGLE, ALBUM, nginx)
            liar_beside_libtorrent(tmp, good, ALBUM)
        finally:
            nginx.stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("web seed interop passed")


def same_urls(tmp, good, single, album, nginx):
    cases = [("single", os.path.join(good, single), ["--v1", "-s", "256K", "-w", f"{HTTP}/good/"]),
             ("album-v1", os.path.join(good, album), ["--v1", "-s", "64K", "-w", f"{HTTP}/good/"]),
             ("album-hybrid", os.path.join(good, album), ["--hybrid", "-s", "64K", "-w", f"{HTTPS}/good/"])]
    env = {"SSL_CERT_FILE": nginx.ca}
    os.environ.update(env)  # libtorrent's OpenSSL reads it too
    for name, source, args in cases:
        torrent = os.path.join(tmp, f"{name}.torrent")
        swarm_util.create(source, torrent, *args)
        before = len(nginx.log())
        shoal_get(torrent, os.path.join(tmp, f"shoal-{name}"), env)
        middle = len(nginx.log())
        lt_get(torrent, os.path.join(tmp, f"lt-{name}"))
        log = nginx.log()
        shoal_paths, shoal_raw = requested(log[before:middle])
        lt_paths, lt_raw = requested(log[middle:])
        if shoal_paths != lt_paths:
            raise AssertionError(f"{name}: Shoal asked for {sorted(shoal_paths)}, libtorrent for {sorted(lt_paths)}")
        if any(".pad" in p for p in shoal_paths):
            raise AssertionError(f"{name}: Shoal asked for a pad file")
        out = os.path.join(tmp, f"shoal-{name}")
        if name == "single":
            if not swarm_util.same_file(source, os.path.join(out, single)):
                raise AssertionError("single file differs")
        else:
            tree_equal(source, os.path.join(out, album))
        same_raw = "the same URIs" if shoal_raw == lt_raw else f"escaped differently: {sorted(shoal_raw ^ lt_raw)}"
        print(f"{name}: both asked for {len(shoal_paths)} files ({same_raw})")


def liar_beside_libtorrent(tmp, good, album):
    torrent = os.path.join(tmp, "liar.torrent")
    swarm_util.create(os.path.join(good, album), torrent, "--v1", "-s", "64K", "-w", f"{HTTP}/bad/",
                      "-w", f"{HTTP}/good/")
    session = interop_clients.lt_session("127.0.0.3")
    interop_clients.lt_add(session, torrent, good, seed_mode=True)
    time.sleep(0.5)
    port = session.listen_port()
    out = os.path.join(tmp, "shoal-liar")
    client = shoal_get(torrent, out, peers=[f"127.0.0.3:{port}"])
    tree_equal(os.path.join(good, album), os.path.join(out, album))
    if not client.logged(f"web seed {HTTP}/bad/ dropped"):
        print(f"note: the lying seed was not asked before the others finished: {client.log[-8:]}")
    print("two web seeds (one lying) beside a libtorrent seed: data right")
    del session


if __name__ == "__main__":
    main()

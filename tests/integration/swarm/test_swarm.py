"""Shoal peers trading on loopback addresses: formats, many leeches, skipped files, resume
after kill -9, a peer that lies and one that sends malformed messages. Run in a private
network namespace (tests/interop/netns_run.sh)."""
import hashlib
import json
import os
import signal
import subprocess
import socket
import time

from swarm_util import CLI, FakePeer, create, get, read_exact, run_scenarios, same_file, seed, show, wait_until, write_random

MiB = 1024 * 1024


def make_album(root, sizes):
    for i, size in enumerate(sizes):
        write_random(os.path.join(root, "album", f"track{i}.bin"), size, seed=i + 100)
    return os.path.join(root, "album")


def check_same(src_root, dst_root, names):
    for name in names:
        a, b = os.path.join(src_root, name), os.path.join(dst_root, name)
        if not os.path.exists(b) or not same_file(a, b):
            raise AssertionError(f"{name} differs after download")


def info_only(torrent):
    """The torrent reduced to its info dictionary, as a magnet link's metadata exchange gives
    it: for v2 the leech must fetch each file's piece layer with hash requests (BEP 52)."""
    with open(torrent, "rb") as f:
        meta = f.read()
    start = meta.index(b"4:infod") + len(b"4:info")
    end = meta.index(b"12:piece layers") if b"12:piece layers" in meta else len(meta) - 1
    bare = torrent.replace(".torrent", "-info-only.torrent")
    with open(bare, "wb") as f:
        f.write(b"d4:info" + meta[start:end] + b"e")
    return bare


def one_seed_one_leech(tmp, fmt, leech_info_only=False):
    data = os.path.join(tmp, "data")
    album = make_album(data, [300_001, 1 * MiB + 17, 5, 2 * MiB])
    torrent = os.path.join(tmp, f"album-{fmt}.torrent")
    create(album, torrent, fmt, "-s", "64K")
    s = seed(torrent, data)
    leech_torrent = info_only(torrent) if leech_info_only else torrent
    leech = get(leech_torrent, os.path.join(tmp, f"out-{fmt}"), [s.address()], listen="127.0.0.2")
    code = leech.wait(60)
    s.stop()
    if code != 0:
        raise AssertionError(f"{fmt} leech exited {code}: {leech.log[-5:]}")
    check_same(data, os.path.join(tmp, f"out-{fmt}"), [f"album/track{i}.bin" for i in range(4)])


def five_leeches_trade(tmp):
    data = os.path.join(tmp, "data")
    write_random(os.path.join(data, "big.bin"), 6 * MiB, seed=7)
    torrent = os.path.join(tmp, "big.torrent")
    create(os.path.join(data, "big.bin"), torrent, "-s", "64K")
    # A slow seed makes the leeches get most pieces from each other.
    s = seed(torrent, data, "--up-limit", "1M")
    leeches = []
    for i in range(5):
        peers = [s.address()] + [l.address() for l in leeches]
        leeches.append(get(torrent, os.path.join(tmp, f"leech{i}"), peers, listen=f"127.0.1.{i + 1}"))
    codes = [l.wait(90) for l in leeches]
    s.stop()
    if any(codes):
        raise AssertionError(f"leech exit codes {codes}")
    for i in range(5):
        check_same(data, os.path.join(tmp, f"leech{i}"), ["big.bin"])
    traded = sum(l.status[-1]["uploaded"] for l in leeches if l.status)
    if traded < 2 * MiB:
        raise AssertionError(f"leeches uploaded only {traded} bytes to each other")


def skipped_files(tmp):
    data = os.path.join(tmp, "data")
    album = make_album(data, [700_000, 900_000, 300_000])
    torrent = os.path.join(tmp, "album.torrent")
    create(album, torrent, "--hybrid", "-s", "64K")
    files = [f["path"] for f in show(torrent)["files"]]
    want = [files.index("album/track0.bin"), files.index("album/track2.bin")]
    s = seed(torrent, data)
    out = os.path.join(tmp, "out")
    leech = get(torrent, out, [s.address()], "--select", ",".join(map(str, want)), listen="127.0.0.2")
    code = leech.wait(60)
    s.stop()
    if code != 0:
        raise AssertionError(f"leech with --select exited {code}")
    check_same(data, out, ["album/track0.bin", "album/track2.bin"])
    if os.path.exists(os.path.join(out, "album", "track1.bin")):
        raise AssertionError("a skipped file was created")


def resume_after_kill(tmp):
    data = os.path.join(tmp, "data")
    size = 8 * MiB
    write_random(os.path.join(data, "movie.bin"), size, seed=11)
    torrent = os.path.join(tmp, "movie.torrent")
    create(os.path.join(data, "movie.bin"), torrent, "-s", "64K")
    s = seed(torrent, data, "--up-limit", "2M")
    out = os.path.join(tmp, "out")
    first = get(torrent, out, [s.address()], listen="127.0.0.2")
    wait_until(lambda: first.status and first.status[-1]["done_bytes"] > 3 * MiB, 30, "a third of the file")
    first.proc.send_signal(signal.SIGKILL)
    first.proc.wait()
    had = first.status[-1]["done_bytes"]
    second = get(torrent, out, [s.address()], listen="127.0.0.2")
    code = second.wait(60)
    s.stop()
    if code != 0:
        raise AssertionError(f"resumed leech exited {code}")
    check_same(data, out, ["movie.bin"])
    again = second.status[-1]["downloaded"] if second.status else size
    if again > size - had + 2 * MiB:
        raise AssertionError(f"resume downloaded {again} bytes again though {had} were verified")


def resume_after_interrupt(tmp):
    data = os.path.join(tmp, "data")
    size = 8 * MiB
    write_random(os.path.join(data, "movie.bin"), size, seed=12)
    torrent = os.path.join(tmp, "movie.torrent")
    create(os.path.join(data, "movie.bin"), torrent, "--hybrid", "-s", "64K")
    s = seed(torrent, data, "--up-limit", "2M")
    out = os.path.join(tmp, "out")
    first = get(torrent, out, [s.address()], listen="127.0.0.2")
    wait_until(lambda: first.status and first.status[-1]["done_bytes"] > 3 * MiB, 30, "a third of the file")
    first.proc.send_signal(signal.SIGINT)
    if first.wait(30) != 0:
        raise AssertionError(f"interrupted leech exited {first.proc.returncode}: {first.log[-5:]}")
    had = first.status[-1]["done_bytes"]
    second = get(torrent, out, [s.address()], listen="127.0.0.2")
    code = second.wait(60)
    if code != 0:
        raise AssertionError(f"resumed leech exited {code}")
    if not second.logged("resume data matches the files"):
        raise AssertionError(f"the saved resume data was not used: {second.log[:8]}")
    check_same(data, out, ["movie.bin"])
    again = second.status[-1]["downloaded"] if second.status else size
    if again > size - had + 2 * MiB:
        raise AssertionError(f"resume downloaded {again} bytes again though {had} were verified")
    # Both runs count towards the torrent's totals (and so its ratio).
    all_time = second.status[-1]["all_time_downloaded"]
    if all_time < had + again:
        raise AssertionError(f"all-time downloaded {all_time} < {had} before the interrupt + {again} after")

    # The seed made its torrent from the data, so its restart trusts what it recorded then;
    # a file touched since is checked again.
    s.proc.send_signal(signal.SIGINT)
    s.wait(30)
    again = seed(torrent, data)
    wait_until(lambda: again.logged("state: seeding"), 30, "the restarted seed")
    again.stop()
    if not again.logged("resume data matches the files"):
        raise AssertionError(f"the restarted seed checked its files: {again.log[:8]}")
    os.utime(os.path.join(data, "movie.bin"))
    touched = seed(torrent, data)
    wait_until(lambda: touched.logged("state: seeding"), 30, "the seed of touched data")
    touched.stop()
    if not touched.logged("checking the files (files changed since the resume data was saved)"):
        raise AssertionError(f"a touched file was trusted: {touched.log[:8]}")


def magnet_download(tmp):
    data = os.path.join(tmp, "data")
    album = make_album(data, [700_000, 900_000, 300_000])
    torrent = os.path.join(tmp, "album.torrent")
    create(album, torrent, "--hybrid", "-s", "64K")
    info = show(torrent)
    files = [f["path"] for f in info["files"]]
    wanted = files.index("album/track2.bin")
    s = seed(torrent, data)
    out = os.path.join(tmp, "out")
    # `so=` picks one file; the metadata comes from the seed itself (BEP 9).
    leech = get(info["magnet"] + f"&so={wanted}", out, [s.address()], listen="127.0.0.2")
    code = leech.wait(60)
    s.stop()
    if code != 0:
        raise AssertionError(f"magnet leech exited {code}: {leech.log[-5:]}")
    if not leech.logged("metadata received: album"):
        raise AssertionError(f"no metadata exchange in the log: {leech.log[:6]}")
    check_same(data, out, ["album/track2.bin"])
    if os.path.exists(os.path.join(out, "album", "track0.bin")):
        raise AssertionError("a file left out by so= was downloaded")


def magnet_beside_peers_that_lie_about_the_size(tmp):
    """Peers that announce metadata of other sizes (and send junk) are met first; the honest
    seed, heard of from the tracker only after a liar has been asked, must still give the
    metadata, and the download then ends as any other."""
    import sys
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "interop"))
    from mini_tracker import MiniTracker
    tracker = MiniTracker()
    data = os.path.join(tmp, "data")
    write_random(os.path.join(data, "file.bin"), 1 * MiB, seed=43)
    torrent = os.path.join(tmp, "file.torrent")
    create(os.path.join(data, "file.bin"), torrent, "--v1", "-s", "16K", "-t", tracker.url)
    info = show(torrent)
    info_hash = bytes.fromhex(info["info_hash_v1"])
    liars = [FakePeer(info_hash, 20_000 + 7 * i, "metadata", f"127.0.0.{30 + i}") for i in range(3)]
    out = os.path.join(tmp, "out")
    leech = get(info["magnet"], out, [l.address for l in liars], listen="127.0.0.2")
    wait_until(lambda: sum(l.served for l in liars) > 0, 20, "a liar to be asked for metadata")
    s = seed(torrent, data)
    code = leech.wait(60)
    s.stop()
    tracker.close()
    for l in liars:
        l.close()
    if code != 0:
        raise AssertionError(f"magnet leech beside size liars exited {code}: {leech.log[-6:]}")
    check_same(data, out, ["file.bin"])

def pex_finds_the_seed(tmp):
    data = os.path.join(tmp, "data")
    album = make_album(data, [1 * MiB, 2 * MiB])
    torrent = os.path.join(tmp, "album.torrent")
    create(album, torrent, "--hybrid", "-s", "64K")
    files = [f["path"] for f in show(torrent)["files"]]
    s = seed(torrent, data)
    # The middle peer wants one file only; the last one knows just the middle one, so it can
    # get the other file only from the seed, which it hears of through peer exchange.
    middle = get(torrent, os.path.join(tmp, "middle"), [s.address()], "--seed",
                 "--select", str(files.index("album/track0.bin")), listen="127.0.0.2")
    last = get(torrent, os.path.join(tmp, "last"), [middle.address()], listen="127.0.0.3")
    code = last.wait(60)
    middle.stop()
    s.stop()
    if code != 0:
        raise AssertionError(f"the leech that knew only the middle peer exited {code}: {last.log[-5:]}")
    # Either side may dial once PEX has told each of the other (the seed hears of the last
    # leech from the middle one too); peers connect from their listen addresses, so the
    # seed's address is what shows either way.
    seed_host = s.address().rsplit(":", 1)[0]
    if not any(line.startswith(f"peer {seed_host}:") and " connected (" in line for line in last.log):
        raise AssertionError(f"the seed was never reached through PEX: {last.log[-8:]}")
    check_same(data, os.path.join(tmp, "last"), ["album/track0.bin", "album/track1.bin"])


def magnet_over_dht_only(tmp):
    """No tracker and no peer given: the leech finds the seed through a DHT of Shoal nodes."""
    tool = subprocess.Popen([os.environ["SHOAL_DHT_TOOL"], "--bind", "127.0.2.1:0", "--swarm", "12",
                             "--swarm-base", "127.0.2.10", "--duration", "120"],
                            stdout=subprocess.PIPE, text=True)
    try:
        started = json.loads(tool.stdout.readline())
        router = started["endpoint"]
        data = os.path.join(tmp, "data")
        write_random(os.path.join(data, "film.bin"), 3 * MiB, seed=33)
        s = seed(os.path.join(data, "film.bin"), data, "--dht-bootstrap", router)
        wait_until(lambda: any(l.startswith("magnet:") for l in s.stdout_lines()), 30, "the seed's magnet link")
        magnet = next(l for l in s.stdout_lines() if l.startswith("magnet:")).split(" ", 1)[1]
        if "tr=" in magnet or "x.pe=" in magnet:
            raise AssertionError(f"the magnet link names a peer source: {magnet}")
        leech = get(magnet, os.path.join(tmp, "out"), [], "--dht-bootstrap", router, listen="127.0.0.2")
        code = leech.wait(120)
        s.stop()
        if code != 0:
            raise AssertionError(f"DHT-only magnet leech exited {code}: {leech.log[-8:]}")
        check_same(data, os.path.join(tmp, "out"), ["film.bin"])
    finally:
        tool.kill()
        tool.wait()


def ipv6_peers(tmp):
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        print("skip seed and leech over IPv6: this kernel has no IPv6 loopback", flush=True)
        return
    data = os.path.join(tmp, "data")
    album = make_album(data, [700_000, 20_000])
    torrent = os.path.join(tmp, "album.torrent")
    create(album, torrent, "--hybrid", "-s", "64K")
    s = seed(torrent, data, listen="::")
    out = os.path.join(tmp, "out")
    leech = get(torrent, out, [s.address()], listen="::1")
    code = leech.wait(60)
    s.stop()
    if code != 0:
        raise AssertionError(f"leech over IPv6 exited {code}: {leech.log[-5:]}")
    if not leech.logged("peer [::1]:"):
        raise AssertionError(f"no IPv6 peer in the leech's log: {leech.log[-5:]}")
    check_same(data, out, ["album/track0.bin", "album/track1.bin"])


def allowed_fast_set(ip, info_hash, num_pieces, k):
    """BEP 6's canonical set, computed independently of the engine."""
    x = bytes(int(o) for o in ip.split(".")[:3]) + b"\x00" + info_hash
    out = []
    while len(out) < k:
        x = hashlib.sha1(x).digest()
        for i in range(5):
            index = int.from_bytes(x[4 * i:4 * i + 4], "big") % num_pieces
            if len(out) < k and index not in out:
                out.append(index)
    return out


def allowed_fast_while_choked(tmp):
    data = os.path.join(tmp, "data")
    write_random(os.path.join(data, "file.bin"), 64 * 16384, seed=5)
    torrent = os.path.join(tmp, "file.torrent")
    create(os.path.join(data, "file.bin"), torrent, "--v1", "-s", "16K")
    info_hash = bytes.fromhex(show(torrent)["info_hash_v1"])
    s = seed(torrent, data)
    wait_until(lambda: s.logged("state: seeding"), 30, "the seed to check its data")
    host, port = s.address().split(":")
    conn = socket.create_connection((host, int(port)), source_address=("127.0.0.9", 0), timeout=10)
    reserved = bytes([0, 0, 0, 0, 0, 0, 0, 0x04])  # the fast extension only
    conn.sendall(b"\x13BitTorrent protocol" + reserved + info_hash + b"-FK0001-" + bytes(12))
    read_exact(conn, 68)
    conn.sendall(b"\x00\x00\x00\x01\x0f")  # have none; never interested, so never unchoked
    offered = []
    expected = allowed_fast_set("127.0.0.9", info_hash, 64, 10)
    while len(offered) < 10:
        message = read_message(conn)
        if message[:1] == b"\x11":
            offered.append(int.from_bytes(message[1:5], "big"))
    if sorted(offered) != sorted(expected):
        raise AssertionError(f"allowed fast {offered}, BEP 6 gives {expected}")
    not_offered = next(p for p in range(64) if p not in offered)
    for piece in (offered[0], not_offered):
        conn.sendall((13).to_bytes(4, "big") + b"\x06" + piece.to_bytes(4, "big") + bytes(4) + (16384).to_bytes(4, "big"))
    answers = {}
    while len(answers) < 2:
        message = read_message(conn)
        if message[:1] in (b"\x07", b"\x10"):
            answers[int.from_bytes(message[1:5], "big")] = message[:1]
    conn.close()
    s.stop()
    if answers != {offered[0]: b"\x07", not_offered: b"\x10"}:
        raise AssertionError(f"while choked: {answers} (7 = piece, 16 = reject)")


def read_message(conn):
    length = int.from_bytes(read_exact(conn, 4), "big")
    return read_exact(conn, length) if length else b""


def liar_is_banned(tmp):
    data = os.path.join(tmp, "data")
    write_random(os.path.join(data, "file.bin"), 3 * MiB, seed=13)
    torrent = os.path.join(tmp, "file.torrent")
    create(os.path.join(data, "file.bin"), torrent, "--v1", "-s", "64K")
    info = show(torrent)
    liar = FakePeer(bytes.fromhex(info["info_hash_v1"]), info["num_pieces"], "corrupt", "127.0.0.3")
    s = seed(torrent, data, "--up-limit", "2M")
    leech = get(torrent, os.path.join(tmp, "out"), [liar.address, s.address()], listen="127.0.0.2")
    code = leech.wait(60)
    s.stop()
    liar.close()
    if code != 0:
        raise AssertionError(f"leech next to a liar exited {code}: {leech.log[-5:]}")
    check_same(data, os.path.join(tmp, "out"), ["file.bin"])
    if liar.served == 0:
        raise AssertionError("the liar was never asked for data, so the test proved nothing")
    if not leech.logged("banned 127.0.0.3"):
        raise AssertionError(f"the liar was not banned: {leech.log}")


def malformed_peer_is_dropped(tmp):
    data = os.path.join(tmp, "data")
    write_random(os.path.join(data, "file.bin"), 2 * MiB, seed=17)
    torrent = os.path.join(tmp, "file.torrent")
    create(os.path.join(data, "file.bin"), torrent, "--v1", "-s", "64K")
    info = show(torrent)
    rude = FakePeer(bytes.fromhex(info["info_hash_v1"]), info["num_pieces"], "oversized", "127.0.0.4")
    # A slow seed keeps the leech downloading until it has met the malformed peer.
    s = seed(torrent, data, "--up-limit", "1M")
    # Garbage and an encrypted-looking handshake at the seed first: it must keep serving.
    host, port = s.address().split(":")
    for junk in (os.urandom(200), b"\x00" * 68, b"GET / HTTP/1.1\r\n\r\n"):
        with socket.create_connection((host, int(port))) as c:
            c.sendall(junk)
            c.settimeout(5)
            try:
                c.recv(100)
            except OSError:
                pass
    leech = get(torrent, os.path.join(tmp, "out"), [rude.address, s.address()], listen="127.0.0.2")
    code = leech.wait(60)
    s.stop()
    rude.close()
    if code != 0:
        raise AssertionError(f"leech next to a malformed peer exited {code}")
    check_same(data, os.path.join(tmp, "out"), ["file.bin"])
    if not leech.logged("127.0.0.4") or not any("protocol error" in l for l in leech.log):
        raise AssertionError(f"the malformed peer was not dropped for a protocol error: {leech.log}")


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))


def peer_that_does_not_read_is_closed(tmp):
    """A peer that floods a v2 seed with hash requests (49 bytes asking for 16 KiB each) and
    never reads the answers: the seed stops reading from it (its memory stays bounded) and
    closes it."""
    import re
    data = os.path.join(tmp, "data")
    write_random(os.path.join(data, "file.bin"), 16 * MiB, seed=31)
    torrent = os.path.join(tmp, "file.torrent")
    create(os.path.join(data, "file.bin"), torrent, "--v2", "-s", "32K")  # 512 pieces in one file
    with open(torrent, "rb") as f:
        root = re.search(rb"11:pieces root32:(.{32})", f.read(), re.S).group(1)
    info_hash = bytes.fromhex(show(torrent)["info_hash_v2"])[:20]
    s = seed(torrent, data)
    wait_until(lambda: s.logged("state: seeding"), 30, "the seed to check its data")
    host, port = s.address().split(":")
    conn = socket.socket()
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    conn.settimeout(10)
    conn.bind(("127.0.0.9", 0))
    conn.connect((host, int(port)))
    reserved = bytes([0, 0, 0, 0, 0, 0x10, 0, 0x04 | 0x10])  # extensions, fast, v2
    conn.sendall(b"\x13BitTorrent protocol" + reserved + info_hash + b"-FK0001-" + bytes(12))
    read_exact(conn, 68)
    before = rss_kib(s.proc.pid)
    # base layer 1 (32 KiB pieces), index 0, 512 hashes, no proof: a 16 KiB answer each.
    request = (49).to_bytes(4, "big") + b"\x15" + root + (1).to_bytes(4, "big") + (0).to_bytes(4, "big") + \
        (512).to_bytes(4, "big") + (0).to_bytes(4, "big")
    closed = False
    peak = before
    try:
        for _ in range(40):  # 40 x 500 requests: 320 MiB of answers if all were queued
            conn.sendall(request * 500)
            peak = max(peak, rss_kib(s.proc.pid))
    except OSError:
        closed = True
    # The requests may still sit in the socket buffers: watch, never reading, until the seed
    # says it closed the connection.
    deadline = time.time() + 15
    while time.time() < deadline and not s.logged("does not read"):
        peak = max(peak, rss_kib(s.proc.pid))
        time.sleep(0.1)
    closed = closed or s.logged("does not read")
    conn.close()
    grew = (peak - before) / 1024
    still_serving = s.proc.poll() is None
    s.stop()
    if not still_serving:
        raise AssertionError("the seed died")
    if grew > 64:
        raise AssertionError(f"the seed's memory grew by {grew:.0f} MiB for a peer that does not read")
    if not closed:
        raise AssertionError(f"the peer that does not read was never closed: {s.log[-5:]}")
    if not s.logged("does not read"):
        raise AssertionError(f"no reason given for closing it: {s.log[-5:]}")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def idle_connections_are_bounded(tmp):
    """Connections that never send a handshake: one address holds only a few descriptors of
    the seed, and running out of descriptors makes it wait, not spin; it serves on."""
    data = os.path.join(tmp, "data")
    write_random(os.path.join(data, "file.bin"), 1 * MiB, seed=37)
    torrent = os.path.join(tmp, "file.torrent")
    create(os.path.join(data, "file.bin"), torrent, "--v1")
    # Out of descriptors the sanitizers' own reports cannot work (UBSan's type check reads
    # /proc), so a sanitizer build checks only the per-address bound.
    exhaust = os.environ.get("SHOAL_SANITIZED", "0") in ("0", "")
    s = seed(torrent, data, max_fds=96 if exhaust else None)
    wait_until(lambda: s.logged("state: seeding"), 30, "the seed to check its data")
    host, port = s.address().split(":")
    fds = lambda: len(os.listdir(f"/proc/{s.proc.pid}/fd"))  # noqa: E731
    before = fds()
    idle = []
    try:
        for _ in range(40):
            idle.append(socket.create_connection((host, int(port)), source_address=("127.0.0.20", 0)))
        time.sleep(1)
        from_one = fds() - before
        if from_one > 12:
            raise AssertionError(f"one address holds {from_one} of the seed's descriptors")
        # Enough addresses to exhaust the seed's 96 descriptors.
        for i in range(150 if exhaust else 0):
            try:
                idle.append(socket.create_connection((host, int(port)), source_address=(f"127.0.1.{i % 120 + 1}", 0),
                                                     timeout=2))
            except OSError:
                pass
        cpu = cpu_seconds(s.proc.pid)
        time.sleep(3)
        spent = cpu_seconds(s.proc.pid) - cpu
        if spent > 1.0:
            raise AssertionError(f"the seed spent {spent:.1f} s of CPU in 3 s with no descriptors left")
    finally:
        for c in idle:
            c.close()
    # The seed lets go of what the idle connections held.
    wait_until(lambda: fds() <= before + 4, 30, f"the seed to close the idle connections ({fds()} open)")
    leech = get(torrent, os.path.join(tmp, "out"), [s.address()], listen="127.0.0.2")
    code = leech.wait(60)
    s.stop()
    if code != 0:
        raise AssertionError(f"the leech after the idle connections exited {code}: {leech.log[-5:]}")
    check_same(data, os.path.join(tmp, "out"), ["file.bin"])


def lines_reach_a_pipe_as_written(tmp):
    """A script reads shoal-cli through a pipe: the torrent's path, the magnet link and
    "complete" must arrive while the program still runs, not when it exits."""
    import queue
    import threading
    data = os.path.join(tmp, "data")
    write_random(os.path.join(data, "file.bin"), 1 * MiB, seed=23)

    def start(args, port):
        proc = subprocess.Popen([CLI, *args, "--listen", "127.0.0.1", "--port", str(port), "--no-dht", "--no-lsd"],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        lines = queue.Queue()
        threading.Thread(target=lambda: [lines.put(l.rstrip("\n")) for l in proc.stdout], daemon=True).start()
        return proc, lines

    def expect(proc, lines, prefix, timeout=20):
        seen = []
        while True:
            try:
                line = lines.get(timeout=timeout)
            except queue.Empty:
                raise AssertionError(f"no line starting {prefix!r} within {timeout}s while running; got {seen}")
            seen.append(line)
            if line.startswith(prefix):
                if proc.poll() is not None:
                    raise AssertionError(f"{prefix!r} came only once the program had exited")
                return line

    # The namespace is private to this test run, so fixed ports are free.
    s, s_lines = start(["seed", os.path.join(data, "file.bin")], 47001)
    leech = None
    try:
        expect(s, s_lines, "wrote ")
        magnet = expect(s, s_lines, "magnet: ").split(" ", 1)[1]
        torrent = os.path.join(data, "file.bin.torrent")
        leech, l_lines = start(["get", torrent, "-d", os.path.join(tmp, "out"), "--seed",
                                "--peer", "127.0.0.1:47001"], 47002)
        expect(leech, l_lines, "complete: ", timeout=60)
        if not magnet.startswith("magnet:?"):
            raise AssertionError(f"not a magnet link: {magnet}")
    finally:
        for p in (s, leech):
            if p and p.poll() is None:
                p.terminate()
                p.wait(15)
    check_same(data, os.path.join(tmp, "out"), ["file.bin"])


SCENARIOS = [
    ("one seed to one leech, v1", lambda t: one_seed_one_leech(t, "--v1")),
    ("one seed to one leech, v2", lambda t: one_seed_one_leech(t, "--v2")),
    ("one seed to one leech, hybrid", lambda t: one_seed_one_leech(t, "--hybrid")),
    ("one seed to one leech, v2, piece layers by hash requests",
     lambda t: one_seed_one_leech(t, "--v2", leech_info_only=True)),
    ("five leeches trade", five_leeches_trade),
    ("skipped files", skipped_files),
    ("resume after kill -9", resume_after_kill),
    ("resume after an interrupt", resume_after_interrupt),
    ("allowed fast pieces while choked", allowed_fast_while_choked),
    ("a magnet link with so=", magnet_download),
    ("a magnet link beside peers that lie about the metadata size", magnet_beside_peers_that_lie_about_the_size),
    ("PEX finds the seed", pex_finds_the_seed),
    ("a magnet link with the DHT as the only source", magnet_over_dht_only),
    ("seed and leech over IPv6", ipv6_peers),
    ("a liar is banned", liar_is_banned),
    ("a malformed peer is dropped", malformed_peer_is_dropped),
    ("lines reach a pipe as they are written", lines_reach_a_pipe_as_written),
    ("a peer that does not read is closed", peer_that_does_not_read_is_closed),
    ("idle connections are bounded", idle_connections_are_bounded),
]


if __name__ == "__main__":
    run_scenarios(SCENARIOS)

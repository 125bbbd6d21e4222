"""Torrents made by libtorrent (v1, v2, hybrid), mktorrent and transmission-create: shoal-cli
show --json reports the same info-hashes, file lists and piece counts as libtorrent."""
import os
import subprocess
import sys
import tempfile
import zlib

import libtorrent as lt

from interop_util import compare, libtorrent_view, shoal_show, write_random

FILES = {"set/a.bin": 300_001, "set/b/c.bin": 16384 * 5, "set/b/d.txt": 77, "set/e.bin": 1_200_000}


def libtorrent_create(source, out, flags, piece_length):
    fs = lt.file_storage()
    lt.add_files(fs, source)
    ct = lt.create_torrent(fs, piece_length, flags=flags)
    ct.add_tracker("http://127.0.0.1:1/announce")
    lt.set_piece_hashes(ct, os.path.dirname(source))
    with open(out, "wb") as f:
        f.write(lt.bencode(ct.generate()))


def run(*cmd):
    subprocess.run(cmd, check=True, capture_output=True, timeout=120)


def main():
    with tempfile.TemporaryDirectory() as tmp:
        for path, size in FILES.items():
            write_random(os.path.join(tmp, path), size, seed=zlib.crc32(path.encode()))
        source = os.path.join(tmp, "set")
        single = os.path.join(tmp, "set", "e.bin")
        made = []
        for label, flags in (("v1", lt.create_torrent.v1_only), ("v2", lt.create_torrent.v2_only),
                             ("hybrid", 0)):
            for what, path in (("folder", source), ("file", single)):
                out = os.path.join(tmp, f"lt-{label}-{what}.torrent")
                libtorrent_create(path, out, flags, 32768)
                made.append((f"libtorrent {label} {what}", out))
        for what, path in (("folder", source), ("file", single)):
            out = os.path.join(tmp, f"mktorrent-{what}.torrent")
            run("mktorrent", "-a", "http://127.0.0.1:1/announce", "-l", "15", "-t", "2", "-o", out, path)
            made.append((f"mktorrent {what}", out))
            out = os.path.join(tmp, f"transmission-{what}.torrent")
            run("transmission-create", "-t", "http://127.0.0.1:1/announce", "-s", "32", "-o", out, path)
            made.append((f"transmission-create {what}", out))
        for label, path in made:
            compare(shoal_show(path), libtorrent_view(path), label)
        print(f"ok: {len(made)} torrents from libtorrent, mktorrent and transmission-create agree")


if __name__ == "__main__":
    try:
        main()
    except (AssertionError, subprocess.CalledProcessError) as e:
        print(f"FAIL: {e}", file=sys.stderr)
        sys.exit(1)

"""Torrents made by shoal-cli load in libtorrent with the same info-hashes, file lists and
piece counts, and libtorrent checking our data against them finds every piece valid."""
import os
import sys
import tempfile
import zlib

from interop_util import compare, libtorrent_check, libtorrent_view, shoal_cli, shoal_show, write_random

# (name, files relative to the data root, piece size or None for automatic)
LAYOUTS = [
    ("single", {"single.bin": 1_000_003}, None),
    ("tiny", {"tiny.txt": 10}, "16K"),
    ("folder", {"folder/a.bin": 3 * 16384 + 5, "folder/b/c.bin": 70_000, "folder/b/empty": 0,
                "folder/z.bin": 16384 * 4}, "16K"),
    ("unaligned", {"unaligned/one": 100_000, "unaligned/two": 250_001, "unaligned/three": 1}, "64K"),
    ("big-pieces", {"big/x": 5_000_000, "big/y": 123}, "1M"),
    ("lonely", {"lonely/only.bin": 50_000}, "16K"),
]


def main():
    checked = 0
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "data")
        for name, files, piece in LAYOUTS:
            for path, size in files.items():
                write_random(os.path.join(data, path), size, seed=zlib.crc32(path.encode()))
            source = os.path.join(data, next(iter(files)).split("/")[0])
            for fmt in ("--v1", "--v2", "--hybrid"):
                out = os.path.join(tmp, f"{name}{fmt}.torrent")
                args = ["create", source, "-o", out, fmt, "-t", "http://127.0.0.1:1/announce"]
                if piece:
                    args += ["-s", piece]
                shoal_cli(*args)
                compare(shoal_show(out), libtorrent_view(out), f"{name} {fmt}")
                # A v2 torrent of a folder holding one file is that file's torrent.
                save = os.path.join(data, "lonely") if name == "lonely" and fmt == "--v2" else data
                have, total = libtorrent_check(out, save)
                if have != total:
                    raise AssertionError(f"{name} {fmt}: libtorrent finds {have} of {total} pieces valid")
                checked += 1
                # shoal-cli's own verify agrees.
                shoal_cli("verify", out, "-d", save)
    print(f"ok: {checked} torrents created by shoal-cli match libtorrent and check clean")


if __name__ == "__main__":
    try:
        main()
    except AssertionError as e:
        print(f"FAIL: {e}", file=sys.stderr)
        sys.exit(1)

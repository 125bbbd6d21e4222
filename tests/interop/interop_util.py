"""Helpers shared by the interop tests: run shoal-cli, load torrents in libtorrent."""
import json
import os
import random
import subprocess
import sys
import time

import libtorrent as lt


def shoal_cli(*args, check=True):
    cli = os.environ["SHOAL_CLI"]
    result = subprocess.run([cli, *args], capture_output=True, text=True, timeout=300)
    if check and result.returncode != 0:
        raise AssertionError(f"shoal-cli {' '.join(args)} failed ({result.returncode}): {result.stderr}")
    return result


def shoal_show(torrent_path):
    return json.loads(shoal_cli("show", "--json", torrent_path).stdout)


def write_random(path, size, seed):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    rng = random.Random(seed)
    with open(path, "wb") as f:
        f.write(rng.randbytes(size))


def libtorrent_view(torrent_path):
    """What libtorrent reports of a torrent, in shoal-cli's JSON vocabulary."""
    ti = lt.torrent_info(torrent_path)
    hashes = ti.info_hashes()
    fs = ti.files()
    files = []
    for i in range(fs.num_files()):
        files.append({
            "path": fs.file_path(i).replace(os.sep, "/"),
            "size": fs.file_size(i),
            "pad": bool(fs.file_flags(i) & lt.file_storage.flag_pad_file),
        })
    return {
        "info_hash_v1": str(hashes.v1) if hashes.has_v1() else None,
        "info_hash_v2": str(hashes.v2) if hashes.has_v2() else None,
        "num_pieces": ti.num_pieces(),
        "piece_length": ti.piece_length(),
        "total_size": ti.total_size(),
        "files": files,
    }


def compare(shoal, lib, what):
    """Fails with a readable message when Shoal and libtorrent disagree."""
    problems = []
    for key in ("info_hash_v1", "info_hash_v2", "num_pieces", "piece_length", "total_size"):
        if shoal[key] != lib[key]:
            problems.append(f"{key}: shoal {shoal[key]!r} libtorrent {lib[key]!r}")
    # Pad files included: their sizes and places define the piece layout.
    listed = lambda files: [(f["path"], f["size"], f["pad"]) for f in files]
    if listed(shoal["files"]) != listed(lib["files"]):
        problems.append(f"files: shoal {listed(shoal['files'])} libtorrent {listed(lib['files'])}")
    if problems:
        raise AssertionError(f"{what}: " + "; ".join(problems))


def libtorrent_check(torrent_path, save_path, timeout=120):
    """Lets a libtorrent session check the data; returns (pieces it has, pieces in total)."""
    session = lt.session({
        "enable_dht": False, "enable_lsd": False, "enable_upnp": False, "enable_natpmp": False,
        "listen_interfaces": "127.0.0.1:0",
        "alert_mask": lt.alert.category_t.status_notification | lt.alert.category_t.error_notification,
    })
    ti = lt.torrent_info(torrent_path)
    params = lt.add_torrent_params()
    params.ti = ti
    params.save_path = save_path
    handle = session.add_torrent(params)
    deadline = time.time() + timeout
    while time.time() < deadline:
        session.wait_for_alert(500)
        for alert in session.pop_alerts():
            if isinstance(alert, lt.torrent_checked_alert):
                return handle.status().num_pieces, ti.num_pieces()
            if isinstance(alert, lt.torrent_error_alert):
                raise AssertionError(f"libtorrent: {alert.message()}")
    raise AssertionError("libtorrent did not finish checking in time")


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)

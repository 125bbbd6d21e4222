"""libtorrent's side of the create/verify benchmark: create a torrent or recheck data.
Prints the seconds the work took; run it under /usr/bin/time for peak memory."""
import sys
import time

import libtorrent as lt


def create(path, out, piece_length, flags):
    start = time.monotonic()
    fs = lt.file_storage()
    lt.add_files(fs, path)
    ct = lt.create_torrent(fs, piece_length, flags=flags)
    lt.set_piece_hashes(ct, path.rsplit("/", 1)[0])
    with open(out, "wb") as f:
        f.write(lt.bencode(ct.generate()))
    return time.monotonic() - start


def recheck(torrent, save_path):
    session = lt.session({
        "enable_dht": False, "enable_lsd": False, "enable_upnp": False, "enable_natpmp": False,
        "listen_interfaces": "127.0.0.1:0", "aio_threads": 2, "hashing_threads": 2,
        "alert_mask": lt.alert.category_t.status_notification,
    })
    params = lt.add_torrent_params()
    params.ti = lt.torrent_info(torrent)
    params.save_path = save_path
    start = time.monotonic()
    handle = session.add_torrent(params)
    while True:
        session.wait_for_alert(1000)
        if any(isinstance(a, lt.torrent_checked_alert) for a in session.pop_alerts()):
            break
    elapsed = time.monotonic() - start
    if handle.status().num_pieces != params.ti.num_pieces():
        sys.exit("libtorrent found bad pieces")
    return elapsed


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "create":
        flags = {"v1": lt.create_torrent.v1_only, "hybrid": 0}[sys.argv[5]]
        print(f"{create(sys.argv[2], sys.argv[3], int(sys.argv[4]), flags):.3f}")
    else:
        print(f"{recheck(sys.argv[2], sys.argv[3]):.3f}")

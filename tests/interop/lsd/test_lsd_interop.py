"""Local discovery against libtorrent on loopback multicast: our announce reaches libtorrent
(lsd_peer_alert) and libtorrent's announce reaches us. Runs in a private network namespace
with the MULTICAST flag set on lo (see CMakeLists.txt)."""
import atexit
import os
import shutil
import subprocess
import sys
import tempfile
import time

import libtorrent as lt

LT_PORT = 42000
OUR_PORT = 7777


def make_torrent(folder):
    path = os.path.join(folder, "payload.bin")
    with open(path, "wb") as f:
        f.write(os.urandom(64 * 1024))
    fs = lt.file_storage()
    lt.add_files(fs, path)
    ct = lt.create_torrent(fs, 16 * 1024, flags=lt.create_torrent.v1_only)
    lt.set_piece_hashes(ct, folder)
    return lt.torrent_info(ct.generate())


def main():
    probe = os.environ["SHOAL_LSD_PROBE"]
    folder = tempfile.mkdtemp(prefix="shoal-lsd-")
    atexit.register(shutil.rmtree, folder, True)
    ti = make_torrent(folder)
    info_hash = str(ti.info_hash())
    session = lt.session({
        "listen_interfaces": f"127.0.0.1:{LT_PORT}",
        "enable_lsd": True,
        "enable_dht": False,
        "enable_upnp": False,
        "enable_natpmp": False,
        "alert_mask": lt.alert_category.peer | lt.alert_category.status,
    })
    session.add_torrent({"ti": ti, "save_path": folder})

    proc = subprocess.Popen([probe, str(OUR_PORT), info_hash, "20"], stdout=subprocess.PIPE)
    os.set_blocking(proc.stdout.fileno(), False)
    lt_heard_us = False
    we_heard_lt = False
    output = ""
    deadline = time.time() + 20
    while time.time() < deadline and not (lt_heard_us and we_heard_lt):
        for alert in session.pop_alerts():
            # The bindings expose lsd_peer_alert only as a plain alert named "lsd_peer", so
            # the peer is read from its message ("peer [ 127.0.0.1:7777 client: ... ]: ...").
            if alert.what() == "lsd_peer" and f"127.0.0.1:{OUR_PORT} " in alert.message():
                lt_heard_us = True
        try:
            output += os.read(proc.stdout.fileno(), 65536).decode()
        except BlockingIOError:
            pass
        if f"peer {info_hash} 127.0.0.1:{LT_PORT}" in output:
            we_heard_lt = True
        time.sleep(0.1)
    proc.kill()
    proc.wait()
    print("probe output:", output.strip() or "(none)")
    print("libtorrent heard our announce:", lt_heard_us)
    print("we heard libtorrent's announce:", we_heard_lt)
    return 0 if lt_heard_us and we_heard_lt else 1


if __name__ == "__main__":
    sys.exit(main())

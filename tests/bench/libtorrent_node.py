"""A libtorrent seed or leech for the swarm benchmark (TCP only, no DHT/LSD/UPnP).
  seed TORRENT DATA_DIR ADDRESS        prints "port N", seeds until killed
  leech TORRENT OUT_DIR ADDRESS PEER   prints "seconds S peak_kib K" when complete
LT_ENCRYPTION=forced in the environment: MSE with RC4 only, both ways."""
import os
import resource
import sys
import time

import libtorrent as lt


def session(address):
    encryption = {}
    if os.environ.get("LT_ENCRYPTION") == "forced":
        encryption = {"out_enc_policy": lt.enc_policy.pe_forced, "in_enc_policy": lt.enc_policy.pe_forced,
                      "allowed_enc_level": lt.enc_level.pe_rc4, "prefer_rc4": True}
    return lt.session({
        **encryption,
        "listen_interfaces": f"{address}:0",
        "enable_dht": False, "enable_lsd": False, "enable_upnp": False, "enable_natpmp": False,
        "enable_outgoing_utp": False, "enable_incoming_utp": False,
        "allow_multiple_connections_per_ip": True, "alert_mask": 0,
    })


def add(s, torrent, path, seed_mode):
    p = lt.add_torrent_params()
    p.ti = lt.torrent_info(torrent)
    p.save_path = path
    if seed_mode:
        p.flags |= lt.torrent_flags.seed_mode
    # Started at once, not when the auto manager gets to it (until then it refuses peers).
    p.flags &= ~(lt.torrent_flags.auto_managed | lt.torrent_flags.paused)
    return s.add_torrent(p)


def main():
    mode, torrent, path, address = sys.argv[1:5]
    s = session(address)
    if mode == "seed":
        h = add(s, torrent, path, True)
        while not h.status().is_seeding:
            time.sleep(0.05)
        print(f"port {s.listen_port()}", flush=True)
        while True:
            time.sleep(1)
    h = add(s, torrent, path, False)
    host, port = sys.argv[5].rsplit(":", 1)
    start = time.monotonic()
    h.connect_peer((host, int(port)))
    while not h.status().is_seeding:
        time.sleep(0.01)
    elapsed = time.monotonic() - start
    print(f"seconds {elapsed:.3f} peak_kib {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}", flush=True)


if __name__ == "__main__":
    main()

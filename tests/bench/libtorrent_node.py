"""A libtorrent seed or leech for the benchmarks (TCP only unless LT_TRANSPORT says otherwise; no DHT/LSD/UPnP).
  seed TORRENT DATA_DIR ADDRESS        prints "port N", seeds until killed
  leech TORRENT OUT_DIR ADDRESS PEER   prints "seconds S peak_kib K" when complete (PEER "none":
                                       no peer, the torrent's web seeds alone)
LT_ENCRYPTION=forced in the environment: MSE with RC4 only, both ways.
LT_TRANSPORT=utp in the environment: uTP only, both ways (TCP neither dialled nor accepted)."""
import os
import resource
import sys
import time

import libtorrent as lt

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "interop"))
from interop_clients import lt_add, lt_session  # noqa: E402


def session(address):
    encryption = {}
    if os.environ.get("LT_ENCRYPTION") == "forced":
        encryption = {"out_enc_policy": lt.enc_policy.pe_forced, "in_enc_policy": lt.enc_policy.pe_forced,
                      "allowed_enc_level": lt.enc_level.pe_rc4, "prefer_rc4": True}
    transport = {}
    if os.environ.get("LT_TRANSPORT") == "utp":
        transport = {"enable_outgoing_tcp": False, "enable_incoming_tcp": False,
                     "enable_outgoing_utp": True, "enable_incoming_utp": True}
    return lt_session(address, allow_multiple_connections_per_ip=True, alert_mask=0, **encryption, **transport)


def main():
    mode, torrent, path, address = sys.argv[1:5]
    s = session(address)
    if mode == "seed":
        h = lt_add(s, torrent, path, seed_mode=True)
        while not h.status().is_seeding:
            time.sleep(0.05)
        print(f"port {s.listen_port()}", flush=True)
        while True:
            time.sleep(1)
    h = lt_add(s, torrent, path)
    start = time.monotonic()
    if sys.argv[5] != "none":
        host, port = sys.argv[5].rsplit(":", 1)
        h.connect_peer((host, int(port)))
    while not h.status().is_seeding:
        time.sleep(0.01)
    elapsed = time.monotonic() - start
    print(f"seconds {elapsed:.3f} peak_kib {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}", flush=True)


if __name__ == "__main__":
    main()

"""libtorrent and Transmission set up for the interop scenarios: bound to one loopback address,
with DHT, LSD, PEX, uTP and port mapping off, so that they reach only the peers a scenario
gives them."""
import json
import os
import socket
import subprocess
import tempfile
import time

import libtorrent as lt


def lt_session(address, **settings):
    """`settings` adds to or overrides the defaults (libtorrent setting names)."""
    return lt.session({
        "listen_interfaces": f"{address}:0",
        "enable_dht": False, "enable_lsd": False, "enable_upnp": False, "enable_natpmp": False,
        "enable_outgoing_utp": False, "enable_incoming_utp": False,
        "alert_mask": lt.alert.category_t.error_notification | lt.alert.category_t.status_notification,
        **settings,
    })


def lt_add(session, torrent, save_path, seed_mode=False):
    params = lt.add_torrent_params()
    params.ti = lt.torrent_info(torrent)
    params.save_path = save_path
    if seed_mode:
        params.flags |= lt.torrent_flags.seed_mode
    # Started at once, not when the auto manager gets to it (until then it refuses peers).
    params.flags &= ~(lt.torrent_flags.auto_managed | lt.torrent_flags.paused)
    return session.add_torrent(params)


def transmission_settings(config_dir, port, encryption=0):
    """`encryption`: Transmission's setting (0 prefers plain text, 2 requires encryption)."""
    os.makedirs(config_dir, exist_ok=True)
    with open(os.path.join(config_dir, "settings.json"), "w") as f:
        json.dump({"dht-enabled": False, "lpd-enabled": False, "pex-enabled": False, "utp-enabled": False,
                   "port-forwarding-enabled": False, "bind-address-ipv4": "127.0.0.3", "peer-port": port,
                   "rpc-enabled": False, "encryption": encryption, "speed-limit-up-enabled": False}, f)


def free_port(address):
    with socket.socket() as sock:
        sock.bind((address, 0))
        return sock.getsockname()[1]


def start_opentracker(cmd, torrent, address, port, folder):
    """Debian's opentracker on address:port (HTTP and UDP), run through `cmd` (a namespace's
    command wrapper, or a plain list), serving `torrent` (a path, or a list of them) alone:
    Debian's build serves only whitelisted info-hashes, read from the folder it changes its
    root to."""
    root = tempfile.mkdtemp(prefix="opentracker_", dir=folder)
    os.chmod(root, 0o755)
    with open(os.path.join(root, "whitelist"), "w") as f:
        for path in [torrent] if isinstance(torrent, str) else torrent:
            f.write(str(lt.torrent_info(path).info_hash()) + "\n")
    proc = subprocess.Popen(cmd("opentracker", "-i", address, "-p", str(port), "-P", str(port), "-d", root,
                                "-u", "nobody", "-w", "/whitelist"),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # listening once ss (in its namespace) shows it
        listening = subprocess.run(cmd("ss", "-ltnH", f"sport = :{port}"), capture_output=True, text=True,
                                   timeout=10).stdout
        if listening.strip():
            return proc
        time.sleep(0.05)
    proc.kill()
    raise RuntimeError(f"opentracker did not listen on {address}:{port}")

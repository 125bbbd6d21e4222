"""uTP (BEP 29) with libtorrent and between two Shoals, over loopback in a private network
namespace (netns_run.sh): libtorrent with TCP switched off both ways, leeching from a Shoal
seed and seeding to a Shoal leech, libtorrent's own peer list showing a uTP socket (or, for a
transfer over between two looks at it, its count of uTP packets received); and two
Shoals with TCP to the seed's port refused by nftables, so that only uTP can carry the
download; and Transmission 3.00 (uTP on, as it is by default), seeding to a Shoal leech and
leeching from a Shoal seed, with every TCP connection to either refused by nftables. The
files must come out byte-identical."""
import contextlib
import faulthandler
import json
import os
import socket
import subprocess
import sys
import time

import libtorrent as lt

# libtorrent runs in this process: should it crash, the Python stacks say where the test was.
faulthandler.enable()

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration", "swarm"))
from interop_clients import free_port, lt_add, transmission_settings  # noqa: E402
import interop_clients  # noqa: E402
import swarm_util  # noqa: E402
from swarm_util import check_file, create, get, run_scenarios, same_file, seed, wait_until  # noqa: E402

MiB = 1024 * 1024


def utp_only_libtorrent(address):
    return interop_clients.lt_session(address, enable_outgoing_tcp=False, enable_incoming_tcp=False,
                                      enable_outgoing_utp=True, enable_incoming_utp=True)


def make_payload(tmp, name, size=6 * MiB + 1234):
    return swarm_util.make_payload(tmp, name, size)


def utp_peer_logged(client):
    return any("connected (" in line and ", uTP" in line for line in client.log)


# peer_info::utp_socket: the Python binding of libtorrent 2.0 does not name it; it is the bit
# between holepunched (bit 15, i2p_socket at 16) and rc4_encrypted (bit 19, ssl_socket at 18).
UTP_SOCKET = 1 << 17
assert int(lt.peer_info.holepunched) == 1 << 15 and int(lt.peer_info.rc4_encrypted) == 1 << 19


def libtorrent_sees_utp(handle):
    return any(int(p.flags) & UTP_SOCKET for p in handle.get_peer_info())


def libtorrent_utp_packets_in(session):
    """The uTP packets libtorrent's session has received (its utp.utp_packets_in counter). A
    fast transfer can begin and end between two looks at the peer list; the counter stays."""
    session.post_session_stats()
    deadline = time.time() + 10
    while time.time() < deadline:
        session.wait_for_alert(500)
        for alert in session.pop_alerts():
            if isinstance(alert, lt.session_stats_alert):
                return alert.values["utp.utp_packets_in"]
    raise AssertionError("libtorrent posted no session stats")


def shoal_seed_to_utp_only_libtorrent(tmp):
    data, torrent = make_payload(tmp, "to-lt")
    s = seed(torrent, data)
    session = utp_only_libtorrent("127.0.0.2")
    out = os.path.join(tmp, "lt-out")
    handle = lt_add(session, torrent, out)
    host, port = s.address().split(":")
    handle.connect_peer((host, int(port)))
    saw_utp = False

    def done():
        nonlocal saw_utp
        saw_utp = saw_utp or libtorrent_sees_utp(handle)
        return handle.status().is_seeding

    try:
        wait_until(done, 90, "libtorrent (TCP off) to finish")
    except AssertionError:
        st = handle.status()
        raise AssertionError(f"libtorrent (TCP off) did not finish ({st.total_wanted_done} of {st.total_wanted} "
                             f"bytes); the seed logged: {s.log[-6:]}")
    s.stop()
    check_file(data, out, "to-lt")
    if not saw_utp and libtorrent_utp_packets_in(session) == 0:
        raise AssertionError("libtorrent neither listed the Shoal seed as a uTP peer nor received uTP packets")
    if not utp_peer_logged(s):
        raise AssertionError(f"the seed did not log a uTP connection: {s.log[-8:]}")


def utp_only_libtorrent_seeds_to_shoal(tmp):
    data, torrent = make_payload(tmp, "from-lt")
    session = utp_only_libtorrent("127.0.0.2")
    handle = lt_add(session, torrent, data, seed_mode=True)
    wait_until(lambda: handle.status().is_seeding, 30, "libtorrent to start seeding")
    out = os.path.join(tmp, "shoal-out")
    leech = get(torrent, out, [f"127.0.0.2:{session.listen_port()}"])
    saw_utp = False

    def finished():
        nonlocal saw_utp
        saw_utp = saw_utp or libtorrent_sees_utp(handle)
        return leech.proc.poll() is not None

    wait_until(finished, 90, "the Shoal leech to finish")
    if leech.proc.returncode != 0:
        raise AssertionError(f"shoal leech from libtorrent (TCP off) exited {leech.proc.returncode}: {leech.log[-8:]}")
    check_file(data, out, "from-lt")
    if not utp_peer_logged(leech):
        raise AssertionError(f"the leech did not log a uTP connection: {leech.log[-8:]}")
    if not saw_utp and libtorrent_utp_packets_in(session) == 0:
        raise AssertionError("libtorrent neither listed the Shoal leech as a uTP peer nor received uTP packets")


def add_nft_rules(rules):
    subprocess.run(["nft", "-f", "-"], input=rules, text=True, check=True)


def remove_nft_rules():
    subprocess.run(["nft", "delete", "table", "inet", "shoal_test"], check=False)


def shoal_to_shoal_with_tcp_refused(tmp):
    data, torrent = make_payload(tmp, "no-tcp", size=12 * MiB + 5)
    s = seed(torrent, data)
    host, port = s.address().split(":")
    add_nft_rules(f"""table inet shoal_test {{
        chain input {{ type filter hook input priority 0; tcp dport {port} reject with tcp reset; }}
    }}""")
    try:
        out = os.path.join(tmp, "shoal-out")
        leech = get(torrent, out, [f"{host}:{port}"], listen="127.0.0.3")
        code = leech.wait(90)
        if code != 0:
            raise AssertionError(f"shoal leech with TCP refused exited {code}: {leech.log[-8:]}")
        check_file(data, out, "no-tcp")
        if not utp_peer_logged(leech):
            raise AssertionError(f"the leech did not log a uTP connection: {leech.log[-8:]}")
    finally:
        remove_nft_rules()
        s.stop()


TRANSMISSION, SHOAL = "127.0.0.3", "127.0.0.2"


def refuse_tcp_between_shoal_and_transmission():
    """Any TCP connection between the two has one of their addresses as its destination."""
    add_nft_rules(f"""table inet shoal_test {{
        chain input {{
            type filter hook input priority 0;
            ip daddr {{ {SHOAL}, {TRANSMISSION} }} meta l4proto tcp reject with tcp reset;
        }}
    }}""")


def udp_port_taken(address, port):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.bind((address, port))
            return False
        except OSError:
            return True


def start_transmission(tmp, torrent, directory, encryption):
    """transmission-cli with uTP on, bound to TRANSMISSION; returns it and its port once it
    has its UDP port open."""
    config = os.path.join(tmp, "tr-config")
    port = free_port(TRANSMISSION)
    transmission_settings(config, port, encryption=encryption)
    path = os.path.join(config, "settings.json")
    with open(path) as f:
        settings = json.load(f)
    settings.update({"utp-enabled": True, "bind-address-ipv4": TRANSMISSION})
    with open(path, "w") as f:
        json.dump(settings, f)
    tr = subprocess.Popen(["transmission-cli", "-g", config, "-w", directory, "-M", torrent],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until(lambda: udp_port_taken(TRANSMISSION, port), 20, "transmission to open its UDP port")
    except AssertionError:
        tr.kill()
        raise
    return tr, port


def v1_payload(tmp, name):
    """make_payload's data with a v1 torrent of it in place of the hybrid one (Transmission 3.00
    reads v1 only)."""
    data, torrent = make_payload(tmp, name)
    create(os.path.join(data, name), torrent, "--v1", "-s", "64K")
    return data, torrent


@contextlib.contextmanager
def transmission_over_utp_only(tmp, torrent, directory, encryption):
    """Transmission on `torrent` in `directory` (see start_transmission), with every TCP
    connection between it and Shoal refused; yields its port. On the way out Transmission stops
    and the refusal is lifted."""
    refuse_tcp_between_shoal_and_transmission()
    tr = None
    try:
        tr, port = start_transmission(tmp, torrent, directory, encryption)
        yield port
    finally:
        remove_nft_rules()
        if tr:
            tr.terminate()
            tr.wait(10)


def only_utp_with_transmission(client):
    lines = [line for line in client.log if line.startswith(f"peer {TRANSMISSION}:") and "connected (" in line]
    if not any("Transmission" in line and ", uTP" in line for line in lines):
        raise AssertionError(f"no uTP connection with Transmission logged: {client.log[-8:]}")
    if any(", TCP" in line for line in lines):
        raise AssertionError(f"a TCP connection with Transmission got through: {lines}")


def shoal_seed_to_transmission_over_utp(tmp):
    # Transmission drops loopback addresses from tracker replies, so the Shoal seed dials it.
    data, torrent = v1_payload(tmp, "to-tr")
    out = os.path.join(tmp, "tr-out")
    with transmission_over_utp_only(tmp, torrent, out, encryption=1) as port:
        s = seed(torrent, data, "--peer", f"{TRANSMISSION}:{port}", listen=SHOAL)
        try:
            source, target = os.path.join(data, "to-tr", "file.bin"), os.path.join(out, "to-tr", "file.bin")
            try:
                wait_until(lambda: os.path.exists(target) and same_file(source, target), 90, "transmission to finish")
            except AssertionError:
                raise AssertionError(f"Transmission (TCP refused) did not finish; the seed logged: {s.log[-8:]}")
            only_utp_with_transmission(s)
        finally:
            s.stop()


def transmission_seeds_to_shoal_over_utp(tmp):
    data, torrent = v1_payload(tmp, "from-tr")
    with transmission_over_utp_only(tmp, torrent, data, encryption=0) as port:
        out = os.path.join(tmp, "shoal-out")
        leech = get(torrent, out, [f"{TRANSMISSION}:{port}"], listen=SHOAL)
        code = leech.wait(90)
        if code != 0:
            raise AssertionError(f"shoal leech from Transmission (TCP refused) exited {code}: {leech.log[-8:]}")
        check_file(data, out, "from-tr")
        only_utp_with_transmission(leech)


SCENARIOS = [
    ("Shoal seed to libtorrent leech with TCP off", shoal_seed_to_utp_only_libtorrent),
    ("libtorrent seed with TCP off to Shoal leech", utp_only_libtorrent_seeds_to_shoal),
    ("Shoal to Shoal with TCP to the seed refused (nftables)", shoal_to_shoal_with_tcp_refused),
    ("Shoal seed to Transmission leech over uTP, TCP refused", shoal_seed_to_transmission_over_utp),
    ("Transmission seed to Shoal leech over uTP, TCP refused", transmission_seeds_to_shoal_over_utp),
]


if __name__ == "__main__":
    run_scenarios(SCENARIOS)

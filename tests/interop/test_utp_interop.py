"""uTP (BEP 29) with libtorrent and between two Shoals, over loopback in a private network
namespace (netns_run.sh): libtorrent with TCP switched off both ways, leeching from a Shoal
seed and seeding to a Shoal leech, libtorrent's own peer list showing a uTP socket; and two
Shoals with TCP to the seed's port refused by nftables, so that only uTP can carry the
download. The files must come out byte-identical."""
import os
import subprocess
import sys

import libtorrent as lt

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration", "swarm"))
from interop_clients import lt_add  # noqa: E402
import interop_clients  # noqa: E402
from swarm_util import create, get, run_scenarios, same_file, seed, wait_until, write_random  # noqa: E402

MiB = 1024 * 1024


def utp_only_libtorrent(address):
    return interop_clients.lt_session(address, enable_outgoing_tcp=False, enable_incoming_tcp=False,
                                      enable_outgoing_utp=True, enable_incoming_utp=True)


def make_payload(tmp, name, size=6 * MiB + 1234):
    data = os.path.join(tmp, "data")
    write_random(os.path.join(data, name, "file.bin"), size, seed=len(name))
    torrent = os.path.join(tmp, f"{name}.torrent")
    create(os.path.join(data, name), torrent, "--hybrid", "-s", "64K")
    return data, torrent


def check_file(src, dst, name):
    a = os.path.join(src, name, "file.bin")
    b = os.path.join(dst, name, "file.bin")
    if not os.path.exists(b) or not same_file(a, b):
        raise AssertionError(f"{name}/file.bin differs")


def utp_peer_logged(client):
    return any("connected (" in line and ", uTP" in line for line in client.log)


# peer_info::utp_socket: the Python binding of libtorrent 2.0 does not name it; it is the bit
# between holepunched (bit 15, i2p_socket at 16) and rc4_encrypted (bit 19, ssl_socket at 18).
UTP_SOCKET = 1 << 17
assert int(lt.peer_info.holepunched) == 1 << 15 and int(lt.peer_info.rc4_encrypted) == 1 << 19


def libtorrent_sees_utp(handle):
    return any(int(p.flags) & UTP_SOCKET for p in handle.get_peer_info())


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
        raise AssertionError(f"libtorrent (TCP off) did not finish ({st.total_wanted_done} of {st.total_wanted} bytes); "
                             f"the seed logged: {s.log[-6:]}")
    s.stop()
    check_file(data, out, "to-lt")
    if not saw_utp:
        raise AssertionError("libtorrent never listed the Shoal seed as a uTP peer")
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
    if not saw_utp:
        raise AssertionError("libtorrent never listed the Shoal leech as a uTP peer")


def shoal_to_shoal_with_tcp_refused(tmp):
    data, torrent = make_payload(tmp, "no-tcp", size=12 * MiB + 5)
    s = seed(torrent, data)
    host, port = s.address().split(":")
    rules = f"""table inet shoal_test {{
        chain input {{ type filter hook input priority 0; tcp dport {port} reject with tcp reset; }}
    }}"""
    subprocess.run(["nft", "-f", "-"], input=rules, text=True, check=True)
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
        subprocess.run(["nft", "delete", "table", "inet", "shoal_test"], check=False)
        s.stop()


SCENARIOS = [
    ("Shoal seed to libtorrent leech with TCP off", shoal_seed_to_utp_only_libtorrent),
    ("libtorrent seed with TCP off to Shoal leech", utp_only_libtorrent_seeds_to_shoal),
    ("Shoal to Shoal with TCP to the seed refused (nftables)", shoal_to_shoal_with_tcp_refused),
]


if __name__ == "__main__":
    run_scenarios(SCENARIOS)

"""One transmission-remote session run against shoald and against Debian's transmission-daemon,
each downloading from a libtorrent seed found through opentracker: add paused, files left out
(-G) and taken back (-g), start, limits, alternative speeds, verify, the data moved (--move)
and looked for (--find), a magnet link, session info and stats, remove with the data. Both daemons must end each step alike. The peers use
documentation addresses on a veth device of the test's own namespace: Transmission takes no
loopback peers from a tracker."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import libtorrent as lt

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "interop"))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "swarm"))
from interop_clients import free_port, lt_add, lt_session, start_opentracker  # noqa: E402
from swarm_util import same_file, stop_process, write_random  # noqa: E402

CLI = os.environ["SHOAL_CLI"]
DAEMON = os.environ["SHOALD"]
REMOTE = "transmission-remote"
TRANSMISSION = "transmission-daemon"
TRACKER_ADDRESS = "198.51.100.1"
SEED_ADDRESS = "198.51.100.2"
SHOALD_ADDRESS = "198.51.100.3"
TRANSMISSION_ADDRESS = "198.51.100.4"
failures = []


def check(condition, what):
    if not condition:
        failures.append(what)
        print(f"FAIL: {what}", file=sys.stderr)
    return condition


def make_torrent(source, out, tracker):
    made = subprocess.run([CLI, "create", source, "-o", out, "--tracker", tracker, "--piece-size", "16K", "--v1"],
                          capture_output=True, text=True)
    if made.returncode != 0:
        raise RuntimeError(f"shoal-cli create: {made.stderr}")


class Remote:
    def __init__(self, rpc):
        self.rpc = rpc

    def run(self, *args):
        return subprocess.run([REMOTE, self.rpc, *args], capture_output=True, text=True, timeout=60)

    def ok(self, what, *args):
        result = self.run(*args)
        check(result.returncode == 0 and 'responded: "success"' in result.stdout,
              f"{self.rpc} {what}: exit {result.returncode}, {result.stdout!r} {result.stderr!r}")
        return result

    def fields(self, *args):
        """`key: value` lines of -i, -si or -st, the key without its indentation."""
        out = self.run(*args).stdout
        return {m.group(1).strip(): m.group(2).strip() for m in re.finditer(r"^\s*([^:\n]+):\s*(.*)$", out, re.M)}

    def files(self, torrent):
        """(done, priority, get, name) for each row of -f."""
        rows = []
        for line in self.run("-t", torrent, "-f").stdout.splitlines():
            m = re.match(r"\s*\d+:\s+(\d+)%\s+(\w+)\s+(\w+)\s+.*?\s(\S+)$", line)
            if m:
                rows.append((int(m.group(1)), m.group(2), m.group(3), m.group(4)))
        return rows

    def wait(self, torrent, predicate, what, timeout=60):
        deadline = time.time() + timeout
        while True:
            info = self.fields("-t", torrent, "-i")
            if predicate(info):
                return info
            if time.time() > deadline:
                check(False, f"{self.rpc} {what}: -i said {info}")
                return info
            time.sleep(0.3)


def percent(info):
    return info.get("Percent Done", "")


def scenario(remote, downloads, payload, torrent, magnet):
    """The steps; what each daemon ended each step with, to be compared."""
    seen = {}
    remote.ok("--start-paused", "--start-paused")
    remote.ok("-a", "-a", torrent)
    info = remote.wait("1", lambda i: i.get("State") == "Stopped", "added paused")
    seen["added"] = (info.get("Name"), info.get("State"))
    remote.ok("-G 1", "-t", "1", "-G", "1")
    seen["files left out"] = remote.files("1")
    remote.ok("-s", "-t", "1", "-s")
    info = remote.wait("1", lambda i: percent(i) == "100%", "the wanted files downloaded")
    seen["wanted done"] = percent(info)
    check(same_file(os.path.join(downloads, "set", "a.bin"), os.path.join(payload, "a.bin")) and
          same_file(os.path.join(downloads, "set", "c.bin"), os.path.join(payload, "c.bin")),
          f"{remote.rpc}: the wanted files arrived byte for byte")
    remote.ok("-g 1", "-t", "1", "-g", "1")
    deadline = time.time() + 60
    while any(done != 100 for done, *_ in remote.files("1")) and time.time() < deadline:
        time.sleep(0.3)
    check(same_file(os.path.join(downloads, "set", "b.bin"), os.path.join(payload, "b.bin")),
          f"{remote.rpc}: the file taken back arrived byte for byte")
    seen["all files"] = remote.files("1")

    remote.ok("-u 40", "-t", "1", "-u", "40")
    remote.ok("-D", "-t", "1", "-D")
    info = remote.fields("-t", "1", "-i")
    seen["torrent limits"] = (info.get("Upload Limit"), info.get("Download Limit"))
    remote.ok("global -d 300", "-d", "300")
    remote.ok("-as", "-as")
    remote.ok("-asu 25", "-asu", "25")
    remote.ok("global -pr 120", "-pr", "120")
    session = remote.fields("-si")
    seen["session limits"] = {k: v for k, v in session.items() if "limit" in k.lower() or "turtle" in k.lower()}
    remote.ok("-AS", "-AS")

    remote.ok("-v", "-t", "1", "-v")
    info = remote.wait("1", lambda i: percent(i) == "100%" and i.get("State") in ("Seeding", "Idle"), "verified")
    seen["verified"] = percent(info)
    moved = downloads + "-moved"
    remote.ok("--move", "-t", "1", "--move", moved)
    remote.wait("1", lambda i: i.get("Location") == moved, "the data's new location")
    deadline = time.time() + 20
    while os.path.exists(os.path.join(downloads, "set")) and time.time() < deadline:
        time.sleep(0.2)
    check(all(same_file(os.path.join(moved, "set", name), os.path.join(payload, name))
              for name in ("a.bin", "b.bin", "c.bin")) and not os.path.exists(os.path.join(downloads, "set")),
          f"{remote.rpc}: --move took the data to the new folder byte for byte")
    info = remote.wait("1", lambda i: percent(i) == "100%" and i.get("State") in ("Seeding", "Idle"),
                       "seeding from the new folder")
    seen["moved"] = percent(info)
    remote.ok("--find", "-t", "1", "--find", moved)
    info = remote.wait("1", lambda i: percent(i) == "100%" and i.get("State") in ("Seeding", "Idle"),
                       "the data found where it is")
    seen["found"] = percent(info)
    trackers = remote.run("-t", "1", "-it").stdout
    seen["tracker listed"] = TRACKER_ADDRESS in trackers

    remote.ok("--no-start-paused", "--no-start-paused")
    incomplete = downloads + "-incomplete"
    remote.ok("--incomplete-dir", "--incomplete-dir", incomplete)
    remote.ok("-a magnet", "-a", magnet)
    info = remote.wait("2", lambda i: percent(i) == "100%", "the magnet link's download", timeout=90)
    seen["magnet"] = (info.get("Name"), percent(info))
    seen["magnet's location"] = info.get("Location") == downloads
    # Moved out of the incomplete folder once complete.
    deadline = time.time() + 20
    while not os.path.exists(os.path.join(downloads, "single.bin")) and time.time() < deadline:
        time.sleep(0.2)
    seen["incomplete folder left"] = os.path.exists(incomplete) and os.listdir(incomplete) == []
    check(same_file(os.path.join(downloads, "single.bin"), os.path.join(payload, "..", "single.bin")),
          f"{remote.rpc}: the magnet link's file arrived byte for byte")

    stats = remote.fields("-st")
    seen["stats"] = sorted(k for k in stats if k in ("Uploaded", "Downloaded", "Ratio", "Duration"))
    remote.ok("-rad", "-t", "2", "-rad")
    deadline = time.time() + 20
    while os.path.exists(os.path.join(downloads, "single.bin")) and time.time() < deadline:
        time.sleep(0.2)
    seen["removed with data"] = not os.path.exists(os.path.join(downloads, "single.bin"))
    listing = remote.run("-l").stdout
    seen["left in the list"] = [line.split()[-1] for line in listing.splitlines()[1:-1]]
    return seen


def start_shoald(tmp, downloads):
    config = os.path.join(tmp, "shoald.toml")
    with open(config, "w") as f:
        f.write(f'state_dir = "{tmp}/shoald-state"\ndownload_dir = "{downloads}"\n'
                'rpc_bind = "127.0.0.1:9091"\n'
                f'listen = "{SHOALD_ADDRESS}"\nport = 0\n'
                'dht = false\nlsd = false\npex = false\nport_mapping = false\n')
    log = open(os.path.join(tmp, "shoald.log"), "w")
    return subprocess.Popen([DAEMON, "--config", config, "--foreground"], stdout=log, stderr=log), log.name


def start_transmission(tmp, downloads):
    config_dir = os.path.join(tmp, "transmission")
    os.makedirs(config_dir)
    with open(os.path.join(config_dir, "settings.json"), "w") as f:
        json.dump({"dht-enabled": False, "lpd-enabled": False, "pex-enabled": False, "utp-enabled": False,
                   "port-forwarding-enabled": False, "bind-address-ipv4": TRANSMISSION_ADDRESS,
                   "peer-port": free_port(TRANSMISSION_ADDRESS), "download-dir": downloads,
                   "incomplete-dir-enabled": False, "rename-partial-files": False,
                   "rpc-enabled": True, "rpc-bind-address": "127.0.0.1", "rpc-port": 9092,
                   "rpc-whitelist": "127.0.0.1", "rpc-authentication-required": False,
                   "rpc-host-whitelist-enabled": False, "speed-limit-up-enabled": False,
                   "message-level": 1}, f)
    log = open(os.path.join(tmp, "transmission.log"), "w")
    return subprocess.Popen([TRANSMISSION, "-f", "-g", config_dir], stdout=log, stderr=log), log.name


def wait_rpc(remote, proc, log):
    deadline = time.time() + 20
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{remote.rpc} exited with {proc.returncode}; see {log}")
        if remote.run("-si").returncode == 0:
            return
        time.sleep(0.2)
    raise RuntimeError(f"{remote.rpc} did not answer")


def main():
    for tool in (REMOTE, TRANSMISSION, "opentracker"):
        if shutil.which(tool) is None:
            print(f"{tool} is not installed (see .ci/install-deps)", file=sys.stderr)
            return 1
    subprocess.run(["ip", "link", "add", "peers0", "type", "veth", "peer", "name", "peers1"], check=True)
    for address in (TRACKER_ADDRESS, SEED_ADDRESS, SHOALD_ADDRESS, TRANSMISSION_ADDRESS):
        subprocess.run(["ip", "addr", "add", f"{address}/24", "dev", "peers0"], check=True)
    for device in ("peers0", "peers1"):
        subprocess.run(["ip", "link", "set", device, "up"], check=True)
    with tempfile.TemporaryDirectory() as tmp:
        payload = os.path.join(tmp, "seed", "set")
        write_random(os.path.join(payload, "a.bin"), 200_000, 1)
        write_random(os.path.join(payload, "b.bin"), 300_000, 2)
        write_random(os.path.join(payload, "c.bin"), 100_000, 3)
        write_random(os.path.join(tmp, "seed", "single.bin"), 150_000, 4)
        tracker_port = free_port(TRACKER_ADDRESS)
        announce = f"http://{TRACKER_ADDRESS}:{tracker_port}/announce"
        torrent = os.path.join(tmp, "set.torrent")
        single = os.path.join(tmp, "single.torrent")
        make_torrent(payload, torrent, announce)
        make_torrent(os.path.join(tmp, "seed", "single.bin"), single, announce)
        tracker = start_opentracker(lambda *a: list(a), [torrent, single], TRACKER_ADDRESS, tracker_port, tmp)
        # The seed dials no one, so that every connection is the daemon's doing.
        seed = lt_session(SEED_ADDRESS, enable_outgoing_tcp=False)
        for t in (torrent, single):
            handle = lt_add(seed, t, os.path.join(tmp, "seed"), seed_mode=True)
            handle.force_reannounce()
        magnet = lt.make_magnet_uri(lt.torrent_info(single))
        results = {}
        daemons = [("shoald", start_shoald, "127.0.0.1:9091"), ("transmission", start_transmission, "127.0.0.1:9092")]
        try:
            for name, start, rpc in daemons:
                downloads = os.path.join(tmp, f"{name}-downloads")
                os.makedirs(downloads)
                proc, log = start(tmp, downloads)
                remote = Remote(rpc)
                try:
                    wait_rpc(remote, proc, log)
                    results[name] = scenario(remote, downloads, payload, torrent, magnet)
                except Exception as e:  # noqa: BLE001: said, and the test fails
                    check(False, f"{name}: {e}")
                finally:
                    stop_process(proc, timeout=20)
                if failures:
                    with open(log) as f:
                        print(f"--- {name}'s log\n{f.read()[-4000:]}", file=sys.stderr)
                    break
        finally:
            tracker.kill()
        if len(results) == 2:
            for step, expected in results["transmission"].items():
                got = results["shoald"].get(step)
                check(got == expected, f"{step}: shoald {got!r}, transmission-daemon {expected!r}")
        for name, seen in results.items():
            print(f"{name}: {seen}")
    print(f"{len(failures)} failures" if failures else "ok")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

"""shoald bound to an interface (`interface = "vpn0"`) fetches torrent-add's URLs through it.
The daemon's namespace has two ways to the "world" namespace, where a web server holds a
.torrent file: eth0, which the routing table prefers, and vpn0. transmission-remote adds the
file by its URL; nftables counts every TCP and UDP packet that leaves by eth0, and the count
stays at zero while the torrent is added. Then the same with vpn0 down: the add fails with a
readable reason instead of leaving by eth0.
Run by netns_run.sh."""
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "interop"))
import netns_util  # noqa: E402

CLI = os.environ["SHOAL_CLI"]
DAEMON = os.environ["SHOALD"]
REMOTE = os.environ.get("TRANSMISSION_REMOTE", "transmission-remote")
WORLD = "203.0.113.10"
WEB_PORT = 8080
RPC = "127.0.0.1:9091"


def remote(ns, *args):
    done = subprocess.run(ns.cmd(REMOTE, RPC, *args), capture_output=True, text=True, timeout=60)
    return done.returncode, done.stdout + done.stderr


def main():
    daemon_ns, world = netns_util.Namespace(200), netns_util.Namespace(200)
    daemon = web = None
    try:
        for ns in (daemon_ns, world):
            ns.run("sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1")
        netns_util.veth(daemon_ns, "eth0", "192.0.2.2/24", world, "w-eth", "192.0.2.1/24")
        netns_util.veth(daemon_ns, "vpn0", "198.51.100.2/26", world, "w-vpn", "198.51.100.1/26")
        world.run("ip", "addr", "add", f"{WORLD}/32", "dev", "lo")
        daemon_ns.run("ip", "route", "add", "default", "via", "192.0.2.1", "dev", "eth0", "metric", "100")
        daemon_ns.run("ip", "route", "add", "default", "via", "198.51.100.1", "dev", "vpn0", "metric", "200")
        netns_util.count_leaving(daemon_ns, "eth0")
        with tempfile.TemporaryDirectory() as tmp:
            site = os.path.join(tmp, "site")
            os.makedirs(site)
            with open(os.path.join(tmp, "file.bin"), "wb") as f:
                f.write(os.urandom(256 * 1024))
            subprocess.run([CLI, "create", os.path.join(tmp, "file.bin"), "-o", os.path.join(site, "file.torrent")],
                           check=True, capture_output=True, timeout=60)
            web = subprocess.Popen(world.cmd(sys.executable, "-m", "http.server", "-b", WORLD, "-d", site,
                                             str(WEB_PORT)),
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            config = os.path.join(tmp, "shoald.toml")
            with open(config, "w") as f:
                f.write(f'state_dir = "{tmp}/state"\ndownload_dir = "{tmp}"\nrpc_bind = "{RPC}"\n'
                        'interface = "vpn0"\nport = 6999\n'
                        'dht = false\nlsd = false\nport_mapping = false\n')
            daemon = subprocess.Popen(daemon_ns.cmd(DAEMON, "--config", config, "--foreground"),
                                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            deadline = time.monotonic() + 20
            while remote(daemon_ns, "-l")[0] != 0:
                if time.monotonic() > deadline or daemon.poll() is not None:
                    raise AssertionError("shoald did not answer its RPC")
                time.sleep(0.2)
            deadline = time.monotonic() + 10
            while subprocess.run(world.cmd("python3", "-c", f"import urllib.request; urllib.request.urlopen("
                                                            f"'http://{WORLD}:{WEB_PORT}/file.torrent')"),
                                 capture_output=True, timeout=10).returncode != 0:
                if time.monotonic() > deadline:
                    raise AssertionError("the web server did not start")
                time.sleep(0.2)

            url = f"http://{WORLD}:{WEB_PORT}/file.torrent"
            before = netns_util.packets_left(daemon_ns)
            code, out = remote(daemon_ns, "-a", url)
            if code != 0 or "success" not in out:
                raise AssertionError(f"torrent-add of {url} through vpn0 failed: {out}")
            code, listed = remote(daemon_ns, "-l")
            if "file.bin" not in listed:
                raise AssertionError(f"the added torrent is not listed: {listed}")
            leaked = netns_util.packets_left(daemon_ns) - before
            if leaked:
                raise AssertionError(f"{leaked} packets of the fetch left by eth0 instead of vpn0")
            print("ok: the URL was fetched through vpn0, nothing by eth0")

            remote(daemon_ns, "-t", "all", "-r")
            daemon_ns.run("ip", "link", "set", "vpn0", "down")
            code, out = remote(daemon_ns, "-a", url)
            if code == 0 or "torrent-add" not in out:
                raise AssertionError(f"with vpn0 down the add should fail with the fetch's reason: {out}")
            leaked = netns_util.packets_left(daemon_ns) - before
            if leaked:
                raise AssertionError(f"{leaked} packets left by eth0 while vpn0 was down")
            print(f"ok: with vpn0 down the add failed: {out.strip().splitlines()[-1]}")
    finally:
        for p in (daemon, web):
            if p and p.poll() is None:
                p.terminate()
                try:
                    p.wait(20)
                except subprocess.TimeoutExpired:
                    p.kill()
        daemon_ns.close()
        world.close()


if __name__ == "__main__":
    try:
        main()
    except AssertionError as e:
        print(f"FAIL: {e}", file=sys.stderr)
        sys.exit(1)

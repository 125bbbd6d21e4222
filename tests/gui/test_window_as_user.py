"""The desktop client as a person meets it: the installed-style binary with a fresh HOME, a
real X server (Xvfb), a torrent given on the command line and Enter pressed in the add dialog.
What the transfer list shows is read back through the accessibility bus (AT-SPI), the way a
screen reader reads it, while the download goes from start to seeding from a libtorrent seed
found through the torrent's tracker. A second `shoal FILE` must bring its add dialog to the
top of the screen, and SIGTERM must end it as Quit does. Run inside a private network
namespace and a private D-Bus session:
  netns_run.sh dbus-run-session -- python3 test_window_as_user.py
"""
import os
import random
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time

import libtorrent as lt
import pyatspi

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "interop"))
from mini_tracker import MiniTracker  # noqa: E402

SHOAL = os.environ["SHOAL_GUI"]
CLI = os.environ["SHOAL_CLI"]
MiB = 1024 * 1024


def wait_until(predicate, timeout, what):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout}s waiting for {what() if callable(what) else what}")


def start_x_server(tries=3):
    """Xvfb on a free display it picks itself; started again if it does not say which within
    20 s (X servers starting side by side can race for a display number)."""
    for _ in range(tries):
        read_end, write_end = os.pipe()
        xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write_end), "-screen", "0", "1280x800x24",
                                 "-nolisten", "tcp"], pass_fds=(write_end,), stderr=subprocess.DEVNULL)
        os.close(write_end)
        with os.fdopen(read_end) as f:
            ready, _, _ = select.select([f], [], [], 20)
            display = f.readline().strip() if ready else ""
        if display:
            return xvfb, f":{display}"
        xvfb.kill()
        xvfb.wait()
    raise AssertionError(f"Xvfb did not start in {tries} tries")


class Screen:
    """Reads the Shoal window through AT-SPI and the X server's stacking order."""

    def application(self):
        desktop = pyatspi.Registry.getDesktop(0)
        # The desktop's list of applications is cached and kept up by events; an application
        # that registered while the cache was being filled would never appear. Ask afresh.
        desktop.clear_cache()
        for i in range(desktop.childCount):
            app = desktop.getChildAtIndex(i)
            if app is not None and app.name == "Shoal":
                return app
        return None

    def _find(self, node, match, depth=0):
        if node is None or depth > 14:
            return None
        try:
            if match(node):
                return node
            for i in range(node.childCount):
                found = self._find(node.getChildAtIndex(i), match, depth + 1)
                if found is not None:
                    return found
        except Exception:  # noqa: BLE001 - a widget can vanish while it is read
            return None
        return None

    def transfer_rows(self):
        """The transfer list as shown: one dict per row, keyed by column header."""
        app = self.application()

        def is_transfer_list(node):
            if node.getRoleName() != "tree" or node.childCount == 0:
                return False
            first = node.getChildAtIndex(0)
            return first.getRoleName() == "table column header" and first.name == "Name" and any(
                node.getChildAtIndex(i).name == "Status" for i in range(min(node.childCount, 12)))

        tree = self._find(app, is_transfer_list)
        if tree is None:
            return None
        headers, cells = [], []
        for i in range(tree.childCount):
            child = tree.getChildAtIndex(i)
            (headers if child.getRoleName() == "table column header" else cells).append(child.name)
        return [dict(zip(headers, cells[r:r + len(headers)])) for r in range(0, len(cells), len(headers))]

    def dialog(self, title):
        app = self.application()
        return self._find(app, lambda n: n.getRoleName() == "dialog" and n.name == title)

    def window_titles(self):
        """The titles of the mapped top-level windows, from the top of the stack down."""
        tree = subprocess.run(["xwininfo", "-root", "-children"], capture_output=True, text=True).stdout
        titles = []
        for window in re.findall(r"^\s+(0x[0-9a-f]+) ", tree, re.M):
            attributes = subprocess.run(["xwininfo", "-id", window], capture_output=True, text=True).stdout
            if "Map State: IsViewable" not in attributes:
                continue
            m = re.search(r'xwininfo: Window id: 0x[0-9a-f]+ "(.*)"', attributes)
            titles.append(m.group(1) if m else "")
        return titles

    def top_window_title(self):
        """The title of the topmost mapped top-level window: what a person sees in front."""
        titles = self.window_titles()
        return titles[0] if titles else None

    def applications(self):
        """The names of the applications on the accessibility bus, or None while it cannot be read."""
        try:
            desktop = pyatspi.Registry.getDesktop(0)
            desktop.clear_cache()
            return [desktop.getChildAtIndex(i).name for i in range(desktop.childCount)]
        except Exception:  # noqa: BLE001 - the registry may still be starting
            return None


def press_enter():
    subprocess.run(["xdotool", "key", "Return"], check=True)


def make_torrent(folder, name, size, tracker_url, seed):
    path = os.path.join(folder, name)
    os.makedirs(folder, exist_ok=True)
    with open(path, "wb") as f:
        f.write(random.Random(seed).randbytes(size))
    torrent = path + ".torrent"
    subprocess.run([CLI, "create", path, "-o", torrent, "-t", tracker_url, "--v1"], check=True,
                   capture_output=True, timeout=60)
    return path, torrent


def libtorrent_seed(torrent, save_path):
    session = lt.session({
        "listen_interfaces": "127.0.0.2:0",
        "enable_dht": False, "enable_lsd": False, "enable_upnp": False, "enable_natpmp": False,
        "enable_outgoing_utp": False, "enable_incoming_utp": False,
        # Slow enough that the list can be seen downloading before it seeds.
        "upload_rate_limit": 1 * MiB, "ignore_limits_on_local_network": False,
    })
    params = lt.add_torrent_params()
    params.ti = lt.torrent_info(torrent)
    params.save_path = save_path
    params.flags |= lt.torrent_flags.seed_mode
    params.flags &= ~(lt.torrent_flags.auto_managed | lt.torrent_flags.paused)
    session.add_torrent(params)
    return session


def main():
    tmp = tempfile.mkdtemp(prefix="shoal-window-")
    home = os.path.join(tmp, "home")
    os.makedirs(home)
    env = {k: v for k, v in os.environ.items() if not k.startswith("XDG_") and k != "QT_QPA_PLATFORM"}
    env.update(HOME=home, QT_LINUX_ACCESSIBILITY_ALWAYS_ON="1", XDG_RUNTIME_DIR=os.path.join(tmp, "run"))
    os.makedirs(env["XDG_RUNTIME_DIR"], mode=0o700)
    xvfb, display = start_x_server()
    env["DISPLAY"] = display
    os.environ.update(DISPLAY=display)
    bus = subprocess.Popen(["/usr/libexec/at-spi-bus-launcher", "--launch-immediately"], env=env,
                           stderr=subprocess.DEVNULL)
    tracker = MiniTracker()
    shoal = None
    try:
        data, torrent = make_torrent(os.path.join(tmp, "seed"), "holiday-photos.bin", 7 * MiB, tracker.url, 1)
        _, lonely = make_torrent(os.path.join(tmp, "nobody"), "nobody-seeds-this.bin", 1 * MiB, tracker.url, 2)
        seed_session = libtorrent_seed(torrent, os.path.dirname(data))
        wait_until(lambda: tracker.announces, 20, "the libtorrent seed to announce")

        screen = Screen()
        # The accessibility registry is up before the window starts, so the window registers with it.
        wait_until(lambda: screen.applications() is not None, 30, "the accessibility registry")
        shoal_log = open(os.path.join(tmp, "shoal.log"), "w+")
        shoal = subprocess.Popen([SHOAL, torrent], env=env, stdout=shoal_log, stderr=subprocess.STDOUT)

        def no_dialog():
            shoal_log.seek(0)
            return (f"the add dialog (shoal {'exited ' + str(shoal.returncode) if shoal.poll() is not None else 'runs'}; "
                    f"windows on screen {screen.window_titles()}; accessible applications {screen.applications()}; "
                    f"its output: {shoal_log.read()[-2000:]!r})")

        wait_until(lambda: screen.dialog("Add Torrent"), 60, no_dialog)
        wait_until(lambda: screen.top_window_title() == "Add Torrent", 30, "the add dialog to be in front")
        press_enter()

        seen = []

        def row_named(name):
            rows = screen.transfer_rows() or []
            row = next((r for r in rows if r.get("Name") == name), None)
            if row and (not seen or seen[-1] != (row["Status"], row["Progress"])):
                seen.append((row["Status"], row["Progress"]))
                print(f"  list: {name} {row['Progress']} {row['Status']} seeds {row.get('Seeds')}", flush=True)
            return row

        wait_until(lambda: (row_named("holiday-photos.bin") or {}).get("Status") == "Seeding", 60,
                   lambda: f"the list to show the torrent seeding (it showed {seen})")
        final = row_named("holiday-photos.bin")
        if final["Progress"] != "100.0%":
            raise AssertionError(f"seeding at {final['Progress']}")
        if ("Downloading" not in [s for s, _ in seen] or
                not any(s == "Downloading" and p not in ("0.0%", "100.0%") for s, p in seen)):
            raise AssertionError(f"the list never showed the download under way: {seen}")
        with open(data, "rb") as a, open(os.path.join(home, "Downloads", "holiday-photos.bin"), "rb") as b:
            if a.read() != b.read():
                raise AssertionError("the downloaded file differs from the seed's")

        # A second `shoal FILE` hands the file to the running window, whose dialog comes to the front.
        second = subprocess.run([SHOAL, lonely], env=env, timeout=20, capture_output=True)
        if second.returncode != 0:
            raise AssertionError(f"second shoal exited {second.returncode}")
        wait_until(lambda: screen.top_window_title() == "Add Torrent", 30,
                   lambda: f"the second add dialog to be in front (in front: {screen.top_window_title()!r})")
        press_enter()
        seen.clear()
        # Nobody seeds it: it is downloading at once, with nothing yet, and not stuck checking.
        wait_until(lambda: (row_named("nobody-seeds-this.bin") or {}).get("Status") == "Downloading", 30,
                   lambda: f"the second torrent to show as downloading (it showed {seen})")
        del seed_session
        print("ok: the list went from start to seeding, and a second file's dialog came to the front")

        # SIGTERM (a logout, a shutdown) ends it as Quit does: the trackers are told, exit 0.
        seed_hash = tracker.announces[0][0]  # the seed announced before shoal started
        shoal.terminate()
        code = shoal.wait(30)
        shoal = None
        if code != 0:
            raise AssertionError(f"shoal exited {code} on SIGTERM")
        if not any(h != seed_hash and event == "stopped" for h, _, event in tracker.announces):
            raise AssertionError("shoal told the tracker nothing on SIGTERM (no 'stopped' announce)")
        print("ok: SIGTERM ended it cleanly, with a 'stopped' announce")
    finally:
        if shoal:
            shoal.terminate()
            try:
                shoal.wait(20)
            except subprocess.TimeoutExpired:
                shoal.kill()
        tracker.close()
        bus.terminate()
        xvfb.terminate()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    try:
        main()
    except AssertionError as e:
        print(f"FAIL: {e}", flush=True)
        sys.exit(1)

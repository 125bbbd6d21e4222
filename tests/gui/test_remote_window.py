"""The desktop client connected to a shoald, as a person meets it: shoald with a fresh state
folder seeding two torrents made here, then `shoal --connect http://127.0.0.1:PORT` with a fresh
HOME on a real X server (Xvfb). The transfer list is read back through the accessibility bus
(AT-SPI); one torrent is paused by clicking its row and the toolbar's Pause button; shoald's
own RPC must then say that torrent is stopped and the other still seeds. The screen is saved
as a PNG (SHOAL_SCREENSHOT_DIR). Run inside a private network namespace and D-Bus session:
  netns_run.sh dbus-run-session -- python3 test_remote_window.py
"""
import base64
import json
import os
import random
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zlib

sys.path.insert(0, os.path.dirname(__file__))
from test_window_as_user import Screen, start_x_server, wait_until  # noqa: E402

SHOAL = os.environ["SHOAL_GUI"]
CLI = os.environ["SHOAL_CLI"]
DAEMON = os.environ["SHOALD"]
PORT = 9091
RPC = f"http://127.0.0.1:{PORT}/transmission/rpc"


class Rpc:
    """Transmission's RPC with the session-id handshake, in plain urllib."""

    def __init__(self):
        self.session_id = ""

    def __call__(self, method, **arguments):
        body = json.dumps({"method": method, "arguments": arguments}).encode()
        for _ in range(3):
            request = urllib.request.Request(RPC, data=body, headers={
                "Content-Type": "application/json", "X-Transmission-Session-Id": self.session_id})
            try:
                with urllib.request.urlopen(request, timeout=10) as reply:
                    answer = json.loads(reply.read())
            except urllib.error.HTTPError as e:
                if e.code == 409:
                    self.session_id = e.headers["X-Transmission-Session-Id"]
                    continue
                raise
            if answer.get("result") != "success":
                raise AssertionError(f"{method}: {answer}")
            return answer.get("arguments", {})
        raise AssertionError(f"{method}: no session id")

    def statuses(self):
        return {t["name"]: t["status"] for t in self("torrent-get", fields=["name", "status"])["torrents"]}


def xwd_to_png(xwd_path, png_path):
    """Xvfb's frame buffer file (XWD, 24 bits in 32) as a PNG, with the standard library only."""
    with open(xwd_path, "rb") as f:
        data = f.read()
    fields = struct.unpack(">25I", data[:100])
    header_size, width, height = fields[0], fields[4], fields[5]
    byte_order, bits_per_pixel, bytes_per_line, ncolors = fields[7], fields[11], fields[12], fields[19]
    if bits_per_pixel != 32:
        raise AssertionError(f"the frame buffer has {bits_per_pixel} bits a pixel")
    start = header_size + ncolors * 12
    rows = []
    for y in range(height):
        line = data[start + y * bytes_per_line:start + y * bytes_per_line + width * 4]
        if byte_order == 0:  # least significant byte first: B G R x
            rgb = bytearray(width * 3)
            rgb[0::3], rgb[1::3], rgb[2::3] = line[2::4], line[1::4], line[0::4]
        else:  # x R G B
            rgb = bytearray(width * 3)
            rgb[0::3], rgb[1::3], rgb[2::3] = line[1::4], line[2::4], line[3::4]
        rows.append(b"\0" + bytes(rgb))

    def chunk(kind, payload):
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    with open(png_path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) +
                chunk(b"IDAT", zlib.compress(b"".join(rows), 6)) + chunk(b"IEND", b""))


def start_x_server_with_framebuffer(fbdir):
    """Xvfb on a free display, its screen kept in an XWD file in `fbdir`."""
    import select
    read_end, write_end = os.pipe()
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write_end), "-screen", "0", "1280x800x24",
                             "-fbdir", fbdir, "-nolisten", "tcp"], pass_fds=(write_end,),
                            stderr=subprocess.DEVNULL)
    os.close(write_end)
    with os.fdopen(read_end) as f:
        ready, _, _ = select.select([f], [], [], 20)
        display = f.readline().strip() if ready else ""
    if not display:
        xvfb.kill()
        xvfb.wait()
        return start_x_server()  # without a frame buffer file: no screenshot, the test still runs
    return xvfb, f":{display}"


def click(node):
    """A left click in the middle of an accessible object, through the X server."""
    import pyatspi
    x, y, w, h = node.queryComponent().getExtents(pyatspi.DESKTOP_COORDS)
    subprocess.run(["xdotool", "mousemove", str(x + w // 2), str(y + h // 2), "click", "1"], check=True)


def main():
    tmp = tempfile.mkdtemp(prefix="shoal-remote-window-")
    data = os.path.join(tmp, "data")
    os.makedirs(data)
    torrents = {}
    for i, name in enumerate(["harbour-webcam.bin", "lighthouse-logs.bin"]):
        path = os.path.join(data, name)
        with open(path, "wb") as f:
            f.write(random.Random(i).randbytes(512 * 1024 + i))
        torrent = os.path.join(tmp, name + ".torrent")
        subprocess.run([CLI, "create", path, "-o", torrent, "-t", "http://127.0.0.1:9/announce"],
                       check=True, capture_output=True, timeout=60)
        torrents[name] = torrent

    config = os.path.join(tmp, "shoald.toml")
    with open(config, "w") as f:
        f.write(f'state_dir = "{tmp}/state"\ndownload_dir = "{data}"\nrpc_bind = "127.0.0.1:{PORT}"\n'
                'port = 6999\nlisten = "127.0.0.1"\ndht = false\nlsd = false\nport_mapping = false\n')
    daemon_log = open(os.path.join(tmp, "shoald.log"), "w")
    daemon = subprocess.Popen([DAEMON, "--config", config, "--foreground"], stdout=daemon_log,
                              stderr=subprocess.STDOUT)
    home = os.path.join(tmp, "home")
    os.makedirs(home)
    env = {k: v for k, v in os.environ.items() if not k.startswith("XDG_") and k != "QT_QPA_PLATFORM"}
    env.update(HOME=home, QT_LINUX_ACCESSIBILITY_ALWAYS_ON="1", XDG_RUNTIME_DIR=os.path.join(tmp, "run"))
    os.makedirs(env["XDG_RUNTIME_DIR"], mode=0o700)
    fbdir = os.path.join(tmp, "fb")
    os.makedirs(fbdir)
    xvfb, display = start_x_server_with_framebuffer(fbdir)
    env["DISPLAY"] = display
    os.environ.update(DISPLAY=display)
    bus = subprocess.Popen(["/usr/libexec/at-spi-bus-launcher", "--launch-immediately"], env=env,
                           stderr=subprocess.DEVNULL)
    shoal = None
    try:
        def rpc_open():
            try:
                socket.create_connection(("127.0.0.1", PORT), timeout=1).close()
                return True
            except OSError:
                if daemon.poll() is not None:
                    raise AssertionError(f"shoald exited with {daemon.returncode}")
                return False

        wait_until(rpc_open, 20, "shoald's RPC to open")
        rpc = Rpc()
        for name, torrent in torrents.items():
            with open(torrent, "rb") as f:
                rpc("torrent-add", metainfo=base64.b64encode(f.read()).decode(), **{"download-dir": data})
        # Both checked against the data already there: seeding (Transmission's status 6).
        wait_until(lambda: rpc.statuses() == {n: 6 for n in torrents}, 30,
                   lambda: f"shoald to seed both torrents (it says {rpc.statuses()})")

        screen = Screen()
        wait_until(lambda: screen.applications() is not None, 30, "the accessibility registry")
        shoal_log = open(os.path.join(tmp, "shoal.log"), "w+")
        shoal = subprocess.Popen([SHOAL, "--connect", f"http://127.0.0.1:{PORT}"], env=env,
                                 stdout=shoal_log, stderr=subprocess.STDOUT)

        def rows_by_name():
            return {r.get("Name"): r for r in (screen.transfer_rows() or [])}

        def what_shows():
            shoal_log.seek(0)
            return (f"the daemon's torrents in the list (it shows {rows_by_name()}; windows {screen.window_titles()}; "
                    f"shoal {'exited ' + str(shoal.returncode) if shoal.poll() is not None else 'runs'}; "
                    f"its output: {shoal_log.read()[-2000:]!r})")

        wait_until(lambda: all((rows_by_name().get(n) or {}).get("Status") == "Seeding" for n in torrents), 60,
                   what_shows)
        title = screen.top_window_title()
        if f"daemon at 127.0.0.1:{PORT}" not in (title or ""):
            raise AssertionError(f"the window title does not name the daemon: {title!r}")
        print(f"  list: {sorted(rows_by_name())}, title {title!r}", flush=True)

        # Pause the first through the window: click its name, then the toolbar's Pause.
        target, other = sorted(torrents)
        app = screen.application()
        cell = screen._find(app, lambda n: n.getRoleName() in ("table cell", "tree item") and n.name == target)
        if cell is None:
            raise AssertionError(f"no cell named {target} in the list")
        click(cell)
        pause = screen._find(app, lambda n: n.getRoleName() == "push button" and n.name == "Pause")
        if pause is None:
            raise AssertionError("no Pause button on the toolbar")
        wait_until(lambda: pause.getState().contains(__import__("pyatspi").STATE_ENABLED), 10,
                   "the Pause button to be enabled once the row is selected")
        click(pause)
        wait_until(lambda: rpc.statuses().get(target) == 0, 20,
                   lambda: f"shoald to say {target} is stopped (it says {rpc.statuses()})")
        if rpc.statuses().get(other) != 6:
            raise AssertionError(f"{other} is no longer seeding: {rpc.statuses()}")
        wait_until(lambda: (rows_by_name().get(target) or {}).get("Status") == "Paused", 20,
                   lambda: f"the list to show {target} paused (it shows {rows_by_name()})")
        time.sleep(1)  # the row's repaint after the accessibility event

        shots = os.environ.get("SHOAL_SCREENSHOT_DIR", tmp)
        os.makedirs(shots, exist_ok=True)
        framebuffer = os.path.join(fbdir, "Xvfb_screen0")
        if os.path.exists(framebuffer):
            png = os.path.join(shots, "remote_window.png")
            xwd_to_png(framebuffer, png)
            print(f"  screenshot: {png}", flush=True)
        print("ok: the window showed shoald's torrents and paused one through shoald's RPC")
    finally:
        if shoal:
            shoal.terminate()
            try:
                shoal.wait(20)
            except subprocess.TimeoutExpired:
                shoal.kill()
        daemon.send_signal(signal.SIGTERM)
        try:
            daemon.wait(30)
        except subprocess.TimeoutExpired:
            daemon.kill()
        bus.terminate()
        xvfb.terminate()
        # The screenshot stays only where SHOAL_SCREENSHOT_DIR puts it.
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    try:
        main()
    except AssertionError as e:
        print(f"FAIL: {e}", flush=True)
        sys.exit(1)

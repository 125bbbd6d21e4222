"""Time from `shoal-cli get MAGNET` to its first downloaded byte, with a loopback DHT of Shoal
nodes as the only source of peers (no tracker, no --peer). Run inside tests/interop/netns_run.sh
with SHOAL_CLI and SHOAL_DHT_TOOL set; prints the median of ROUNDS runs."""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

CLI = os.environ["SHOAL_CLI"]
TOOL = os.environ["SHOAL_DHT_TOOL"]
ROUNDS = int(os.environ.get("ROUNDS", "5"))
NODES = int(os.environ.get("NODES", "200"))


def start(args, **kw):
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, **kw)


def main():
    work = tempfile.mkdtemp()
    os.environ["XDG_STATE_HOME"] = os.path.join(work, "state")
    hub = start([TOOL, "--bind", "127.0.3.1:6881", "--swarm", str(NODES - 1), "--swarm-base", "127.0.4.1",
                 "--duration", "3600"])
    router = json.loads(hub.stdout.readline())["endpoint"]
    time.sleep(3)  # the helper nodes join through the hub
    data = os.path.join(work, "data.bin")
    with open(data, "wb") as f:
        f.write(os.urandom(64 * 1024 * 1024))
    seed = start([CLI, "seed", data, "--listen", "127.0.3.2", "--port", "0", "--no-lsd",
                  "--dht-bootstrap", router])
    magnet = next(l for l in seed.stdout if l.startswith("magnet:")).split(" ", 1)[1].strip()
    time.sleep(5)  # the seed announces itself
    times = []
    try:
        for i in range(ROUNDS):
            out = os.path.join(work, f"out{i}")
            began = time.monotonic()
            leech = start([CLI, "get", magnet, "-d", out, "--listen", f"127.0.3.{10 + i}", "--port", "0",
                           "--no-lsd", "--json", "--dht-bootstrap", router])
            for line in leech.stdout:
                status = json.loads(line) if line.startswith("{") else {}
                if status.get("downloaded", 0) > 0:
                    times.append(time.monotonic() - began)
                    break
            leech.kill()
            leech.wait()
            print(f"round {i + 1}: first byte after {times[-1]:.2f} s", flush=True)
    finally:
        seed.kill()
        hub.kill()
    print(f"shoal-cli get MAGNET to first byte, DHT of {NODES} nodes only: median {statistics.median(times):.2f} s "
          f"(min {min(times):.2f}, max {max(times):.2f}; status lines come once a second)")


if __name__ == "__main__":
    sys.exit(main())

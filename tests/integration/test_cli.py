"""shoal-cli as a user meets it: exit codes, one-line errors, JSON shapes, golden output."""
import json
import os
import subprocess
import sys
import tempfile

CLI = os.environ["SHOAL_CLI"]
GOLDEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden")
failures = []


def run(*args, cwd=None):
    return subprocess.run([CLI, *args], capture_output=True, text=True, timeout=120, cwd=cwd)


def check(condition, what):
    if not condition:
        failures.append(what)


def expect_error(result, code, fragment, what):
    check(result.returncode == code, f"{what}: exit {result.returncode}, expected {code}")
    lines = result.stderr.strip().splitlines()
    check(len(lines) == 1 and lines[0].startswith("shoal-cli: error: "),
          f"{what}: stderr is not one error line: {result.stderr!r}")
    check(fragment in result.stderr, f"{what}: {fragment!r} not in {result.stderr!r}")


def make_data(root):
    os.makedirs(os.path.join(root, "album", "disc 2"))
    with open(os.path.join(root, "album", "01 intro.flac"), "wb") as f:
        f.write(b"shoal" * 20000)
    with open(os.path.join(root, "album", "disc 2", "02 outro.flac"), "wb") as f:
        f.write(bytes(range(256)) * 300)
    with open(os.path.join(root, "album", "cover.jpg"), "wb") as f:
        f.write(b"\xff\xd8" + b"x" * 5000)


def main():
    with tempfile.TemporaryDirectory() as tmp:
        make_data(tmp)
        album = os.path.join(tmp, "album")
        torrent = os.path.join(tmp, "album.torrent")

        expect_error(run(), 2, "subcommand", "no command")
        expect_error(run("create", album, "-s", "12Q"), 2, "piece size", "bad piece size")
        expect_error(run("create", album, "--v1", "--v2"), 2, "excludes", "two formats")
        expect_error(run("show", os.path.join(tmp, "missing.torrent")), 3, "cannot open", "missing torrent")
        garbage = os.path.join(tmp, "garbage.torrent")
        with open(garbage, "wb") as f:
            f.write(b"d4:infoi5ee")
        expect_error(run("show", garbage), 3, "info", "garbage torrent")
        expect_error(run("show", "magnet:?dn=nothing"), 3, "info-hash", "magnet without hash")
        expect_error(run("create", os.path.join(tmp, "nope")), 3, "does not exist", "missing source")

        created = run("create", album, "-o", torrent, "--no-date", "-s", "16K", "-c", "test album",
                      "-t", "http://127.0.0.1:1/announce,http://127.0.0.1:2/announce",
                      "-t", "udp://127.0.0.1:3", "-w", "http://127.0.0.1:4/")
        check(created.returncode == 0, f"create: {created.stderr}")
        check(created.stderr == "", f"create wrote to stderr when not on a terminal: {created.stderr!r}")
        expect_error(run("create", album, "-o", torrent), 4, "already exists", "existing output")
        check(run("create", album, "-o", torrent, "--no-date", "-s", "16K", "-c", "test album",
                  "-t", "http://127.0.0.1:1/announce,http://127.0.0.1:2/announce",
                  "-t", "udp://127.0.0.1:3", "-w", "http://127.0.0.1:4/", "--force").returncode == 0,
              "create --force")

        shown = run("show", torrent)
        with open(os.path.join(GOLDEN, "show_album.txt")) as f:
            golden = f.read()
        check(shown.stdout == golden, f"show output differs from golden/show_album.txt:\n{shown.stdout}")

        info = json.loads(run("show", "--json", torrent).stdout)
        check(info["trackers"] == [["http://127.0.0.1:1/announce", "http://127.0.0.1:2/announce"],
                                   ["udp://127.0.0.1:3"]], f"tiers: {info['trackers']}")
        check(info["web_seeds"] == ["http://127.0.0.1:4/"], "web seeds")
        check(info["creation_date"] is None and info["comment"] == "test album", "date and comment")
        check(info["private"] is False and info["piece_length"] == 16384, "private and piece length")
        for key in ("name", "info_hash_v1", "info_hash_v2", "num_pieces", "total_size", "files",
                    "created_by", "magnet"):
            check(key in info, f"show --json lacks {key}")
        check(all(set(f) >= {"path", "size", "pad"} for f in info["files"]), "file entries")

        magnet = json.loads(run("show", "--json", info["magnet"]).stdout)
        check(magnet["info_hash_v1"] == info["info_hash_v1"], "magnet v1 hash")
        check(magnet["info_hash_v2"] == info["info_hash_v2"], "magnet v2 hash")
        check(magnet["name"] == "album", "magnet name")

        good = run("verify", torrent, "-d", tmp)
        check(good.returncode == 0 and good.stdout.startswith("ok:"), f"verify clean: {good.stdout}")
        with open(os.path.join(album, "01 intro.flac"), "r+b") as f:
            f.seek(20000)
            f.write(b"!")
        os.remove(os.path.join(album, "cover.jpg"))
        bad = run("verify", torrent, "-d", tmp)
        check(bad.returncode == 1, f"verify of damaged data exits {bad.returncode}")
        check("album/cover.jpg: missing" in bad.stdout, f"missing file not reported: {bad.stdout}")
        check("bad pieces: 1" in bad.stdout, f"bad piece not reported: {bad.stdout}")
        report = json.loads(run("verify", torrent, "-d", tmp, "--json").stdout)
        check(report["ok"] is False and 1 in report["bad_pieces"], f"verify --json: {report}")
        check(report["file_problems"][0]["problem"] == "missing", f"verify --json: {report}")
        expect_error(run("verify", torrent, "-d", os.path.join(tmp, "nowhere")), 3, "not a folder",
                     "verify with a missing folder")

        # The seed limits end a run: a seed of data just hashed stops after --seed-time.
        solo = os.path.join(tmp, "solo")
        os.makedirs(solo)
        with open(os.path.join(solo, "one.bin"), "wb") as f:
            f.write(b"solo" * 4096)
        timed = run("seed", solo, "-o", os.path.join(tmp, "solo.torrent"), "--seed-time", "0.02",
                    "--listen", "127.0.0.1", "--port", "0", "--no-dht", "--no-lsd", "--state-dir", "")
        check(timed.returncode == 0, f"seed --seed-time exits {timed.returncode}: {timed.stderr}")
        check("complete: " in timed.stdout and "stopped: " in timed.stdout,
              f"seed --seed-time output: {timed.stdout!r}")

        # `utp = false` in a config file is --no-utp; a value other than true or false is refused.
        switches = os.path.join(tmp, "switches.toml")
        for text, expected in (("utp = false\n", "peers connect over TCP only"),
                               ("utp = true\n", "peers connect over TCP and uTP"),
                               ("tcp = false\n", "peers connect over uTP only")):
            with open(switches, "w") as f:
                f.write(text)
            ran = run("seed", solo, "-o", os.path.join(tmp, "solo.torrent"), "--seed-time", "0.02",
                      "--listen", "127.0.0.1", "--port", "0", "--no-dht", "--no-lsd", "--state-dir", "", "-v",
                      "--config", switches)
            check(ran.returncode == 0 and expected in ran.stderr, f"config {text.strip()!r}: {ran.stderr}")
        with open(switches, "w") as f:
            f.write('utp = "no"\n')
        expect_error(run("get", torrent, "--config", switches), 2, "'utp' takes true or false",
                     "config with a switch that is not true or false")
        expect_error(run("get", torrent, "--no-tcp", "--no-utp"), 2, "leave no way to reach a peer",
                     "both transports switched off")

        config = os.path.join(tmp, "bad.toml")
        with open(config, "w") as f:
            f.write('up-limit = "1M"\nturbo = true\n')
        expect_error(run("get", torrent, "--config", config), 2, "unknown key 'turbo'", "config with an unknown key")
        with open(config, "w") as f:
            f.write('up-limit = "fast"\n')
        expect_error(run("get", torrent, "-d", tmp, "--config", config), 2, "rate limit", "config with a bad value")
        with open(config, "w") as f:
            f.write('encryption = "sometimes"\n')
        expect_error(run("get", torrent, "-d", tmp, "--config", config), 2, "encryption 'sometimes'",
                     "config with a bad encryption policy")
        expect_error(run("get", torrent, "-d", tmp, "--encryption", "always"), 2, "encryption 'always'",
                     "a bad --encryption")
        expect_error(run("get", torrent, "--peer", "nohost"), 2, "HOST:PORT", "peer without a port")
        expect_error(run("get", "magnet:?xt=urn:btih:nothex"), 3, "btih", "get of a malformed magnet link")

    if failures:
        print("FAIL:\n  " + "\n  ".join(failures), file=sys.stderr)
        sys.exit(1)
    print("ok: shoal-cli behaves")


if __name__ == "__main__":
    main()

"""shoald's config file at run time: a plain rpc_password replaced by its hash, watch_dir,
and SIGHUP applying a changed file (or refusing a broken one, keeping what runs)."""
import base64
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

from test_shoald import CLI, Daemon, check, failures, post, remote, write_config


def until(condition, what, timeout=20):
    deadline = time.time() + timeout
    while not condition():
        if time.time() > deadline:
            check(False, f"{what}: not within {timeout} s")
            return
        time.sleep(0.3)


def log_until(log, pattern, what, timeout=20):
    """The log's text once `pattern` (a regular expression) is in it."""
    deadline = time.time() + timeout
    while True:
        with open(log) as f:
            text = f.read()
        if re.search(pattern, text, re.MULTILINE):
            return text
        if time.time() > deadline:
            check(False, f"{what}: {pattern!r} not in the log")
            return text
        time.sleep(0.2)


def rpc(method, user, password, arguments=None):
    """One RPC call as a client makes it (the session id asked for first); its answer."""
    body = json.dumps({"method": method, "arguments": arguments or {}})
    auth = {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}
    status, headers, _ = post(body, auth)
    session = {"X-Transmission-Session-Id": headers.get("X-Transmission-Session-Id", "")}
    status, _, data = post(body, {**auth, **session})
    return json.loads(data) if status == 200 else {"result": f"HTTP {status}"}


def main():
    with tempfile.TemporaryDirectory() as tmp:
        state = os.path.join(tmp, "state")
        downloads = os.path.join(tmp, "downloads")
        watch = os.path.join(tmp, "watch")
        os.makedirs(downloads)
        os.makedirs(watch)
        data = os.path.join(downloads, "watched.bin")
        with open(data, "wb") as f:
            f.write(os.urandom(200_000))
        made = subprocess.run([CLI, "create", data, "-o", os.path.join(tmp, "watched.torrent")],
                              capture_output=True, text=True)
        check(made.returncode == 0, f"shoal-cli create: {made.stderr}")
        config = os.path.join(tmp, "shoald.toml")
        log = os.path.join(tmp, "shoald.log")
        credentials = 'rpc_username = "user"\nrpc_password = "s3cret" # the first one\n'
        write_config(config, state, downloads, credentials + f'watch_dir = "{watch}"\nup_limit = "0"\n')
        os.chmod(config, 0o600)

        daemon = Daemon(config, log)
        try:
            with open(config) as f:
                text = f.read()
            check("s3cret" not in text and re.search(r"^rpc_password = 'pbkdf2-sha256\$10000\$[^']+' # the first one$",
                                                     text, re.MULTILINE), f"the password hashed in the file: {text!r}")
            check(os.stat(config).st_mode & 0o777 == 0o600, "the config file keeps its mode")
            log_until(log, "replaced the plain rpc_password", "the rewrite said")
            auth = ("-n", "user:s3cret")
            listed = remote(*auth, "-l")
            check(listed.returncode == 0, f"the first password: {listed.stdout!r} {listed.stderr!r}")

            # watch_dir: a torrent dropped there is added and renamed.
            os.rename(os.path.join(tmp, "watched.torrent"), os.path.join(watch, "watched.torrent"))
            until(lambda: "watched.bin" in remote(*auth, "-l").stdout, "added from watch_dir")
            until(lambda: os.path.exists(os.path.join(watch, "watched.torrent.added")), "renamed")
            check(os.listdir(watch) == ["watched.torrent.added"], f"renamed .added: {os.listdir(watch)}")

            # SIGHUP: limits and the password change now, the port after a restart.
            text = text.replace('up_limit = "0"', 'up_limit = "100000"').replace("port = 6999", "port = 7001")
            text = re.sub(r"^rpc_password = .*$", 'rpc_password = "n3w"', text, flags=re.MULTILINE)
            with open(config, "w") as f:
                f.write(text)
            daemon.proc.send_signal(signal.SIGHUP)
            log_until(log, r"^shoald: up_limit: 0 -> 100000$", "the new limit said")
            log_until(log, r"^shoald: port changed: takes effect after a restart$", "the port waits")
            log_until(log, r"^shoald: rpc_password: changed$", "the password said")
            old = remote(*auth, "-l")
            check(old.returncode != 0, f"the old password after the reload: {old.stdout!r}")
            new = remote("-n", "user:n3w", "-l")
            check(new.returncode == 0 and "watched.bin" in new.stdout, f"the new password: {new.stdout!r}")
            # session-get says the limit the reload set (it used to say the old one).
            session = rpc("session-get", "user", "n3w").get("arguments", {})
            check(session.get("speed-limit-up") == 100 and session.get("speed-limit-up-enabled") is True,
                  f"session-get after the reload: {session.get('speed-limit-up')}, "
                  f"{session.get('speed-limit-up-enabled')}")

            # A limit to the byte (1M is 1,048,576 bytes/s), through a reload, session-set and a
            # restart: session-get says whole kB/s; the state folder keeps speeds in bytes, and a
            # form sent back as it was shown changes no limit.
            text = text.replace('up_limit = "100000"', 'up_limit = "1M"')
            with open(config, "w") as f:
                f.write(text)
            daemon.proc.send_signal(signal.SIGHUP)
            log_until(log, r"^shoald: up_limit: 100000 -> 1048576$", "the byte limit said")
            form = rpc("session-get", "user", "n3w").get("arguments", {})
            check(form.get("speed-limit-up") == 1048, f"1M as kB/s: {form.get('speed-limit-up')}")
            form.update({"speed-limit-down": 300, "speed-limit-down-enabled": True})
            answer = rpc("session-set", "user", "n3w", form)
            check(answer.get("result") == "success", f"the form sent back: {answer}")
            daemon.stop()
            daemon = Daemon(config, log)
            session = rpc("session-get", "user", "n3w").get("arguments", {})
            check((session.get("speed-limit-up"), session.get("speed-limit-down"),
                   session.get("speed-limit-down-enabled")) == (1048, 300, True),
                  f"the limits after a restart: {session.get('speed-limit-up')}, "
                  f"{session.get('speed-limit-down')}, {session.get('speed-limit-down-enabled')}")
            with open(os.path.join(state, "settings.json")) as f:
                kept = json.load(f)
            check(kept.get("version") == 2 and "speed-limit-up" not in kept.get("settings", {})
                  and kept["settings"].get("speed-limit-down", {}).get("value") == 300_000,
                  f"the settings kept in bytes: {kept}")

            # A broken file is refused whole; what runs stays.
            with open(config, "a") as f:
                f.write('down_limit = "1M"\nno_such_key = 1\n')
            daemon.proc.send_signal(signal.SIGHUP)
            text = log_until(log, r"not reloaded.*no_such_key", "the broken file refused")
            check("down_limit:" not in text, "nothing of the broken file applied")
            still = remote("-n", "user:n3w", "-l")
            check(still.returncode == 0, f"still answering: {still.stdout!r}")
        finally:
            code = daemon.stop()
        check(code == 0, f"shoald on SIGTERM: {code}")
        if failures:
            with open(log) as f:
                print(f.read(), file=sys.stderr)
    print(f"{len(failures)} failures" if failures else "ok")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

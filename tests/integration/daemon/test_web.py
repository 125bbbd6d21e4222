"""shoald's web page in headless Chromium (Selenium): the page loads with its security headers,
a torrent added by file upload and one by magnet link download from local seeds to 100%, one
is stopped, the details list its file (or say the files are not available), the settings set
the alternative speeds' schedule and the incomplete folder (a relative one is refused), the
browser logs no error, and screenshots at desktop and phone sizes go to $SHOAL_WEB_SCREENSHOTS."""
import http.client
import json
import os
import subprocess
import sys
import tempfile
import time

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "swarm"))
from swarm_util import stop_process  # noqa: E402

CLI = os.environ["SHOAL_CLI"]
DAEMON = os.environ["SHOALD"]
SCREENSHOTS = os.environ.get("SHOAL_WEB_SCREENSHOTS", os.path.abspath("web_screenshots"))
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
RPC_PORT = 9091
PEER_PORT = 6999
URL = f"http://127.0.0.1:{RPC_PORT}/"
failures = []


def check(condition, what):
    if not condition:
        failures.append(what)
        print(f"FAIL: {what}", file=sys.stderr)
    return condition


def start_daemon(tmp):
    config = os.path.join(tmp, "shoald.toml")
    downloads = os.path.join(tmp, "downloads")
    os.makedirs(downloads)
    with open(config, "w") as f:
        f.write(f'state_dir = "{tmp}/state"\ndownload_dir = "{downloads}"\n'
                f'rpc_bind = "127.0.0.1:{RPC_PORT}"\nport = {PEER_PORT}\nlisten = "127.0.0.1"\n'
                'dht = false\nlsd = false\nport_mapping = false\n')
    log = open(os.path.join(tmp, "shoald.log"), "w")
    proc = subprocess.Popen([DAEMON, "--config", config, "--foreground"], stdout=log, stderr=log)
    deadline = time.time() + 20
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"shoald exited with {proc.returncode}")
        try:
            http.client.HTTPConnection("127.0.0.1", RPC_PORT, timeout=1).connect()
            return proc, downloads
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("shoald's RPC did not open")


def make_torrent(tmp, name, size):
    """`tmp`/seed/`name` of random bytes and its torrent."""
    data = os.path.join(tmp, "seed")
    os.makedirs(data, exist_ok=True)
    path = os.path.join(data, name)
    with open(path, "wb") as f:
        f.write(os.urandom(size))
    torrent = os.path.join(tmp, name + ".torrent")
    subprocess.run([CLI, "create", path, "-o", torrent], check=True, capture_output=True, timeout=60)
    return data, torrent


def start_seed(tmp, torrent, data, port, *extra):
    log = open(os.path.join(tmp, f"seed-{port}.log"), "w")
    return subprocess.Popen([CLI, "seed", torrent, "-d", data, "--listen", "127.0.0.1", "--port", str(port),
                             "--no-dht", "--no-port-mapping", *extra], stdout=log, stderr=log)


def page_checks():
    conn = http.client.HTTPConnection("127.0.0.1", RPC_PORT, timeout=10)
    conn.request("GET", "/")
    res = conn.getresponse()
    body = res.read()
    conn.close()
    check(res.status == 200 and b"<title>Shoal</title>" in body, f"GET /: {res.status}")
    check(res.getheader("Content-Security-Policy", "").startswith("default-src 'self'"),
          f"GET / has a content security policy: {res.getheaders()}")
    check(res.getheader("X-Frame-Options") == "DENY", "GET / forbids framing")


def browser(profile):
    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                f"--user-data-dir={profile}", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(30)
    return driver


def wait(driver, predicate, what, timeout=60):
    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.25,
                             ignored_exceptions=(StaleElementReferenceException,)).until(lambda d: predicate())
    except TimeoutException:
        said = [e.text for e in driver.find_elements(By.CSS_SELECTOR, "#banner, .form-error") if e.is_displayed()]
        check(False, f"{what} within {timeout} s; the page says {said}")
        return None


def row(driver, name):
    for tr in driver.find_elements(By.CSS_SELECTOR, "#rows tr"):
        if tr.find_element(By.CSS_SELECTOR, ".col-name").text == name:
            return tr
    return None


def cell(driver, name, column):
    tr = row(driver, name)
    return tr.find_element(By.CSS_SELECTOR, f".col-{column}").text if tr else None


def add(driver, files=None, link=None, choose=False):
    driver.find_element(By.ID, "open-add").click()
    if choose:
        driver.find_element(By.ID, "add-choose").click()
    if files:
        driver.find_element(By.ID, "add-files").send_keys(files)
    if link:
        driver.find_element(By.ID, "add-link").send_keys(link)
    driver.find_element(By.ID, "add-submit").click()
    wait(driver, lambda: not driver.find_element(By.ID, "add-dialog").is_displayed(), "the add dialog closes", 20)


def viewport(driver, width, height, phone):
    """The page's own size, exactly (a window's size would include the browser's frame)."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": phone})


def screenshot(driver, name):
    path = os.path.join(SCREENSHOTS, name)
    driver.save_screenshot(path)
    print(f"screenshot: {path}")


def rpc(method, arguments):
    """shoald's answer to `method`, asked directly (not by the page)."""
    conn = http.client.HTTPConnection("127.0.0.1", RPC_PORT, timeout=10)
    body = json.dumps({"method": method, "arguments": arguments})
    conn.request("POST", "/transmission/rpc", body)
    res = conn.getresponse()
    session = res.getheader("X-Transmission-Session-Id", "")
    res.read()
    conn.request("POST", "/transmission/rpc", body, {"X-Transmission-Session-Id": session})
    answer = json.loads(conn.getresponse().read())
    conn.close()
    return answer


def torrents_with(fields):
    """shoald's torrent-get of `fields` for every torrent."""
    return rpc("torrent-get", {"fields": fields})["arguments"]["torrents"]


def torrent_files_reported():
    """Whether shoald's torrent-get reports `files` (the details tab depends on it)."""
    return any("files" in t for t in torrents_with(["id", "files"]))


SETTINGS = ["alt-speed-time-enabled", "alt-speed-time-begin", "alt-speed-time-end", "alt-speed-time-day",
            "incomplete-dir-enabled", "incomplete-dir"]
DAYS = {"Sun": 1, "Mon": 2, "Tue": 4, "Wed": 8, "Thu": 16, "Fri": 32, "Sat": 64}  # Transmission's bits


def session_settings():
    """shoald's session-get of the schedule and the incomplete folder."""
    answer = rpc("session-get", {"fields": SETTINGS})["arguments"]
    return {name: answer.get(name) for name in SETTINGS}


def as_shown(settings):
    """`settings` as the dialog should show them: times as HH:MM, the days by name."""
    clock = lambda minutes: f"{minutes // 60:02}:{minutes % 60:02}"  # noqa: E731
    return {**settings, "alt-speed-time-begin": clock(settings["alt-speed-time-begin"]),
            "alt-speed-time-end": clock(settings["alt-speed-time-end"]),
            "alt-speed-time-day": sorted(day for day, bit in DAYS.items() if settings["alt-speed-time-day"] & bit)}


def setting(driver, name):
    return driver.find_element(By.CSS_SELECTOR, f"#settings-form [name='{name}']")


def day_box(driver, day):
    """The check box of `day` ("Mon"), found by its label as a person would."""
    return driver.find_element(By.XPATH, f"//form[@id='settings-form']//label[normalize-space()='{day}']/input")


def shown_settings(driver):
    """What the settings dialog shows of the schedule and the incomplete folder."""
    return {"alt-speed-time-enabled": setting(driver, "alt-speed-time-enabled").is_selected(),
            "alt-speed-time-begin": setting(driver, "alt-speed-time-begin").get_attribute("value"),
            "alt-speed-time-end": setting(driver, "alt-speed-time-end").get_attribute("value"),
            "alt-speed-time-day": sorted(day for day in DAYS if day_box(driver, day).is_selected()),
            "incomplete-dir-enabled": setting(driver, "incomplete-dir-enabled").is_selected(),
            "incomplete-dir": setting(driver, "incomplete-dir").get_attribute("value")}


def open_settings(driver):
    driver.find_element(By.ID, "open-settings").click()
    wait(driver, lambda: driver.find_element(By.ID, "settings-dialog").is_displayed(), "the settings open", 10)


def close_settings(driver, button):
    driver.find_element(By.ID, button).click()
    wait(driver, lambda: not driver.find_element(By.ID, "settings-dialog").is_displayed(), "the settings close", 20)


def tick(box, wanted):
    if box.is_selected() != wanted:
        box.click()


def type_into(field, text):
    field.clear()
    field.send_keys(text)


def set_time(driver, name, value):
    """A time field set to HH:MM; typed keys would depend on the browser's locale (12 or 24 hours)."""
    driver.execute_script("const f = arguments[0]; f.value = arguments[1];"
                          "f.dispatchEvent(new Event('input', { bubbles: true }));"
                          "f.dispatchEvent(new Event('change', { bubbles: true }));", setting(driver, name), value)


def settings_scenario(driver, tmp):
    """The alternative speeds' schedule and the incomplete folder, set in the settings dialog and
    read back from shoald itself; a relative folder is refused, said, and changes nothing."""
    viewport(driver, 1280, 800, False)
    open_settings(driver)
    before = session_settings()
    check(shown_settings(driver) == as_shown(before),
          f"the settings show shoald's: {shown_settings(driver)} for {before}")
    incomplete = os.path.join(tmp, "incomplete")
    os.makedirs(incomplete)
    tick(setting(driver, "alt-speed-time-enabled"), True)
    set_time(driver, "alt-speed-time-begin", "08:30")
    set_time(driver, "alt-speed-time-end", "17:45")
    for day in DAYS:
        tick(day_box(driver, day), day in ("Mon", "Fri"))
    tick(setting(driver, "incomplete-dir-enabled"), True)
    type_into(setting(driver, "incomplete-dir"), incomplete)
    screenshot(driver, "desktop-settings.png")
    close_settings(driver, "settings-save")
    wanted = {"alt-speed-time-enabled": True, "alt-speed-time-begin": 510, "alt-speed-time-end": 1065,
              "alt-speed-time-day": 34, "incomplete-dir-enabled": True, "incomplete-dir": incomplete}
    wait(driver, lambda: session_settings() == wanted, "shoald has the settings saved from the page", 20)
    check(session_settings() == wanted, f"shoald's settings after saving: {session_settings()}")

    open_settings(driver)
    check(shown_settings(driver) == as_shown(wanted), f"the settings show the saved ones: {shown_settings(driver)}")
    close_settings(driver, "settings-cancel")

    open_settings(driver)
    type_into(setting(driver, "incomplete-dir"), "relative/incomplete")
    driver.find_element(By.ID, "settings-save").click()
    error = driver.find_element(By.ID, "settings-error")
    wait(driver, lambda: error.is_displayed() and "absolute" in error.text, "the relative folder is refused", 20)
    check(driver.find_element(By.ID, "settings-dialog").is_displayed(), "the settings stay open after an error")
    screenshot(driver, "desktop-settings-error.png")
    check(session_settings() == wanted, f"a refused folder changes nothing: {session_settings()}")
    close_settings(driver, "settings-cancel")
    open_settings(driver)
    check(not error.is_displayed(), "the error is gone when the settings open again")
    check(setting(driver, "incomplete-dir").get_attribute("value") == incomplete,
          "the settings show the folder shoald kept")
    close_settings(driver, "settings-cancel")

    # At phone size the dialog fits the width, and scrolls to its buttons.
    viewport(driver, 390, 844, True)
    open_settings(driver)
    dialog = driver.find_element(By.ID, "settings-dialog")
    box = driver.execute_script("const r = arguments[0].getBoundingClientRect();"
                                "return [r.left, r.right, arguments[0].scrollWidth, arguments[0].clientWidth];", dialog)
    check(box[0] >= 0 and box[1] <= 390 and box[2] <= box[3], f"the settings fit a phone's width: {box}")
    screenshot(driver, "phone-settings.png")
    save = driver.find_element(By.ID, "settings-save")
    driver.execute_script("arguments[0].scrollIntoView({ block: 'end' })", save)
    check(save.is_displayed(), "the save button is in reach on a phone")
    screenshot(driver, "phone-settings-end.png")
    close_settings(driver, "settings-cancel")


def scenario(driver, tmp, downloads, seeds):
    upload_data, upload_torrent = make_torrent(tmp, "web-upload.bin", 1_500_000)
    magnet_data, magnet_torrent = make_torrent(tmp, "web-magnet.bin", 900_000)
    shown = json.loads(subprocess.run([CLI, "show", "--json", magnet_torrent], check=True, capture_output=True,
                                      text=True, timeout=60).stdout)
    seeds.append(start_seed(tmp, magnet_torrent, magnet_data, 7002))
    magnet = shown["magnet"] + "&x.pe=127.0.0.1:7002"

    viewport(driver, 1280, 800, False)
    driver.get(URL)
    check(driver.title == "Shoal", f"the page's title: {driver.title!r}")
    wait(driver, lambda: driver.find_element(By.ID, "empty").is_displayed() and
         "torrent" in driver.find_element(By.ID, "totals").text, "the empty list is shown", 20)

    add(driver, files=upload_torrent)
    wait(driver, lambda: row(driver, "web-upload.bin"), "the uploaded torrent is listed")
    # Only now does its seed dial shoald, which has the torrent.
    seeds.append(start_seed(tmp, upload_torrent, upload_data, 7001, "--peer", f"127.0.0.1:{PEER_PORT}"))
    add(driver, link=magnet)
    wait(driver, lambda: row(driver, "web-magnet.bin"), "the magnet link is listed under its name")
    for name in ("web-upload.bin", "web-magnet.bin"):
        if wait(driver, lambda: cell(driver, name, "progress") == "100%" and cell(driver, name, "status") == "Seeding",
                f"{name} completes"):
            with open(os.path.join(downloads, name), "rb") as got, open(os.path.join(tmp, "seed", name), "rb") as want:
                check(got.read() == want.read(), f"{name} arrived intact")
    screenshot(driver, "desktop-list.png")

    # Stop the uploaded one; the filter shows it alone among the stopped.
    row(driver, "web-upload.bin").find_element(By.CSS_SELECTOR, ".col-select input").click()
    driver.find_element(By.ID, "action-stop").click()
    wait(driver, lambda: cell(driver, "web-upload.bin", "status") == "Stopped", "the stopped torrent says so", 20)
    Select(driver.find_element(By.ID, "filter")).select_by_value("stopped")
    names = [tr.find_element(By.CSS_SELECTOR, ".col-name").text for tr in driver.find_elements(By.CSS_SELECTOR, "#rows tr")]
    check(names == ["web-upload.bin"], f"the stopped filter: {names}")
    Select(driver.find_element(By.ID, "filter")).select_by_value("all")
    driver.find_element(By.ID, "search").send_keys("magnet")
    names = [tr.find_element(By.CSS_SELECTOR, ".col-name").text for tr in driver.find_elements(By.CSS_SELECTOR, "#rows tr")]
    check(names == ["web-magnet.bin"], f"the search: {names}")
    driver.find_element(By.ID, "search").clear()
    driver.execute_script("document.getElementById('search').dispatchEvent(new Event('input'))")

    # The details of the magnet's torrent.
    row(driver, "web-magnet.bin").find_element(By.CSS_SELECTOR, ".col-name").click()
    wait(driver, lambda: driver.find_element(By.ID, "details-name").text == "web-magnet.bin", "the details open", 20)
    wait(driver, lambda: "100%" in driver.find_element(By.ID, "general-figures").text, "the details' figures", 20)
    screenshot(driver, "desktop-details.png")
    # Its own peer limit and seed ratio, set from the page.
    peers_field = driver.find_element(By.CSS_SELECTOR, "#torrent-limits [name=peer-limit]")
    peers_field.clear()
    peers_field.send_keys("9")
    Select(driver.find_element(By.CSS_SELECTOR, "#torrent-limits [name=seedRatioMode]")).select_by_value("1")
    ratio_field = driver.find_element(By.CSS_SELECTOR, "#torrent-limits [name=seedRatioLimit]")
    ratio_field.clear()
    ratio_field.send_keys("2.5")
    driver.find_element(By.CSS_SELECTOR, "#torrent-limits [type=submit]").click()
    limits = ["name", "peer-limit", "seedRatioMode", "seedRatioLimit"]
    wait(driver, lambda: [(t["peer-limit"], t["seedRatioMode"], t["seedRatioLimit"]) for t in torrents_with(limits)
                          if t["name"] == "web-magnet.bin"] == [(9, 1, 2.5)], "the limits set from the page", 20)
    driver.find_element(By.CSS_SELECTOR, "[data-tab=files]").click()
    files_tab = driver.find_element(By.ID, "tab-files")
    if torrent_files_reported():
        wait(driver, lambda: "web-magnet.bin" in files_tab.text, "the files tab lists the file", 20)
    else:
        wait(driver, lambda: "Files: not available" in files_tab.text, "the files tab says they are not available", 20)
    screenshot(driver, "desktop-files.png")

    # Added to choose its files first: paused, its details open at the files.
    _, choose_torrent = make_torrent(tmp, "web-choose.bin", 300_000)
    add(driver, files=choose_torrent, choose=True)
    wait(driver, lambda: driver.find_element(By.ID, "details-name").text == "web-choose.bin",
         "the chosen torrent's details open", 20)
    check(driver.find_element(By.CSS_SELECTOR, "[data-tab=files]").get_attribute("aria-selected") == "true" and
          driver.find_element(By.ID, "tab-files").is_displayed(), "the details open at the files")
    wait(driver, lambda: cell(driver, "web-choose.bin", "status") == "Stopped", "it waits, paused", 20)
    screenshot(driver, "desktop-choose-files.png")
    driver.find_element(By.ID, "banner-close").click()

    viewport(driver, 390, 844, True)
    screenshot(driver, "phone-details.png")
    driver.find_element(By.ID, "details-close").click()
    wait(driver, lambda: not driver.find_element(By.ID, "details").is_displayed(), "the details close", 10)
    screenshot(driver, "phone-list.png")
    settings_scenario(driver, tmp)
    check(not driver.find_element(By.ID, "banner").is_displayed(),
          f"no error shown: {driver.find_element(By.ID, 'banner').text!r}")

    # The 409 of the session id handshake is the one error Chromium logs by design.
    severe = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE" and
              not ("/transmission/rpc" in e.get("message", "") and "409" in e.get("message", ""))]
    check(not severe, f"the browser logged errors: {severe}")


def main():
    os.makedirs(SCREENSHOTS, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        home = os.path.join(tmp, "home")
        os.makedirs(home)
        os.environ["HOME"] = home
        os.environ.pop("DISPLAY", None)
        daemon, downloads = start_daemon(tmp)
        seeds = []
        driver = None
        try:
            page_checks()
            driver = browser(os.path.join(tmp, "chromium"))
            scenario(driver, tmp, downloads, seeds)
        except (WebDriverException, OSError, subprocess.SubprocessError) as error:
            check(False, f"{type(error).__name__}: {error}")
        finally:
            if driver is not None:
                driver.quit()
            for s in seeds:
                stop_process(s, timeout=20)
            check(stop_process(daemon, timeout=20) == 0, "shoald stops on SIGTERM")
        if failures:
            for log in sorted(os.listdir(tmp)):
                if log.endswith(".log"):
                    with open(os.path.join(tmp, log)) as f:
                        print(f"--- {log}\n{f.read()[-4000:]}", file=sys.stderr)
    print(f"{len(failures)} failures" if failures else "ok")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

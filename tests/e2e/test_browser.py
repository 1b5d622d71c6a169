"""The kiosk in a web page, in a real headless Chromium (Debian's chromium and chromium-driver, driven by
Selenium; no browser is downloaded): `portal-tui serve kiosk` on a free loopback port, the welcome page, a demo
patient signs in and sees their appointments; no key closes it; left alone, it wipes the session. What the
page was sent is read off its websocket (xterm.js draws on a canvas, which has no text to read); a screenshot
of each step is kept in .artefacts/browser/ (PORTAL_TEST_ARTEFACTS to put them elsewhere)."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from data.demo import DEMO_PASSWORD
from tests.e2e.conftest import PORTAL
from tests.e2e.net import free_port, wait_until_listening

pytestmark = pytest.mark.e2e
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"

# Before the page's own script runs: keep everything the server sends, as text (ANSI codes and all).
RECORDER = """
window.__seen = "";
const Native = window.WebSocket;
window.WebSocket = function (...args) {
  const socket = new Native(...args);
  const decoder = new TextDecoder("utf-8");
  socket.addEventListener("message", (event) => {
    if (typeof event.data === "string") { window.__seen += event.data; }
    else if (event.data instanceof ArrayBuffer) { window.__seen += decoder.decode(event.data, {stream: true}); }
    else if (event.data instanceof Blob) { event.data.text().then((text) => { window.__seen += text; }); }
  });
  return socket;
};
window.WebSocket.prototype = Native.prototype;
Object.assign(window.WebSocket, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
"""
ESCAPES = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[=>78]")



class Page:
    """One browser tab on the served kiosk."""

    def __init__(self, driver, folder: Path) -> None:  # type: ignore[no-untyped-def]
        self.driver = driver
        self.folder = folder
        self.shots = 0

    def seen(self) -> str:
        """Everything the program has drawn so far, escape codes taken out (each cursor move a space)."""
        return " ".join(ESCAPES.sub(" ", self.driver.execute_script("return window.__seen")).split())

    def wait_for(self, text: str, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            seen = self.seen()
            if text in seen:
                return seen
            time.sleep(0.1)
        self.screenshot("timed-out")
        raise AssertionError(f"{text!r} never reached the page; it was sent: {self.seen()[-3000:]}")

    def press(self, *keys: str) -> None:
        from selenium.webdriver.common.action_chains import ActionChains

        for key in keys:
            ActionChains(self.driver).send_keys(key).perform()
            time.sleep(0.15)

    def type(self, text: str) -> None:
        from selenium.webdriver.common.action_chains import ActionChains

        for character in text:  # a person's typing, not a paste
            ActionChains(self.driver).send_keys(character).perform()
            time.sleep(0.02)
        time.sleep(0.15)

    def screenshot(self, name: str) -> Path:
        self.shots += 1
        path = self.folder / f"{self.shots:02d}-{name}.png"
        self.driver.save_screenshot(str(path))
        return path

    def closed(self) -> bool:
        """The page says its session ended (the program behind it stopped)."""
        return "-closed" in (self.driver.execute_script("return document.body.className") or "")


@pytest.fixture
def served_kiosk(fresh_demo: dict[str, str], tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    if not (os.access(CHROMIUM, os.X_OK) and os.access(CHROMEDRIVER, os.X_OK)):
        pytest.skip("Chromium is not installed (make test installs Debian's chromium and chromium-driver)")
    pytest.importorskip("selenium", reason="selenium is a test dependency (make test installs it)")
    port = free_port()
    env = {**fresh_demo, "PORTAL_KIOSK_IDLE_SECONDS": "30", "PORTAL_LOG_FILE": str(tmp_path / "kiosk.log"),
           "LANG": "C.UTF-8", "PORTAL_TERMINAL_ID": "reception kiosk 1 (browser)"}
    server = subprocess.Popen([PORTAL, "serve", "kiosk", "--port", str(port)], env=env,
                              stdout=(tmp_path / "serve.log").open("w"), stderr=subprocess.STDOUT)
    wait_until_listening(port, server, tmp_path / "serve.log")
    try:
        yield f"http://127.0.0.1:{port}/", env
    finally:
        server.terminate()
        server.wait(timeout=15)


@pytest.fixture
def page(served_kiosk: tuple[str, dict[str, str]], tmp_path: Path) -> Iterator[Page]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                 "--no-first-run", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--window-size=1100,760", f"--user-data-dir={tmp_path / 'chromium'}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER, log_output=str(tmp_path / "chromedriver.log")),
                              options=options)
    try:
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORDER})
        driver.get(served_kiosk[0])
        artefacts = Path(os.environ.get("PORTAL_TEST_ARTEFACTS") or Path(__file__).parents[2] / ".artefacts") / "browser"
        artefacts.mkdir(parents=True, exist_ok=True)
        yield Page(driver, artefacts)
    finally:
        driver.quit()
        shutil.rmtree(tmp_path / "chromium", ignore_errors=True)


def _last_code(env: dict[str, str]) -> str:
    path = env["PORTAL_DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as connection:
        body = connection.execute("SELECT body FROM sms_message ORDER BY id DESC LIMIT 1").fetchone()[0]
    return re.search(r"\d{6}", body).group(0)  # type: ignore[union-attr]


def test_the_kiosk_in_a_browser_signs_a_patient_in_and_keeps_its_lock_down(
        page: Page, served_kiosk: tuple[str, dict[str, str]]) -> None:
    page.wait_for("Register with your NHS number")
    page.screenshot("welcome")
    page.driver.execute_script("document.querySelector('.xterm-helper-textarea').focus()")  # keys to the kiosk
    page.press("\ue007")  # Enter: Sign in has the focus
    page.wait_for("Use the email address and password")
    page.type("margaret.thompson@example.com")
    page.press("\ue004")  # Tab
    page.type(DEMO_PASSWORD)
    page.press("\ue007")
    page.wait_for("Check your phone to sign in")
    page.type(_last_code(served_kiosk[1]))
    page.press("\ue007")
    page.wait_for("Hello, Margaret")
    page.press("\ue007")  # My appointments has the focus
    seen = page.wait_for("Upcoming (")
    assert DEMO_PASSWORD not in seen
    page.screenshot("appointments")

    # No key closes it: Ctrl+C, Ctrl+Q, Escape (back a page, not out), F12 without the PIN.
    for key in ("\ue009c", "\ue009q", "\ue009\\"):  # Control+C, Control+Q, Control+\ (SIGQUIT on a terminal)
        page.press(key)
    page.press("\ue00c")  # Escape: back to the patient's home page, not out
    page.press("\ue03c")  # F12: the staff PIN is asked for
    page.wait_for("Type the kiosk's staff PIN")
    page.press("\ue00c")
    time.sleep(1)
    assert not page.closed(), "a key closed the kiosk"

    # Left alone, it warns, then ends the session and forgets the patient.
    page.wait_for("Your session has ended", timeout=60)
    page.screenshot("session-ended")
    assert not page.closed()


def test_the_served_kiosk_keeps_its_door(fresh_demo: dict[str, str], tmp_path: Path) -> None:
    """No Chromium needed: what any client can send. A kiosk in a browser must be named; a websocket from another
    site's page is refused; every answer carries the headers that keep the page out of frames; the tabs are
    capped, with a page that says so; a tab that asks for a screen of 8000×4000 and closes leaves no program."""
    import asyncio

    import aiohttp

    from tests.e2e.processes import descendants
    from tests.test_cli import assert_one_line, run

    unnamed = run("serve", "kiosk", "--port", str(free_port()), env=fresh_demo)
    assert_one_line(unnamed, "PORTAL_TERMINAL_ID")
    port = free_port()
    env = {**fresh_demo, "PORTAL_TERMINAL_ID": "reception kiosk 2 (browser)", "PORTAL_SERVE_SESSIONS": "2",
           "PORTAL_LOG_FILE": str(tmp_path / "kiosk.log"), "LANG": "C.UTF-8"}
    server = subprocess.Popen([PORTAL, "serve", "kiosk", "--port", str(port)], env=env,
                              stdout=(tmp_path / "serve.log").open("w"), stderr=subprocess.STDOUT)
    wait_until_listening(port, server, tmp_path / "serve.log")
    here = f"http://127.0.0.1:{port}"

    async def visit() -> None:
        async with aiohttp.ClientSession() as client:
            async with client.get(f"{here}/") as index:
                assert index.status == 200
                assert "frame-ancestors 'none'" in index.headers["Content-Security-Policy"]
                assert index.headers["X-Frame-Options"] == "DENY"
            for origin in ("http://evil.example", "null", ""):
                async with client.get(f"{here}/ws", headers={"Origin": origin, "Connection": "Upgrade",
                                                             "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
                                                             "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}) as no:
                    assert no.status == 403
            tabs = [await client.ws_connect(f"{here}/ws?width=8000&height=4000", origin=here) for _ in range(2)]
            await tabs[0].send_json(["resize", {"width": 8000, "height": 4000}])
            await tabs[0].receive(timeout=30)  # its program has begun to draw (clamped to 300×120)
            async with client.get(f"{here}/") as full:
                assert full.status == 503 and "busy" in await full.text()
            try:
                third = await client.ws_connect(f"{here}/ws", origin=here)
                await third.close()
                raise AssertionError("a third tab was served")
            except aiohttp.WSServerHandshakeError as refused:
                assert refused.status == 503
            for tab in tabs:
                await tab.close()

    try:
        asyncio.run(visit())
        deadline = time.monotonic() + 20
        while descendants(server.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert descendants(server.pid) == [], "a closed tab left its program running"
    finally:
        server.terminate()
        server.wait(timeout=15)

"""Starting `olxkit serve` as a real server on 127.0.0.1 for tests (and the serve benchmark), and Chromium."""

from __future__ import annotations

import atexit
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`python -m olxkit serve PROJECT --port N` in a child process, stopped with SIGINT."""

    def __init__(self, project: Path, *args: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
        self.proc = subprocess.Popen([sys.executable, "-m", "olxkit", "serve", str(project), "--port",
                                      str(self.port), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, env=env)
        deadline = time.monotonic() + 60
        while True:
            try:
                self.status()
                break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    out, err = self.proc.communicate(timeout=5)
                    raise RuntimeError(f"olxkit serve did not start: {out}{err}") from None
                time.sleep(0.1)

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=30) as r:
                return r.status, r.read().decode("utf-8")
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode("utf-8")

    def status(self) -> dict:
        with urllib.request.urlopen(self.url + "/__olxkit__/status", timeout=30) as r:
            return json.loads(r.read())

    def stop(self) -> tuple[int, str, str]:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        try:
            out, err = self.proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, err = self.proc.communicate()
        return self.proc.returncode, out, err


CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


def chromium(width: int = 1100, height: int = 900):
    """Debian's Chromium driven by Selenium through the system chromedriver (selenium-manager never runs)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    # A temporary folder of our own (removed at exit) for the profile and chromedriver's files: Open edX's CAPA,
    # once imported by a test, points TMPDIR at a folder that does not exist (xblocks_contrib safe_exec).
    profile = tempfile.mkdtemp(prefix="olxkit-chromium-")
    atexit.register(shutil.rmtree, profile, ignore_errors=True)
    env = dict(os.environ, TMPDIR=profile)
    for arg in (f"--user-data-dir={profile}", "--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage",
                f"--window-size={width},{height}", "--force-device-scale-factor=1", "--lang=en-US",
                "--disable-extensions", "--no-first-run"):
        options.add_argument(arg)
    return webdriver.Chrome(service=Service(CHROMEDRIVER, env=env), options=options)


def require_browser():
    """Skip without Chromium (a developer's machine); CI installs it, so there a missing browser fails."""
    import pytest

    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not Path(p).exists()]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("selenium")
    if missing:
        msg = f"browser tests need {', '.join(missing)} (bash .ci/run installs them)"
        if os.environ.get("CI") or os.environ.get("OLXKIT_REQUIRE_CONFORMANCE") == "1":
            pytest.fail(msg, pytrace=False)
        pytest.skip(msg)

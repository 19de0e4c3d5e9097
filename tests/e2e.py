"""The real server in headless Chromium, shared by the ``test_e2e_*`` files.

``streamlit_server`` runs ``streamlit run app.py`` on a free localhost port over a store;
the ``browser`` fixture in ``conftest.py`` launches Debian's Chromium through Playwright
(``chromium`` here), failing in CI when it is missing. The page helpers drive Streamlit the
way a user does: log in from the sidebar, open pages from the navigation, wait for a run.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright

from tests.conftest import ROOT, app_env, require_chromium

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT = 60_000  # ms: a Streamlit run on a loaded CI machine


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited early ({process.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(url)


@contextmanager
def streamlit_server(db_url: str, **settings: str) -> Iterator[str]:
    """``streamlit run app.py`` on a free port over ``db_url``; yields the base URL.

    The server sees none of the caller's ``TQI_*`` variables, only the store and
    ``settings`` (e.g. ``TQI_REQUIRE_LOGIN="true"``).
    """
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.port", str(port), "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=app_env(TQI_DATABASE_URL=db_url, **settings),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        wait_healthy(f"{base}/_stcore/health", process)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


@contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's Chromium through Playwright (never a downloaded one)."""
    path = require_chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def new_page(
    browser: Browser, *, width: int = 1440, height: int = 1000, timeout: int = TIMEOUT
) -> Page:
    page = browser.new_page(viewport={"width": width, "height": height}, accept_downloads=True)
    page.set_default_timeout(timeout)
    return page


@contextmanager
def screenshot_on_failure(page: Page, path: Path) -> Iterator[None]:
    """Keep a picture of the page at ``path`` when the block fails, to see why."""
    try:
        yield
    except Exception:
        page.screenshot(path=str(path))
        raise


def settle(page: Page) -> None:
    """Wait until Streamlit has finished the current run."""
    page.wait_for_timeout(300)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden", timeout=TIMEOUT)


def log_in(page: Page, name: str, password: str) -> None:
    """Sign in with the sidebar's login form."""
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("统计员登录").click()
    sidebar.get_by_label("用户名").fill(name)
    sidebar.get_by_label("密码").fill(password)
    sidebar.get_by_role("button", name="登录", exact=True).click()
    sidebar.get_by_text("已登录").wait_for()
    settle(page)


def go(page: Page, title: str) -> None:
    """Open a page through the sidebar navigation (a new URL would start a new session)."""
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title).click()
    settle(page)

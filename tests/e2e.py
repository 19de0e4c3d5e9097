"""The real server in headless Chromium, shared by the ``test_e2e_*`` files.

``streamlit_server`` starts the app as it is deployed (the unit file's ``ExecStart``:
``python -m ui.launch``, which is ``streamlit run app.py`` with the multipage decision made
up front, with the serving options) on a free localhost port over a store;
the ``browser`` fixture in ``conftest.py`` launches Debian's Chromium through Playwright
(``chromium`` here), failing in CI when it is missing. The page helpers drive Streamlit the
way a user does: log in from the sidebar, open pages from the navigation, wait for a run.

Waiting, on a machine whose cores are busy with something else:

* every wait has a generous default — the page's (``new_page``) and ``expect``'s own,
  which is 5 s unless set (set here, at import);
* an action that makes the app run goes inside ``with new_run(page):``, which waits first
  for *that* run to start, then for it to end. The start is the app's own run counter
  (``ui.navigation.mark_run``: CSS variable ``--tqi-run``, one more every run); the end is
  Streamlit's ``data-test-script-state`` on ``stApp`` back at ``notRunning``. Waiting only
  for "not running" right after a click passes before the click's run has even begun;
* ``idle`` after opening a URL (the first run drawn and finished); ``painted`` before a
  screenshot (charts and tables drawn, and a frame painted). No fixed sleeps.
"""

from __future__ import annotations

import contextlib
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, Page, expect, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.conftest import ROOT, app_env, require_chromium

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT = 120_000  # ms: a Streamlit run (or an argon2 login) on a loaded CI machine
expect.set_options(timeout=TIMEOUT)  # expect() has its own default, 5 s
RUN_COUNT = (
    "() => parseInt(getComputedStyle(document.documentElement).getPropertyValue('--tqi-run')) || 0"
)
# Runs whose start the page saw (script state turning to "running"): a run that fails in
# a callback, before app.py draws its counter, still counts as started.
WATCH_RUNS = """
window.__tqiRunsSeen = 0;
new MutationObserver(records => {
  for (const r of records) {
    if (r.target.getAttribute('data-test-script-state') === 'running' && r.oldValue !== 'running')
      window.__tqiRunsSeen += 1;
  }
}).observe(document, {subtree: true, attributeOldValue: true,
                      attributeFilter: ['data-test-script-state']});
"""
RUNS = f"() => [({RUN_COUNT})(), window.__tqiRunsSeen || 0]"
IDLE = f"""([count, seen]) => {{
  const app = document.querySelector('[data-testid="stApp"]');
  const [nowCount, nowSeen] = ({RUNS})();
  return app !== null && app.getAttribute('data-test-connection-state') === 'CONNECTED'
    && app.getAttribute('data-test-script-state') === 'notRunning'
    && (nowCount >= count || nowSeen >= seen);
}}"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(url: str, process: subprocess.Popen, timeout: float = TIMEOUT / 1000) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited early ({process.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)  # polling the health URL, not waiting on the page
    raise TimeoutError(url)


APP_COMMAND = [sys.executable, "-m", "ui.launch"]  # as make run starts it (Streamlit's defaults)
BARE_COMMAND = [sys.executable, "-m", "streamlit", "run", "app.py"]  # without the launcher
UNIT_FILE = ROOT / "deploy" / "systemd" / "tqi-app@.service"


def unit_file_command(port: int) -> list[str]:
    """The unit file's ``ExecStart`` for ``port``: the launcher with the options a serving
    process runs with (no file watcher, no full GC after every run; README "Deployment at
    scale"), as ``scripts/cluster.sh`` starts its app processes too. Without them Streamlit
    spent ~1.5 s of CPU on each new session's overview here, against ~0.55 s."""
    unit = UNIT_FILE.read_text("utf-8")
    line = next(x for x in unit.splitlines() if x.startswith("ExecStart="))
    words = shlex.split(line.removeprefix("ExecStart="))
    return [sys.executable if w == "{{PYTHON}}" else w.replace("%i", str(port)) for w in words]


@contextmanager
def streamlit_server(
    db_url: str, log: Path | None = None, *, command: list[str] | None = None, **settings: str
) -> Iterator[str]:
    """The app on a free port over ``db_url``: as the unit file starts it, or ``command``
    (e.g. ``APP_COMMAND``, as ``make run`` does) with the port and headless options.

    Yields the base URL. The server sees none of the caller's ``TQI_*`` variables, only the
    store and ``settings`` (e.g. ``TQI_REQUIRE_LOGIN="true"``). ``log``: where its output goes.
    """
    port = free_port()
    scratch = None if log is not None else Path(tempfile.mkdtemp(prefix="tqi-server-"))
    if scratch is not None:  # kept while the server runs: its tail is printed on a failure
        log = scratch / "streamlit.log"
    assert log is not None
    output = open(log, "wb")  # noqa: SIM115
    started = unit_file_command(port) if command is None else [
        *command, "--server.headless", "true",
        "--server.port", str(port), "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    process = subprocess.Popen(
        started, cwd=ROOT, env=app_env(TQI_DATABASE_URL=db_url, **settings),
        stdout=output, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        wait_healthy(f"{base}/_stcore/health", process)
        yield base
    except BaseException:
        # A failed browser test says what the server said (pytest shows captured output).
        output.flush()
        tail = log.read_text("utf-8", errors="replace").splitlines()[-80:]
        print(f"--- last lines of the Streamlit server's log ({log}) ---", *tail, sep="\n")
        raise
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        output.close()
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)


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
    page.set_default_navigation_timeout(timeout)
    page.add_init_script(WATCH_RUNS)
    return page


@contextmanager
def screenshot_on_failure(page: Page, path: Path) -> Iterator[None]:
    """Keep a picture of the page at ``path`` when the block fails, to see why."""
    try:
        yield
    except Exception:
        page.screenshot(path=str(path))
        raise


def run_count(page: Page) -> int:
    """How many runs this browser session has drawn (``ui.navigation.mark_run``)."""
    return int(page.evaluate(RUN_COUNT))


def idle(page: Page, runs: int = 1) -> None:
    """Wait until at least ``runs`` runs were drawn and none is going on.

    After ``page.goto``: the first run has been drawn and has finished. After a click use
    :func:`new_run` instead, which knows which run to wait for.
    """
    page.wait_for_function(IDLE, arg=[runs, 1_000_000])


settle = idle  # the name older tests use


@contextmanager
def new_run(page: Page) -> Iterator[None]:
    """``with new_run(page): button.click()`` — wait for the run the click starts to end.

    First for it to start — the app's run counter passes the one seen before the action,
    or the page saw Streamlit's state turn to "running" (a run that fails before drawing
    anything) — then for Streamlit to report no run going on.
    """
    count, seen = page.evaluate(RUNS)
    yield
    page.wait_for_function(IDLE, arg=[count + 1, seen + 1])


IN_VIEW = """e => { const r = e.getBoundingClientRect();
  return r.width > 0 && r.height > 0 && r.top < innerHeight && r.bottom > 0; }"""


def painted(page: Page) -> None:
    """Before a screenshot: the app idle, the charts in view drawn, a frame painted.

    The data grids in view get a few seconds more to paint their canvas, without failing
    the test if they do not: a grid below the fold, in a closed expander, or (seen once
    under load, on the upload page's error list) never given a canvas by the browser only
    makes a worse picture, and the screenshots are for people, not for assertions.
    """
    idle(page)
    page.wait_for_function(
        f"""() => [...document.querySelectorAll('.js-plotly-plot')].filter({IN_VIEW})
                    .every(c => c.querySelector('.main-svg') !== null)"""
    )
    with contextlib.suppress(PlaywrightTimeoutError):
        page.wait_for_function(
            f"""() => [...document.querySelectorAll('[data-testid="stDataFrame"]')]
                        .filter({IN_VIEW}).every(t => t.querySelector('canvas') !== null)""",
            timeout=10_000,
        )
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def log_in(page: Page, name: str, password: str) -> None:
    """Sign in with the sidebar's login form."""
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("统计员登录").click()
    sidebar.get_by_label("用户名").fill(name)
    sidebar.get_by_label("密码").fill(password)
    with new_run(page):
        sidebar.get_by_role("button", name="登录", exact=True).click()
    sidebar.get_by_text("已登录").wait_for()


def go(page: Page, title: str) -> None:
    """Open a page through the sidebar navigation (a new URL would start a new session)."""
    with new_run(page):
        page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title).click()

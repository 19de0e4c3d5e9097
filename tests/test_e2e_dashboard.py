"""The dashboard as a new user meets it: the real server, headless Chromium, a fresh store.

``streamlit run app.py`` on a free localhost port with an empty SQLite store; the browser
clicks "加载示例数据", then opens every page from the sidebar, waits for its charts and
checks the visible Chinese titles; screenshots go to ``tests/artifacts/``. Then: a copied
link (English, a category, years) opens the same view, the language survives a page
change, and a chart's PNG download is 1920 × 1080 (16:9) and named after the indicator
and years.
"""

from __future__ import annotations

import os
import socket
import struct
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.conftest import ROOT

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e_dashboard")]

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
CHART = ".js-plotly-plot .main-svg"
PAGES = [  # sidebar label, url path, visible title
    ("总览", "", "交通运输质量指标总览"),
    ("分类趋势", "category", "分类趋势"),
    ("指标详情", "indicator", "指标详情"),
    ("数据质量", "coverage", "数据质量：覆盖情况"),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
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
def _serve(store: Path, *, sample: bool) -> Iterator[str]:
    """``streamlit run app.py`` on a free port over the SQLite file ``store``."""
    env = {**os.environ, "TQI_DATABASE_URL": f"sqlite:///{store}"}
    env.pop("TQI_REQUIRE_LOGIN", None)
    if sample:
        subprocess.run([sys.executable, "-m", "etl", "sample"], cwd=ROOT, env=env, check=True)
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.port", str(port), "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_healthy(f"{base}/_stcore/health", process)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="module")
def empty_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh clone's first start: the store is created on first use, with no figures."""
    with _serve(tmp_path_factory.mktemp("e2e-empty") / "tqi.sqlite3", sample=False) as base:
        yield base


@pytest.fixture(scope="module")
def sample_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The same app over a store with the sample data loaded (``python -m etl sample``)."""
    with _serve(tmp_path_factory.mktemp("e2e-sample") / "tqi.sqlite3", sample=True) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    from tests.conftest import require_chromium

    path = require_chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _new_page(browser: Browser) -> Page:
    page = browser.new_page(viewport={"width": 1600, "height": 1000}, accept_downloads=True)
    page.set_default_timeout(30_000)
    return page


def _title(page: Page, text: str) -> None:
    expect(page.locator("h1").filter(has_text=text).first).to_be_visible()


def _charts_drawn(page: Page) -> None:
    try:
        page.wait_for_selector(CHART, state="visible")
    except Exception:
        page.screenshot(path=ROOT / "tests" / "artifacts" / "dashboard_failure.png")  # why
        raise
    expect(page.locator("[data-testid='stException']")).to_have_count(0)


def test_new_user_loads_the_sample_and_browses(
    empty_server: str, browser: Browser, artifacts_dir: Path
) -> None:
    page = _new_page(browser)
    page.goto(empty_server)
    expect(page.get_by_text("数据库中还没有指标数据")).to_be_visible()
    load = page.get_by_role("button", name="加载示例数据")
    expect(load).to_be_visible()
    page.screenshot(path=artifacts_dir / "dashboard_empty.png")
    load.click()
    expect(page.get_by_text("行政审批办理量").first).to_be_visible()
    expect(page.get_by_text("示例数据").first).to_be_visible()  # the badge says so
    for label, path, title in PAGES:
        page.locator("[data-testid='stSidebarNav'] a").filter(has_text=label).click()
        page.wait_for_url(f"**/{path}*")
        _title(page, title)
        _charts_drawn(page)
        page.wait_for_timeout(500)  # let plotly finish its transition
        page.screenshot(path=artifacts_dir / f"dashboard_{path or 'overview'}.png")
    page.close()


def test_a_copied_link_opens_the_same_view_in_english(sample_server: str, browser: Browser) -> None:
    page = _new_page(browser)
    page.goto(
        f"{sample_server}/category?lang=en&category=safety&view=regions&years=2018&years=2022"
    )
    _title(page, "Trends by category")
    _charts_drawn(page)
    expect(
        page.locator(".gtitle").filter(has_text="Safety supervision (2018–2022)")
    ).to_be_visible()
    expect(page.get_by_role("radio", name="By region")).to_be_checked()
    page.locator("[data-testid='stSidebarNav'] a").filter(has_text="Overview").click()
    _title(page, "Transport quality at a glance")
    assert "lang=en" in page.url and "years=2018" in page.url
    page.close()


def test_png_download_is_slide_sized_and_named(
    sample_server: str, browser: Browser, artifacts_dir: Path
) -> None:
    page = _new_page(browser)
    page.goto(f"{sample_server}/indicator?indicator=business.approvals")
    _title(page, "指标详情")
    _charts_drawn(page)
    chart = page.locator(".js-plotly-plot").first
    chart.hover()
    with page.expect_download() as info:
        chart.get_by_role("button", name="Download plot as a PNG").click()
    download = info.value
    assert download.suggested_filename == "行政审批办理量_2016-2025年.png"
    saved = artifacts_dir / "dashboard_download.png"
    download.save_as(saved)
    # Presentation size whatever the window: the chart here is ~1,200 px wide, not 1,280.
    assert _png_size(saved) == (1920, 1080)
    page.close()


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", header[16:24])

"""The dashboard as a new user meets it: the real server, headless Chromium, a fresh store.

``streamlit run app.py`` on a free localhost port with an empty SQLite store; the browser
sees the first-run screen (no button for a visitor), logs in as the analyst and clicks
"加载示例数据", then opens every page from the sidebar, waits for its charts and
checks the visible Chinese titles; screenshots go to ``tests/artifacts/``. Then: a copied
link (English, a category, years) opens the same view, the language survives a page
change, and a chart's PNG download is 1920 × 1080 (16:9) and named after the indicator
and years.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import ARTIFACTS, PASSWORDS, sample_store
from tests.e2e import (
    idle,
    log_in,
    new_page,
    new_run,
    painted,
    screenshot_on_failure,
    streamlit_server,
)

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e_dashboard")]

CHART = ".js-plotly-plot .main-svg"
PAGES = [  # sidebar label, url path, visible title
    ("总览", "", "交通运输质量指标总览"),
    ("分类趋势", "category", "分类趋势"),
    ("指标详情", "indicator", "指标详情"),
    ("数据质量", "coverage", "数据质量：覆盖情况"),
]


@pytest.fixture(scope="module")
def empty_server(server_store: str) -> Iterator[str]:
    """A first start with no figures yet, and the analyst account ``ana`` made."""
    with streamlit_server(server_store) as base:
        yield base


@pytest.fixture(scope="module")
def sample_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The same app over a store with the sample data loaded (``python -m etl sample``)."""
    url = sample_store(tmp_path_factory.mktemp("e2e-sample") / "tqi.sqlite3")
    with streamlit_server(url) as base:
        yield base


def _new_page(browser: Browser) -> Page:
    return new_page(browser, width=1600, height=1000)


def _title(page: Page, text: str) -> None:
    expect(page.locator("h1").filter(has_text=text).first).to_be_visible()


def _charts_drawn(page: Page) -> None:
    with screenshot_on_failure(page, ARTIFACTS / "dashboard_failure.png"):
        page.wait_for_selector(CHART, state="visible")
    expect(page.locator("[data-testid='stException']")).to_have_count(0)


def test_new_user_loads_the_sample_and_browses(
    empty_server: str, browser: Browser, artifacts_dir: Path
) -> None:
    page = _new_page(browser)
    page.goto(empty_server)
    idle(page)
    expect(page.get_by_text("数据库中还没有指标数据")).to_be_visible()
    # A visitor is told how an analyst loads the data, and has no button for it.
    expect(page.get_by_text("python -m etl sample")).to_be_visible()
    expect(page.get_by_role("button", name="加载示例数据")).to_have_count(0)
    page.screenshot(path=artifacts_dir / "dashboard_empty_visitor.png")
    log_in(page, "ana", PASSWORDS["ana"])
    load = page.get_by_role("button", name="加载示例数据")
    expect(load).to_be_visible()
    page.screenshot(path=artifacts_dir / "dashboard_empty.png")
    with new_run(page):
        load.click()
    expect(page.get_by_text("行政审批办理量").first).to_be_visible()
    expect(page.get_by_text("示例数据").first).to_be_visible()  # the badge says so
    for label, path, title in PAGES:
        with new_run(page):
            page.locator("[data-testid='stSidebarNav'] a").filter(has_text=label).click()
        page.wait_for_url(f"**/{path}*")
        _title(page, title)
        _charts_drawn(page)
        painted(page)
        page.screenshot(path=artifacts_dir / f"dashboard_{path or 'overview'}.png")
    page.close()


def test_a_copied_link_opens_the_same_view_in_english(sample_server: str, browser: Browser) -> None:
    page = _new_page(browser)
    page.goto(
        f"{sample_server}/category?lang=en&category=safety&view=regions&years=2018&years=2022"
    )
    idle(page)
    _title(page, "Trends by category")
    _charts_drawn(page)
    expect(
        page.locator(".gtitle").filter(has_text="Safety supervision (2018–2022)")
    ).to_be_visible()
    expect(page.get_by_role("radio", name="By region")).to_be_checked()
    with new_run(page):
        page.locator("[data-testid='stSidebarNav'] a").filter(has_text="Overview").click()
    _title(page, "Transport quality at a glance")
    assert "lang=en" in page.url and "years=2018" in page.url
    page.close()


def test_png_download_is_slide_sized_and_named(
    sample_server: str, browser: Browser, artifacts_dir: Path
) -> None:
    page = _new_page(browser)
    page.goto(f"{sample_server}/indicator?indicator=business.approvals")
    idle(page)
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

"""The real server in headless Chromium: screenshot mode and the one-click briefing pack."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page
from pptx import Presentation

from tests.conftest import sample_store
from tests.e2e import idle, new_page, new_run, painted, streamlit_server

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e_briefing")]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app on a free port, its store a fresh SQLite file with the sample data loaded."""
    url = sample_store(tmp_path_factory.mktemp("e2e-briefing") / "tqi.sqlite3")
    with streamlit_server(url) as base:
        yield base


def open_page(browser: Browser, url: str) -> Page:
    page = new_page(browser, width=1920, height=1080)
    page.goto(url)
    idle(page)
    page.wait_for_selector('[data-testid="stMetric"]')
    page.wait_for_selector(".js-plotly-plot .main-svg")
    painted(page)
    return page


def test_screenshot_mode_hides_the_chrome(
    server: str, browser: Browser, artifacts_dir: Path
) -> None:
    # From the root URL (the overview is the default page): app.py runs its navigation.
    normal = open_page(browser, f"{server}/")
    assert normal.locator('[data-testid="stSidebar"]').is_visible()  # the control case
    normal.close()

    page = open_page(browser, f"{server}/?screenshot=1")
    for testid in ("stSidebar", "stHeader", "stToolbar", "stMainMenu", "stExpandSidebarButton"):
        hidden = page.locator(f'[data-testid="{testid}"]')
        assert hidden.count() == 0 or not hidden.first.is_visible(), testid
    assert page.locator(".modebar-container").first.is_hidden()
    title = page.locator("h1").first
    assert title.is_visible()
    assert float(title.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 48
    width = page.evaluate("document.documentElement.clientWidth")
    assert width == 1920
    # the whole 16:9 screen is used: KPI cards left, the completion chart right
    cards = page.locator('[data-testid="stMetric"]')
    assert cards.count() >= 6
    chart_box = page.locator(".js-plotly-plot").first.bounding_box()
    assert chart_box is not None and chart_box["x"] > 960 and chart_box["y"] < 1080
    last_card = cards.nth(cards.count() - 1).bounding_box()
    assert last_card is not None and last_card["y"] + last_card["height"] <= 1080  # one screen
    path = artifacts_dir / "overview_screenshot_mode.png"
    page.screenshot(path=str(path))
    assert Image.open(path).size == (1920, 1080)
    page.close()


def test_briefing_page_one_click_pptx(server: str, browser: Browser, artifacts_dir: Path) -> None:
    page = open_page(browser, f"{server}/")
    with new_run(page):
        page.get_by_role("link", name="简报导出").click()  # registered in the navigation
    button = page.get_by_role("button", name="生成简报 PPTX")
    painted(page)
    page.screenshot(path=str(artifacts_dir / "briefing_page.png"), full_page=True)
    caption = page.get_by_text(re.compile(r"共 \d+ 页")).inner_text()
    slides_promised = int(re.search(r"共 (\d+) 页", caption).group(1))  # type: ignore[union-attr]
    assert slides_promised >= 12 + 2  # title, at least 12 charts, summary
    with page.expect_download() as download_info:
        button.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pptx")
    blob = Path(download.path()).read_bytes()
    (artifacts_dir / "briefing_download.pptx").write_bytes(blob)
    slides = list(Presentation(io.BytesIO(blob)).slides)
    assert len(slides) == slides_promised
    assert slides[1].shapes.title.text == "年度目标完成情况"
    page.close()

"""Streamlit's own table toolbar offers "Download as CSV", which writes cells as they are
(a cell ``=HYPERLINK(…)`` becomes a formula in Excel). Every table is drawn through
``ui.tables.show_table``, which hides that one button; search and full screen stay. The
real server and headless Chromium, since only a browser applies the style.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from tests.conftest import sample_store
from tests.e2e import idle, new_page, streamlit_server

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e_table_download")]


@pytest.fixture(scope="module")
def sample_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = sample_store(tmp_path_factory.mktemp("e2e-tables") / "tqi.sqlite3")
    with streamlit_server(url) as base:
        yield base


def test_a_table_has_its_toolbar_but_no_csv_download(sample_server: str, browser: Browser) -> None:
    page = new_page(browser, width=1600, height=1000)
    page.goto(f"{sample_server}/indicator?indicator=business.approvals")
    idle(page)
    table = page.locator('[data-testid="stDataFrame"]').first
    table.scroll_into_view_if_needed()
    table.hover()
    toolbar = page.locator('[data-testid="stElementToolbar"]').filter(
        has=page.locator('button[aria-label^="Search"]')
    )
    expect(toolbar.first.locator('button[aria-label^="Search"]')).to_be_visible()
    download = toolbar.first.locator('button[aria-label^="Download as CSV"]')
    expect(download).to_have_count(1)  # Streamlit still renders it …
    expect(download).to_be_hidden()  # … but nobody can see or click it
    page.close()

"""A database error in the browser: a short message, no traceback, the detail in the log.

The real server over a store whose write lock another connection holds (as a long load
does), its busy timeout made short (``TQI_SQLITE_BUSY_TIMEOUT_MS``) so the login gives up
at once as it would after 30 s. AppTest covers the same on every page
(``test_page_errors.py``); here is what an anonymous visitor's browser actually receives.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import make_url

from tests.conftest import PASSWORDS
from tests.e2e import idle, new_page, new_run, streamlit_server
from tests.test_page_errors import BUSY, write_lock_held

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e_errors")]

# What a traceback shows: Python's header, frames with paths, exception class names.
LEAKS = re.compile(r"Traceback|File \"|\.py\b|/work/|/usr/|site-packages|OperationalError|SELECT ")


def test_login_under_a_held_write_lock_shows_no_traceback(
    server_store: str, browser: Browser, tmp_path: Path
) -> None:
    log = tmp_path / "server.log"
    with streamlit_server(server_store, log=log, TQI_SQLITE_BUSY_TIMEOUT_MS="500") as base:
        page = new_page(browser)
        page.goto(base)
        idle(page)  # the first run has migrated and seeded the store
        sidebar = page.locator('[data-testid="stSidebar"]')
        with write_lock_held(str(make_url(server_store).database)):
            sidebar.get_by_text("统计员登录").click()
            sidebar.get_by_label("用户名").fill("ana")
            sidebar.get_by_label("密码").fill(PASSWORDS["ana"])
            with new_run(page):
                sidebar.get_by_role("button", name="登录", exact=True).click()
            shown = page.locator('[data-testid="stApp"]').inner_text()
            assert not LEAKS.search(shown), LEAKS.search(shown)
            expect(sidebar.get_by_text(BUSY)).to_be_visible()
            expect(page.locator('[data-testid="stException"]')).to_have_count(0)
            # The page the visitor was on still drew around the message.
            expect(page.locator("h1").first).to_have_text("交通运输质量指标总览")
        # The lock released, the same login works (the form is still open, with its message).
        sidebar.get_by_label("密码").fill(PASSWORDS["ana"])
        with new_run(page):
            sidebar.get_by_role("button", name="登录", exact=True).click()
        expect(sidebar.get_by_text("已登录")).to_be_visible()
        page.close()
    text = log.read_text("utf-8", errors="replace")
    assert "ERROR tqi.app: database error in login:" in text
    assert "database is locked" in text and "Traceback" in text

"""报告识别 on the real server in headless Chromium: upload a damaged report, review, load.

The server, the browser and the login are the shared ones in ``tests/e2e.py``, so every e2e
file starts Streamlit and logs in the same way.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from db.batches import store_counts
from db.models import Batch
from db.session import get_engine, read_session
from tests.conftest import PASSWORDS, ROOT
from tests.e2e import go, idle, log_in, new_page, new_run, painted, streamlit_server

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e_report")]
FILLED = ROOT / "tests" / "data" / "reports" / "report_2020_filled.txt"


def test_upload_review_and_load_a_damaged_report(
    server_store: str, browser: Browser, artifacts_dir: Path
) -> None:
    with streamlit_server(server_store) as base:
        page = new_page(browser, height=1800)
        page.goto(base)
        idle(page)
        log_in(page, "ana", PASSWORDS["ana"])
        go(page, "报告识别")
        with new_run(page):
            page.locator('input[type="file"]').set_input_files(
                files=[
                    {
                        "name": "2020年工作报告.txt",
                        "mimeType": "text/plain",
                        "buffer": FILLED.read_text("utf-8").encode("gb18030"),
                    }
                ]
            )
        expect(page.get_by_text("检查通过")).to_be_visible()
        assert page.locator("mark.tqi-figure").count() == 43
        expect(page.get_by_text("(二)营商环境增效方面").first).to_be_visible()
        painted(page)
        page.screenshot(path=str(artifacts_dir / "report_reader.png"))
        with new_run(page):
            page.get_by_role("button", name="确认载入").click()
        expect(page.get_by_text("已载入为批次")).to_be_visible()
    with read_session(get_engine(server_store)) as s:
        batch = s.scalars(select(Batch)).one()
        count = store_counts(s)["observations"]
    assert (batch.source_name, batch.source_kind, count) == ("2020年工作报告.txt", "report", 42)

"""报告识别 on the real server in headless Chromium: upload a damaged report, review, load.

Server and browser helpers are the analysts' workflow test's (``tests/test_e2e_upload.py``)
so both e2e files start Streamlit and log in the same way.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from db import users
from db.models import Batch, Observation
from db.session import dispose_engines, get_engine, read_session, write_session
from tests.conftest import ROOT
from tests.test_e2e_upload import go, log_in, new_page, settle, start_server, stop_server

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e_report")]
FILLED = ROOT / "tests" / "data" / "reports" / "report_2020_filled.txt"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = f"sqlite:///{tmp_path_factory.mktemp('e2e-report') / 'tqi.sqlite3'}"
    with write_session(get_engine(url)) as s:
        users.create_user(s, "analyst1", "analyst-pass-1", role="analyst")
        s.commit()
    yield url
    dispose_engines()


@pytest.fixture(scope="module")
def browser() -> Iterator:  # type: ignore[type-arg]
    from playwright.sync_api import sync_playwright

    from tests.conftest import require_chromium
    from tests.test_e2e_upload import CHROMIUM_ARGS

    path = require_chromium()
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def test_upload_review_and_load_a_damaged_report(
    store: str,
    browser,  # type: ignore[no-untyped-def]
    artifacts_dir: Path,
) -> None:
    process, base = start_server(store)
    try:
        page = new_page(browser, height=1800)
        page.goto(base)
        settle(page)
        log_in(page, "analyst1", "analyst-pass-1")
        go(page, "报告识别")
        page.locator('input[type="file"]').set_input_files(
            files=[
                {
                    "name": "2020年工作报告.txt",
                    "mimeType": "text/plain",
                    "buffer": FILLED.read_text("utf-8").encode("gb18030"),
                }
            ]
        )
        settle(page)
        expect(page.get_by_text("检查通过")).to_be_visible()
        assert page.locator("mark.tqi-figure").count() == 43
        expect(page.get_by_text("(二)营商环境增效方面").first).to_be_visible()
        settle(page)
        page.wait_for_timeout(2000)  # the data grid paints its canvas after the run
        page.screenshot(path=str(artifacts_dir / "report_reader.png"))
        page.get_by_role("button", name="确认载入").click()
        settle(page)
        expect(page.get_by_text("已载入为批次")).to_be_visible()
    finally:
        stop_server(process)
    with read_session(get_engine(store)) as s:
        batch = s.scalars(select(Batch)).one()
        count = len(s.scalars(select(Observation.id)).all())
    assert (batch.source_name, batch.source_kind, count) == ("2020年工作报告.txt", "report", 42)

"""报告生成 on the real server in headless Chromium: preview a draft, download the DOCX, read it.

The downloaded file is opened with python-docx and read back with the report reader: it
must state the store's 2025 全市 figures. The preview's first A4 page is kept as
``tests/artifacts/draft_page1.png`` (the README's picture, ``docs/draft-page1.png``).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document
from docx.enum.text import WD_COLOR_INDEX
from playwright.sync_api import Browser, expect

from db.session import get_engine, write_session
from etl.report import extract_figures
from etl.report_files import report_text
from etl.sample import load_sample
from tests.conftest import file_catalog, stored_figures
from tests.e2e import TIMEOUT, go, new_page, screenshot_on_failure, settle, streamlit_server

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e_draft")]
A4 = 297 / 210


def test_preview_download_and_read_back_the_draft(
    server_store: str, browser: Browser, artifacts_dir: Path
) -> None:
    engine = get_engine(server_store)
    with write_session(engine) as session:
        assert load_sample(session).status == "loaded"
        session.commit()
    expect.set_options(timeout=TIMEOUT)
    with streamlit_server(server_store) as base:
        page = new_page(browser, width=1440, height=2400)
        with screenshot_on_failure(page, artifacts_dir / "draft_failure.png"):
            page.goto(base)
            settle(page)
            go(page, "报告生成")
            sheet = page.locator(".tqi-draft-page")
            expect(sheet.get_by_text("2025年交通运输质量工作报告")).to_be_visible()
            assert sheet.locator("mark.tqi-x").count() == 7
            box = sheet.bounding_box()
            assert box is not None
            clip = {**box, "height": box["width"] * A4}
            page.screenshot(path=str(artifacts_dir / "draft_page1.png"), clip=clip, full_page=True)

            with page.expect_download() as info:
                page.get_by_role("button", name="下载 DOCX（标出改动）").click()
            download = info.value
            assert download.suggested_filename == "2025年质量工作报告.docx"
            path = artifacts_dir / "draft_2025.docx"
            download.save_as(path)

    doc = Document(str(path))
    assert doc.paragraphs[0].text == "2025年交通运输质量工作报告"
    assert doc.paragraphs[1].text.startswith("2025年,我局认真贯彻")
    colors = {r.font.highlight_color for p in doc.paragraphs for r in p.runs}
    assert {WD_COLOR_INDEX.YELLOW, WD_COLOR_INDEX.PINK} <= colors
    store = stored_figures(engine)
    back = extract_figures(report_text(path.read_bytes()), file_catalog())
    assert len(back.figures) == 36 and len(back.missing) == 7
    for f in back.figures:
        assert (f.value, f.qualifier) == store[(f.indicator_code, 2025, "全市")]

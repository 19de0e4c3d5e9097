"""报告生成 page through ``AppTest``: choose the year and region → preview → download.

Real SQLite store with the sample data (a copy of the accounts template, so ``vi`` is a
viewer and ``ana`` an analyst). The downloaded bytes themselves are read back in the
Chromium test (``test_e2e_draft.py``); here the buttons, their file names and the preview.
"""

from __future__ import annotations

import io

import pytest
from docx import Document
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from db.session import write_session
from etl.sample import load_sample
from tests.apptest import ANALYST, script
from ui.auth import SessionUser
from ui.navigation import PAGES

VIEWER = SessionUser("vi", "vi", "viewer")


@pytest.fixture
def sample(app_engine: Engine) -> Engine:
    with write_session(app_engine) as session:
        assert load_sample(session).status == "loaded"
        session.commit()
    return app_engine


def page_as(user: SessionUser | None) -> AppTest:
    return script("pages/draft.py", user).run()


def html_of(at: AppTest) -> str:
    return "".join(h.proto.body for h in at.get("html"))


def downloads(at: AppTest) -> dict[str, str]:
    return {b.key: b.proto.label for b in at.get("download_button")}


def test_registered_for_everyone_who_may_browse() -> None:
    spec = next(p for p in PAGES if p.path == "pages/draft.py")
    assert (spec.title_zh, spec.url_path, spec.role) == ("报告生成", "draft", None)


def test_choose_preview_download_as_a_viewer(sample: Engine) -> None:
    at = page_as(VIEWER)
    assert not at.exception
    assert not at.file_uploader  # uploading a template is for analysts
    assert at.selectbox(key="draft_year").value == 2025
    assert at.selectbox(key="draft_region").value == "全市"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"已填入的数值": "36", "仍为 X 的指标": "7", "模板年份": "2020"}
    body = html_of(at)
    assert "<h1>2025年交通运输质量工作报告</h1>" in body
    assert "<mark>2025</mark>年,我局认真贯彻" in body
    assert body.count('<mark class="tqi-x">') == 7
    assert any("交通检疫站点" in c.value for c in at.caption)
    assert downloads(at) == {
        "draft_docx": "下载 DOCX（标出改动）",
        "draft_clean": "下载清稿 DOCX",
        "draft_changes": "下载改动清单 CSV",
    }

    at.selectbox(key="draft_year").select(2021).run()  # an epidemic year: nothing missing
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["已填入的数值"] == "43" and metrics["仍为 X 的指标"] == "0"
    assert "<mark>2021</mark>年,我局" in html_of(at)

    at.selectbox(key="draft_region").select("城东区").run()
    assert "<h1>2021年城东区交通运输质量工作报告</h1>" in html_of(at)


def docx_template() -> bytes:
    doc = Document()
    doc.add_paragraph("2024年,我局全年排查治理安全隐患1,743处,组织开展应急演练45次。")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def test_an_analyst_drafts_on_an_uploaded_docx(sample: Engine) -> None:
    at = page_as(ANALYST)
    at.file_uploader(key="draft_template").upload(
        "2024年报告.docx",
        docx_template(),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    at.run()
    assert not at.exception
    body = html_of(at)
    assert "<mark>2025</mark>年,我局全年排查治理安全隐患<mark>" in body
    assert "1,743处" not in body and "45次" not in body
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"已填入的数值": "2", "仍为 X 的指标": "0", "模板年份": "2024"}
    assert len(downloads(at)) == 3


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("scan.txt", b"\x00\x01PNG" * 40, "无法读取该文件"),
        ("blank.docx", b"PK\x03\x04 broken", "无法读取该文件"),
        ("空白.txt", "2024年,我局认真开展各项工作。".encode(), "模板中没有目录指标的数值句"),
    ],
)
def test_bad_templates_are_refused(sample: Engine, name: str, data: bytes, message: str) -> None:
    at = page_as(ANALYST)
    at.file_uploader(key="draft_template").upload(name, data, "application/octet-stream")
    at.run()
    assert not at.exception
    assert any(message in e.value for e in at.error)
    assert not at.get("download_button")


def test_an_empty_store_says_so(app_engine: Engine) -> None:
    at = page_as(VIEWER)
    assert not at.exception and at.info and not at.get("download_button")


def test_the_report_reader_page_reads_an_uploaded_docx(app_engine: Engine) -> None:
    at = script("pages/report.py", ANALYST).run()
    at.file_uploader(key="report_file").upload(
        "2024年报告.docx",
        docx_template(),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    at.run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"年份": "2024", "识别出的数值": "2", "仍为 X 的指标": "0"}

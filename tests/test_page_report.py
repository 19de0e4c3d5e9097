"""报告识别 page through ``AppTest``: paste or upload, highlighted text, checks, commit.

The page runs on a real SQLite file with a real analyst account, signed in the way
``ui/auth.py`` keeps users (a :class:`SessionUser` under ``tqi_user``, re-read from the
database every run).
"""

from __future__ import annotations

from sqlalchemy import Engine, select
from streamlit.testing.v1 import AppTest

from db.models import Batch
from db.session import read_session
from tests.apptest import ANALYST, script
from tests.conftest import ROOT, stored_figures
from ui.auth import SessionUser
from ui.navigation import PAGES

REPORTS = ROOT / "tests" / "data" / "reports"
FILLED = (REPORTS / "report_2020_filled.txt").read_text(encoding="utf-8")
SEED = (REPORTS / "seed_2020.txt").read_text(encoding="utf-8")


def page_as(user: SessionUser | None) -> AppTest:
    return script("pages/report.py", user).run()


def html_of(at: AppTest) -> str:
    return "".join(h.proto.body for h in at.get("html"))


def test_registered_for_analysts() -> None:
    spec = next(p for p in PAGES if p.path == "pages/report.py")
    assert (spec.title_zh, spec.url_path, spec.role) == ("报告识别", "report", "analyst")


def test_needs_an_analyst(app_engine: Engine) -> None:
    at = page_as(None)
    assert not at.exception and at.warning
    assert not at.file_uploader and not at.text_area
    assert [b.key for b in at.button] == ["login_submit_main"]  # only the login it needs
    at = page_as(SessionUser("vi", "vi", "viewer"))
    assert at.error and not at.text_area


def test_paste_review_and_commit(app_engine: Engine) -> None:
    at = page_as(ANALYST)
    assert not at.exception
    assert at.info  # nothing pasted yet
    at.text_area(key="report_text").input(FILLED).run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"年份": "2020", "识别出的数值": "43", "仍为 X 的指标": "0"}
    body = html_of(at)
    assert body.count('class="tqi-figure"') == 43
    assert "3万余件<sub>行政审批办理量</sub>" in body
    assert "(一)工程建设质量方面" in body and "(rèn)" not in body
    assert any("检查通过" in s.value and "新增 42" in s.value for s in at.success)
    assert stored_figures(app_engine) == {}  # the check wrote nothing

    at.button(key="report_commit").click().run()
    assert not at.exception
    assert any("已载入为批次" in s.value for s in at.success)
    figures = stored_figures(app_engine)
    assert figures["business.approvals", 2020, "全市"] == (30000.0, "more_than")
    assert figures["safety.shoulders_repaired", 2020, "全市"][0] == 12000.0
    with read_session(app_engine) as s:
        batch = s.scalars(select(Batch)).one()
    assert batch.source_kind == "report" and batch.loaded_by == "ana"
    assert batch.source_name.startswith("粘贴的报告 20")


def test_upload_with_year_and_region(app_engine: Engine) -> None:
    at = page_as(ANALYST)
    at.number_input(key="report_year").set_value(2019)
    at.text_input(key="report_region").input("城东区")
    at.file_uploader(key="report_file").upload(
        "2019年城东区报告.txt", FILLED.encode("gb18030"), "text/plain"
    )
    at.run()
    assert not at.exception
    at.button(key="report_commit").click().run()
    assert any("2019年城东区报告.txt" in s.value for s in at.success)
    assert stored_figures(app_engine)["safety.road_excellence_rate", 2019, "城东区"] == (87.5, None)


def test_seed_lists_missing_and_offers_nothing_to_load(app_engine: Engine) -> None:
    at = page_as(ANALYST)
    at.text_area(key="report_text").input(SEED).run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["仍为 X 的指标"] == "42"
    # 42 indicators, 43 X's: the tour-coach plates are stated twice (张, then 块)
    assert html_of(at).count('class="tqi-missing"') == 43
    assert any("行政审批办理量" in c.value for c in at.caption)
    assert any("没有数值" in i.value for i in at.info)
    assert not at.button


def test_report_text_is_never_markup(app_engine: Engine) -> None:
    at = page_as(ANALYST)
    text = '2020年,<script>alert("x")</script><b>全年实施行政审批3万余件</b>。'
    at.text_area(key="report_text").input(text).run()
    body = html_of(at)
    assert "<script>" not in body and "<b>" not in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body


def test_unreadable_upload_is_refused(app_engine: Engine) -> None:
    at = page_as(ANALYST)
    at.file_uploader(key="report_file").upload("scan.txt", b"\x00\x01PNG" * 40, "text/plain")
    at.run()
    assert not at.exception and at.error and not at.button

"""指标目录 through ``AppTest``: an analyst logs in, adds a report phrasing with the form,
sees it in the catalog table, and the report reader finds figures written that way; a new
indicator comes with its phrasings or aliases.

(That a viewer cannot open the page is covered for every analyst page in
``test_auth_pages.py``.)
"""

from __future__ import annotations

from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from db.catalog import load_catalog
from db.session import read_session
from etl.report import extract_figures
from tests.apptest import ANALYST, app_as, log_in, open_page
from tests.conftest import PASSWORDS, ROOT
from texts import md_escape

HAZARDS = "safety.hazards_fixed"
BRIDGES = "safety.bridges_checked"  # a new indicator


def catalog_page() -> AppTest:
    """The app, logged in through the sidebar form as the analyst, on 指标目录."""
    at = log_in(app_as(None), "ana", PASSWORDS["ana"])
    assert at.session_state["tqi_user"].role == "analyst"
    at.switch_page(str(ROOT / "pages/catalog.py"))
    return at.run()


def phrasings_shown(at: AppTest, code: str) -> str:
    table = at.dataframe[0].value
    return table.loc[table["代码"] == code, "报告表述"].item()


def add_phrasing(at: AppTest, code: str, phrasing: str) -> AppTest:
    at.selectbox(key="phrasing_indicator").set_value(code)
    at.text_input(key="phrasing_text").input(phrasing)
    at.button(key="phrasing_submit").click()
    return at.run()


def add_bridges(at: AppTest, *, aliases: str = "", phrasings: str = "") -> AppTest:
    """Add ``BRIDGES`` (桥梁安全检查, 座, under safety) with the 新增指标 form."""
    at.selectbox(key="new_category").set_value("safety")
    at.text_input(key="new_code").input(BRIDGES)
    at.text_input(key="new_name_zh").input("桥梁安全检查")
    at.text_input(key="new_name_en").input("Bridge safety inspections")
    at.text_input(key="new_unit").input("座")
    if aliases:
        at.text_input(key="new_aliases").input(aliases)
    if phrasings:
        at.text_area(key="new_phrasings").input(phrasings)
    at.button(key="indicator_submit").click()
    return at.run()


def test_phrasing_added_on_the_page_teaches_the_report_reader(app_engine: Engine) -> None:
    at = catalog_page()
    assert not at.exception and at.title[0].value == "指标目录"
    assert phrasings_shown(at, HAZARDS) == "全年排查治理安全隐患X处"  # the shipped one
    report = "2023年，我局消除隐患120处。"
    with read_session(app_engine) as s:
        assert extract_figures(report, load_catalog(s)).figures == []

    at = add_phrasing(at, HAZARDS, " 消除隐患Ｘ处 ")
    assert not at.exception and not at.error
    assert "消除隐患X处" in at.success[0].value and "排查治理安全隐患" in at.success[0].value
    assert phrasings_shown(at, HAZARDS) == "全年排查治理安全隐患X处；消除隐患X处"
    assert at.text_input(key="phrasing_text").value == ""  # ready for the next one
    with read_session(app_engine) as s:
        figures = extract_figures(report, load_catalog(s)).figures
    assert [(f.indicator_code, f.value) for f in figures] == [(HAZARDS, 120.0)]

    # The same phrasing for another indicator is refused, naming the one that has it.
    at = add_phrasing(at, "construction.inspections", "消除隐患X处")
    assert not at.success and md_escape(HAZARDS) in at.error[0].value
    at = add_phrasing(at, "construction.inspections", "全年检查工地")
    assert "X" in at.error[0].value and "全年检查工地" in at.text_input(key="phrasing_text").value
    assert phrasings_shown(at, "construction.inspections") == phrasings_shown(
        catalog_page(), "construction.inspections"
    )


def test_phrasing_is_shown_as_text_not_markdown(app_engine: Engine) -> None:
    phrasing = "**全年**[实施](http://x.example)行政审批X万余件"
    at = add_phrasing(catalog_page(), "business.approvals", phrasing)
    assert not at.exception and not at.error
    assert md_escape(phrasing) in at.success[0].value
    assert phrasing in phrasings_shown(at, "business.approvals")


def test_form_in_english(app_engine: Engine) -> None:
    at = log_in(app_as(None), "ana", PASSWORDS["ana"])
    at.session_state["lang"] = "en"
    at.switch_page(str(ROOT / "pages/catalog.py"))
    at.run()
    assert "Report phrasings" in at.dataframe[0].value.columns
    at = add_phrasing(at, HAZARDS, "消除隐患X处")
    assert at.success[0].value.startswith("Report phrasing")


def test_new_indicator_with_phrasings_one_a_line(app_engine: Engine) -> None:
    at = add_bridges(catalog_page(), phrasings="全年检查桥梁X座\n完成桥梁检测，共X座")
    assert not at.exception and at.success
    assert phrasings_shown(at, BRIDGES) == "全年检查桥梁X座；完成桥梁检测，共X座"


def test_new_indicator_with_aliases(app_engine: Engine) -> None:
    at = add_bridges(open_page("pages/catalog.py", ANALYST), aliases="桥检，桥梁检查")
    assert not at.exception and at.success
    with read_session(app_engine) as s:
        catalog = load_catalog(s)
    assert catalog.lookup("桥检") == BRIDGES
    assert len(at.dataframe[0].value) == 49


def years_of(engine: Engine, code: str) -> tuple[int | None, int | None]:
    from sqlalchemy import select

    from db.models import Indicator

    with read_session(engine) as session:
        row = session.execute(
            select(Indicator.first_year, Indicator.last_year).where(Indicator.code == code)
        ).one()
    return row[0], row[1]


def set_years(at: AppTest, code: str, first: str, last: str) -> AppTest:
    at.selectbox(key="years_indicator").set_value(code)
    at.text_input(key="years_first").input(first)
    at.text_input(key="years_last").input(last)
    at.button(key="years_submit").click()
    return at.run()


def test_applicable_years_are_edited_on_the_catalog_page(app_engine: Engine) -> None:
    """疫情防控 comes seeded with 2020–2022 (catalog); an analyst sets or clears a range,
    and a reversed or non-numeric range is refused with the field named, changing nothing."""
    assert years_of(app_engine, "epidemic.checkpoints") == (2020, 2022)
    at = catalog_page()
    at = set_years(at, HAZARDS, "2018", "")
    assert not at.exception, [e.value for e in at.exception]
    assert "已保存：排查治理安全隐患 适用 2018 年起" in at.success[0].value
    assert years_of(app_engine, HAZARDS) == (2018, None)
    at = set_years(at, HAZARDS, "2024", "2020")
    assert "起始年份 2024 晚于截止年份 2020" in at.error[0].value
    assert years_of(app_engine, HAZARDS) == (2018, None)  # unchanged
    at = set_years(at, HAZARDS, "二〇二〇", "")
    assert "起始年份“二〇二〇”不是年份" in at.error[0].value
    assert years_of(app_engine, HAZARDS) == (2018, None)

"""指标目录 through ``AppTest``: an analyst logs in, adds a report phrasing with the form,
sees it in the catalog table, and the report reader finds figures written that way.

(That a viewer cannot open the page is covered for every analyst page in
``test_auth_pages.py``.)
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from db import users
from db.catalog import load_catalog, seed_catalog
from db.session import (
    create_engine_for,
    dispose_engines,
    get_engine,
    read_session,
    upgrade_database,
    write_session,
)
from etl.report import extract_figures
from tests.test_auth_pages import log_in
from ui.analyst_text import md

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
PASSWORD = "analyst-pass-1"
HAZARDS = "safety.hazards_fixed"


@pytest.fixture(scope="module")
def analyst_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file with one analyst account, made once (argon2 is slow on purpose)."""
    path = tmp_path_factory.mktemp("catalog") / "template.sqlite3"
    engine = create_engine_for(f"sqlite:///{path}")
    upgrade_database(engine)
    with write_session(engine) as s:
        seed_catalog(s)
        users.create_user(s, "ana", PASSWORD, role="analyst", display_name="Ana")
        s.commit()
    engine.dispose()
    return path


@pytest.fixture
def app_engine(
    analyst_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Engine]:
    path = tmp_path / "tqi.sqlite3"
    shutil.copyfile(analyst_template, path)
    url = f"sqlite:///{path}"
    monkeypatch.setenv("TQI_DATABASE_URL", url)
    monkeypatch.delenv("TQI_REQUIRE_LOGIN", raising=False)
    yield get_engine(url)
    dispose_engines()


def catalog_page() -> AppTest:
    """The app, logged in through the sidebar form as the analyst, on 指标目录."""
    at = log_in(AppTest.from_file(APP, default_timeout=60).run(), "ana", PASSWORD)
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
    assert not at.success and md(HAZARDS) in at.error[0].value
    at = add_phrasing(at, "construction.inspections", "全年检查工地")
    assert "X" in at.error[0].value and "全年检查工地" in at.text_input(key="phrasing_text").value
    assert phrasings_shown(at, "construction.inspections") == phrasings_shown(
        catalog_page(), "construction.inspections"
    )


def test_phrasing_is_shown_as_text_not_markdown(app_engine: Engine) -> None:
    phrasing = "**全年**[实施](http://x.example)行政审批X万余件"
    at = add_phrasing(catalog_page(), "business.approvals", phrasing)
    assert not at.exception and not at.error
    assert md(phrasing) in at.success[0].value
    assert phrasing in phrasings_shown(at, "business.approvals")


def test_form_in_english(app_engine: Engine) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at = log_in(at.run(), "ana", PASSWORD)
    at.session_state["lang"] = "en"
    at.switch_page(str(ROOT / "pages/catalog.py"))
    at.run()
    assert "Report phrasings" in at.dataframe[0].value.columns
    at = add_phrasing(at, HAZARDS, "消除隐患X处")
    assert at.success[0].value.startswith("Report phrasing")


def test_new_indicator_with_phrasings_one_a_line(app_engine: Engine) -> None:
    at = catalog_page()
    at.selectbox(key="new_category").set_value("safety")
    at.text_input(key="new_code").input("safety.bridges_checked")
    at.text_input(key="new_name_zh").input("桥梁安全检查")
    at.text_input(key="new_name_en").input("Bridge safety inspections")
    at.text_input(key="new_unit").input("座")
    at.text_area(key="new_phrasings").input("全年检查桥梁X座\n完成桥梁检测，共X座")
    at.button(key="indicator_submit").click()
    at.run()
    assert not at.exception and at.success
    assert phrasings_shown(at, "safety.bridges_checked") == "全年检查桥梁X座；完成桥梁检测，共X座"

"""The pages' one write path (``ui/writes.py``): after a write through a page, the next run
shows the new figure or name although no page clears Streamlit's caches — every cached
read is keyed on the data version, which loads, rollbacks and catalog edits change.

The caches are warmed first (the page is viewed before the write), so a read keyed on
anything that the write leaves unchanged would show the old figure.
"""

from __future__ import annotations

import hashlib
import re

from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from tests.apptest import ANALYST, open_page
from tests.conftest import ROOT
from ui.tables import NO_TOOLBAR_DOWNLOAD

FILES = ROOT / "tests" / "data" / "upload"
WIDE = "wide_2023_2024_gb18030.csv"  # 排查治理安全隐患 2024: 1500 处
CORRECTION = "correction_2024.csv"  # 排查治理安全隐患 2024: 1520 处
HAZARDS = "safety.hazards_fixed"


def latest_hazards(at: AppTest) -> str:
    """The indicator page's "latest value" card."""
    return next(m.value for m in at.metric if m.label.startswith("最新值"))


def hazards_page() -> AppTest:
    return open_page("pages/indicator.py", ANALYST, indicator=HAZARDS)


def upload(at: AppTest, name: str) -> bytes:
    data = (FILES / name).read_bytes()
    at.file_uploader(key="upload_files").set_value([(name, data, "text/csv")])
    at.run()
    return data


def commit(name: str) -> AppTest:
    """Upload ``name`` on 数据上传 and commit it."""
    at = open_page("pages/upload.py", ANALYST)
    data = upload(at, name)
    at.button(key="commit_" + hashlib.sha256(data).hexdigest()[:16]).click()
    at.run()
    assert not at.exception and at.success, [e.value for e in at.exception]
    return at


def test_a_load_and_its_rollback_show_on_the_next_run(app_engine: Engine) -> None:
    commit(WIDE)
    assert latest_hazards(hazards_page()) == "1,500处"  # viewed: now cached
    commit(CORRECTION)
    assert latest_hazards(hazards_page()) == "1,520处"

    at = open_page("pages/batches.py", ANALYST)
    at.selectbox(key="batch_pick").set_value(2)
    at.run()
    at.button(key="rollback_start").click()
    at.run()
    at.button(key="rollback_confirm").click()
    at.run()
    assert any("已回滚批次 #2" in s.value for s in at.success)
    assert latest_hazards(hazards_page()) == "1,500处"  # the cached 1,500 again: same data


def test_applicable_years_show_on_the_next_run(app_engine: Engine) -> None:
    at = open_page("pages/catalog.py", ANALYST)
    listed = next(c.value for c in at.caption if "当前设有适用年份" in c.value)
    assert "排查治理安全隐患" not in listed  # read through the cache
    at.selectbox(key="years_indicator").set_value(HAZARDS)
    at.text_input(key="years_first").input("2018")
    at.button(key="years_submit").click()
    at.run()
    assert not at.exception and "已保存" in at.success[0].value
    listed = next(c.value for c in at.caption if "当前设有适用年份" in c.value)
    assert "排查治理安全隐患 2018 年起" in listed


def test_a_rollback_forgets_what_the_upload_page_remembered(app_engine: Engine) -> None:
    """The batch page owns no upload key: ``ui.writes.forget_commits`` does it."""
    at = commit(WIDE)
    at.switch_page(str(ROOT / "pages/batches.py")).run()
    at.button(key="rollback_start").click()
    at.run()
    at.button(key="rollback_confirm").click()
    at.run()
    assert any("已回滚批次 #1" in s.value for s in at.success)
    at.switch_page(str(ROOT / "pages/upload.py")).run()
    upload(at, WIDE)
    # The file is previewed again against the store as it now is, and may be loaded again.
    assert not any("批次 #1" in s.value for s in at.success)
    assert ("将新增", "7") in [(m.label, m.value) for m in at.metric]


def test_no_page_clears_the_caches() -> None:
    """Invalidation is the data version's job alone (issue #10)."""
    clears = re.compile(r"\.cache_(data|resource)\.clear\(")
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("pages", "ui", "charts", "briefing", "etl", "db")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if clears.search(path.read_text(encoding="utf-8"))
    ]
    offenders += ["app.py"] if clears.search((ROOT / "app.py").read_text("utf-8")) else []
    assert offenders == []


def test_every_table_goes_through_show_table() -> None:
    """Streamlit's toolbar "Download as CSV" writes cells unneutralised; ``show_table``
    hides it (``tests/test_e2e_table_download.py`` shows it in a browser)."""
    drawn = re.compile(r"\bst\.(dataframe|data_editor)\(")
    calls = {
        str(path.relative_to(ROOT)): len(drawn.findall(path.read_text(encoding="utf-8")))
        for folder in ("pages", "ui")
        for path in sorted((ROOT / folder).rglob("*.py"))
    }
    assert {p: n for p, n in calls.items() if n} == {
        "ui/tables.py": 1,  # show_table itself
        "pages/report.py": 1,  # the review editor, after hide_toolbar_download()
    }
    report = (ROOT / "pages/report.py").read_text(encoding="utf-8")
    assert report.index("hide_toolbar_download()  #") < report.index("st.data_editor(")


def test_an_error_list_shows_the_cell_as_typed_without_the_toolbar_download(
    app_engine: Engine,
) -> None:
    at = open_page("pages/upload.py", ANALYST)
    upload(at, "department_errors.csv")
    errors = next(d.value for d in at.dataframe if "问题" in d.value.columns)
    assert "=SUM(A1:A3)" in errors["原值"].tolist()  # on screen exactly as typed
    styles = [e.proto.body for e in at.get("html")]
    assert NO_TOOLBAR_DOWNLOAD in styles

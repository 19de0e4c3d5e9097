"""The analysts' pages through ``AppTest`` on a real SQLite file: upload → preview → commit
→ history → rollback, errors an analyst can act on, aliases, and the tables behind them.

Files come from ``tests/data/upload/`` (see ``make_files.py`` there): a GB18030 wide table
and a long ``.xlsx`` as departments send them, one full of mistakes, a correction.
"""

from __future__ import annotations

import hashlib
import re

import pandas as pd
import pytest
from sqlalchemy import Engine, select
from streamlit.testing.v1 import AppTest

from db.batches import store_counts
from db.catalog import load_catalog
from db.models import Batch
from db.session import (
    read_session,
)
from etl.issues import Issue
from tests.apptest import ANALYST, open_page
from tests.conftest import ROOT
from texts import md_escape
from ui.analyst_views import exact_value, issues_csv, preview_table, template_bytes

FILES = ROOT / "tests" / "data" / "upload"
WIDE = "wide_2023_2024_gb18030.csv"
XLSX = "districts_2024.xlsx"
MIME = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def upload(at: AppTest, *names: str) -> AppTest:
    files = [
        (n, (FILES / n).read_bytes(), MIME.get(n.rsplit(".", 1)[-1], "text/plain")) for n in names
    ]
    at.file_uploader(key="upload_files").set_value(files)
    return at.run()


def commit_key(name: str) -> str:
    return "commit_" + hashlib.sha256((FILES / name).read_bytes()).hexdigest()[:16]


def counts(engine: Engine) -> dict[str, int]:
    with read_session(engine) as s:
        return store_counts(s)


def metrics(at: AppTest) -> list[tuple[str, str]]:
    return [(m.label, m.value) for m in at.metric]


def test_upload_preview_commit_history_rollback(app_engine: Engine) -> None:
    at = upload(open_page("pages/upload.py", ANALYST), WIDE, XLSX)
    assert not at.exception
    before = counts(app_engine)
    assert before["observations"] == 0 and before["batches"] == 0

    # Counts, preview and warnings for each file; nothing written yet.
    assert metrics(at)[1:6] == [
        ("将新增", "7"),
        ("将更新", "0"),
        ("不变", "0"),
        ("提醒", "1"),
        ("错误", "0"),
    ]
    assert ("将新增", "5") in metrics(at)[6:]
    previews = [
        d.value for d in at.dataframe if "数值" in d.value.columns and "年份" in d.value.columns
    ]
    wide, districts = previews
    assert list(wide.columns) == ["行号", "指标", "年份", "地区", "数值", "限定", "目标值", "备注"]
    assert wide.iloc[0].tolist()[:5] == [3, "排查治理安全隐患", "2023", "全市", "1,234 处"]
    assert "≥30,000 辆次" in wide["数值"].tolist()  # 3余万 → ≥ 30,000
    assert "35,000 件" in wide["数值"].tolist()  # 3.5 万件 → 35,000 件
    assert "≈30 辆" in districts["数值"].tolist()
    assert "12,000 平方米" in districts["数值"].tolist()  # 1.2 万平米
    assert districts["地区"].tolist()[:2] == ["东城区", "西城区"]
    assert all(not b.disabled for b in at.button if b.key.startswith("commit_"))

    for _ in range(3):  # reruns never write
        at.run()
    assert counts(app_engine) == before

    at.button(key=commit_key(WIDE)).click()
    at.run()
    assert not at.exception
    assert any("批次 #1" in s.value for s in at.success)
    assert counts(app_engine)["observations"] == 7
    for _ in range(2):  # the committed file is never loaded again by a rerun
        at.run()
    assert counts(app_engine)["batches"] == 1
    assert commit_key(WIDE) not in [b.key for b in at.button]

    at.button(key=commit_key(XLSX)).click()
    at.run()
    assert counts(app_engine)["observations"] == 12 and counts(app_engine)["targets"] == 2

    # History: both batches, who loaded them; open batch 1 and roll it back.
    at = open_page("pages/batches.py", ANALYST)
    history = at.dataframe[0].value
    assert history["批次"].tolist() == [2, 1]
    assert history["文件"].tolist() == [XLSX, WIDE]
    assert set(history["上传人"]) == {"ana"}
    assert history["新增"].tolist() == [5, 7]
    at.selectbox(key="batch_pick").set_value(1)
    at.run()
    figures = at.dataframe[1].value
    assert len(figures) == 7 and set(figures["变化"]) == {"新增"}
    at.button(key="rollback_start").click()
    at.run()
    assert at.warning and "恢复批次 #1 修改前" in at.warning[0].value  # names the batch
    assert counts(app_engine)["observations"] == 12  # asking is not doing
    at.button(key="rollback_confirm").click()
    at.run()
    assert not at.exception
    assert any("已回滚批次 #1" in s.value for s in at.success)
    assert counts(app_engine)["observations"] == 5
    with read_session(app_engine) as s:
        statuses = dict(s.execute(select(Batch.id, Batch.status)).all())
    assert statuses == {1: "rolled_back", 2: "active"}
    assert "已回滚" in at.dataframe[0].value["状态"].tolist()[1]


def test_rollback_cancel_changes_nothing(app_engine: Engine) -> None:
    at = upload(open_page("pages/upload.py", ANALYST), WIDE)
    at.button(key=commit_key(WIDE)).click()
    at.run()
    at = open_page("pages/batches.py", ANALYST)
    at.button(key="rollback_start").click()
    at.run()
    at.button(key="rollback_cancel").click()
    at.run()
    assert counts(app_engine)["observations"] == 7
    assert [b.key for b in at.button if b.key.startswith("rollback_")] == ["rollback_start"]


def test_errors_block_commit_and_say_where(app_engine: Engine) -> None:
    at = upload(open_page("pages/upload.py", ANALYST), "department_errors.csv")
    assert not at.exception
    button = at.button(key=commit_key("department_errors.csv"))
    assert button.disabled
    errors = next(d.value for d in at.dataframe if "问题" in d.value.columns)
    assert errors["行号"].tolist() == [2, 3, 4, 5]
    assert errors["列"].tolist() == ["指标", "年份", "数值", "数值"]
    assert errors["原值"].tolist()[3] == "=SUM(A1:A3)"
    assert "排查治理安全隐患" in errors["是否指"].tolist()[0]  # closest catalog names
    assert [b.label for b in at.get("download_button")][:1] == ["下载错误清单（CSV）"]
    assert any("别名" in c.value for c in at.caption)  # points at the catalog page
    assert counts(app_engine)["batches"] == 0


def test_same_file_again_names_its_batch(app_engine: Engine) -> None:
    at = upload(open_page("pages/upload.py", ANALYST), WIDE)
    at.button(key=commit_key(WIDE)).click()
    at.run()
    again = upload(open_page("pages/upload.py", ANALYST), WIDE)  # another session, same bytes
    assert any("批次 #1" in i.value for i in again.info)
    assert commit_key(WIDE) not in [b.key for b in again.button]
    assert counts(app_engine)["batches"] == 1


def test_rollback_refused_when_a_later_batch_changed_the_figures(app_engine: Engine) -> None:
    at = upload(open_page("pages/upload.py", ANALYST), WIDE, "correction_2024.csv")
    assert ("将更新", "0") in metrics(at)
    at.button(key=commit_key(WIDE)).click()
    at.run()
    # The correction's preview is recomputed after the first commit: now it updates a figure.
    assert ("将更新", "1") in metrics(at)
    at.button(key=commit_key("correction_2024.csv")).click()
    at.run()
    before = counts(app_engine)

    at = open_page("pages/batches.py", ANALYST)
    at.selectbox(key="batch_pick").set_value(1)
    at.run()
    at.button(key="rollback_start").click()
    at.run()
    at.button(key="rollback_confirm").click()
    at.run()
    assert not at.exception
    # Refused, naming the later batch that changed the figures (batch 2), not batch 1 itself.
    assert at.error and at.error[0].value.startswith("不能回滚")
    assert re.search(r"之后的批次 #?2(?!\d)", at.error[0].value), at.error[0].value
    assert counts(app_engine) == before
    # Undo the correction first, then the first batch goes.
    for batch_id in (2, 1):
        at.selectbox(key="batch_pick").set_value(batch_id)
        at.run()
        at.button(key="rollback_start").click()
        at.run()
        at.button(key="rollback_confirm").click()
        at.run()
        assert any(f"已回滚批次 #{batch_id}" in s.value for s in at.success)
    assert counts(app_engine)["observations"] == 0


def test_alias_added_on_catalog_page_maps_later_files(app_engine: Engine) -> None:
    at = upload(open_page("pages/upload.py", ANALYST), "department_alias.csv")
    assert at.button(key=commit_key("department_alias.csv")).disabled

    at = open_page("pages/catalog.py", ANALYST)
    table = at.dataframe[0].value
    assert len(table) == 48 and "safety.hazards_fixed" in table["代码"].tolist()
    at.selectbox(key="alias_indicator").set_value("safety.hazards_fixed")
    at.text_input(key="alias_text").input("隐患排查整治处数")
    at.button(key="alias_submit").click()
    at.run()
    assert not at.exception and any("隐患排查整治处数" in s.value for s in at.success)
    # The same name again is refused, saying which indicator has it.
    at.text_input(key="alias_text").input("隐患排查整治处数")
    at.button(key="alias_submit").click()
    at.run()
    assert at.error and md_escape("safety.hazards_fixed") in at.error[0].value

    at = upload(open_page("pages/upload.py", ANALYST), "department_alias.csv")
    assert not at.button(key=commit_key("department_alias.csv")).disabled
    assert ("将新增", "1") in metrics(at)


def test_file_over_the_limit_is_not_processed(
    app_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TQI_MAX_UPLOAD_MB", "1")
    big = (
        b"\xef\xbb\xbf\xe6\x8c\x87\xe6\xa0\x87,\xe5\xb9\xb4\xe4\xbb\xbd,\xe6\x95\xb0\xe5\x80\xbc\n"
        + b"x,2020,1\n" * 140_000
    )
    at = open_page("pages/upload.py", ANALYST)
    at.file_uploader(key="upload_files").set_value(("big.csv", big, "text/csv"))
    at.run()
    assert not at.exception
    assert at.error and "超过上限 1 MB" in at.error[0].value
    assert not at.metric and not [b for b in at.button if b.key.startswith("commit_")]


def test_template_downloads_offered(app_engine: Engine) -> None:
    at = open_page("pages/upload.py", ANALYST)
    keys = {b.key for b in at.get("download_button")}
    assert {
        "template_long_xlsx",
        "template_long_csv",
        "template_wide_xlsx",
        "template_wide_csv",
    } <= keys


# --- the tables behind the pages -------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "unit", "qualifier", "shown"),
    [
        (12345.0, "件", None, "12,345 件"),
        (92.3, "%", None, "92.3%"),
        (30000.0, "辆次", "more_than", "≥30,000 辆次"),
        (30.0, "辆", "about", "≈30 辆"),
        (0.125, "元", None, "0.125 元"),
        (float("nan"), "件", None, "—"),
    ],
)
def test_exact_value(value: float, unit: str, qualifier: str | None, shown: str) -> None:
    assert exact_value(value, unit, qualifier) == shown


def test_error_csv_opens_in_excel_with_chinese_and_no_formulas() -> None:
    issues = [
        Issue(
            "unknown_indicator",
            "指标目录中没有「隐患排查整治处数」",
            row=2,
            column="指标",
            value="隐患排查整治处数",
            suggestions=("排查治理安全隐患", "铁路环境安全隐患整治"),
        ),
        Issue("invalid_value", "无法识别的数值", row=5, column="数值", value="=SUM(A1:A3)"),
        Issue("invalid_value", "无法识别的数值", row=6, column="数值", value="@cmd"),
    ]
    data = issues_csv(issues)
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert "隐患排查整治处数" in text and "排查治理安全隐患、铁路环境安全隐患整治" in text
    frame = pd.read_csv(pd.io.common.BytesIO(data), encoding="utf-8-sig", dtype=str)
    assert frame["原值"].tolist() == ["隐患排查整治处数", "'=SUM(A1:A3)", "'@cmd"]
    assert frame["行号"].tolist() == ["2", "5", "6"]


def test_templates_use_catalog_names_and_units(engine: Engine) -> None:
    with read_session(engine) as s:
        catalog = load_catalog(s)
    for layout in ("long", "wide"):
        frame = pd.read_excel(pd.io.common.BytesIO(template_bytes(catalog, layout, "xlsx")))
        names = set(frame["指标"])
        assert names == {spec.name_zh for spec in catalog.indicators.values()}
        units = dict(zip(frame["指标"], frame["单位"], strict=True))
        assert all(units[spec.name_zh] == spec.unit for spec in catalog.indicators.values())


def test_preview_table_english_names(engine: Engine) -> None:
    with read_session(engine) as s:
        catalog = load_catalog(s)
    frame = pd.DataFrame(
        [
            {
                "row": 3,
                "indicator_code": "safety.drills",
                "year": 2024,
                "region": "全市",
                "value": 12.0,
                "qualifier": None,
                "target": float("nan"),
                "note": None,
            }
        ]
    )
    shown = preview_table(frame, catalog, "en")
    assert shown.columns.tolist()[:5] == ["Row", "Indicator", "Year", "Region", "Value"]
    assert shown.iloc[0]["Indicator"] == catalog.indicators["safety.drills"].name_en


def test_file_names_are_shown_as_text_not_markdown(app_engine: Engine) -> None:
    name = "**部门**[点此](http://example.com)<b>x</b>:red[警告].csv"
    at = open_page("pages/upload.py", ANALYST)
    at.file_uploader(key="upload_files").set_value(
        (name, (FILES / "correction_2024.csv").read_bytes(), "text/csv")
    )
    at.run()
    assert not at.exception, at.exception
    headings = [h.value for h in at.subheader]
    assert headings and headings[0] == md_escape(name), headings


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("**粗体**", r"\*\*粗体\*\*"),
        ("[a](http://x)", r"\[a\]\(http\://x\)"),
        ("<script>", r"\<script\>"),
        (":red[hi]", r"\:red\[hi\]"),
        ("$x$ 1_000", r"\$x\$ 1\_000"),
        ("普通文字", "普通文字"),
    ],
)
def test_md_escapes_markdown(text: str, escaped: str) -> None:
    assert md_escape(text) == escaped

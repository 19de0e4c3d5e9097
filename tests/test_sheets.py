"""Workbooks with several sheets: a first sheet of prose (说明) says where the data is, and
the data is picked with ``--sheet`` on the command line or the sheet chooser on the page."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import openpyxl
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from db.session import get_engine
from tests.apptest import ANALYST, open_page
from tests.conftest import etl, stored_figures

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def department_book() -> bytes:
    """说明 first (prose only), then two data sheets of one and two figures, then a blank."""
    book = openpyxl.Workbook()
    notes = book.active
    notes.title = "说明"
    notes.append(["填报说明"])
    notes.append(["1. 本表由区交通局填报，数据见“2023年”“2024年”两个工作表。"])
    notes.append(["2. 单位以目录为准。"])
    first = book.create_sheet("2023年")
    first.append(["指标", "年份", "数值"])
    first.append(["应急演练", 2023, 11])
    second = book.create_sheet("2024年")
    second.append(["指标", "年份", "数值"])
    second.append(["应急演练", 2024, 12])
    second.append(["排查治理安全隐患", 2024, 1300])
    book.create_sheet("空白")
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def test_cli_first_sheet_without_data_says_which_sheets_have_data(
    sqlite_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "区报送.xlsx"
    path.write_bytes(department_book())
    refused = etl(sqlite_url, "load", str(path), decode=True)
    assert refused.returncode == 2, refused.stderr
    assert "第一个工作表「说明」中没有数据表" in refused.stderr
    assert "「2023年」、「2024年」" in refused.stderr and "空白" not in refused.stderr
    assert "--sheet 2023年" in refused.stderr
    assert stored_figures(get_engine(sqlite_url)) == {}

    by_name = etl(sqlite_url, "load", str(path), "--sheet", "2024年", decode=True)
    assert by_name.returncode == 0, by_name.stderr
    figures = stored_figures(get_engine(sqlite_url))
    assert sorted((y, v) for (_c, y, _r), (v, _q) in figures.items()) == [
        (2024, 12.0),
        (2024, 1300.0),
    ]


def test_cli_sheet_by_number_counts_from_one(sqlite_url: str, tmp_path: Path) -> None:
    path = tmp_path / "区报送.xlsx"
    path.write_bytes(department_book())
    loaded = etl(sqlite_url, "load", str(path), "--sheet", "2", "--json", decode=True)
    assert loaded.returncode == 0, loaded.stderr
    figures = stored_figures(get_engine(sqlite_url))
    assert [(y, v) for (_c, y, _r), (v, _q) in figures.items()] == [(2023, 11.0)]
    again = etl(sqlite_url, "load", str(path), "--sheet", "2023年", decode=True)
    assert again.returncode == 0 and "与批次 1 的文件完全相同" in again.stdout  # same sheet
    other = etl(sqlite_url, "load", str(path), "--sheet", "3", decode=True)
    assert other.returncode == 0 and "已载入为批次 2" in other.stdout  # same file, other sheet
    assert len(stored_figures(get_engine(sqlite_url))) == 3
    missing = etl(sqlite_url, "load", str(path), "--sheet", "9", decode=True)
    assert missing.returncode == 2
    assert "没有工作表「9」" in missing.stderr and "说明、2023年、2024年、空白" in missing.stderr


def upload_book(at: AppTest, data: bytes, name: str = "区报送.xlsx") -> AppTest:
    at.file_uploader(key="upload_files").set_value((name, data, XLSX_MIME))
    return at.run()


def read_count(at: AppTest) -> str:
    return next(m.value for m in at.metric if m.label == "读取行数")


def preview_values(at: AppTest) -> list[str]:
    frame = next(d.value for d in at.dataframe if "数值" in d.value.columns)
    return frame["数值"].tolist()


def test_sheet_chooser_appears_and_previews_the_chosen_sheet(app_engine: Engine) -> None:
    data = department_book()
    at = upload_book(open_page("pages/upload.py", ANALYST), data)
    assert not at.exception, [e.value for e in at.exception]
    key = "sheet_" + hashlib.sha256(data).hexdigest()[:16]
    chooser = at.selectbox(key=key)
    assert chooser.label == "工作表"
    assert chooser.options == ["说明（无数据）", "2023年", "2024年", "空白（无数据）"]
    assert chooser.value == "2023年"  # the first sheet that holds a table
    assert read_count(at) == "1" and preview_values(at) == ["11 次"]

    chooser.set_value("2024年")
    at.run()
    assert not at.exception
    assert read_count(at) == "2"
    assert preview_values(at) == ["12 次", "1,300 处"]

    at.button(key="commit_" + hashlib.sha256(data).hexdigest()[:16]).click()
    at.run()
    assert not at.exception
    figures = stored_figures(app_engine)
    assert sorted(v for (v, _q) in figures.values()) == [12.0, 1300.0]  # the chosen sheet
    assert any("批次 #1" in s.value for s in at.success)

    at.selectbox(key=key).set_value("2023年")  # the same workbook's other sheet: a batch too
    at.run()
    assert read_count(at) == "1"
    at.button(key="commit_" + hashlib.sha256(data).hexdigest()[:16]).click()
    at.run()
    assert not at.exception
    assert sorted(v for (v, _q) in stored_figures(app_engine).values()) == [11.0, 12.0, 1300.0]


def test_no_chooser_for_a_single_sheet_workbook(app_engine: Engine) -> None:
    book = openpyxl.Workbook()
    book.active.append(["指标", "年份", "数值"])
    book.active.append(["应急演练", 2024, 12])
    buf = io.BytesIO()
    book.save(buf)
    at = upload_book(open_page("pages/upload.py", ANALYST), buf.getvalue())
    assert not at.exception
    assert not [s for s in at.selectbox if (s.key or "").startswith("sheet_")]
    assert read_count(at) == "1"

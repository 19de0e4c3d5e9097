"""Total rows are never figures (issue 9 "Values"): a 合计/总计/小计 row is skipped with a
warning naming it, in long and wide layouts, in CSV and in Excel, and never reaches the store.
"""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from sqlalchemy import Engine
from test_load import load
from test_normalize import CATALOG, where

from etl.normalize import normalize
from etl.read import read_table
from etl.totals import is_total
from etl.validate import Validated, validate
from tests.conftest import stored_figures


@pytest.mark.parametrize(
    "text",
    [
        "合计",
        "总计",
        "小计",
        "共计",
        "全市合计",
        "合  计",
        "合\u3000计",
        "合\u200b计",
        " 总 计 ",
        "东区小计",
        "合计（全市）",
        "合计(全市)",
        "Total",
        "GRAND TOTAL",
        "Subtotal",
    ],
)
def test_total_spellings_are_recognised(text: str):
    assert is_total(text)


@pytest.mark.parametrize(
    "text", ["全市", "东区", "合计局", "应急演练", "统计站", "总计划", "", None, "totally"]
)
def test_names_that_are_not_totals(text: str | None):
    assert not is_total(text)


def as_csv(grid: list[list[object]]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf).writerows(grid)
    return buf.getvalue().encode("utf-8")


def as_xlsx(grid: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    for row in grid:
        book.active.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


FILE_KINDS = {"batch.csv": as_csv, "batch.xlsx": as_xlsx}
LONG = [
    ["地区", "指标", "年份", "数值"],
    ["东区", "应急演练", 2020, 3],
    ["西区", "应急演练", 2020, 4],
    ["合  计", "应急演练", 2020, 7],
    ["全市合计", "应急演练", 2020, 7],
    ["东区", "小计", 2020, 3],
]
WIDE = [
    ["区域", "指标名称", "2019年", "2020年"],
    ["东区", "应急演练", 1, 3],
    ["西区", "应急演练", 2, 4],
    ["总计", "应急演练", 3, 7],
    ["西区", "合计", 2, 4],
]


def read(grid: list[list[object]], name: str) -> Validated:
    raw = read_table(FILE_KINDS[name](grid), name)
    return validate(normalize(raw, CATALOG), CATALOG)


@pytest.mark.parametrize("name", FILE_KINDS)
def test_total_rows_are_skipped_with_a_warning_in_the_long_layout(name: str):
    v = read(LONG, name)
    assert v.errors == []
    assert where(v.warnings) == [
        ("total_row_skipped", 4, "地区"),
        ("total_row_skipped", 5, "地区"),
        ("total_row_skipped", 6, "指标"),
    ]
    assert "第 4 行" in v.warnings[0].message and "合计" in v.warnings[0].message
    assert v.frame[["row", "region", "value"]].values.tolist() == [
        [2, "东区", 3.0],
        [3, "西区", 4.0],
    ]


@pytest.mark.parametrize("name", FILE_KINDS)
def test_total_rows_are_skipped_with_a_warning_in_the_wide_layout(name: str):
    v = read(WIDE, name)
    assert v.errors == []
    assert where(v.warnings) == [
        ("total_row_skipped", 4, "区域"),
        ("total_row_skipped", 5, "指标名称"),
    ]
    assert sorted(v.frame["region"].unique()) == ["东区", "西区"]
    assert v.frame["value"].sum() == 1 + 3 + 2 + 4


def test_a_file_of_only_total_rows_has_no_figures():
    v = read([["地区", "指标", "年份", "数值"], ["合计", "应急演练", 2020, 7]], "batch.csv")
    assert where(v.errors) == [("no_figures", None, None)]
    assert where(v.warnings) == [("total_row_skipped", 2, "地区")]


def test_total_rows_never_reach_the_store(engine: Engine):
    result = load(engine, as_csv(LONG).decode("utf-8"))
    assert result.status == "loaded", result.errors
    assert [w.code for w in result.warnings].count("total_row_skipped") == 3
    assert stored_figures(engine) == {
        ("safety.drills", 2020, "东区"): (3.0, None),
        ("safety.drills", 2020, "西区"): (4.0, None),
    }

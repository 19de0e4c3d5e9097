"""Duplicate role columns are an error naming both columns (issue 14 "Silent misreads"):
a second 数值 column used to be dropped without a word.
"""

from __future__ import annotations

import io

import openpyxl
import pytest
from test_normalize import run, where

from etl.columns import assign_columns
from etl.normalize import normalize
from etl.read import read_table
from tests.conftest import file_catalog


@pytest.mark.parametrize(
    ("header", "row", "column", "named"),
    [
        ("指标,年份,数值,数值", "应急演练,2020,1,2", "数值#2", ["第3列「数值」", "第4列「数值」"]),
        ("指标,年份,数值,value", "应急演练,2020,1,2", "value", ["「数值」", "「value」"]),
        ("指标,年份,年度,数值", "应急演练,2020,2021,1", "年度", ["「年份」", "「年度」"]),
        (
            "指标,指标名称,年份,数值",
            "应急演练,应急演练,2020,1",
            "指标名称",
            ["「指标」", "「指标名称」"],
        ),
        ("指标,年份,数值(万件),数值", "行政审批,2020,1,2", "数值", ["「数值(万件)」", "「数值」"]),
        (
            "指标,年份,数值,目标值,target",
            "应急演练,2020,1,2,3",
            "target",
            ["「目标值」", "「target」"],
        ),
        ("指标,年份,数值,地区,区县", "应急演练,2020,1,东区,东区", "区县", ["「地区」", "「区县」"]),
        ("指标,2020年,2020", "应急演练,1,2", "2020", ["「2020年」", "「2020」"]),
        ("指标,2020年,2020年", "应急演练,1,2", "2020年#2", ["第2列「2020年」", "第3列「2020年」"]),
    ],
)
def test_duplicate_role_columns_are_an_error_naming_both(header, row, column, named):
    norm = run(f"{header}\n{row}\n")
    assert where(norm.errors) == [("duplicate_column", 1, column)]
    for name in named:
        assert name in norm.errors[0].message
    assert norm.frame.empty


def test_duplicate_columns_in_a_workbook_name_the_header_row():
    book = openpyxl.Workbook()
    for r in (["统计表"], ["指标", "年份", "数值", "数值"], ["应急演练", 2020, 1, 2]):
        book.active.append(r)
    buf = io.BytesIO()
    book.save(buf)
    norm = normalize(read_table(buf.getvalue(), "batch.xlsx"), file_catalog())
    assert where(norm.errors) == [("duplicate_column", 2, "数值#2")]


@pytest.mark.parametrize(
    "header",
    [
        # what `python -m etl export` writes: a code beside a name is not a duplicate
        "category_code,category,indicator_code,indicator,year,region,value,unit",
        "指标代码,指标,年份,数值",
    ],
)
def test_a_code_column_beside_a_name_column_is_allowed(header: str):
    columns = assign_columns(header.split(","), 1)
    assert columns.errors == []
    assert columns.roles["indicator"] in ("indicator_code", "指标代码")


def test_export_header_loads():
    norm = run(
        "category_code,category,indicator_code,indicator,year,region,value,unit\n"
        "safety,安全监管,safety.drills,应急演练,2020,全市,3,次\n"
    )
    assert norm.errors == []
    assert norm.frame["indicator_code"].tolist() == ["safety.drills"]

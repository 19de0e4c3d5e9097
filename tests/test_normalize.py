"""Normalisation: long and wide layouts, units, years, and each error at its row and column."""

from __future__ import annotations

import datetime

import numpy as np
import pandas as pd
import pytest

from etl.normalize import FRAME_COLUMNS, Normalized, normalize, parse_year
from etl.read import read_table
from tests.conftest import file_catalog

CATALOG = file_catalog()


def run(text: str, name: str = "batch.csv", **kwargs) -> Normalized:
    return normalize(read_table(text.encode("utf-8"), name), CATALOG, **kwargs)


def where(issues) -> list[tuple[str, int | None, str | None]]:
    return [(i.code, i.row, i.column) for i in issues]


def records(norm: Normalized, *cols: str) -> list[tuple]:
    frame = norm.frame[list(cols)].astype(object)
    return [tuple(None if pd.isna(v) else v for v in row) for row in frame.values.tolist()]


def test_frame_columns_and_dtypes():
    norm = run("指标,年份,数值\n应急演练,2020,12\n")
    assert list(norm.frame.columns) == FRAME_COLUMNS
    dtypes = {c: str(t) for c, t in norm.frame.dtypes.items()}
    assert dtypes == {
        "row": "int64",
        "indicator_code": "object",
        "year": "Int64",
        "region": "object",
        "value": "float64",
        "qualifier": "object",
        "note": "object",
        "target": "float64",
        "category": "object",
        "value_column": "object",
        "indicator_raw": "object",
    }
    assert norm.layout == "long"
    assert norm.errors == []
    row = norm.frame.iloc[0]
    assert row["indicator_code"] == "safety.drills"
    assert row["region"] == "全市"
    assert row["qualifier"] is None and row["note"] is None and row["category"] is None
    assert np.isnan(row["target"])
    assert row["value_column"] == "数值"
    assert row["indicator_raw"] == "应急演练"


@pytest.mark.parametrize(
    "header",
    [
        "指标,年份,数值,单位,地区,类别,备注,目标值",
        "indicator,year,value,unit,region,category,note,target",
        "备注,目标值,地区,数值,指标名称,年度,分类,单位",  # any order
        "Indicator,Year,Value,Unit,Region,Category,Note,Target",
    ],
)
def test_long_headers_in_chinese_or_english_any_order(header: str):
    row = {
        "指标": "行政审批",
        "年份": "2020年",
        "数值": "3.2",
        "单位": "万件",
        "地区": " 东区 ",
        "类别": "营商环境增效",
        "备注": "含网办",
        "目标值": "4",
    }
    english = dict(
        zip(
            ["indicator", "year", "value", "unit", "region", "category", "note", "target"],
            row.values(),
            strict=True,
        )
    )
    names = header.split(",")
    mapped = {**row, **english, "指标名称": row["指标"], "年度": row["年份"], "分类": row["类别"]}
    line = ",".join(mapped[n.lower()] if n.lower() in mapped else mapped[n] for n in names)
    norm = run(f"{header}\n{line}\n")
    assert norm.errors == []
    assert records(
        norm, "row", "indicator_code", "year", "region", "value", "note", "target", "category"
    ) == [(2, "business.approvals", 2020, "东区", 32000.0, "含网办", 40000.0, "营商环境增效")]


@pytest.mark.parametrize(
    ("value", "unit_cell", "header", "code", "expected", "qualifier"),
    [
        ("12,345", "", "数值", "应急演练", 12345, None),
        ("１２３４５", "", "数值", "应急演练", 12345, None),
        ("3.2万", "", "数值", "行政审批", 32000, None),
        ("1.5亿", "", "数值", "邮政快递进出港量", 1.5e8, None),
        ("3.2", "万件", "数值", "行政审批", 32000, None),
        ("3.2", "", "数值(万件)", "行政审批", 32000, None),
        ("3.2", "", "数值（万件）", "行政审批", 32000, None),
        ("1.5", "亿元", "数值", "农产品产值", 1.5e8, None),
        ("500", "平米", "数值", "修补路面病害", 500, None),
        ("3", "万平米", "数值", "整修路肩边坡", 30000, None),
        ("2", "万株", "数值", "树干涂白", 20000, None),
        ("1.2", "万米", "数值", "路面灌缝", 12000, None),
        ("3", "公里", "数值", "路面灌缝", 3000, None),
        ("95.6%", "", "数值", "优良路率", 95.6, None),
        ("95.6", "", "数值", "优良路率", 95.6, None),
        ("95.6", "%", "数值", "优良路率", 95.6, None),
        ("1200余", "", "数值", "应急演练", 1200, "more_than"),
        ("约300", "", "数值", "应急演练", 300, "about"),
        ("3余万", "辆次", "数值", "查验车辆", 30000, "more_than"),
        ("3余万辆次", "", "数值", "查验车辆", 30000, "more_than"),
        ("2万余", "", "数值", "行政审批", 20000, "more_than"),
        (" 12 ", "", "数值", "应急演练", 12, None),
    ],
)
def test_values_convert_to_the_indicator_unit(value, unit_cell, header, code, expected, qualifier):
    norm = run(f'指标,年份,{header},单位\n{code},2020,"{value}",{unit_cell}\n')
    assert norm.errors == []
    assert records(norm, "value", "qualifier") == [(float(expected), qualifier)]


def test_table_unit_line_above_the_header_applies():
    norm = run("统计表\n单位：万件\n指标,年份,数值\n行政审批,2020,3.2\n")
    assert records(norm, "row", "value") == [(4, 32000.0)]


def test_qualifier_column():
    norm = run(
        "指标,年份,数值,qualifier\n应急演练,2020,5,more_than\n应急演练,2021,6,约\n应急演练,2022,7,\n"
    )
    assert records(norm, "qualifier") == [("more_than",), ("about",), (None,)]


@pytest.mark.parametrize(
    ("text", "year"),
    [("2020", 2020), ("2020年", 2020), ("2020.0", 2020), ("２０２０", 2020), ("2020年度", 2020)],
)
def test_year_forms(text: str, year: int):
    assert parse_year(text) == year


@pytest.mark.parametrize("text", ["1948", "3000", "20", "二〇二〇", "2020-01", "", None])
def test_bad_years(text):
    assert parse_year(text) is None


def test_default_year_and_region():
    norm = run("指标,数值\n应急演练,5\n", default_year=2019, default_region="东区")
    assert records(norm, "year", "region") == [(2019, "东区")]
    norm = run("指标,年份,数值,地区\n应急演练,,5,\n", default_year=2019)
    assert norm.errors == []
    assert records(norm, "year", "region") == [(2019, "全市")]


def test_wide_layout_with_no_figure_markers():
    text = (
        "2020年交通运输质量指标统计表\n"
        "指标名称,单位,2017,2018年,2019年,2020年(万件)\n"
        "行政审批办理量,,—,-,/,3.2\n"
        "应急演练,次,－,,12,\n"
        "管养公路平均优良路率,%,90,92.3%,—,\n"
    )
    norm = run(text)
    assert norm.layout == "wide"
    assert norm.errors == []
    assert records(norm, "row", "indicator_code", "year", "value", "value_column") == [
        (3, "business.approvals", 2020, 32000.0, "2020年(万件)"),
        (4, "safety.drills", 2019, 12.0, "2019年"),
        (5, "safety.road_excellence_rate", 2017, 90.0, "2017"),
        (5, "safety.road_excellence_rate", 2018, 92.3, "2018年"),
    ]


def test_wide_indicator_names_with_numbering_and_unit():
    norm = run("指标,2020年\n1.排查治理安全隐患（处）,5\n（二）整修路肩边坡（万平米）,2\n")
    assert norm.errors == []
    assert records(norm, "indicator_code", "value") == [
        ("safety.hazards_fixed", 5.0),
        ("safety.shoulders_repaired", 20000.0),
    ]


def test_wide_heading_row_without_figures_is_not_an_error():
    norm = run("指标,2019年,2020年\n安全监管,,\n应急演练,3,4\n")
    assert norm.errors == []
    assert len(norm.frame) == 2


def test_wide_with_region_and_category_columns():
    norm = run("地区,类别,指标,2019年,2020年\n东区,safety,应急演练,3,4\n")
    assert records(norm, "region", "category", "year") == [
        ("东区", "safety", 2019),
        ("东区", "safety", 2020),
    ]


def test_text_with_xlsx_row_numbers():
    import io

    import openpyxl

    book = openpyxl.Workbook()
    ws = book.active
    for row in (
        ["标题"],
        [],
        ["指标", "年份", "数值"],
        ["优良路率", 2020, 0.923],
        [],
        ["应急演练", 2020, "abc"],
    ):
        ws.append(row)
    ws["C4"].number_format = "0.00%"
    buf = io.BytesIO()
    book.save(buf)
    norm = normalize(read_table(buf.getvalue(), "a.xlsx"), CATALOG)
    assert records(norm, "row", "value")[0] == (4, 92.3)
    assert where(norm.errors) == [("invalid_value", 6, "数值")]


# ---------------------------------------------------------------- errors, row and column


def test_unknown_indicator_with_suggestions():
    norm = run("指标,年份,数值\n应急演练,2020,1\n快递进出港,2020,2\n,2020,3\n")
    assert where(norm.errors) == [
        ("unknown_indicator", 3, "指标"),
        ("unknown_indicator", 4, "指标"),
    ]
    assert "邮政快递进出港量" in norm.errors[0].suggestions
    assert norm.errors[0].value == "快递进出港"
    assert norm.frame["indicator_code"].tolist() == ["safety.drills", None, None]


def test_invalid_year():
    last = datetime.date.today().year + 1
    norm = run(
        f"指标,年份,数值\n应急演练,20x0,1\n应急演练,,2\n应急演练,1900,3\n应急演练,{last + 1},4\n应急演练,{last},5\n"
    )
    assert where(norm.errors) == [
        ("invalid_year", 2, "年份"),
        ("invalid_year", 3, "年份"),
        ("invalid_year", 4, "年份"),
        ("invalid_year", 5, "年份"),
    ]
    assert norm.frame["year"].isna().tolist() == [True, True, True, True, False]


def test_invalid_value_names_the_users_column():
    norm = run("指标,年份,数值(万件)\n行政审批,2020,12,3a\n行政审批,2021,abc\n")
    codes = where(norm.errors)
    assert ("invalid_value", 3, "数值(万件)") in codes
    assert ("unexpected_cell", 2, "第4列") in codes


def test_unit_mismatch_names_the_column_the_unit_came_from():
    norm = run(
        "指标,年份,数值,单位\n"
        "行政审批,2020,3,辆\n"  # unit column
        "行政审批,2020,95%,\n"  # unit inside the cell
        "优良路率,2020,3,万\n"
    )
    assert where(norm.errors) == [
        ("unit_mismatch", 2, "单位"),
        ("unit_mismatch", 3, "数值"),
        ("unit_mismatch", 4, "单位"),
    ]
    assert norm.frame["value"].isna().all()


def test_unit_mismatch_in_a_wide_header():
    norm = run("指标,2020年(辆)\n行政审批,3\n")
    assert where(norm.errors) == [("unit_mismatch", 2, "2020年(辆)")]


def test_wide_invalid_cell_and_bad_year_header():
    norm = run("标题\n指标,2019年,2020年\n应急演练,3,x\n")
    assert where(norm.errors) == [("invalid_value", 3, "2020年")]
    norm = run("指标,1900年,2020年\n应急演练,3,4\n")
    assert where(norm.errors) == [("invalid_year", 1, "1900年")]


@pytest.mark.parametrize(
    ("text", "missing"),
    [
        ("条目,年份,数值\nx,2020,1\n", ["指标"]),
        ("指标,数值\n应急演练,1\n", ["年份"]),
        ("指标,年份\n应急演练,2020\n", ["数值"]),
        ("序号,条目\n1,2\n", ["指标", "数值"]),
    ],
)
def test_missing_column(text: str, missing: list[str]):
    norm = run(text)
    assert where(norm.errors) == [("missing_column", 1, c) for c in missing]


def test_missing_column_row_is_the_header_row():
    norm = run("2020年统计表\n指标,数值\n应急演练,1\n")
    assert where(norm.errors) == [("missing_column", 2, "年份")]


@pytest.mark.parametrize(
    "text",
    ["", "指标,年份,数值\n", "指标,年份,数值\n\n,,\n", "指标,2019年,2020年\n应急演练,—,-\n"],
)
def test_no_figures(text: str):
    norm = run(text)
    assert where(norm.errors) == [("no_figures", None, None)]
    assert list(norm.frame.columns) == FRAME_COLUMNS
    assert len(norm.frame) == 0

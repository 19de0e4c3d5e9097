"""Cells as the user sees them: invisible characters, odd spaces, spaced and scaled numbers
(issue 9 "Values", issue 14 "Silent misreads"), through the whole normalisation.
"""

from __future__ import annotations

import pytest
from test_normalize import CATALOG, records, run, where
from test_total_rows import as_xlsx
from test_validate import check

from etl.normalize import normalize
from etl.read import read_table
from etl.text import clean_name, clean_text
from etl.values import parse_value

ZWSP, ZWNJ, ZWJ, WJ, BOM, NBSP, IDEO = (
    "\u200b",
    "\u200c",
    "\u200d",
    "\u2060",
    "\ufeff",
    "\u00a0",
    "\u3000",
)


@pytest.mark.parametrize(
    ("text", "clean"),
    [
        (f"全{ZWSP}市", "全市"),
        (f"{BOM}东区{ZWJ}", "东区"),
        (f"{NBSP}东区{IDEO}", "东区"),
        (f"东{IDEO}区", "东区"),
        (f"东{NBSP}区", "东区"),
        ("合  计", "合计"),
        (f"应急{ZWNJ}演练{WJ}", "应急演练"),
        ("Pudong  New\u00a0Area", "Pudong New Area"),
        ("东区 (新)", "东区 (新)"),
    ],
)
def test_invisible_characters_and_odd_spaces_in_names(text: str, clean: str):
    assert clean_name(text) == clean


def test_clean_text_keeps_inner_spaces_of_free_text():
    assert clean_text(f"{BOM} 含 网办{ZWSP} ") == "含 网办"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        (f"1{ZWSP}2", 12),
        (f"{BOM}12", 12),
        (f"12{WJ}", 12),
        (f"{NBSP}12{NBSP}", 12),
        (f"{IDEO}12{IDEO}", 12),
        (f"3.2{ZWSP}万", 32000),
        (f"95.6{ZWJ}%", 95.6),
        (f"1200{ZWNJ}余", 1200),
    ],
)
def test_invisible_characters_in_values(text: str, value: float):
    got = parse_value(text)
    assert got is not None and got.value == float(value)


def test_invisible_characters_never_make_a_cell_unreadable():
    norm = run(
        "地区,指标,年份,数值,单位,备注\n"
        f"全{ZWSP}市,应急{ZWSP}演练,2020{ZWSP},{NBSP}12{ZWSP}{IDEO},次{ZWSP},{BOM}含网办\n"
        f"{NBSP}东{IDEO}区{IDEO},{BOM}行政审批,２０２１,3.2,{IDEO}万件{NBSP},\n"
        f"东区{ZWJ},优良路率{WJ},2022,95.6{ZWSP}%,,\n"
    )
    assert norm.errors == []
    assert records(norm, "row", "region", "indicator_code", "year", "value", "note") == [
        (2, "全市", "safety.drills", 2020, 12.0, "含网办"),
        (3, "东区", "business.approvals", 2021, 32000.0, None),
        (4, "东区", "safety.road_excellence_rate", 2022, 95.6, None),
    ]


def test_a_cell_holding_only_invisible_characters_is_blank():
    v = check(f"指标,年份,数值\n应急演练,2020,{ZWSP}{BOM}\n")
    assert where(v.errors) == [("missing_value", 2, "数值")]
    norm = run(f"指标,2019年,2020年\n应急演练,{ZWSP},{ZWSP}—\n应急演练,3,\n")
    assert norm.errors == [] and records(norm, "row", "year") == [(3, 2019)]


def test_invisible_characters_in_headers():
    norm = run(f"指{ZWSP}标,{BOM}年份,数值{IDEO}\n应急演练,2020,5\n")
    assert norm.errors == [] and records(norm, "value") == [(5.0,)]
    norm = run(f"指标,2020{ZWSP}年\n应急演练,5\n")
    assert norm.errors == [] and records(norm, "year", "value") == [(2020, 5.0)]


def test_a_zero_width_space_does_not_make_a_second_region():
    v = check(f"指标,年份,数值,地区\n应急演练,2020,5,全市\n应急演练,2020,5,全{ZWSP}市\n")
    assert v.errors == []
    assert where(v.warnings) == [("duplicate_same", 3, "数值")]
    assert v.frame["region"].tolist() == ["全市"]


# ---------------------------------------------------------------- spaces inside numbers


@pytest.mark.parametrize("cell", ["5 14", "70 70 15057", "1234 567"])
def test_spaces_that_do_not_group_thousands_are_a_row_error(cell: str):
    v = check(f'指标,年份,数值\n应急演练,2020,1\n应急演练,2021,"{cell}"\n')
    assert where(v.errors) == [("invalid_value", 3, "数值")]
    assert v.errors[0].value == cell
    assert "千分位" in v.errors[0].message and f"「{cell}」" in v.errors[0].message
    assert v.frame["row"].tolist() == [2]


def test_spaces_that_group_thousands_load():
    v = check('指标,年份,数值\n应急演练,2020,"12 345"\n应急演练,2021,"1 234 567"\n')
    assert v.errors == []
    assert v.frame["value"].tolist() == [12345.0, 1234567.0]


def test_spaces_in_a_wide_cell_name_its_year_column():
    v = check('指标,2019年,2020年\n应急演练,"12 345","5 14"\n')
    assert where(v.errors) == [("invalid_value", 2, "2020年")]


# ---------------------------------------------------------------- magnitudes in a file


@pytest.mark.parametrize(
    ("value", "unit", "indicator", "expected"),
    [
        ("3十万", "", "应急演练", 3e5),
        ("1.2百万", "", "行政审批", 1.2e6),
        ("５千万余", "", "行政审批", 5e7),
        ("2万亿", "", "农产品产值", 2e12),
        ("3", "百万元", "农产品产值", 3e6),
        ("3", "十万件", "行政审批", 3e5),
        ("1.5", "千万元", "农产品产值", 1.5e7),
    ],
)
def test_magnitudes_in_a_batch_file(value: str, unit: str, indicator: str, expected: float):
    v = check(f"指标,年份,数值,单位\n{indicator},2020,{value},{unit}\n")
    assert v.errors == []
    assert v.frame["value"].tolist() == [expected]


def test_a_magnitude_in_the_cell_and_in_the_unit_is_asked_about():
    v = check("指标,年份,数值,单位\n行政审批,2020,3百万,万件\n")
    assert where(v.errors) == [("unit_mismatch", 2, "数值")]


def test_invisible_characters_in_a_workbook():
    grid = [
        ["地区", "指标", "年份", "数值"],
        [f"全{ZWSP}市", f"{BOM}应急演练", f"2020{ZWSP}", f"{NBSP}1 234{IDEO}"],
        [f"东{IDEO}区", "应急演练", 2021, f"3.2{ZWSP}万"],
    ]
    norm = normalize(read_table(as_xlsx(grid), "batch.xlsx"), CATALOG)
    assert norm.errors == []
    assert records(norm, "row", "region", "year", "value") == [
        (2, "全市", 2020, 1234.0),
        (3, "东区", 2021, 32000.0),
    ]

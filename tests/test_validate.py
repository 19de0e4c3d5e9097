"""Validation rules, each asserted by code, row and column; and the store comparison."""

from __future__ import annotations

import pandas as pd
import pytest
from test_normalize import CATALOG, where

from etl.normalize import FRAME_COLUMNS, Normalized, normalize
from etl.read import read_table
from etl.validate import Validated, validate


def check(text: str, **kwargs) -> Validated:
    raw = read_table(text.encode("utf-8"), "batch.csv")
    return validate(normalize(raw, CATALOG, **kwargs), CATALOG)


def test_clean_file_passes_whole():
    v = check(
        "指标,年份,数值,地区\n应急演练,2020,5,东区\n应急演练,2020,6,西区\n优良路率,2020,95.6%,\n"
    )
    assert v.errors == [] and v.warnings == []
    assert list(v.frame.columns) == FRAME_COLUMNS
    assert v.frame["value"].tolist() == [5.0, 6.0, 95.6]


def test_normalisation_errors_are_carried_and_their_rows_dropped():
    v = check(
        "指标,年份,数值\n应急演练,2020,5\n没有这个,2020,1\n应急演练,20x0,2\n应急演练,2021,abc\n"
    )
    assert where(v.errors) == [
        ("unknown_indicator", 3, "指标"),
        ("invalid_year", 4, "年份"),
        ("invalid_value", 5, "数值"),
    ]
    assert v.frame["row"].tolist() == [2]


def test_negative_count_and_target():
    v = check("指标,年份,数值,目标值\n应急演练,2020,-3,\n应急演练,2021,3,-1\n优良路率,2020,0,\n")
    assert where(v.errors) == [("negative_value", 2, "数值"), ("negative_value", 3, "目标值")]
    assert v.errors[0].value == "-3"


@pytest.mark.parametrize(
    ("value", "ok"), [("0", True), ("100", True), ("100.5", False), ("-1", False), ("101%", False)]
)
def test_percent_range(value: str, ok: bool):
    v = check(f"指标,年份,数值\n优良路率,2020,{value}\n")
    assert where(v.errors) == ([] if ok else [("percent_out_of_range", 2, "数值")])


def test_percent_target_out_of_range():
    v = check("指标,年份,数值,target\n优良路率,2020,90,120\n")
    assert where(v.errors) == [("percent_out_of_range", 2, "target")]


@pytest.mark.parametrize(
    ("category", "ok"),
    [
        ("safety", True),
        ("安全监管", True),
        ("Safety supervision", True),
        ("", True),
        ("business", False),
        ("营商环境增效", False),
        ("没有的类别", False),
    ],
)
def test_category_must_match(category: str, ok: bool):
    v = check(f"指标,年份,数值,类别\n应急演练,2020,3,{category}\n")
    assert where(v.errors) == ([] if ok else [("category_mismatch", 2, "类别")])
    if not ok:
        assert v.errors[0].value == category


def test_duplicate_conflict_names_the_earlier_row():
    v = check(
        "指标,年份,数值,地区\n应急演练,2020,5,东区\n应急演练,2020,5,西区\n\n safety.drills ,2020年,7, 东区\n"
    )
    assert where(v.errors) == [("duplicate_conflict", 5, "数值")]
    assert "第 2 行" in v.errors[0].message
    assert v.errors[0].value == "7"


def test_duplicate_same_value_is_a_warning_and_loads_once():
    v = check("指标,年份,数值\n应急演练,2020,5\n安全隐患排查治理,2020,7\n应急演练,2020,5\n")
    assert v.errors == []
    assert where(v.warnings) == [("duplicate_same", 4, "数值")]
    assert v.warnings[0].severity == "warning"
    assert v.frame["row"].tolist() == [2, 3]


def test_value_row_and_target_row_merge():
    v = check("指标,年份,数值,目标值\n应急演练,2020,5,\n应急演练,2020,,6\n")
    assert v.errors == [] and v.warnings == []
    assert v.frame[["value", "target"]].values.tolist() == [[5.0, 6.0]]


def test_duplicates_in_a_wide_table():
    v = check("指标,2019年,2020年\n应急演练,3,4\n应急演练,3,5\n")
    assert where(v.errors) == [("duplicate_conflict", 3, "2020年")]
    assert where(v.warnings) == [("duplicate_same", 3, "2019年")]


def test_missing_value_in_long_layout():
    v = check("指标,年份,数值,目标值\n应急演练,2020,,\n应急演练,2021,,5\n")
    assert where(v.errors) == [("missing_value", 2, "数值")]
    assert v.frame["target"].tolist() == [5.0]


def test_no_figures_passes_through():
    v = check("指标,年份,数值\n")
    assert where(v.errors) == [("no_figures", None, None)]
    assert v.frame.empty


def test_one_bad_cell_in_a_wide_row_does_not_hide_the_rest():
    v = check("指标,2019年,2020年\n应急演练,x,-4\n")
    assert where(v.errors) == [("invalid_value", 2, "2019年"), ("negative_value", 2, "2020年")]


def test_frames_from_other_sources_are_conformed():
    # The report reader and sample data hand validate a frame, not a RawTable.
    frame = pd.DataFrame(
        {
            "row": [1, 2],
            "indicator_code": ["safety.drills", "safety.drills"],
            "year": [2020, 2021],
            "region": ["全市", "全市"],
            "value": [3, -1],
        }
    ).reindex(columns=FRAME_COLUMNS)
    v = validate(Normalized(frame=frame, errors=[], warnings=[], layout="long"), CATALOG)
    assert where(v.errors) == [("negative_value", 2, None)]
    assert v.frame["year"].dtype == "Int64"
    assert v.frame["qualifier"].tolist() == [None]


def test_external_frames_get_unknown_indicator_and_bad_year_errors():
    frame = pd.DataFrame(
        {
            "row": [1, 2, 3, 4],
            "indicator_code": ["safety.drills", "no.such", "safety.drills", "safety.drills"],
            "year": [2020, 2020, None, 1900],
            "region": ["全市"] * 4,
            "value": [3.0, 1.0, 2.0, 5.0],
        }
    ).reindex(columns=FRAME_COLUMNS)
    v = validate(Normalized(frame=frame, errors=[], warnings=[], layout="long"), CATALOG)
    assert where(v.errors) == [
        ("unknown_indicator", 2, None),
        ("invalid_year", 3, None),
        ("invalid_year", 4, None),
    ]
    assert v.frame["row"].tolist() == [1]

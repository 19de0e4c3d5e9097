"""Every error at once: a row with several bad cells gets one error per cell, each at its
own column (issue 9, "Every error at once"). One table row per combination of checks.
"""

from __future__ import annotations

import pytest
from test_normalize import where
from test_validate import check

LONG = "指标,年份,数值,目标值,类别,地区,限定\n"


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        # the issue's own example: a negative value no longer hides a negative target
        ("应急演练,2020,-3,-1,,,", [("negative_value", "数值"), ("negative_value", "目标值")]),
        ("应急演练,20x0,abc,,,,", [("invalid_year", "年份"), ("invalid_value", "数值")]),
        ("应急演练,20x0,-3,,,,", [("invalid_year", "年份"), ("negative_value", "数值")]),
        ("应急演练,,,,,,", [("invalid_year", "年份"), ("missing_value", "数值")]),
        (
            "没有这个指标,20x0,abc,,,,",
            [("invalid_year", "年份"), ("invalid_value", "数值"), ("unknown_indicator", "指标")],
        ),
        ("应急演练,2020,abc,-1,,,", [("invalid_value", "数值"), ("negative_value", "目标值")]),
        ("应急演练,2020,-3,abc,,,", [("negative_value", "数值"), ("invalid_value", "目标值")]),
        (
            "优良路率,2020,120,-5,,,",
            [("percent_out_of_range", "数值"), ("percent_out_of_range", "目标值")],
        ),
        (
            "应急演练,2020,-3,,business,,",
            [("negative_value", "数值"), ("category_mismatch", "类别")],
        ),
        ("应急演练,2020,-3,,,,大概", [("negative_value", "数值"), ("invalid_value", "限定")]),
        ("应急演练,2020,3辆,-1,,,", [("unit_mismatch", "数值"), ("negative_value", "目标值")]),
        (
            "应急演练,2020,1e308,-1,,,",
            [("value_out_of_range", "数值"), ("negative_value", "目标值")],
        ),
        (
            f"应急演练,2020,-3,,,{'东' * 101},",
            [("negative_value", "数值"), ("text_too_long", "地区")],
        ),
        (
            "应急演练,20x0,-3,-1,business,,大概",
            [
                ("invalid_year", "年份"),
                ("negative_value", "数值"),
                ("negative_value", "目标值"),
                ("category_mismatch", "类别"),
                ("invalid_value", "限定"),
            ],
        ),
    ],
)
def test_a_row_with_several_bad_cells_reports_each_of_them(row: str, expected: list):
    v = check(LONG + row + "\n")
    assert sorted(where(v.errors)) == sorted((code, 2, col) for code, col in expected)
    assert v.frame.empty


def test_every_error_at_once_in_the_issue_example_names_each_value():
    v = check("指标,年份,数值,目标值\n应急演练,2020,-3,-1\n")
    assert [(e.code, e.row, e.column, e.value) for e in v.errors] == [
        ("negative_value", 2, "数值", "-3"),
        ("negative_value", 2, "目标值", "-1"),
    ]


def test_every_error_at_once_in_a_wide_row():
    v = check("指标,2018年,2019年,2020年\n应急演练,x,-4,1e400\n")
    assert sorted(where(v.errors)) == [
        ("invalid_value", 2, "2018年"),
        ("invalid_value", 2, "2020年"),
        ("negative_value", 2, "2019年"),
    ]


def test_a_unit_column_mismatch_is_reported_once_not_once_per_figure():
    v = check("指标,年份,数值,目标值,单位\n应急演练,2020,3,4,辆\n")
    assert where(v.errors) == [("unit_mismatch", 2, "单位")]


def test_good_rows_still_load_beside_rows_with_several_errors():
    v = check("指标,年份,数值,目标值\n应急演练,2020,-3,-1\n应急演练,2021,3,4\n")
    assert len(v.errors) == 2
    assert v.frame[["row", "value", "target"]].values.tolist() == [[3, 3.0, 4.0]]

"""What the store can hold (issue 14): figures beyond their unit's bounds and text longer
than its column are validation errors naming row and column, on SQLite and PostgreSQL, and
no inf or NaN ever reaches the store.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
from sqlalchemy import Engine, func, select
from test_load import load
from test_normalize import where
from test_validate import check

from db.models import Observation, Target
from db.session import read_session, write_session
from etl.limits import MAX_FIGURE
from etl.normalize import FRAME_COLUMNS
from etl.pipeline import LoadOptions, load_frame
from tests.conftest import stored_figures


@pytest.mark.parametrize(
    ("indicator", "cell", "unit", "expected"),
    [
        ("应急演练", "1e308", "", "value_out_of_range"),  # the issue's count
        ("应急演练", "-1e308", "", "value_out_of_range"),
        ("应急演练", "1000000000000001", "", "value_out_of_range"),
        ("应急演练", "1000000000000000", "", None),  # MAX_FIGURE itself
        ("应急演练", "10万亿", "", None),
        ("应急演练", "1e308", "万次", "value_out_of_range"),  # inf after scaling
        ("应急演练", "1e400", "", "invalid_value"),  # not a finite number at all
        ("农产品产值", "9000万亿", "", "value_out_of_range"),  # 元
        ("农产品产值", "999万亿", "", None),
        ("修补路面病害", "2e15", "", "value_out_of_range"),  # 平方米
        ("优良路率", "1e308", "", "percent_out_of_range"),
        ("优良路率", "100", "", None),
    ],
)
def test_values_beyond_what_the_unit_can_hold_are_errors(indicator, cell, unit, expected):
    v = check(f"指标,年份,数值,单位\n{indicator},2020,{cell},{unit}\n")
    assert where(v.errors) == ([] if expected is None else [(expected, 2, "数值")])
    for issue in v.errors:
        assert "inf" not in issue.message and "inf" not in (issue.value or "")


def test_a_target_beyond_the_bound_is_an_error_at_its_column():
    v = check("指标,年份,数值,目标值\n应急演练,2020,3,1e16\n")
    assert where(v.errors) == [("value_out_of_range", 2, "目标值")]
    assert v.errors[0].value == "1e+16"


def test_max_figure_keeps_whole_numbers_exact():
    assert float(int(MAX_FIGURE) + 1) != MAX_FIGURE  # still exact in a float64


@pytest.mark.parametrize(
    ("indicator", "cell", "warned"),
    [
        ("应急演练", "12.5", True),  # 次: a count
        ("应急演练", "1.23456万", True),  # 12345.6 次
        ("应急演练", "1.2345万", False),
        ("修补路面病害", "12.5", False),  # 平方米: a measure
        ("农产品产值", "12.5", False),  # 元
        ("优良路率", "12.5", False),
    ],
)
def test_a_count_that_is_not_whole_is_a_warning(indicator: str, cell: str, warned: bool):
    v = check(f"指标,年份,数值\n{indicator},2020,{cell}\n")
    assert v.errors == []
    assert where(v.warnings) == ([("fractional_count", 2, "数值")] if warned else [])
    assert len(v.frame) == 1


def _store_is_empty(engine: Engine) -> bool:
    with read_session(engine) as s:
        counts = [s.scalar(select(func.count()).select_from(t)) for t in (Observation, Target)]
    return counts == [0, 0]


def test_no_inf_or_nan_reaches_the_store_from_a_file(engine: Engine):
    result = load(
        engine, "指标,年份,数值,单位,目标值\n应急演练,2020,1e308,万次,\n应急演练,2021,1,,1e308\n"
    )
    assert result.status == "rejected"
    assert sorted(where(result.errors)) == [
        ("value_out_of_range", 2, "数值"),
        ("value_out_of_range", 3, "目标值"),
    ]
    assert _store_is_empty(engine)


@pytest.mark.parametrize("bad", [math.inf, -math.inf, 1e300])
def test_no_inf_or_nan_reaches_the_store_from_a_frame(engine: Engine, bad: float):
    # The report reader and the sample loader hand the pipeline a frame, not a file.
    frame = pd.DataFrame(
        {
            "row": [1],
            "indicator_code": ["safety.drills"],
            "year": [2020],
            "region": ["全市"],
            "value": [bad],
        }
    ).reindex(columns=FRAME_COLUMNS)
    with write_session(engine) as session:
        result = load_frame(session, frame, source_name="r", sha256="0" * 64, options=LoadOptions())
        session.rollback()
    assert where(result.errors) == [("value_out_of_range", 1, None)]
    assert _store_is_empty(engine)


def test_a_region_longer_than_its_column_is_a_validation_error(engine: Engine):
    long_region = "东" * 101
    result = load(
        engine, f"指标,年份,数值,区县\n应急演练,2020,1,东区\n应急演练,2020,2,{long_region}\n"
    )
    assert result.status == "rejected"
    assert where(result.errors) == [("text_too_long", 3, "区县")]
    assert "101" in result.errors[0].message and "100" in result.errors[0].message
    assert _store_is_empty(engine)


def test_a_region_as_long_as_its_column_loads(engine: Engine):
    # 100 characters, some outside the BMP: PostgreSQL counts characters, not bytes.
    region = "𬱖㐀" * 50
    result = load(engine, f"指标,年份,数值,地区\n应急演练,2020,1,{region}\n")
    assert result.status == "loaded", result.errors
    assert stored_figures(engine) == {("safety.drills", 2020, region): (1.0, None)}


def test_fractional_counts_warn_once_per_indicator_not_once_per_row():
    rows = "".join(f"应急演练,{2000 + i},{i}.5\n" for i in range(8))
    v = check("指标,年份,数值\n" + rows + "行政审批,2020,3.5\n")
    assert where(v.warnings) == [("fractional_count", 2, "数值"), ("fractional_count", 10, "数值")]
    assert "第 2、3、4、5、6 行 等 8 处" in v.warnings[0].message

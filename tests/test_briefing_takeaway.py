"""One-line takeaways: table-driven, one row per case a slide can meet."""

from __future__ import annotations

import math

import pytest

from briefing.takeaway import (
    format_value,
    series_takeaway,
    target_takeaway,
    yoy_takeaway,
)
from texts import safe_file_stem


@pytest.mark.parametrize(
    ("current", "previous", "direction", "unit", "text", "tone"),
    [
        (112.3, 100, "up", "处", "同比增长 12.3%", "good"),
        (87.7, 100, "up", "处", "同比下降 12.3%", "bad"),
        (2, 3, "down", "起", "同比下降 33.3%", "good"),  # fewer accidents is good news
        (4, 3, "down", "起", "同比增长 33.3%", "bad"),
        (100, 100, "up", "处", "与上年持平", "neutral"),
        (93.4, 92.2, "up", "%", "同比提高 1.2 个百分点", "good"),  # rates move in points
        (91.0, 92.2, "up", "%", "同比下降 1.2 个百分点", "bad"),
        (5, 0, "up", "次", "上年为 0，本年 5次", "good"),
        (0, 0, "down", "起", "与上年持平（均为 0）", "neutral"),
        (5, None, "up", "次", "上年无数据，无法同比", "neutral"),
        (5, math.nan, "up", "次", "上年无数据，无法同比", "neutral"),
    ],
)
def test_yoy_takeaway(
    current: float, previous: float | None, direction: str, unit: str, text: str, tone: str
) -> None:
    result = yoy_takeaway(current, previous, direction=direction, unit=unit)
    assert (result.text, result.tone) == (text, tone)


@pytest.mark.parametrize(
    ("value", "target", "direction", "text", "tone"),
    [
        (1023, 1000, "up", "完成目标 102.3%", "good"),
        (950, 1000, "up", "完成目标 95.0%", "bad"),
        (2, 3, "down", "控制在目标（3）以内", "good"),
        (5, 3, "down", "超出控制目标 2", "bad"),
    ],
)
def test_target_takeaway(value: float, target: float, direction: str, text: str, tone: str) -> None:
    result = target_takeaway(value, target, direction=direction)
    assert result is not None
    assert (result.text, result.tone) == (text, tone)


def test_no_target_no_line() -> None:
    assert target_takeaway(5, None, direction="up") is None
    assert target_takeaway(5, math.nan, direction="up") is None


@pytest.mark.parametrize(
    ("value", "unit", "qualifier", "text"),
    [
        # the dashboard's one format: no space before the unit, scaled numbers 2 decimals
        (1234, "处", None, "1,234处"),
        (12345, "处", None, "1.23万处"),
        (123456, "件", None, "12.35万件"),
        (51000, "件", None, "5.10万件"),
        (1.5e8, "件", None, "1.50亿件"),
        (95.64, "%", None, "95.6%"),
        (32000, "辆次", "more_than", "≥3.20万辆次"),
        (300, "人", "about", "≈300人"),
    ],
)
def test_format_value(value: float, unit: str, qualifier: str | None, text: str) -> None:
    assert format_value(value, unit, qualifier) == text


def test_series_takeaway_uses_latest_year_and_its_predecessor() -> None:
    result = series_takeaway(
        [2025, 2023, 2024], [1100, 900, 1000], direction="up", unit="处", target=1000
    )
    assert result.text == "2025年 1,100处，同比增长 10.0%，完成目标 110.0%"
    assert result.tone == "good"


def test_series_takeaway_gap_year_is_not_compared_with_an_older_one() -> None:
    result = series_takeaway([2022, 2024], [10, 20], direction="up", unit="个")
    assert result.text == "2024年 20个，上年无数据，无法同比"


def test_series_takeaway_empty() -> None:
    assert series_takeaway([2024], [math.nan], direction="up", unit="个").text == "所选年份暂无数据"


@pytest.mark.parametrize(
    ("parts", "stem"),
    [
        (("2016-2025", "安全监管", "排查治理安全隐患"), "2016-2025_安全监管_排查治理安全隐患"),
        (("2016-2025", '"两客一危"车辆/抽查'), "2016-2025_两客一危-车辆-抽查"),
        (("a b", ""), "a-b"),
    ],
)
def test_safe_file_stem(parts: tuple[str, ...], stem: str) -> None:
    assert safe_file_stem(*parts) == stem

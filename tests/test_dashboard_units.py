"""Pure pieces of the dashboard: number formats, labels, chart builders (no Streamlit, no DB).

Table-driven: one row per form a reader sees — 万/亿 in Chinese, separators in English,
≥/≈ qualifiers, percentage points for rates, file names for the PNG download.
"""

from __future__ import annotations

import re
import string

import pandas as pd
import plotly.graph_objects as go
import pytest

from charts import figures as charts
from charts.numbers import axis_scale, format_change, format_number, format_value
from texts import CATALOG, localized, unit_label

FORMATS = [
    # value, unit, lang, qualifier, code, expected
    (1650, "处", "zh", None, None, "1,650处"),
    (32100, "件", "zh", None, None, "3.21万件"),
    (339_678_000, "件", "zh", None, None, "3.40亿件"),
    (120_000_000, "元", "zh", None, None, "1.20亿元"),
    (31000, "件", "zh", "more_than", None, "≥3.10万件"),
    (300, "人", "zh", "about", None, "≈300人"),
    (93.3, "%", "zh", None, None, "93.3%"),
    (0, "起", "zh", None, None, "0起"),
    (None, "件", "zh", None, None, "—"),
    (float("nan"), "件", "en", None, None, "—"),
    (32100, "件", "en", None, None, "32,100 items"),
    (339_678_000, "件", "en", None, None, "339.68 million items"),
    (1650, "处", "en", "more_than", None, "≥1,650 sites"),
    (95181, "辆次", "en", None, "epidemic.vehicles_checked", "95,181 vehicles"),
    (36, "个", "en", None, "service.card_cities", "36 cities"),
    (12.5, "平方米", "en", None, None, "12.5 m²"),
]


@pytest.mark.parametrize(("value", "unit", "lang", "qualifier", "code", "expected"), FORMATS)
def test_format_value(value, unit, lang, qualifier, code, expected) -> None:  # type: ignore[no-untyped-def]
    assert format_value(value, unit, lang, qualifier=qualifier, code=code) == expected


@pytest.mark.parametrize(
    ("value", "lang", "expected"),
    [
        # one precision rule: scaled numbers always two decimals (5.10万 beside 5.03万)
        (51_000, "zh", "5.10万"),
        (50_300, "zh", "5.03万"),
        (9_999, "zh", "9,999"),
        (2.5e9, "zh", "25.00亿"),
        (12.25, "zh", "12.2"),
        # one English wording for large numbers, on cards too (no "339.7M")
        (339_678_000, "en", "339.68 million"),
        (2.5e9, "en", "2.50 billion"),
        (999_999, "en", "999,999"),
    ],
)
def test_one_number_format(value: float, lang: str, expected: str) -> None:
    assert format_number(value, lang) == expected


@pytest.mark.parametrize(
    ("change", "kind", "lang", "expected"),
    [
        (5.26, "pct", "zh", "+5.3%"),
        (-34.45, "pct", "en", "-34.5%"),
        (1.2, "pp", "zh", "+1.2个百分点"),
        (-0.7, "pp", "en", "-0.7 pp"),
        (0.0, "pct", "zh", "持平"),
        (0.01, "pct", "en", "no change"),
        (None, "pct", "zh", ""),
    ],
)
def test_format_change(change: float | None, kind: str, lang: str, expected: str) -> None:
    assert format_change(change, kind, lang) == expected


@pytest.mark.parametrize(
    ("top", "unit", "lang", "divisor", "label"),
    [
        (800, "件", "zh", 1, "件"),
        (320_000, "辆次", "zh", 1e4, "万辆次"),
        (3.4e8, "件", "zh", 1e8, "亿件"),
        (3.4e8, "件", "en", 1e6, "million items"),
        (97.0, "%", "en", 1, "%"),
    ],
)
def test_axis_scale(top: float, unit: str, lang: str, divisor: float, label: str) -> None:
    scale = axis_scale(top, unit, lang)
    assert (scale.divisor, scale.label) == (divisor, label)


def test_every_label_has_both_languages_with_the_same_placeholders() -> None:
    fields = string.Formatter()
    for key, (zh, en) in CATALOG.items():
        assert zh and en, key
        names = {f for _, f, _, _ in fields.parse(zh) if f}
        assert names == {f for _, f, _, _ in fields.parse(en) if f}, key
    assert localized("overview.caption", "en", year=2025, scope="city-wide").startswith(
        "Reporting year 2025"
    )


def test_every_catalog_unit_has_an_english_word() -> None:
    from db.catalog import read_catalog_file

    for spec in read_catalog_file()["indicators"]:
        english = unit_label(spec["unit"], "en", code=spec["code"])
        assert english and not re.search(r"[\u4e00-\u9fff]", english), spec["code"]


@pytest.mark.parametrize(
    ("subject", "years", "extra", "expected"),
    [
        ("排查治理安全隐患", (2016, 2025), "", "排查治理安全隐患_2016-2025年"),
        ("安全监管", (2018, 2022), "分地区", "安全监管_分地区_2018-2022年"),
        ("Safety hazards found and fixed", (2020, 2020), "", "Safety_hazards_found_and_fixed_2020"),
        ('a/b:c*?"<>|', None, "", "a_b_c"),
    ],
)
def test_chart_filename(subject: str, years, extra: str, expected: str) -> None:  # type: ignore[no-untyped-def]
    assert charts.chart_filename(subject, years, extra=extra) == expected


def test_trend_chart_units_targets_and_qualifiers() -> None:
    df = pd.DataFrame(
        {
            "year": [2019, 2020, 2021],
            "value": [3.1e5, 3.3e5, 3.6e5],
            "qualifier": [None, "more_than", None],
        }
    )
    targets = pd.DataFrame({"year": [2021], "target": [3.5e5]})
    fig = charts.trend_chart(df, title="查验车辆", unit="辆次", targets=targets)
    assert isinstance(fig, go.Figure)
    assert fig.layout.yaxis.title.text == "万辆次"
    line, target = fig.data
    assert list(line.y) == pytest.approx([31, 33, 36])
    assert line.customdata[1] == "≥33.00万辆次"  # in the axis unit
    assert list(line.marker.symbol) == ["circle", "circle-open", "circle"]
    assert target.name == "目标值"


def test_plotly_labels_never_carry_markup() -> None:
    df = pd.DataFrame({"region": ["<b>东区</b>", "西区"], "value": [3.0, 4.0]})
    fig = charts.region_bar(df, title="<a href='x'>t</a>", unit="次")
    assert "<b>" not in "".join(fig.data[0].y)
    assert "<a" not in fig.layout.title.text


def test_small_multiples_keep_rates_and_counts_apart() -> None:
    indicators = pd.DataFrame(
        {
            "code": ["a", "b"],
            "name_zh": ["隐患", "优良路率"],
            "name_en": ["Hazards", "Roads"],
            "unit": ["处", "%"],
        }
    )
    series = pd.DataFrame(
        {"code": ["a", "a", "b", "b"], "year": [2020, 2021, 2020, 2021],
         "value": [1000.0, 1200.0, 90.0, 91.0], "qualifier": [None] * 4, "region": ["全市"] * 4}
    )  # fmt: skip
    fig = charts.category_small_multiples(series, indicators, title="安全监管", category="safety")
    assert [a.text for a in fig.layout.annotations] == ["隐患（处）", "优良路率（%）"]
    # the unit is stated once, horizontally, in the panel's own title (not a rotated axis
    # title that sat against the neighbouring panel)
    assert not fig.layout.yaxis.title.text and not fig.layout.yaxis2.title.text
    assert fig.data[1].xaxis == "x2" and fig.data[1].yaxis == "y2"


def test_heatmap_builds() -> None:
    matrix = pd.DataFrame([[4.0, None], [None, 2.0]], index=["甲", "乙"], columns=[2020, 2021])
    fig = charts.coverage_heatmap(matrix, title="覆盖", count_label="地区数", full=4)
    assert fig.data[0].z[0][1] is None  # a gap stays a gap
    assert fig.data[0].zmax == 4

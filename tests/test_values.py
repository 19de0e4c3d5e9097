"""Value forms, unit conversion and header vocabulary: one parametrize row per form."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from etl import values as values_module
from etl.units import column_role, header_year, split_header_unit, table_unit, unit_factor
from etl.values import ParsedValue, parse_value, parse_value_series


@pytest.mark.parametrize(
    ("text", "value", "qualifier", "unit"),
    [
        ("12345", 12345, None, None),
        ("  12345  ", 12345, None, None),
        ("12,345", 12345, None, None),
        ("1,234,567.5", 1234567.5, None, None),
        ("１２３４５", 12345, None, None),
        ("１２，３４５．５", 12345.5, None, None),
        ("\u300012345\u3000", 12345, None, None),
        ("3.2万", 32000, None, None),
        ("1.5亿", 150_000_000, None, None),
        ("2千", 2000, None, None),
        ("95.6%", 95.6, None, "%"),
        ("95.6％", 95.6, None, "%"),
        ("1200余", 1200, "more_than", None),
        ("1200多", 1200, "more_than", None),
        ("300多人", 300, "more_than", "人"),
        ("1200人以上", 1200, "more_than", "人"),
        ("2万余", 20000, "more_than", None),
        ("3余万", 30000, "more_than", None),
        ("3余万辆次", 30000, "more_than", "辆次"),
        ("约300", 300, "about", None),
        ("大约300", 300, "about", None),
        ("300左右", 300, "about", None),
        ("≥1200", 1200, "more_than", None),
        ("≈300", 300, "about", None),
        ("3.2万件", 32000, None, "件"),
        ("3万平米", 30000, None, "平米"),
        ("0", 0, None, None),
        ("-5", -5, None, None),
        ("0.5", 0.5, None, None),
        (".5", 0.5, None, None),
    ],
)
def test_parse_value_forms(text: str, value: float, qualifier: str | None, unit: str | None):
    assert parse_value(text) == ParsedValue(float(value), qualifier, unit)


@pytest.mark.parametrize(
    "text",
    ["", "   ", "abc", "12,3a", "12,34", "1.2.3", "—", "-", "/", "近300", "约300余", "万", "%"],
)
def test_parse_value_rejects(text: str):
    assert parse_value(text) is None


def test_magnitudes_are_exact():
    # 3.2 * 10000 in floats is 32000.000000000004; reloads compare values for "unchanged".
    assert parse_value("3.2万").value == 32000.0
    assert parse_value("1.1亿").value == 110_000_000.0


@pytest.mark.parametrize("dtype", ["str", object])
def test_parse_value_series_mixed_column(dtype):
    s = pd.Series(
        ["1", " 12 ", "12,345", "3.2万", None, "", "x", "95.6%", "inf", "1200余"], dtype=dtype
    )
    out = parse_value_series(s)
    assert list(out.columns) == ["value", "qualifier", "unit", "ok"]
    assert out["value"].dtype == "float64"
    assert out["qualifier"].dtype == object
    assert out["unit"].dtype == object
    assert out["ok"].dtype == bool
    assert out["ok"].tolist() == [True, True, True, True, False, False, False, True, False, True]
    np.testing.assert_array_equal(
        out["value"].to_numpy(),
        [1, 12, 12345, 32000, np.nan, np.nan, np.nan, 95.6, np.nan, 1200],
    )
    assert out["unit"].tolist()[7] == "%"
    assert out["qualifier"].tolist()[9] == "more_than"
    assert out["unit"].tolist()[0] is None


def test_parse_value_series_keeps_index():
    s = pd.Series(["1", "2万"], index=[10, 20], dtype="str")
    assert parse_value_series(s).index.tolist() == [10, 20]


def test_parse_value_series_parses_each_distinct_leftover_once(monkeypatch):
    calls: list[str] = []
    real = values_module.parse_value

    def counting(text: str):
        calls.append(text)
        return real(text)

    monkeypatch.setattr(values_module, "parse_value", counting)
    s = pd.Series(
        ["3余万"] * 5000 + ["12"] * 5000 + ["约5"] * 10 + ["1,234", "3.2万", "95.6%"] * 100,
        dtype="str",
    )
    out = parse_value_series(s)
    assert out["ok"].all()
    # 12,345 · 3.2万 · 95.6% are common enough to be converted column-wise, not one by one.
    assert sorted(calls) == ["3余万", "约5"]
    assert out["value"].tolist()[-3:] == [1234.0, 32000.0, 95.6]
    assert out["unit"].tolist()[-3:] == [None, None, "%"]


def test_parse_value_series_empty():
    out = parse_value_series(pd.Series([], dtype="str"))
    assert out.empty and list(out.columns) == ["value", "qualifier", "unit", "ok"]


@pytest.mark.parametrize(
    ("unit", "canonical", "factor"),
    [
        (None, "件", 1.0),
        ("", "件", 1.0),
        ("  ", "件", 1.0),
        ("件", "件", 1.0),
        ("万件", "件", 1e4),
        ("亿件", "件", 1e8),
        ("亿元", "元", 1e8),
        ("万元", "元", 1e4),
        ("万", "件", 1e4),
        ("平米", "平方米", 1.0),
        ("㎡", "平方米", 1.0),
        ("万平米", "平方米", 1e4),
        ("万平方米", "平方米", 1e4),
        ("万株", "株", 1e4),
        ("万米", "米", 1e4),
        ("公里", "米", 1e3),
        ("千米", "米", 1e3),
        ("km", "米", 1e3),
        ("万公里", "米", 1e7),
        ("万辆次", "辆次", 1e4),
        ("万人次", "人次", 1e4),
        ("%", "%", 1.0),
        ("％", "%", 1.0),
        ("（万件）", "件", 1e4),
        ("人", "名", 1.0),
    ],
)
def test_unit_factor_converts(unit, canonical, factor):
    assert unit_factor(unit, canonical) == factor


@pytest.mark.parametrize(
    ("unit", "canonical"),
    [
        ("%", "件"),
        ("件", "%"),
        ("万", "%"),
        ("万%", "%"),
        ("辆", "件"),
        ("元", "件"),
        ("人次", "人"),
        ("米", "平方米"),
        ("abc", "件"),
    ],
)
def test_unit_factor_refuses(unit, canonical):
    assert unit_factor(unit, canonical) is None


@pytest.mark.parametrize(
    ("header", "name", "unit"),
    [
        ("数值", "数值", None),
        (" 数值 ", "数值", None),
        ("数值(万件)", "数值", "万件"),
        ("数值（万件）", "数值", "万件"),
        ("数值 (万件)", "数值", "万件"),
        ("数值【万元】", "数值", "万元"),
        ("2020年(万件)", "2020年", "万件"),
        ("2020年（%）", "2020年", "%"),
        ("数值（单位：万件）", "数值", "万件"),
        ("value (unit: 万元)", "value", "万元"),
    ],
)
def test_split_header_unit(header, name, unit):
    assert split_header_unit(header) == (name, unit)


@pytest.mark.parametrize(
    ("header", "role"),
    [
        ("指标", "indicator"),
        ("指标名称", "indicator"),
        ("Indicator", "indicator"),
        ("indicator_code", "indicator"),
        ("年份", "year"),
        ("年度", "year"),
        ("YEAR", "year"),
        ("数值", "value"),
        ("值", "value"),
        ("数值(万件)", "value"),
        ("Value", "value"),
        ("单位", "unit"),
        ("地区", "region"),
        ("区域", "region"),
        ("类别", "category"),
        ("分类", "category"),
        ("备注", "note"),
        ("说明", "note"),
        ("目标值", "target"),
        ("目标", "target"),
        ("序号", None),
        ("2020年", None),
    ],
)
def test_column_role(header, role):
    assert column_role(header)[0] == role


@pytest.mark.parametrize(
    ("header", "year"),
    [
        ("2018", 2018),
        ("2019年", 2019),
        ("2020年度", 2020),
        ("2020年(万件)", 2020),
        ("２０２０年", 2020),
        ("2020.0", 2020),
        ("数值", None),
        ("2020年交通运输质量指标统计表", None),
        ("20201", None),
    ],
)
def test_header_year(header, year):
    assert header_year(header) == year


def test_table_unit_from_title_line():
    assert table_unit(["2020年交通运输质量指标统计表", "单位：万元"]) == "万元"
    assert table_unit(["统计表  计量单位:万件"]) == "万件"
    assert table_unit(["2020年交通运输质量指标统计表"]) is None


# ---------------------------------------------------------------- issue 9: magnitudes

MAGNITUDES = [
    ("3万", 3e4, None, None),
    ("3十万", 3e5, None, None),
    ("1.2百万", 1.2e6, None, None),
    ("5千万", 5e7, None, None),
    ("2亿", 2e8, None, None),
    ("1.5万亿", 1.5e12, None, None),
    ("１．２百万", 1.2e6, None, None),
    ("３十万", 3e5, None, None),
    ("５千万余", 5e7, "more_than", None),
    ("3百万余", 3e6, "more_than", None),
    ("300余万", 3e6, "more_than", None),
    ("约2万亿", 2e12, "about", None),
    ("约１十万", 1e5, "about", None),
    ("大约3百万", 3e6, "about", None),
    ("1.5千万元", 1.5e7, None, "元"),
    ("2百万辆次", 2e6, None, "辆次"),
    ("1.1千万", 11_000_000, None, None),  # exactly, not 11000000.000000002
]


@pytest.mark.parametrize(("text", "value", "qualifier", "unit"), MAGNITUDES)
def test_magnitudes_shi_bai_qian_wan_and_wanyi_parse(text, value, qualifier, unit):
    assert parse_value(text) == ParsedValue(float(value), qualifier, unit)


def test_magnitudes_parse_the_same_in_a_column():
    out = parse_value_series(pd.Series([m[0] for m in MAGNITUDES], dtype="str"))
    assert out["ok"].all()
    assert out["value"].tolist() == [float(m[1]) for m in MAGNITUDES]
    assert out["qualifier"].tolist() == [m[2] for m in MAGNITUDES]


@pytest.mark.parametrize(
    ("unit", "canonical", "factor"),
    [
        ("万元", "元", 1e4),
        ("十万元", "元", 1e5),
        ("百万元", "元", 1e6),
        ("千万元", "元", 1e7),
        ("亿元", "元", 1e8),
        ("万亿元", "元", 1e12),
        ("十万件", "件", 1e5),
        ("百万人次", "人次", 1e6),
        ("百万平方米", "平方米", 1e6),
        ("千万", "件", 1e7),
        ("百万％", "%", None),
    ],
)
def test_magnitudes_as_unit_prefixes(unit, canonical, factor):
    assert unit_factor(unit, canonical) == factor


# ---------------------------------------------------------------- issue 14: spaces in numbers


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("12 345", 12345),
        ("1 234 567", 1234567),
        ("12 345.5", 12345.5),
        ("-12 345", -12345),
        ("1 234万", 12_340_000),
        ("12\u00a0345", 12345),  # no-break space, as French-style software writes
        ("12\u3000345", 12345),  # ideographic space
        ("12\u202f345", 12345),  # narrow no-break space
        ("约 1 234", 1234),
        ("3.2 万", 32000),
    ],
)
def test_spaces_inside_a_number_group_thousands(text: str, value: float):
    got = parse_value(text)
    assert got is not None and got.value == float(value)


@pytest.mark.parametrize(
    "text", ["5 14", "70 70 15057", "1 23", "1234 567", "12 3456", "1.234 567", "12 345 67"]
)
def test_spaces_inside_a_number_that_do_not_group_thousands_are_refused(text: str):
    assert parse_value(text) is None
    out = parse_value_series(pd.Series([text, "12 345"], dtype="str"))
    assert out["ok"].tolist() == [False, True]

"""Small pieces the chart functions in :mod:`ui.charts` share: year axes, value scaling,
hover texts, and making catalog text safe for plotly's label markup. No Streamlit."""

from __future__ import annotations

import math

import pandas as pd

from ui.format import format_value
from ui.i18n import t


def year_axis(years: pd.Series | list[int], *, narrow: bool = False) -> dict:
    """Whole years as ticks; every year when they fit, else every 2nd or 5th."""
    values = [int(y) for y in years] if len(years) else [0]
    span = max(values) - min(values)
    room = 5 if narrow else 12
    step = 1 if span <= room else 2 if span <= 2 * room else 5
    return {"tickformat": "d", "dtick": step, "tick0": min(values)}


def plain(text: object) -> str:
    """Catalog or file text for a plotly label: plotly reads ``<b>``/``<a>`` tags in
    labels, so angle brackets are turned into entities it shows literally."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def max_abs(*columns: pd.Series) -> float:
    values = [float(c.abs().max()) for c in columns if c is not None and len(c.dropna())]
    return max(values) if values else math.nan


def hover_texts(
    values: pd.Series, qualifiers: pd.Series | None, unit: str, lang: str, code: str | None
) -> list[str]:
    qualifiers = qualifiers if qualifiers is not None else pd.Series([None] * len(values))
    return [
        format_value(v, unit, lang, qualifier=q, code=code)
        for v, q in zip(values, qualifiers, strict=True)
    ]


def year_title(lang: str, years: pd.Series) -> dict:
    return {"title": {"text": t("chart.year", lang)}, **year_axis(years)}


def small_count_axis(values: pd.Series) -> dict:
    """Whole-number ticks for small counts (no "2.5 accidents"); a flat zero line gets 0–1."""
    top = float(values.abs().max()) if len(values) else 0.0
    if top == 0:
        return {"range": [0, 1], "dtick": 1}
    if top <= 10 and (values.dropna() % 1 == 0).all():
        return {"dtick": 1 if top <= 6 else 2}
    return {}


def grid_height(rows: int) -> int:
    return 120 + 290 * rows


def bar_room(values: pd.Series, divisor: float) -> float:
    """Axis end leaving room for the value printed after the longest bar."""
    top = float(values.max()) / divisor if len(values) else 1.0
    return max(top * 1.25, 1.0)


def has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)

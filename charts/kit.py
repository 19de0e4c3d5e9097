"""Small pieces the chart functions in :mod:`charts.figures` share: year axes, value scaling,
hover texts, and making catalog text safe for plotly's label markup. No Streamlit."""

from __future__ import annotations

import math

import pandas as pd

from charts.numbers import AxisScale, axis_scale, format_in_scale
from charts.theme import MUTED_COLOR, TARGET_COLOR
from texts import localized


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


def wrap_title(text: str, width: int = 30) -> str:
    """A panel title broken onto lines of about ``width`` characters (``<br>``), after
    :func:`plain` — English names are long, and side-by-side titles would overlap."""
    words, lines, line = text.split(" "), [], ""
    if len(text) <= width or len(words) == 1:
        return plain(text)
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "<br>".join(plain(part) for part in lines)


def max_abs(*columns: pd.Series) -> float:
    values = [float(c.abs().max()) for c in columns if c is not None and len(c.dropna())]
    return max(values) if values else math.nan


def value_scale(
    *columns: pd.Series | None, unit: str, lang: str, code: str | None = None
) -> AxisScale:
    """THE display unit of a chart (or of one panel) showing ``columns``.

    Every chart builder asks this once and takes its title unit, axis title, hover and
    data labels from the answer, so a title never says 平方米 over an axis in 万平方米.
    """
    return axis_scale(max_abs(*(c for c in columns if c is not None)), unit, lang, code=code)


def hover_texts(
    values: pd.Series, qualifiers: pd.Series | None, scale: AxisScale, unit: str, lang: str
) -> list[str]:
    """Hover and data labels in the chart's display unit (``scale``)."""
    qualifiers = qualifiers if qualifiers is not None else pd.Series([None] * len(values))
    return [
        format_in_scale(v, scale, unit, lang, qualifier=q)
        for v, q in zip(values.tolist(), list(qualifiers), strict=True)
    ]


def year_title(lang: str, years: pd.Series) -> dict:
    return {"title": {"text": localized("chart.year", lang)}, **year_axis(years)}


def small_count_axis(values: pd.Series) -> dict:
    """Whole-number ticks for small counts (no "2.5 accidents"); a flat zero line gets 0–1."""
    top = float(values.abs().max()) if len(values) else 0.0
    if top == 0:
        return {"range": [0, 1], "dtick": 1}
    if top <= 10 and (values.dropna() % 1 == 0).all():
        return {"dtick": 1 if top <= 6 else 2}
    return {}


def grid_layout(
    rows: int,
    columns: int,
    titles: list[str],
    *,
    vertical_spacing: float,
    horizontal_spacing: float = 0.07,
) -> dict:
    """Axes and panel titles of a ``rows`` × ``columns`` grid, as a layout dict.

    What ``make_subplots`` computes, without building (and validating) a figure for it:
    panel ``i`` (row by row) uses axes ``x{i+1}``/``y{i+1}``, ``x``/``y`` for the first.
    """
    width = (1 - (columns - 1) * horizontal_spacing) / columns
    height = (1 - (rows - 1) * vertical_spacing) / rows
    layout: dict = {"annotations": []}
    for i, title in enumerate(titles):
        row, col = divmod(i, columns)
        suffix = "" if i == 0 else str(i + 1)
        left = col * (width + horizontal_spacing)
        top = 1 - row * (height + vertical_spacing)
        x_domain = [max(0.0, left), min(1.0, left + width)]  # float dust stays inside [0, 1]
        y_domain = [max(0.0, top - height), min(1.0, top)]
        layout[f"xaxis{suffix}"] = {"domain": x_domain, "anchor": f"y{suffix}"}
        layout[f"yaxis{suffix}"] = {"domain": y_domain, "anchor": f"x{suffix}"}
        layout["annotations"].append(
            {
                "text": title,
                "x": left + width / 2,
                "y": top,
                "xref": "paper",
                "yref": "paper",
                "xanchor": "center",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": 15},
            }
        )
    return layout


def vertical_marker(x: float, label: str) -> dict:
    """Layout keys for a dashed vertical line at ``x`` labelled on top (a target, 全市).

    What ``fig.add_vline`` draws, as plain layout (``add_vline`` alone cost ~10 ms).
    """
    return {
        "shapes": [
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": x,
                "x1": x,
                "y0": 0,
                "y1": 1,
                "line": {"color": TARGET_COLOR, "dash": "dash", "width": 2},
            }
        ],
        "annotations": [
            {
                "text": plain(label),
                "x": x,
                "y": 1,
                "xref": "x",
                "yref": "paper",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"color": MUTED_COLOR},
            }
        ],
    }


def grid_height(rows: int) -> int:
    return 120 + 290 * rows


def bar_room(values: pd.Series, divisor: float) -> float:
    """Axis end leaving room for the value printed after the longest bar."""
    top = float(values.max()) / divisor if len(values) else 1.0
    return max(top * 1.25, 1.0)


def has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)

"""Which charts a briefing pack can contain, and the figure for each.

A chart is named by a stable id that the page, the CLI (``--charts``) and file names use:

* ``targets`` — 目标完成情况: each indicator with a target, its completion in the latest year;
* ``indicator:<code>`` — one indicator's city-wide figures by year, with its targets;
* ``category:<code>`` — a category at a glance: every indicator's change on last year,
  coloured by whether the change is good news for that indicator.

Figures are built from :class:`~briefing.data.BriefingData` frames only (no database, no
Streamlit). A figure comes without a title: a slide states the title as text, and
:func:`titled` adds title and source line for a stand-alone PNG.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from briefing import look
from briefing.content import SEPARATOR, safe_file_stem
from briefing.data import BriefingData
from briefing.takeaway import (
    Takeaway,
    format_number,
    series_takeaway,
    yoy_percent,
)

HEADLINE_INDICATORS = (
    "business.approvals",
    "service.express_volume",
    "safety.hazards_fixed",
    "safety.road_excellence_rate",
    "safety.drills",
    "construction.inspections",
)
"""The overview's headline figures; a default pack charts each of them."""

TARGETS_ID = "targets"


class UnknownChartError(ValueError):
    """A chart id that names no chart (the CLI lists the valid ones)."""


@dataclass(frozen=True)
class ChartDef:
    chart_id: str
    title: str  # "排查治理安全隐患（处）"
    group: str  # category name, or "综合"


@dataclass(frozen=True)
class BuiltChart:
    chart: ChartDef
    figure: go.Figure  # no title; see titled()
    takeaway: Takeaway
    subtitle: str
    source: str
    file_stem: str


def chart_catalogue(data: BriefingData) -> list[ChartDef]:
    """Every chart a pack can contain, in reading order: targets, categories, indicators."""
    catalog = data.catalog
    charts = [ChartDef(TARGETS_ID, "年度目标完成情况", "综合")]
    for cat in sorted(catalog.categories.values(), key=lambda c: c.order):
        charts.append(
            ChartDef(f"category:{cat.code}", f"{cat.name_zh}：各指标同比变化", cat.name_zh)
        )
    for cat in sorted(catalog.categories.values(), key=lambda c: c.order):
        for spec in catalog.by_category(cat.code):
            title = f"{spec.name_zh}（{spec.unit}）"
            charts.append(ChartDef(f"indicator:{spec.code}", title, cat.name_zh))
    return charts


def default_chart_ids(data: BriefingData) -> list[str]:
    """The overview's headline charts, then one chart per category — 12 or more."""
    ids = [TARGETS_ID]
    ids += [f"indicator:{c}" for c in HEADLINE_INDICATORS if c in data.catalog.indicators]
    ids += [
        f"category:{c.code}"
        for c in sorted(data.catalog.categories.values(), key=lambda c: c.order)
    ]
    return ids


def resolve_chart_ids(data: BriefingData, wanted: list[str] | None) -> list[ChartDef]:
    """The charts for ``wanted`` ids (default set when None); unknown ids raise."""
    by_id = {c.chart_id: c for c in chart_catalogue(data)}
    ids = default_chart_ids(data) if wanted is None else wanted
    unknown = [i for i in ids if i not in by_id]
    if unknown:
        raise UnknownChartError(", ".join(unknown))
    return [by_id[i] for i in dict.fromkeys(ids)]


def _in_range(frame: pd.DataFrame, years: tuple[int, int]) -> pd.DataFrame:
    return frame[frame["year"].between(years[0], years[1])]


def axis_scale(values: pd.Series, unit: str) -> tuple[float, str]:
    """Divisor and unit prefix so an axis reads 5.03 万件 rather than 50.3k (plotly's SI)."""
    top = float(values.abs().max()) if len(values) else 0.0
    if unit == "%" or unit.startswith(("万", "亿")):
        return 1.0, ""
    if top >= 1e8:
        return 1e8, "亿"
    if top >= 1e4:
        return 1e4, "万"
    return 1.0, ""


def _value_labels(frame: pd.DataFrame, unit: str, divisor: float) -> list[str]:
    marks = ["≥" if q == "more_than" else "≈" if q == "about" else "" for q in frame["qualifier"]]
    values = frame["value"] / divisor
    if unit == "%":
        texts = [f"{v:.1f}" for v in values]
    elif divisor > 1:
        texts = [f"{v:,.2f}" for v in values]
    else:
        texts = [format_number(v) for v in values]
    return [m + t for m, t in zip(marks, texts, strict=True)]


def indicator_figure(data: BriefingData, code: str) -> tuple[go.Figure, Takeaway, list[int]]:
    spec = data.spec(code)
    full = data.indicator_series(code)
    shown = _in_range(full, data.years)
    if shown.empty:
        return look.apply(look.empty_figure()), Takeaway("所选年份暂无数据"), []
    targets = _in_range(data.targets[data.targets["indicator_code"] == code], data.years)
    colour = look.category_colour(data.catalog, spec.category)
    years = [str(int(y)) for y in shown["year"]]
    divisor, prefix = axis_scale(pd.concat([shown["value"], targets["target"]]), spec.unit)
    labels = _value_labels(shown, spec.unit, divisor)
    name = look.plain(spec.name_zh)
    fig = go.Figure()
    if spec.aggregation == "mean" or spec.unit == "%":
        # a rate: a line, and an axis that does not start at zero (the change is the point)
        fig.add_scatter(
            x=years, y=shown["value"] / divisor, mode="lines+markers+text", name=name, text=labels,
            textposition="top center", line={"color": colour, "width": 4}, marker={"size": 12},
        )  # fmt: skip
    else:
        # with target marks near the bar tops, the figures go inside, at the bar bases
        inside = not targets.empty
        fig.add_bar(
            x=years, y=shown["value"] / divisor, name=name, marker_color=colour, text=labels,
            textposition="inside" if inside else "outside", insidetextanchor="start", textangle=0,
            textfont={"color": "white"} if inside else None, cliponaxis=False,
        )  # fmt: skip
        fig.update_yaxes(rangemode="tozero")
    if not targets.empty:
        fig.add_scatter(
            x=[str(int(y)) for y in targets["year"]], y=targets["target"] / divisor, mode="markers",
            name="目标值", marker={"symbol": "line-ew-open", "size": 46, "color": look.TARGET,
                                   "line": {"width": 4}},
        )  # fmt: skip
    fig.update_layout(showlegend=not targets.empty, xaxis_type="category")
    fig.update_yaxes(title_text=f"{prefix}{spec.unit}", tickformat=",")
    takeaway = series_takeaway(
        full["year"], full["value"], direction=spec.direction, unit=spec.unit,
        target=data.target_for(code, int(shown["year"].max())),
        qualifier=shown["qualifier"].iloc[-1],
    )  # fmt: skip
    return look.apply(fig), takeaway, _batch_ids(shown)


def _padded_range(values: list[float], *, include: float = 0.0) -> list[float]:
    """An axis range with room for the labels outside the bar ends."""
    lo, hi = min([*values, include]), max([*values, include])
    pad = (hi - lo or 1.0) * 0.14
    return [lo - pad if lo < include else lo, hi + pad]


def category_figure(
    data: BriefingData, category: str
) -> tuple[go.Figure, Takeaway, list[int], int | None]:
    specs = data.catalog.by_category(category)
    codes = [s.code for s in specs]
    frame = data.series[data.series["indicator_code"].isin(codes)]
    frame = frame[frame["year"] <= data.years[1]]
    in_range = frame[frame["year"] >= data.years[0]]
    if in_range.empty:
        return look.apply(look.empty_figure()), Takeaway("所选年份暂无数据"), [], None
    year = int(in_range["year"].max())
    rows = []
    for spec in specs:
        series = frame[frame["indicator_code"] == spec.code].set_index("year")["value"]
        change = yoy_percent(series.get(year), series.get(year - 1))
        if change is None:
            continue
        good = change >= 0 if spec.direction != "down" else change <= 0
        rows.append((look.plain(spec.name_zh), change, good if abs(change) >= 0.05 else None))
    if not rows:
        fig = look.empty_figure(f"{year}年无可比较的上年数据")
        return look.apply(fig), Takeaway(f"{year}年暂无可同比的指标"), _batch_ids(in_range), year
    rows.reverse()  # plotly draws the first bar at the bottom; read top-down in catalog order
    colours = [look.GOOD if g else look.BAD if g is False else look.NEUTRAL for _, _, g in rows]
    fig = go.Figure(
        go.Bar(
            y=[r[0] for r in rows], x=[r[1] for r in rows], orientation="h",
            marker_color=colours, text=[f"{r[1]:+.1f}%" for r in rows],
            textposition="outside", cliponaxis=False,
        )
    )  # fmt: skip
    fig.add_vline(x=0, line_width=2, line_color=look.AXIS)
    fig.update_xaxes(
        title_text=f"{year}年同比变化（%）", ticksuffix="%", zeroline=False,
        range=_padded_range([r[1] for r in rows]),
    )  # fmt: skip
    fig.update_layout(showlegend=False)
    better = sum(1 for *_, g in rows if g)
    takeaway = Takeaway(
        f"{year}年 {len(rows)} 项指标中 {better} 项向好",
        "good" if better * 2 >= len(rows) else "bad",
    )
    used = in_range[in_range["year"].isin([year, year - 1])]
    return look.apply(fig), takeaway, _batch_ids(used), year


def targets_figure(data: BriefingData) -> tuple[go.Figure, Takeaway, list[int], int | None]:
    targets = _in_range(data.targets, data.years)
    merged = targets.merge(data.series, on=["indicator_code", "year"], how="inner")
    if merged.empty:
        fig = look.empty_figure("所选年份未设定目标值")
        return look.apply(fig), Takeaway("所选年份未设定目标值"), [], None
    year = int(merged["year"].max())
    latest = merged[merged["year"] == year]
    rows = []
    for _, row in latest.iterrows():
        spec = data.spec(row["indicator_code"])
        if spec.direction == "down":
            met = row["value"] <= row["target"]
            rate = 100.0 if met else row["target"] / row["value"] * 100 if row["value"] else 0.0
        else:
            rate = row["value"] / row["target"] * 100 if row["target"] else 0.0
            met = rate >= 100
        rows.append((spec.order, look.plain(spec.name_zh), rate, met))
    rows.sort(reverse=True)
    fig = go.Figure(
        go.Bar(
            y=[r[1] for r in rows], x=[r[2] for r in rows], orientation="h",
            marker_color=[look.GOOD if r[3] else look.BAD for r in rows],
            text=[f"{r[2]:.1f}%" for r in rows], textposition="inside", insidetextanchor="end",
            textfont={"color": "white"},
        )
    )  # fmt: skip
    fig.add_vline(x=100, line_width=2, line_dash="dash", line_color=look.TARGET)
    fig.update_xaxes(
        title_text="目标完成率（%）",
        ticksuffix="%",
        range=_padded_range([r[2] for r in rows] + [100]),
    )
    fig.update_layout(showlegend=False)
    met = sum(1 for r in rows if r[3])
    takeaway = Takeaway(
        f"{year}年 {len(rows)} 项目标完成 {met} 项", "good" if met == len(rows) else "bad"
    )
    return look.apply(fig), takeaway, _batch_ids(latest), year


def _batch_ids(frame: pd.DataFrame) -> list[int]:
    return sorted({int(b) for b in frame["batch_id"].dropna()})


def build_chart(data: BriefingData, chart: ChartDef) -> BuiltChart:
    """The figure, its takeaway and its source line for one chart of the pack."""
    kind, _, key = chart.chart_id.partition(":")
    year_text = f"{data.years[0]}—{data.years[1]}年"
    if kind == "indicator":
        fig, takeaway, batches = indicator_figure(data, key)
        spec = data.spec(key)
        agg = "各区平均" if spec.aggregation == "mean" else "全市合计"
        subtitle = SEPARATOR.join([chart.group, year_text, f"全市（{agg}）"])
    elif kind == "category":
        fig, takeaway, batches, year = category_figure(data, key)
        subtitle = SEPARATOR.join(
            [chart.group, f"{year}年与上年比较" if year else year_text, "全市"]
        )
    else:
        fig, takeaway, batches, year = targets_figure(data)
        subtitle = SEPARATOR.join([f"{year}年" if year else year_text, "全市", "有目标值的指标"])
    name = chart.title.split("（")[0].removeprefix(f"{chart.group}：").replace("：", "_")
    stem = safe_file_stem(f"{data.years[0]}-{data.years[1]}", chart.group, name)
    return BuiltChart(chart, fig, takeaway, subtitle, data.batch_label(batches), stem)


def titled(built: BuiltChart, *, height: int = 720) -> go.Figure:
    """The stand-alone version: title, subtitle and source line drawn into the picture."""
    fig = go.Figure(built.figure)
    return look.with_title(fig, built.chart.title, built.subtitle, built.source, height=height)

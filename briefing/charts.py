"""Which charts a briefing pack can contain, and the figure for each.

Charts are named by stable ids that the page, the CLI (``--charts``) and file names use:

* ``targets`` — 目标完成率: the overview's completion chart;
* ``indicator:<code>`` — one indicator's city-wide trend with its targets (the overview's
  KPI and the indicator page use the same chart);
* ``category:<code>`` — the by-category page's small multiples;
* ``change:<code>`` — a category at a glance for a leader: each indicator's change on
  last year, green when the change is good news for that indicator, red when not.

The first three are drawn by the dashboard's own builders in :mod:`charts.figures` (one
function makes a chart for the page and for the export); only ``change`` is
briefing-specific, drawn here in the same ``tqi`` template and colours. Nothing here
touches the database or Streamlit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from briefing.content import SEPARATOR
from briefing.data import BriefingData
from briefing.takeaway import Takeaway, Tone, series_takeaway
from charts import figures, theme
from charts.change import change_bars
from charts.kit import value_scale
from texts import safe_file_stem

TARGETS_ID = "targets"
SMALL_MULTIPLE_COLUMNS = 5  # 13 safety indicators fit a 16:9 slide in three rows


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
    figure: go.Figure  # without its title: the slide states it; see titled()
    takeaway: Takeaway
    subtitle: str
    source: str
    file_stem: str


def _categories(data: BriefingData) -> list[dict]:
    return data.categories.sort_values("order").to_dict("records")


def chart_catalogue(data: BriefingData) -> list[ChartDef]:
    """Every chart a pack can contain, in reading order."""
    charts = [ChartDef(TARGETS_ID, "年度目标完成情况", "综合")]
    for cat in _categories(data):
        charts.append(
            ChartDef(f"change:{cat['code']}", f"{cat['name_zh']}：各指标同比变化", cat["name_zh"])
        )
        charts.append(
            ChartDef(f"category:{cat['code']}", f"{cat['name_zh']}：分指标趋势", cat["name_zh"])
        )
    for ind in data.indicators.to_dict("records"):
        group = data.category_name(ind["category"])
        unit = indicator_unit(data, ind["code"], ind["unit"])
        charts.append(ChartDef(f"indicator:{ind['code']}", f"{ind['name_zh']}（{unit}）", group))
    return charts


def indicator_unit(data: BriefingData, code: str, unit: str) -> str:
    """The unit an indicator's chart is drawn in (万/亿 scaled), from the same function
    the chart's axis asks, so the slide title and the axis always agree."""
    series = data.indicator_series(code)
    return value_scale(series.get("value"), series.get("target"), unit=unit, lang="zh").label


def default_chart_ids(data: BriefingData) -> list[str]:
    """The overview's headline charts (completion, one per KPI card), then one per category."""
    kpis = data.overview.kpis
    codes = list(kpis["code"]) if len(kpis) else []
    ids = [TARGETS_ID, *(f"indicator:{c}" for c in codes)]
    return ids + [f"change:{cat['code']}" for cat in _categories(data)]


def resolve_chart_ids(data: BriefingData, wanted: list[str] | None) -> list[ChartDef]:
    """The charts for ``wanted`` ids (the default set when None); unknown ids raise."""
    by_id = {c.chart_id: c for c in chart_catalogue(data)}
    ids = default_chart_ids(data) if wanted is None else wanted
    unknown = [i for i in ids if i not in by_id]
    if unknown:
        raise UnknownChartError(", ".join(unknown))
    return [by_id[i] for i in dict.fromkeys(ids)]


def _no_data(message: str) -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(
        text=message, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False,
        font={"size": 26, "color": theme.MUTED_COLOR},
    )  # fmt: skip
    fig.update_layout(template=theme.TEMPLATE_NAME, xaxis_visible=False, yaxis_visible=False)
    return fig


def _improved(rows: pd.DataFrame, year: int) -> Takeaway:
    better = int((rows["favourable"] > 0).sum())
    return Takeaway(
        f"{year}年 {len(rows)} 项指标中 {better} 项向好",
        "good" if better * 2 >= len(rows) else "bad",
    )


def indicator_chart(data: BriefingData, code: str) -> tuple[go.Figure, Takeaway, list[int]]:
    spec = data.spec(code)
    series = data.indicator_series(code)
    if series.empty:
        return _no_data("所选年份暂无数据"), Takeaway("所选年份暂无数据"), []
    targets = series.dropna(subset=["target"])[["year", "target"]]
    fig = figures.trend_chart(
        series[["year", "value", "qualifier"]], title="", unit=spec["unit"], code=code,
        color=theme.category_color(spec["category"]), targets=targets,
    )  # fmt: skip
    last = series.iloc[-1]
    takeaway = series_takeaway(
        series["year"], series["value"], direction=spec["direction"], unit=spec["unit"],
        target=last["target"], qualifier=last["qualifier"],
    )  # fmt: skip
    return fig, takeaway, [int(y) for y in series["year"]]


def category_chart(data: BriefingData, category: str) -> tuple[go.Figure, Takeaway, int | None]:
    members = data.indicators[data.indicators["category"] == category]
    series = data.series[data.series["code"].isin(members["code"])]
    if series.empty:
        return _no_data("所选年份暂无数据"), Takeaway("所选年份暂无数据"), None
    frame = series[["code", "year", "value", "qualifier"]].assign(region="全市")
    fig = figures.category_small_multiples(
        frame, members, title="", category=category, columns=SMALL_MULTIPLE_COLUMNS
    )
    # five panels across a slide: a tick every year would run the labels together
    span = int(series["year"].max()) - int(series["year"].min()) + 1
    fig.update_xaxes(dtick=max(1, math.ceil(span / 4)))
    year = int(series["year"].max())
    movers = series[(series["year"] == year) & series["favourable"].notna()]
    takeaway = _improved(movers, year) if len(movers) else Takeaway(f"{year}年暂无可同比的指标")
    return fig, takeaway, year


def change_chart(data: BriefingData, category: str) -> tuple[go.Figure, Takeaway, int | None]:
    members = data.indicators[data.indicators["category"] == category]
    series = data.series[data.series["code"].isin(members["code"])]
    if series.empty:
        return _no_data("所选年份暂无数据"), Takeaway("所选年份暂无数据"), None
    year = int(series["year"].max())
    rows = series[(series["year"] == year) & series["change"].notna()]
    rows = members[["code", "name_zh"]].merge(rows, on="code")  # catalog order
    if rows.empty:
        message = f"{year}年无可比较的上年数据"
        return _no_data(message), Takeaway(message), year
    fig = change_bars(rows.assign(name_en=rows["name_zh"]), title="", year=year)
    return fig, _improved(rows, year), year


def targets_chart(data: BriefingData) -> tuple[go.Figure, Takeaway, int | None]:
    completion = data.overview.completion
    year = data.overview.year
    if completion is None or completion.empty or year is None:
        return _no_data("所选年份未设定目标值"), Takeaway("所选年份未设定目标值"), None
    fig = figures.completion_chart(completion, title="")
    met = int(completion["met"].fillna(False).astype(bool).sum())
    tone: Tone = "good" if met == len(completion) else "bad"
    return fig, Takeaway(f"{year}年 {len(completion)} 项目标完成 {met} 项", tone), year


def theme_safe(text: str) -> str:
    """Text safe in a plotly label: plotly reads a little HTML, names must not be markup."""
    return str(text).replace("<", "＜").replace(">", "＞")


def build_chart(data: BriefingData, chart: ChartDef) -> BuiltChart:
    """The figure, its takeaway, subtitle and source line for one chart of the pack."""
    kind, _, key = chart.chart_id.partition(":")
    first, last = data.years
    span = f"{first}—{last}年"
    if kind == "indicator":
        fig, takeaway, years = indicator_chart(data, key)
        agg = "各区平均" if data.spec(key)["aggregation"] == "mean" else "各区合计"
        subtitle = SEPARATOR.join([chart.group, span, f"全市（无全市数时{agg}）"])
        source = data.source_line([key], years)
    elif kind in ("category", "change"):
        build = category_chart if kind == "category" else change_chart
        fig, takeaway, year = build(data, key)
        when = span if kind == "category" else f"{year}年与上年比较" if year else span
        subtitle = SEPARATOR.join([chart.group, when, "全市"])
        codes = list(data.indicators.loc[data.indicators["category"] == key, "code"])
        source = data.source_line(
            codes, None if kind == "category" else [year or 0, (year or 0) - 1]
        )
    else:
        fig, takeaway, year = targets_chart(data)
        subtitle = SEPARATOR.join([f"{year}年" if year else span, "全市", "设有目标值的指标"])
        codes = list(data.overview.completion["code"]) if year else []
        source = data.source_line(codes, [year] if year else [])
    fig.update_layout(title={"text": ""}, margin={"t": 56})
    name = chart.title.split("（")[0].removeprefix(f"{chart.group}：").replace("：", "_")
    stem = safe_file_stem(f"{first}-{last}", chart.group, name)
    return BuiltChart(chart, fig, takeaway, subtitle, source, stem)


TITLE_MARGIN, SOURCE_MARGIN = 120, 96


def titled(built: BuiltChart, *, height: int = 720) -> go.Figure:
    """The stand-alone version: title, subtitle and source line drawn into the picture.

    ``height`` is the canvas height in CSS px; the source line is placed from it, just
    above the bottom edge (plotly annotations cannot be placed in container coordinates).
    """
    fig = go.Figure(built.figure)
    fig.update_layout(
        title={
            "text": theme_safe(built.chart.title),
            "subtitle": {"text": theme_safe(built.subtitle), "font": {"size": 16, "color": theme.MUTED_COLOR}},
            "x": 0.01, "xanchor": "left", "yref": "container", "y": 0.97, "yanchor": "top",
            "font": {"size": 28},
        },
        margin={"t": TITLE_MARGIN, "b": SOURCE_MARGIN},
    )  # fmt: skip
    plot_height = height - TITLE_MARGIN - SOURCE_MARGIN
    fig.add_annotation(
        text=theme_safe(built.source), xref="paper", yref="paper", x=0,
        y=-(SOURCE_MARGIN - 8) / plot_height, xanchor="left", yanchor="bottom",
        showarrow=False, font={"size": 13, "color": theme.MUTED_COLOR},
    )  # fmt: skip
    return fig

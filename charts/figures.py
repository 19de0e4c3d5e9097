"""One function per chart: a small DataFrame in, a plotly Figure out.

No Streamlit and no database here — the pages and the briefing exporter call the same
functions, so a chart looks the same on screen and on a slide. Every figure uses the
``tqi`` template (:mod:`charts.theme`), puts the unit on its value axis (scaled to 万/亿 in
Chinese, millions in English) and carries formatted numbers in its hover labels.
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from charts.heatmap import coverage_heatmap as coverage_heatmap  # re-exported for the pages
from charts.kit import (
    bar_room,
    grid_height,
    grid_layout,
    has_cjk,
    hover_texts,
    plain,
    small_count_axis,
    value_scale,
    vertical_marker,
    wrap_title,
    year_axis,
    year_title,
)
from charts.numbers import format_in_scale, format_percent, qualifier_symbol
from charts.theme import CITY_COLOR, TARGET_COLOR, TEMPLATE_NAME, category_color, region_color
from texts import localized, name, region_label, safe_filename


def trend_chart(
    df: pd.DataFrame,
    *,
    title: str,
    unit: str,
    lang: str = "zh",
    code: str | None = None,
    color: str | None = None,
    targets: pd.DataFrame | None = None,
    series: str | None = None,
    unit_in_title: bool = False,
) -> go.Figure:
    """Values by year: ``df`` has ``year, value`` (optional ``qualifier``).

    ``unit_in_title`` appends the chart's display unit to ``title`` (``（万件）``), from the
    same scale as the axis.

    With ``series`` (e.g. ``"region"``) one line per distinct value of that column;
    ``targets`` (``year, target``) adds a dashed target line. Figures with a qualifier
    (≥/≈) get an open marker and the symbol in their label.
    """
    targets = targets if targets is not None else pd.DataFrame(columns=["year", "target"])
    scale = value_scale(df["value"], targets["target"], unit=unit, lang=lang, code=code)
    traces = []
    groups = df.groupby(series, sort=False) if series else [(None, df)]
    names = list(df[series].unique()) if series else []
    for key, part in groups:
        part = part.sort_values("year")
        qualifiers = part.get("qualifier")
        marked = [qualifier_symbol(q) for q in part.get("qualifier", [None] * len(part))]
        line_color = color or CITY_COLOR
        label = localized("city", lang)
        if series:
            label = plain(region_label(str(key), lang))
            line_color = region_color(str(key), names)
        traces.append(
            {
                "type": "scatter",
                "x": part["year"].tolist(),
                "y": (part["value"] / scale.divisor).tolist(),
                "name": label,
                "mode": "lines+markers",
                "line": {"color": line_color},
                "marker": {
                    "symbol": ["circle-open" if mark else "circle" for mark in marked],
                    "size": 9,
                    "color": line_color,
                },
                "customdata": hover_texts(part["value"], qualifiers, scale, unit, lang),
                "hovertemplate": f"{label}<br>%{{x}}: %{{customdata}}<extra></extra>",
            }
        )
    if len(targets):
        targets = targets.sort_values("year")
        label = localized("chart.target", lang)
        traces.append(
            {
                "type": "scatter",
                "x": targets["year"].tolist(),
                "y": (targets["target"] / scale.divisor).tolist(),
                "name": label,
                "mode": "lines+markers",
                "line": {"color": TARGET_COLOR, "dash": "dash", "width": 2},
                "marker": {"symbol": "line-ew-open", "size": 14, "color": TARGET_COLOR},
                "customdata": hover_texts(targets["target"], None, scale, unit, lang),
                "hovertemplate": f"{label}<br>%{{x}}: %{{customdata}}<extra></extra>",
            }
        )
    if unit_in_title:
        title = f"{title}（{scale.label}）" if lang == "zh" else f"{title} ({scale.label})"
    layout = {
        "template": TEMPLATE_NAME,
        "title": {"text": plain(title)},
        "xaxis": year_title(lang, pd.concat([df["year"], targets["year"]])),
        "yaxis": {
            "title": {"text": scale.label},
            "rangemode": "tozero" if unit != "%" else "normal",
            "tickformat": ",",
        },
        "showlegend": bool(series) or len(targets) > 0,
        "height": 420,
    }
    return go.Figure(data=traces, layout=layout)


def category_small_multiples(
    df: pd.DataFrame,
    indicators: pd.DataFrame,
    *,
    title: str,
    lang: str = "zh",
    category: str | None = None,
    columns: int = 3,
    targets: pd.DataFrame | None = None,
) -> go.Figure:
    """One small chart per indicator of a category, each with its own unit axis.

    ``targets`` (``code, year, target``) adds each panel's dashed target line, in the
    panel's own display unit.

    ``df``: ``code, year, value`` (optional ``qualifier``, ``region``); ``indicators``:
    ``code, name_zh, name_en, unit`` in display order. With more than one region in
    ``df`` each region is its own line (never added up); otherwise the line takes the
    category colour.

    Built as one dict and validated once: ``make_subplots`` plus ``update_yaxes(row=…,
    col=…)`` per panel took plotly ~120 ms for a 13-panel category, this a fraction.
    """
    shown = indicators[indicators["code"].isin(df["code"])].to_dict("records")
    rows = max(1, math.ceil(len(shown) / columns))
    height = grid_height(rows)
    parts = {r["code"]: df[df["code"] == r["code"]] for r in shown}
    if targets is None:
        targets = pd.DataFrame(columns=["code", "year", "target"])
    aims = {r["code"]: targets[targets["code"] == r["code"]].sort_values("year") for r in shown}
    scales = {
        r["code"]: value_scale(
            parts[r["code"]]["value"],
            aims[r["code"]]["target"],
            unit=r["unit"],
            lang=lang,
            code=r["code"],
        )
        for r in shown
    }
    subtitles = [
        plain(f"{name(r, lang)}（{scales[r['code']].label}）")
        if lang == "zh"
        else wrap_title(f"{name(r, lang)} ({scales[r['code']].label})")
        for r in shown
    ]
    gap = 90 if lang == "zh" else 110  # room for two-line English panel titles
    layout = grid_layout(rows, columns, subtitles, vertical_spacing=min(0.3, gap / height))
    regions = list(df["region"].unique()) if "region" in df else []
    by_region = len(regions) > 1 or (len(regions) == 1 and regions[0] != "全市")
    traces: list[dict] = []
    seen: set[str] = set()
    for i, ind in enumerate(shown):
        axis = "" if i == 0 else str(i + 1)
        part, scale = parts[ind["code"]], scales[ind["code"]]
        groups = part.groupby("region", sort=False) if by_region else [("全市", part)]
        for region, line in groups:
            line = line.sort_values("year")
            label = plain(region_label(str(region), lang))
            color = region_color(str(region), regions) if by_region else category_color(category)
            traces.append(
                {
                    "type": "scatter",
                    "x": line["year"].tolist(),
                    "y": (line["value"] / scale.divisor).tolist(),
                    "xaxis": f"x{axis}",
                    "yaxis": f"y{axis}",
                    "name": label,
                    "legendgroup": label,
                    "showlegend": by_region and label not in seen,
                    "mode": "lines+markers",
                    "line": {"color": color, "width": 2.5},
                    "marker": {"size": 6, "color": color},
                    "customdata": hover_texts(
                        line["value"], line.get("qualifier"), scale, ind["unit"], lang
                    ),
                    "hovertemplate": f"{label}<br>%{{x}}: %{{customdata}}<extra></extra>",
                }
            )
            seen.add(label)
        aim = aims[ind["code"]]
        if len(aim):
            target_label = localized("chart.target", lang)
            traces.append(
                {
                    "type": "scatter",
                    "x": aim["year"].tolist(),
                    "y": (aim["target"] / scale.divisor).tolist(),
                    "xaxis": f"x{axis}",
                    "yaxis": f"y{axis}",
                    "name": target_label,
                    "legendgroup": "target",
                    "showlegend": "target" not in seen,
                    "mode": "lines+markers",
                    "line": {"color": TARGET_COLOR, "dash": "dash", "width": 1.5},
                    "marker": {"symbol": "line-ew-open", "size": 10, "color": TARGET_COLOR},
                    "customdata": hover_texts(aim["target"], None, scale, ind["unit"], lang),
                    "hovertemplate": f"{target_label}<br>%{{x}}: %{{customdata}}<extra></extra>",
                }
            )
            seen.add("target")
        layout[f"yaxis{axis}"].update(
            # the unit is in the panel's own (horizontal) title, from this same scale; a
            # rotated axis title sat against the neighbouring panel instead
            title={"text": ""},
            tickformat=",",
            tickfont={"size": 12},
            rangemode="normal" if ind["unit"] == "%" else "tozero",
            **small_count_axis(part["value"] / scale.divisor),
        )
        layout[f"xaxis{axis}"].update(
            tickfont={"size": 12}, tickangle=0, **year_axis(part["year"], narrow=True)
        )
    layout.update(
        template=TEMPLATE_NAME,
        title={"text": plain(title)},
        height=height,
        showlegend=by_region or "target" in seen,
        hovermode="closest",
        margin={"t": 120},
        # above the subplot titles, not on top of them
        legend={"y": 1 + 44 / (height - 136), "yanchor": "bottom"},
    )
    return go.Figure(data=traces, layout=layout)


def region_bar(
    df: pd.DataFrame,
    *,
    title: str,
    unit: str,
    lang: str = "zh",
    code: str | None = None,
    color: str | None = None,
    reference: float | None = None,
    subtitle: str = "",
) -> go.Figure:
    """Regions side by side for one year: ``df`` has ``region, value`` (opt. ``qualifier``).

    ``reference`` (e.g. the city-wide rate) is drawn as a labelled line, so a district's
    rate reads against the city's without ever being added to it.
    """
    df = df.sort_values("value", ascending=True)
    scale = value_scale(df["value"], unit=unit, lang=lang, code=code)
    text = hover_texts(df["value"], df.get("qualifier"), scale, unit, lang)
    bar = {
        "type": "bar",
        "x": (df["value"] / scale.divisor).tolist(),
        "y": [plain(region_label(r, lang)) for r in df["region"]],
        "orientation": "h",
        "marker": {"color": color or CITY_COLOR},
        "text": text,
        "textposition": "outside",
        "cliponaxis": False,
        "customdata": text,
        "hovertemplate": "%{y}: %{customdata}<extra></extra>",
    }
    layout = {
        "template": TEMPLATE_NAME,
        "title": {"text": plain(title), "subtitle": {"text": plain(subtitle)}},
        "xaxis": {
            "title": {"text": scale.label},
            "range": [0, bar_room(df["value"], scale.divisor)],
            "tickformat": ",",
        },
        "yaxis": {"title": {"text": ""}},
        "height": max(260, 90 + 48 * len(df)),
        "showlegend": False,
    }
    if reference is not None and not math.isnan(reference):
        label = f"{localized('city', lang)} {format_in_scale(reference, scale, unit, lang)}"
        layout.update(vertical_marker(reference / scale.divisor, label))
    return go.Figure(data=[bar], layout=layout)


def completion_chart(df: pd.DataFrame, *, title: str, lang: str = "zh") -> go.Figure:
    """完成率 per indicator: ``df`` has ``code, name_zh, name_en, category, completion``.

    Bars in the category colour, a dashed line at 100 %, the percentage on each bar.
    """
    df = df.sort_values("completion", ascending=True)
    bar = {
        "type": "bar",
        "x": df["completion"].tolist(),
        "y": [plain(name(r, lang)) for r in df.to_dict("records")],
        "orientation": "h",
        "marker": {"color": [category_color(c) for c in df["category"]]},
        "text": [format_percent(v) for v in df["completion"]],
        # inside the bar (centred) when it fits, else just after a short bar: never past
        # the plot area, and never under the 100 % line at a bar's end
        "textposition": "auto",
        "insidetextanchor": "middle",
        "insidetextfont": {"color": "#ffffff"},
        "cliponaxis": False,
        "hovertemplate": "%{y}: %{x:.1f}%<extra></extra>",
    }
    high = max(110.0, float(df["completion"].max()) * 1.12) if len(df) else 110.0
    layout = {
        "template": TEMPLATE_NAME,
        "title": {"text": plain(title)},
        "xaxis": {"title": {"text": localized("chart.completion", lang)}, "range": [0, high]},
        "yaxis": {"title": {"text": ""}},
        "height": max(260, 110 + 52 * len(df)),
        "showlegend": False,
        **vertical_marker(100, localized("chart.full", lang)),
    }
    return go.Figure(data=[bar], layout=layout)


def chart_filename(subject: str, years: tuple[int, int] | None = None, *, extra: str = "") -> str:
    """A download name a reader recognises: ``排查治理安全隐患_2016-2025年``.

    ``subject`` is the indicator or category name in the page language; no extension
    (plotly adds ``.png``).
    """
    parts = [subject]
    if extra:
        parts.append(extra)
    if years:
        start, end = years
        span = f"{start}" if start == end else f"{start}-{end}"
        parts.append(f"{span}年" if has_cjk(subject) else span)
    return safe_filename("_".join(parts))

"""The coverage heatmap (数据质量): which rows have figures for which years, gaps in pale
red, years a row does not apply to in grey. No Streamlit; re-exported by :mod:`charts.figures`."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from charts.kit import plain
from charts.theme import GAP_COLOR, MUTED_COLOR, NA_COLOR, TEMPLATE_NAME
from texts import localized


def coverage_heatmap(
    matrix: pd.DataFrame,
    *,
    title: str,
    lang: str = "zh",
    count_label: str = "",
    full: int | None = None,
    row_colors: list[str] | None = None,
    not_applicable: pd.DataFrame | None = None,
    na_label: str = "",
) -> go.Figure:
    """Which rows (indicators or regions) have figures for which years.

    ``matrix``: index = row labels (top to bottom), columns = years, values = how many
    regions/indicators have a figure; missing = NaN, drawn as a pale red gap. ``full``
    is the count that means complete (darkest); ``row_colors`` puts a coloured square
    (e.g. the category colour) before each row label. ``not_applicable`` (same shape,
    True/False) greys out the years a row does not apply to, labelled ``na_label`` — not
    applicable is not missing.

    Long because it is one plotly figure dict (cells, gaps, not-applicable greys, the
    coloured row labels, the legend-like note) built in one pass, as every chart here is.
    """
    z = matrix.to_numpy(dtype=float)
    text = [["" if math.isnan(v) else f"{v:.0f}" for v in row] for row in z]
    labels = [plain(i) for i in matrix.index]
    ticks = labels
    if row_colors:
        ticks = [
            f'{label} <span style="color:{color}">■</span>'
            for label, color in zip(labels, row_colors, strict=True)
        ]
    top = float(full) if full else float(max(1.0, matrix.max().max() if matrix.size else 1.0))
    heatmap = {
        "type": "heatmap",
        "z": [[None if math.isnan(v) else v for v in row] for row in z],
        "x": [str(c) for c in matrix.columns],
        "y": list(range(len(labels))),
        "text": text,
        "customdata": [[label] * len(matrix.columns) for label in labels],
        "texttemplate": "%{text}",
        "textfont": {"size": 12},
        "colorscale": [[0.0, "#dbe9f6"], [1.0, "#2f6aa3"]],
        "zmin": 0,
        "zmax": top,
        "xgap": 2,
        "ygap": 2,
        "colorbar": {
            "title": {"text": count_label},
            "thickness": 14,
            "dtick": max(1, round(top / 5)),
        },
        "hovertemplate": f"%{{customdata}} · %{{x}}<br>{count_label}: %{{text}}<extra></extra>",
    }
    layout = {
        "template": TEMPLATE_NAME,
        "title": {"text": plain(title)},
        "plot_bgcolor": GAP_COLOR,
        "xaxis": {
            "title": {"text": localized("chart.year", lang)},
            "side": "top",
            "type": "category",
            "showgrid": False,
        },
        "yaxis": {
            "autorange": "reversed",
            "showgrid": False,
            "tickfont": {"size": 13},
            "tickmode": "array",
            "tickvals": list(range(len(labels))),
            "ticktext": ticks,
        },
        "height": max(300, 140 + 26 * len(matrix)),
        "margin": {"t": 110},
    }
    traces = [heatmap]
    if not_applicable is not None and not_applicable.to_numpy().any():
        mask = not_applicable.to_numpy(dtype=bool)
        traces.append(
            {
                "type": "heatmap",
                "z": [[1 if flag else None for flag in row] for row in mask],
                "x": heatmap["x"],
                "y": heatmap["y"],
                "colorscale": [[0.0, NA_COLOR], [1.0, NA_COLOR]],
                "showscale": False,
                "xgap": 2,
                "ygap": 2,
                "text": [[na_label if flag else "" for flag in row] for row in mask],
                "texttemplate": "%{text}",
                "textfont": {"size": 11, "color": MUTED_COLOR},
                "hovertemplate": f"%{{x}}: {plain(na_label)}<extra></extra>",
            }
        )
    return go.Figure(data=traces, layout=layout)

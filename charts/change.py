"""The diverging "change on last year, by indicator" chart: one bar per indicator, green
when the change is good news for that indicator (fewer accidents), red when not.

Drawn for 分类趋势 and for the briefing pack by this one function. No Streamlit.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from charts.kit import plain
from charts.numbers import format_change
from charts.theme import BAD_COLOR, GOOD_COLOR, MUTED_COLOR, NEUTRAL_COLOR, TEMPLATE_NAME
from texts import localized, name

_KINDS = (("good", GOOD_COLOR), ("bad", BAD_COLOR), ("same", NEUTRAL_COLOR))


def change_bars(rows: pd.DataFrame, *, title: str, year: int, lang: str = "zh") -> go.Figure:
    """``rows``: ``code, name_zh, name_en, change, change_kind, favourable`` in reading order.

    Colour means good/bad news, so the legend says so (one trace per kind); the value
    labels use the dashboard's change format (``+5.3%``, ``+1.2个百分点``).
    """
    rows = rows.iloc[::-1].reset_index(drop=True)  # plotly draws the first bar at the bottom
    labels = [plain(name(r, lang)) for r in rows.to_dict("records")]
    kind = ["good" if f > 0 else "bad" if f < 0 else "same" for f in rows["favourable"]]
    text = [
        format_change(c, k, lang) for c, k in zip(rows["change"], rows["change_kind"], strict=True)
    ]
    traces = []
    for key, color in _KINDS:
        picked = [i for i, k in enumerate(kind) if k == key]
        if not picked:
            continue
        traces.append(
            go.Bar(
                x=[float(rows["change"][i]) for i in picked],
                y=[labels[i] for i in picked],
                orientation="h",
                name=localized(f"legend.{key}", lang),
                marker_color=color,
                text=[text[i] for i in picked],
                textposition="outside",
                cliponaxis=False,
                hovertemplate="%{y}: %{text}<extra></extra>",
            )
        )
    changes = rows["change"].astype(float)
    lo, hi = min(0.0, float(changes.min())), max(0.0, float(changes.max()))
    pad = (hi - lo or 1.0) * 0.25
    figure = go.Figure(data=traces)
    figure.update_layout(
        template=TEMPLATE_NAME,
        title={"text": plain(title)},
        xaxis={
            "title": {"text": localized("chart.change_axis", lang, year=year)},
            "ticksuffix": "%",
            "range": [lo - pad if lo < 0 else 0, hi + pad],
            "zeroline": True,
            "zerolinecolor": MUTED_COLOR,
            "zerolinewidth": 2,
        },
        yaxis={"title": {"text": ""}, "categoryorder": "array", "categoryarray": labels},
        height=max(280, 130 + 34 * len(rows)),
        barmode="overlay",
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 1, "xanchor": "right"},
        showlegend=True,
    )
    return figure

"""分类趋势 on a phone: one chart per indicator, one per row.

A 375 px screen cannot hold three small multiples side by side — their titles run into
each other. The page draws both layouts and the stylesheet (:data:`ui.page_style.PAGE_CSS`)
shows the small-multiple grid on a wide window and these single panels on a narrow one,
so no server-side guess about the screen is needed.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import pandas as pd

from charts import figures
from charts.theme import category_color
from texts import name
from ui import page_parts

if TYPE_CHECKING:
    from db.dashboard import CategoryData

PANEL_HEIGHT = 300


def phone_panels(data: CategoryData, *, view: str, lang: str, years: tuple[int, int]) -> None:
    """One trend chart per indicator of the category, its unit in its own title."""
    targets = data.targets if view == "city" and len(data.targets) else None
    for ind in data.indicators.to_dict("records"):
        part = data.series[data.series["code"] == ind["code"]]
        if part.empty:
            continue
        aims = None if targets is None else targets[targets["code"] == ind["code"]]
        figure = figures.trend_chart(
            part,
            title=name(ind, lang),
            unit=ind["unit"],
            lang=lang,
            code=ind["code"],
            color=category_color(ind["category"]),
            targets=aims
            if aims is not None and len(aims)
            else pd.DataFrame(columns=["year", "target"]),
            series="region" if view == "regions" else None,
            unit_in_title=True,
        )
        span = years[1] - years[0]
        figure.update_layout(
            height=PANEL_HEIGHT,
            margin={"l": 48, "r": 12, "t": 48, "b": 40},
            legend={"orientation": "h", "y": -0.25, "yanchor": "top"},
            # horizontal year ticks a phone can read; the unit is in the title (same scale)
            xaxis={"title": {"text": ""}, "tickangle": 0, "dtick": max(1, math.ceil(span / 4))},
            yaxis={"title": {"text": ""}},
        )
        filename = figures.chart_filename(name(ind, lang), years)
        page_parts.show_chart(figure, filename=filename, key=f"panel_{ind['code']}")

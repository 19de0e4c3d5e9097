"""CSS for Streamlit's own elements: larger KPI figures and the category tiles' colours.

It styles Streamlit's page, not charts, so it lives in ``ui/``; colours come from the chart
theme (:mod:`charts.theme`) so a category looks the same on a tile and in a chart.
"""

from __future__ import annotations

import re

from charts.theme import category_color

PAGE_CSS = """
<style>
[data-testid="stMetricValue"] { font-size: 2.0rem; }
[data-testid="stMetricLabel"] p { font-size: 1.0rem; font-weight: 600; white-space: normal; }
.block-container { padding-top: 2.2rem; }
/* 总览: a row of 4 (or 3) cards (ui.page_parts.card_row) shares the width as st.columns(4)
   did: equal widths, a short last row keeps them; one card a row on a phone */
[class*="st-key-cardrow4-"] > div { flex: 0 0 calc((100% - 3rem) / 4); min-width: 0; }
[class*="st-key-cardrow3-"] > div { flex: 0 0 calc((100% - 2rem) / 3); min-width: 0; }
@media (max-width: 640px) { [class*="st-key-cardrow"] > div { flex: 1 1 100%; } }
/* 分类趋势: the small-multiple grid on a wide window, one panel a row on a phone */
.st-key-phone-panels { display: none; }
@media (max-width: 640px) {
  .st-key-phone-panels { display: block; }
  .st-key-wide-panels { display: none; }
}
</style>
"""
"""Static CSS (no data in it): larger KPI figures for reading across a meeting room."""


def tile_css(category_codes: list[str]) -> str:
    """A coloured top border for each category tile (``st.container(key="tile-<code>")``).

    Only category codes go in, reduced to ``[a-z0-9_-]``; no user text reaches the page.
    """
    rules = []
    for code in category_codes:
        safe = re.sub(r"[^a-z0-9_-]", "", code.lower())
        rules.append(
            f".st-key-tile-{safe} {{ border-top: 6px solid {category_color(code)} !important;"
            " border-radius: 0.5rem; }"
        )
    return "<style>" + "\n".join(rules) + "</style>"

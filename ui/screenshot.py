"""Screenshot mode: ``?screenshot=1`` strips the app's chrome for a clean browser capture.

Staff preparing a briefing open the overview with this parameter, press their screenshot
key, and get a 16:9 picture with large type and no sidebar, toolbar or menus. The styling
is a fixed, data-free stylesheet (``ui/screenshot.css``); no user text goes into HTML.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st

from charts import figures
from charts.theme import TEMPLATE_NAME
from texts import localized
from ui import page_parts

if TYPE_CHECKING:
    from db.dashboard import OverviewData

SCREENSHOT_PARAM = "screenshot"
SCREENSHOT_CSS = Path(__file__).with_name("screenshot.css")
_ON = {"1", "true", "yes", "on"}
MAX_CARDS = 8
CARDS_PER_ROW = 4
CHART_HEIGHT = 640


def screenshot_mode() -> bool:
    """Whether the URL asks for screenshot mode (``?screenshot=1``)."""
    return str(st.query_params.get(SCREENSHOT_PARAM, "")).strip().lower() in _ON


def apply_screenshot_layout() -> bool:
    """In screenshot mode, collapse the sidebar and hide the chrome; returns whether it is on."""
    if not screenshot_mode():
        return False
    st.set_page_config(layout="wide", initial_sidebar_state="collapsed")
    st.html(SCREENSHOT_CSS)
    return True


def screenshot_overview(data: OverviewData, *, lang: str) -> None:
    """The overview as one 16:9 screen: KPI cards on the left, target completion right.

    Category tiles and the cards' sparklines are left out: with large type they would push
    the page past one screen (at 1600×900 the second row of cards ran below the fold), and
    a screenshot shows one screen. ``tests/test_e2e_layout.py`` checks every card's box.
    """
    year = data.year
    left, right = st.columns([2, 1], gap="large")
    with left:
        kpis = data.kpis.to_dict("records")[:MAX_CARDS]
        for start in range(0, len(kpis), CARDS_PER_ROW):
            row = kpis[start : start + CARDS_PER_ROW]
            for column, card in zip(st.columns(CARDS_PER_ROW), row, strict=False):
                with column:
                    page_parts.kpi_card(card, year=year, lang=lang, link=False, spark=False)
    with right:
        if data.completion.empty:
            page_parts.no_data(localized("overview.no_targets", lang, year=year))
            return
        title = localized("chart.completion_title", lang, year=year)
        figure = figures.completion_chart(data.completion, title=title, lang=lang)
        figure.update_layout(
            template=TEMPLATE_NAME, height=CHART_HEIGHT, font_size=18, title_font_size=26
        )
        figure.update_xaxes(tickfont_size=17, title_font_size=18)
        figure.update_yaxes(tickfont_size=18)
        page_parts.show_chart(
            figure, filename=figures.chart_filename(title), key="screenshot_completion"
        )

"""The overview's reporting-year control (报告年度), its completeness notes, and the view
every viewer of one data version shares (:func:`overview_view`).

The year is chosen explicitly, defaults to :func:`db.report_year.default_year`, and
follows the store: a year committed by anyone shows up in the options at the next rerun
(the options are read through :func:`ui.data.read`, keyed on the data version). A
session that never picked a year follows the default when it moves; a picked year stays
picked while it exists.
"""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go
import streamlit as st

from charts import figures as charts
from db import dashboard
from db.dashboard import OverviewData
from db.queries import Filters
from db.report_year import ReportYears
from texts import localized
from ui.data import read
from ui.filters import mirror, seed_choice
from ui.page_parts import KpiTexts, TileTexts, kpi_texts, tile_texts

REPORT_YEAR_KEY = "year"
_DEFAULT_STATE = "_tqi_report_default"  # the default this session last saw


def report_year_choice(years: ReportYears, *, lang: str, screenshot: bool = False) -> int:
    """Draw the 报告年度 select box (not in screenshot mode) and return the chosen year."""
    assert years.default is not None
    options = [str(y) for y in reversed(years.years)]
    default = str(years.default)
    previous_default = st.session_state.get(_DEFAULT_STATE)
    if st.session_state.get(REPORT_YEAR_KEY) == previous_default:
        st.session_state[REPORT_YEAR_KEY] = str(years.default)  # never picked: follow it
    st.session_state[_DEFAULT_STATE] = default
    seed_choice(REPORT_YEAR_KEY, options, default)
    if screenshot:
        chosen = str(st.session_state[REPORT_YEAR_KEY])
    else:

        def label(option: str) -> str:
            reported, applicable = years.count(int(option))
            return localized(
                "report.option", lang, year=option, reported=reported, applicable=applicable
            )

        chosen = st.selectbox(
            localized("report.year", lang),
            options,
            format_func=label,
            key=REPORT_YEAR_KEY,
            help=localized("report.help", lang),
            width=320,
        )
    mirror(REPORT_YEAR_KEY, chosen, default)
    year = int(chosen)
    _completeness_notes(years, year, lang)
    return year


def _completeness_notes(years: ReportYears, year: int, lang: str) -> None:
    """Say so when the reporting year is incomplete, or a later year has begun to arrive."""
    if years.incomplete(year):
        reported, applicable = years.count(year)
        st.warning(
            localized(
                "report.incomplete", lang, year=year, reported=reported, applicable=applicable
            ),
            icon=":material/hourglass_top:",
        )
    later = years.later_partial(year)
    if later and year == years.default:
        reported, applicable = years.count(later[-1])
        st.caption(
            localized(
                "report.later",
                lang,
                year=later[-1],
                reported=reported,
                applicable=applicable,
                default=year,
            )
        )


@dataclass(frozen=True)
class OverviewView:
    """The overview of one data version, filters, year and language, ready to draw.

    Built once per process through :func:`ui.data.shared` and handed to every session
    as is: the page only reads it. The plotly figure is the costly part (validation,
    template); the cards' and tiles' texts are formatted here once, not in every run.
    """

    data: OverviewData
    kpis: list[KpiTexts]
    tiles: list[TileTexts]
    completion: go.Figure | None
    """完成率 chart, ``None`` when no indicator has a target that year."""
    filename: str


def overview_view(*, filters: Filters, year: int, lang: str) -> OverviewView:
    data = read(dashboard.overview, filters=filters, year=year)
    figure, filename = None, ""
    if not data.completion.empty:
        title = localized("chart.completion_title", lang, year=data.year)
        figure = charts.completion_chart(data.completion, title=title, lang=lang)
        filename = charts.chart_filename(title, None)
    year_ = data.year
    assert year_ is not None  # the page asks only for a year with figures
    kpis = [kpi_texts(card, year=year_, lang=lang) for card in data.kpis.to_dict("records")]
    tiles = [tile_texts(tile, year=year_, lang=lang) for tile in data.tiles.to_dict("records")]
    return OverviewView(data, kpis, tiles, figure, filename)

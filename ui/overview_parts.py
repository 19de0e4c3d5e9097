"""The overview's reporting-year control (报告年度) and its completeness notes.

The year is chosen explicitly, defaults to :func:`db.report_year.default_year`, and
follows the store: a year committed by anyone shows up in the options at the next rerun
(the options are read through :func:`ui.data.read`, keyed on the data version). A
session that never picked a year follows the default when it moves; a picked year stays
picked while it exists.
"""

from __future__ import annotations

import streamlit as st

from db.report_year import ReportYears
from ui.filters import mirror, seed_choice
from ui.i18n import t

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
            return t("report.option", lang, year=option, reported=reported, applicable=applicable)

        chosen = st.selectbox(
            t("report.year", lang),
            options,
            format_func=label,
            key=REPORT_YEAR_KEY,
            help=t("report.help", lang),
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
            t("report.incomplete", lang, year=year, reported=reported, applicable=applicable),
            icon=":material/hourglass_top:",
        )
    later = years.later_partial(year)
    if later and year == years.default:
        reported, applicable = years.count(later[-1])
        st.caption(
            t(
                "report.later",
                lang,
                year=later[-1],
                reported=reported,
                applicable=applicable,
                default=year,
            )
        )

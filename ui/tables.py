"""Tables the pages show beside and below charts, numbers formatted like the cards.

Built as plain DataFrames of display strings (so a table reads ``3.2万件``/``≥1,200``,
not ``32000.0``) and drawn with ``st.dataframe``, which shows text, never HTML.
Changes are coloured through the indicator's direction, like the KPI cards.

Every table in the app is drawn by :func:`show_table`. Streamlit's own table toolbar has a
"Download as CSV" button that writes cells as they are, so a cell ``=HYPERLINK(…)`` would
be a formula in Excel; that one button is hidden (:data:`NO_TOOLBAR_DOWNLOAD`; search and
full screen stay), and the app's own download buttons write neutralised files
(``etl/formula_safety.py``). The cells on screen are left exactly as they are: an error
list must show the ``=SUM(A1:A3)`` the analyst typed.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from charts.numbers import (
    format_change,
    format_number,
    format_percent,
    format_value,
    qualifier_symbol,
)
from charts.theme import BAD_COLOR, GOOD_COLOR
from texts import localized, name, region_label, unit_label

# Streamlit labels the button "Download as CSV" (with the table's name after a colon).
NO_TOOLBAR_DOWNLOAD = (
    '<style>[data-testid="stElementToolbarButton"]:has(button[aria-label^="Download as CSV"])'
    " { display: none !important; }</style>"
)


def hide_toolbar_download() -> None:
    """Hide the tables' own CSV download on this page (a style element that takes no space)."""
    st.html(NO_TOOLBAR_DOWNLOAD)


def show_table(data: pd.DataFrame | Styler, **options: Any) -> None:
    """``st.dataframe`` without the unneutralised toolbar download; the one way to draw one."""
    hide_toolbar_download()
    st.dataframe(data, **options)


def _change_colours(favourable: pd.Series) -> list[str]:
    return [
        f"color: {GOOD_COLOR}; font-weight: 600"
        if f > 0
        else f"color: {BAD_COLOR}; font-weight: 600"
        if f < 0
        else ""
        for f in favourable.fillna(0)
    ]


def latest_table(table: pd.DataFrame, *, lang: str, key: str) -> None:
    """One row per indicator: its latest figure and the change on the year before."""
    records = table.to_dict("records")
    years = {int(r["year"]) for r in records}
    latest = localized("col.latest", lang)
    columns = {localized("col.indicator", lang): [name(r, lang) for r in records]}
    if len(years) == 1:  # one year for all: say it in the header, save a column
        latest = localized("col.latest_in", lang, year=years.pop())
    else:
        columns[localized("col.year", lang)] = [str(int(r["year"])) for r in records]
    columns[latest] = [
        format_value(r["value"], r["unit"], lang, qualifier=r["qualifier"], code=r["code"])
        for r in records
    ]
    change = localized("col.change", lang)
    columns[change] = [format_change(r["change"], r["change_kind"], lang) or "—" for r in records]
    favourable = table["favourable"].reset_index(drop=True)
    styler = pd.DataFrame(columns).style.apply(
        lambda _: _change_colours(favourable), subset=[change]
    )
    show_table(
        styler,
        hide_index=True,
        key=key,
        width="stretch",
        height=_fit(len(records)),
        column_config={
            localized("col.indicator", lang): st.column_config.TextColumn(width="medium")
        },
    )


def _fit(rows: int) -> int:
    """A table height that shows every row (up to a screenful) without inner scrolling."""
    return min(38 + 35 * rows, 720)


def year_table(series: pd.DataFrame, indicators: pd.DataFrame, *, lang: str, key: str) -> None:
    """Indicators (and regions) down, years across; numbers formatted, the unit in its
    own column."""
    meta = indicators.set_index("code").to_dict("index")
    texts = [
        qualifier_symbol(q) + format_number(v, lang)
        for v, q in zip(series["value"], series["qualifier"], strict=True)
    ]
    grid = series.assign(text=texts).pivot(index=["code", "region"], columns="year", values="text")
    order = {code: i for i, code in enumerate(indicators["code"])}  # catalog order, not A–Z
    grid = grid.sort_index(key=lambda level: level.map(order) if level.name == "code" else level)
    codes = grid.index.get_level_values("code")
    head = {
        localized("col.indicator", lang): [name(meta[c], lang) for c in codes],
        localized("col.region", lang): [
            region_label(r, lang) for r in grid.index.get_level_values(1)
        ],
        localized("col.unit", lang): [unit_label(meta[c]["unit"], lang, code=c) for c in codes],
    }
    years = {str(y): grid[y].fillna("—").tolist() for y in sorted(grid.columns)}
    frame = pd.DataFrame({**head, **years})
    show_table(frame, hide_index=True, key=key, width="stretch", height=_fit(len(frame)))


def figures_table(figures: pd.DataFrame, *, unit: str, code: str, lang: str, key: str) -> None:
    """One indicator's figures with qualifier, target, 完成率, note and source batch."""
    records = figures.to_dict("records")
    shown = pd.DataFrame(
        {
            localized("col.year", lang): [str(int(r["year"])) for r in records],
            localized("col.region", lang): [region_label(r["region"], lang) for r in records],
            localized("col.value", lang): [
                format_value(r["value"], unit, lang, qualifier=r["qualifier"], code=code)
                for r in records
            ],
            localized("col.target", lang): [
                format_value(r["target"], unit, lang, code=code) for r in records
            ],
            localized("col.completion", lang): [
                format_percent(r.get("completion")) for r in records
            ],
            localized("col.note", lang): [r["note"] or "" for r in records],
            localized("col.batch", lang): [_batch_label(r) for r in records],
            localized("col.loaded_at", lang): [
                ""
                if pd.isna(r["loaded_at"])
                else pd.Timestamp(r["loaded_at"]).strftime("%Y-%m-%d %H:%M")
                for r in records
            ],
        }
    )
    show_table(shown, hide_index=True, key=key, width="stretch")


def _batch_label(record: dict) -> str:
    if pd.isna(record.get("batch_id")):
        return "—"
    source = record.get("batch_source") or ""
    return f"#{int(record['batch_id'])} {source}".strip()


def indicator_labels(indicators: pd.DataFrame, lang: str) -> dict[str, str]:
    """Indicator code → its name in ``lang`` (for chart rows and tables)."""
    return {r["code"]: name(r, lang) for r in indicators.to_dict("records")}


def gaps_table(gaps: pd.DataFrame, labels: dict[str, str], *, lang: str, key: str) -> None:
    """Indicators with years that have no figure, and which years."""
    shown = pd.DataFrame(
        {
            localized("col.indicator", lang): gaps["code"].map(labels),
            localized("coverage.missing_years", lang): [
                "、".join(str(y) for y in years) if lang == "zh" else ", ".join(map(str, years))
                for years in gaps["missing"]
            ],
            localized("col.count", lang): gaps["missing"].map(len),
        }
    )
    show_table(shown, hide_index=True, key=key, width="stretch")

"""简报导出 Briefing — choose years and charts; one click for the PPTX/PDF pack or a PNG."""

import functools
from collections.abc import Callable

import streamlit as st

from briefing import render
from briefing.charts import chart_catalogue, default_chart_ids
from briefing.formats import CHART_FORMATS, PACK_FORMATS
from briefing.pack import (
    EmptyPackError,
    PackFormat,
    build_charts,
    build_pack,
    load_data,
    pack_file_name,
)
from db import queries
from db.session import read_session
from texts import localized, md_escape
from ui.data import engine, read
from ui.filters import current_filters, current_lang
from ui.navigation import run_through_app
from ui.page_parts import show_preview

run_through_app()  # first: a link opened right after a restart still runs in app.py
lang = current_lang()
st.title(localized("briefing.title", lang))
st.caption(localized("briefing.intro", lang))

ok, reason = render.export_available()
if not ok:
    st.error(localized("briefing.unavailable", lang, reason=reason), icon=":material/error:")
    st.stop()
render.warm_up_in_background()  # the browser starts while the user chooses

bounds = read(queries.year_bounds)
if bounds is None:
    st.info(localized("briefing.no_data", lang), icon=":material/inventory_2:")
    st.stop()

filters = current_filters()
low, high = bounds
start = max(low, filters.year_from or low)
end = min(high, filters.year_to or high)
if low < high:
    years = st.slider(
        localized("briefing.years", lang),
        min_value=low,
        max_value=high,
        value=(start, end),
        key="briefing_years",
    )
else:
    years = (low, high)
years = (int(years[0]), int(years[1]))

try:
    data = read(load_data, years=years)
except EmptyPackError:
    st.info(localized("briefing.empty_years", lang, start=years[0], end=years[1]))
    st.stop()

catalogue = {c.chart_id: c for c in chart_catalogue(data)}
chosen = st.multiselect(
    localized("briefing.charts", lang),
    list(catalogue),
    default=default_chart_ids(data),
    format_func=lambda chart_id: catalogue[chart_id].title,
    placeholder=localized("briefing.charts_placeholder", lang),
    help=localized("briefing.charts_help", lang),
    key="briefing_charts",
)
if not chosen:
    st.info(localized("briefing.none_chosen", lang))
    st.stop()


def _pack(fmt: PackFormat) -> Callable[[], bytes]:
    """The download's deferred data: built on click, on Streamlit's download thread."""

    def build() -> bytes:
        with read_session(engine()) as session:
            return build_pack(session, years=years, charts=list(chosen), fmt=fmt)

    return build


columns = st.columns([1] * len(PACK_FORMATS) + [2])
for n, (column, pack) in enumerate(zip(columns, PACK_FORMATS.values(), strict=False)):
    column.download_button(
        localized(f"briefing.{pack.name}", lang),
        data=_pack(pack.name),
        file_name=pack_file_name(years, pack.name),
        mime=pack.media_type,
        on_click="ignore",
        type="primary" if n == 0 else "secondary",  # the first format is the default
        icon=pack.icon,
        key=f"briefing_{pack.name}",
        width="stretch",
    )
st.caption(localized("briefing.pack_caption", lang, slides=len(chosen) + 2, charts=len(chosen)))

st.subheader(localized("briefing.pngs", lang))
for built in build_charts(data, chosen):
    preview, text, buttons = st.columns([2, 4, 1], vertical_alignment="center")
    with preview:  # a small, static preview of exactly the chart the pack will hold
        show_preview(built.figure, key=f"preview_{built.chart.chart_id}")
    text.markdown(f"**{md_escape(built.chart.title)}**")
    text.caption(built.takeaway.text)
    for image in CHART_FORMATS.values():
        buttons.download_button(
            localized(f"briefing.{image.name}", lang),
            data=functools.partial(image.write, built),
            file_name=f"{built.file_stem}{image.suffix}",
            mime=image.media_type,
            on_click="ignore",
            icon=image.icon,
            key=f"{image.name}_{built.chart.chart_id}",
        )

st.subheader(localized("briefing.screenshot", lang))
st.caption(localized("briefing.screenshot_help", lang))
st.page_link(
    "pages/overview.py",
    label=localized("briefing.open_screenshot", lang),
    icon=":material/fullscreen:",
    query_params={"screenshot": "1"},
)

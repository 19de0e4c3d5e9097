"""总览 Overview — the reporting year (报告年度), headline KPI cards, a tile per category,
target completion and each indicator's change on last year."""

import streamlit as st

from db.report_year import report_years
from texts import localized
from ui import page_parts as cards
from ui.data import read, shared
from ui.filters import current_filters, current_lang
from ui.navigation import run_through_app
from ui.overview_parts import overview_view, report_year_choice
from ui.page_style import tile_css
from ui.screenshot import apply_screenshot_layout, screenshot_overview

run_through_app()
lang = current_lang()
filters = current_filters()
screenshot = apply_screenshot_layout()  # ?screenshot=1: no chrome, 16:9, large type
cards.flash()
cards.page_header(localized("overview.title", lang), lang)
if cards.store_is_empty():
    cards.empty_store(lang, key="load_sample_overview")
    st.stop()

years = read(report_years, filters=filters)
if years.default is None:
    cards.no_data(cards.filtered_out(filters, lang))
    st.stop()
chosen = report_year_choice(years, lang=lang, screenshot=screenshot)
view = shared(overview_view, filters=filters, year=chosen, lang=lang)  # one build per version
data = view.data
year = data.year
assert year is not None  # the store has figures in range (checked above)
st.caption(localized("overview.caption", lang, year=year, scope=cards.scope_label(filters, lang)))
if screenshot:
    screenshot_overview(data, lang=lang)
    st.stop()

st.subheader(localized("overview.kpis", lang))
kpis = view.kpis
for start in range(0, len(kpis), 4):
    with cards.card_row(4, key=f"kpis{start}"):
        for card in kpis[start : start + 4]:
            cards.draw_kpi_card(card)

st.subheader(localized("overview.categories", lang))
st.html(tile_css([tile.category for tile in view.tiles]))
tiles = view.tiles
for start in range(0, len(tiles), 3):
    with cards.card_row(3, key=f"tiles{start}"):
        for tile in tiles[start : start + 3]:
            cards.category_tile(tile)

st.subheader(localized("overview.completion", lang))
if view.completion is None:
    cards.no_data(localized("overview.no_targets", lang, year=year))
else:
    cards.show_chart(view.completion, filename=view.filename, key="completion_chart")

"""分类趋势 By category — every indicator of one category by year (with its targets),
city-wide or by region, the latest figure and its change beside the chart, each
indicator's change on last year as a diverging bar chart, and the full table below."""

import streamlit as st

from charts import figures as charts
from charts.change import change_bars
from db import dashboard, queries
from texts import localized, md_escape, name
from ui import page_parts as cards
from ui import tables
from ui.data import read
from ui.filters import current_filters, current_lang, mirror, preferred_categories, seed_choice
from ui.navigation import run_through_app
from ui.panels import phone_panels

run_through_app()
lang = current_lang()
filters = current_filters()
cards.page_header(localized("category.title", lang), lang)
if cards.store_is_empty():
    cards.empty_store(lang, key="load_sample_category")
    st.stop()

categories = read(queries.list_categories)
by_code = {c["code"]: c for c in categories.to_dict("records")}
# One category control on this page (the sidebar's 工作类别 is not drawn here, see
# ui/filters.py); the sidebar's last choice names the category it opens on.
first = next((c for c in preferred_categories() if c in by_code), next(iter(by_code)))
seed_choice("category", list(by_code), first)
seed_choice("view", ["city", "regions"], "city")
category = st.segmented_control(
    localized("category.choose", lang),
    list(by_code),
    required=True,
    format_func=lambda code: name(by_code[code], lang),
    key="category",
)
view = st.segmented_control(
    localized("category.view", lang),
    ["city", "regions"],
    required=True,
    format_func=lambda v: localized(f"category.view.{v}", lang),
    key="view",
)
mirror("category", category, first)
mirror("view", view, "city")
data = read(
    dashboard.category_view, filters=filters, category=category, by_region=view == "regions"
)
label = name(by_code[category], lang)
if data.series.empty:
    subject = localized("empty.category", lang, name=md_escape(label))
    cards.no_data(cards.filtered_out(filters, lang, subject=subject))
    st.stop()

start, end = int(data.series["year"].min()), int(data.series["year"].max())
rule = localized("category.rule", lang)
st.caption(
    localized("category.caption", lang, count=len(data.table), start=start, end=end, rule=rule)
)
if data.truncated:
    st.caption(localized("category.truncated", lang, n=dashboard.MAX_REGIONS))

chart_col, table_col = st.columns([3, 2])  # room for English names in the table
with chart_col, st.container(key="wide-panels"):  # hidden on a phone (ui/page_style.py)
    title = localized("chart.category_title", lang, name=label, start=start, end=end)
    figure = charts.category_small_multiples(
        data.series,
        data.indicators,
        title=title,
        lang=lang,
        category=category,
        targets=data.targets if view == "city" else None,  # targets are city-wide figures
    )
    extra = localized(f"category.view.{view}", lang)
    filename = charts.chart_filename(label, (start, end), extra=extra)
    cards.show_chart(figure, filename=filename, key="category_chart")
with chart_col, st.container(key="phone-panels"):  # a phone: one panel a row instead
    phone_panels(data, view=str(view), lang=lang, years=(start, end))
with table_col:
    st.markdown(f"**{localized('category.table', lang, scope=cards.scope_label(filters, lang))}**")
    tables.latest_table(data.table, lang=lang, key="category_latest")

movers = data.table[data.table["change"].notna()]
if len(movers):
    change_year = int(movers["year"].max())
    movers = movers[movers["year"] == change_year]
    title = localized("category.changes", lang, year=change_year)
    figure = change_bars(movers, title=f"{label} · {title}", year=change_year, lang=lang)
    filename = charts.chart_filename(label, (change_year, change_year), extra=title)
    cards.show_chart(figure, filename=filename, key="category_changes")

with st.expander(localized("category.full_table", lang), expanded=False):
    tables.year_table(data.series, data.indicators, lang=lang, key="category_years")

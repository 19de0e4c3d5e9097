"""数据质量 Coverage — which indicators have figures for which years and regions, so the
gaps show at a glance (a pale red cell is a missing figure)."""

import streamlit as st

from charts import figures as charts
from charts.numbers import format_percent
from charts.theme import category_color
from db import dashboard
from texts import localized, region_label
from ui import page_parts as cards
from ui import tables
from ui.data import read
from ui.filters import current_filters, current_lang
from ui.navigation import run_through_app

run_through_app()
lang = current_lang()
filters = current_filters()
cards.page_header(localized("coverage.title", lang), lang)
if cards.store_is_empty():
    cards.empty_store(lang, key="load_sample_coverage")
    st.stop()

data = read(dashboard.coverage_view, filters=filters)
if not data.years:
    cards.no_data(cards.filtered_out(filters, lang))
    st.stop()

start, end = data.years[0], data.years[-1]
st.caption(localized("coverage.caption", lang, start=start, end=end))
m1, m2, m3, m4 = st.columns(4)
total = len(data.indicators)
m1.metric(localized("coverage.indicators", lang), f"{data.reported}/{total}", border=True)
m2.metric(localized("coverage.cells", lang), format_percent(data.filled), border=True)
m3.metric(localized("coverage.gaps", lang), str(data.missing), border=True)
m4.metric(localized("coverage.regions", lang), str(data.region_count), border=True)

labels = tables.indicator_labels(data.indicators, lang)
tab_indicators, tab_regions, tab_gaps = st.tabs(
    [
        localized("coverage.by_indicator", lang),
        localized("coverage.by_region", lang),
        localized("coverage.missing_list", lang),
    ]
)
with tab_indicators:
    title = localized("chart.coverage_title", lang)
    figure = charts.coverage_heatmap(
        data.matrix.rename(index=labels),
        title=title,
        lang=lang,
        count_label=localized("chart.regions_count", lang),
        full=data.region_count or None,
        row_colors=[category_color(c) for c in data.indicators["category"]],
        not_applicable=data.not_applicable,
        na_label=localized("coverage.not_applicable", lang),
    )
    filename = charts.chart_filename(title, (start, end))
    cards.show_chart(figure, filename=filename, key="coverage_heatmap")
with tab_regions:
    if data.region_count > dashboard.MAX_COVERAGE_REGIONS:
        limit = dashboard.MAX_COVERAGE_REGIONS
        st.caption(localized("coverage.region_limit", lang, n=limit, total=data.region_count))
    title = localized("chart.region_coverage_title", lang)
    figure = charts.coverage_heatmap(
        data.region_matrix.rename(index=lambda r: region_label(r, lang)),
        title=title,
        lang=lang,
        count_label=localized("chart.indicators_count", lang),
        full=len(data.indicators),
    )
    filename = charts.chart_filename(title, (start, end))
    cards.show_chart(figure, filename=filename, key="region_heatmap")
with tab_gaps:
    if data.gaps.empty:
        st.success(localized("coverage.none_missing", lang))
    else:
        tables.gaps_table(data.gaps, labels, lang=lang, key="coverage_gaps")

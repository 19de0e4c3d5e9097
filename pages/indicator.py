"""指标详情 Indicator — one indicator's series with its targets, the regions side by side,
and every figure with its qualifier (≥/≈), note and the batch that set it."""

import streamlit as st

from charts import figures as charts
from charts.numbers import format_change, format_percent, format_value
from charts.theme import category_color
from db import dashboard, queries
from texts import localized, md_escape, name, unit_label
from ui import page_parts as cards
from ui import tables
from ui.data import read
from ui.filters import current_filters, current_lang, mirror, seed_choice
from ui.navigation import run_through_app

run_through_app()
lang = current_lang()
filters = current_filters()
cards.page_header(localized("indicator.title", lang), lang)
if cards.store_is_empty():
    cards.empty_store(lang, key="load_sample_indicator")
    st.stop()

catalog = read(queries.list_indicators, filters=filters)
categories = {c["code"]: c for c in read(queries.list_categories).to_dict("records")}
options = {r["code"]: r for r in catalog.to_dict("records")}
first = next((c for c in dashboard.HEADLINE_CODES if c in options), next(iter(options), None))
seed_choice("indicator", list(options), first)
code = st.selectbox(
    localized("indicator.choose", lang),
    list(options),
    format_func=lambda c: (
        f"{name(categories[options[c]['category']], lang)} · {name(options[c], lang)}"
    ),
    key="indicator",
)
mirror("indicator", code, first)
if code not in options:
    st.stop()
data = read(dashboard.indicator_view, filters=filters, code=code)
meta = data.indicator
if meta is None:  # deleted from the catalog since the list was drawn
    st.stop()
unit, label = meta["unit"], name(meta, lang)
color = category_color(meta["category"])
st.caption(
    localized(
        "indicator.meta",
        lang,
        category=md_escape(name(categories[meta["category"]], lang)),
        unit=md_escape(unit_label(unit, lang, code=code)),
        rule=localized(f"rule.{meta['aggregation']}", lang),
        direction=localized(f"direction.{meta['direction']}", lang),
    )
)
if meta.get("description") and lang == "zh":
    st.caption(md_escape(meta["description"]))

series = data.series
if series.empty:
    cards.no_data(cards.filtered_out(filters, lang, subject=localized("indicator.no_data", lang)))
    st.stop()

latest = series.iloc[-1]
year = int(latest["year"])
metrics = st.columns(4)
metrics[0].metric(
    localized("indicator.latest", lang, year=year),
    format_value(latest["value"], unit, lang, qualifier=latest["qualifier"], code=code),
    delta=format_change(latest["change"], latest["change_kind"], lang) or None,
    delta_color="inverse" if meta["direction"] == "down" else "normal",
    delta_description=localized("kpi.vs_prev", lang),
    border=True,
)
has_target = latest["target"] == latest["target"]  # not NaN
metrics[1].metric(
    localized("indicator.target", lang, year=year),
    format_value(latest["target"], unit, lang, code=code)
    if has_target
    else localized("indicator.no_target", lang),
    border=True,
)
metrics[2].metric(
    localized("indicator.completion", lang),
    format_percent(latest["completion"]) if has_target else "—",
    border=True,
)
metrics[3].metric(
    localized("indicator.regions", lang), str(data.regions["region"].nunique()), border=True
)
if series["qualifier"].notna().any():
    marks = sorted(set(series["qualifier"].dropna()))
    st.caption(" · ".join(localized(f"qualifier.{q}", lang) for q in marks))
if (series["source"] == "districts").any():
    st.caption(localized("source.districts", lang))

start, end = int(series["year"].min()), int(series["year"].max())
trend_col, region_col = st.columns([3, 2])
with trend_col:
    if len(series) < 2:
        cards.no_data(localized("indicator.one_year", lang, year=year))
    else:
        title = localized("chart.trend_title", lang, name=label, start=start, end=end)
        targets = series.dropna(subset=["target"])[["year", "target"]]
        figure = charts.trend_chart(
            series, title=title, unit=unit, lang=lang, code=code, color=color, targets=targets
        )
        filename = charts.chart_filename(label, (start, end))
        cards.show_chart(figure, filename=filename, key="indicator_trend")
with region_col:
    regions = data.regions
    region_year = int(regions["year"].max()) if len(regions) else year
    this_year = regions[regions["year"] == region_year]
    if this_year.empty:
        cards.no_data(localized("indicator.no_regions", lang))
    else:
        subtitle = localized("chart.region_title", lang, year=region_year)
        city = series.loc[series["year"] == region_year, "value"]
        reference = float(city.iloc[0]) if meta["aggregation"] == "mean" and len(city) else None
        figure = charts.region_bar(
            this_year,
            title=label,
            subtitle=subtitle,
            unit=unit,
            lang=lang,
            code=code,
            color=color,
            reference=reference,
        )
        filename = charts.chart_filename(
            label, (region_year, region_year), extra=localized("col.region", lang)
        )
        cards.show_chart(figure, filename=filename, key="indicator_regions")

if data.regions["year"].nunique() > 1:
    title = localized("indicator.region_trend", lang)
    figure = charts.trend_chart(
        data.regions, title=f"{label} · {title}", unit=unit, lang=lang, code=code, series="region"
    )
    filename = charts.chart_filename(label, (start, end), extra=title)
    cards.show_chart(figure, filename=filename, key="indicator_region_trend")

st.subheader(localized("indicator.figures", lang))
tables.figures_table(data.figures, unit=unit, code=code, lang=lang, key="indicator_figures")

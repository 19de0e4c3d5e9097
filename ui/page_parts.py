"""Streamlit pieces the pages share: charts with the download config, KPI cards, category
tiles, and the empty-store / no-data messages.

No HTML is built from data here: cards are ``st.metric``, tiles are bordered containers
with Markdown text (catalog names escaped for Markdown), colour comes from static CSS keyed
by category code (:func:`charts.theme.tile_css`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import plotly.graph_objects as go
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from charts.numbers import format_change, format_percent, format_value
from charts.theme import plotly_config
from db import queries, users
from texts import localized, md_escape, name
from ui.auth import current_role
from ui.data import load_sample_data, read

_FLASH_STATE = "_tqi_flash"
_FAILURE_STATE = "_tqi_sample_failure"


def show_chart(fig: go.Figure, *, filename: str, key: str) -> None:
    """Draw a figure as built (``theme=None``), with the 2× PNG download named ``filename``."""
    st.plotly_chart(fig, theme=None, config=plotly_config(filename), key=key, width="stretch")


PREVIEW_HEIGHT = 190


def show_preview(fig: go.Figure, *, key: str) -> None:
    """A thumbnail of a figure (简报导出): static, no toolbar, no legend, small type."""
    small = go.Figure(fig)
    small.update_layout(
        height=PREVIEW_HEIGHT,
        showlegend=False,
        margin={"l": 8, "r": 8, "t": 8, "b": 8},
        font={"size": 8},
        title={"text": ""},
        annotations=[],  # panel titles and marker labels: unreadable at this size
    )
    small.update_xaxes(title={"text": ""}, tickfont={"size": 8})
    small.update_yaxes(title={"text": ""}, tickfont={"size": 8})
    config = {"staticPlot": True, "displayModeBar": False}
    st.plotly_chart(small, theme=None, config=config, key=key, width="stretch")


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def applicable_span(card: Mapping[str, Any], lang: str) -> str:
    """The catalog's applicable years as a reader says them (``2020–2022 年``), or ""."""
    first: int | None = None if _missing(card.get("first_year")) else int(card["first_year"])
    last: int | None = None if _missing(card.get("last_year")) else int(card["last_year"])
    if first is not None and last is not None:
        return localized("catalog.years_span", lang, first=first, last=last)
    if first is not None:
        return localized("catalog.years_from", lang, first=first)
    if last is not None:
        return localized("catalog.years_until", lang, last=last)
    return ""


def card_row(per_row: Literal[3, 4], key: str) -> DeltaGenerator:
    """A row of cards: one horizontal container whose bordered cards share its width
    (``per_row`` a row, sized by ``ui.page_style.PAGE_CSS`` as ``st.columns`` would).

    Not ``st.columns``: a column is one more element per card (a block inside the row
    around the card's own bordered container), and the overview's 14 of them were an
    eighth of the messages every viewer's first run sends (``bench/bench_viewers.py``).
    """
    return st.container(horizontal=True, gap="small", key=f"cardrow{per_row}-{key}")


@dataclass(frozen=True)
class KpiTexts:
    """A KPI card as drawn, every text formatted. The same for every viewer of one data
    version, filters, year and language: the overview builds them once per process
    (``ui.overview_parts.overview_view``) and a session only draws them."""

    code: str
    badge: tuple[str, Literal["gray", "orange"], str | None] | None  # text, colour, icon
    label: str
    value: str
    delta: str | int | None
    delta_color: Literal["normal", "inverse", "off"]
    description: str
    help: str
    spark: list[float] | None
    notes: str
    open_label: str


def kpi_texts(card: Mapping[str, Any], *, year: int | None, lang: str) -> KpiTexts:
    """One headline figure: value with unit, last year's figure and the change on it
    (coloured by the indicator's direction — fewer accidents is good), a sparkline,
    完成率 if targeted, and one click to the indicator's detail with the filters kept.

    A figure older than the reporting year is marked (a badge, not a footnote) and its
    change is shown uncoloured: it is not this year's news. An indicator that does not
    apply in the reporting year (疫情防控 after 2022) says so instead.
    """
    label = name(card, lang)
    code, unit = card["code"], card["unit"]
    rule = localized(f"rule.{card['aggregation']}", lang)
    direction = localized(f"direction.{card['direction']}", lang)
    help_text = localized("kpi.help", lang, name=md_escape(label), rule=rule, direction=direction)
    has_value = not _missing(card.get("value"))
    stale = has_value and year is not None and int(card["year"]) < year
    change: Any = card.get("change")
    delta: str | int | None = None
    description = localized("kpi.vs_prev", lang)
    if not has_value:
        description = localized("kpi.no_data", lang)
    elif _missing(change):
        description = localized("kpi.no_prev", lang)
    elif abs(float(change)) < 0.05:
        delta = 0  # Streamlit shows a grey, arrowless zero
    else:
        delta = format_change(change, card["change_kind"], lang)
    notes = []
    if has_value and not _missing(card.get("prev")):
        prev = format_value(card["prev"], unit, lang, code=code)
        notes.append(localized("kpi.prev_value", lang, year=int(card["year"]) - 1, value=prev))
    if not _missing(card.get("target")):
        target = format_value(card["target"], unit, lang, code=code)
        notes.append(
            localized("kpi.target", lang, target=target, pct=format_percent(card["completion"]))
        )
    elif has_value and not stale:
        notes.append(localized("kpi.no_target", lang))
    badge: tuple[str, Literal["gray", "orange"], str | None] | None = None
    if not bool(card.get("applicable", True)) and year is not None:
        span = applicable_span(card, lang)
        badge = (localized("kpi.not_applicable", lang, span=span), "gray", None)
    elif stale:
        stale_text = localized("kpi.stale", lang, latest=int(card["year"]), year=year)
        badge = (stale_text, "orange", ":material/history:")
    value = format_value(card.get("value"), unit, lang, qualifier=card.get("qualifier"), code=code)
    return KpiTexts(
        code, badge, md_escape(label), value, delta,
        "off" if stale else "inverse" if card["direction"] == "down" else "normal",
        description, help_text, card.get("spark") or None,
        md_escape(" · ".join(notes)) if notes else "", localized("kpi.open", lang),
    )  # fmt: skip


def kpi_card(
    card: Mapping[str, Any], *, year: int | None, lang: str, link: bool = True, spark: bool = True
) -> None:
    """Draw a figure's KPI card (:func:`kpi_texts`, then :func:`draw_kpi_card`)."""
    draw_kpi_card(kpi_texts(card, year=year, lang=lang), link=link, spark=spark)


def draw_kpi_card(texts: KpiTexts, *, link: bool = True, spark: bool = True) -> None:
    """Draw a KPI card from its texts. ``spark``: the sparkline (not in a screenshot, where
    two rows of cards must fit one screen); ``link``: to 指标详情 (not in a screenshot)."""
    with st.container(border=True, key=f"kpi-{_css_key(texts.code)}", height="stretch"):
        if texts.badge is not None:
            text, color, icon = texts.badge
            st.badge(text, icon=icon, color=color)  # no help icon: screenshot mode hides those
        st.metric(
            texts.label,
            texts.value,
            delta=texts.delta,
            delta_color=texts.delta_color,
            delta_description=texts.description,
            help=texts.help,
            chart_data=texts.spark if spark else None,
            chart_type="area",
        )
        if texts.notes:
            st.caption(texts.notes)
        if link:  # not in a screenshot: nothing to click there
            st.page_link(
                "pages/indicator.py",
                label=texts.open_label,
                icon=":material/query_stats:",
                query_params=link_params(indicator=texts.code),
            )


@dataclass(frozen=True)
class TileTexts:
    """A category tile as drawn (built once per data version, as :class:`KpiTexts`)."""

    category: str
    markdown: str
    open_label: str


def tile_texts(tile: Mapping[str, Any], *, year: int, lang: str) -> TileTexts:
    """A category's year in a few lines, and a link to its trends (filters kept)."""
    lines = [f"#### {md_escape(name(tile, lang))}"]
    if tile["reported"] == 0:
        latest: Any = tile.get("latest_year")
        note = (
            localized("tile.never", lang)
            if _missing(latest)
            else localized("tile.none", lang, year=year, latest=int(latest))
        )
        lines.append(f":gray[{note}]")
    else:
        reported, total = tile["reported"], tile["indicators"]
        lines.append(localized("tile.reported", lang, reported=reported, total=total, year=year))
        lines.append(localized("tile.moves", lang, up=tile["improved"], down=tile["worsened"]))
        if tile["targets"]:
            lines.append(localized("tile.targets", lang, met=tile["met"], total=tile["targets"]))
        if isinstance(tile.get("best"), str):
            best = {"name_zh": tile["best_name_zh"], "name_en": tile["best_name_en"]}
            change = format_change(tile["best_change"], tile["best_kind"], lang)
            text = localized("tile.best", lang, name=md_escape(name(best, lang)), change=change)
            lines.append(f":gray[{text}]")
    return TileTexts(tile["category"], "\n\n".join(lines), localized("tile.open", lang))


def category_tile(texts: TileTexts) -> None:
    """Draw a category tile (:func:`tile_texts`)."""
    with st.container(border=True, key=f"tile-{_css_key(texts.category)}", height="stretch"):
        st.markdown(texts.markdown)
        st.page_link(
            "pages/category.py",
            label=texts.open_label,
            icon=":material/arrow_forward:",
            query_params=link_params(category=texts.category),
        )


def link_params(**extra: str) -> dict[str, list[str]]:
    """The current URL's parameters (the filters) plus ``extra``: links keep the view."""
    params = {key: st.query_params.get_all(key) for key in st.query_params}
    params.update({key: [value] for key, value in extra.items()})
    return params


def store_is_empty() -> bool:
    """No figure at all (the sidebar has already read the year bounds this run)."""
    return read(queries.year_bounds) is None


def page_header(title: str, lang: str) -> None:
    """The page title, marked 示例数据 while the sample batch is loaded."""
    st.title(title)
    if read(queries.sample_in_use):
        st.badge(localized("sample.badge", lang), icon=":material/science:", color="orange",
                 help=localized("sample.notice", lang))  # fmt: skip


def scope_label(filters: Any, lang: str) -> str:
    """Whose figures these are: 全市 (city-wide) or the chosen districts combined."""
    if filters.city_wide:
        return localized("scope.city", lang)
    return localized("scope.regions", lang, regions=md_escape("、".join(filters.districts)))


def filtered_out(filters: Any, lang: str, *, subject: str = "") -> str:
    """Why a page has nothing to show: the years, or the regions, the filters ask for."""
    if filters.regions:
        what = localized("empty.regions", lang, regions=md_escape("、".join(filters.regions)))
    elif filters.year_from is None:
        what = ""
    elif filters.year_from == filters.year_to:
        what = localized("empty.year", lang, year=filters.year_from)
    else:
        what = localized("empty.years", lang, start=filters.year_from, end=filters.year_to)
    if subject:
        what = f"{subject}；{what}" if lang == "zh" else f"{subject}; {what}"
    return localized("empty.filtered", lang, what=what)


def _css_key(code: str) -> str:
    return re.sub(r"[^a-z0-9_-]", "", str(code).lower())


def may_load_sample() -> bool:
    """Only an analyst (or admin) loads the sample: it is a batch like any other."""
    return users.has_role(current_role(), "analyst")


def empty_store(lang: str, *, key: str) -> None:
    """The empty store's welcome: what is missing and, for an analyst, one click to load
    the sample data; anyone else reads how an analyst does it (first-run screen)."""
    failure = st.session_state.pop(_FAILURE_STATE, None)
    if failure:
        st.error(failure)
    if not may_load_sample():
        body = localized("empty.body_visitor", lang)
        st.info(f"**{localized('empty.title', lang)}**\n\n{body}", icon=":material/inventory_2:")
        return
    st.info(
        f"**{localized('empty.title', lang)}**\n\n{localized('empty.body', lang)}",
        icon=":material/inventory_2:",
    )
    st.button(
        localized("empty.load_sample", lang),
        key=key,
        type="primary",
        icon=":material/download:",
        on_click=_load_sample,
        args=(lang,),
    )


def _load_sample(lang: str) -> None:
    """Button callback (runs before the page redraws, so the next view has the data).

    The role is checked again here: a widget message forged for a button this visitor
    was never shown must not load anything.
    """
    if not may_load_sample():
        st.session_state[_FAILURE_STATE] = localized("empty.refused", lang)
        return
    result = load_sample_data()
    if result.status in ("loaded", "duplicate"):
        inserted = int(result.counts.get("inserted", 0))
        batch = result.batch_id or "—"
        st.session_state[_FLASH_STATE] = localized(
            "empty.loaded", lang, count=inserted, batch=batch
        )
    else:
        reasons = "; ".join(issue.message for issue in result.errors[:3]) or result.status
        st.session_state[_FAILURE_STATE] = localized("empty.failed", lang, reason=reasons)


def flash() -> None:
    """A message left by the previous run (e.g. "sample data loaded"), shown once."""
    message = st.session_state.pop(_FLASH_STATE, None)
    if message:
        st.toast(message, icon=":material/check_circle:")


def no_data(message: str) -> None:
    st.info(message, icon=":material/filter_alt_off:")

"""The sidebar: language switch and the filters every page shares, mirrored in the URL.

``?lang=en&years=2018&years=2022&cats=safety&regions=城东区`` opens exactly that view, and
every change is written back to the address bar, so a copied link reopens it. The URL
holds codes (``safety``), never display names, so a link works in either language.

How the mirror works (``st.query_params``): before drawing, a widget adopts its URL
parameter when that differs from what the app last wrote there (a link was opened or
edited); after drawing, its value is written back (a default is dropped to keep links
short). Widget values live in ``st.session_state``
under stable keys, so the choice survives page changes; values that no longer exist
(a region whose batch was rolled back) are dropped instead of raising.

``app.py`` calls :func:`language_switch` and :func:`sidebar_filters` on every run; pages
read the result with :func:`current_lang` and :func:`current_filters`, and mirror their
own choices with :func:`seed_choice` / :func:`mirror`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, cast

import streamlit as st

from db import queries
from db.queries import Filters
from texts import LANG_NAMES, LANGS, localized, name, region_label
from ui.data import read, shared

LANG_KEY = "lang"
YEARS_KEY = "years"
CATEGORIES_KEY = "cats"
REGIONS_KEY = "regions"
_FILTERS_STATE = "_tqi_filters"
_WRITTEN_STATE = "_tqi_url_written"  # key → the values this app last put in the URL
_BOUNDS_STATE = "_tqi_year_bounds"  # the store's first and last year this session last saw
_KEPT_STATE = "_tqi_kept"  # key → last value, for widgets of pages not shown this run


# ---- the URL mirror --------------------------------------------------------------------


def _from_url(key: str) -> list[str] | None:
    """The URL's values for ``key`` when they are news: a link just opened or edited.

    Values this app wrote itself (remembered by :func:`mirror`) are not news, and an
    address bar emptied by a page change leaves the widget as it was.
    """
    values = st.query_params.get_all(key)
    written = st.session_state.setdefault(_WRITTEN_STATE, {}).get(key)
    return values if values and values != written else None


def _restore(key: str) -> None:
    """A page's widget is forgotten while another page shows; bring its value back."""
    kept = st.session_state.get(_KEPT_STATE, {})
    if key not in st.session_state and key in kept:
        st.session_state[key] = kept[key]


def mirror(key: str, value: Any, default: Any) -> None:
    """Write a widget's value to the URL (repeated parameter for lists); drop defaults."""
    st.session_state.setdefault(_KEPT_STATE, {})[key] = value
    if value == default or value in (None, [], ()):
        wanted: list[str] = []
    else:
        wanted = [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]
    st.session_state.setdefault(_WRITTEN_STATE, {})[key] = wanted
    if st.query_params.get_all(key) == wanted:
        return
    if not wanted:
        del st.query_params[key]
    else:
        st.query_params[key] = wanted if len(wanted) > 1 else wanted[0]


def seed_choice(key: str, options: Sequence[str], default: str | None) -> None:
    """Before a single-choice widget: adopt a value from the URL; drop a stale choice."""
    _restore(key)
    url = _from_url(key)
    if url and url[-1] in options:
        st.session_state[key] = url[-1]
    if st.session_state.get(key) not in options:
        st.session_state[key] = default


def _seed_many(key: str, options: Sequence[str]) -> None:
    _restore(key)
    url = _from_url(key)
    if url:
        st.session_state[key] = list(dict.fromkeys(url))
    if key in st.session_state:
        st.session_state[key] = [v for v in st.session_state[key] if v in options]


def _seed_years(low: int, high: int) -> None:
    """Seed the year range; a range that reached the store's last (first) year keeps
    reaching it when a newer (older) year is committed — by anyone, in any session."""
    _restore(YEARS_KEY)
    url = _from_url(YEARS_KEY)
    if url:
        try:
            years = sorted(int(v) for v in url)
        except ValueError:
            years = []
        if years:
            st.session_state[YEARS_KEY] = (years[0], years[-1])
    start, end = st.session_state.get(YEARS_KEY, (low, high))
    seen_low, seen_high = st.session_state.get(_BOUNDS_STATE, (low, high))
    if end == seen_high:
        end = high
    if start == seen_low:
        start = low
    st.session_state[_BOUNDS_STATE] = (low, high)
    start, end = max(low, min(start, high)), min(high, max(end, low))
    st.session_state[YEARS_KEY] = (min(start, end), max(start, end))


# ---- language ----------------------------------------------------------------------------


def language_switch() -> str:
    """The language control (top of the sidebar); Chinese unless the URL or user says so."""
    seed_choice(LANG_KEY, LANGS, "zh")
    lang = st.sidebar.segmented_control(
        "语言 / Language",
        LANGS,
        required=True,
        format_func=lambda code: LANG_NAMES.get(code, code),
        key=LANG_KEY,
        label_visibility="collapsed",
    )
    lang = lang if lang in LANGS else "zh"
    mirror(LANG_KEY, lang, "zh")
    return lang


def current_lang() -> str:
    lang = st.session_state.get(LANG_KEY)
    return lang if lang in LANGS else "zh"


# ---- the shared filters --------------------------------------------------------------------


def current_filters() -> Filters:
    """The filters ``app.py`` read this run (all data when the app has not set any)."""
    return st.session_state.get(_FILTERS_STATE, Filters())


FILTERED_PAGES = frozenset({"", "overview", "category", "indicator", "coverage"})  # "": the default
"""Pages (``url_path``) the shared filters act on. 简报导出 has its own years, the analyst
pages (upload, batches, catalog, report reader) none: no filter is shown where it does
nothing, and no page has the same control twice."""

OWN_CATEGORY_PAGES = frozenset({"category"})
"""Pages that choose one category themselves (分类趋势): the sidebar's 工作类别 is not drawn
there — it would be the same control twice, and a hidden one would filter unseen. The
sidebar's choice is kept for the other pages and names the page's first category."""


def preferred_categories() -> list[str]:
    """The categories the sidebar (or a link's ``cats``) last chose, in order."""
    url = st.query_params.get_all(CATEGORIES_KEY)
    kept = st.session_state.get(_KEPT_STATE, {}).get(CATEGORIES_KEY) or []
    return list(url or kept)


@dataclass(frozen=True)
class FilterOptions:
    """What the shared filters offer at one data version: the same for every session, so
    built once per process (``ui.data.shared``) and only read — three cached reads and a
    table turned into records a run, before (``bench/bench_viewers.py``)."""

    bounds: tuple[int, int] | None  # the store's first and last year; None: no figure
    categories: Mapping[str, Mapping[str, Any]]  # code → its catalog row, catalog order
    regions: tuple[str, ...]  # 全市 first


def filter_options() -> FilterOptions:
    rows = read(queries.list_categories).to_dict("records")
    categories = MappingProxyType({row["code"]: MappingProxyType(row) for row in rows})
    return FilterOptions(read(queries.year_bounds), categories, tuple(read(queries.list_regions)))


def sidebar_filters(lang: str, page: str | None = None) -> Filters:
    """Draw the shared filters on ``page`` (a ``url_path``; None: draw them), mirror them
    in the URL and remember them for the pages. Elsewhere the last choice is kept.

    Long on purpose: the five controls depend on one another (categories narrow the
    indicators, the years bound the report year) and read one set of cached lists; split,
    each part would need the others' choices passed back in."""
    if page is not None and page not in FILTERED_PAGES:
        return current_filters()
    options = shared(filter_options)
    bounds, categories, regions = options.bounds, options.categories, options.regions
    sidebar = st.sidebar
    sidebar.subheader(localized("filters.header", lang))
    if bounds is None:
        sidebar.caption(localized("filters.no_data", lang))
        st.session_state[_FILTERS_STATE] = Filters()
        return Filters()

    low, high = bounds
    if low == high:
        sidebar.caption(localized("filters.one_year", lang, year=low))
        years = (low, high)
    else:
        _seed_years(low, high)
        # A (low, high) pair: the key's seeded value is a range, which the stubs cannot see.
        years = cast(
            tuple[int, int],
            sidebar.slider(
                localized("filters.years", lang),
                min_value=low,
                max_value=high,
                step=1,
                key=YEARS_KEY,
            ),
        )
        mirror(YEARS_KEY, list(years), [low, high])
    chosen_categories: list[str] = []
    if page not in OWN_CATEGORY_PAGES:
        _seed_many(CATEGORIES_KEY, list(categories))
        chosen_categories = sidebar.multiselect(
            localized("filters.categories", lang),
            list(categories),
            format_func=lambda code: name(categories[code], lang),
            placeholder=localized("filters.all_categories", lang),
            key=CATEGORIES_KEY,
        )
        mirror(CATEGORIES_KEY, chosen_categories, [])
    _seed_many(REGIONS_KEY, regions)
    chosen_regions = sidebar.multiselect(
        localized("filters.regions", lang),
        regions,
        format_func=lambda region: region_label(region, lang),
        placeholder=localized("filters.all_regions", lang),
        key=REGIONS_KEY,
    )
    mirror(REGIONS_KEY, chosen_regions, [])
    sidebar.button(
        localized("filters.reset", lang),
        key="reset_filters",
        on_click=_reset,
        args=(low, high),
        icon=":material/restart_alt:",
        type="tertiary",
    )
    sidebar.caption(localized("filters.link_hint", lang))
    filters = Filters(
        year_from=int(years[0]),
        year_to=int(years[1]),
        categories=tuple(chosen_categories),
        regions=tuple(chosen_regions),
    )
    st.session_state[_FILTERS_STATE] = filters
    return filters


def _reset(low: int, high: int) -> None:
    st.session_state[YEARS_KEY] = (low, high)
    st.session_state[CATEGORIES_KEY] = []
    st.session_state[REGIONS_KEY] = []

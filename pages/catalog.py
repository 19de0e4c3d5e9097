"""指标目录 Catalog (analysts): every indicator with its names; add an alias, a report
phrasing or an indicator.

An alias teaches the loader a department's own name for an indicator, so later files map
by themselves; a phrasing (``X`` for the figure) teaches the work-report reader the same
way. The rules (a name or phrasing means one indicator only) live in db/catalog_admin.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

import streamlit as st
from sqlalchemy.orm import Session

from db import audit, catalog_admin, queries
from db.catalog import IndicatorSpec, load_catalog
from db.session import read_session
from texts import localized, md_escape
from ui.analyst_views import catalog_table
from ui.auth import client_address, require_role
from ui.data import engine, read
from ui.filters import current_lang
from ui.navigation import run_through_app
from ui.page_parts import applicable_span
from ui.tables import show_table
from ui.writes import commit_write, remember_outcome, show_outcome

OUTCOME = "catalog_outcome"
T = TypeVar("T")

run_through_app()  # first: a link opened right after a restart still runs in app.py
user = require_role("analyst")
lang = current_lang()

with read_session(engine()) as session:
    catalog = load_catalog(session, include_inactive=True)


def _audit(session: Session, code: str, **detail: str) -> None:
    """The edit goes into the audit trail in the same transaction as the edit itself."""
    audit.record(
        session,
        "catalog_edited",
        user=user.username,
        target=code,
        address=client_address(),
        **detail,
    )


def _edit(action: Callable[[Session], T], success: Callable[[T], str], clear: str = "") -> None:
    """Commit a catalog edit, then empty the form's ``clear`` fields; a refused edit says
    why and keeps them. No cache is cleared: the data version covers the catalog
    (``db.queries.data_version``), so every page reads the new names on its next run."""
    done = commit_write(
        action,
        outcome=OUTCOME,
        refused=catalog_admin.CatalogEditError,
        explain=lambda exc: localized("catalog.refused", lang, reason=str(exc), md=True),
        success=success,
    )
    if done is not None:
        for key in clear.split():
            st.session_state[key] = ""


def _add_alias() -> None:
    code: str = st.session_state.get("alias_indicator") or ""
    alias = st.session_state.get("alias_text", "")
    name = catalog.indicators[code].name_zh if code in catalog.indicators else code

    def add(session: Session) -> str:
        catalog_admin.add_alias(session, code, alias)
        _audit(session, code, change="alias_added", text=alias.strip())
        return alias.strip()

    _edit(
        add,
        lambda text: localized("catalog.alias_added", lang, alias=text, name=name, md=True),
        "alias_text",
    )


def _add_phrasing() -> None:
    code: str = st.session_state.get("phrasing_indicator") or ""
    phrasing = st.session_state.get("phrasing_text", "")
    name = catalog.indicators[code].name_zh if code in catalog.indicators else code

    def add(session: Session) -> str:
        phrasings = catalog_admin.add_phrasing(session, code, phrasing)
        _audit(session, code, change="phrasing_added", text=phrasings[-1])
        return phrasings[-1]

    _edit(
        add,
        lambda text: localized("catalog.phrasing_added", lang, phrasing=text, name=name, md=True),
        "phrasing_text",
    )


def _add_indicator() -> None:
    get = st.session_state.get
    aliases = [a for a in re.split(r"[,，、;；\n]", get("new_aliases", "")) if a.strip()]
    phrasings = get("new_phrasings", "").splitlines()  # a phrasing may hold commas itself

    def add(session: Session) -> IndicatorSpec:
        spec = catalog_admin.add_indicator(
            session,
            code=get("new_code", ""),
            category=get("new_category", ""),
            name_zh=get("new_name_zh", ""),
            name_en=get("new_name_en", ""),
            unit=get("new_unit", ""),
            aggregation=get("new_aggregation", "sum"),
            direction=get("new_direction", "up"),
            aliases=aliases,
            phrasings=phrasings,
            description=get("new_description", ""),
        )
        _audit(session, spec.code, change="indicator_added", name=spec.name_zh)
        return spec

    _edit(
        add,
        lambda spec: localized(
            "catalog.indicator_added", lang, name=spec.name_zh, code=spec.code, md=True
        ),
        "new_code new_name_zh new_name_en new_unit new_aliases new_phrasings new_description",
    )


st.title(localized("catalog.title", lang))
st.caption(localized("catalog.intro", lang))
show_outcome(OUTCOME)

show_table(catalog_table(catalog, lang), hide_index=True, key="catalog_table", height=420)

specs = catalog.indicators
left, right = st.columns(2)
with left, st.form("alias_form"):
    st.subheader(localized("catalog.add_alias", lang), anchor=False)
    st.selectbox(
        localized("catalog.alias_indicator", lang),
        list(specs),
        format_func=lambda c: f"{specs[c].name_zh}（{c}）",
        key="alias_indicator",
    )
    st.text_input(localized("catalog.alias", lang), key="alias_text", max_chars=100)
    st.form_submit_button(
        localized("catalog.alias_submit", lang),
        on_click=_add_alias,
        key="alias_submit",
        type="primary",
    )

with left, st.form("phrasing_form"):
    st.subheader(localized("catalog.add_phrasing", lang), anchor=False)
    st.selectbox(
        localized("catalog.phrasing_indicator", lang),
        list(specs),
        format_func=lambda c: f"{specs[c].name_zh}（{c}）",
        key="phrasing_indicator",
    )
    st.text_input(
        localized("catalog.phrasing", lang),
        key="phrasing_text",
        max_chars=catalog_admin.MAX_PHRASING_LENGTH,
    )
    st.caption(localized("catalog.phrasing_help", lang))
    st.form_submit_button(
        localized("catalog.phrasing_submit", lang),
        on_click=_add_phrasing,
        key="phrasing_submit",
        type="primary",
    )

categories = catalog.categories
with right, st.form("indicator_form"):
    st.subheader(localized("catalog.add_indicator", lang), anchor=False)
    st.selectbox(
        localized("catalog.category", lang),
        list(categories),
        format_func=lambda c: categories[c].name_en if lang == "en" else categories[c].name_zh,
        key="new_category",
    )
    st.text_input(localized("catalog.code", lang), key="new_code", max_chars=80)
    st.text_input(localized("catalog.name_zh", lang), key="new_name_zh", max_chars=100)
    st.text_input(localized("catalog.name_en", lang), key="new_name_en", max_chars=100)
    st.text_input(localized("catalog.unit", lang), key="new_unit", max_chars=20)
    a, d = st.columns(2)
    a.selectbox(
        localized("catalog.aggregation", lang),
        list(catalog_admin.AGGREGATIONS),
        format_func=lambda v: localized(f"agg.{v}", lang),
        key="new_aggregation",
    )
    d.selectbox(
        localized("catalog.direction", lang),
        list(catalog_admin.DIRECTIONS),
        format_func=lambda v: localized(f"dir.{v}", lang),
        key="new_direction",
    )
    st.text_input(localized("catalog.aliases_input", lang), key="new_aliases")
    st.text_area(localized("catalog.phrasings_input", lang), key="new_phrasings", height=68)
    st.text_area(localized("catalog.description", lang), key="new_description", height=80)
    st.form_submit_button(
        localized("catalog.indicator_submit", lang),
        on_click=_add_indicator,
        key="indicator_submit",
        type="primary",
    )


def _set_years() -> None:
    """Form callback: parse the two optional years, then save them or say what is wrong."""
    get = st.session_state.get
    code: str = get("years_indicator") or ""
    parsed: list[int | None] = []
    for key, field in (("years_first", "catalog.first_year"), ("years_last", "catalog.last_year")):
        text = str(get(key, "") or "").strip()
        if text and not text.isdigit():
            reason = localized(
                "catalog.year_not_number", lang, field=localized(field, lang), value=text
            )
            remember_outcome(
                OUTCOME, "error", localized("catalog.refused", lang, reason=reason, md=True)
            )
            return
        parsed.append(int(text) if text else None)
    first, last = parsed

    def save(session: Session) -> str:
        catalog_admin.set_years(session, code, first, last)
        _audit(session, code, change="years_set", years=f"{first or ''}–{last or ''}")
        return applicable_span({"first_year": first, "last_year": last}, lang)

    name_zh = specs[code].name_zh
    _edit(
        save,
        lambda span: localized(
            "catalog.years_saved",
            lang,
            name=name_zh,
            span=span or localized("catalog.all_years", lang),
        ),
    )


with right, st.form("years_form"):
    st.subheader(localized("catalog.years_title", lang), anchor=False)
    st.caption(localized("catalog.years_help", lang))
    st.selectbox(
        localized("catalog.years_indicator", lang),
        list(specs),
        format_func=lambda c: f"{specs[c].name_zh}（{c}）",
        key="years_indicator",
    )
    first_col, last_col = st.columns(2)
    first_col.text_input(localized("catalog.first_year", lang), key="years_first", max_chars=4)
    last_col.text_input(localized("catalog.last_year", lang), key="years_last", max_chars=4)
    st.form_submit_button(
        localized("catalog.years_submit", lang),
        on_click=_set_years,
        key="years_submit",
        type="primary",
    )
    ranges = read(queries.list_indicators)
    ranged = ranges[ranges["first_year"].notna() | ranges["last_year"].notna()]
    if len(ranged):
        listed = "；".join(
            f"{row['name_zh']} {applicable_span(row, lang)}" for row in ranged.to_dict("records")
        )
        st.caption(md_escape(localized("catalog.years_current", lang, list=listed)))

"""报告识别 Report reader (analysts): paste or upload a work report, review its figures, load.

The text is repaired and read by ``etl.report``; the analyst corrects the figures in an
editable table, every version of which is checked by a dry run of
``etl.pipeline.load_frame`` (the same validation as a batch file), and commits it as one
batch recorded as coming from the report. Results are kept in session state keyed by
content, so Streamlit's reruns neither re-read the report nor load anything twice.
"""

from __future__ import annotations

import hashlib
from datetime import date

import pandas as pd
import streamlit as st

from db.catalog import load_catalog
from db.models import CITY_WIDE
from etl.issues import EtlError, UnreadableFileError
from etl.pipeline import BatchResult, LoadOptions, load_frame
from etl.report import (
    ReportExtraction,
    batch_sha256,
    extract_figures,
    frame_from_review,
    review_table,
)
from etl.report_files import REPORT_SUFFIXES, report_text
from texts import localized
from ui.analyst_views import issues_table
from ui.auth import client_address, require_role
from ui.data import read
from ui.filters import current_lang
from ui.navigation import run_through_app
from ui.report_view import highlighted_html, indicator_label, pasted_source_name
from ui.settings import max_upload_mb
from ui.streamlit_texts import file_uploader
from ui.tables import hide_toolbar_download, show_table
from ui.writes import (
    REPORT_CHECKS,
    REPORT_COMMITTED,
    commit_write,
    rehearse,
    remembered,
    show_outcome,
)

EXTRACTIONS = "report_extractions"  # content key -> ReportExtraction
EDITABLE = ["indicator_code", "year", "region", "value", "qualifier"]

run_through_app()  # first: a link opened right after a restart still runs in app.py
user = require_role("analyst")
lang = current_lang()
limit_mb = max_upload_mb()
st.session_state.setdefault(EXTRACTIONS, {})
catalog = read(load_catalog)


def _options(dry_run: bool, extraction: ReportExtraction) -> LoadOptions:
    return LoadOptions(
        user=user.username,
        dry_run=dry_run,
        default_year=extraction.year,
        default_region=extraction.region,
        source_kind="report",
        address=client_address(),
    )


def _check(frame: pd.DataFrame, sha: str, name: str, extraction: ReportExtraction) -> BatchResult:
    opts = _options(True, extraction)
    return rehearse(
        lambda session: load_frame(session, frame, source_name=name, sha256=sha, options=opts)
    )


def _commit(frame: pd.DataFrame, sha: str, name: str, extraction: ReportExtraction) -> None:
    opts = _options(False, extraction)
    result = commit_write(
        lambda session: load_frame(session, frame, source_name=name, sha256=sha, options=opts),
        outcome=f"report_commit_error_{sha}",
        refused=EtlError,
        keep=lambda result: result.status == "loaded",
    )
    if result is not None:
        remembered(REPORT_COMMITTED)[sha] = result


st.title(localized("reader.title", lang))
st.caption(localized("reader.intro", lang))
upload = file_uploader(
    localized("reader.upload", lang),
    types=list(REPORT_SUFFIXES),
    mb=limit_mb,
    key="report_file",
    lang=lang,
)
pasted = st.text_area(localized("reader.paste", lang), height=160, key="report_text")
left, right = st.columns(2)
year = left.number_input(
    localized("reader.year", lang),
    min_value=1949,
    max_value=date.today().year + 1,
    value=None,
    step=1,
    key="report_year",
)
region = right.text_input(localized("reader.region", lang), value=CITY_WIDE, key="report_region")

if upload is not None:
    data, source_name = upload.getvalue(), upload.name
    if len(data) > limit_mb * 1024 * 1024:
        st.error(localized("reader.too_large", lang, mb=limit_mb))
        st.stop()
    try:
        text = report_text(data)
    except UnreadableFileError as exc:
        st.error(localized("reader.unreadable", lang, reason=str(exc)))
        st.stop()
elif pasted.strip():
    text, source_name = pasted, pasted_source_name(date.today())
    data = text.encode("utf-8")
else:
    st.info(localized("reader.empty", lang))
    st.stop()

key = hashlib.sha256(data).hexdigest() + f"|{year}|{region}"
if key not in st.session_state[EXTRACTIONS]:
    with st.spinner(localized("reader.title", lang)):
        st.session_state[EXTRACTIONS][key] = extract_figures(
            text, catalog, year=int(year) if year else None, region=region
        )
extraction: ReportExtraction = st.session_state[EXTRACTIONS][key]

cols = st.columns(3)
cols[0].metric(localized("reader.year_used", lang), extraction.year or "—")
cols[1].metric(localized("reader.found", lang), len(extraction.figures))
cols[2].metric(localized("reader.missing", lang), len(extraction.missing))
if extraction.year is None:
    st.warning(localized("reader.no_year", lang))
st.markdown(f"**{localized('reader.repaired', lang)}**")
st.html(highlighted_html(extraction, catalog))
if extraction.missing:
    names = "、".join(indicator_label(catalog, c) for c in extraction.missing)
    st.caption(localized("reader.missing_list", lang, names=names))

st.subheader(localized("reader.table", lang), anchor=False)
codes = list(catalog.indicators)
hide_toolbar_download()  # the editor's toolbar has the same unneutralised CSV download
edited = st.data_editor(
    review_table(extraction),
    num_rows="dynamic",
    hide_index=True,
    placeholder="—",
    disabled=[c for c in review_table(extraction).columns if c not in EDITABLE],
    column_order=["line", *EDITABLE, "unit", "written", "sentence"],
    column_config={
        "line": st.column_config.NumberColumn(localized("reader.col.line", lang), width="small"),
        "indicator_code": st.column_config.SelectboxColumn(
            localized("reader.col.indicator_code", lang),
            options=codes,
            format_func=lambda code: (
                catalog.indicators[str(code)].name_zh if code in catalog.indicators else str(code)
            ),
            required=True,
            width="medium",
        ),
        "year": st.column_config.NumberColumn(
            localized("reader.col.year", lang), format="%d", step=1
        ),
        "region": st.column_config.TextColumn(localized("reader.col.region", lang)),
        "value": st.column_config.NumberColumn(localized("reader.col.value", lang), format="%.10g"),
        "qualifier": st.column_config.SelectboxColumn(
            localized("reader.col.qualifier", lang),
            options=["more_than", "about"],
            format_func=lambda q: localized(f"analyst.qualifier.{q}", lang),
        ),
        "unit": st.column_config.TextColumn(localized("reader.col.unit", lang), width="small"),
        "written": st.column_config.TextColumn(
            localized("reader.col.written", lang), width="small"
        ),
        "sentence": st.column_config.TextColumn(
            localized("reader.col.sentence", lang), width="large"
        ),
    },
    key=f"report_editor_{key[:16]}",
)

frame = frame_from_review(edited, default_region=extraction.region)
if frame.empty:
    st.info(localized("reader.nothing", lang))
    st.stop()
sha = batch_sha256(data, frame)
done: BatchResult | None = remembered(REPORT_COMMITTED).get(sha)
if done is not None:
    if done.status == "loaded":
        st.success(localized("reader.loaded", lang, batch=done.batch_id, source=done.source_name))
    elif done.status == "duplicate":
        st.info(localized("reader.duplicate", lang, batch=done.duplicate_of))
    else:
        st.error(localized("reader.rejected", lang, n=len(done.errors)))
        show_table(issues_table(done.errors, lang), hide_index=True, key="report_commit_errors")
    st.stop()

checks = remembered(REPORT_CHECKS)
if sha not in checks:
    checks[sha] = _check(frame, sha, source_name, extraction)
check: BatchResult = checks[sha]
if check.status == "duplicate":
    st.info(localized("reader.duplicate", lang, batch=check.duplicate_of))
elif check.errors:
    st.error(localized("reader.errors", lang, n=len(check.errors)))
    show_table(issues_table(check.errors, lang), hide_index=True, key="report_errors")
else:
    st.success(
        localized(
            "reader.ready",
            lang,
            **{k: check.counts.get(k, 0) for k in ("inserted", "updated", "unchanged")},
        )
    )
if check.warnings:
    with st.expander(f"{localized('reader.warnings', lang)}（{len(check.warnings)}）"):
        show_table(issues_table(check.warnings, lang), hide_index=True, key="report_warnings")
show_outcome(f"report_commit_error_{sha}")
st.button(
    localized("reader.commit", lang),
    type="primary",
    disabled=check.status != "dry_run",
    key="report_commit",
    on_click=_commit,
    args=(frame, sha, source_name, extraction),
)

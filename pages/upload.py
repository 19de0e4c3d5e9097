"""数据上传 Upload (analysts): preview every file, then commit the good ones, one batch each.

A preview is computed once per file content (keyed by its SHA-256 in session state), so
the reruns Streamlit makes on every click neither recompute it nor load anything. Only
the commit button writes, and ``etl.pipeline.load_file`` itself refuses a byte-identical
file a second time, so even a double click loads a file once.
"""

from __future__ import annotations

import hashlib

import streamlit as st
from sqlalchemy.exc import OperationalError

from db.catalog import load_catalog
from etl.export import TABLE_FORMATS, template_formats
from etl.input_formats import upload_types
from etl.issues import EtlError, UnreadableFileError
from etl.pipeline import BatchResult, LoadOptions, check_file, load_file, preview_file
from etl.read import workbook_sheets
from texts import localized, md_escape
from ui.analyst_views import issues_csv, issues_table, preview_table, template_file
from ui.auth import client_address, require_role
from ui.data import read
from ui.filters import current_lang
from ui.navigation import run_through_app
from ui.settings import max_upload_mb
from ui.streamlit_texts import file_uploader
from ui.tables import show_table
from ui.writes import (
    UPLOAD_COMMITTED,
    UPLOAD_PREVIEWS,
    commit_write,
    rehearse,
    remembered,
    show_outcome,
)

SHEETS = "upload_sheets"  # sha256 -> [(sheet name, holds a table)] of a workbook

run_through_app()  # first: a link opened right after a restart still runs in app.py
user = require_role("analyst")
lang = current_lang()
limit_mb = max_upload_mb()
st.session_state.setdefault(SHEETS, {})
catalog = read(load_catalog)


def _preview(data: bytes, name: str, sheet: str | None) -> BatchResult:
    """Parse and check outside any transaction, then count in a dry run if the store is free.

    While another batch holds the write lock the checked result is shown (status
    ``checked``) and not kept, so a later run counts.
    """
    options = LoadOptions(user=user.username, sheet=sheet)
    checked, raw = check_file(catalog, data, name, options)
    if raw is None or checked.errors:
        return checked
    try:
        return rehearse(
            lambda session: preview_file(session, data, name, options, raw=raw), wait=False
        )
    except OperationalError:
        return checked


def _sheet_choice(sha: str, data: bytes, name: str) -> str | None:
    """The sheet to read: chosen on the page when the workbook has several."""
    if sha not in st.session_state[SHEETS]:
        try:
            st.session_state[SHEETS][sha] = workbook_sheets(data, name)
        except UnreadableFileError:
            st.session_state[SHEETS][sha] = []  # the preview reports why
    sheets: list[tuple[str, bool]] = st.session_state[SHEETS][sha]
    if len(sheets) < 2:
        return None
    names = [n for n, _full in sheets]
    empty = {n for n, full in sheets if not full}
    first_full = next((i for i, (_n, full) in enumerate(sheets) if full), 0)
    return st.selectbox(
        localized("upload.sheet", lang),
        names,
        index=first_full,
        format_func=lambda n: n + (localized("upload.sheet_empty", lang) if n in empty else ""),
        key=f"sheet_{sha[:16]}",
    )


def _commit(sha: str, data: bytes, name: str, sheet: str | None) -> None:
    options = LoadOptions(user=user.username, sheet=sheet, address=client_address())
    result = commit_write(
        lambda session: load_file(session, data, name, options),
        outcome=f"commit_error_{sha}",
        refused=EtlError,
        explain=lambda exc: localized("upload.commit_failed", lang, reason=str(exc), md=True),
    )
    if result is not None:
        remembered(UPLOAD_COMMITTED)[f"{sha}:{sheet or ''}"] = result


st.title(localized("upload.title", lang))
st.caption(localized("upload.intro", lang, mb=limit_mb))

files = file_uploader(  # Streamlit's own texts in the chosen language (ui/streamlit_texts.py)
    localized("upload.files", lang),
    types=upload_types(),
    multiple=True,
    mb=limit_mb,
    key="upload_files",
    lang=lang,
)

shown: set[str] = set()
for upload in files or []:
    data = upload.getvalue()
    st.divider()
    st.subheader(md_escape(upload.name), anchor=False)
    if len(data) > limit_mb * 1024 * 1024:  # the widget limits too; this holds if it ever does not
        st.error(
            localized(
                "upload.too_large",
                lang,
                file=upload.name,
                size=len(data) / 2**20,
                mb=limit_mb,
                md=True,
            )
        )
        continue
    sha = hashlib.sha256(data).hexdigest()
    shown.add(sha)
    sheet = _sheet_choice(sha, data, upload.name)
    key = f"{sha}:{sheet or ''}"  # a workbook's sheets preview and commit one by one
    shown.add(key)
    done: BatchResult | None = remembered(UPLOAD_COMMITTED).get(key)
    if done is not None:
        if done.status == "loaded":
            st.success(localized("upload.status.loaded", lang, batch=done.batch_id, **done.counts))
        else:
            st.info(localized("upload.status.duplicate", lang, batch=done.duplicate_of))
        continue
    result: BatchResult | None = remembered(UPLOAD_PREVIEWS).get(key)
    if result is None:
        with st.spinner(upload.name):
            result = _preview(data, upload.name, sheet)
        if result.status != "checked":
            remembered(UPLOAD_PREVIEWS)[key] = result

    if result.status == "duplicate":
        st.info(localized("upload.status.duplicate", lang, batch=result.duplicate_of))
        continue
    if result.status == "unreadable":
        st.error(localized("upload.status.unreadable", lang))
        show_table(issues_table(result.errors, lang), hide_index=True, key=f"errors_{sha[:16]}")
        continue

    counts = result.counts
    cols = st.columns(6)
    cols[0].metric(localized("upload.counts.read", lang), counts.get("read", 0))
    cols[1].metric(localized("upload.counts.inserted", lang), counts.get("inserted", "—"))
    cols[2].metric(localized("upload.counts.updated", lang), counts.get("updated", "—"))
    cols[3].metric(localized("upload.counts.unchanged", lang), counts.get("unchanged", "—"))
    cols[4].metric(localized("upload.counts.warnings", lang), len(result.warnings))
    cols[5].metric(localized("upload.counts.errors", lang), len(result.errors))

    if result.errors:
        st.error(localized("upload.errors", lang, n=len(result.errors)))
        show_table(issues_table(result.errors, lang), hide_index=True, key=f"errors_{sha[:16]}")
        st.download_button(
            localized("upload.errors_download", lang),
            data=issues_csv(result.errors, lang),
            file_name=f"{upload.name.rsplit('.', 1)[0]}_错误清单.csv",
            mime="text/csv",
            key=f"errors_csv_{sha[:16]}",
            on_click="ignore",
        )
        if any(e.code == "unknown_indicator" for e in result.errors):
            st.caption(localized("upload.unknown_hint", lang))
            st.page_link(
                "pages/catalog.py",
                label=localized("catalog.title", lang),
                icon=":material/menu_book:",
            )
    if result.warnings:
        with st.expander(
            localized("upload.warnings", lang) + f"（{len(result.warnings)}）",
            expanded=not result.errors,
        ):
            show_table(
                issues_table(result.warnings, lang), hide_index=True, key=f"warnings_{sha[:16]}"
            )
    preview = preview_table(result.frame, catalog, lang)
    with st.expander(localized("upload.preview", lang, n=len(preview)), expanded=not result.errors):
        show_table(preview, hide_index=True, key=f"preview_{sha[:16]}")

    show_outcome(f"commit_error_{sha}")
    if result.status == "checked":
        st.info(localized("upload.status.checked", lang))
    elif not result.errors:
        st.success(localized("upload.status.dry_run", lang))
    st.button(
        localized("upload.commit", lang),
        type="primary",
        disabled=bool(result.errors) or result.status not in ("dry_run", "checked"),
        key=f"commit_{sha[:16]}",
        on_click=_commit,
        args=(sha, data, upload.name, sheet),
    )

previews = remembered(UPLOAD_PREVIEWS)
for gone in set(previews) - shown:  # files (or sheets) no longer shown
    del previews[gone]
for gone in set(st.session_state[SHEETS]) - shown:
    del st.session_state[SHEETS][gone]

st.divider()
st.subheader(localized("upload.template", lang), anchor=False)
st.caption(localized("upload.template_help", lang))
columns = iter(st.columns(4))
for layout in ("long", "wide"):
    for fmt in template_formats():
        next(columns).download_button(
            f"{localized(f'upload.template_{layout}', lang)} (.{fmt})",
            data=read(template_file, layout=layout, fmt=fmt),
            file_name=f"批次模板_{'长表' if layout == 'long' else '宽表'}.{fmt}",
            mime=TABLE_FORMATS[fmt].media_type,
            key=f"template_{layout}_{fmt}",
            on_click="ignore",
        )
st.page_link(
    "pages/batches.py", label=localized("upload.history_link", lang), icon=":material/history:"
)

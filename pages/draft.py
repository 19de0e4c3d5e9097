"""报告生成 Report drafts: last year's report with this year's figures from the store.

Everyone who may browse can draft on the built-in template and download the result (a
leader takes the draft home); uploading the bureau's own report as the template is for
analysts, like every other upload. The draft is built by ``etl.draft_job`` (the same as
``python -m etl draft``) and cached until the data change.
"""

from __future__ import annotations

import hashlib

import streamlit as st

from db import queries
from db.models import CITY_WIDE
from db.users import has_role
from etl.draft_docx import report_title
from etl.draft_job import DraftFiles, NoKnownFigureError, build_draft, changes_csv
from etl.issues import UnreadableFileError
from etl.report_files import REPORT_SUFFIXES
from texts import localized
from ui.auth import current_role
from ui.data import read
from ui.draft_view import draft_file_name, draft_html
from ui.filters import current_lang
from ui.navigation import run_through_app
from ui.settings import max_upload_mb
from ui.streamlit_texts import file_uploader
from ui.tables import show_table

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

run_through_app()  # first: a link opened right after a restart still runs in app.py
lang = current_lang()
st.title(localized("draft.title", lang))
st.caption(localized("draft.intro", lang))

bounds = read(queries.year_bounds)
if bounds is None:
    st.info(localized("draft.no_data", lang), icon=":material/inventory_2:")
    st.stop()
regions = read(queries.list_regions)
left, right = st.columns(2)
year = left.selectbox(
    localized("draft.year", lang), list(range(bounds[1], bounds[0] - 1, -1)), key="draft_year"
)
region = right.selectbox(
    localized("draft.region", lang),
    regions,
    index=regions.index(CITY_WIDE) if CITY_WIDE in regions else 0,
    key="draft_region",
)

template: bytes | None = None
if has_role(current_role(), "analyst"):
    limit_mb = max_upload_mb()
    upload = file_uploader(
        localized("draft.upload", lang),
        types=list(REPORT_SUFFIXES),
        mb=limit_mb,
        key="draft_template",
        lang=lang,
    )
    if upload is not None:
        template = upload.getvalue()
        if len(template) > limit_mb * 1024 * 1024:
            st.error(localized("draft.too_large", lang, mb=limit_mb))
            st.stop()
else:
    st.caption(localized("draft.builtin_only", lang))

try:
    files: DraftFiles = read(
        build_draft, year=int(year), region=str(region), template=template, clean=True
    )
except UnreadableFileError as exc:
    st.error(localized("draft.unreadable", lang, reason=str(exc)))
    st.stop()
except NoKnownFigureError as exc:
    st.error(localized("draft.no_figure", lang, reason=str(exc)))
    st.stop()
draft = files.draft

cols = st.columns(3)
cols[0].metric(localized("draft.written", lang), sum(e.kind == "figure" for e in draft.edits))
cols[1].metric(localized("draft.missing", lang), len(draft.missing))
cols[2].metric(localized("draft.template_year", lang), draft.template_year or "—")
if draft.missing:
    names = "、".join(
        files.changes.set_index("指标代码").loc[draft.missing, "指标"].drop_duplicates()
    )
    st.caption(localized("draft.missing_list", lang, year=draft.year, names=names))

buttons = st.columns(3)
key = hashlib.sha256(template or b"").hexdigest()[:12]
buttons[0].download_button(
    localized("draft.docx", lang), data=files.docx, file_name=draft_file_name(draft), mime=DOCX_MIME,
    on_click="ignore", type="primary", icon=":material/description:", key="draft_docx",
)  # fmt: skip
buttons[1].download_button(
    localized("draft.clean", lang), data=files.clean or b"", file_name=draft_file_name(draft, "（清稿）.docx"),
    mime=DOCX_MIME, on_click="ignore", icon=":material/draft:", key="draft_clean",
)  # fmt: skip
buttons[2].download_button(
    localized("draft.changes", lang), data=changes_csv(files.changes),
    file_name=draft_file_name(draft, "_改动清单.csv"), mime="text/csv", on_click="ignore",
    icon=":material/table:", key="draft_changes",
)  # fmt: skip

st.subheader(localized("draft.preview", lang), anchor=False)
st.html(draft_html(draft, report_title(draft)))
st.subheader(localized("draft.change_list", lang), anchor=False)
show_table(files.changes, hide_index=True, key=f"draft_change_table_{key}")

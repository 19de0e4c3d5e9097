"""操作日志 Audit trail (admins): who logged in, loaded, rolled back or edited what, and when.

Read-only; the events are written by the actions themselves (``db.audit.record``).
"""

from __future__ import annotations

from datetime import date, datetime, time

import pandas as pd
import streamlit as st

from db import audit
from db.session import read_session
from texts import localized
from ui.auth import require_role
from ui.data import engine
from ui.filters import current_lang
from ui.navigation import run_through_app
from ui.tables import show_table

run_through_app()  # first: a link opened right after a restart still runs in app.py
require_role("admin")
lang = current_lang()

st.title(localized("audit.title", lang))
st.caption(localized("audit.caption", lang))

left, middle, right = st.columns(3)
since: date | None = left.date_input(localized("audit.since", lang), value=None, key="audit_since")
user_filter = middle.text_input(localized("audit.user", lang), key="audit_user").strip()
actions = ["", *audit.ACTIONS]
action = right.selectbox(
    localized("audit.action", lang),
    actions,
    format_func=lambda a: (
        localized(f"audit.action.{a}", lang) if a else localized("audit.all", lang)
    ),
    key="audit_action",
)

with read_session(engine()) as session:
    events = audit.list_events(
        session,
        since=datetime.combine(since, time.min) if since else None,
        user=user_filter or None,
        action=action or None,
        limit=2000,
    )
if not events:
    st.info(localized("audit.empty", lang))
    st.stop()

table = pd.DataFrame(
    {
        localized("audit.col.at", lang): [e.at for e in events],
        localized("audit.user", lang): [e.username for e in events],
        localized("audit.action", lang): [
            localized(f"audit.action.{e.action}", lang) for e in events
        ],
        localized("audit.col.target", lang): [e.target for e in events],
        localized("audit.col.address", lang): [e.address or "" for e in events],
        localized("audit.col.detail", lang): [
            ", ".join(f"{k}={v}" for k, v in e.detail.items()) for e in events
        ],
    }
)
show_table(table, hide_index=True, key="audit_table")

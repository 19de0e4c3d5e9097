"""批次记录 Batch history (analysts): who loaded what, the figures each batch set, rollback.

Rollback asks for a confirmation first, and ``etl.rollback.rollback_batch`` refuses — naming
the batch in the way — when a later batch changed the same figures.
"""

from __future__ import annotations

import streamlit as st

from db.batches import batch_figures, list_batches
from db.session import read_session
from etl.issues import EtlError
from etl.rollback import rollback_batch
from texts import localized
from ui.analyst_views import batches_table, figures_csv, figures_table
from ui.auth import client_address, require_role
from ui.data import engine
from ui.filters import current_lang
from ui.navigation import run_through_app
from ui.tables import show_table
from ui.writes import commit_write, forget_commits, show_outcome

CONFIRM = "batches_confirm"  # batch id waiting for the "yes, roll back" click
OUTCOME = "batches_outcome"  # ("success" | "error", message) of the last rollback

run_through_app()  # first: a link opened right after a restart still runs in app.py
user = require_role("analyst")
lang = current_lang()


def _ask(batch_id: int) -> None:
    st.session_state[CONFIRM] = batch_id


def _cancel() -> None:
    st.session_state.pop(CONFIRM, None)


def _rollback(batch_id: int) -> None:
    st.session_state.pop(CONFIRM, None)
    done = commit_write(
        lambda session: rollback_batch(
            session, batch_id, user=user.username, address=client_address()
        ),
        outcome=OUTCOME,
        refused=EtlError,
        explain=lambda exc: localized("batches.refused", lang, reason=str(exc), md=True),
        success=lambda done: localized(
            "batches.rolled_back_ok",
            lang,
            batch=batch_id,
            restored=done.restored,
            deleted=done.deleted,
        ),
    )
    if done is not None:
        forget_commits()


st.title(localized("batches.title", lang))
show_outcome(OUTCOME)

with read_session(engine()) as session:
    batches = list_batches(session)
if not batches:
    st.info(localized("batches.empty", lang))
    st.stop()

show_table(batches_table(batches, lang), hide_index=True, key="batches_table")

by_id = {b.id: b for b in batches}
picked = st.selectbox(
    localized("batches.pick", lang),
    list(by_id),
    format_func=lambda i: f"#{i} {by_id[i].source_name}",
    key="batch_pick",
)
batch = by_id[picked]
with read_session(engine()) as session:
    figures = batch_figures(session, picked)
st.subheader(localized("batches.figures", lang, batch=picked, n=len(figures)), anchor=False)
if figures.empty:
    st.caption(localized("batches.no_figures", lang))
else:
    show_table(figures_table(figures, lang), hide_index=True, key="batch_figures")
    st.download_button(
        localized("batches.figures_download", lang),
        data=figures_csv(figures, lang),
        file_name=f"批次{picked}_数据.csv",
        mime="text/csv",
        key="batch_figures_csv",
        on_click="ignore",
    )

if batch.status == "rolled_back":
    st.caption(localized("batches.already", lang))
elif st.session_state.get(CONFIRM) == picked:
    st.warning(localized("batches.confirm_text", lang, batch=picked))
    yes, no, _ = st.columns([1, 1, 5])
    yes.button(
        localized("batches.confirm", lang),
        type="primary",
        key="rollback_confirm",
        on_click=_rollback,
        args=(picked,),
    )
    no.button(localized("batches.cancel", lang), key="rollback_cancel", on_click=_cancel)
else:
    st.button(
        localized("batches.rollback", lang, batch=picked),
        key="rollback_start",
        on_click=_ask,
        args=(picked,),
    )

"""The one way a page writes to the store, and the session state that describes the store.

Every page that changes the store (数据上传, 报告识别, 批次记录, 指标目录) writes in a widget
callback through :func:`commit_write`: one write session, commit (or roll back), and the
outcome kept in the session for the run that follows. What the pages need not do:

* **clear caches** — every cached read is keyed on the data version
  (``ui.data.read``, ``db.queries.data_version``), which a load, a rollback or a catalog
  edit changes, so the next run reads fresh figures and names;
* **record the commit** — the commit listener in ``ui.data`` (``_remember_commit``) makes
  this browser session read its own writes from the primary while a replica lags;
* **catch database errors** — a held lock or a broken store escapes to the app-wide
  callback guard (``ui.errors.guard_callbacks``), which logs it and shows the plain
  "data is being written" message on the next run.

Dry runs (the upload preview, the report check) go through :func:`rehearse`: the same
session, always rolled back. Their remembered results count against the store, so every
commit forgets them; a rollback also forgets the remembered commits.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, TypeVar

import streamlit as st
from sqlalchemy.orm import Session

from db.session import write_session, write_session_nowait
from ui.data import engine

T = TypeVar("T")
OutcomeKind = Literal["success", "error"]

# Results the pages remember per browser session, keyed by file content. Owned here so a
# page that changes the store can forget another page's results without knowing its keys.
UPLOAD_PREVIEWS = "upload_previews"  # sha256:sheet -> BatchResult of the dry run
UPLOAD_COMMITTED = "upload_committed"  # sha256:sheet -> BatchResult of the commit
REPORT_CHECKS = "report_checks"  # batch sha -> BatchResult of the dry run
REPORT_COMMITTED = "report_committed"  # batch sha -> BatchResult of the commit
_DRY_RUNS = (UPLOAD_PREVIEWS, REPORT_CHECKS)
_COMMITS = (UPLOAD_COMMITTED, REPORT_COMMITTED)


def remembered(key: str) -> dict[str, Any]:
    """This session's results under ``key`` (one of the names above), created empty."""
    results: dict[str, Any] = st.session_state.setdefault(key, {})
    return results


def forget_commits() -> None:
    """After a rollback: remembered loads describe a store that is gone."""
    for key in _COMMITS:
        st.session_state.pop(key, None)


def remember_outcome(key: str, kind: OutcomeKind, message: str) -> None:
    st.session_state[key] = (kind, message)


def show_outcome(key: str) -> None:
    """The outcome a callback left under ``key``, shown once."""
    outcome: tuple[OutcomeKind, str] | None = st.session_state.pop(key, None)
    if outcome is not None:
        (st.success if outcome[0] == "success" else st.error)(outcome[1])


def commit_write(
    action: Callable[[Session], T],
    *,
    outcome: str,
    refused: type[Exception] | tuple[type[Exception], ...],
    explain: Callable[[Exception], str] = str,
    success: Callable[[T], str] | None = None,
    keep: Callable[[T], bool] = lambda _result: True,
) -> T | None:
    """Run ``action`` in one write transaction and commit it, as every page writes.

    ``refused`` exceptions (the domain's "no": a rollback another batch blocks, a name
    already taken) roll back and leave ``explain(exc)`` under ``outcome`` as an error;
    the call then returns ``None``. On success ``success(result)`` is left there (when
    given). ``keep(result)`` false rolls back instead of committing (a rejected batch).
    """
    try:
        with write_session(engine()) as session:
            try:
                result = action(session)
                if keep(result):
                    session.commit()
                else:
                    session.rollback()
            except BaseException:
                session.rollback()
                raise
    except refused as exc:
        remember_outcome(outcome, "error", explain(exc))
        return None
    for key in _DRY_RUNS:  # counted against the store as it was
        st.session_state.pop(key, None)
    if success is not None:
        remember_outcome(outcome, "success", success(result))
    return result


def rehearse(action: Callable[[Session], T], *, wait: bool = True) -> T:
    """Run ``action`` in a write transaction that is always rolled back (a dry run).

    ``wait=False`` fails at once (``OperationalError``) while another writer holds the
    lock, for work a later run can redo (the upload preview's counts).
    """
    opened = write_session(engine()) if wait else write_session_nowait(engine())
    with opened as session:
        try:
            return action(session)
        finally:
            session.rollback()  # a dry run never writes, not even its savepoint's batch row

"""Database errors on a page: one short sentence for the visitor, the detail in the server log.

Streamlit shows an uncaught exception as a traceback with server paths and SQL — to
anonymous visitors too. The commonest one is ordinary: an analyst's load holds SQLite's
write lock longer than the busy timeout, and a login or a click that writes gives up with
"database is locked". So every database error becomes a short message ("数据正在写入，请稍后
重试" for a lock wait, another for anything else) and the whole error, with its
traceback, goes to the server log (logger ``tqi.app``), never to the page.

Two places catch them, so no page has to:

* the run itself — ``app.py`` runs the navigation inside :func:`database_errors`;
* widget callbacks, which Streamlit runs *before* the script, where no ``try`` in
  ``app.py`` can reach: :func:`guard_callbacks` wraps Streamlit's callback call once per
  process; the message is kept in the session and shown at the top of the run that follows.

Anything else that escapes is shown by Streamlit without details (``client.showErrorDetails
= "none"`` in ``.streamlit/config.toml``).
"""

from __future__ import annotations

import contextlib
import functools
import logging
import sqlite3
import sys
from collections.abc import Callable, Iterator
from typing import Any

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from texts import localized
from ui.filters import current_lang

LOG = logging.getLogger("tqi.app")
DATABASE_ERRORS: tuple[type[BaseException], ...] = (SQLAlchemyError, sqlite3.Error)
PENDING_KEY = "_tqi_database_error"  # a callback's message, shown by the next run
# PostgreSQL: lock_not_available (lock_timeout), deadlock_detected, serialization_failure.
_PG_LOCK_STATES = frozenset({"55P03", "40P01", "40001"})
_SQLITE_LOCK_NAMES = frozenset({"SQLITE_BUSY", "SQLITE_LOCKED"})


def configure_logging() -> None:
    """Send ``tqi.*`` records to the server's stderr, with time and level, once.

    Streamlit configures only its own loggers; without a handler Python would print our
    errors bare, without the time an operator needs to match them to a complaint. Where
    logging is already set up (a deployment's config, pytest), records go there instead.
    """
    logger = logging.getLogger("tqi")
    if logger.handlers or logging.getLogger().handlers:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)


def is_lock_wait(exc: BaseException) -> bool:
    """Whether ``exc`` means "someone else is writing": worth trying again in a moment."""
    orig = getattr(exc, "orig", None) or exc
    if isinstance(orig, sqlite3.Error):
        name = getattr(orig, "sqlite_errorname", "")
        return name in _SQLITE_LOCK_NAMES or "locked" in str(orig).lower()
    return getattr(orig, "sqlstate", None) in _PG_LOCK_STATES


def database_message(exc: BaseException, lang: str) -> str:
    return localized("db.busy" if is_lock_wait(exc) else "db.error", lang)


def report_database_error(exc: BaseException, where: str) -> str:
    """Log ``exc`` with its traceback (server side only); the visitor's message."""
    LOG.error("database error in %s: %s", where, exc, exc_info=exc)
    return database_message(exc, current_lang())


def show_pending_error() -> None:
    """The message a callback left (see :func:`guard_callbacks`), shown once."""
    message = st.session_state.pop(PENDING_KEY, None)
    if message:
        st.error(message, icon=":material/hourglass_top:")


@contextlib.contextmanager
def database_errors(where: str = "page") -> Iterator[None]:
    """Around the run: a database error ends it with the short message, logged in full."""
    show_pending_error()
    try:
        yield
    except DATABASE_ERRORS as exc:
        st.error(report_database_error(exc, where), icon=":material/hourglass_top:")


def _guarded(call_callback: Callable[..., None]) -> Callable[..., None]:
    @functools.wraps(call_callback)
    def call(self: Any, widget_id: str, *args: Any, **kwargs: Any) -> None:
        try:
            call_callback(self, widget_id, *args, **kwargs)
        except DATABASE_ERRORS as exc:
            st.session_state[PENDING_KEY] = report_database_error(exc, f"callback {widget_id}")

    call._tqi_guarded = True  # type: ignore[attr-defined]
    return call


def guard_callbacks() -> None:
    """Catch database errors in every widget callback, once per process.

    Callbacks (a login, a commit, an alias) run before the script, inside Streamlit's
    ``WStates.call_callback``; wrapping that one method covers every page's callbacks,
    present and future, without a decorator on each. It is Streamlit internals (pinned in
    requirements.txt; ``tests/test_page_errors.py`` fails if an upgrade moves it), so if the
    method is missing the app runs on and Streamlit shows such errors without details.
    """
    try:
        from streamlit.runtime.state.session_state import WStates
    except ImportError:  # pragma: no cover - a Streamlit that moved it
        LOG.warning("cannot guard widget callbacks: streamlit WStates not found")
        return
    method = getattr(WStates, "call_callback", None)
    if method is None:  # pragma: no cover
        LOG.warning("cannot guard widget callbacks: WStates.call_callback not found")
        return
    if not getattr(method, "_tqi_guarded", False):
        WStates.call_callback = _guarded(method)  # type: ignore[method-assign]

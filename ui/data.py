"""Cached reads for the pages, and the one write the dashboard makes (the sample data).

Every read goes through :func:`read`, which keys Streamlit's cache on the database URL
and the store's *data version* (:func:`db.queries.data_version`, one tiny query on the
batch table, read once per run by :func:`start_run`). A batch that lands or is rolled back — in this process or any
other replica — changes the version, so the next run reads fresh figures; unchanged data
is served from the cache.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import streamlit as st
from sqlalchemy import Engine

from db import queries
from db.session import get_engine, read_session, resolve_database_url, write_session

if TYPE_CHECKING:
    from etl.pipeline import BatchResult

T = TypeVar("T")


def database_url() -> str:
    return resolve_database_url(None)


def engine() -> Engine:
    """The process-wide engine (migrated and seeded on first use)."""
    return get_engine(database_url())


_VERSION_STATE = "_tqi_data_version"


def start_run() -> None:
    """``app.py``, once per run: read the data version for every :func:`read` of the run.

    Buttons write in callbacks, which Streamlit runs before the script, so a batch loaded
    by a click is already counted. Code that writes in the middle of a run calls this
    again before reading.
    """
    st.session_state[_VERSION_STATE] = _query_version()


def _query_version() -> str:
    with read_session(engine()) as session:
        return queries.data_version(session)


def data_version() -> str:
    """This run's data version (read now if ``app.py`` has not read it)."""
    return st.session_state.get(_VERSION_STATE) or _query_version()


@st.cache_data(show_spinner=False, max_entries=256)
def _cached(_fn: Callable[..., Any], fn_key: str, url: str, version: str, kwargs: tuple) -> Any:
    with read_session(get_engine(url)) as session:
        return _fn(session, **dict(kwargs))


def read(fn: Callable[..., T], **kwargs: Any) -> T:
    """``fn(session, **kwargs)``, cached until the data version changes."""
    key = f"{fn.__module__}.{fn.__qualname__}"
    return _cached(fn, key, database_url(), data_version(), tuple(sorted(kwargs.items())))


def load_sample_data() -> BatchResult:
    """Load the labelled sample set (示例数据) as one batch and commit it."""
    from etl.sample import load_sample

    with write_session(engine()) as session:
        result = load_sample(session)
        session.commit()
    return result

"""Cached reads for the pages, and the one write the dashboard makes (the sample data).

Every read goes through :func:`read`, which keys Streamlit's cache on the database URL
and the store's *data version* (:func:`db.queries.data_version`, one tiny query on the
batch table, read once per run by :func:`start_run`). A batch that lands or is rolled back — in this process or any
other replica — changes the version, so the next run reads fresh figures; unchanged data
is served from the cache.

With a read replica (``TQI_READ_DATABASE_URL``), :func:`start_run` also picks where this
run reads (``db.session.route_reads``): the replica, unless it is down (then the primary,
and :func:`replica_notice` says so) or this browser session has committed something the
replica has not replayed yet (then the primary: a session always reads its own writes).
The cache key stays the primary's URL and the version, so both sources share one cache.

What every viewer sees alike — the overview's cards and its built plotly figure, the
sidebar's lists (``ui.filters.FilterOptions``) — goes through :func:`shared`: built once
per process and data version, and handed to every session as the same object (no copy),
so twenty leaders opening the overview at 9:00 cost one build, not twenty
(``bench/bench_viewers.py``).
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import streamlit as st
from sqlalchemy import Engine, make_url
from sqlalchemy.exc import DBAPIError
from streamlit.runtime.scriptrunner import get_script_run_ctx

from db import queries
from db.session import (
    add_commit_listener,
    get_engine,
    read_engine_for,
    read_session,
    resolve_database_url,
    resolve_read_url,
    route_reads,
    write_session,
)
from texts import localized

if TYPE_CHECKING:
    from etl.pipeline import BatchResult

T = TypeVar("T")


def database_url() -> str:
    return resolve_database_url(None)


def engine() -> Engine:
    """The process-wide engine (migrated and seeded on first use)."""
    return get_engine(database_url())


_VERSION_STATE = "_tqi_data_version"
_SOURCE_STATE = "_tqi_read_source"  # the URL this run reads from (primary or replica)
_REPLICA_DOWN_STATE = "_tqi_replica_down"
_WRITTEN_LSN_STATE = "_tqi_written_lsn"  # this browser session's last commit on the primary


def read_url() -> str | None:
    """The replica's URL when one is configured for a PostgreSQL primary, else ``None``."""
    replica = resolve_read_url()
    if replica is None or make_url(database_url()).get_backend_name() != "postgresql":
        return None
    return replica


def start_run() -> None:
    """``app.py``, once per run: read the data version for every :func:`read` of the run.

    Buttons write in callbacks, which Streamlit runs before the script, so a batch loaded
    by a click is already counted (and its LSN recorded). Code that writes in the middle
    of a run calls this again before reading.
    """
    replica = read_url()
    if replica is None:
        st.session_state[_VERSION_STATE] = _query_version()
        st.session_state[_SOURCE_STATE] = database_url()
        return
    written = st.session_state.get(_WRITTEN_LSN_STATE)
    route = route_reads(database_url(), replica, written, queries.data_version)
    if route.url == replica:
        st.session_state.pop(_WRITTEN_LSN_STATE, None)  # replayed: the replica has our writes
    st.session_state[_VERSION_STATE] = route.version
    st.session_state[_SOURCE_STATE] = route.url
    st.session_state[_REPLICA_DOWN_STATE] = route.replica_down


def _remember_commit(lsn: str) -> None:
    """Commit listener: the browser session that committed reads the primary until replayed."""
    if get_script_run_ctx(suppress_warning=True) is not None:
        st.session_state[_WRITTEN_LSN_STATE] = lsn


add_commit_listener(_remember_commit)


def replica_notice(lang: str) -> None:
    """A small, plain notice while the replica is down and reads go to the primary."""
    if st.session_state.get(_REPLICA_DOWN_STATE):
        st.caption(f":material/sync_problem: {localized('replica.down', lang)}")


def _query_version() -> str:
    with read_session(engine()) as session:
        return queries.data_version(session)


def data_version() -> str:
    """This run's data version (read now if ``app.py`` has not read it)."""
    return st.session_state.get(_VERSION_STATE) or _query_version()


@st.cache_data(show_spinner=False, max_entries=256)
def _cached(
    _fn: Callable[..., Any], key: str, hashed: tuple, _kwargs: tuple, _url: str, _source: str
) -> Any:
    with read_session(read_engine_for(_source, _url)) as session:
        return _fn(session, **dict(_kwargs))


def read(fn: Callable[..., T], **kwargs: Any) -> T:
    """``fn(session, **kwargs)``, cached until the data version changes.

    A replica that fails in the middle of a run sends the rest of the run to the primary.
    """
    primary = database_url()
    source = st.session_state.get(_SOURCE_STATE) or primary
    args = _cache_args(fn, primary, kwargs)
    if source == primary:
        return _cached(**args, _url=primary, _source=primary)
    try:
        return _cached(**args, _url=primary, _source=source)
    except DBAPIError:
        st.session_state[_SOURCE_STATE] = primary
        st.session_state[_REPLICA_DOWN_STATE] = True
        return _cached(**args, _url=primary, _source=primary)


def _cache_args(fn: Callable[..., Any], url: str, kwargs: dict[str, Any]) -> dict[str, Any]:
    """The cache key's parts, passed by name (Streamlit looks up the name of every
    positional argument with ``inspect.signature``, to skip ``_``-prefixed ones).

    ``key`` is one string naming the function, database, data version and arguments:
    Streamlit hashes every part of a key value by value through a chain of type checks,
    and four parts with a :class:`db.queries.Filters` in them cost more than the cached
    read's unpickling; one string is one step. Arguments that have no exact text
    (:func:`key_text`) are passed in ``hashed`` for Streamlit to hash as before.
    """
    items = tuple(sorted(kwargs.items()))
    text = key_text(items)
    ident = (f"{fn.__module__}.{fn.__qualname__}", url, data_version(), text or "hashed")
    return {"_fn": fn, "key": repr(ident), "hashed": () if text else items, "_kwargs": items}


def key_text(value: Any) -> str | None:
    """An exact text of ``value`` for a cache key, or ``None``: two values have the same
    text only if they are equal and of the same types. Only for what a text can name
    exactly — ``None``, strings, numbers, tuples and lists of them, and dataclasses of
    them (:class:`db.queries.Filters`); anything else is left to Streamlit's hashing.
    """
    kind = type(value)
    if value is None or kind in (str, int, float, bool):
        return repr(value)
    if kind in (tuple, list):
        parts = [key_text(v) for v in value]
        return None if None in parts else f"{kind.__name__}({','.join(map(str, parts))})"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = [(f.name, key_text(getattr(value, f.name))) for f in dataclasses.fields(value)]
        if any(text is None for _, text in fields):
            return None
        return f"{kind.__module__}.{kind.__qualname__}({fields!r})"
    return None


@st.cache_data(show_spinner=False, max_entries=64)
def _generation(key: str) -> str:
    """A token that is new whenever ``st.cache_data`` is cleared (pages clear it after a
    write), so :func:`shared` values are dropped together with the cached reads.
    ``key``: the database and data version."""
    return uuid.uuid4().hex


@st.cache_resource(show_spinner=False, max_entries=64)
def _shared(
    _fn: Callable[..., Any], key: str, hashed: tuple, generation: str, _kwargs: tuple
) -> Any:
    return _fn(**dict(_kwargs))


def shared(fn: Callable[..., T], **kwargs: Any) -> T:
    """``fn(**kwargs)`` once per data version for every session of this process.

    Unlike :func:`read` (``st.cache_data``: a fresh copy per call), every session gets the
    very same object, so nothing pays for unpickling a figure: callers only read it. ``fn``
    reads through :func:`read`; its result changes only with the data version (part of the
    key, as in :func:`read`) and ``kwargs``.
    """
    url = database_url()
    args = _cache_args(fn, url, kwargs)
    generation = _generation(repr((url, data_version())))
    return _shared(**args, generation=generation)


def load_sample_data() -> BatchResult:
    """Load the labelled sample set (示例数据) as one batch and commit it."""
    from etl.sample import load_sample

    with write_session(engine()) as session:
        result = load_sample(session)
        session.commit()
    return result

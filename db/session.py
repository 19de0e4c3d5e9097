"""Engine and session factory, SQLite pragmas, migrations on start-up.

One code path for SQLite and PostgreSQL. SQLite gets WAL (readers never block the loader),
foreign keys, and a busy timeout; writers start with ``BEGIN IMMEDIATE`` so two loaders
queue up instead of failing half-way with "database is locked" at their first write.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, make_url, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from db.revision import at_head

if TYPE_CHECKING:
    from alembic.config import Config

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = PROJECT_ROOT / "data" / "tqi.sqlite3"
BUSY_TIMEOUT_MS = 30_000  # default wait for SQLite's write lock; TQI_SQLITE_BUSY_TIMEOUT_MS
_PG_INIT_LOCK = 7_355_608  # pg_advisory_lock key: one process migrates at a time
LOCK_WAIT_SECONDS = (
    30.0  # how long a writer waits for another load/rollback (TQI_LOCK_WAIT_SECONDS)
)
# pg_advisory_xact_lock key: one batch writes at a time *per store* — the key is a hash of the
# database and schema, so separate stores (and parallel test schemas) never block each other.
PG_LOAD_LOCK = "hashtextextended(current_database() || '/' || current_schema() || '/tqi-load', 0)"

_engines: dict[str, Engine] = {}
_initialised: set[str] = set()
_lock = threading.Lock()


def resolve_database_url(explicit: str | None = None) -> str:
    """``--db`` wins, then ``TQI_DATABASE_URL``, then the embedded SQLite file."""
    if explicit:
        return explicit
    env = os.environ.get("TQI_DATABASE_URL", "").strip()
    if env:
        return env
    return f"sqlite:///{DEFAULT_SQLITE_PATH}"


def busy_timeout_ms() -> int:
    """How long a SQLite connection waits for another's write lock before giving up.

    ``TQI_SQLITE_BUSY_TIMEOUT_MS`` (the app and the CLI alike), else 30 s. Read when an
    engine is made, so a test can make the wait short and see what a visitor sees.
    """
    raw = os.environ.get("TQI_SQLITE_BUSY_TIMEOUT_MS", "").strip()
    if not raw:
        return BUSY_TIMEOUT_MS
    if not raw.isdigit() or int(raw) <= 0:
        raise ValueError(f"TQI_SQLITE_BUSY_TIMEOUT_MS: expected milliseconds > 0, got {raw!r}")
    return int(raw)


def _normalise_url(url: str) -> str:
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        # psycopg 3 is the driver we ship; plain postgresql:// would ask for psycopg2.
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def create_engine_for(url: str) -> Engine:
    """A new engine for ``url`` (no caching); SQLite files and their folder are created."""
    url = _normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        timeout_ms = busy_timeout_ms()
        engine = create_engine(url, connect_args={"timeout": timeout_ms / 1000})
        _configure_sqlite(engine, timeout_ms)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _configure_sqlite(engine: Engine, timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: object) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin (pysqlite recipe).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={timeout_ms}")
        cur.execute("PRAGMA synchronous=NORMAL")
        # Big enough for a million-row batch's index pages; temp (staging) tables in memory.
        cur.execute("PRAGMA cache_size=-262144")
        cur.execute("PRAGMA temp_store=MEMORY")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        options = conn.get_execution_options()
        # A writer's BEGIN IMMEDIATE waits as long as it was told to (see lock_wait_seconds);
        # set on every BEGIN because pooled connections keep the last value.
        wait_ms = int(options.get("lock_wait_ms", timeout_ms))
        conn.exec_driver_sql(f"PRAGMA busy_timeout={wait_ms}")
        conn.exec_driver_sql(f"BEGIN {options.get('sqlite_begin', 'DEFERRED')}")


def get_engine(url: str | None = None) -> Engine:
    """The process-wide engine for ``url``, migrated and seeded on first use."""
    url = _normalise_url(resolve_database_url(url))
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            engine = create_engine_for(url)
            _engines[url] = engine
        if url not in _initialised:
            upgrade_database(engine)
            from db.catalog import seed_catalog

            # A plain (deferred) transaction: seeding writes only when a shipped indicator is
            # missing, so a start-up next to a running load never queues for its write lock.
            # Under the start-up lock, so processes starting together on an empty SQLite store
            # seed one after the other instead of inserting the same rows twice.
            with _init_lock(engine), Session(bind=engine, expire_on_commit=False) as session:
                seed_catalog(session)
                session.commit()
            _initialised.add(url)
    return engine


def dispose_engines() -> None:
    """Forget cached engines (tests use a fresh database each)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()
        _initialised.clear()
        for engine in _read_engines.values():
            engine.dispose()
        _read_engines.clear()


@contextlib.contextmanager
def _init_lock(engine: Engine) -> Iterator[None]:
    """Serialise migrations across processes: a file lock for SQLite, an advisory lock on PG."""
    if engine.dialect.name == "sqlite":
        database = engine.url.database
        if not database or database == ":memory:":
            yield
            return
        with open(f"{database}.init-lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
    else:
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _PG_INIT_LOCK})
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _PG_INIT_LOCK})
                conn.commit()


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(PROJECT_ROOT / "db" / "migrations"))
    return config


def upgrade_database(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` in place (an existing database keeps its data).

    A store already at head returns before Alembic is imported (``db.revision``). Checked
    without the lock: a migration commits schema and version together.
    """
    if revision == "head" and at_head(engine):
        return
    from alembic import command

    config = alembic_config()
    with _init_lock(engine), engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def read_session(engine: Engine) -> Session:
    """A session for reading; the caller closes it (``with read_session(e) as s:``)."""
    return Session(bind=engine, expire_on_commit=False)


def write_session(engine: Engine, *, lock_wait: float | None = None) -> Session:
    """A session whose transaction takes SQLite's write lock at BEGIN; caller commits.

    ``lock_wait`` (seconds, default :func:`lock_wait_seconds`) bounds how long it waits for
    another writer: SQLite's busy timeout at BEGIN, PostgreSQL's lock timeout in
    :func:`lock_store`. Past it the database error is one :func:`is_lock_timeout` knows.
    """
    wait = lock_wait_seconds() if lock_wait is None else lock_wait
    info = {"lock_wait": wait}
    if engine.dialect.name == "sqlite":
        return Session(
            bind=engine.execution_options(
                sqlite_begin="IMMEDIATE", lock_wait_ms=max(int(wait * 1000), 0)
            ),
            expire_on_commit=False,
            info=info,
        )
    return _WriteSession(bind=engine, expire_on_commit=False, info=info)


def lock_wait_seconds() -> float:
    """How long a writer waits for another one: ``TQI_LOCK_WAIT_SECONDS``, else SQLite's busy
    timeout (``TQI_SQLITE_BUSY_TIMEOUT_MS``), else 30 s — so one setting shortens every wait."""
    raw = os.environ.get("TQI_LOCK_WAIT_SECONDS", "").strip()
    try:
        return max(float(raw), 0.0) if raw else busy_timeout_ms() / 1000
    except ValueError:
        return LOCK_WAIT_SECONDS


def lock_store(session: Session) -> None:
    """Take the store's one-writer lock for this transaction (a load or a rollback).

    SQLite already holds its write lock from ``BEGIN IMMEDIATE`` (``write_session``). On
    PostgreSQL it is a transaction-scoped advisory lock on this database and schema, waited
    for at most the session's ``lock_wait`` (``lock_timeout``, restored right after, so the
    rest of the transaction keeps the server's setting).
    """
    conn = session.connection()
    if conn.dialect.name != "postgresql":
        return
    wait_ms = max(int(session.info.get("lock_wait", lock_wait_seconds()) * 1000), 1)
    previous = conn.execute(text("SELECT current_setting('lock_timeout')")).scalar_one()
    conn.execute(text("SELECT set_config('lock_timeout', :v, true)"), {"v": f"{wait_ms}ms"})
    conn.execute(text(f"SELECT pg_advisory_xact_lock({PG_LOAD_LOCK})"))
    conn.execute(text("SELECT set_config('lock_timeout', :v, true)"), {"v": previous})


def is_lock_timeout(exc: BaseException) -> bool:
    """Whether a database error means "another writer held the lock past our wait".

    SQLite says ``database is locked`` (SQLITE_BUSY after the busy timeout); PostgreSQL
    raises ``lock_not_available`` (SQLSTATE 55P03) when ``lock_timeout`` runs out.
    """
    orig = getattr(exc, "orig", exc)
    if getattr(orig, "sqlstate", None) == "55P03":
        return True
    return "database is locked" in str(orig) or "database table is locked" in str(orig)


# ---- read replica routing (TQI_READ_DATABASE_URL) -----------------------------------------
# Reads may go to a streaming replica; writes always go to TQI_DATABASE_URL. A session that
# has just committed keeps reading the primary until the replica has replayed past its
# commit (log sequence numbers, LSN), so it always sees its own writes.

REPLICA_CONNECT_TIMEOUT_S = 3  # a replica that does not answer must not hold a page up long

_read_engines: dict[str, Engine] = {}
_commit_listeners: list[Callable[[str], None]] = []


def resolve_read_url() -> str | None:
    """``TQI_READ_DATABASE_URL`` (a PostgreSQL replica of the primary), else ``None``."""
    return os.environ.get("TQI_READ_DATABASE_URL", "").strip() or None


def get_read_engine(url: str) -> Engine:
    """The process-wide engine for a replica: never migrated or seeded (it is read-only)."""
    url = _normalise_url(url)
    with _lock:
        engine = _read_engines.get(url)
        if engine is None:
            parsed = make_url(url)
            if "connect_timeout" not in parsed.query:
                parsed = parsed.update_query_dict(
                    {"connect_timeout": str(REPLICA_CONNECT_TIMEOUT_S)}
                )
            engine = create_engine(parsed, pool_pre_ping=True)
            _read_engines[url] = engine
    return engine


def add_commit_listener(listener: Callable[[str], None]) -> None:
    """Call ``listener(lsn)`` after each write commit on PostgreSQL while a replica is in use.

    The app records the LSN in the browser session that committed (``ui/data.py``).
    """
    if listener not in _commit_listeners:
        _commit_listeners.append(listener)


def remove_commit_listener(listener: Callable[[str], None]) -> None:
    if listener in _commit_listeners:
        _commit_listeners.remove(listener)


def current_wal_lsn(engine: Engine) -> str:
    """The primary's WAL position now: at or past every commit that has returned."""
    with engine.connect() as conn:
        return str(conn.execute(text("SELECT pg_current_wal_lsn()::text")).scalar_one())


class _WriteSession(Session):
    """A write session that reports each commit's LSN to the listeners (replica in use)."""

    def commit(self) -> None:
        super().commit()
        bind = self.get_bind()
        if _commit_listeners and bind.dialect.name == "postgresql" and resolve_read_url():
            lsn = current_wal_lsn(bind.engine)
            for listener in list(_commit_listeners):
                listener(lsn)


@dataclass(frozen=True)
class ReadRoute:
    """Where this run reads from, and the data version read there (the cache key)."""

    url: str
    version: str
    replica_down: bool = False  # a replica is configured but did not answer: primary instead


# A server that is not in recovery is not a replica (a primary restarted after a crash keeps
# the LSN its recovery reached, so the LSN alone would call it caught up): a session that has
# written reads such a "replica" only once it is a standby that has replayed the write.
_REPLAYED = text("SELECT pg_is_in_recovery() AND pg_last_wal_replay_lsn() >= CAST(:lsn AS pg_lsn)")


def route_reads(
    primary_url: str,
    replica_url: str | None,
    written_lsn: str | None,
    version_of: Callable[[Session], str],
) -> ReadRoute:
    """Pick the replica unless it is down or has not replayed ``written_lsn`` yet.

    One replica connection answers both questions (replayed far enough? which data
    version?); any failure to reach it sends the run to the primary with
    ``replica_down`` set, so the app can say so instead of failing.
    """
    primary = get_engine(primary_url)  # migrated first: the replica then has the schema too
    if replica_url:
        try:
            engine = get_read_engine(replica_url)
            with read_session(engine) as session:
                caught_up = written_lsn is None or bool(
                    session.scalar(_REPLAYED, {"lsn": written_lsn})
                )
                if caught_up:
                    return ReadRoute(replica_url, version_of(session))
        except DBAPIError:
            with read_session(primary) as session:
                return ReadRoute(primary_url, version_of(session), replica_down=True)
    with read_session(primary) as session:
        return ReadRoute(primary_url, version_of(session))


def read_engine_for(url: str, primary_url: str) -> Engine:
    """The engine for a URL that :func:`route_reads` returned."""
    return get_engine(primary_url) if url == primary_url else get_read_engine(url)


@contextlib.contextmanager
def write_session_nowait(engine: Engine) -> Iterator[Session]:
    """A write session that fails at once (``OperationalError``) when another writer holds
    the store's write lock, instead of waiting up to the lock wait.

    For work that can be left to a later run — the upload preview's dry-run counts — so a
    long load elsewhere never makes a page hang; loads themselves wait (``write_session``).
    PostgreSQL waits at most a second for the advisory lock (``lock_store``).
    """
    with write_session(engine, lock_wait=0 if engine.dialect.name == "sqlite" else 1.0) as session:
        yield session

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
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, make_url, text
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:
    from alembic.config import Config

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = PROJECT_ROOT / "data" / "tqi.sqlite3"
BUSY_TIMEOUT_MS = 30_000  # default wait for SQLite's write lock; TQI_SQLITE_BUSY_TIMEOUT_MS
_PG_INIT_LOCK = 7_355_608  # pg_advisory_lock key: one process migrates at a time
PG_LOAD_LOCK = 7_355_609  # pg_advisory_xact_lock key: one batch writes at a time

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
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


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

            with write_session(engine) as session:
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
    """Bring the schema to ``revision`` in place (an existing database keeps its data)."""
    from alembic import command

    config = alembic_config()
    with _init_lock(engine), engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def read_session(engine: Engine) -> Session:
    """A session for reading; the caller closes it (``with read_session(e) as s:``)."""
    return Session(bind=engine, expire_on_commit=False)


def write_session(engine: Engine) -> Session:
    """A session whose transaction takes SQLite's write lock at BEGIN; caller commits."""
    if engine.dialect.name == "sqlite":
        return Session(
            bind=engine.execution_options(sqlite_begin="IMMEDIATE"),
            expire_on_commit=False,
        )
    return Session(bind=engine, expire_on_commit=False)

"""Shared fixtures. Few, and each documented.

* ``sqlite_url`` — a fresh SQLite file per test (real file, WAL and all).
* ``db_url`` — the same test once on SQLite and once on PostgreSQL when
  ``TQI_TEST_POSTGRES_URL`` is set (each PostgreSQL test gets a schema of its own).
* ``engine`` / ``session`` — migrated and seeded store on ``db_url``.

In CI (``CI=true``) a missing PostgreSQL URL or a missing Chromium is a failure, not a skip:
``require_postgres`` / ``require_chromium`` enforce that.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.orm import Session

from db.session import dispose_engines, get_engine, read_session

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
ARTIFACTS = ROOT / "tests" / "artifacts"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
CHROMIUM = "/usr/bin/chromium"


def postgres_url() -> str | None:
    url = os.environ.get("TQI_TEST_POSTGRES_URL", "").strip()
    if not url and IN_CI:
        pytest.fail("CI=true but TQI_TEST_POSTGRES_URL is not set: PostgreSQL tests cannot run")
    return url or None


def require_chromium() -> str:
    """Path of Debian's Chromium; fails in CI and skips elsewhere when it is missing."""
    if not Path(CHROMIUM).exists():
        if IN_CI:
            pytest.fail(f"CI=true but {CHROMIUM} is missing (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} not installed")
    return CHROMIUM


def _pg_schema_url(base: str) -> Iterator[str]:
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(make_url(base).set(drivername="postgresql+psycopg"))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base).set(drivername="postgresql+psycopg")
    url = url.update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        dispose_engines()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> Iterator[str]:
    yield f"sqlite:///{tmp_path / 'tqi.sqlite3'}"
    dispose_engines()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'tqi.sqlite3'}"
        dispose_engines()
        return
    base = postgres_url()
    if base is None:
        pytest.skip("TQI_TEST_POSTGRES_URL not set")
    yield from _pg_schema_url(base)


@pytest.fixture
def engine(db_url: str) -> Engine:
    return get_engine(db_url)


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with read_session(engine) as s:
        yield s


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def chromium_path() -> str:
    return require_chromium()


def has_cjk_font() -> bool:
    return shutil.which("fc-list") is not None

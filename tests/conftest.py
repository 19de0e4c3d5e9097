"""Shared fixtures. Few, and each documented.

* ``sqlite_url`` — a fresh SQLite file per test (real file, WAL and all).
* ``db_url`` — the same test once on SQLite and once on PostgreSQL when
  ``TQI_TEST_POSTGRES_URL`` is set (each PostgreSQL test gets a schema of its own).
* ``engine`` / ``session`` — migrated and seeded store on ``db_url`` (on SQLite a copy of
  ``store_template``, made once).
* ``accounts_template`` — a migrated SQLite file with one account per role (``PASSWORDS``),
  made once; ``app_engine`` — a fresh copy of it that the app under ``AppTest`` reads
  (``tests/apptest.py``); ``server_store`` — a copy for the real server, one per module.
* ``browser`` — Debian's Chromium through Playwright, one per module (``tests/e2e.py``).

And helpers more than one file needs: ``etl`` runs the CLI (in this worker, or with
``process=True`` as ``python -m etl`` the way a user does),
``stored_figures`` reads the store back, ``file_catalog`` is the shipped catalog without a
database.

In CI (``CI=true``) a missing PostgreSQL URL or a missing Chromium is a failure, not a skip:
``postgres_url`` / ``require_chromium`` enforce that.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import Engine, make_url, select
from sqlalchemy.orm import Session

from db import users
from db.catalog import Catalog, CategorySpec, IndicatorSpec, read_catalog_file, seed_catalog
from db.models import Indicator, Observation
from db.scratch import scratch_schema
from db.session import (
    create_engine_for,
    dispose_engines,
    get_engine,
    read_session,
    upgrade_database,
    write_session,
)
from tests.cli_runner import run_cli

if TYPE_CHECKING:
    from playwright.sync_api import Browser

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
ARTIFACTS = ROOT / "tests" / "artifacts"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
CHROMIUM = "/usr/bin/chromium"
PASSWORDS = {"vi": "viewer-pass-1", "ana": "analyst-pass-1", "boss": "admin-pass-1"}  # by role


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
    """A scratch schema's store URL, as a generator (fixtures ``yield from`` it)."""
    with scratch_schema(base) as (url, _schema):
        yield url


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


@pytest.fixture(scope="session")
def store_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated and seeded SQLite file, made once: migrating from nothing is ~0.4 s."""
    path = tmp_path_factory.mktemp("store") / "template.sqlite3"
    engine = create_engine_for(f"sqlite:///{path}")  # not cached: other tests' engines stay
    upgrade_database(engine)
    with write_session(engine) as s:
        seed_catalog(s)
        s.commit()
    engine.dispose()  # checkpoints the WAL into the file
    return path


@pytest.fixture
def engine(db_url: str, store_template: Path) -> Engine:
    """A migrated, seeded store; on SQLite a copy of ``store_template`` (same state, as
    ``get_engine`` makes it), since tests on this fixture are not about making a store."""
    path = Path(make_url(db_url).database or "")
    if db_url.startswith("sqlite") and not path.exists():
        copy_store(store_template, path)
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


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium through Playwright, one per test module (``require_chromium``)."""
    from tests.e2e import chromium

    with chromium() as launched:
        yield launched


# ---- the app's store, for AppTest and the real server ------------------------------------


@pytest.fixture(scope="session")
def accounts_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file with one account per role, made once (argon2 is slow on purpose).

    ``vi`` is a viewer, ``ana`` an analyst, ``boss`` an admin; passwords in ``PASSWORDS``.
    Tests copy it (``copy_store``) and never write to it.
    """
    path = tmp_path_factory.mktemp("accounts") / "template.sqlite3"
    engine = create_engine_for(f"sqlite:///{path}")
    upgrade_database(engine)
    with write_session(engine) as s:
        seed_catalog(s)
        for (name, password), role in zip(PASSWORDS.items(), users.ROLES, strict=True):
            users.create_user(s, name, password, role=role)
        s.commit()
    engine.dispose()  # checkpoints the WAL into the file
    return path


def copy_store(template: Path, path: Path) -> str:
    """A copy of ``template`` at ``path``; its URL."""
    shutil.copyfile(template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def app_engine(
    accounts_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Engine]:
    """The app's database (``TQI_DATABASE_URL``): a fresh copy of the accounts template.

    Settings from the environment are cleared; a test sets the ones it is about.
    """
    url = copy_store(accounts_template, tmp_path / "tqi.sqlite3")
    monkeypatch.setenv("TQI_DATABASE_URL", url)
    monkeypatch.delenv("TQI_REQUIRE_LOGIN", raising=False)
    monkeypatch.delenv("TQI_MAX_UPLOAD_MB", raising=False)
    yield get_engine(url)
    dispose_engines()


@pytest.fixture(scope="module")
def server_store(
    accounts_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A module's own copy of the accounts template, for a real server to write to; its URL."""
    yield copy_store(accounts_template, tmp_path_factory.mktemp("server") / "tqi.sqlite3")
    dispose_engines()


# ---- reading the store and the catalog ---------------------------------------------------


def stored_figures(engine: Engine) -> dict[tuple[str, int, str], tuple[float, str | None]]:
    """Every stored figure, read straight from the table (not through the code under test).

    Keyed ``(code, year, region)``, each ``(value, qualifier)``.
    """
    with read_session(engine) as s:
        rows = s.execute(
            select(
                Indicator.code,
                Observation.year,
                Observation.region,
                Observation.value,
                Observation.qualifier,
            ).join(Indicator)
        ).all()
    return {(c, y, r): (v, q) for c, y, r, v, q in rows}


def file_catalog() -> Catalog:
    """The shipped catalog straight from its JSON file, no database needed."""
    data = read_catalog_file()
    categories = {
        c["code"]: CategorySpec(c["code"], c["name_zh"], c["name_en"], c["order"])
        for c in data["categories"]
    }
    indicators = {
        i["code"]: IndicatorSpec(
            code=i["code"],
            category=i["category"],
            name_zh=i["name_zh"],
            name_en=i["name_en"],
            unit=i["unit"],
            aggregation=i["aggregation"],
            direction=i["direction"],
            aliases=tuple(i.get("aliases", [])),
            phrasings=tuple(i.get("phrasings", [])),
            order=n,
        )
        for n, i in enumerate(data["indicators"], start=1)
    }
    return Catalog(categories=categories, indicators=indicators)


@pytest.fixture
def sampled_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The app's store (``TQI_DATABASE_URL``) with the sample loaded in-process, no login."""
    from etl.sample import load_sample

    url = f"sqlite:///{tmp_path / 'tqi.sqlite3'}"
    monkeypatch.setenv("TQI_DATABASE_URL", url)
    monkeypatch.delenv("TQI_REQUIRE_LOGIN", raising=False)
    with write_session(get_engine(url)) as session:
        assert load_sample(session).status == "loaded"
        session.commit()
    yield url
    dispose_engines()


# ---- processes ---------------------------------------------------------------------------


def sample_store(path: Path) -> str:
    """A SQLite file at ``path`` with the sample data, loaded by ``python -m etl sample``."""
    url = f"sqlite:///{path}"
    done = etl(url, "sample", decode=True)
    assert done.returncode == 0, done.stderr
    return url


def app_env(**settings: str) -> dict[str, str]:
    """This process's environment without any ``TQI_*`` variable, plus ``settings``."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TQI_")}
    return {**clean, **settings}


def etl(
    db_url: str,
    *args: str,
    stdin: bytes | None = None,
    env: dict[str, str] | None = None,
    decode: bool = False,
    process: bool = False,
) -> subprocess.CompletedProcess:
    """``python -m etl --db db_url *args``, output captured, run in this worker
    (``tests/cli_runner.py``) or, with ``process``, as a real process as a user runs it.

    No ``TQI_*`` variable from outside reaches it, only ``env``; ``decode``: output as text.
    ``process`` is for tests about the process itself: exit codes as the shell sees them,
    locks between processes, kills, and one real run of each command.
    """
    if not process:
        return run_cli(["--db", db_url, *args], stdin=stdin, env=env or {}, decode=decode)
    return subprocess.run(
        [sys.executable, "-m", "etl", "--db", db_url, *args],
        cwd=ROOT,
        env=app_env(**(env or {})),
        input=stdin,
        capture_output=True,
        text=decode,
        timeout=180,
    )

"""Four processes starting together on an empty store do not race on seeding the catalog.

Each child does what the app and the CLI do at start-up (``get_engine``: migrate, then
seed) the moment the parent says go; all four must succeed and the catalog must hold each
shipped category and indicator exactly once. Before the seed took its advisory lock, two
of five such starts on PostgreSQL ended in a UniqueViolation.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from db.catalog import read_catalog_file
from db.models import Category, Indicator
from db.session import create_engine_for, read_session, upgrade_database
from tests.conftest import ROOT, _pg_schema_url, app_env, postgres_url

PROCESSES = 4
TRIALS = 3
READY_TIMEOUT = 120.0

CHILD = """
import sys, time
from pathlib import Path
from db.catalog import seed_catalog
from db.session import create_engine_for, get_engine, write_session
url, ready, go, mode = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4]
engine = create_engine_for(url) if mode == "seed" else None
ready.touch()
deadline = time.monotonic() + 120
while not go.exists():
    if time.monotonic() > deadline:
        sys.exit("never told to go")
    time.sleep(0.005)
if engine is None:
    get_engine(url)  # the app's and the CLI's start-up: migrate, then seed
else:
    with write_session(engine) as session:  # the seed alone, all four at the same instant
        seed_catalog(session)
        session.commit()
"""


def start_together(url: str, workdir: Path, mode: str) -> list[subprocess.CompletedProcess[str]]:
    """Start the children, wait until every one is ready (imports done), then release them."""
    go = workdir / "go"
    ready = [workdir / f"ready-{n}" for n in range(PROCESSES)]
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, url, str(r), str(go), mode],
            cwd=ROOT,
            env=app_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for r in ready
    ]
    deadline = time.monotonic() + READY_TIMEOUT
    while not all(r.exists() for r in ready):
        assert time.monotonic() < deadline, "children did not start"
        assert all(c.poll() is None for c in children), "a child died before the start"
        time.sleep(0.01)
    go.touch()
    results = []
    for child in children:
        out, err = child.communicate(timeout=180)
        results.append(subprocess.CompletedProcess(child.args, child.returncode, out, err))
    return results


def assert_seeded_once(url: str) -> None:
    shipped = read_catalog_file()
    engine = create_engine_for(url)
    try:
        with read_session(engine) as s:
            categories = s.scalar(select(func.count()).select_from(Category))
            indicators = s.scalars(select(Indicator.code)).all()
    finally:
        engine.dispose()
    assert categories == len(shipped["categories"])
    assert sorted(indicators) == sorted(i["code"] for i in shipped["indicators"])


@contextlib.contextmanager
def fresh_store(backend: str, tmp_path: Path, trial: int) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / f'race-{trial}.sqlite3'}"
        return
    base = postgres_url()
    if base is None:
        pytest.skip("TQI_TEST_POSTGRES_URL not set")
    with contextlib.contextmanager(_pg_schema_url)(base) as url:
        yield url


def migrate_only(url: str) -> None:
    """The schema at head and no catalog: the moment a first start-up is about to seed."""
    engine = create_engine_for(url)
    try:
        upgrade_database(engine)
    finally:
        engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_four_processes_starting_together_seed_the_catalog_once(
    backend: str, tmp_path: Path
) -> None:
    """Trial 0 is the real start-up (``get_engine``) on a database with no tables at all.
    Migrations are serialised by their own lock, which spreads the seeds out in time and
    hides the race on a quiet machine, so the later trials start from a migrated, unseeded
    store and release the four seeds at the same instant."""
    for trial in range(TRIALS):
        workdir = tmp_path / f"trial-{trial}"
        workdir.mkdir()
        with fresh_store(backend, tmp_path, trial) as url:
            mode = "startup" if trial == 0 else "seed"
            if mode == "seed":
                migrate_only(url)
            results = start_together(url, workdir, mode)
            for done in results:
                assert done.returncode == 0, f"trial {trial}: {done.stderr[-2000:]}"
                assert "Traceback" not in done.stderr
            assert_seeded_once(url)

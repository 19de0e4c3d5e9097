"""Two analysts loading at once: both succeed (or one is told to retry); nothing half-written.

A load or rollback that finds another writer holding the store waits ``--wait`` seconds
(``TQI_LOCK_WAIT_SECONDS``), then exits 3 with a plain message in Chinese and English —
as JSON with ``--json`` — and writes nothing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from db.batches import list_batches
from db.session import get_engine, lock_store, read_session, write_session
from etl.export import export_frame
from etl.pipeline import load_file
from etl.rollback import rollback_batch
from tests.conftest import _pg_schema_url, postgres_url
from tests.conftest import etl as run_etl
from tests.store_state import fingerprint


def etl(*args: str, **kwargs: Any) -> subprocess.CompletedProcess:
    """Every command here runs as its own process: the locks under test are between processes."""
    return run_etl(*args, process=True, **kwargs)


ROOT = Path(__file__).resolve().parent.parent
YEARS = range(1990, 2026)
REGIONS = [f"区{i:03d}" for i in range(60)]


def batch_file(path: Path, indicator: str, offset: float) -> Path:
    lines = ["指标,年份,地区,数值"]
    for year in YEARS:
        for region in REGIONS:
            lines.append(f"{indicator},{year},{region},{year - 1900 + offset}")
    # Both files share these figures, with different values: whoever loads last wins.
    lines += [f"应急演练,2024,全市,{offset}", f"应急演练,2025,全市,{offset}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_two_loader_processes_at_once(db_url: str, tmp_path: Path) -> None:
    get_engine(db_url)  # migrate first, as the app would on start-up
    files = [
        batch_file(tmp_path / "a.csv", "行政审批办理量", 0.5),
        batch_file(tmp_path / "b.csv", "排查治理安全隐患", 0.25),
    ]
    env = {k: v for k, v in os.environ.items() if k != "TQI_DATABASE_URL"}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "etl", "--db", db_url, "load", "--json", str(f)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for f in files
    ]
    outputs = [p.communicate(timeout=180) for p in procs]
    for proc, (out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err.decode()
        assert json.loads(out)["status"] == "loaded"
    with read_session(get_engine(db_url)) as s:
        frame = export_frame(s)
        batches = list_batches(s)
    per_file = len(YEARS) * len(REGIONS)
    assert len(frame) == 2 * per_file + 2
    assert len(batches) == 2 and all(b.status == "active" for b in batches)
    # The shared figures belong wholly to one batch or the other, never a mix.
    shared = frame[frame["indicator_code"] == "safety.drills"]
    assert shared["batch_id"].nunique() == 1
    winner = next(b for b in batches if b.id == shared["batch_id"].iloc[0])
    loser = next(b for b in batches if b.id != winner.id)
    assert winner.id > loser.id
    assert winner.updated == 2 and loser.inserted == per_file + 2


# ---- a writer that holds the store: loads and rollbacks wait, then say so plainly --------

SMALL_CSV = "指标,年份,地区,数值,目标值\n应急演练,2024,全市,12,15\n应急演练,2025,全市,14,16\n"


def small_file(tmp_path: Path) -> Path:
    path = tmp_path / "small.csv"
    path.write_text(SMALL_CSV, encoding="utf-8")
    return path


def assert_busy(done: subprocess.CompletedProcess, waited: str) -> None:
    """Exit 3, the plain bilingual message, and neither a traceback nor the driver's text."""
    assert done.returncode == 3, (done.stdout, done.stderr)
    both = done.stdout + done.stderr
    assert "另一个载入或回滚正在进行" in both and "another load or rollback is running" in both
    assert f"已等待 {waited} 秒" in both
    assert "Traceback" not in both and "database is locked" not in both
    assert "LockNotAvailable" not in both and "OperationalError" not in both


def test_load_while_another_load_holds_the_store_is_told_busy(db_url: str, tmp_path: Path) -> None:
    engine = get_engine(db_url)
    path = small_file(tmp_path)
    before = fingerprint(engine)
    with write_session(engine) as holder:  # another load, half-way through its write
        assert load_file(holder, BIG_ENOUGH.encode(), "holder.csv").status == "loaded"
        done = etl(db_url, "load", "--json", "--wait", "1", str(path), decode=True)
        assert_busy(done, "1")
        result = json.loads(done.stdout)
        assert result["status"] == "busy" and result["batch_id"] is None
        assert [e["code"] for e in result["errors"]] == ["store_busy"]
        plain = etl(db_url, "load", str(path), env={"TQI_LOCK_WAIT_SECONDS": "0.5"}, decode=True)
        assert_busy(plain, "0.5")
        holder.rollback()
    assert fingerprint(engine) == before
    done = etl(db_url, "load", "--json", str(path), decode=True)
    assert done.returncode == 0 and json.loads(done.stdout)["status"] == "loaded"


def test_load_and_rollback_while_a_rollback_runs(db_url: str, tmp_path: Path) -> None:
    engine = get_engine(db_url)
    first = json.loads(etl(db_url, "load", "--json", str(small_file(tmp_path)), decode=True).stdout)
    other = tmp_path / "other.csv"
    other.write_text(BIG_ENOUGH, encoding="utf-8")
    before = fingerprint(engine)
    with write_session(engine) as holder:  # a rollback that has not committed yet
        rollback_batch(holder, first["batch_id"])
        assert_busy(etl(db_url, "load", "--wait", "1", str(other), decode=True), "1")
        again = etl(db_url, "rollback", "--wait", "1", str(first["batch_id"]), decode=True)
        assert_busy(again, "1")
        assert fingerprint(engine) == before  # neither wrote anything
        holder.commit()
    loaded = etl(db_url, "load", "--json", str(other), decode=True)
    assert loaded.returncode == 0 and json.loads(loaded.stdout)["status"] == "loaded"


def test_rollback_while_a_load_runs_is_told_busy(db_url: str, tmp_path: Path) -> None:
    engine = get_engine(db_url)
    first = json.loads(etl(db_url, "load", "--json", str(small_file(tmp_path)), decode=True).stdout)
    before = fingerprint(engine)
    with write_session(engine) as holder:
        assert load_file(holder, BIG_ENOUGH.encode(), "holder.csv").status == "loaded"
        done = etl(db_url, "rollback", "--wait", "1", str(first["batch_id"]), decode=True)
        assert_busy(done, "1")
        holder.rollback()
    assert fingerprint(engine) == before
    assert etl(db_url, "rollback", str(first["batch_id"]), decode=True).returncode == 0


def test_postgres_load_lock_is_per_store(tmp_path: Path) -> None:
    """Two schemas are two stores: a load holding one never blocks a load into the other."""
    base = postgres_url()
    if base is None:
        pytest.skip("TQI_TEST_POSTGRES_URL not set")
    first, second = _pg_schema_url(base), _pg_schema_url(base)
    url_a, url_b = next(first), next(second)
    try:
        with write_session(get_engine(url_a)) as holder:
            lock_store(holder)
            get_engine(url_b)
            done = etl(
                url_b, "load", "--json", "--wait", "1", str(small_file(tmp_path)), decode=True
            )
            assert done.returncode == 0, done.stderr
            assert json.loads(done.stdout)["status"] == "loaded"
            # The same store is still locked: a load into it is told so.
            assert_busy(
                etl(url_a, "load", "--wait", "1", str(small_file(tmp_path)), decode=True), "1"
            )
            holder.rollback()
    finally:
        for gen in (first, second):
            next(gen, None)


BIG_ENOUGH = "指标,年份,地区,数值\n" + "".join(
    f"行政审批办理量,{y},区{r:02d},{y + r}\n" for y in range(2016, 2026) for r in range(30)
)


@pytest.mark.parametrize(
    "command",
    [("sample",), ("users", "add", "liwei", "--role", "analyst", "--password-stdin")],
    ids=["sample", "users-add"],
)
def test_any_command_that_meets_a_running_load_is_told_busy(
    db_url: str, tmp_path: Path, command: tuple[str, ...]
) -> None:
    """Not only load and rollback: every writing command answers exit 3 in plain words."""
    engine = get_engine(db_url)
    before = fingerprint(engine)
    with write_session(engine) as holder:  # another load, half-way through its write
        assert load_file(holder, BIG_ENOUGH.encode(), "holder.csv").status == "loaded"
        done = etl(
            db_url,
            *command,
            stdin=b"liwei-password-1\n",
            env={"TQI_LOCK_WAIT_SECONDS": "0.5"},
        )
        holder.rollback()
    err = done.stderr.decode()
    if command[0] == "users" and db_url.startswith("postgresql"):
        # PostgreSQL locks rows, not the store: an account change need not wait for a load.
        assert done.returncode == 0, err
        return
    assert done.returncode == 3, err
    assert "另一个载入或回滚正在写入" in err and "try again later" in err
    assert "Traceback" not in err and "database is locked" not in err
    assert fingerprint(engine) == before

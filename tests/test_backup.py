"""``python -m etl backup`` / ``restore``: a consistent copy while the store is in use.

On SQLite the "new store" is a new file; on PostgreSQL every test has a schema of its own,
so the new store is that schema emptied (a backup names its schema, and a restore into
another schema is refused rather than landing beside it).
"""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import inspect, make_url, text

from db import users
from db.backup import backup
from db.session import create_engine_for, dispose_engines, get_engine, write_session
from tests.conftest import ROOT, app_env, etl, file_catalog, stored_figures

REGIONS = 50
YEARS = range(1990, 2026)


def _empty_store(db_url: str, tmp_path: Path) -> str:
    """A URL of an empty store to restore into (see the module docstring)."""
    if make_url(db_url).get_backend_name() == "sqlite":
        return f"sqlite:///{tmp_path / 'restored.sqlite3'}"
    dispose_engines()
    engine = create_engine_for(db_url)
    with engine.begin() as conn:
        for table in inspect(conn).get_table_names():
            conn.execute(text(f'DROP TABLE IF EXISTS "{table}" CASCADE'))
    engine.dispose()
    return db_url


def _fingerprint(db_url: str) -> dict[str, object]:
    engine = get_engine(db_url)
    with engine.connect() as conn:
        batches = conn.execute(text("SELECT id, source_name, status FROM batch ORDER BY id")).all()
        accounts = conn.execute(text("SELECT username, role FROM users ORDER BY username")).all()
        targets = conn.execute(text("SELECT COUNT(*), SUM(value) FROM target")).one()
    return {
        "figures": stored_figures(engine),
        "batches": [tuple(b) for b in batches],
        "accounts": [tuple(a) for a in accounts],
        "targets": tuple(targets),
    }


def _filled_store(db_url: str) -> None:
    assert etl(db_url, "sample").returncode == 0
    with write_session(get_engine(db_url)) as session:
        users.create_user(session, "liwei", "liwei-secret-9", role="analyst")
        session.commit()


def test_backup_then_restore_into_an_empty_store_gives_the_same_store(
    db_url: str, tmp_path: Path
) -> None:
    _filled_store(db_url)
    before = _fingerprint(db_url)
    assert len(before["figures"]) > 1000 and before["accounts"] == [("liwei", "analyst")]
    out = tmp_path / "backup.bin"
    done = etl(db_url, "backup", "--out", str(out), decode=True, process=True)
    assert done.returncode == 0, done.stderr
    assert out.stat().st_size > 0 and str(out) in done.stdout

    target = _empty_store(db_url, tmp_path)
    dispose_engines()
    done = etl(target, "restore", str(out), decode=True, process=True)
    assert done.returncode == 0, done.stderr
    dispose_engines()
    assert _fingerprint(target) == before


def test_restore_refuses_a_store_with_data_unless_forced(db_url: str, tmp_path: Path) -> None:
    _filled_store(db_url)
    out = tmp_path / "backup.bin"
    assert etl(db_url, "backup", "--out", str(out)).returncode == 0
    snapshot = _fingerprint(db_url)
    # The store moves on after the backup: a rollback of the sample batch.
    assert etl(db_url, "rollback", "1").returncode == 0
    moved = _fingerprint(db_url)
    assert moved["figures"] == {}

    refused = etl(db_url, "restore", str(out), decode=True)
    assert refused.returncode == 1
    assert "--force" in refused.stderr and "不是空的" in refused.stderr
    dispose_engines()
    assert _fingerprint(db_url) == moved  # nothing changed

    forced = etl(db_url, "restore", str(out), "--force", decode=True)
    assert forced.returncode == 0, forced.stderr
    dispose_engines()
    assert _fingerprint(db_url) == snapshot


def test_restore_of_a_file_that_is_no_backup_exits_2_and_changes_nothing(
    db_url: str, tmp_path: Path
) -> None:
    _filled_store(db_url)
    before = _fingerprint(db_url)
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"PGDMP? no, just some bytes\n" * 10)
    done = etl(db_url, "restore", str(junk), "--force", decode=True)
    assert done.returncode == 2
    assert "恢复失败" in done.stderr and "Traceback" not in done.stderr
    missing = etl(db_url, "restore", str(tmp_path / "nowhere.bin"), decode=True)
    assert missing.returncode == 2
    dispose_engines()
    assert _fingerprint(db_url) == before


def _big_batch(path: Path) -> int:
    """A valid long-layout CSV of every indicator × year × REGIONS regions; its row count."""
    codes = sorted(file_catalog().indicators)
    lines = ["指标,年份,地区,数值"]
    lines += [
        f"{code},{year},测试区{r},{(r + year) % 97 + 1}"
        for code in codes
        for year in YEARS
        for r in range(REGIONS)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines) - 1


def _counts_in_backup(db_url: str, backup: Path) -> tuple[int, int, int]:
    """(observations, active batches, revisions) as the backup file holds them."""
    if make_url(db_url).get_backend_name() == "sqlite":
        with sqlite3.connect(backup) as conn:
            return (
                conn.execute("SELECT COUNT(*) FROM observation").fetchone()[0],
                conn.execute("SELECT COUNT(*) FROM batch WHERE status = 'active'").fetchone()[0],
                conn.execute("SELECT COUNT(*) FROM revision").fetchone()[0],
            )
    script = subprocess.run(
        ["pg_restore", "--data-only", "-f", "-", str(backup)], capture_output=True, check=True
    ).stdout.decode()
    rows: dict[str, int] = {}
    for match in re.finditer(r"^COPY \S+\.(\w+) .*?FROM stdin;\n(.*?)^\\\.$", script, re.M | re.S):
        rows[match.group(1)] = match.group(2).count("\n")
    batch_block = re.search(r"^COPY \S+\.batch .*?FROM stdin;\n(.*?)^\\\.$", script, re.M | re.S)
    active = batch_block.group(1).count("\tactive\t") if batch_block else 0
    return rows.get("observation", 0), active, rows.get("revision", 0)


def test_backup_during_a_load_holds_the_store_before_or_after_it(
    db_url: str, tmp_path: Path
) -> None:
    assert etl(db_url, "sample").returncode == 0
    with get_engine(db_url).connect() as conn:
        figures, revisions = conn.execute(
            text("SELECT (SELECT COUNT(*) FROM observation), (SELECT COUNT(*) FROM revision)")
        ).one()
    before = (figures, 1, revisions)
    big = tmp_path / "big.csv"
    rows = _big_batch(big)
    after = (figures + rows, 2, revisions + rows)

    load = subprocess.Popen(
        [sys.executable, "-m", "etl", "--db", db_url, "load", str(big)],
        cwd=ROOT,
        env=app_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    seen: list[tuple[int, int, int]] = []
    taken_while_loading = 0
    deadline = time.monotonic() + 300
    try:
        while time.monotonic() < deadline:
            running = load.poll() is None
            out = tmp_path / f"b{len(seen)}.bin"
            backup(db_url, out)  # in-process: many backups fit in one load
            seen.append(_counts_in_backup(db_url, out))
            out.unlink()
            if running and load.poll() is None:
                taken_while_loading += 1  # began and ended while the load process ran
            if not running:
                break
    finally:
        if load.poll() is None:
            load.kill()
        _, err = load.communicate(timeout=60)
    assert load.returncode == 0, err.decode()
    assert taken_while_loading >= 1, "no backup was taken while the load ran"
    assert set(seen) <= {before, after}, seen
    assert seen[-1] == after

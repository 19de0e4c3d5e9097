"""Backups and restores of a whole store, taken while the app runs.

Each engine's own tool does the work, because only it knows how to copy a database that
others are writing to without catching it half-way through a batch:

* **SQLite**: the online backup API (``sqlite3.Connection.backup``) copies every page in
  one step inside a read transaction, so the copy is the store as of one instant — a load
  that is running then is either wholly in it or not at all (WAL readers see snapshots).
  The copy is written beside the target and renamed, so a half-written backup never
  exists under the name asked for.
* **PostgreSQL**: ``pg_dump -Fc`` of the store's schema (one repeatable-read snapshot), and
  ``pg_restore`` turned into one script that ``psql --single-transaction`` runs after
  dropping what the store holds: a restore that fails leaves the store as it was.

A restore never overwrites a store that holds figures, batches or accounts unless told to
(``force``): the usual mistake is restoring over the live store instead of a spare one.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, inspect, make_url, text

from db.session import create_engine_for, upgrade_database

CONTENT_TABLES = ("observation", "target", "batch", "users")
"""A store is empty when none of these has a row (the seeded catalog alone is not content)."""


class BackupError(Exception):
    """The backup or restore could not be done; nothing was changed."""


class StoreNotEmptyError(BackupError):
    """Restore refused: the target holds data and ``force`` was not given."""


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    bytes: int
    counts: dict[str, int]


def store_counts(engine: Engine) -> dict[str, int]:
    """Rows in each content table (a missing table counts 0: a brand-new store)."""
    existing = set(inspect(engine).get_table_names())
    counts = {}
    with engine.connect() as conn:
        for table in CONTENT_TABLES:
            counts[table] = (
                int(conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one())
                if table in existing
                else 0
            )
    return counts


def backup(url: str, out: Path) -> BackupInfo:
    """Copy the store at ``url`` to ``out`` (SQLite file, or a pg_dump custom archive)."""
    engine = create_engine_for(url)
    try:
        counts = store_counts(engine)
        out = out.resolve()
        out.parent.mkdir(parents=True, exist_ok=True)
        if engine.dialect.name == "sqlite":
            _sqlite_backup(_sqlite_path(engine), out)
        else:
            _pg_dump(engine, out)
    finally:
        engine.dispose()
    return BackupInfo(out, out.stat().st_size, counts)


def restore(url: str, source: Path, *, force: bool = False) -> dict[str, int]:
    """Replace the store at ``url`` with the backup ``source``; returns the restored counts."""
    if not source.is_file():
        raise BackupError(f"找不到备份文件 {source} (no such backup file)")
    engine = create_engine_for(url)
    try:
        before = store_counts(engine)
        if any(before.values()) and not force:
            held = "，".join(f"{k} {v}" for k, v in before.items() if v)
            raise StoreNotEmptyError(
                f"目标数据库不是空的（{held}），未恢复；确认覆盖请加 --force "
                f"(the store is not empty; add --force to overwrite it)"
            )
        if engine.dialect.name == "sqlite":
            _sqlite_restore(source, _sqlite_path(engine))
        else:
            _pg_restore(engine, source)
    finally:
        engine.dispose()
    engine = create_engine_for(url)
    try:
        upgrade_database(engine)  # a backup from an older version comes up to date
        return store_counts(engine)
    finally:
        engine.dispose()


def _sqlite_path(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:":
        raise BackupError("内存数据库无法备份 (an in-memory database cannot be backed up)")
    return Path(database)


def _sqlite_backup(path: Path, out: Path) -> None:
    if not path.exists():
        raise BackupError(f"数据库文件不存在：{path} (no such database file)")
    fd, tmp = tempfile.mkstemp(prefix=".backup-", suffix=".sqlite3", dir=out.parent)
    os.close(fd)
    try:
        source = sqlite3.connect(path, timeout=30)
        target = sqlite3.connect(tmp)
        try:
            source.backup(target)  # all pages in one step: one consistent snapshot
        finally:
            target.close()
            source.close()
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _check_sqlite_backup(source: Path) -> None:
    """A SQLite file that is a store: intact, and with the migrations table."""
    try:
        conn = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            ok = conn.execute("PRAGMA quick_check").fetchone()
            has_version = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
            ).fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{source} 不是 SQLite 备份 (not a SQLite backup): {exc}") from exc
    if not ok or ok[0] != "ok" or not has_version:
        raise BackupError(f"{source} 不是本系统的完整备份 (not an intact backup of a store)")


def _sqlite_restore(source: Path, path: Path) -> None:
    _check_sqlite_backup(source)
    path.parent.mkdir(parents=True, exist_ok=True)
    backup_conn = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    target = sqlite3.connect(path, timeout=30)
    try:
        # Page by page into the live file under its write lock: readers see old or new.
        backup_conn.backup(target)
    finally:
        target.close()
        backup_conn.close()


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"找不到 {name}（PostgreSQL 客户端）(install postgresql-client)")
    return found


def _libpq_url(engine: Engine) -> str:
    return (
        make_url(str(engine.url.render_as_string(hide_password=False)))
        .set(drivername="postgresql")
        .render_as_string(hide_password=False)
    )


def _schema(engine: Engine) -> str:
    with engine.connect() as conn:
        return str(conn.execute(text("SELECT current_schema()")).scalar_one())


def _run(args: list[str], **kwargs: object) -> subprocess.CompletedProcess[bytes]:
    result = subprocess.run(args, capture_output=True, check=False, **kwargs)  # type: ignore[call-overload]
    if result.returncode != 0:
        detail = result.stderr.decode("utf-8", "replace").strip()
        raise BackupError(f"{Path(args[0]).name} 失败 (failed): {detail}")
    return result


def _pg_dump(engine: Engine, out: Path) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".backup-", suffix=".dump", dir=out.parent)
    os.close(fd)
    try:
        _run(
            [_pg_tool("pg_dump"), "-Fc", "--no-owner", "--no-privileges", "-n", _schema(engine),
             "-f", tmp, "-d", _libpq_url(engine)]
        )  # fmt: skip
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _pg_restore(engine: Engine, source: Path) -> None:
    """Drop what the schema holds and load the archive, in one psql transaction."""
    schema = _schema(engine)
    listing = _run([_pg_tool("pg_restore"), "-l", str(source)]).stdout.decode()
    entries = [line for line in listing.splitlines() if line and not line.startswith(";")]
    tables_listed = [line.split() for line in entries]
    schemas = {f[4] for f in tables_listed if len(f) > 5 and f[3] == "TABLE" and f[4] != "DATA"}
    if schemas and schemas != {schema}:
        raise BackupError(
            f"备份来自模式 {'、'.join(sorted(schemas))}，目标是 {schema}，未恢复 "
            f"(the backup holds schema {sorted(schemas)}, the store is {schema!r})"
        )
    keep = [line for line in entries if " SCHEMA " not in line]
    with tempfile.NamedTemporaryFile("w", suffix=".list") as toc:
        toc.write("\n".join(keep) + "\n")
        toc.flush()
        script = _run(
            [_pg_tool("pg_restore"), "--no-owner", "--no-privileges", "-L", toc.name, "-f", "-",
             str(source)]
        ).stdout  # fmt: skip
    tables = inspect(engine).get_table_names()
    drops = "".join(f'DROP TABLE IF EXISTS "{schema}"."{t}" CASCADE;\n' for t in tables)
    _run(
        [_pg_tool("psql"), "-X", "-q", "--single-transaction", "-v", "ON_ERROR_STOP=1",
         "-d", _libpq_url(engine), "-f", "-"],
        input=drops.encode() + script,
    )  # fmt: skip

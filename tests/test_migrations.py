"""Schema changes go through Alembic: an older database upgrades in place, data intact."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from db.models import Base
from db.session import (
    alembic_config,
    create_engine_for,
    current_revision,
    get_engine,
    upgrade_database,
)


def test_older_database_upgrades_in_place(sqlite_url: str) -> None:
    engine = create_engine_for(sqlite_url)
    upgrade_database(engine, "0001")
    assert "users" not in inspect(engine).get_table_names()
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO batch (source_name, source_kind, sha256, loaded_by, rows_read, "
                "inserted, updated, unchanged, skipped, warnings, status) "
                "VALUES ('old.csv', 'file', 'abc', 'x', 1, 1, 0, 0, 0, '[]', 'active')"
            )
        )
    engine.dispose()
    upgraded = get_engine(sqlite_url)  # what the app and the CLI do on start-up
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert current_revision(upgraded) == head
    assert "users" in inspect(upgraded).get_table_names()
    with upgraded.connect() as conn:
        assert conn.execute(text("SELECT source_name FROM batch")).scalar_one() == "old.csv"
        assert conn.execute(text("SELECT COUNT(*) FROM indicator")).scalar_one() == 48


def test_migrations_match_the_models(db_url: str) -> None:
    engine = get_engine(db_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_sqlite_pragmas(sqlite_url: str) -> None:
    engine = get_engine(sqlite_url)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000

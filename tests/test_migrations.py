"""Schema changes go through Alembic: an older database upgrades in place, data intact."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from db.models import Base
from db.revision import HEAD_REVISION
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


def test_head_revision_is_the_newest_migration() -> None:
    """``HEAD_REVISION`` lets a store at head skip Alembic: a new migration must move it."""
    assert ScriptDirectory.from_config(alembic_config()).get_current_head() == HEAD_REVISION


def test_a_store_one_migration_behind_is_migrated(sqlite_url: str) -> None:
    """The fast path skips only a store at head: one revision short still gets the last step."""
    script = ScriptDirectory.from_config(alembic_config())
    previous = script.get_revision(HEAD_REVISION).down_revision
    assert isinstance(previous, str)
    engine = create_engine_for(sqlite_url)
    upgrade_database(engine, previous)
    engine.dispose()
    assert current_revision(get_engine(sqlite_url)) == HEAD_REVISION


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


def _migrate(engine, revision: str, *, down: bool = False) -> None:
    from alembic import command

    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(config, revision)


def test_observations_move_to_the_clustered_key_and_back_intact(db_url: str) -> None:
    """Migration 0007 rebuilds ``observation`` keyed and clustered on (indicator, year,
    region): every figure survives, the key still refuses a second copy, and on SQLite the
    table has no rowid (one B-tree). The downgrade gives the figures back too."""
    from sqlalchemy.exc import IntegrityError

    before = ScriptDirectory.from_config(alembic_config()).get_revision("0007").down_revision
    assert isinstance(before, str)
    engine = create_engine_for(db_url)
    _migrate(engine, before)
    rows = [  # hand-made: a note, a qualifier, a batch and none, two regions of one pair
        (2, 2019, "全市", 7.25, "more_than", None, None),
        (1, 2020, "全市", 12.5, None, None, 1),
        (1, 2020, "东区", 3.0, "about", "估算", 1),
    ]
    cols = "indicator_id, year, region, value, qualifier, note, batch_id"
    insert = text(f"INSERT INTO observation ({cols}) VALUES (:i, :y, :r, :v, :q, :n, :b)")
    params = [dict(zip("iyrvqnb", row, strict=True)) for row in rows]
    select_all = text(f"SELECT {cols} FROM observation ORDER BY indicator_id, year, region")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO category VALUES (1, 'c', '类', 'c', 0)"))
        for i in (1, 2):
            conn.execute(
                text(
                    "INSERT INTO indicator (id, code, category_id, name_zh, name_en, aliases, "
                    "phrasings, unit, aggregation, direction, description, active, "
                    "display_order) VALUES (:i, :c, 1, :c, :c, '[]', '[]', '次', 'sum', 'up', "
                    "'', TRUE, 0)"
                ),
                {"i": i, "c": f"ind{i}"},
            )
        conn.execute(
            text(
                "INSERT INTO batch (id, source_name, source_kind, sha256, loaded_by, rows_read, "
                "inserted, updated, unchanged, skipped, warnings, status) "
                "VALUES (1, 'old.csv', 'file', 'abc', 'x', 2, 2, 0, 0, 0, '[]', 'active')"
            )
        )
        conn.execute(insert, params)
    expected = [rows[2], rows[1], rows[0]]  # (indicator, year, region) order, by hand
    _migrate(engine, "0007")
    with engine.connect() as conn:
        assert [tuple(r) for r in conn.execute(select_all)] == expected
        assert "id" not in {c["name"] for c in inspect(conn).get_columns("observation")}
        pk = inspect(conn).get_pk_constraint("observation")
        assert pk["constrained_columns"] == ["indicator_id", "year", "region"]
        if engine.dialect.name == "sqlite":
            ddl = conn.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE name = 'observation'"
            ).scalar_one()
            assert "WITHOUT ROWID" in ddl
    with engine.connect() as conn:
        try:
            conn.execute(insert, params[1])
        except IntegrityError:
            conn.rollback()
        else:
            raise AssertionError("a second figure for one key was accepted")
    _migrate(engine, before, down=True)  # back to the surrogate id, figures intact
    with engine.connect() as conn:
        assert [tuple(r) for r in conn.execute(select_all)] == expected
        ids = conn.execute(text("SELECT id FROM observation")).scalars().all()
        assert sorted(ids) == [1, 2, 3]
    engine.dispose()


def test_revisions_lose_their_foreign_keys_and_keep_every_row(db_url: str) -> None:
    """Migration 0008 drops the undo log's two foreign keys (a trigger call per row and key
    on PostgreSQL): every revision survives with its id, new rows still get the next id,
    rollback's index is there, and the downgrade puts both keys back."""
    engine = create_engine_for(db_url)
    _migrate(engine, "0007")
    cols = (
        "id, batch_id, kind, indicator_id, year, region, existed, old_value, old_qualifier, "
        "old_note, old_batch_id, new_value"
    )
    rows = [  # hand-made: a created figure, a changed one with its old qualifier and note
        (3, 1, "observation", 1, 2020, "全市", False, None, None, None, None, 12.5),
        (7, 1, "target", 1, 2020, "东区", True, 4.0, "about", "估算", 1, 5.0),
    ]
    select_all = text(f"SELECT {cols} FROM revision ORDER BY id")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO category VALUES (1, 'c', '类', 'c', 0)"))
        conn.execute(
            text(
                "INSERT INTO indicator (id, code, category_id, name_zh, name_en, aliases, "
                "phrasings, unit, aggregation, direction, description, active, display_order) "
                "VALUES (1, 'i', 1, 'i', 'i', '[]', '[]', '次', 'sum', 'up', '', TRUE, 0)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO batch (id, source_name, source_kind, sha256, loaded_by, rows_read, "
                "inserted, updated, unchanged, skipped, warnings, status) "
                "VALUES (1, 'old.csv', 'file', 'abc', 'x', 2, 1, 1, 0, 0, '[]', 'active')"
            )
        )
        names = ":" + ", :".join(f"c{n}" for n in range(len(rows[0])))
        insert = text(f"INSERT INTO revision ({cols}) VALUES ({names})")
        conn.execute(insert, [{f"c{n}": v for n, v in enumerate(row)} for row in rows])
    assert len(inspect(engine).get_foreign_keys("revision")) == 2
    _migrate(engine, "0008")
    with engine.begin() as conn:
        assert [tuple(r) for r in conn.execute(select_all)] == rows
        assert inspect(conn).get_foreign_keys("revision") == []
        assert "ix_revision_batch" in {ix["name"] for ix in inspect(conn).get_indexes("revision")}
        conn.execute(
            text(
                "INSERT INTO revision (batch_id, kind, indicator_id, year, region, existed) "
                "VALUES (1, 'observation', 1, 2021, '全市', FALSE)"
            )
        )
        # The id is still handed out by the database (SQLite's rowid, PostgreSQL's sequence).
        ids = conn.execute(text("SELECT id FROM revision")).scalars().all()
        assert len(set(ids)) == 3 and None not in ids
    _migrate(engine, "0007", down=True)
    with engine.connect() as conn:
        assert [tuple(r) for r in conn.execute(select_all) if r.id in (3, 7)] == rows
        referred = {fk["referred_table"] for fk in inspect(conn).get_foreign_keys("revision")}
        assert referred == {"batch", "indicator"}
    engine.dispose()

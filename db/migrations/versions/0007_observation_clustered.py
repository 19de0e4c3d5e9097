"""observation clustered on its key (indicator, year, region)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30

A million-row load wrote the figures four times over: the rowid table, the unique key
``uq_observation_key`` and the covering index ``ix_observation_cover`` (the same columns
plus the value), then the two read indexes. The key is now the primary key and the
table is stored in its order:

* SQLite: a ``WITHOUT ROWID`` table, whose B-tree *is* the key and holds every column,
  so the unique key and the covering index go. SQLite cannot change a table's storage in
  place, so the table is rebuilt: new table, rows copied in key order, old one dropped.
* PostgreSQL has no clustered tables: the surrogate ``id`` goes, the key becomes the
  primary key with ``INCLUDE (value)`` (the covering index's job), in place.

Every figure is kept; no other table refers to ``observation.id``.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = "indicator_id, year, region, value, qualifier, note, batch_id"
_READ_INDEXES = (
    "CREATE INDEX ix_observation_year ON observation (year, indicator_id, value)",
    "CREATE INDEX ix_observation_region ON observation (region, indicator_id, year, value)",
)


def _rebuild_sqlite(key: str, options: str, *, surrogate: bool = False) -> None:
    """Copy ``observation`` into a table of the new shape (key order), then swap names."""
    op.execute(
        "CREATE TABLE observation_new ("
        + ("id INTEGER NOT NULL, " if surrogate else "")
        + "indicator_id INTEGER NOT NULL REFERENCES indicator (id), "
        "year INTEGER NOT NULL, region VARCHAR(100) NOT NULL, value FLOAT NOT NULL, "
        "qualifier VARCHAR(20), note TEXT, batch_id INTEGER REFERENCES batch (id), "
        f"{key}) {options}"
    )
    op.execute(
        f"INSERT INTO observation_new ({_COLUMNS}) SELECT {_COLUMNS} FROM observation "
        "ORDER BY indicator_id, year, region"
    )
    op.execute("DROP TABLE observation")  # its indexes go with it
    op.execute("ALTER TABLE observation_new RENAME TO observation")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_sqlite(
            "CONSTRAINT pk_observation PRIMARY KEY (indicator_id, year, region)", "WITHOUT ROWID"
        )
        for statement in _READ_INDEXES:
            op.execute(statement)
        return
    op.execute("DROP INDEX ix_observation_cover")
    op.execute("ALTER TABLE observation DROP CONSTRAINT uq_observation_key")
    op.execute("ALTER TABLE observation DROP COLUMN id")  # drops its primary key too
    op.execute(
        "ALTER TABLE observation ADD CONSTRAINT pk_observation "
        "PRIMARY KEY (indicator_id, year, region) INCLUDE (value)"
    )


def downgrade() -> None:
    cover = "CREATE INDEX ix_observation_cover ON observation (indicator_id, year, region, value)"
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_sqlite(
            "PRIMARY KEY (id), CONSTRAINT uq_observation_key UNIQUE (indicator_id, year, region)",
            "",
            surrogate=True,  # INTEGER PRIMARY KEY: the rowid, numbered as rows are copied
        )
        for statement in (cover, *_READ_INDEXES):
            op.execute(statement)
        return
    op.execute("ALTER TABLE observation DROP CONSTRAINT pk_observation")
    op.execute("ALTER TABLE observation ADD COLUMN id SERIAL PRIMARY KEY")
    op.execute(
        "ALTER TABLE observation ADD CONSTRAINT uq_observation_key "
        "UNIQUE (indicator_id, year, region)"
    )
    op.execute(cover)

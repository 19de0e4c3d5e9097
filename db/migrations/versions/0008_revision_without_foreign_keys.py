"""revision without foreign keys: the undo log checks nothing per row

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30

``revision`` is the load's undo log: one row per figure a batch inserted or changed,
written by one ``INSERT … SELECT`` whose ``batch_id`` is the batch just flushed and
whose ``indicator_id`` comes from the staged rows, which the loader mapped from the
catalog. Its two foreign keys (to ``batch`` and ``indicator``) could only ever catch a
bug in that one statement, and no code deletes a batch or an indicator. On PostgreSQL
they cost a trigger call per row and key: profiling a 1M-row load (``auto_explain`` with
``log_triggers``) showed 16 s of the revision insert's 26 s in
``revision_batch_id_fkey`` and ``revision_indicator_id_fkey``. ``observation`` and
``target`` keep theirs: they are the data, written by more than one path.

SQLite cannot drop a constraint in place, so the table is rebuilt (rows copied in
order, ids kept); PostgreSQL drops the two constraints.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = (
    "id, batch_id, kind, indicator_id, year, region, existed, old_value, old_qualifier, "
    "old_note, old_batch_id, new_value"
)
_FOREIGN_KEYS = {
    "revision_batch_id_fkey": "FOREIGN KEY (batch_id) REFERENCES batch (id)",
    "revision_indicator_id_fkey": "FOREIGN KEY (indicator_id) REFERENCES indicator (id)",
}


def _rebuild_sqlite(constraints: str) -> None:
    """Copy ``revision`` into a table with ``constraints`` after its columns, swap names."""
    op.execute(
        "CREATE TABLE revision_new (id INTEGER NOT NULL, batch_id INTEGER NOT NULL, "
        "kind VARCHAR(12) NOT NULL, indicator_id INTEGER NOT NULL, year INTEGER NOT NULL, "
        "region VARCHAR(100) NOT NULL, existed BOOLEAN NOT NULL, old_value FLOAT, "
        "old_qualifier VARCHAR(20), old_note TEXT, old_batch_id INTEGER, new_value FLOAT, "
        f"PRIMARY KEY (id){constraints})"
    )
    op.execute(f"INSERT INTO revision_new ({_COLUMNS}) SELECT {_COLUMNS} FROM revision ORDER BY id")
    op.execute("DROP TABLE revision")  # its index goes with it
    op.execute("ALTER TABLE revision_new RENAME TO revision")
    op.execute("CREATE INDEX ix_revision_batch ON revision (batch_id, kind)")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_sqlite("")
        return
    for name in _FOREIGN_KEYS:
        op.execute(f"ALTER TABLE revision DROP CONSTRAINT {name}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_sqlite("".join(f", {fk}" for fk in _FOREIGN_KEYS.values()))
        return
    for name, definition in _FOREIGN_KEYS.items():
        op.execute(f"ALTER TABLE revision ADD CONSTRAINT {name} {definition}")

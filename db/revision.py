"""Which migration a store is at, read with plain SQL so a store at head never imports Alembic.

Alembic's import alone is ~0.4 s of every ``python -m etl`` call and app start, paid even
when there is nothing to migrate. ``HEAD_REVISION`` is the newest file in
``db/migrations/versions``; ``tests/test_migrations.py`` is red until it is updated with
each new migration.
"""

from __future__ import annotations

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

HEAD_REVISION = "0008"


def stored_revisions(engine: Engine) -> list[str]:
    """The store's ``alembic_version`` rows; none for a store never migrated (no table)."""
    try:
        with engine.connect() as conn:
            return list(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
    except DBAPIError:  # no such table yet: the caller migrates from nothing
        return []


def at_head(engine: Engine) -> bool:
    return stored_revisions(engine) == [HEAD_REVISION]

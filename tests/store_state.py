"""The store's whole content as one comparable value, and loading text the way users do.

``fingerprint`` is what "nothing changed" is checked against: every row of every table the
loader and rollback write (all columns, ids included) and the indexes on them — not
counts, which a half-written batch plus a lost figure could leave equal.
"""

from __future__ import annotations

from sqlalchemy import Engine, inspect, select

from db.models import Base
from db.session import read_session, write_session
from etl.pipeline import BatchResult, LoadOptions, load_file

WRITTEN_TABLES = ("batch", "observation", "target", "revision", "observation_coverage")


def fingerprint(engine: Engine) -> dict[str, object]:
    state: dict[str, object] = {}
    with read_session(engine) as s:
        for name in WRITTEN_TABLES:
            table = Base.metadata.tables[name]
            order = list(table.primary_key.columns)
            state[name] = [tuple(row) for row in s.execute(select(table).order_by(*order))]
    inspector = inspect(engine)
    for name in ("observation", "target", "revision"):
        state[f"indexes:{name}"] = sorted(ix["name"] for ix in inspector.get_indexes(name))
    return state


def load(engine: Engine, text: str | bytes, name: str = "batch.csv", **options) -> BatchResult:
    """Load ``text`` as the file ``name`` through the pipeline; commit only when it loaded."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    with write_session(engine) as session:
        result = load_file(session, data, name, LoadOptions(**options))
        if result.status == "loaded":
            session.commit()
        else:
            session.rollback()
    return result

"""The export's read: every figure the store holds, values and targets, one row per key.

Kept in ``db/`` with the other reads (SQL lives only here). A row is one (indicator, year,
region) that has a value, a target or both; the keys come from a ``UNION`` of the two
tables and each side is joined back on its unique key, which works the same on SQLite and
PostgreSQL (no ``FULL OUTER JOIN`` needed). ``batch_id`` is the batch that last set the
value, else the one that set the target.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import ColumnElement, FromClause, and_, func, select, union
from sqlalchemy.orm import Session

from db.models import Category, Indicator, Observation, Target
from db.queries import read_frame

EXPORT_COLUMNS = [
    "category_code",
    "category",
    "indicator_code",
    "indicator",
    "year",
    "region",
    "value",
    "target",
    "unit",
    "qualifier",
    "note",
    "batch_id",
]
"""The export's columns, in order (DESIGN.md "CLI")."""


def export_frame(session: Session) -> pd.DataFrame:
    """All figures in the long layout, in catalog order, then year and region."""
    o = Observation.__table__
    t = Target.__table__
    keys = union(
        select(o.c.indicator_id, o.c.year, o.c.region),
        select(t.c.indicator_id, t.c.year, t.c.region),
    ).subquery("figure_key")

    def same_key(table: FromClause) -> ColumnElement[bool]:
        c = table.c
        return and_(
            c.indicator_id == keys.c.indicator_id,
            c.year == keys.c.year,
            c.region == keys.c.region,
        )

    stmt = (
        select(
            Category.code,
            Category.name_zh,
            Indicator.code,
            Indicator.name_zh,
            keys.c.year,
            keys.c.region,
            o.c.value,
            t.c.value,
            Indicator.unit,
            o.c.qualifier,
            o.c.note,
            func.coalesce(o.c.batch_id, t.c.batch_id),
        )
        .select_from(keys)
        .join(Indicator, Indicator.id == keys.c.indicator_id)
        .join(Category, Category.id == Indicator.category_id)
        .outerjoin(o, same_key(o))
        .outerjoin(t, same_key(t))
        .order_by(Category.display_order, Indicator.display_order, keys.c.year, keys.c.region)
    )
    frame = read_frame(session, stmt, EXPORT_COLUMNS)
    frame["year"] = frame["year"].astype("Int64")
    frame["value"] = frame["value"].astype("float64")
    frame["target"] = frame["target"].astype("float64")
    frame["batch_id"] = frame["batch_id"].astype("Int64")
    return frame

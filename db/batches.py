"""Reads about batches: which batch holds a file's bytes, the history, what a batch set,
and the store's row counts. Beside the other reads (``db/queries.py``) so ``etl/`` and the
pages hold no SQL of their own; the loader (``etl/load.py``) and the history page call these.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from db.models import (
    Base,
    Batch,
    BatchStatus,
    Category,
    Indicator,
    Observation,
    Revision,
    Target,
)
from db.queries import read_frame


def find_active_batch(session: Session, sha256: str) -> Batch | None:
    """The batch in force that loaded these exact bytes; rolled-back batches do not count,
    so a file whose batch was undone loads again."""
    return _batch_by_hash(session, sha256, "active")


def find_rolled_back_batch(session: Session, sha256: str) -> Batch | None:
    """The latest rolled-back batch of these bytes, for the message on loading them again."""
    return _batch_by_hash(session, sha256, "rolled_back", newest=True)


def _batch_by_hash(
    session: Session, sha256: str, status: BatchStatus, *, newest: bool = False
) -> Batch | None:
    order = Batch.id.desc() if newest else Batch.id
    return session.scalars(
        select(Batch).where(Batch.sha256 == sha256, Batch.status == status).order_by(order).limit(1)
    ).first()


def _table(model: type[Base]) -> Table:
    """A model's Core table, typed as one (``__table__`` is typed as any FROM clause)."""
    return Base.metadata.tables[model.__tablename__]


def list_batches(session: Session) -> list[Batch]:
    return list(session.scalars(select(Batch).order_by(Batch.id.desc())))


def batch_figures(session: Session, batch_id: int) -> pd.DataFrame:
    """Every figure the batch inserted or changed: the value before and after.

    Qualifier and note are the figure's current ones while the batch still holds it.
    """
    r, o = _table(Revision), _table(Observation)
    holds = (
        (o.c.indicator_id == r.c.indicator_id)
        & (o.c.year == r.c.year)
        & (o.c.region == r.c.region)
        & (o.c.batch_id == r.c.batch_id)
        & (r.c.kind == "observation")
    )
    columns = [
        "category",
        "indicator_code",
        "indicator",
        "kind",
        "year",
        "region",
        "old_value",
        "new_value",
        "unit",
        "qualifier",
        "note",
        "existed",
    ]
    stmt = (
        select(
            Category.name_zh,
            Indicator.code,
            Indicator.name_zh,
            r.c.kind,
            r.c.year,
            r.c.region,
            r.c.old_value,
            r.c.new_value,
            Indicator.unit,
            o.c.qualifier,
            o.c.note,
            r.c.existed,
        )
        .select_from(r.outerjoin(o, holds))
        .join(Indicator, Indicator.id == r.c.indicator_id)
        .join(Category, Category.id == Indicator.category_id)
        .where(r.c.batch_id == batch_id)
        .order_by(Indicator.display_order, r.c.year, r.c.region)
    )
    frame = read_frame(session, stmt, columns)
    frame["change"] = np.where(frame["existed"].astype(bool), "updated", "inserted")
    return frame.drop(columns="existed")


def store_counts(session: Session) -> dict[str, int]:
    """Observation/target/batch counts: a cheap fingerprint tests use to prove nothing changed."""
    return {
        "observations": session.scalar(select(func.count()).select_from(Observation)) or 0,
        "targets": session.scalar(select(func.count()).select_from(Target)) or 0,
        "batches": session.scalar(select(func.count()).select_from(Batch)) or 0,
        "revisions": session.scalar(select(func.count()).select_from(Revision)) or 0,
    }

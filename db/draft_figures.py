"""The store's figures a report draft writes: one region, one year, and what 同比/完成率 need.

A draft states the figure stored for exactly the chosen region (全市 means the 全市 row,
never a sum the report did not make), so what the report says is what the store holds
and the change list can name the batch each figure came from. Same
``f(session, ...) -> DataFrame`` shape as :mod:`db.queries`.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from db.models import Batch, Indicator, Observation, Target
from db.queries import read_frame

DRAFT_FIGURE_COLUMNS = [
    "code",
    "value",
    "qualifier",
    "batch_id",
    "batch_source",
    "previous",
    "target",
]


def draft_figures(session: Session, *, year: int, region: str) -> pd.DataFrame:
    """Every figure stored for ``year`` and ``region`` with last year's value and the target.

    Columns ``DRAFT_FIGURE_COLUMNS``; ``previous``/``target`` are NaN where the store has
    none (a 同比 or 完成率 slot then stays ``X``).
    """
    last = Observation.__table__.alias("last_year")
    stmt = (
        select(
            Indicator.code,
            Observation.value,
            Observation.qualifier,
            Observation.batch_id,
            Batch.source_name,
            last.c.value,
            Target.value,
        )
        .join(Indicator, Indicator.id == Observation.indicator_id)
        .outerjoin(Batch, Batch.id == Observation.batch_id)
        .outerjoin(
            last,
            and_(
                last.c.indicator_id == Observation.indicator_id,
                last.c.year == year - 1,
                last.c.region == region,
            ),
        )
        .outerjoin(
            Target,
            and_(
                Target.indicator_id == Observation.indicator_id,
                Target.year == year,
                Target.region == region,
            ),
        )
        .where(Observation.year == year, Observation.region == region)
        .order_by(Indicator.code)
    )
    frame = read_frame(session, stmt, DRAFT_FIGURE_COLUMNS)
    frame["qualifier"] = frame["qualifier"].astype("object").where(frame["qualifier"].notna(), None)
    return frame

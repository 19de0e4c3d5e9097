"""The store's figures a report draft writes: one region, one year, and what 同比/完成率 need.

A draft states the figure stored for the chosen region, so the change list can name the
batch each figure came from. For 全市 it follows the dashboard's rule
(:mod:`db.queries`): the 全市 row, else the districts combined by the indicator's
aggregation — a report must say what the overview shows. Same
``f(session, ...) -> DataFrame`` shape as :mod:`db.queries`.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from db.models import CITY_WIDE, Batch, Indicator, Observation, Target
from db.queries import Filters, city_series, read_frame

DRAFT_FIGURE_COLUMNS = [
    "code",
    "value",
    "qualifier",
    "batch_id",
    "batch_source",
    "previous",
    "target",
]
FROM_DISTRICTS = "各区合计 (districts combined)"  # the batch column of a combined 全市 figure


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
    return _with_district_totals(session, frame, year) if region == CITY_WIDE else frame


def _with_district_totals(session: Session, frame: pd.DataFrame, year: int) -> pd.DataFrame:
    """全市 figures the store has only per district, combined as the dashboard combines them."""
    series = city_series(session, filters=Filters(year_from=year - 1, year_to=year))
    combined = series[
        (series["year"] == year)
        & (series["source"] == "districts")
        & ~series["code"].isin(frame["code"])
    ]
    added = pd.DataFrame(
        {
            "code": combined["code"],
            "value": combined["value"],
            "qualifier": combined["qualifier"],
            "batch_id": None,
            "batch_source": FROM_DISTRICTS,
            "previous": float("nan"),
            "target": float("nan"),
        }
    )
    if not added.empty:
        frame = pd.concat([frame.astype({"batch_id": "object"}), added], ignore_index=True)
    last_year = series[series["year"] == year - 1].set_index("code")["value"]
    frame["previous"] = frame["previous"].astype("float64").fillna(frame["code"].map(last_year))
    return frame.sort_values("code", ignore_index=True)

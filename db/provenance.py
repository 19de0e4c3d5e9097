"""Provenance reads: which batch set the figures a chart or slide shows.

Kept apart from :mod:`db.queries` (the pages' reads) because only exports name their
sources line by line; same ``f(session, ...) -> DataFrame`` shape.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import CITY_WIDE, Batch, Indicator, Observation
from db.queries import read_frame


def batch_provenance(session: Session, years: tuple[int, int]) -> pd.DataFrame:
    """Which batch last set each figure in ``years`` (city-wide rows first, else districts).

    Small: one row per (indicator, year, batch) — a figure combined from districts that
    came from two batches names both.
    """
    first, last = years
    stmt = (
        select(
            Indicator.code,
            Observation.year,
            Observation.batch_id,
            Batch.source_name,
            Batch.source_kind,
            (Observation.region == CITY_WIDE).label("city"),
        )
        .join(Indicator, Indicator.id == Observation.indicator_id)
        .outerjoin(Batch, Batch.id == Observation.batch_id)
        .where(Observation.year.between(first, last))
        .distinct()
    )
    columns = ["code", "year", "batch_id", "source_name", "source_kind", "city"]
    frame = read_frame(session, stmt, columns)
    if frame.empty:
        return frame.drop(columns=["city"])
    frame["city"] = frame["city"].astype(bool)
    has_city = frame.groupby(["code", "year"])["city"].transform("max").astype(bool)
    frame = frame[frame["city"] | ~has_city]
    return frame.drop(columns=["city"]).reset_index(drop=True)

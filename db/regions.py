"""Each region's own figures, for the by-region views: never combined into one number
(``db/queries.py`` holds the rule for that), and with many regions only the largest.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from sqlalchemy import and_, false, func, or_, select
from sqlalchemy.orm import Session

from db.models import CITY_WIDE, Indicator, Observation
from db.queries import Filters, indicator_scope, read_frame, year_scope


def region_values(
    session: Session,
    *,
    filters: Filters,
    codes: Sequence[str],
    max_regions: int | None = None,
) -> pd.DataFrame:
    """Each region's own figures (never combined): ``code, year, region, value, qualifier``.

    Regions are the chosen ones, else every district (全市 is the city-wide view, not a
    region to compare). With ``max_regions``, an indicator with more regions keeps those
    with the largest figure in its latest year — a readable chart, not 800 lines.
    """
    regions_clause = (
        Observation.region.in_(filters.regions)
        if filters.regions
        else Observation.region != CITY_WIDE
    )
    base = indicator_scope(
        select(
            Indicator.code,
            Observation.year,
            Observation.region,
            Observation.value,
            Observation.qualifier,
        ).join(Indicator, Indicator.id == Observation.indicator_id),
        filters,
        codes,
    ).where(regions_clause, *year_scope(Observation.year, filters))
    if max_regions is not None:
        top = _top_regions(session, filters, codes, regions_clause, max_regions)
        if not top:
            base = base.where(false())
        else:
            base = base.where(
                or_(
                    *(
                        and_(Indicator.code == code, Observation.region.in_(regions))
                        for code, regions in top.items()
                    )
                )
            )
    columns = ["code", "year", "region", "value", "qualifier"]
    frame = read_frame(session, base, columns)
    return frame.sort_values(["code", "region", "year"], ignore_index=True)


def _top_regions(
    session: Session, filters: Filters, codes: Sequence[str], regions_clause, limit: int
) -> dict[str, list[str]]:
    """Per indicator, the ``limit`` regions with the largest figure in its latest year."""
    obs = Observation.__table__.alias("latest_obs")
    latest = (
        select(func.max(obs.c.year))
        .where(obs.c.indicator_id == Indicator.id, *year_scope(obs.c.year, filters))
        .scalar_subquery()
    )
    rank = func.row_number().over(
        partition_by=Indicator.code, order_by=(Observation.value.desc(), Observation.region)
    )
    ranked = (
        select(Indicator.code, Observation.region, rank.label("rank"))
        .join(Indicator, Indicator.id == Observation.indicator_id)
        .where(Indicator.code.in_(list(codes)), Observation.year == latest, regions_clause)
        .subquery()
    )
    top: dict[str, list[str]] = {}
    for code, region in session.execute(
        select(ranked.c.code, ranked.c.region).where(ranked.c.rank <= limit)
    ):
        top.setdefault(code, []).append(region)
    return top

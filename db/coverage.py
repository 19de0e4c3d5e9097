"""Data-quality reads (数据质量): which indicators and regions have figures for which years.

Regions per indicator and year is the one answer that depends on every observation in
range, so it is not counted on read: the loader keeps it in ``observation_coverage``
(:class:`db.models.CoverageCount`) through :func:`refresh_coverage`, and :func:`coverage`
reads those ~1,000 rows. Only a region filter, which the summary cannot answer, counts
observations — through the region index, for the chosen regions alone. Same
``f(session, *, filters) -> DataFrame`` shape and filter rules as :mod:`db.queries`.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from sqlalchemy import (
    ColumnElement,
    ScalarSelect,
    Select,
    Subquery,
    and_,
    case,
    delete,
    func,
    insert,
    select,
    tuple_,
)
from sqlalchemy.orm import Session

from db.models import CITY_WIDE, CoverageCount, Indicator, Observation
from db.queries import Filters, indicator_scope, read_frame, year_scope


def refresh_coverage(session: Session, pairs: Select[int, int] | None = None) -> None:
    """Recount ``observation_coverage`` for ``pairs`` (a select of ``indicator_id, year``
    rows, duplicates allowed; ``None`` recounts everything), in the caller's transaction.

    Whoever adds or deletes observations calls this before committing, so the summary is
    never seen out of step with the figures. Two statements whatever the size: drop the
    pairs' rows, then insert their counts. A pair left without figures gets no row, as
    :func:`coverage` expects. Changing a figure's value never changes the counts, so
    callers pass only pairs that gained or lost rows when they know them.
    """
    stale = delete(CoverageCount)
    if pairs is None:
        counted = _counted_everywhere()
    else:
        stale = stale.where(tuple_(CoverageCount.indicator_id, CoverageCount.year).in_(pairs))
        counted = _counted_for(pairs.distinct().subquery("pairs"))
    # No ORM objects of the summary are ever loaded, so nothing in the session to sync.
    session.execute(stale, execution_options={"synchronize_session": False})
    session.execute(
        insert(CoverageCount).from_select(["indicator_id", "year", "regions", "city"], counted)
    )


def _counted_everywhere() -> Select[int, int, int, int]:
    """One grouped pass over the covering index: ~0.1 s per million figures."""
    return select(
        Observation.indicator_id,
        Observation.year,
        func.count(),
        func.sum(case((Observation.region == CITY_WIDE, 1), else_=0)),
    ).group_by(Observation.indicator_id, Observation.year)


def _counted_for(pairs: Subquery) -> Select[int, int, int, int]:
    """Each pair counted by its own index range, so the cost follows the pairs, not the store.

    Written as correlated counts rather than a grouped join on purpose: PostgreSQL has no
    statistics on a just-filled temporary table and, as a join, chose to walk the whole
    observation index (~160 ms on 1M figures for a three-row batch).
    """

    def count(*more: ColumnElement[bool]) -> ScalarSelect[int]:
        return (
            select(func.count())
            .where(
                Observation.indicator_id == pairs.c.indicator_id,
                Observation.year == pairs.c.year,
                *more,
            )
            .scalar_subquery()
        )

    present = (
        select(Observation.year)
        .where(
            Observation.indicator_id == pairs.c.indicator_id,
            Observation.year == pairs.c.year,
        )
        .exists()
    )
    return select(
        pairs.c.indicator_id, pairs.c.year, count(), count(Observation.region == CITY_WIDE)
    ).where(present)


def coverage(session: Session, *, filters: Filters) -> pd.DataFrame:
    """How many regions have a figure, per indicator and year: ``code, year, regions, city``.

    ``city`` is 1 when the 全市 row exists for that indicator and year. Pairs without any
    (chosen) figure are absent. Without a region filter this reads the loader-kept
    summary; with one, only the chosen regions are counted.
    """
    if not filters.regions:
        summary = CoverageCount
        stmt = indicator_scope(
            select(Indicator.code, summary.year, summary.regions, summary.city)
            .select_from(summary)
            .join(Indicator, Indicator.id == summary.indicator_id)
            .where(*year_scope(summary.year, filters)),
            filters,
            None,
        )
    else:
        stmt = _counted_in_regions(filters)
    frame = read_frame(session, stmt, ["code", "year", "regions", "city"])
    frame["city"] = frame["city"].astype(int)
    return frame.sort_values(["code", "year"], ignore_index=True)


def _counted_in_regions(filters: Filters) -> Select[str, int, int, bool]:
    """Observations of the chosen regions counted alone (from the region index, no table
    rows touched), then the small counts joined to the catalog: joining first made SQLite
    fetch every row of a million-row store. ``city`` still says whether the 全市 row
    exists, chosen or not — the same meaning as the summary's."""
    counted = (
        select(Observation.indicator_id, Observation.year, func.count().label("regions"))
        .where(Observation.region.in_(filters.regions), *year_scope(Observation.year, filters))
        .group_by(Observation.year, Observation.indicator_id)
        .subquery("counts")
    )
    city = Observation.__table__.alias("city")
    return indicator_scope(
        select(Indicator.code, counted.c.year, counted.c.regions, city.c.indicator_id.is_not(None))
        .select_from(counted)
        .join(Indicator, Indicator.id == counted.c.indicator_id)
        .outerjoin(
            city,
            and_(
                city.c.indicator_id == counted.c.indicator_id,
                city.c.year == counted.c.year,
                city.c.region == CITY_WIDE,
            ),
        ),
        filters,
        None,
    )


def region_coverage(session: Session, *, filters: Filters, regions: Sequence[str]) -> pd.DataFrame:
    """How many indicators each region has figures for, per year: ``region, year, indicators``.

    Asked for a named list of regions (the page shows a readable number of them), so the
    region index is read for those regions only; the catalog scope is applied to the
    indicator ids first, so no observation row is joined.
    """
    if not regions:
        return pd.DataFrame(columns=["region", "year", "indicators"])
    in_scope = indicator_scope(select(Indicator.id), filters, None).scalar_subquery()
    stmt = (
        select(Observation.region, Observation.year, func.count().label("indicators"))
        .where(
            Observation.region.in_(list(regions)),
            Observation.indicator_id.in_(in_scope),
            *year_scope(Observation.year, filters),
        )
        .group_by(Observation.region, Observation.year)
    )
    frame = read_frame(session, stmt, ["region", "year", "indicators"])
    return frame.sort_values(["region", "year"], ignore_index=True)

"""Read queries for the dashboard: ``f(session, *, filters) -> DataFrame``, aggregated in SQL.

The one rule every figure here follows — **which number stands for "the city" or for a
choice of regions** (DESIGN.md: rates are never summed):

* No region filter, or 全市 among the chosen regions → the city-wide figure: the 全市 row
  when the store has one for that indicator and year; otherwise the districts' figures
  combined by the indicator's ``aggregation`` — ``sum`` for counts, ``mean`` for rates.
* Only districts chosen → those districts combined the same way (sum or mean).
* By-region views show each region on its own and never combine them.

A combined figure carries the weakest qualifier of its parts (``about`` before
``more_than``): the sum of "1,200余" and "300" is still "more than 1,500".

Speed, on a store of 1,000,000 observations: the 全市 rows come from the index led by
region (migration 0003) in a few milliseconds; districts are aggregated only for the
indicators whose 全市 rows leave a gap, so the common case never touches district rows.
Nothing here loads raw observations into pandas except the per-indicator detail.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVarTuple

import pandas as pd
from sqlalchemy import (
    ColumnElement,
    Executable,
    Select,
    SQLColumnExpression,
    case,
    func,
    select,
)
from sqlalchemy.orm import Session

from db.models import CITY_WIDE, AuditEvent, Batch, Category, Indicator, Observation, Target

Ts = TypeVarTuple("Ts")  # a statement's column types, kept through the scoping helpers


def read_frame(session: Session, stmt: Executable, columns: Sequence[str]) -> pd.DataFrame:
    """Run ``stmt`` into a DataFrame with ``columns``.

    Built from plain tuples: handed SQLAlchemy ``Row`` objects, pandas probes each row for
    named-tuple attributes, ~7× slower (3.4 ms against 0.5 ms for 1,250 rows) — the bulk
    of a cold page's time after the SQL itself.
    """
    rows = [tuple(row) for row in session.execute(stmt)]
    return pd.DataFrame(rows, columns=list(columns))


@dataclass(frozen=True)
class Filters:
    """The sidebar's choice, shared by every page. Empty tuples mean "all"."""

    year_from: int | None = None
    year_to: int | None = None
    categories: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()

    @property
    def city_wide(self) -> bool:
        """Whether the headline figure is the city-wide one (see the module docstring)."""
        return not self.regions or CITY_WIDE in self.regions

    @property
    def districts(self) -> tuple[str, ...]:
        return tuple(r for r in self.regions if r != CITY_WIDE)


SERIES_COLUMNS = ["code", "year", "value", "qualifier", "source"]


# ---- cheap facts read on every run -------------------------------------------------


def data_version(session: Session) -> str:
    """Changes whenever a batch lands or is rolled back, or the catalog is edited (the
    cache key of every read, so no page ever clears the caches itself).

    Batches are never deleted, so the newest id, the number rolled back and the latest
    rollback time together change on every load and every rollback, in any process. Every
    catalog edit (an alias, a phrasing, years, a new indicator) is written to the audit
    trail in its own transaction (``pages/catalog.py``), so the newest such event changes
    with it — one more scalar in the same statement, where hashing the catalog's rows
    would triple the cost of this query, which every run of every page pays.
    """
    row = session.execute(_data_version_statement()).one()
    return "|".join(str(v) for v in row)


@functools.cache
def _data_version_statement() -> Select[int, int, object, int, int]:
    """Built once per process: every run of every page asks, and building the statement
    (not running it) was about 1 % of a warm run."""
    catalog_edits = select(func.max(AuditEvent.id)).where(AuditEvent.action == "catalog_edited")
    return select(
        func.max(Batch.id),
        func.count(case((Batch.status == "rolled_back", 1))),
        func.max(Batch.rolled_back_at),
        select(func.count(Indicator.id)).scalar_subquery(),
        catalog_edits.scalar_subquery(),
    )


def sample_in_use(session: Session) -> bool:
    """Whether an active batch holds the sample data (the pages then say so)."""
    stmt = select(Batch.id).where(Batch.source_kind == "sample", Batch.status == "active")
    return session.execute(stmt.limit(1)).first() is not None


def year_bounds(session: Session) -> tuple[int, int] | None:
    """First and last year with any figure (two index look-ups), or ``None`` when empty."""
    low = session.scalar(select(func.min(Observation.year)))
    high = session.scalar(select(func.max(Observation.year)))
    return None if low is None or high is None else (int(low), int(high))


def list_regions(session: Session) -> list[str]:
    """Every region with a figure, 全市 first: a loose scan of the region index.

    ``SELECT DISTINCT region`` would read all observations; this recursive query jumps
    from one region to the next (one index seek per region).
    """
    obs = Observation.__table__
    walk = select(func.min(obs.c.region).label("region")).cte("walk", recursive=True)
    following = select(func.min(obs.c.region)).where(obs.c.region > walk.c.region)
    walk = walk.union_all(select(following.scalar_subquery()).where(walk.c.region.is_not(None)))
    names: list[str] = list(
        session.scalars(select(walk.c.region).where(walk.c.region.is_not(None))).all()
    )
    return sorted(names, key=lambda r: (r != CITY_WIDE, r))


def list_categories(session: Session) -> pd.DataFrame:
    stmt = select(
        Category.code, Category.name_zh, Category.name_en, Category.display_order
    ).order_by(Category.display_order, Category.code)
    return read_frame(session, stmt, ["code", "name_zh", "name_en", "order"])


def list_indicators(session: Session, *, filters: Filters = Filters()) -> pd.DataFrame:
    """Active catalog indicators in the chosen categories, in catalog order.

    ``first_year``/``last_year``: the years the indicator applies to (NaN: open-ended).
    """
    stmt = (
        select(
            Indicator.code,
            Category.code.label("category"),
            Indicator.name_zh,
            Indicator.name_en,
            Indicator.unit,
            Indicator.aggregation,
            Indicator.direction,
            Indicator.description,
            Indicator.first_year,
            Indicator.last_year,
        )
        .join(Category, Category.id == Indicator.category_id)
        .where(Indicator.active.is_(True))
        .order_by(Category.display_order, Indicator.display_order)
    )
    if filters.categories:
        stmt = stmt.where(Category.code.in_(filters.categories))
    columns = ["code", "category", "name_zh", "name_en", "unit", "aggregation"]
    frame = read_frame(
        session, stmt, [*columns, "direction", "description", "first_year", "last_year"]
    )
    return frame.astype({"first_year": "float64", "last_year": "float64"})


# ---- the headline series -------------------------------------------------------------


def indicator_scope(
    stmt: Select[*Ts], filters: Filters, codes: Sequence[str] | None
) -> Select[*Ts]:
    stmt = stmt.join(Category, Category.id == Indicator.category_id).where(
        Indicator.active.is_(True)
    )
    if filters.categories:
        stmt = stmt.where(Category.code.in_(filters.categories))
    if codes is not None:
        stmt = stmt.where(Indicator.code.in_(list(codes)))
    return stmt


def year_scope(column: SQLColumnExpression[int], filters: Filters) -> list[ColumnElement[bool]]:
    conds = []
    if filters.year_from is not None:
        conds.append(column >= filters.year_from)
    if filters.year_to is not None:
        conds.append(column <= filters.year_to)
    return conds


def _combined(
    regions_clause: ColumnElement[bool], filters: Filters, codes: Sequence[str] | None
) -> Select:
    """Per indicator and year: the chosen observations combined by sum or mean, in SQL."""
    table = Observation
    value = case(
        (Indicator.aggregation == "mean", func.avg(table.value)),
        else_=func.sum(table.value),
    )
    stmt = select(
        Indicator.code,
        table.year,
        value.label("value"),
        func.min(table.qualifier).label("qualifier"),
        func.count().label("n"),
    ).join(Indicator, Indicator.id == table.indicator_id)
    stmt = indicator_scope(stmt, filters, codes)
    return stmt.where(regions_clause, *year_scope(table.year, filters)).group_by(
        Indicator.code, table.year, Indicator.aggregation
    )


def city_series(
    session: Session, *, filters: Filters, codes: Sequence[str] | None = None
) -> pd.DataFrame:
    """The headline figure per indicator and year (see the module docstring).

    Columns: ``code, year, value, qualifier, source`` where ``source`` is ``city`` (the
    全市 row), ``districts`` (combined district rows) or ``regions`` (the chosen regions).
    """
    if not filters.city_wide:
        stmt = _combined(Observation.region.in_(filters.districts), filters, codes)
        frame = read_frame(session, stmt, ["code", "year", "value", "qualifier", "n"])
        frame["source"] = "regions"
        return _tidy(frame[SERIES_COLUMNS])

    city_stmt = indicator_scope(
        select(Indicator.code, Observation.year, Observation.value, Observation.qualifier).join(
            Indicator, Indicator.id == Observation.indicator_id
        ),
        filters,
        codes,
    ).where(Observation.region == CITY_WIDE, *year_scope(Observation.year, filters))
    city = read_frame(session, city_stmt, SERIES_COLUMNS[:4])
    city["source"] = "city"

    gaps = _codes_with_city_gaps(session, city, filters, codes)
    if not gaps:
        return _tidy(city)
    districts_clause = Observation.region != CITY_WIDE
    if filters.districts:
        districts_clause = Observation.region.in_(filters.districts)
    combined = read_frame(
        session,
        _combined(districts_clause, filters, gaps),
        ["code", "year", "value", "qualifier", "n"],
    )
    combined["source"] = "districts"
    have = set(zip(city["code"].tolist(), city["year"].tolist(), strict=True))
    pairs = zip(combined["code"].tolist(), combined["year"].tolist(), strict=True)
    keep = [(c, y) not in have for c, y in pairs]
    return _tidy(pd.concat([city, combined.loc[keep, SERIES_COLUMNS]], ignore_index=True))


def _codes_with_city_gaps(
    session: Session, city: pd.DataFrame, filters: Filters, codes: Sequence[str] | None
) -> list[str]:
    """Indicators with a year (inside their first..last year) that has no 全市 row.

    Two index look-ups per indicator (its first and last year) instead of a scan: an
    indicator whose 全市 rows fill that span needs no district aggregation at all.
    """
    obs = Observation.__table__
    first = (
        select(func.min(obs.c.year))
        .where(obs.c.indicator_id == Indicator.id, *year_scope(obs.c.year, filters))
        .scalar_subquery()
    )
    last = (
        select(func.max(obs.c.year))
        .where(obs.c.indicator_id == Indicator.id, *year_scope(obs.c.year, filters))
        .scalar_subquery()
    )
    spans = session.execute(indicator_scope(select(Indicator.code, first, last), filters, codes))
    counts = city.groupby("code")["year"].nunique().to_dict() if len(city) else {}
    return [
        code
        for code, low, high in spans
        if low is not None and counts.get(code, 0) < int(high) - int(low) + 1
    ]


def _tidy(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.astype({"year": "int64", "value": "float64"}) if len(frame) else frame
    frame["qualifier"] = frame["qualifier"].astype("object").where(frame["qualifier"].notna(), None)
    return frame.sort_values(["code", "year"], ignore_index=True)


def target_series(
    session: Session, *, filters: Filters, codes: Sequence[str] | None = None
) -> pd.DataFrame:
    """Targets (目标值) per indicator and year under the same city-wide rule.

    The target table is small (a few figures per indicator), so one conditional
    aggregate does both the 全市 row and the districts' combination.
    """
    districts = Target.region != CITY_WIDE
    if filters.districts:
        districts = Target.region.in_(filters.districts)
    district_value = case(
        (Indicator.aggregation == "mean", func.avg(case((districts, Target.value)))),
        else_=func.sum(case((districts, Target.value))),
    )
    city_value = func.max(case((Target.region == CITY_WIDE, Target.value)))
    value = func.coalesce(city_value, district_value) if filters.city_wide else district_value
    stmt = indicator_scope(
        select(Indicator.code, Target.year, value.label("target")).join(
            Indicator, Indicator.id == Target.indicator_id
        ),
        filters,
        codes,
    )
    stmt = stmt.where(*year_scope(Target.year, filters)).group_by(
        Indicator.code, Target.year, Indicator.aggregation
    )
    frame = read_frame(session, stmt, ["code", "year", "target"])
    return frame.dropna(subset=["target"]).sort_values(["code", "year"], ignore_index=True)


# ---- by region ----------------------------------------------------------------------


# ---- one indicator ---------------------------------------------------------


def indicator_figures(session: Session, *, code: str, filters: Filters) -> pd.DataFrame:
    """Every figure of one indicator with its target and the batch that last set it.

    Columns: ``year, region, value, qualifier, note, batch_id, batch_source, loaded_at,
    target``. The chosen regions, else every region (全市 included).
    """
    target = (
        select(Target.value)
        .where(
            Target.indicator_id == Observation.indicator_id,
            Target.year == Observation.year,
            Target.region == Observation.region,
        )
        .scalar_subquery()
    )
    stmt = (
        select(
            Observation.year,
            Observation.region,
            Observation.value,
            Observation.qualifier,
            Observation.note,
            Observation.batch_id,
            Batch.source_name,
            Batch.loaded_at,
            target.label("target"),
        )
        .join(Indicator, Indicator.id == Observation.indicator_id)
        .outerjoin(Batch, Batch.id == Observation.batch_id)
        .where(Indicator.code == code, *year_scope(Observation.year, filters))
        .order_by(Observation.year.desc(), Observation.region)
    )
    if filters.regions:
        stmt = stmt.where(Observation.region.in_(filters.regions))
    columns = ["year", "region", "value", "qualifier", "note", "batch_id"]
    frame = read_frame(session, stmt, [*columns, "batch_source", "loaded_at", "target"])
    frame["qualifier"] = frame["qualifier"].astype("object").where(frame["qualifier"].notna(), None)
    return frame

"""What each dashboard page shows, in one call per page: db.queries composed, plus the
small derivations leaders read — change on the previous year and target completion.

The SQL aggregates live in :mod:`db.queries`; this module only works on their small
results (one row per indicator and year), so nothing here grows with the store. The
briefing exporter can call the same functions to get the same figures as the pages.

Rules worth knowing:

* **Change on the previous year** compares a year with the year before it, and only
  when both have a figure. For rates (unit ``%``) the change is in percentage points,
  for everything else in per cent. ``favourable`` reads the change through the
  indicator's direction (fewer accidents is good).
* **完成率 (target completion)** is value ÷ target for "higher is better" indicators and
  target ÷ value for "lower is better" ones; a target counts as met at ≥ 100 %.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from db import queries
from db.coverage_view import (  # re-exported: every page's data is found here
    MAX_COVERAGE_REGIONS as MAX_COVERAGE_REGIONS,
)
from db.coverage_view import CoverageData as CoverageData
from db.coverage_view import coverage_view as coverage_view
from db.models import CITY_WIDE
from db.queries import Filters
from db.regions import region_values
from db.report_year import applies, default_year, year_counts

HEADLINE_CODES: tuple[str, ...] = (
    "business.approvals",
    "safety.hazards_fixed",
    "safety.road_excellence_rate",
    "epidemic.vehicles_checked",
    "construction.inspections",
    "construction.quality_accidents",
    "service.express_volume",
    "brand.trusted_repair_shops",
)
"""The overview's KPI cards: the four the bureau watches most, then one or more per
category. A chosen category without one here gets its first indicator with figures."""

MAX_REGIONS = 10
"""By-region charts show at most this many regions (the largest in the latest year)."""


def by_code_and_year(frame: pd.DataFrame, column: str) -> dict[tuple[str, int], float]:
    """``{(code, year): value}`` of one column, for look-ups in small frames.

    Columns go through ``tolist()`` first: iterating an Arrow-backed string column yields
    one boxed scalar per element, several times slower than a list.
    """
    keys = zip(frame["code"].tolist(), frame["year"].tolist(), strict=True)
    return dict(zip(keys, frame[column].tolist(), strict=True))


def with_change(
    series: pd.DataFrame, indicators: pd.DataFrame, *, history: pd.DataFrame | None = None
) -> pd.DataFrame:
    """``series`` (code, year, value, …) plus ``prev, change, change_kind, favourable``.

    ``change_kind`` is ``pct`` (per cent) or ``pp`` (percentage points, for rates). The
    previous year's figure is looked up in ``history`` (default: ``series`` itself), so
    a few rows can be compared against a whole series. Dictionary look-ups rather than
    merges: these frames hold one row per indicator and year, and a merge costs more
    than the arithmetic.
    """
    history = series if history is None else history
    known = by_code_and_year(history, "value")
    unit = dict(zip(indicators["code"].tolist(), indicators["unit"].tolist(), strict=True))
    down = set(indicators.loc[indicators["direction"] == "down", "code"])
    codes, years = series["code"].tolist(), series["year"].tolist()
    value = series["value"].to_numpy(dtype="float64")
    prev = np.array([known.get((c, y - 1), np.nan) for c, y in zip(codes, years, strict=True)])
    is_rate = np.array([unit.get(c) == "%" for c in codes], dtype=bool)
    sign = np.array([-1.0 if c in down else 1.0 for c in codes])
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = (value - prev) / np.abs(prev) * 100
    pct = np.where(prev == 0, np.where(value == 0, 0.0, np.nan), pct)
    return series.assign(
        prev=prev,
        change=np.where(is_rate, value - prev, pct),
        change_kind=np.where(is_rate, "pp", "pct"),
        favourable=np.where(np.isnan(prev), np.nan, np.sign(value - prev) * sign),
    )


def with_completion(frame: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (code, value, target) plus ``completion`` (%) and ``met``."""
    down = set(indicators.loc[indicators["direction"] == "down", "code"])
    value = frame["value"].to_numpy(dtype="float64")
    target = pd.to_numeric(frame["target"], errors="coerce").to_numpy(dtype="float64")
    is_down = np.array([c in down for c in frame["code"]], dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        up = np.where(target > 0, value / target * 100, np.nan)
        lower = np.where(value > 0, target / value * 100, 100.0)
    completion = np.where(np.isnan(target), np.nan, np.where(is_down, lower, up))
    met = pd.Series(completion >= 100, index=frame.index, dtype=object)
    return frame.assign(completion=completion, met=met.where(~np.isnan(completion), None))


# ---- 总览 Overview ---------------------------------------------------------------------


@dataclass
class OverviewData:
    year: int | None
    """The reporting year (报告年度): the one asked for, else the default of
    :mod:`db.report_year`; ``None``: nothing to show."""
    indicators: pd.DataFrame
    kpis: pd.DataFrame
    """One row per card: indicator columns, ``year`` (its latest ≤ the overview year),
    value, qualifier, prev, change, change_kind, favourable, target, completion, met,
    ``spark`` (list of values over the range), ``stale`` (its latest figure is older than
    the reporting year), ``applicable`` (the catalog's years include the reporting year)."""
    tiles: pd.DataFrame
    """One row per category: indicators, reported, improved, worsened, targets, met,
    ``best`` (code of the most favourable mover) and its change."""
    completion: pd.DataFrame
    """Indicators with a target in the overview year: value, target, completion, met."""
    categories: pd.DataFrame = field(default_factory=pd.DataFrame)


def overview(session: Session, *, filters: Filters, year: int | None = None) -> OverviewData:
    """The overview for reporting year ``year`` (default: :func:`db.report_year.default_year`).

    Each card shows its indicator's latest figure up to that year; one from an earlier
    year is marked ``stale`` and its change is not this year's news.
    """
    indicators = queries.list_indicators(session, filters=filters)
    categories = queries.list_categories(session)
    if filters.categories:
        categories = categories[categories["code"].isin(filters.categories)]
    series = queries.city_series(session, filters=filters)
    empty = pd.DataFrame()
    if series.empty:
        return OverviewData(None, indicators, empty, empty, empty, categories)
    counts = year_counts(indicators, series)
    if year is None or year not in set(counts["year"].tolist()):
        year = default_year(counts)
    assert year is not None
    series = series[series["year"] <= year]
    # Each indicator's latest figure up to the reporting year is all the cards, tiles and
    # targets show; the rest of the series only feeds sparklines.
    latest = series.sort_values("year").drop_duplicates("code", keep="last")
    latest = with_change(latest, indicators, history=series)
    targets = queries.target_series(session, filters=filters)
    target = by_code_and_year(targets, "target")
    keys = zip(latest["code"].tolist(), latest["year"].tolist(), strict=True)
    latest["target"] = [target.get(key, np.nan) for key in keys]
    latest = with_completion(latest, indicators)
    meta = indicators.set_index("code")
    for column in ("category", "name_zh", "name_en", "unit"):
        latest[column] = latest["code"].map(meta[column])
    latest["stale"] = latest["year"] < year
    this_year = latest[latest["year"] == year]
    kpis = _kpi_rows(indicators, latest, series)
    kpis["applicable"] = applies(kpis, year).tolist()
    tiles = _tiles(categories, indicators[applies(indicators, year)], this_year, latest)
    completion = this_year[this_year["target"].notna()]
    return OverviewData(year, indicators, kpis, tiles, completion, categories)


def _kpi_rows(indicators: pd.DataFrame, latest: pd.DataFrame, series: pd.DataFrame) -> pd.DataFrame:
    with_data = set(latest["code"])
    codes = [c for c in HEADLINE_CODES if c in set(indicators["code"])]
    for _, group in indicators.groupby("category", sort=False):
        if not any(c in codes for c in group["code"]):
            first = next((c for c in group["code"] if c in with_data), None)
            if first is not None:
                codes.append(first)
    order = {code: i for i, code in enumerate(codes)}
    spark = series.groupby("code")["value"].agg(list)
    figures = latest.drop(columns=["category", "name_zh", "name_en", "unit"])
    cards = indicators[indicators["code"].isin(codes)].merge(figures, on="code", how="left")
    cards["spark"] = [spark.get(code, []) for code in cards["code"]]
    return cards.sort_values("code", key=lambda c: c.map(order), ignore_index=True)


def _tiles(
    categories: pd.DataFrame,
    indicators: pd.DataFrame,
    this_year: pd.DataFrame,
    latest: pd.DataFrame,
) -> pd.DataFrame:
    """Per category: counts over the year's figures (≤ one row per indicator, so plain
    Python — a pandas merge per count cost more than the counting)."""
    size = indicators["category"].value_counts().to_dict()
    last = latest.groupby("category")["year"].max().to_dict()
    rows = {
        c["code"]: {
            "category": c["code"],
            "name_zh": c["name_zh"],
            "name_en": c["name_en"],
            "indicators": int(size.get(c["code"], 0)),
            "reported": 0,
            "improved": 0,
            "worsened": 0,
            "targets": 0,
            "met": 0,
            "best": None,
            "best_change": None,
            "best_kind": None,
            "best_name_zh": None,
            "best_name_en": None,
            "latest_year": last.get(c["code"]),
            "_score": 0.0,
        }
        for c in categories.to_dict("records")
    }
    for f in this_year.to_dict("records"):
        tile = rows.get(f["category"])
        if tile is None:
            continue
        favourable = f["favourable"] if f["favourable"] == f["favourable"] else 0  # NaN → 0
        tile["reported"] += 1
        tile["improved"] += favourable > 0
        tile["worsened"] += favourable < 0
        tile["targets"] += f["target"] == f["target"]
        tile["met"] += f["met"] is True
        score = abs(f["change"]) * favourable if f["change"] == f["change"] else 0.0
        if score > tile["_score"]:
            tile.update(
                _score=score,
                best=f["code"],
                best_change=f["change"],
                best_kind=f["change_kind"],
                best_name_zh=f["name_zh"],
                best_name_en=f["name_en"],
            )
    return pd.DataFrame(list(rows.values())).drop(columns=["_score"])


# ---- 分类趋势 By category ---------------------------------------------------------------


@dataclass
class CategoryData:
    indicators: pd.DataFrame
    series: pd.DataFrame
    """``code, year, value, qualifier, region`` — region is 全市/the combined choice in
    the city-wide view, or each region's own name in the by-region view."""
    table: pd.DataFrame
    """One row per indicator (city-wide): latest year, value, qualifier, prev, change."""
    truncated: bool = False
    """The by-region view left regions out (more than :data:`MAX_REGIONS`)."""
    targets: pd.DataFrame = field(default_factory=pd.DataFrame)
    """``code, year, target`` under the city-wide rule (drawn in the city-wide view)."""


def category_view(
    session: Session, *, filters: Filters, category: str, by_region: bool = False
) -> CategoryData:
    scoped = Filters(filters.year_from, filters.year_to, (category,), filters.regions)
    indicators = queries.list_indicators(session, filters=scoped)
    city = queries.city_series(session, filters=scoped)
    latest = city.sort_values("year").drop_duplicates("code", keep="last")
    latest = with_change(latest, indicators, history=city)
    table = indicators.merge(latest, on="code", how="inner")
    truncated = False
    if by_region:
        codes = list(indicators["code"])
        series = region_values(session, filters=scoped, codes=codes, max_regions=MAX_REGIONS)
        if not filters.regions:
            all_regions = len([r for r in queries.list_regions(session) if r != "全市"])
            truncated = all_regions > MAX_REGIONS
    else:
        label = "全市" if scoped.city_wide else "、".join(scoped.districts)
        series = city.assign(region=label)[["code", "year", "value", "qualifier", "region"]]
    targets = queries.target_series(session, filters=scoped)
    return CategoryData(indicators, series, table, truncated, targets)


# ---- 指标详情 Indicator -----------------------------------------------------------------


@dataclass
class IndicatorData:
    indicator: dict | None
    """The catalog row (code, category, names, unit, aggregation, direction, description)."""
    series: pd.DataFrame
    """City-wide per year: value, qualifier, source, prev, change, favourable, target,
    completion, met."""
    regions: pd.DataFrame
    """Each region's own figures (at most :data:`MAX_REGIONS`)."""
    figures: pd.DataFrame
    """Every figure shown, with note and the batch that set it."""


def indicator_view(session: Session, *, filters: Filters, code: str) -> IndicatorData:
    catalog = queries.list_indicators(session)
    row = catalog[catalog["code"] == code]
    empty = pd.DataFrame()
    if row.empty:
        return IndicatorData(None, empty, empty, empty)
    scoped = Filters(filters.year_from, filters.year_to, (), filters.regions)
    series = with_change(queries.city_series(session, filters=scoped, codes=[code]), row)
    targets = queries.target_series(session, filters=scoped, codes=[code])
    series = with_completion(series.merge(targets, on=["code", "year"], how="left"), row)
    regions = region_values(session, filters=scoped, codes=[code], max_regions=MAX_REGIONS)
    # The table lists the figures the charts show: 全市 and the same (at most 10) districts.
    shown = filters.regions or (CITY_WIDE, *sorted(set(regions["region"])))
    figures = queries.indicator_figures(session, code=code, filters=replace(scoped, regions=shown))
    figures = with_completion(figures.assign(code=code), row).drop(columns=["code"])
    return IndicatorData(row.iloc[0].to_dict(), series, regions, figures)

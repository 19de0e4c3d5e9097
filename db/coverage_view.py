"""数据质量 (coverage): which indicators and regions have figures for which years, with
years outside an indicator's catalog range marked not applicable rather than missing.

Re-exported by :mod:`db.dashboard`, where the pages find every page's data.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from db import coverage, queries
from db.models import CITY_WIDE
from db.queries import Filters
from db.report_year import applies

MAX_COVERAGE_REGIONS = 30


@dataclass
class CoverageData:
    """What 数据质量 shows. 全市 is the city total, not a region: counts of regions are
    counts of districts on every page (the indicator page's 地区数 and the by-region views
    likewise leave 全市 out); a figure only for 全市 still means the year is covered."""

    indicators: pd.DataFrame
    years: list[int]
    matrix: pd.DataFrame
    """Index: indicator code (catalog order), columns: years; how many districts have a
    figure (0 when only the 全市 figure exists), NaN where no figure at all."""
    region_matrix: pd.DataFrame
    """Index: region (at most :data:`MAX_COVERAGE_REGIONS`), columns: years; how many
    indicators have a figure there, NaN where none."""
    gaps: pd.DataFrame
    """``code, missing`` (applicable years without any figure), indicators with a gap only."""
    region_count: int = 0
    """Districts with any figure (全市 not counted)."""
    not_applicable: pd.DataFrame = field(default_factory=pd.DataFrame)
    """Same shape as ``matrix``: True where the catalog says the indicator does not apply
    that year (疫情防控 outside 2020–2022) — never counted as missing."""

    @property
    def reported(self) -> int:
        """Indicators with at least one figure in range."""
        return int(self.matrix.notna().any(axis=1).sum())

    @property
    def _applicable(self) -> np.ndarray:
        if self.not_applicable.empty:
            return np.ones(self.matrix.shape, dtype=bool)
        return ~self.not_applicable.to_numpy(dtype=bool)

    @property
    def filled(self) -> float:
        """Share (%) of applicable indicator-years that have a figure."""
        applicable = self._applicable
        if not applicable.any():
            return 0.0
        present = self.matrix.notna().to_numpy() & applicable
        return float(present.sum() / applicable.sum() * 100)

    @property
    def missing(self) -> int:
        """Applicable indicator-years without any figure."""
        return int((self.matrix.isna().to_numpy() & self._applicable).sum())


def coverage_view(session: Session, *, filters: Filters) -> CoverageData:
    indicators = queries.list_indicators(session, filters=filters)
    cells = coverage.coverage(session, filters=filters)
    bounds = queries.year_bounds(session)
    years: list[int] = []
    if bounds is not None and not cells.empty:
        low = max(bounds[0], filters.year_from or bounds[0])
        high = min(bounds[1], filters.year_to or bounds[1])
        years = list(range(low, high + 1))
    # With a region filter the count is of the chosen regions; 全市 is never a district.
    chosen_city = not filters.regions or CITY_WIDE in filters.regions
    districts = cells["regions"] - (cells["city"] if chosen_city else 0)
    matrix = (
        cells.assign(districts=districts)
        .pivot(index="code", columns="year", values="districts")
        .reindex(index=indicators["code"], columns=years)
        .astype(float)
    )
    not_applicable = pd.DataFrame(
        {year: ~applies(indicators, year).to_numpy() for year in years},
        index=indicators["code"],
        columns=years,
        dtype=bool,
    )
    names = list(filters.regions) or queries.list_regions(session)
    by_region = coverage.region_coverage(
        session, filters=filters, regions=names[:MAX_COVERAGE_REGIONS]
    )
    region_matrix = (
        by_region.pivot(index="region", columns="year", values="indicators")
        .reindex(index=names[:MAX_COVERAGE_REGIONS], columns=years)
        .astype(float)
    )
    missing = matrix.isna() & ~not_applicable
    gaps = pd.DataFrame(
        {
            "code": matrix.index,
            "missing": [[y for y in years if flags[y]] for _, flags in missing.iterrows()],
        }
    )
    gaps = gaps[gaps["missing"].map(len) > 0].reset_index(drop=True)
    district_count = len([n for n in names if n != CITY_WIDE])
    return CoverageData(
        indicators, years, matrix, region_matrix, gaps, district_count, not_applicable
    )

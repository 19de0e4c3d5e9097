"""Which year the overview reports on (报告年度), and how complete each year is.

The reporting year is chosen, not implied by the newest figure in the store: a batch that
adds six 2026 figures must not flip the overview to "2026" with most cards from 2025.

**Default rule.** The default 报告年度 is the latest year in which *most* indicators have
a figure, where "most" means at least half (:data:`MOST`) of the active indicators that
*apply* that year (an indicator's catalog ``first_year``/``last_year``; 疫情防控 applies
2020–2022 only, so its absence in 2025 does not count against 2025). When no year reaches
half, the latest year with any figure is the default. A figure counts when the city-wide
headline figure exists (the 全市 row, else the districts combined — the same rule as every
page, :func:`db.queries.city_series`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from db import queries
from db.queries import Filters

MOST = 0.5
"""Share of the year's applicable indicators that must have a figure for the year to be
the default reporting year."""


def applies(indicators: pd.DataFrame, year: int) -> pd.Series:
    """Whether each indicator applies in ``year`` (catalog ``first_year``..``last_year``)."""
    first = indicators["first_year"].fillna(-np.inf)
    last = indicators["last_year"].fillna(np.inf)
    return (first <= year) & (last >= year)


def year_counts(indicators: pd.DataFrame, series: pd.DataFrame) -> pd.DataFrame:
    """Per year with any figure: ``year, applicable, reported`` (reported ⊆ applicable)."""
    years = sorted({int(y) for y in series["year"].tolist()})
    by_year = series.groupby("year")["code"].agg(set).to_dict() if len(series) else {}
    rows = []
    for year in years:
        codes = set(indicators.loc[applies(indicators, year), "code"])
        rows.append((year, len(codes), len(codes & by_year.get(year, set()))))
    return pd.DataFrame(rows, columns=["year", "applicable", "reported"])


def default_year(counts: pd.DataFrame) -> int | None:
    """The latest year with at least :data:`MOST` of its applicable indicators reported."""
    if counts.empty:
        return None
    full = counts[(counts["applicable"] > 0) & (counts["reported"] >= MOST * counts["applicable"])]
    chosen = full if len(full) else counts
    return int(chosen["year"].max())


@dataclass(frozen=True)
class ReportYears:
    counts: pd.DataFrame
    """``year, applicable, reported``, oldest first."""
    default: int | None

    @property
    def years(self) -> list[int]:
        return [int(y) for y in self.counts["year"]]

    @cached_property
    def _by_year(self) -> dict[int, tuple[int, int]]:
        """One pass over ``counts``: the year box labels every option on every run."""
        counts = self.counts
        rows = zip(counts["year"], counts["reported"], counts["applicable"], strict=True)
        return {int(y): (int(r), int(a)) for y, r, a in rows}

    def count(self, year: int) -> tuple[int, int]:
        """``(reported, applicable)`` for ``year``."""
        return self._by_year.get(year, (0, 0))

    def incomplete(self, year: int) -> bool:
        reported, applicable = self.count(year)
        return reported < applicable

    def later_partial(self, year: int) -> list[int]:
        """Years after ``year`` that already have some figures (not yet the default)."""
        return [y for y in self.years if y > year]


def report_years(session: Session, *, filters: Filters) -> ReportYears:
    """The years the overview may report on, their completeness and the default."""
    indicators = queries.list_indicators(session, filters=filters)
    series = queries.city_series(session, filters=filters)
    counts = year_counts(indicators, series)
    return ReportYears(counts, default_year(counts))

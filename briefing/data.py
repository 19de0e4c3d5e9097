"""Everything a briefing pack shows, read once through the dashboard's own queries.

The figures come from ``db.dashboard`` / ``db.queries`` — the same functions the pages
call — so a slide can never disagree with the overview a leader saw in the browser: the
same city-wide rule (全市 row, else districts combined by sum or mean), the same change on
last year (percentage points for rates), the same target completion. Provenance — which
batches set the figures shown, for each slide's source line — comes from ``db.provenance``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy.orm import Session

from db import dashboard, queries
from db.provenance import batch_provenance
from db.queries import Filters


@dataclass(frozen=True)
class BriefingData:
    years: tuple[int, int]
    indicators: pd.DataFrame  # queries.list_indicators: code, category, name_zh, unit, direction…
    categories: pd.DataFrame  # queries.list_categories: code, name_zh, name_en, order
    series: pd.DataFrame  # city-wide per code and year: value, qualifier, prev, change,
    #                       change_kind, favourable, target, completion, met
    overview: dashboard.OverviewData
    provenance: pd.DataFrame  # code, year, batch_id, source_name, source_kind

    @property
    def filters(self) -> Filters:
        return Filters(year_from=self.years[0], year_to=self.years[1])

    def spec(self, code: str) -> dict:
        row = self.indicators[self.indicators["code"] == code]
        if row.empty:
            raise KeyError(code)
        return row.iloc[0].to_dict()

    def category_name(self, code: str) -> str:
        row = self.categories[self.categories["code"] == code]
        return str(row["name_zh"].iloc[0]) if len(row) else code

    def indicator_series(self, code: str) -> pd.DataFrame:
        frame = self.series[self.series["code"] == code]
        return frame.sort_values("year", ignore_index=True)

    def source_line(self, codes: list[str], years: list[int] | None = None) -> str:
        """``数据来源：示例数据 (sample data, synthetic)；批次 #1（示例数据，非真实统计）``."""
        rows = self.provenance[self.provenance["code"].isin(codes)]
        if years is not None:
            rows = rows[rows["year"].isin(years)]
        rows = rows.dropna(subset=["batch_id"])
        if rows.empty:
            return "数据来源：交通运输质量指标库"
        names = "；".join(dict.fromkeys(rows["source_name"].astype(str)))
        ids = "、".join(f"#{int(b)}" for b in sorted(set(rows["batch_id"])))
        sample = "（示例数据，非真实统计）" if rows["source_kind"].eq("sample").any() else ""
        return f"数据来源：{names}；批次 {ids}{sample}"


def read_briefing_data(session: Session, years: tuple[int, int]) -> BriefingData:
    """Figures, targets, the overview's headline set and provenance for ``years``."""
    filters = Filters(year_from=years[0], year_to=years[1])
    indicators = queries.list_indicators(session)
    series = queries.city_series(session, filters=filters)
    changed = dashboard.with_change(series, indicators)
    targets = queries.target_series(session, filters=filters)
    changed = dashboard.with_completion(
        changed.merge(targets, on=["code", "year"], how="left"), indicators
    )
    return BriefingData(
        years=years,
        indicators=indicators,
        categories=queries.list_categories(session),
        series=changed,
        overview=dashboard.overview(session, filters=filters),
        provenance=batch_provenance(session, years),
    )

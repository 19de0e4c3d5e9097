"""Everything a briefing pack shows, read from the store in one go.

A pack of a dozen charts needs the same few hundred figures over and over; reading them
once (three small queries) keeps pack building fast and the numbers consistent across
slides. The briefing speaks for the whole city: a figure's city-wide (全市) row is used
when there is one, otherwise the district figures are combined the way the indicator says
(``sum`` for counts, ``mean`` for rates — rates are never summed).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.catalog import Catalog, IndicatorSpec, load_catalog
from db.models import CITY_WIDE, Batch, Indicator, Observation, Target

SERIES_COLUMNS = ["indicator_code", "year", "value", "qualifier", "batch_id"]
TARGET_COLUMNS = ["indicator_code", "year", "target"]


@dataclass(frozen=True)
class BriefingData:
    catalog: Catalog
    years: tuple[int, int]
    series: pd.DataFrame  # SERIES_COLUMNS, city-wide, one row per (indicator, year)
    targets: pd.DataFrame  # TARGET_COLUMNS, city-wide
    batches: pd.DataFrame  # batch_id, source_name, source_kind

    def indicator_series(self, code: str) -> pd.DataFrame:
        frame = self.series[self.series["indicator_code"] == code]
        return frame.sort_values("year").reset_index(drop=True)

    def target_for(self, code: str, year: int) -> float | None:
        hit = self.targets[
            (self.targets["indicator_code"] == code) & (self.targets["year"] == year)
        ]
        return None if hit.empty else float(hit["target"].iloc[0])

    def spec(self, code: str) -> IndicatorSpec:
        return self.catalog.indicators[code]

    def batch_label(self, batch_ids: list[int]) -> str:
        """``示例数据 (sample data, synthetic)（批次 #1）`` — where the figures came from."""
        known = self.batches[self.batches["batch_id"].isin(batch_ids)]
        if known.empty:
            return "数据来源：指标库"
        names = "；".join(dict.fromkeys(known["source_name"]))
        ids = "、".join(f"#{int(b)}" for b in sorted(known["batch_id"]))
        sample = "（示例数据，非真实统计）" if (known["source_kind"] == "sample").any() else ""
        return f"数据来源：{names}；批次 {ids}{sample}"


def _city_wide(frame: pd.DataFrame, catalog: Catalog) -> pd.DataFrame:
    """One figure per (indicator, year): the 全市 row, else the districts combined."""
    if frame.empty:
        return pd.DataFrame(columns=SERIES_COLUMNS)
    city = frame[frame["region"] == CITY_WIDE]
    rest = frame[frame["region"] != CITY_WIDE]
    have = set(zip(city["indicator_code"], city["year"], strict=True))
    rest = rest[
        [(c, y) not in have for c, y in zip(rest["indicator_code"], rest["year"], strict=True)]
    ]
    combined = []
    for (code, year), group in rest.groupby(["indicator_code", "year"], sort=False):
        how = catalog.indicators[code].aggregation if code in catalog.indicators else "sum"
        value = group["value"].mean() if how == "mean" else group["value"].sum()
        combined.append(
            {
                "indicator_code": code,
                "year": year,
                "value": float(value),
                "qualifier": None,
                "batch_id": group["batch_id"].max(),
            }
        )
    out = pd.concat([city[SERIES_COLUMNS], pd.DataFrame(combined, columns=SERIES_COLUMNS)])
    return out.sort_values(["indicator_code", "year"]).reset_index(drop=True)


def read_briefing_data(session: Session, years: tuple[int, int]) -> BriefingData:
    """Figures, targets and their batches for ``years`` (inclusive), plus the catalog.

    The year before the range is read as well, so the first year's change on last year and
    the latest year's takeaway can be computed; charts show only the range itself.
    """
    first, last = years
    catalog = load_catalog(session)
    obs = session.execute(
        select(
            Indicator.code,
            Observation.year,
            Observation.region,
            Observation.value,
            Observation.qualifier,
            Observation.batch_id,
        )
        .join(Indicator, Indicator.id == Observation.indicator_id)
        .where(Observation.year.between(first - 1, last), Indicator.active.is_(True))
    ).all()
    frame = pd.DataFrame(
        obs, columns=["indicator_code", "year", "region", "value", "qualifier", "batch_id"]
    )
    tgt = session.execute(
        select(Indicator.code, Target.year, Target.value)
        .join(Indicator, Indicator.id == Target.indicator_id)
        .where(Target.year.between(first - 1, last), Target.region == CITY_WIDE)
    ).all()
    batches = session.execute(select(Batch.id, Batch.source_name, Batch.source_kind)).all()
    return BriefingData(
        catalog=catalog,
        years=years,
        series=_city_wide(frame, catalog),
        targets=pd.DataFrame(tgt, columns=TARGET_COLUMNS),
        batches=pd.DataFrame(batches, columns=["batch_id", "source_name", "source_kind"]),
    )

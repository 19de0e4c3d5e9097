"""The clearly labelled sample data set (示例数据): synthetic, plausible, deterministic.

Every catalog indicator gets figures for 2016–2025, city-wide (全市) and for three
districts, so the dashboard has something to show on a fresh install. Epidemic work only
exists for 2020–2022. Districts add up to the city figure for counts; rates are the
district average. A fixed seed makes every install (and every test) see the same numbers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from etl.pipeline import BatchResult, LoadOptions, load_frame, sha256_of

SAMPLE_SOURCE = "示例数据 (sample data, synthetic)"
SAMPLE_NOTE = "示例数据，非真实统计"
YEARS = range(2016, 2026)
DISTRICTS = ("城东区", "城西区", "新城区")
DISTRICT_SHARES = (0.42, 0.35, 0.23)
EPIDEMIC_YEARS = {2020: 1.0, 2021: 0.45, 2022: 0.3}
SEED = 20201231

# code → (2016 city-wide level, yearly growth); rates and zero-counts are special-cased below.
BASELINES: dict[str, tuple[float, float]] = {
    "construction.inspections": (420, 0.05),
    "construction.rectifications": (260, -0.03),
    "construction.penalties": (48, -0.02),
    "construction.blacklisted_units": (6, -0.08),
    "construction.quality_accidents": (3, -0.15),
    "business.power_list_items": (1180, 0.01),
    "business.approvals": (31000, 0.06),
    "business.non_approval_services": (52000, 0.05),
    "business.drivers_trained": (6800, 0.03),
    "business.charter_plates": (2300, 0.04),
    "business.relief_enterprises": (120, 0.10),
    "business.penalty_waived_vehicles": (210, 0.06),
    "service.card_cities": (120, 0.12),
    "service.bus_routes": (18, 0.04),
    "service.shuttle_routes": (6, 0.05),
    "service.express_volume": (1.1e8, 0.14),
    "service.agri_parcels": (2.6e6, 0.12),
    "service.agri_output_value": (3.2e8, 0.09),
    "service.driving_graduates": (21000, 0.02),
    "epidemic.checkpoints": (36, 0.0),
    "epidemic.vehicles_checked": (320000, 0.0),
    "epidemic.people_checked": (780000, 0.0),
    "epidemic.people_transferred": (21000, 0.0),
    "epidemic.volunteer_teams": (12, 0.0),
    "epidemic.medical_rides": (9800, 0.0),
    "epidemic.return_work_trips": (1450, 0.0),
    "safety.hazards_fixed": (1650, 0.04),
    "safety.drills": (42, 0.05),
    "safety.key_vehicle_checks": (26000, 0.08),
    "safety.major_accidents": (0, 0.0),
    "safety.pavement_repaired": (38000, 0.03),
    "safety.shoulders_repaired": (150000, 0.02),
    "safety.cracks_sealed": (52000, 0.04),
    "safety.markers_replaced": (4200, 0.03),
    "safety.grass_cut": (820000, 0.01),
    "safety.trees_whitewashed": (95000, 0.02),
    "safety.trees_planted": (6400, 0.03),
    "safety.road_excellence_rate": (82.5, 0.0),
    "safety.rail_hazards_fixed": (140, 0.02),
    "brand.pioneer_drivers": (30, 0.02),
    "brand.pioneer_station_staff": (12, 0.02),
    "brand.pioneer_supervisors": (8, 0.02),
    "brand.pioneer_crews": (10, 0.02),
    "brand.pioneer_taxis": (25, 0.03),
    "brand.model_couriers": (300, 0.08),
    "brand.trusted_repair_shops": (15, 0.05),
    "brand.trusted_driving_schools": (8, 0.04),
    "brand.trusted_transit_firms": (5, 0.04),
}
HEADLINE_TARGETS = {
    "business.approvals": 1.04,
    "safety.hazards_fixed": 1.02,
    "safety.road_excellence_rate": 1.0,
    "service.express_volume": 0.97,
    "safety.drills": 1.0,
}
MORE_THAN = {
    "business.approvals",
    "business.non_approval_services",
    "epidemic.vehicles_checked",
}


def _rounding(code: str, value: float) -> float:
    if code == "safety.road_excellence_rate":
        return round(value, 1)
    if value >= 1e6:
        return float(round(value, -3))
    return float(round(value))


def sample_frame() -> pd.DataFrame:
    """The sample figures in the pipeline's frame layout (deterministic)."""
    rng = np.random.default_rng(SEED)
    records: list[dict] = []
    for code, (level, growth) in BASELINES.items():
        for year in YEARS:
            if code.startswith("epidemic."):
                if year not in EPIDEMIC_YEARS:
                    continue
                base = level * EPIDEMIC_YEARS[year]
            elif code == "safety.road_excellence_rate":
                base = min(97.0, level + 1.2 * (year - 2016))
            else:
                base = level * (1 + growth) ** (year - 2016)
                if code.startswith("business.") and year == 2020:
                    base *= 0.88  # the epidemic year dips
            noise = rng.normal(1.0, 0.04)
            rate = code == "safety.road_excellence_rate"
            # A rate moves by tenths of a point a year, not by a share of itself.
            city = base + rng.normal(0.0, 0.4) if rate else max(base * noise, 0.0)
            shares = np.asarray(DISTRICT_SHARES) * rng.normal(1.0, 0.05, size=3)
            shares = shares / shares.sum()
            district_values = (
                [min(99.0, city + d) for d in rng.normal(0.0, 1.5, size=3)]
                if rate
                else [city * s for s in shares]
            )
            district_values = [_rounding(code, v) for v in district_values]
            city_value = round(sum(district_values) / 3, 1) if rate else float(sum(district_values))
            qualifier = "more_than" if code in MORE_THAN and year in (2019, 2020) else None
            note = SAMPLE_NOTE
            if code.startswith("epidemic.") and year == 2020:
                note = SAMPLE_NOTE + "；新冠疫情防控期间"
            target = np.nan
            if code in HEADLINE_TARGETS:
                target = _rounding(code, base * HEADLINE_TARGETS[code])
            records.append(
                {
                    "indicator_code": code,
                    "year": year,
                    "region": "全市",
                    "value": city_value,
                    "qualifier": qualifier,
                    "note": note,
                    "target": target,
                }
            )
            for district, value in zip(DISTRICTS, district_values, strict=True):
                records.append(
                    {
                        "indicator_code": code,
                        "year": year,
                        "region": district,
                        "value": value,
                        "qualifier": None,
                        "note": SAMPLE_NOTE,
                        "target": np.nan,
                    }
                )
    frame = pd.DataFrame.from_records(records)
    frame.insert(0, "row", np.arange(2, len(frame) + 2, dtype="int64"))
    frame["year"] = frame["year"].astype("Int64")
    frame["category"] = None
    frame["value_column"] = "value"
    frame["indicator_raw"] = frame["indicator_code"]
    return frame


def sample_fingerprint(frame: pd.DataFrame) -> str:
    return sha256_of(frame.to_csv(index=False).encode("utf-8"))


def load_sample(session: Session, *, user: str = "sample") -> BatchResult:
    """Load the sample set as one batch labelled 示例数据; a second call is a no-op."""
    frame = sample_frame()
    return load_frame(
        session,
        frame,
        source_name=SAMPLE_SOURCE,
        sha256=sample_fingerprint(frame),
        options=LoadOptions(user=user, source_kind="sample"),
    )

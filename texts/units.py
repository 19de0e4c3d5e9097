"""English words for units, which the store keeps in Chinese (merged by the migration script)."""

from __future__ import annotations

UNITS_EN: dict[str, str] = {
    "次": "times",
    "处": "sites",
    "件": "items",
    "家": "firms",
    "起": "cases",
    "项": "items",
    "名": "people",
    "张": "plates",
    "辆": "vehicles",
    "条": "routes",
    "元": "CNY",
    "个": "units",
    "辆次": "vehicle checks",
    "人次": "person-times",
    "人": "people",
    "支": "teams",
    "车次": "trips",
    "平方米": "m²",
    "米": "m",
    "块": "pieces",
    "株": "trees",
    "棵": "trees",
    "%": "%",
}
"""English for the catalog's canonical units."""

UNIT_EN_BY_INDICATOR: dict[str, str] = {
    "service.card_cities": "cities",
    "epidemic.checkpoints": "checkpoints",
    "brand.pioneer_crews": "crews",
    "construction.quality_accidents": "accidents",
    "safety.major_accidents": "accidents",
    "construction.penalties": "penalties",
    "construction.rectifications": "problems",
    "safety.drills": "drills",
    "epidemic.vehicles_checked": "vehicles",
    "safety.key_vehicle_checks": "checks",
    "epidemic.people_checked": "people",
    "epidemic.medical_rides": "rides",
}
"""Where a measure word needs the indicator to be translated well (个 → cities)."""

"""Names that come from the database (catalog names, units, regions) as a reader says them.

Catalog names are stored in both languages (``name_zh``/``name_en``); units and region
names are stored in Chinese, so their English words live in :mod:`texts.units`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from texts.lookup import localized
from texts.units import UNIT_EN_BY_INDICATOR, UNITS_EN


def name(row: Mapping[str, Any] | Any, lang: str = "zh") -> str:
    """A catalog row's name (``name_zh``/``name_en``) in ``lang``; Chinese if no English."""
    get = row.get if isinstance(row, Mapping) else lambda k, d=None: getattr(row, k, d)
    if lang == "en" and get("name_en"):
        return str(get("name_en"))
    return str(get("name_zh") or get("code") or "")


def unit_label(unit: str, lang: str = "zh", *, code: str | None = None) -> str:
    """The unit as a reader of ``lang`` says it (units are stored in Chinese)."""
    if lang != "en":
        return unit
    if code and code in UNIT_EN_BY_INDICATOR:
        return UNIT_EN_BY_INDICATOR[code]
    return UNITS_EN.get(unit, unit)


def region_label(region: str, lang: str = "zh") -> str:
    """全市 reads "City-wide" in English; district names are kept as written."""
    return localized("city", lang) if region == "全市" else region

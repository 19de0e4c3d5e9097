"""Filled-in example batch files analysts copy: the catalog's exact names and units.

Every row carries a plausible example figure (the sample data set's latest city-wide value),
so the file loads as it is and shows the accepted forms; the note column says to replace
them. Indicators an analyst added to the catalog have no example and are left empty.
"""

from __future__ import annotations

import pandas as pd

from db.catalog import Catalog
from db.models import CITY_WIDE

EXAMPLE_NOTE = "示例值，请替换为实际数据"
WIDE_YEARS = (2024, 2025)
NO_FIGURE = "—"


def _examples() -> pd.DataFrame:
    from etl.sample import sample_frame

    frame = sample_frame()
    return frame[frame["region"] == CITY_WIDE][["indicator_code", "year", "value"]]


def _number(value: float, unit: str) -> str:
    if unit == "%":
        return f"{value:g}%"
    return f"{int(value):,}" if float(value).is_integer() else f"{value:g}"


def template_frame(catalog: Catalog, layout: str = "long") -> pd.DataFrame:
    """One row per catalog indicator, long (indicator, year, value…) or wide (one column a year)."""
    if layout not in ("long", "wide"):
        raise ValueError(f"unknown layout {layout!r}")
    specs = sorted(
        catalog.indicators.values(),
        key=lambda s: (catalog.categories[s.category].order, s.order),
    )
    examples = _examples()
    by_code = {
        code: group.set_index("year")["value"] for code, group in examples.groupby("indicator_code")
    }
    rows: list[dict[str, object]] = []
    for spec in specs:
        series = by_code.get(spec.code, pd.Series(dtype=float))
        category = catalog.categories[spec.category].name_zh
        if layout == "wide":
            row: dict[str, object] = {
                "类别": category,
                "指标": spec.name_zh,
                "单位": spec.unit,
                "地区": CITY_WIDE,
            }
            for year in WIDE_YEARS:
                value = series.get(year)
                row[f"{year}年"] = NO_FIGURE if value is None else _number(value, spec.unit)
            row["备注"] = EXAMPLE_NOTE
            rows.append(row)
            continue
        year = int(series.index.max()) if len(series) else WIDE_YEARS[-1]
        value = series.get(year)
        rows.append(
            {
                "类别": category,
                "指标": spec.name_zh,
                "年份": year,
                "地区": CITY_WIDE,
                "数值": "" if value is None else _number(value, spec.unit),
                "单位": spec.unit,
                "目标值": "",
                "备注": EXAMPLE_NOTE,
            }
        )
    return pd.DataFrame(rows)

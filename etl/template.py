"""Filled-in example batch files analysts can copy: the catalog's exact names and units."""

from __future__ import annotations

import pandas as pd

from db.catalog import Catalog

EXAMPLE_YEARS = (2024, 2025)


def template_frame(catalog: Catalog, layout: str = "long") -> pd.DataFrame:
    """One example row per catalog indicator (long) or one row per indicator (wide).

    Values are left empty except in the first rows, which show the accepted forms.
    """
    specs = sorted(
        catalog.indicators.values(),
        key=lambda s: (catalog.categories[s.category].order, s.order),
    )
    examples = {0: "12,345", 1: "3.2万", 2: "约300"}
    if layout == "wide":
        rows = []
        for i, spec in enumerate(specs):
            rows.append(
                {
                    "类别": catalog.categories[spec.category].name_zh,
                    "指标": spec.name_zh,
                    "单位": spec.unit,
                    "地区": "全市",
                    f"{EXAMPLE_YEARS[0]}年": examples.get(i, ""),
                    f"{EXAMPLE_YEARS[1]}年": "",
                }
            )
        return pd.DataFrame(rows)
    if layout != "long":
        raise ValueError(f"unknown layout {layout!r}")
    rows = []
    for i, spec in enumerate(specs):
        rows.append(
            {
                "类别": catalog.categories[spec.category].name_zh,
                "指标": spec.name_zh,
                "年份": EXAMPLE_YEARS[1],
                "地区": "全市",
                "数值": examples.get(i, ""),
                "单位": spec.unit,
                "目标值": "",
                "备注": "",
            }
        )
    return pd.DataFrame(rows)

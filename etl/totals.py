"""Total rows (合计, 总计, 小计, 全市合计…) are never figures.

A 合计 row loaded as a region called 合计 is counted again by every sum over regions, so
the city's figure doubles without anyone noticing; as an indicator it is only an
"unknown indicator" error the user can do nothing about. Such rows are skipped, each with
a warning naming its row, before normalisation reads any cell.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata

import numpy as np

from db.catalog import Catalog
from etl.issues import Issue, warning
from etl.read import RawTable
from etl.text import RUNS, clean_name, clean_text, stripped

# A total row: 合计, 总计, 小计, 全市合计, 合计（全市）, Total… Only when the whole cell says so:
# an indicator whose name merely contains 计 is not a total.
_TOTAL = re.compile(
    r"^(?:[\u3400-\u9fff]{0,6}?(?:合计|总计|小计|共计)|(?:合计|总计|小计|共计)"
    r"(?:[(（【\[].{0,10}[)）】\]])?|(?:grand\s*|sub-?)?total|sum)$",
    re.IGNORECASE,
)


def is_total(text: str | None) -> bool:
    """Whether a region or indicator cell marks a total row (``合计``, ``全市合计``…)."""
    if text is None:
        return False
    key = RUNS.sub("", unicodedata.normalize("NFKC", clean_text(str(text))))
    return bool(key) and _TOTAL.match(key) is not None


Factorised = dict[str, tuple[np.ndarray, np.ndarray]]


def without_totals(
    raw: RawTable, catalog: Catalog, roles: dict[str, str]
) -> tuple[RawTable, list[Issue], Factorised]:
    """Drop 合计/总计/小计 rows, with a warning each: stored as a region, a total is
    counted again by every sum over regions (the city's figure would double).

    A name the catalog knows is an indicator, never a total. The region and indicator
    columns' factorised text (:func:`etl.text.stripped`, of the rows kept) is returned for
    normalisation to reuse: factorising a million-row column twice costs a second.
    """
    drop = np.zeros(len(raw.frame), dtype=bool)
    where: dict[int, tuple[str, str]] = {}  # frame position → (column, text)
    factorised: Factorised = {}
    for role in ("region", "indicator"):
        col = roles.get(role)
        if col is None:
            continue
        codes, uniques = factorised[role] = stripped(raw.frame[col], clean_name)
        total = np.array([is_total(u) and catalog.lookup(u) is None for u in uniques], bool)
        hit = (codes >= 0) & (total[codes] if len(total) else False) & ~drop
        where.update((int(i), (col, str(uniques[codes[i]]))) for i in np.flatnonzero(hit))
        drop |= hit
    if not drop.any():
        return raw, [], factorised
    warnings = [
        warning(
            "total_row_skipped",
            f"第 {int(raw.rows[i])} 行是合计行（{col}「{text}」），未作为数据载入："
            "合计应由各地区、各指标的数值汇总得出，载入会被重复计算。",
            row=int(raw.rows[i]),
            column=col,
            value=text,
        )
        for i, (col, text) in sorted(where.items())
    ]
    factorised = {role: (codes[~drop], uniques) for role, (codes, uniques) in factorised.items()}
    kept = dataclasses.replace(
        raw, frame=raw.frame[~drop].reset_index(drop=True), rows=raw.rows[~drop]
    )
    return kept, warnings, factorised

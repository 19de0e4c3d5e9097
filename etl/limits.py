"""What the store can hold: the largest figure an indicator's unit allows, and text lengths.

A figure is a float64 in the store. ``1e308`` of a count would load, and sums over regions
would then show ``inf亿处`` on every page; ``1e308`` in a ``万件`` column overflows to
``inf`` while being scaled. So every figure must be finite and, by unit kind:

* percentages (``%``) lie in 0–100 (checked in :mod:`etl.validate`);
* every other unit — counts (件, 次, 名…) and amounts (元, 米, 平方米) — lies in
  0–``MAX_FIGURE``. 10^15 keeps every whole number exact in a float64 (exact up to
  2^53 ≈ 9×10^15) and is a thousand times any city's yearly figure, money included
  (10^15 元 is 1000万亿元);
* a count that is not a whole number (``12.5`` 次) is a warning, not an error: rounded
  ``万`` figures (``1.23456万``) and averages are published that way.

Text the store keeps in bounded columns (a region is ``VARCHAR(100)``) is checked against
the model's own length, so PostgreSQL never sees a value it would refuse with a
``StringDataRightTruncation`` traceback (SQLite would silently store it).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from db.catalog import IndicatorSpec
from db.models import Observation
from etl.issues import Issue, error, warning

MAX_FIGURE = 1e15
# Units whose figures may be fractional; any other non-% unit counts things.
MEASURE_UNITS = frozenset({"%", "元", "米", "千米", "平方米", "公里", "吨", "小时", "天"})
# Frame column → the store column its text goes to (and whose length bounds it).
STORED_TEXT = {"region": Observation.__table__.c.region, "note": Observation.__table__.c.note}
_NAMES = {"region": "地区", "note": "备注"}


def beyond_limit(figures: np.ndarray) -> np.ndarray:
    """Figures no unit can hold: infinite, or past ``MAX_FIGURE`` either way (NaN is blank)."""
    with np.errstate(invalid="ignore"):
        return ~np.isnan(figures) & ~(np.abs(figures) <= MAX_FIGURE)


def fractional(figures: np.ndarray) -> np.ndarray:
    """Finite figures with a fractional part (beyond float noise)."""
    with np.errstate(invalid="ignore"):
        finite = np.isfinite(figures)
        whole = np.zeros_like(figures)
        whole[finite] = np.round(figures[finite])
        return finite & (np.abs(figures - whole) > 1e-6)


def shown(figure: float) -> str:
    """A figure for a message: never ``inf``, which means nothing to the user."""
    if np.isinf(figure):
        return "（溢出 overflow）"
    return f" {figure:.6g} "


def too_long(frame: pd.DataFrame, roles: dict[str, str]) -> tuple[np.ndarray, list[Issue]]:
    """Rows whose region (or other stored text) is longer than its store column."""
    bad = np.zeros(len(frame), dtype=bool)
    issues: list[Issue] = []
    for col, stored in STORED_TEXT.items():
        limit = getattr(stored.type, "length", None)
        if limit is None:
            continue
        texts = pd.unique(frame[col].dropna())
        long = [t for t in texts if len(str(t)) > limit]
        if not long:
            continue
        hit = frame[col].isin(long).to_numpy(dtype=bool)
        bad |= hit
        for i in np.flatnonzero(hit):
            text = str(frame[col].iloc[i])
            issues.append(
                error(
                    "text_too_long",
                    f"{_NAMES[col]}「{text[:20]}…」有 {len(text)} 个字，"
                    f"超过了最多 {limit} 个字的限制，请缩短。",
                    row=int(frame["row"].iloc[i]),
                    column=roles.get(col, _NAMES[col]),
                    value=text,
                )
            )
    return bad, issues


def check_figures(
    add: Callable[..., None],
    figures: np.ndarray,
    see: np.ndarray,
    percent: np.ndarray,
    name: Callable[[pd.Series], str],
    column: Callable[[pd.Series], str | None],
    what: str,
    cell: str,
) -> None:
    """The range rules of one figure column (value or target), by unit kind.

    ``add(mask, code, message, column, cell)`` is :func:`etl.validate.validate`'s reporter;
    ``see`` says which cells are judged (known indicator, not already reported).
    """
    huge = see & ~percent & beyond_limit(figures)
    add(
        huge,
        "value_out_of_range",
        lambda r: (
            f"「{name(r)}」的{what}{shown(r[cell])}超出了可存储的范围"
            f"（绝对值应小于 {MAX_FIGURE:.0e}），请检查是否多写了数位或单位（如 万、亿）。"
        ),
        column,
        cell,
    )
    add(
        see & ~percent & ~huge & (figures < 0),
        "negative_value",
        lambda r: f"「{name(r)}」的{what}不能为负数（{r[cell]:g}），请检查是否多写了负号。",
        column,
        cell,
    )
    add(
        see & percent & ((figures < 0) | (figures > 100)),
        "percent_out_of_range",
        lambda r: (
            f"「{name(r)}」是百分比，{what}应在 0–100 之间（现为{shown(r[cell])}），"
            "如 95.6 或 95.6%。"
        ),
        column,
        cell,
    )


def fractional_counts(
    frame: pd.DataFrame,
    counted: np.ndarray,
    specs: Mapping[str, IndicatorSpec],
    roles: dict[str, str],
    indicator_codes: np.ndarray,
) -> list[Issue]:
    """One warning per indicator whose counts are not whole numbers (loaded as written).

    Per indicator, not per row: a file of averages would otherwise bury the other
    warnings under a million identical ones. ``indicator_codes`` is the frame's indicator
    column factorised (integers group faster than a million strings).
    """
    issues = []
    for col, what in (("value", "数值"), ("target", "目标值")):
        figures = frame[col].to_numpy(dtype="float64")
        odd = np.flatnonzero(counted & fractional(figures))
        if not len(odd):
            continue
        which, _found = pd.factorize(indicator_codes[odd])
        order = np.argsort(which, kind="stable")
        for hits in np.split(odd[order], np.cumsum(np.bincount(which))[:-1]):
            first = frame.iloc[hits[0]]
            code = first["indicator_code"]
            rows = "、".join(str(r) for r in frame["row"].to_numpy()[hits[:5]])
            more = f" 等 {len(hits)} 处" if len(hits) > 5 else ""
            spec = specs[code]
            issues.append(
                warning(
                    "fractional_count",
                    f"「{spec.name_zh}」以「{spec.unit}」计数，第 {rows} 行{more}的{what}不是整数"
                    f"（如 {figures[hits[0]]:.6g}）；已按原值载入，请核对。",
                    row=int(first["row"]),
                    column=first["value_column"] if col == "value" else roles.get("target"),
                    value=f"{figures[hits[0]]:.6g}",
                )
            )
    return issues

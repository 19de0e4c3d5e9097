"""One-line takeaways computed from the data ("同比增长 12.3%", "完成目标 102.3%").

A briefing slide says in words what its chart shows, so a leader need not read the axis.
The wording is direction-aware: for an indicator where lower is better (accidents), a fall
is good news, and a rate (unit %) changes by percentage points, not by per cent.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from charts import numbers

Tone = Literal["good", "bad", "neutral"]


@dataclass(frozen=True)
class Takeaway:
    text: str
    tone: Tone = "neutral"


def _is_number(value: float | None) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def format_number(value: float) -> str:
    """A number as the dashboard writes it (:func:`charts.numbers.format_number`, Chinese)."""
    return numbers.format_number(value, "zh")


def format_value(value: float, unit: str, qualifier: str | None = None) -> str:
    """A figure as a slide states it — the dashboard's one format: ``≥3.20万辆次``, ``95.6%``."""
    return numbers.format_value(value, unit, "zh", qualifier=qualifier)


def _tone(change: float, direction: str) -> Tone:
    if change == 0:
        return "neutral"
    better = change > 0 if direction != "down" else change < 0
    return "good" if better else "bad"


def yoy_takeaway(current: float, previous: float | None, *, direction: str, unit: str) -> Takeaway:
    """Change on last year: ``同比增长 12.3%``, or for rates ``同比提高 1.2 个百分点``."""
    if not _is_number(previous):
        return Takeaway("上年无数据，无法同比")
    assert previous is not None
    change = current - previous
    tone = _tone(change, direction)
    if unit == "%":
        if abs(change) < 0.05:
            return Takeaway("与上年持平", "neutral")
        verb = "提高" if change > 0 else "下降"
        return Takeaway(f"同比{verb} {abs(change):.1f} 个百分点", tone)
    if previous == 0:
        if current == 0:
            return Takeaway("与上年持平（均为 0）", "neutral")
        return Takeaway(f"上年为 0，本年 {format_value(current, unit)}", tone)
    pct = change / abs(previous) * 100
    if abs(pct) < 0.05:
        return Takeaway("与上年持平", "neutral")
    verb = "增长" if pct > 0 else "下降"
    return Takeaway(f"同比{verb} {abs(pct):.1f}%", tone)


def target_takeaway(value: float, target: float | None, *, direction: str) -> Takeaway | None:
    """Against the year's target: ``完成目标 102.3%`` (up), ``控制在目标以内`` (down)."""
    if not _is_number(target):
        return None
    assert target is not None
    if direction == "down":
        if value <= target:
            return Takeaway(f"控制在目标（{format_number(target)}）以内", "good")
        return Takeaway(f"超出控制目标 {format_number(value - target)}", "bad")
    if target == 0:
        return None
    rate = value / target * 100
    return Takeaway(f"完成目标 {rate:.1f}%", "good" if rate >= 100 else "bad")


def series_takeaway(
    years: Sequence[int],
    values: Sequence[float],
    *,
    direction: str,
    unit: str,
    target: float | None = None,
    qualifier: str | None = None,
) -> Takeaway:
    """The slide line for one indicator's series: latest figure, change on last year, target.

    ``years``/``values`` need not be sorted; missing values (NaN) are ignored.
    """
    points = sorted((int(y), float(v)) for y, v in zip(years, values, strict=True) if _is_number(v))
    if not points:
        return Takeaway("所选年份暂无数据")
    year, latest = points[-1]
    previous = dict(points).get(year - 1)
    yoy = yoy_takeaway(latest, previous, direction=direction, unit=unit)
    parts = [f"{year}年 {format_value(latest, unit, qualifier)}", yoy.text]
    tone = yoy.tone
    hit = target_takeaway(latest, target, direction=direction)
    if hit is not None:
        parts.append(hit.text)
        tone = hit.tone
    return Takeaway("，".join(parts), tone)

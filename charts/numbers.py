"""How numbers read: 万/亿 in Chinese, thousands separators in English, ≥/≈ qualifiers.

Pure functions (no Streamlit), shared by pages, charts and the briefing exporter, so a
figure reads the same on a card, in a hover label and on a slide.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from texts import QUALIFIER_SYMBOLS, unit_label


def qualifier_symbol(qualifier: str | None) -> str:
    return QUALIFIER_SYMBOLS.get(qualifier or "", "")


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


SCALE_FROM = 1e4
"""Chinese numbers from 10,000 up read in 万 (and from 10^8 in 亿) — on cards, axes,
hover labels, tables and slides alike (:func:`format_number` and :func:`axis_scale`)."""

SCALED_DIGITS = 2
"""A number shown in 万/亿/million/billion always has exactly two decimals (``5.10万``
beside ``5.03万``, never ``5.1万``): one precision rule everywhere."""


def _unscaled(value: float) -> str:
    """Below the scaling threshold: whole numbers with separators, else one decimal."""
    if value == int(value) or abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.1f}"


def _scaled(value: float, divisor: float) -> str:
    return f"{value / divisor:,.{SCALED_DIGITS}f}"


def number_scale(magnitude: float, lang: str = "zh") -> tuple[float, str, str]:
    """``(divisor, Chinese prefix, English word)`` for a number of this size.

    The one rule deciding whether a figure reads in 万/亿 (Chinese) or million/billion
    (English); both :func:`format_number` and :func:`axis_scale` ask it.
    """
    if lang == "zh":
        if magnitude >= 1e8:
            return 1e8, "亿", ""
        if magnitude >= SCALE_FROM:
            return 1e4, "万", ""
        return 1.0, "", ""
    if magnitude >= 1e9:
        return 1e9, "", "billion"
    if magnitude >= 1e6:
        return 1e6, "", "million"
    return 1.0, "", ""


def format_number(value: float | None, lang: str = "zh") -> str:
    """A plain number the way a reader in ``lang`` expects it.

    Chinese: ``1,650`` below 10,000, then ``3.21万`` and ``1.23亿``. English: thousands
    separators (``32,100``), then ``339.68 million`` (one wording, cards included).
    Scaled numbers always carry two decimals, unscaled ones none (or one below 100).
    """
    if _missing(value):
        return "—"
    value = float(value)  # type: ignore[arg-type]
    divisor, prefix, word = number_scale(abs(value), lang)
    if divisor == 1:
        return _unscaled(value)
    return _scaled(value, divisor) + (prefix if lang == "zh" else f" {word}")


def format_value(
    value: float | None,
    unit: str,
    lang: str = "zh",
    *,
    qualifier: str | None = None,
    code: str | None = None,
) -> str:
    """Number, unit and qualifier: ``≥3.20万辆次``, ``93.3%``, ``≥32,000 vehicles``.

    No space between number and unit in Chinese, one in English.
    """
    if _missing(value):
        return "—"
    number = qualifier_symbol(qualifier) + format_number(value, lang)
    if unit == "%":
        return f"{qualifier_symbol(qualifier)}{float(value):.1f}%"  # type: ignore[arg-type]
    return join_unit(number, unit_label(unit, lang, code=code), lang)


def join_unit(number: str, label: str, lang: str) -> str:
    """Number and unit, the one spacing rule: none in Chinese, one space in English."""
    if lang == "zh":
        return f"{number}{label}"
    return f"{number} {label}".rstrip()


def format_in_scale(
    value: float | None,
    scale: AxisScale,
    unit: str,
    lang: str = "zh",
    *,
    qualifier: str | None = None,
) -> str:
    """A figure in a chart's own display unit (``scale``), for its hover and data labels:
    on an axis in 万平方米 a hover reads ``0.50万平方米``, never ``5,000平方米``."""
    if _missing(value):
        return "—"
    value = float(value)  # type: ignore[arg-type]
    mark = qualifier_symbol(qualifier)
    if unit == "%":
        return f"{mark}{value:.1f}%"
    number = _unscaled(value) if scale.divisor == 1 else _scaled(value, scale.divisor)
    return join_unit(mark + number, scale.label, lang)


def format_change(change: float | None, kind: str, lang: str = "zh") -> str:
    """``+5.3%`` for a change in per cent, ``+1.2个百分点`` / ``+1.2 pp`` for rates."""
    if _missing(change):
        return ""
    change = float(change)  # type: ignore[arg-type]
    if abs(change) < 0.05:
        return "持平" if lang == "zh" else "no change"
    if kind == "pp":
        suffix = "个百分点" if lang == "zh" else " pp"
        return f"{change:+.1f}{suffix}"
    if abs(change) >= 1000:
        return f"{change:+,.0f}%"
    return f"{change:+.1f}%"


def format_percent(value: float | None, digits: int = 1) -> str:
    if _missing(value):
        return "—"
    return f"{float(value):.{digits}f}%"  # type: ignore[arg-type]


@dataclass(frozen=True)
class AxisScale:
    """Divide plotted values by ``divisor`` and name the axis ``label``."""

    divisor: float
    label: str


def axis_scale(
    max_abs: float, unit: str, lang: str = "zh", *, code: str | None = None
) -> AxisScale:
    """The display unit of a chart whose values reach ``max_abs``: ``万件``/``亿元`` in
    Chinese, ``million items`` in English, the plain unit otherwise; rates stay ``%``.

    Charts get it through :func:`charts.kit.value_scale`; title, axis, hover and data
    labels of a chart all take their unit from the one result.
    """
    label = unit_label(unit, lang, code=code)
    if unit == "%" or _missing(max_abs):
        return AxisScale(1.0, label or unit)
    divisor, prefix, word = number_scale(max_abs, lang)
    if divisor == 1:
        return AxisScale(1.0, label)
    if lang == "zh":
        return AxisScale(divisor, f"{prefix}{label}")
    return AxisScale(divisor, f"{word} {label}".strip())

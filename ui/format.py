"""How numbers read: 万/亿 in Chinese, thousands separators in English, ≥/≈ qualifiers.

Pure functions (no Streamlit), shared by pages, charts and the briefing exporter, so a
figure reads the same on a card, in a hover label and on a slide.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ui.i18n import unit_label

QUALIFIER_SYMBOLS = {"more_than": "≥", "about": "≈"}


def qualifier_symbol(qualifier: str | None) -> str:
    return QUALIFIER_SYMBOLS.get(qualifier or "", "")


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _trim(text: str) -> str:
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_number(
    value: float | None, lang: str = "zh", *, digits: int = 2, compact: bool = False
) -> str:
    """A plain number the way a reader in ``lang`` expects it.

    Chinese: ``1,650`` below 10,000, then ``3.21万`` and ``1.23亿``. English: thousands
    separators (``32,100``), then ``339.68 million`` — or ``339.7M`` with ``compact``
    (KPI cards). Decimals are kept only when they matter.
    """
    if _missing(value):
        return "—"
    value = float(value)  # type: ignore[arg-type]
    magnitude = abs(value)
    if lang == "zh" and magnitude >= 1e8:
        return _trim(f"{value / 1e8:,.{digits}f}") + "亿"
    if lang == "zh" and magnitude >= 1e4:
        return _trim(f"{value / 1e4:,.{digits}f}") + "万"
    if lang != "zh" and magnitude >= 1e6:
        scaled, word, short = (1e9, " billion", "B") if magnitude >= 1e9 else (1e6, " million", "M")
        if compact:
            return _trim(f"{value / scaled:,.1f}") + short
        return _trim(f"{value / scaled:,.{digits}f}") + word
    if magnitude >= 100 or value == int(value):
        return f"{value:,.0f}"
    return _trim(f"{value:,.{digits}f}")


def format_value(
    value: float | None,
    unit: str,
    lang: str = "zh",
    *,
    qualifier: str | None = None,
    code: str | None = None,
    compact: bool = False,
) -> str:
    """Number, unit and qualifier: ``≥3.2万辆次``, ``93.3%``, ``≥32,000 vehicles``."""
    if _missing(value):
        return "—"
    number = qualifier_symbol(qualifier) + format_number(value, lang, compact=compact)
    if unit == "%":
        return f"{number}%"
    label = unit_label(unit, lang, code=code)
    if lang == "zh":
        return f"{number}{label}"
    return f"{number} {label}".rstrip()


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
    """A readable axis for values up to ``max_abs``: ``万件``/``亿元`` in Chinese,
    ``million items`` in English, the plain unit otherwise; rates stay ``%``."""
    label = unit_label(unit, lang, code=code)
    if unit == "%" or _missing(max_abs):
        return AxisScale(1.0, label or unit)
    if lang == "zh":
        if max_abs >= 1e8:
            return AxisScale(1e8, f"亿{label}")
        if max_abs >= 1e5:
            return AxisScale(1e4, f"万{label}")
        return AxisScale(1.0, label)
    if max_abs >= 1e7:
        return AxisScale(1e6, f"million {label}".strip())
    return AxisScale(1.0, label)

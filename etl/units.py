"""Unit conversion to an indicator's canonical unit, and units written inside headers.

The catalog keeps one plain unit per indicator (件, 元, 平方米, %, …). Files write the same
quantity as ``万件``, ``亿元``, ``万平米`` or put the unit in a header (``数值(万件)``); this
module says by how much to multiply, or that it cannot (a real error: 辆 is not 件).
"""

from __future__ import annotations

import re
import unicodedata

from etl.values import MULTIPLIERS

# Spellings of one unit. Keys and values are compared after NFKC and without spaces.
_SYNONYMS: dict[str, str] = {
    "平米": "平方米",
    "㎡": "平方米",
    "m2": "平方米",
    "m²": "平方米",
    "公里": "千米",
    "km": "千米",
    "m": "米",
    "人": "名",
    "棵": "株",
    "％": "%",
    "个百分点": "%",
}
# A prefix that scales the rest of the unit; 千米 is also 米 ×1000 through this table.
_PREFIXES = sorted(MULTIPLIERS.items(), key=lambda kv: len(kv[0]), reverse=True)

_HEADER_UNIT = re.compile(
    r"^(?P<name>.*?)\s*[(（\[【](?P<unit>[^()（）\[\]【】]*)[)）\]】]\s*$"
)
_UNIT_LABEL = re.compile(r"^(?:单位|unit)\s*[:：]\s*", re.IGNORECASE)


def _clean(unit: str) -> str:
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", unit))
    text = text.strip("()（）[]【】")
    text = _UNIT_LABEL.sub("", text)
    return text


def _canonical_spelling(unit: str) -> str:
    return _SYNONYMS.get(unit.casefold(), _SYNONYMS.get(unit, unit))


def unit_factor(unit: str | None, canonical: str) -> float | None:
    """Factor turning a figure in ``unit`` into ``canonical``; ``None`` when it cannot.

    A missing unit means the figure is already in the indicator's unit (1.0). A bare
    magnitude (``万``) scales the canonical unit. ``%`` converts only to ``%``: a share is
    never a count.
    """
    if unit is None:
        return 1.0
    text = _clean(str(unit))
    if not text:
        return 1.0
    target = _canonical_spelling(_clean(canonical))
    if _canonical_spelling(text) == target:
        return 1.0
    if text in MULTIPLIERS:
        return None if target == "%" else float(MULTIPLIERS[text])
    for prefix, factor in _PREFIXES:
        if text.startswith(prefix):
            rest = _canonical_spelling(text[len(prefix) :])
            if rest == target and target != "%":
                return float(factor)
            inner = unit_factor(rest, target) if rest != text else None
            if inner is not None and target != "%":
                return float(factor) * inner
    # 公里 / 千米 written for a canonical 米.
    spelled = _canonical_spelling(text)
    if spelled != text:
        return unit_factor(spelled, target)
    return None


def split_header_unit(header: str) -> tuple[str, str | None]:
    """``数值(万件)`` → ``("数值", "万件")``; also full-width ``（）`` and ``【】`` brackets.

    A header without a trailing bracket is returned trimmed with no unit. ``(单位：万件)``
    yields ``万件``.
    """
    text = str(header).strip()
    match = _HEADER_UNIT.match(text)
    if match is None:
        return text, None
    unit = _clean(match["unit"])
    return match["name"].strip(), unit or None

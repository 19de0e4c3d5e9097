"""Unit conversion to an indicator's canonical unit, and the headers that carry units.

The catalog keeps one plain unit per indicator (件, 元, 平方米, %, …). Files write the same
quantity as ``万件``, ``亿元``, ``万平米`` or put the unit in a header (``数值(万件)``); this
module says by how much to multiply, or that it cannot (a real error: 辆 is not 件).
"""

from __future__ import annotations

import re
import unicodedata

from db.catalog import name_key
from etl.text import INVISIBLE_RE, clean_text
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

_HEADER_UNIT = re.compile(r"^(?P<name>.*?)\s*[(（\[【](?P<unit>[^()（）\[\]【】]*)[)）\]】]\s*$")
_UNIT_LABEL = re.compile(r"^(?:单位|unit)\s*[:：]\s*", re.IGNORECASE)


def _clean(unit: str) -> str:
    text = re.sub(r"\s+", "", INVISIBLE_RE.sub("", unicodedata.normalize("NFKC", unit)))
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
    text = clean_text(str(header))
    match = _HEADER_UNIT.match(text)
    if match is None:
        return text, None
    unit = _clean(match["unit"])
    return match["name"].strip(), unit or None


# ---------------------------------------------------------------- headers

# Header vocabulary, most specific spelling first within a role (an export carries both
# ``indicator_code`` and ``indicator``; the code is the sure match).
COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "indicator": (
        "indicator_code",
        "指标代码",
        "指标",
        "指标名称",
        "指标项",
        "项目",
        "名称",
        "indicator",
    ),
    "year": ("年份", "年度", "year"),
    "value": ("数值", "值", "指标值", "数据", "value"),
    "unit": ("单位", "计量单位", "unit"),
    "region": ("地区", "区域", "区县", "region", "district"),
    "category": ("category_code", "类别", "分类", "category"),
    "note": ("备注", "说明", "note", "notes", "remark"),
    "target": ("目标值", "目标", "target"),
    "qualifier": ("限定", "qualifier"),
}
_ROLE_BY_KEY = {
    name_key(n): (role, rank) for role, ns in COLUMN_NAMES.items() for rank, n in enumerate(ns)
}
_YEAR_HEADER = re.compile(r"^((?:19|20)\d{2})(?:\.0)?\s*(?:年度|年)?$")
_UNIT_TITLE = re.compile(r"(?:^|\s)(?:单位|计量单位)\s*[:：]\s*(?P<unit>[^\s,，;；。]+)")


def column_role(header: str) -> tuple[str | None, int]:
    """``(role, rank)`` of a header such as ``数值(万件)`` → ``("value", 2)``.

    Lower rank is the surer spelling, so when two columns claim one role (an export has
    ``indicator_code`` and ``indicator``) the reader keeps the surer one.
    """
    name, _unit = split_header_unit(header)
    return _ROLE_BY_KEY.get(name_key(name), (None, 99))


def header_year(header: str) -> int | None:
    """The year a wide-layout column stands for (``2019年``, ``2020年(万件)``), else ``None``."""
    name, _unit = split_header_unit(header)
    match = _YEAR_HEADER.match(name_key(name))
    return int(match[1]) if match else None


def table_unit(preamble: list[str]) -> str | None:
    """A table-wide unit stated above the header (``单位：万元``), if any.

    Statistical tables often state the unit once in a title line; ignoring it would load
    every figure ten thousand times too small.
    """
    for line in preamble:
        match = _UNIT_TITLE.search(INVISIBLE_RE.sub("", unicodedata.normalize("NFKC", line)))
        if match:
            return match["unit"].strip("()（）")
    return None

"""How the catalog says an indicator is written, as regexes, and reading one match.

Each indicator is recognised from what the catalog says about it, nothing else: its
report phrasings (``全年实施行政审批X万余件``, ``X`` for the figure) and its Chinese name and
aliases followed or preceded by a number with a unit. Adding a phrasing or an alias to
the catalog (page or data file) is therefore all it takes to teach the reader.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from db.catalog import Catalog, IndicatorSpec
from etl import lexicon
from etl.units import unit_factor
from etl.values import parse_value

FIGURE_PLACEHOLDER = "X"
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_QUOTES = dict.fromkeys(map(ord, "“”‘’「」『』'"), '"')


def _norm_char(char: str) -> str:
    """Full-width to half-width, one character for one so offsets survive."""
    norm = unicodedata.normalize("NFKC", char)
    return (norm if len(norm) == 1 else char).translate(_QUOTES)


def normalize_for_matching(text: str) -> str:
    return "".join(_norm_char(c) for c in text)


_NUMBER = (
    r"(?:约|大约|超过|逾)?(?:\d+(?:,\d{3})*(?:\.\d+)?|X)"
    r"(?:余|多)?(?:万亿|千万|百万|十万|亿|万|千)?(?:余|多)?"
)
_DECORATION = re.compile(r"^(?:余|多)?(?:万亿|千万|百万|十万|亿|万|千)?(?:余|多)?")
_NAME_GAP = r"[^\d,;。、:X\"()（）\n]{0,6}?"
_UNIT_AFTER = r"(?:以上|左右)?"
_AFTER_UNIT = ("以上", "左右")


@dataclass(frozen=True)
class Pattern:
    code: str
    regex: re.Pattern[str]
    priority: tuple[int, int]  # (kind, specificity): phrasings before names, longer first
    matched_by: str  # phrasing | name
    unit_rule: str  # exact: as matched | prefix: the convertible start | whole: all of it
    unit_alias: str = ""  # the phrasing's own counting word for the indicator's unit


def _phrasing_regex(phrasing: str, spec: IndicatorSpec) -> tuple[re.Pattern[str], str] | None:
    """A phrasing with ``X`` for the figure as a regex; other ``X``s stand for names.

    The figure's ``X`` is the one followed by a magnitude (``万余``) or the indicator's
    unit, else the last. Returns the regex and the phrasing's own counting word when it
    is not one the unit table knows (``线路牌X块`` for an indicator counted in 张): the
    catalog says that is how this indicator is counted, so it converts one to one.
    """
    text = normalize_for_matching(lexicon.to_simplified(phrasing))
    slots = [m.start() for m in re.finditer(FIGURE_PLACEHOLDER, text)]
    if not slots:
        return None  # a phrasing without a figure (``全行业未发生…``) states no number
    slot = slots[-1]
    for pos in reversed(slots):
        after = text[pos + 1 :]
        rest = after[_DECORATION.match(after).end() :]  # type: ignore[union-attr]
        if rest != after or _unit_prefix(rest, spec.unit):
            slot = pos
            break
    after = text[slot + 1 :]
    after = after[_DECORATION.match(after).end() :]  # type: ignore[union-attr]
    unit = _unit_prefix(after, spec.unit)
    alias = ""
    if not unit and after and _CJK.match(after[0]):
        unit = alias = after[0]
    units = sorted({u for u in (unit, spec.unit) if u}, key=len, reverse=True)
    unit_re = "(?:" + "|".join(map(re.escape, units)) + ")" if units else ""
    prefix = _literal(text[:slot])
    suffix = _literal(after[len(unit) :])
    regex = re.compile(rf"{prefix}(?P<num>{_NUMBER})(?P<unit>{unit_re}){_UNIT_AFTER}{suffix}")
    return regex, alias


def _literal(text: str) -> str:
    out = []
    for char in text:
        if char == FIGURE_PLACEHOLDER:
            out.append(r"(?:X|[^\d,;。\n]{1,8}?)")  # an anonymised or real name (X市)
        elif char == '"':
            out.append('"?')
        elif char in ",、":
            out.append("[,、]")
        elif char.isspace():
            out.append(r"\s*")
        else:
            out.append(re.escape(char))
    return "".join(out)


def _unit_prefix(text: str, canonical: str) -> str:
    """The longest start of ``text`` (≤4 characters) that converts to ``canonical``."""
    for size in range(min(4, len(text)), 0, -1):
        if unit_factor(text[:size], canonical) is not None:
            return text[:size]
    return ""


def _name_patterns(spec: IndicatorSpec) -> list[Pattern]:
    """``名称 … 数字单位`` and ``数字单位名称`` for the Chinese name and every alias."""
    names = {
        normalize_for_matching(lexicon.to_simplified(n)) for n in (spec.name_zh, *spec.aliases)
    }
    out = []
    for name in sorted(n for n in names if len(n) >= 2):
        lit = re.escape(name)
        out.append(
            Pattern(
                spec.code,
                re.compile(rf"{lit}{_NAME_GAP}(?P<num>{_NUMBER})(?P<unit>[^\d\s,;。、]{{0,4}})"),
                (1, len(name)),
                "name",
                "prefix",
            )
        )
        out.append(
            Pattern(
                spec.code,
                re.compile(rf"(?P<num>{_NUMBER})(?P<unit>[^\d\s,;。、]{{1,4}}?){_UNIT_AFTER}{lit}"),
                (1, len(name)),
                "name",
                "whole",
            )
        )
    return out


def compile_patterns(catalog: Catalog) -> list[Pattern]:
    """Every way the catalog says an indicator is written, most specific first."""
    patterns: list[Pattern] = []
    for spec in catalog.indicators.values():
        for phrasing in spec.phrasings:
            compiled = _phrasing_regex(phrasing, spec)
            if compiled is not None:
                regex, alias = compiled
                priority = (2, len(phrasing))
                patterns.append(Pattern(spec.code, regex, priority, "phrasing", "exact", alias))
        patterns += _name_patterns(spec)
    patterns.sort(key=lambda p: p.priority, reverse=True)
    return patterns


def read_figure(
    m: re.Match[str], pattern: Pattern, spec: IndicatorSpec
) -> tuple[float | None, str | None, int] | None:
    """``(value in the indicator's unit, qualifier, end of the figure)``; value None for X.

    ``None`` when the match is no figure of this indicator: its unit does not convert
    (``辆`` is not ``件``), or a bare name is followed by a number without a unit.
    """
    written = m["unit"]
    unit = written if pattern.unit_rule == "exact" else _unit_prefix(written, spec.unit)
    if pattern.unit_rule == "whole" and unit != written:
        return None
    if pattern.unit_rule != "exact" and not unit:
        return None
    end = m.start("unit") + len(unit)
    qualifier_word = next((q for q in _AFTER_UNIT if m.string.startswith(q, end)), "")
    end += len(qualifier_word)
    if FIGURE_PLACEHOLDER in m["num"]:
        return None, None, end
    parsed = parse_value(m["num"] + unit + qualifier_word)
    if parsed is None:
        return None
    alias = pattern.unit_alias and parsed.unit == pattern.unit_alias
    factor = 1.0 if alias else unit_factor(parsed.unit, spec.unit)
    if factor is None:
        return None
    return _round(parsed.value * factor), parsed.qualifier, end


def _round(value: float) -> float:
    """Float noise from unit factors off (``1.2 × 10000``), as the store compares values."""
    return float(f"{value:.10g}")

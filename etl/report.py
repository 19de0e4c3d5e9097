"""The report reader: narrative work-report text → repaired text → catalog figures.

The bureau's figures often exist only in its annual work report, and reports copied from
the web arrive damaged (traditional characters, pinyin after characters, mis-decoded list
numbers; see :mod:`etl.mojibake`). :func:`repair_text` undoes that; :func:`extract_figures`
finds every sentence stating a catalog indicator, using only what the catalog says about
it (its report phrasings with ``X`` for the figure, its name and aliases), so an analyst
who adds a phrasing teaches the reader without a code change. Figures still written as
``X`` are listed as missing, never invented. :func:`to_frame` hands the figures to
:func:`etl.pipeline.load_frame`, which judges them exactly like a batch file.

Everything here is pure: text and a :class:`~db.catalog.Catalog` in, values out.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

import pandas as pd

from db.catalog import Catalog, IndicatorSpec
from db.models import CITY_WIDE
from etl import mojibake
from etl.pipeline import FRAME_COLUMNS
from etl.units import unit_factor
from etl.values import parse_value

LOST_CHAR = "□"  # the customary mark for a character that cannot be read (缺字符)
FIGURE_PLACEHOLDER = "X"

_TONE = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüêɑ"
_SYLLABLE = rf"(?:[zcs]h|[bpmfdtnlgkhjqxrzcsyw])?[aeiouv{_TONE}]+(?:ng|n|r)?|[ḿńňǹ]g?"
_PINYIN = rf"(?:{_SYLLABLE})(?:[ \u00a0]+(?:{_SYLLABLE}))*"
# ``(rèn)`` / ``（rèn）``. A bracket holding a Chinese character (``(返)``, ``(六)``) is text.
PINYIN_GROUP = re.compile(rf"[(（]\s*(?P<py>{_PINYIN})\s*[)）]")
# ``?fù)``: an annotation whose ``(`` the damage turned into ``?``; its character is lost.
DAMAGED_GROUP = re.compile(rf"\?(?P<py>{_PINYIN})[)）]")
_HAS_TONE = re.compile(f"[{_TONE}]")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LIST_NUMBER = re.compile(rf"^（([{mojibake.NUMERALS}]+)）")


# ---------------------------------------------------------------- repair


def _annotations(line: str) -> list[re.Match[str]]:
    """Pinyin annotations in ``line``, intact or damaged, left to right."""
    found = [m for m in PINYIN_GROUP.finditer(line) if _is_annotation(line, m)]
    found += list(DAMAGED_GROUP.finditer(line))
    found.sort(key=lambda m: m.start())
    kept: list[re.Match[str]] = []
    for m in found:
        if not kept or m.start() >= kept[-1].end():
            kept.append(m)
    return kept


def _is_annotation(line: str, match: re.Match[str]) -> bool:
    """Tone marks make it pinyin; a toneless syllable counts only right after a character."""
    if _HAS_TONE.search(match["py"]):
        return True
    return match.start() > 0 and bool(_CJK.match(line[match.start() - 1]))


def _strip_annotations(line: str) -> str:
    return "".join(_pieces(line, _annotations(line)))


def _pieces(line: str, groups: list[re.Match[str]]) -> list[str]:
    """``line`` cut around its annotations: runs of text, with a lost character marked."""
    out, pos = [], 0
    for m in groups:
        out.append(line[pos : m.start()])
        if m.re is DAMAGED_GROUP:
            out.append(LOST_CHAR)
        pos = m.end()
    out.append(line[pos:])
    return out


def mend_line(line: str, lexicon: mojibake.Lexicon) -> str:
    """One line with its damaged runs undone and its annotations dropped (still 繁体).

    A damaged run starts where the page's text nodes started: at the line start or right
    after an annotation. Mended list numbers are written ``(一)`` like the intact ones.
    """
    groups = _annotations(line)
    starts = [0, *[m.end() for m in groups]]
    ends = [m.start() for m in groups] + [len(line)]
    out: list[str] = []
    for i, (start, end) in enumerate(zip(starts, ends, strict=True)):
        if i:
            out.append(LOST_CHAR if groups[i - 1].re is DAMAGED_GROUP else "")
        run = line[start:end]
        if mojibake.has_damage(run[:4]):
            prev = groups[i - 1].start() if i else 0
            left = line[prev - 1] if i and prev and _CJK.match(line[prev - 1]) else ""
            after = groups[i].end() if i < len(groups) else len(line)
            right = line[after] if after < len(line) else ""
            found = mojibake.unmangle_run(
                run, at_line_start=start == 0, left=left, right=right, lexicon=lexicon
            )
            if found is not None:
                k, original = found
                if start == 0:
                    original = _LIST_NUMBER.sub(r"(\1)", original)
                run = original + run[k:]
        out.append(run)
    return "".join(out)


@functools.cache
def _shipped_catalog_words() -> tuple[str, ...]:
    from db.catalog import read_catalog_file

    data = read_catalog_file()
    words = [c["name_zh"] for c in data["categories"]]
    for ind in data["indicators"]:
        words += [ind["name_zh"], *ind.get("aliases", []), *ind.get("phrasings", [])]
    return tuple(words)


def catalog_words(catalog: Catalog | None) -> tuple[str, ...]:
    """Category and indicator names, aliases and phrasings (the shipped ones by default)."""
    if catalog is None:
        return _shipped_catalog_words()
    words = [c.name_zh for c in catalog.categories.values()]
    for spec in catalog.indicators.values():
        words += [spec.name_zh, *spec.aliases, *spec.phrasings]
    return tuple(words)


def repair_text(text: str, catalog: Catalog | None = None) -> str:
    """Clean simplified text: damage undone, pinyin dropped, every other character kept.

    The catalog's words (the shipped catalog when none is given) help fill bytes the
    damage destroyed. Repairing repaired text changes nothing.
    """
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if any(mojibake.has_damage(_strip_annotations(line)) for line in lines):
        clean = [_strip_annotations(line) for line in lines]
        lexicon = mojibake.build_lexicon([*clean, *catalog_words(catalog)])
        lines = [mend_line(line, lexicon) for line in lines]
    else:
        lines = [_strip_annotations(line) for line in lines]
    return mojibake.to_simplified("\n".join(lines))


# ---------------------------------------------------------------- extraction


@dataclass(frozen=True)
class ExtractedFigure:
    """One figure the report states, in the indicator's canonical unit.

    ``start``/``end`` delimit the figure as written (``3万余件``) in the repaired text,
    ``sentence_start`` the sentence it sits in; ``matched_by`` is ``phrasing`` or ``name``.
    """

    indicator_code: str
    year: int | None
    region: str
    value: float
    unit: str
    qualifier: str | None
    written: str
    sentence: str
    start: int
    end: int
    line: int
    matched_by: str

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class MissingFigure:
    """A catalog indicator the report names but whose figure is still ``X``."""

    indicator_code: str
    sentence: str
    start: int
    end: int


@dataclass
class ReportExtraction:
    text: str  # the repaired text; every offset refers to it
    year: int | None
    year_from_text: bool
    region: str
    figures: list[ExtractedFigure] = field(default_factory=list)
    placeholders: list[MissingFigure] = field(default_factory=list)

    @property
    def missing(self) -> list[str]:
        """Indicators whose figure is still ``X`` (and stated nowhere else in the report)."""
        found = {f.indicator_code for f in self.figures}
        codes = [p.indicator_code for p in self.placeholders]
        return [c for c in dict.fromkeys(codes) if c not in found]

    def as_dict(self) -> dict:
        return {
            "year": self.year,
            "year_from_text": self.year_from_text,
            "region": self.region,
            "figures": [_figure_json(f) for f in self.figures],
            "missing": self.missing,
        }


def _figure_json(f: ExtractedFigure) -> dict:
    keys = ("indicator_code", "year", "region", "value", "unit", "qualifier", "written")
    return {**{k: getattr(f, k) for k in keys}, "sentence": f.sentence, "line": f.line}


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
_SENTENCE_END = re.compile(r"[。!?;！？；\n]")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年(?!\d)")
_NAME_GAP = r"[^\d,;。、:X\"()（）\n]{0,6}?"
_UNIT_AFTER = r"(?:以上|左右)?"
_AFTER_UNIT = ("以上", "左右")


@dataclass(frozen=True)
class _Pattern:
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
    text = normalize_for_matching(mojibake.to_simplified(phrasing))
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


def _name_patterns(spec: IndicatorSpec) -> list[_Pattern]:
    """``名称 … 数字单位`` and ``数字单位名称`` for the Chinese name and every alias."""
    names = {
        normalize_for_matching(mojibake.to_simplified(n)) for n in (spec.name_zh, *spec.aliases)
    }
    out = []
    for name in sorted(n for n in names if len(n) >= 2):
        lit = re.escape(name)
        out.append(
            _Pattern(
                spec.code,
                re.compile(rf"{lit}{_NAME_GAP}(?P<num>{_NUMBER})(?P<unit>[^\d\s,;。、]{{0,4}})"),
                (1, len(name)),
                "name",
                "prefix",
            )
        )
        out.append(
            _Pattern(
                spec.code,
                re.compile(rf"(?P<num>{_NUMBER})(?P<unit>[^\d\s,;。、]{{1,4}}?){_UNIT_AFTER}{lit}"),
                (1, len(name)),
                "name",
                "whole",
            )
        )
    return out


def compile_patterns(catalog: Catalog) -> list[_Pattern]:
    """Every way the catalog says an indicator is written, most specific first."""
    patterns: list[_Pattern] = []
    for spec in catalog.indicators.values():
        for phrasing in spec.phrasings:
            compiled = _phrasing_regex(phrasing, spec)
            if compiled is not None:
                regex, alias = compiled
                priority = (2, len(phrasing))
                patterns.append(_Pattern(spec.code, regex, priority, "phrasing", "exact", alias))
        patterns += _name_patterns(spec)
    patterns.sort(key=lambda p: p.priority, reverse=True)
    return patterns


def find_year(text: str) -> int | None:
    """The report's year from its opening (``2020年，我局…``, a title ``2020年工作总结``)."""
    match = _YEAR.search(text[:300])
    return int(match[1]) if match else None


def extract_figures(
    text: str,
    catalog: Catalog,
    *,
    year: int | None = None,
    region: str = CITY_WIDE,
) -> ReportExtraction:
    """Repair ``text`` and take every figure it states for a catalog indicator.

    ``year`` overrides the year found in the text. Each figure (number span) belongs to
    at most one indicator; the catalog's phrasings win over bare names, longer over
    shorter. A figure written ``X`` marks its indicator as missing.
    """
    repaired = repair_text(text, catalog)
    found_year = find_year(repaired)
    result = ReportExtraction(
        text=repaired,
        year=year if year is not None else found_year,
        year_from_text=year is None and found_year is not None,
        region=region.strip() or CITY_WIDE,
    )
    norm = normalize_for_matching(repaired)
    patterns = compile_patterns(catalog)
    for start, end in _sentences(norm):
        _read_sentence(norm, repaired, start, end, patterns, catalog, result)
    result.figures.sort(key=lambda f: f.start)
    result.placeholders.sort(key=lambda p: p.start)
    return result


def _sentences(text: str) -> Iterable[tuple[int, int]]:
    start = 0
    for m in _SENTENCE_END.finditer(text):
        if m.end() - start > 1:
            yield start, m.end()
        start = m.end()
    if start < len(text):
        yield start, len(text)


def _read_sentence(
    norm: str,
    repaired: str,
    start: int,
    end: int,
    patterns: list[_Pattern],
    catalog: Catalog,
    result: ReportExtraction,
) -> None:
    """Every figure of one sentence; a figure is taken by the first pattern that reads it."""
    sentence = norm[start:end]
    text = repaired[start:end].strip()
    taken: list[tuple[int, int]] = []
    for pattern in patterns:
        spec = catalog.indicators[pattern.code]
        for m in pattern.regex.finditer(sentence):
            read = _figure(m, pattern, spec)
            if read is None:
                continue
            value, qualifier, span_end = read
            span = (start + m.start("num"), start + span_end)
            if any(a < span[1] and span[0] < b for a, b in taken):
                continue
            taken.append(span)
            if value is None:
                result.placeholders.append(MissingFigure(spec.code, text, *span))
                continue
            result.figures.append(
                ExtractedFigure(
                    indicator_code=spec.code,
                    year=result.year,
                    region=result.region,
                    value=value,
                    unit=spec.unit,
                    qualifier=qualifier,
                    written=repaired[span[0] : span[1]],
                    sentence=text,
                    start=span[0],
                    end=span[1],
                    line=repaired.count("\n", 0, span[0]) + 1,
                    matched_by=pattern.matched_by,
                )
            )


def _figure(
    m: re.Match[str], pattern: _Pattern, spec: IndicatorSpec
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


# ---------------------------------------------------------------- review and load

REVIEW_COLUMNS = [
    "line",
    "indicator_code",
    "indicator",
    "year",
    "region",
    "value",
    "unit",
    "qualifier",
    "written",
    "sentence",
]


def review_table(extraction: ReportExtraction, catalog: Catalog) -> pd.DataFrame:
    """The extracted figures as analysts review them, one row each (``REVIEW_COLUMNS``)."""
    rows = [
        {
            "line": f.line,
            "indicator_code": f.indicator_code,
            "indicator": catalog.indicators[f.indicator_code].name_zh,
            "year": f.year,
            "region": f.region,
            "value": f.value,
            "unit": f.unit,
            "qualifier": f.qualifier,
            "written": f.written,
            "sentence": f.sentence,
        }
        for f in extraction.figures
    ]
    table = pd.DataFrame(rows, columns=REVIEW_COLUMNS)
    return table.astype({"line": "Int64", "year": "Int64", "value": "float64"})


def frame_from_review(table: pd.DataFrame, *, default_region: str = CITY_WIDE) -> pd.DataFrame:
    """A reviewed table (rows corrected, added or deleted) as the pipeline's frame.

    ``row`` is the report line a figure came from (what messages point to); a row the
    analyst added has none and is numbered after the last line.
    """
    table = table.reset_index(drop=True)
    n = len(table)
    line = pd.to_numeric(table.get("line", pd.Series([None] * n)), errors="coerce")
    next_line = int(line.max()) + 1 if line.notna().any() else 1
    rows = [int(v) if pd.notna(v) else next_line + i for i, v in enumerate(line)]
    region = table.get("region", pd.Series([None] * n)).astype(object)
    region = region.where(region.notna() & (region.astype(str).str.strip() != ""), default_region)
    qualifier = table.get("qualifier", pd.Series([None] * n)).astype(object)
    qualifier = qualifier.where(qualifier.notna() & (qualifier.astype(str) != ""), None)
    frame = pd.DataFrame(
        {
            "row": pd.Series(rows, dtype="int64"),
            "indicator_code": table["indicator_code"]
            .astype(object)
            .where(table["indicator_code"].notna(), None),
            "year": pd.to_numeric(table["year"], errors="coerce").astype("Int64"),
            "region": region.astype(str).str.strip(),
            "value": pd.to_numeric(table["value"], errors="coerce").astype("float64"),
            "qualifier": qualifier,
            "note": None,
            "target": float("nan"),
            "category": None,
            "value_column": "数值",
            "indicator_raw": table.get("indicator", table["indicator_code"]).astype(object),
        }
    )
    return frame.reindex(columns=FRAME_COLUMNS)


def to_frame(extraction: ReportExtraction, catalog: Catalog) -> pd.DataFrame:
    """The extracted figures as :func:`etl.pipeline.load_frame` takes them."""
    return frame_from_review(review_table(extraction, catalog), default_region=extraction.region)


def batch_sha256(report: bytes, frame: pd.DataFrame) -> str:
    """Identity of a report batch: the report's bytes and the figures taken from it.

    Loading the same report with the same figures again is a duplicate; a corrected
    review of it is a new batch.
    """
    rows = frame[["indicator_code", "year", "region", "value", "qualifier"]].astype(object)
    body = json.dumps(rows.where(rows.notna(), None).values.tolist(), ensure_ascii=False)
    return hashlib.sha256(report + b"\0" + body.encode("utf-8")).hexdigest()

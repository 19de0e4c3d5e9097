"""Report drafts: last year's work report in, the same report out with the store's figures.

The report reader (:mod:`etl.report`) already finds every figure sentence and the exact
span of its figure; a draft runs it the other way. Each span gets the stored figure for
the chosen year and region, written the way the template wrote it (its ``万``/``亿``, its
unit word, ``余``/``约`` as the stored qualifier says), so the reader reading the draft
gets exactly the store's figure back, and every character outside those spans — and the
opening line's year — stays the template's. A figure the store lacks becomes ``X`` and is
listed; a 同比 or 完成率 the sentence already states is recomputed from the store or set
to ``X``, never invented where the template has no slot for it.

Pure: text, a :class:`~db.catalog.Catalog` and the figures in, a :class:`Draft` out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from db.catalog import Catalog, IndicatorSpec
from db.models import CITY_WIDE
from etl.report import extract_figures, find_year
from etl.report_patterns import FIGURE_PLACEHOLDER, normalize_for_matching
from etl.units import unit_factor
from etl.values import ABOUT, MORE_THAN, MULTIPLIERS

TEMPLATE_FILE = Path(__file__).resolve().parent / "templates" / "report_template.txt"

_WRITTEN = re.compile(
    r"^(?P<pre>约|大约|超过|逾)?(?P<num>\d+(?:,\d{3})*(?:\.\d+)?|X)(?P<q1>余|多)?"
    r"(?P<mult>万亿|千万|百万|十万|亿|万|千)?(?P<q2>余|多)?(?P<unit>.*?)(?P<post>以上|左右)?$"
)
_PRE = {"约": ABOUT, "大约": ABOUT, "超过": MORE_THAN, "逾": MORE_THAN}
_SUFFIX = {"余": MORE_THAN, "多": MORE_THAN, "以上": MORE_THAN, "左右": ABOUT}
_YEAR_IN_OPENING = 300  # how far find_year looks; the year replaced is the one it found
_NUMBER = r"(?P<num>X|\d+(?:\.\d+)?)"
YOY = re.compile(
    rf"同比(?P<word>增长|增加|上升|提高|提升|下降|减少|降低)?{_NUMBER}(?P<unit>%|个百分点)"
)
COMPLETION = re.compile(rf"完成(?:年度|全年)?(?:目标|计划)?(?:任务)?(?:的)?{_NUMBER}%")
_UP_DOWN = {"增长": "下降", "增加": "减少", "上升": "下降", "提高": "降低", "提升": "下降"}
_DOWN_UP = {"下降": "增长", "减少": "增加", "降低": "提高"}


@dataclass(frozen=True)
class StoreFigure:
    """What the store says for one indicator in the draft's year and region."""

    value: float
    qualifier: str | None = None
    batch_id: int | None = None
    batch_source: str = ""
    previous: float | None = None  # last year's value, for a 同比 slot
    target: float | None = None  # this year's target, for a 完成率 slot


@dataclass(frozen=True)
class Edit:
    """One span of the template replaced: ``kind`` is figure, missing, comparison or year."""

    start: int  # in the template's (repaired) text
    end: int
    new: str
    kind: str
    indicator_code: str = ""
    sentence: str = ""
    batch_id: int | None = None
    batch_source: str = ""


@dataclass
class Draft:
    template: str  # the template's repaired text; every Edit offset refers to it
    text: str
    year: int
    region: str
    template_year: int | None
    edits: list[Edit] = field(default_factory=list)

    @property
    def missing(self) -> list[str]:
        """Indicators whose figure the draft still writes as ``X`` (the store has none)."""
        return list(dict.fromkeys(e.indicator_code for e in self.edits if e.kind == "missing"))

    @property
    def missing_comparisons(self) -> list[str]:
        """Indicators whose 同比/完成率 slot stays ``X`` (no last year's figure or target)."""
        codes = [e.indicator_code for e in self.edits if e.kind == "comparison"]
        return [c for c in dict.fromkeys(codes) if self._has_placeholder(c, "comparison")]

    def _has_placeholder(self, code: str, kind: str) -> bool:
        return any(
            e.indicator_code == code and e.kind == kind and FIGURE_PLACEHOLDER in e.new
            for e in self.edits
        )

    @property
    def stated(self) -> list[str]:
        """Every indicator the template states a figure for, in text order."""
        codes = [e.indicator_code for e in self.edits if e.kind in ("figure", "missing")]
        return list(dict.fromkeys(codes))

    def spans(self) -> list[tuple[int, int, Edit]]:
        """Where each edit landed in ``text`` (for highlighting), in order."""
        out, shift = [], 0
        for e in self.edits:
            start = e.start + shift
            out.append((start, start + len(e.new), e))
            shift += len(e.new) - (e.end - e.start)
        return out


def builtin_template() -> str:
    """The seed report repaired (简体, pinyin dropped, list numbers mended), its ``X`` kept."""
    return TEMPLATE_FILE.read_text(encoding="utf-8")


def draft_report(
    template: str,
    catalog: Catalog,
    figures: Mapping[str, StoreFigure],
    *,
    year: int,
    region: str = CITY_WIDE,
) -> Draft:
    """Write ``figures`` into every figure span the reader finds in ``template``."""
    extraction = extract_figures(template, catalog, year=year, region=region)
    text = extraction.text
    norm = normalize_for_matching(text)
    spans = sorted(
        [(f.start, f.end, f.indicator_code, f.sentence) for f in extraction.figures]
        + [(p.start, p.end, p.indicator_code, p.sentence) for p in extraction.placeholders]
    )
    edits: list[Edit] = []
    for i, (start, end, code, sentence) in enumerate(spans):
        spec = catalog.indicators[code]
        figure = figures.get(code)
        written = norm[start:end]
        if figure is None:
            new = _as_placeholder(written)
            edits.append(Edit(start, end, new, "missing", code, sentence))
        else:
            new = write_figure(written, figure, spec)
            batch = (figure.batch_id, figure.batch_source)
            edits.append(Edit(start, end, new, "figure", code, sentence, *batch))
        limit = _sentence_end(norm, end, spans[i + 1][0] if i + 1 < len(spans) else len(norm))
        edits += _comparison_edits(norm, end, limit, code, sentence, figure)
    template_year = find_year(text)
    if template_year is not None and template_year != year:
        pattern = re.compile(rf"{template_year}(?=\s*年)")
        for m in pattern.finditer(text, 0, _YEAR_IN_OPENING):
            opening = text[: text.find("\n")] if "\n" in text else text
            edits.append(Edit(m.start(), m.end(), str(year), "year", sentence=opening))
    edits.sort(key=lambda e: e.start)
    return Draft(
        template=text,
        text=_apply(text, edits),
        year=year,
        region=extraction.region,
        template_year=template_year,
        edits=edits,
    )


def _apply(text: str, edits: list[Edit]) -> str:
    out, pos = [], 0
    for e in edits:
        out += [text[pos : e.start], e.new]
        pos = e.end
    out.append(text[pos:])
    return "".join(out)


def _sentence_end(norm: str, start: int, limit: int) -> int:
    m = re.compile(r"[。!?;！？；\n]").search(norm, start, limit)
    return m.start() if m else limit


# ---------------------------------------------------------------- writing one figure


def write_figure(written: str, figure: StoreFigure, spec: IndicatorSpec) -> str:
    """``figure`` in the template's way of writing ``written`` (``X万余件`` → ``3.52万余件``).

    The number is exact (as many decimals as the value needs), so reading it back gives
    the stored value; the unit word is the template's, converted to, and ``余``/``约``
    follow the stored qualifier, keeping the template's place for them when it had one.
    """
    m = _WRITTEN.match(written)
    if m is None:  # the reader took it, so this does not happen; write plainly then
        return (
            f"{_number(figure.value)}{spec.unit}{_QUALIFIER_SUFFIX.get(figure.qualifier or '', '')}"
        )
    parts = m.groupdict(default="")
    factor = unit_factor(parts["unit"], spec.unit) or 1.0  # None: the catalog's own counting word
    magnitude = MULTIPLIERS.get(parts["mult"], 1)
    number = _number(figure.value / factor / magnitude)
    had = {_PRE.get(parts["pre"]), *(_SUFFIX.get(parts[k]) for k in ("q1", "q2", "post"))}
    had.discard(None)
    if had == ({figure.qualifier} - {None}):
        pre, q1, q2, post = parts["pre"], parts["q1"], parts["q2"], parts["post"]
    else:
        pre = "约" if figure.qualifier == ABOUT else ""
        more = "余" if figure.qualifier == MORE_THAN else ""
        q1, q2, post = ("", more, "") if parts["mult"] else (more, "", "")
    return f"{pre}{number}{q1}{parts['mult']}{q2}{parts['unit']}{post}"


_QUALIFIER_SUFFIX = {MORE_THAN: "余", ABOUT: "左右"}


def _number(value: float) -> str:
    """Plain digits, no thousands separator, no float noise (``3.52``, ``120000``)."""
    text = format(Decimal(f"{value:.10g}"), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _as_placeholder(written: str) -> str:
    m = _WRITTEN.match(written)
    if m is None:
        return FIGURE_PLACEHOLDER
    return written[: m.start("num")] + FIGURE_PLACEHOLDER + written[m.end("num") :]


# ---------------------------------------------------------------- 同比 and 完成率 slots


def _comparison_edits(
    norm: str, start: int, limit: int, code: str, sentence: str, figure: StoreFigure | None
) -> list[Edit]:
    """The 同比 / 完成率 the sentence states right after the figure, recomputed or ``X``."""
    edits = []
    yoy = YOY.search(norm, start, limit)
    if yoy is not None:
        change = _yoy(figure, yoy["unit"])
        word = yoy["word"]
        if change is None:
            new = (word or "") + FIGURE_PLACEHOLDER + yoy["unit"]
        elif word:
            up_word = word if word in _UP_DOWN else _DOWN_UP[word]
            word = up_word if change >= 0 else _UP_DOWN[up_word]
            new = f"{word}{abs(change):.1f}{yoy['unit']}"
        else:
            new = f"{change:.1f}{yoy['unit']}"
        at = yoy.start("word") if yoy["word"] else yoy.start("num")
        edits.append(_slot_edit(yoy, at, new, code, sentence, figure))
    done = COMPLETION.search(norm, start, limit)
    if done is not None:
        rate = None
        if figure is not None and figure.target:
            rate = figure.value / figure.target * 100
        new = FIGURE_PLACEHOLDER if rate is None else f"{rate:.1f}"
        edits.append(_slot_edit(done, done.start("num"), new + "%", code, sentence, figure))
    return edits


def _slot_edit(
    m: re.Match[str], start: int, new: str, code: str, sentence: str, figure: StoreFigure | None
) -> Edit:
    batch = (figure.batch_id, figure.batch_source) if figure else (None, "")
    return Edit(start, m.end(), new, "comparison", code, sentence, *batch)


def _yoy(figure: StoreFigure | None, unit: str) -> float | None:
    if figure is None or figure.previous is None:
        return None
    if unit == "个百分点":
        return figure.value - figure.previous
    if not figure.previous:
        return None
    return (figure.value - figure.previous) / figure.previous * 100

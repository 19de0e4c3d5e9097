"""The report reader: narrative work-report text → repaired text → catalog figures.

The bureau's figures often exist only in its annual work report, and reports copied from
the web arrive damaged. :func:`repair_text` (:mod:`etl.report_text`) undoes that;
:func:`extract_figures` finds every sentence stating a catalog indicator, using only what
the catalog says about it (:mod:`etl.report_patterns`), so an analyst who adds a phrasing
or an alias teaches the reader without a code change. Figures still written as ``X`` are
listed as missing, never invented. :func:`to_frame` hands the figures to
:func:`etl.pipeline.load_frame`, which judges them exactly like a batch file.

Everything here is pure: text and a :class:`~db.catalog.Catalog` in, values out.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

import pandas as pd

from db.catalog import Catalog
from db.models import CITY_WIDE
from etl.normalize import FRAME_COLUMNS
from etl.report_patterns import Pattern, compile_patterns, normalize_for_matching, read_figure
from etl.report_text import decode_report, repair_text

__all__ = [
    "ExtractedFigure",
    "MissingFigure",
    "ReportExtraction",
    "batch_sha256",
    "decode_report",
    "extract_figures",
    "frame_from_review",
    "repair_text",
    "review_table",
    "to_frame",
]

_SENTENCE_END = re.compile(r"[。!?;！？；\n]")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年(?!\d)")


# ---------------------------------------------------------------- extraction


@dataclass(frozen=True)
class ExtractedFigure:
    """One figure the report states, in the indicator's canonical unit.

    ``start``/``end`` delimit the figure as written (``3万余件``) in the repaired text and
    ``line`` is its line there (what validation messages point to); ``matched_by`` says
    whether a catalog phrasing or a bare name/alias found it.
    """

    indicator_code: str
    indicator: str  # its Chinese name when read
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


# What a figure says, in the order the JSON output and the review table both show it.
FIGURE_FIELDS = (
    "indicator_code",
    "indicator",
    "year",
    "region",
    "value",
    "unit",
    "qualifier",
    "written",
)


def _figure_json(f: ExtractedFigure) -> dict:
    return {**{k: getattr(f, k) for k in FIGURE_FIELDS}, "sentence": f.sentence, "line": f.line}


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
    patterns: list[Pattern],
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
            read = read_figure(m, pattern, spec)
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
                    indicator=spec.name_zh,
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


# ---------------------------------------------------------------- review and load

REVIEW_COLUMNS = ["line", *FIGURE_FIELDS, "sentence"]


def review_table(extraction: ReportExtraction) -> pd.DataFrame:
    """The extracted figures as analysts review them, one row each (``REVIEW_COLUMNS``)."""
    rows = [
        {"line": f.line, **{k: getattr(f, k) for k in FIGURE_FIELDS}, "sentence": f.sentence}
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
    added = (line.isna().cumsum() - 1).astype(int)
    rows = [int(v) if pd.notna(v) else next_line + int(a) for v, a in zip(line, added, strict=True)]
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


def to_frame(extraction: ReportExtraction) -> pd.DataFrame:
    """The extracted figures as :func:`etl.pipeline.load_frame` takes them."""
    return frame_from_review(review_table(extraction), default_region=extraction.region)


def batch_sha256(report: bytes, frame: pd.DataFrame) -> str:
    """Identity of a report batch: the report's bytes and the figures taken from it.

    Loading the same report with the same figures again is a duplicate; a corrected
    review of it is a new batch.
    """
    rows = frame[["indicator_code", "year", "region", "value", "qualifier"]].astype(object)
    body = json.dumps(rows.where(rows.notna(), None).values.tolist(), ensure_ascii=False)
    return hashlib.sha256(report + b"\0" + body.encode("utf-8")).hexdigest()

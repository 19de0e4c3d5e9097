"""Numbers as people type them in Chinese statistical tables: ``12,345``, ``１２３``, ``3.2万``,
``95.6%``, ``1200余``, ``约300``, ``3余万辆次``.

Two entry points share one grammar. :func:`parse_value` reads a single cell (the report
reader and the slow path use it); :func:`parse_value_series` reads a whole column and is
the hot path for million-row files, so it converts every plain number in one vectorised
call (Arrow's cast, or ``pd.to_numeric`` for object columns) and sends only the
*distinct* leftovers through the grammar.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import numpy as np
import pandas as pd

from etl.text import INVISIBLE_RE

MORE_THAN = "more_than"
ABOUT = "about"

# Chinese magnitude words; multi-character ones first so ``千万`` is not read as ``千``.
MULTIPLIERS: dict[str, int] = {
    "万亿": 10**12,
    "千万": 10**7,
    "百万": 10**6,
    "十万": 10**5,
    "亿": 10**8,
    "万": 10**4,
    "千": 10**3,
}

_PREFIX_QUALIFIERS = {
    "大约": ABOUT,
    "约": ABOUT,
    "≈": ABOUT,
    "~": ABOUT,
    "超过": MORE_THAN,
    "逾": MORE_THAN,
    "≥": MORE_THAN,
    ">": MORE_THAN,
}
_SUFFIX_QUALIFIERS = {
    "余": MORE_THAN,
    "多": MORE_THAN,
    "以上": MORE_THAN,
    "左右": ABOUT,
}


def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_VALUE_RE = re.compile(
    rf"""
    (?P<pre>{_alternation(_PREFIX_QUALIFIERS)})?
    (?P<sign>[+-])?
    (?P<num>\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d*)?|\.\d+)
    (?P<q1>余|多)?
    (?P<mult>{_alternation(MULTIPLIERS)})?
    (?P<q2>余|多)?
    (?P<unit>[^\d.,+\-]*?)
    (?P<q3>{_alternation(_SUFFIX_QUALIFIERS)})?
    """,
    re.VERBOSE,
)
_SPACES = re.compile(r"\s+")
# ``12 345`` and ``1 234 567``: a space groups thousands, nothing else (``5 14`` is no number).
_SPACE_GROUPED = re.compile(r"(?<![\d.,])\d{1,3}(?: \d{3})+(?![\d,])")
DIGIT_SPACE = re.compile(r"\d\s+\d")
_PLAIN = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
_GROUPED = r"\s*[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?\s*"


@dataclass(frozen=True)
class ParsedValue:
    """A figure in the unit it was written in (``unit`` is what followed the number)."""

    value: float
    qualifier: str | None
    unit: str | None


def parse_value(text: str) -> ParsedValue | None:
    """Read one cell; ``None`` when it is not a number (blank included).

    Magnitudes are applied with :class:`~decimal.Decimal` so ``3.2万`` is exactly 32000,
    not 32000.000000000004 — the store compares values for "unchanged" on reload.
    """
    if text is None:
        return None
    cleaned = INVISIBLE_RE.sub("", unicodedata.normalize("NFKC", str(text)))
    if DIGIT_SPACE.search(cleaned):
        cleaned = _SPACE_GROUPED.sub(lambda m: m[0].replace(" ", ""), cleaned)
        if DIGIT_SPACE.search(cleaned):
            return None  # 5 14, 70 70 15057: a space that does not group thousands
    cleaned = _SPACES.sub("", cleaned)
    if not cleaned:
        return None
    match = _VALUE_RE.fullmatch(cleaned)
    if match is None:
        return None
    qualifiers = {
        _PREFIX_QUALIFIERS.get(match["pre"] or ""),
        *(_SUFFIX_QUALIFIERS.get(match[g] or "") for g in ("q1", "q2", "q3")),
    } - {None}
    if len(qualifiers) > 1:  # "约300余" says two different things
        return None
    try:
        number = Decimal(match["num"].replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the regex only lets digits through
        return None
    if match["mult"]:
        number *= MULTIPLIERS[match["mult"]]
    if match["sign"] == "-":
        number = -number
    value = float(number)
    if not np.isfinite(value):
        return None
    return ParsedValue(value, qualifiers.pop() if qualifiers else None, match["unit"] or None)


def _plain_numbers(s: pd.Series) -> np.ndarray:
    """Float64 of every plainly numeric cell, NaN elsewhere (a fresh, writable array).

    Arrow-backed text (what :mod:`etl.read` produces) goes through Arrow's own regex and
    cast — ~40 ms a million cells against ~300 ms for ``pd.to_numeric``.
    """
    if isinstance(s.dtype, pd.StringDtype) and s.dtype.storage == "pyarrow":
        import pyarrow as pa
        import pyarrow.compute as pc

        text = pc.utf8_trim_whitespace(pa.array(s.array))
        plain = pc.fill_null(pc.match_substring_regex(text, _PLAIN), False)
        try:
            numbers = pc.cast(pc.if_else(plain, text, pa.scalar(None, pa.string())), pa.float64())
            return np.array(numbers.to_numpy(zero_copy_only=False), dtype="float64")
        except pa.ArrowInvalid:  # pragma: no cover - the regex admits only castable text
            pass
    numbers = pd.to_numeric(s, errors="coerce")
    return np.array(numbers.to_numpy(dtype="float64", na_value=np.nan), dtype="float64")


def _cast(text: pd.Series) -> np.ndarray:
    """Arrow's correctly rounded text → float (``3.2e4`` is exactly 32000)."""
    import pyarrow as pa

    arr = pa.array(np.asarray(text, dtype=object), type=pa.string())
    return np.asarray(arr.cast(pa.float64()).to_numpy(zero_copy_only=False), dtype="float64")


def _magnitude_as_exponent(text: pd.Series) -> pd.Series:
    for word, exponent in (("万", "e4"), ("亿", "e8"), ("千", "e3")):
        text = text.str.replace(word, exponent, regex=False)
    return text


_NUMBER = r"\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)\s*"
_SHAPES = (
    (_GROUPED, lambda t: t.str.replace(",", "", regex=False), None),
    (_NUMBER + "[万亿千]\\s*", _magnitude_as_exponent, None),
    (_NUMBER + "%\\s*", lambda t: t.str.replace("%", "", regex=False), "%"),
)


def parse_value_series(s: pd.Series) -> pd.DataFrame:
    """Parse a column of cells; ``ok`` is False for blanks and for text that is not a number.

    Returns a frame on ``s``'s index with ``value`` (float64, NaN when not ok),
    ``qualifier`` and ``unit`` (object, ``None`` when absent) and ``ok`` (bool).
    The cost is one vectorised conversion of the column, one per common shape of text
    (``12,345``, ``3.2万``, ``95.6%``), and one grammar call per distinct remaining cell,
    so a million figures never touch Python per row.
    """
    n = len(s)
    values = _plain_numbers(s)
    ok = np.isfinite(values)
    qualifier = np.full(n, None, dtype=object)
    unit = np.full(n, None, dtype=object)

    blank = s.isna().to_numpy() | (s.astype("str").str.strip() == "").to_numpy()
    left = ~ok & ~blank
    if left.any():
        values[left] = np.nan
        rest = s[left].astype("str").str.replace(INVISIBLE_RE.pattern, "", regex=True)
        # The commonest shapes of leftover (12,345 · 3.2万 · 95.6%) stay vectorised too.
        for pattern, rewrite, shape_unit in _SHAPES:
            match = rest.str.fullmatch(pattern).fillna(False).to_numpy(dtype=bool)
            if not match.any():
                continue
            idx = np.flatnonzero(left)[match]
            values[idx] = _cast(rewrite(rest[match].str.replace(r"\s+", "", regex=True)))
            unit[idx] = shape_unit
            ok[idx] = True
            left[idx] = False
            rest = rest[~match]
        if len(rest):
            uniques = pd.unique(rest)
            parsed = [parse_value(u) for u in uniques]
            codes = pd.Index(uniques).get_indexer(rest)
            idx = np.flatnonzero(left)
            pv = np.array([p.value if p else np.nan for p in parsed], dtype="float64")
            pq = np.array([p.qualifier if p else None for p in parsed], dtype=object)
            pu = np.array([p.unit if p else None for p in parsed], dtype=object)
            pok = np.array([p is not None for p in parsed], dtype=bool)
            values[idx] = pv[codes]
            qualifier[idx] = pq[codes]
            unit[idx] = pu[codes]
            ok[idx] = pok[codes]
    values[~ok] = np.nan
    return pd.DataFrame(
        {
            "value": values,
            "qualifier": pd.Series(qualifier, index=s.index, dtype=object),
            "unit": pd.Series(unit, index=s.index, dtype=object),
            "ok": ok,
        },
        index=s.index,
    )

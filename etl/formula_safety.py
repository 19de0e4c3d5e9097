"""Cells a spreadsheet would run as a formula, made inert — and read back as they were.

Every file a user downloads or exports (CSV, XLSX: the export, error lists, templates,
batch figure lists) passes its cells through :func:`neutralise_frame` (OWASP's CSV-injection
advice): a *text* cell starting with ``= + - @``, tab or carriage return gets a leading
``'``, so Excel, WPS and LibreOffice show it as text instead of evaluating it.

Numbers are never touched: a float or integer cell stays a numeric cell with its value, and
a text cell that is nothing but a plain number (``-3``, ``+1.5``, ``-2e3``) is left alone
too — a spreadsheet reads it as that number, which is what it says, never as a formula.

The loader calls :func:`restore_formula_text` on the text columns it keeps (region, note),
undoing exactly that prefix, so ``export`` → ``load`` gives back ``=A1`` and not ``'=A1``;
it is also what a person means who typed ``'=A1`` in Excel to keep it as text.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""Leading characters that make a spreadsheet treat a cell as a formula (OWASP)."""

PREFIX = "'"
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def is_risky(value: object) -> bool:
    """Whether a spreadsheet would evaluate this cell (text only; plain numbers are safe)."""
    return (
        isinstance(value, str)
        and value.startswith(FORMULA_START)
        and not _PLAIN_NUMBER.fullmatch(value)
    )


def neutralise_cell(value: Any) -> Any:
    """``'=SUM(A1)`` for ``=SUM(A1)``; anything that is not risky text is returned as it is."""
    return PREFIX + value if is_risky(value) else value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every risky text cell neutralised; numeric columns untouched."""
    out = frame.copy()
    for col in out.columns:
        series = out[col]
        if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
            continue
        if not (series.dtype == object or pd.api.types.is_string_dtype(series)):
            continue
        values = series.astype(object).to_numpy()
        risky = np.fromiter((is_risky(v) for v in values), dtype=bool, count=len(values))
        if risky.any():
            values = values.copy()
            values[risky] = [PREFIX + v for v in values[risky]]
            out[col] = pd.Series(values, index=series.index, dtype=object)
    return out


def restore_formula_text(values: np.ndarray) -> np.ndarray:
    """Undo :func:`neutralise_cell` on an array of text cells (the loader's unique values)."""
    out = values.copy()
    for i, v in enumerate(out):
        if isinstance(v, str) and v.startswith(PREFIX) and is_risky(v[1:]):
            out[i] = v[1:]
    return out

"""Real batch files in ``tests/data`` and what each must turn into, picked up by glob.

Add a case by dropping ``name.csv|.txt|.xlsx`` there with ``name.expected.json`` beside it
(sqlite-utils ``tests/sniff`` style). The JSON says how the file reads (``read``), the clean
rows (only the keys given are compared), and the errors and warnings as
``[code, row, column]``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest
from test_normalize import CATALOG

from etl.normalize import normalize
from etl.read import read_table
from etl.validate import validate

DATA = Path(__file__).resolve().parent / "data"
FILES = sorted(p for p in DATA.iterdir() if p.suffix in {".csv", ".txt", ".tsv", ".xlsx", ".xls"})


def test_every_reference_file_has_expectations():
    assert FILES, "no reference files found"
    missing = [p.name for p in FILES if not p.with_suffix(".expected.json").exists()]
    assert missing == []


def _plain(value: object) -> object:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_reference_file(path: Path):
    expected = json.loads(path.with_suffix(".expected.json").read_text(encoding="utf-8"))
    raw = read_table(path.read_bytes(), path.name)
    norm = normalize(raw, CATALOG)
    result = validate(norm, CATALOG)

    read = expected["read"]
    assert raw.encoding == read["encoding"]
    assert raw.separator == read["separator"]
    assert raw.header_row == read["header_row"]
    assert raw.sheet == read["sheet"]
    assert norm.layout == read["layout"]

    got_errors = [[e.code, e.row, e.column] for e in result.errors]
    assert got_errors == expected["errors"]
    got_warnings = [[w.code, w.row, w.column] for w in raw.warnings + result.warnings]
    assert got_warnings == expected["warnings"]

    rows = result.frame.to_dict("records")
    assert len(rows) == len(expected["rows"])
    for got, want in zip(rows, expected["rows"], strict=True):
        actual = {key: _plain(got[key]) for key in want}
        for key, value in want.items():
            if isinstance(value, float | int) and not isinstance(value, bool):
                assert actual[key] == pytest.approx(value), (key, got)
            else:
                assert actual[key] == value, (key, got)

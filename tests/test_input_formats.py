"""Batch-file formats come from one table (``etl.input_formats``): the CLI loads each, the
upload page's chooser offers each, and any other suffix is refused naming them all."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import Engine

from db.session import get_engine
from etl.input_formats import INPUT_FORMATS
from etl.issues import UnreadableFileError
from etl.read import read_table
from tests.apptest import ANALYST, open_page
from tests.conftest import DATA, etl, stored_figures

ROWS = [("指标", "年份", "数值"), ("应急演练", "2024", "3")]


def _text(separator: str) -> Callable[[], bytes]:
    return lambda: "\n".join(separator.join(row) for row in ROWS).encode("utf-8")


def _workbook() -> bytes:
    book = Workbook()
    for row in ROWS:
        book.active.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# One hand-made file per format; a new format needs its sample here. The .xls is a real
# Excel 97–2003 file (LibreOffice wrote it; see tests/data/legacy_percent.expected.json).
SAMPLES: dict[str, Callable[[], bytes]] = {
    ".csv": _text(","),
    ".txt": _text("\t"),
    ".tsv": _text("\t"),
    ".xlsx": _workbook,
    ".xlsm": _workbook,
    ".xls": lambda: (DATA / "legacy_percent.xls").read_bytes(),
}
# What each sample holds, as the file says it: (code, year, region) -> value
EXPECTED = {
    "text": {("safety.drills", 2024, "全市"): 3.0},
    "xls": {("business.approvals", 2019, "全市"): 31000.0},
}


def test_every_registered_format_has_a_sample() -> None:
    assert set(SAMPLES) == set(INPUT_FORMATS)


@pytest.mark.parametrize("suffix", sorted(SAMPLES))
def test_reader_reads_every_registered_format(suffix: str) -> None:
    raw = read_table(SAMPLES[suffix](), f"batch{suffix.upper()}")  # suffix case is ignored
    assert len(raw.frame) >= 1


@pytest.mark.parametrize("name", ["report.docx", "data.json", "noextension", "a.csv.bak"])
def test_unknown_suffix_is_refused_naming_every_format(name: str) -> None:
    with pytest.raises(UnreadableFileError) as refused:
        read_table(_text(",")(), name)
    assert all(suffix in str(refused.value) for suffix in INPUT_FORMATS)


@pytest.mark.parametrize("suffix", sorted(SAMPLES))
def test_cli_loads_every_registered_format(suffix: str, sqlite_url: str, tmp_path: Path) -> None:
    path = tmp_path / f"batch{suffix}"
    path.write_bytes(SAMPLES[suffix]())
    done = etl(sqlite_url, "load", str(path), decode=True)
    assert done.returncode == 0, done.stderr
    stored = stored_figures(get_engine(sqlite_url))
    expected = EXPECTED["xls" if suffix == ".xls" else "text"]
    assert {key: stored[key][0] for key in expected} == expected


def test_upload_page_offers_every_registered_format(app_engine: Engine) -> None:
    at = open_page("pages/upload.py", ANALYST)
    chooser = at.get("file_uploader")[0].proto
    assert sorted(chooser.type) == sorted(INPUT_FORMATS)

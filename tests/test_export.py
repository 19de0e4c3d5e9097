"""The export holds every figure the store holds, and loading it reproduces the store.

``export`` → ``load`` into a fresh store → ``export`` through real ``python -m etl``
processes, CSV and XLSX, on SQLite and PostgreSQL. The figures are hand-made: values,
targets (with and without a value beside them), both qualifiers, notes, units, regions.
"""

from __future__ import annotations

import contextlib
import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from sqlalchemy import select

import etl.export as export_module
from db.models import Indicator, Observation, Target
from db.session import get_engine, read_session
from etl.export import EXPORT_COLUMNS, export_bytes, sheet_names, to_xlsx_bytes
from tests.conftest import _pg_schema_url, etl

SOURCE = (
    "指标,年份,地区,数值,单位,目标值,备注\n"
    "应急演练,2024,全市,3,次,5,=HYPERLINK(1)\n"  # value and target; a formula-like note
    "应急演练,2023,全市,,次,4,\n"  # a target alone
    "排查治理安全隐患,2024,城东区,1200余,处,,区县上报\n"  # more_than
    "排查治理安全隐患,2024,@西区,约300,处,,\n"  # about; a formula-like region
    "行政审批办理量,2024,全市,3.4万,件,3.5万,\n"  # 万 → 34000 件
    "管养公路平均优良路率,2024,全市,91.5%,%,92,\n"
)

# (indicator_code, year, region) → (value, target, unit, qualifier, note), from SOURCE by hand.
EXPECTED = {
    ("safety.drills", 2024, "全市"): (3.0, 5.0, "次", None, "=HYPERLINK(1)"),
    ("safety.drills", 2023, "全市"): (None, 4.0, "次", None, None),
    ("safety.hazards_fixed", 2024, "城东区"): (1200.0, None, "处", "more_than", "区县上报"),
    ("safety.hazards_fixed", 2024, "@西区"): (300.0, None, "处", "about", None),
    ("business.approvals", 2024, "全市"): (34000.0, 35000.0, "件", None, None),
    ("safety.road_excellence_rate", 2024, "全市"): (91.5, 92.0, "%", None, None),
}


EXPECTED_TEXT = {(*key, note) for key, (*_, note) in EXPECTED.items()}


def stored_text(url: str) -> set[tuple[str, int, str, str | None]]:
    """Each figure's key and note as the tables hold them (read without the export)."""
    with read_session(get_engine(url)) as session:
        values = session.execute(
            select(Indicator.code, Observation.year, Observation.region, Observation.note).join(
                Indicator
            )
        ).all()
        targets = session.execute(
            select(Indicator.code, Target.year, Target.region).join(Indicator)
        ).all()
    noted = {(c, y, r): n for c, y, r, n in values}
    return {(c, y, r, n) for (c, y, r), n in noted.items()} | {
        (c, y, r, None) for c, y, r in targets if (c, y, r) not in noted
    }


@contextlib.contextmanager
def another_store(db_url: str, tmp_path: Path) -> Iterator[str]:
    """An empty store of the same kind as ``db_url``."""
    if db_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'second.sqlite3'}"
        return
    base = db_url.split("?", 1)[0]
    with contextlib.contextmanager(_pg_schema_url)(base) as url:
        yield url


def _blank(value: object) -> bool:
    return value is None or value == "" or (isinstance(value, float) and pd.isna(value))


def figures(path: Path) -> dict[tuple[str, int, str], tuple[object, ...]]:
    """An export file read back as a spreadsheet would (csv module / openpyxl), keyed like
    EXPECTED; the neutralising ``'`` is taken off text cells, numbers must be numbers."""
    if path.suffix == ".csv":
        rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))
    else:
        sheet = load_workbook(path).active
        assert sheet is not None
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert list(rows[0]) == EXPORT_COLUMNS
    out = {}
    for raw in rows[1:]:
        r = dict(zip(EXPORT_COLUMNS, raw, strict=True))

        def text(col: str, r: dict[str, object] = r) -> str | None:
            v = r[col]
            return None if _blank(v) else str(v).removeprefix("'")

        def number(col: str, r: dict[str, object] = r) -> float | None:
            v = r[col]
            return None if _blank(v) else float(v)  # type: ignore[arg-type]

        key = (str(r["indicator_code"]), int(r["year"]), text("region"))  # type: ignore[call-overload]
        out[key] = (
            number("value"),
            number("target"),
            text("unit"),
            text("qualifier"),
            text("note"),
        )
    return out


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_load_export_round_trip(db_url: str, tmp_path: Path, fmt: str) -> None:
    source = tmp_path / "source.csv"
    source.write_text(SOURCE, encoding="utf-8")
    loaded = etl(db_url, "load", str(source), decode=True)
    assert loaded.returncode == 0, loaded.stderr
    first = tmp_path / f"first.{fmt}"
    done = etl(db_url, "export", "--format", fmt, "--out", str(first), decode=True)
    assert done.returncode == 0, done.stderr
    assert figures(first) == EXPECTED

    with another_store(db_url, tmp_path) as fresh:
        reloaded = etl(fresh, "load", str(first), "--json", decode=True)
        assert reloaded.returncode == 0, reloaded.stdout + reloaded.stderr
        second = tmp_path / f"second.{fmt}"
        done = etl(fresh, "export", "--format", fmt, "--out", str(second), decode=True)
        assert done.returncode == 0, done.stderr
        assert figures(second) == EXPECTED
        assert stored_text(fresh) == stored_text(db_url) == EXPECTED_TEXT  # no ``'`` kept
        if fmt == "csv":  # the same file, byte for byte (one batch each: batch_id 1 both)
            assert second.read_bytes() == first.read_bytes()


def test_export_empty_store_is_header_only(db_url: str) -> None:
    with read_session(get_engine(db_url)) as session:
        data = export_bytes(session, "csv")
    assert data.decode("utf-8-sig").splitlines() == [",".join(EXPORT_COLUMNS)]


# --- more rows than a worksheet holds ----------------------------------------------------


def test_xlsx_splits_across_sheets_with_a_header_each() -> None:
    frame = pd.DataFrame({"n": list(range(1, 8)), "label": [f"r{i}" for i in range(1, 8)]})
    book = load_workbook(io.BytesIO(to_xlsx_bytes(frame, "observations", max_rows=4)))
    assert book.sheetnames == ["observations", "observations_2", "observations_3"]
    sheets = [list(book[name].iter_rows(values_only=True)) for name in book.sheetnames]
    assert [s[0] for s in sheets] == [("n", "label")] * 3
    assert [len(s) for s in sheets] == [4, 4, 2]  # never more than max_rows, header included
    assert [row[0] for s in sheets for row in s[1:]] == list(range(1, 8))


def test_xlsx_exactly_full_sheet_is_one_sheet() -> None:
    frame = pd.DataFrame({"n": [1, 2, 3]})
    book = load_workbook(io.BytesIO(to_xlsx_bytes(frame, max_rows=4)))
    assert book.sheetnames == ["observations"]


def test_sheet_names_fit_excel_limit() -> None:
    names = sheet_names("x" * 40, 12)
    assert all(len(n) <= 31 for n in names) and len(set(names)) == 12
    assert names[11].endswith("_12")


def test_store_export_splits_when_over_the_sheet_limit(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The store's export with the sheet limit lowered to 4 rows: 6 figures → 2 sheets."""
    source = tmp_path / "source.csv"
    source.write_text(SOURCE, encoding="utf-8")
    assert etl(db_url, "load", str(source)).returncode == 0
    monkeypatch.setattr(export_module, "XLSX_MAX_ROWS", 4)
    with read_session(get_engine(db_url)) as session:
        data = export_bytes(session, "xlsx")
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["observations", "observations_2"]
    rows = [r for name in book.sheetnames for r in book[name].iter_rows(values_only=True)]
    assert rows.count(tuple(EXPORT_COLUMNS)) == 2
    assert len(rows) == 2 + len(EXPECTED)

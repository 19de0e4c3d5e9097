"""Every downloadable file neutralises cells a spreadsheet would run (OWASP CSV injection).

Checked by reading the cells back as a spreadsheet would get them — the csv module for CSV,
openpyxl for XLSX — and comparing values: risky text gains a leading ``'``, everything else,
negative numbers above all, is exactly what it was (numbers stay numeric cells).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine

from db.batches import batch_figures
from db.catalog import Catalog, CategorySpec, IndicatorSpec
from db.session import get_engine, read_session, write_session
from etl.export import to_csv_bytes, to_xlsx_bytes
from etl.formula_safety import neutralise_cell, restore_formula_text
from etl.issues import Issue
from etl.pipeline import LoadOptions, load_file
from tests.conftest import etl
from ui.analyst_views import figures_csv, issues_csv, template_bytes

RISKY = ["=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1"]
SAFE_TEXT = ["全市", "a=b", " =1", "-3", "+1.5", "-2e3", ""]


@pytest.mark.parametrize("text", RISKY)
def test_risky_text_is_prefixed(text: str) -> None:
    assert neutralise_cell(text) == "'" + text


@pytest.mark.parametrize("value", [*SAFE_TEXT, -3.0, -3, 0.5, None])
def test_numbers_and_plain_text_are_left_alone(value: object) -> None:
    assert neutralise_cell(value) == value


def test_restore_undoes_exactly_the_prefix() -> None:
    import numpy as np

    cells = np.array(["'=1+1", "'-2+3", "'plain", "'", "'-3", "=x", None], dtype=object)
    assert list(restore_formula_text(cells)) == ["=1+1", "-2+3", "'plain", "'", "'-3", "=x", None]


def frame_with_everything() -> pd.DataFrame:
    """Risky and safe text beside negative, fractional and integer numbers."""
    texts = RISKY + SAFE_TEXT
    n = len(texts)
    return pd.DataFrame(
        {
            "text": texts,
            "number": [-3.5 if i % 2 else 1200.0 for i in range(n)],
            "count": pd.array([-(i + 1) for i in range(n)], dtype="Int64"),
        }
    )


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_cells_read_back() -> None:
    rows = csv_rows(to_csv_bytes(frame_with_everything()))
    assert rows[0] == ["text", "number", "count"]
    body = rows[1:]
    assert [r[0] for r in body] == ["'" + t for t in RISKY] + SAFE_TEXT
    assert [float(r[1]) for r in body] == [-3.5 if i % 2 else 1200.0 for i in range(len(body))]
    assert [int(r[2]) for r in body] == [-(i + 1) for i in range(len(body))]


def test_xlsx_cells_read_back() -> None:
    sheet = load_workbook(io.BytesIO(to_xlsx_bytes(frame_with_everything()))).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("text", "number", "count")
    assert [r[0] for r in rows[1:]] == ["'" + t for t in RISKY] + [t or None for t in SAFE_TEXT]
    assert [r[1] for r in rows[1:]] == [-3.5 if i % 2 else 1200 for i in range(len(rows) - 1)]
    assert [r[2] for r in rows[1:]] == [-(i + 1) for i in range(len(rows) - 1)]
    kinds = {cell.data_type for row in sheet.iter_rows(min_row=2) for cell in row[1:]}
    assert kinds == {"n"}  # numbers, negative ones too, are numeric cells
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_error_list_download() -> None:
    issues = [
        Issue("negative_value", "数值不能为负数", row=2, column="数值", value="-3"),
        Issue("unknown_indicator", "未知指标", row=3, column="指标", value="=HYPERLINK(1)"),
        Issue("bad_note", "@提示", row=4, column="备注", value="\t=x"),
    ]
    rows = csv_rows(issues_csv(issues))
    assert [r[:3] for r in rows[1:]] == [
        ["2", "数值", "-3"],
        ["3", "指标", "'=HYPERLINK(1)"],
        ["4", "备注", "'\t=x"],
    ]
    assert rows[3][3] == "'@提示"


def hostile_catalog() -> Catalog:
    category = CategorySpec("safety", "=安全", "Safety", 1)
    spec = IndicatorSpec(
        code="safety.x",
        category="safety",
        name_zh="=cmd|' /C calc'!A0",
        name_en="X",
        unit="@件",
        aggregation="sum",
        direction="up",
    )
    return Catalog(categories={"safety": category}, indicators={"safety.x": spec})


@pytest.mark.parametrize("layout", ["long", "wide"])
def test_template_downloads(layout: str) -> None:
    catalog = hostile_catalog()
    header, *body = csv_rows(template_bytes(catalog, layout, "csv"))
    row = dict(zip(header, body[0], strict=True))
    assert (row["类别"], row["指标"], row["单位"]) == ("'=安全", "'=cmd|' /C calc'!A0", "'@件")
    sheet = load_workbook(io.BytesIO(template_bytes(catalog, layout, "xlsx"))).active
    assert sheet is not None
    cells = list(sheet.iter_rows(values_only=True))
    row_x = dict(zip(cells[0], cells[1], strict=True))
    assert (row_x["类别"], row_x["指标"], row_x["单位"]) == (
        "'=安全",
        "'=cmd|' /C calc'!A0",
        "'@件",
    )


def load_text(engine: Engine, text: str) -> int:
    with write_session(engine) as session:
        result = load_file(session, text.encode("utf-8"), "f.csv", LoadOptions())
        assert result.status == "loaded", result.errors
        session.commit()
    assert result.batch_id is not None
    return result.batch_id


def test_batch_figure_list_download(sqlite_url: str) -> None:
    engine = get_engine(sqlite_url)
    batch = load_text(engine, "指标,年份,地区,数值,备注\n应急演练,2024,@东区,3,=HYPERLINK(1)\n")
    with read_session(engine) as session:
        figures = batch_figures(session, batch)
    header, *body = csv_rows(figures_csv(figures))
    row = dict(zip(header, body[0], strict=True))
    assert "'@东区" in row.values() and "'=HYPERLINK(1)" in row.values()
    assert "@东区" not in row.values() and "=HYPERLINK(1)" not in row.values()


def test_cli_export_csv_and_xlsx_cells(sqlite_url: str, tmp_path: Path) -> None:
    """The export through ``python -m etl``: text neutralised, figures numeric and exact."""
    source = tmp_path / "f.csv"
    source.write_text(
        "指标,年份,地区,数值,目标值,备注\n应急演练,2024,全市,3,5,=HYPERLINK(1)\n"
        "应急演练,2023,全市,2,,-1 场\n",
        encoding="utf-8",
    )
    assert etl(sqlite_url, "load", str(source)).returncode == 0
    out_csv, out_xlsx = tmp_path / "all.csv", tmp_path / "all.xlsx"
    assert etl(sqlite_url, "export", "--out", str(out_csv)).returncode == 0
    assert etl(sqlite_url, "export", "--format", "xlsx", "--out", str(out_xlsx)).returncode == 0
    header, *body = csv_rows(out_csv.read_bytes())
    by_year = {r[header.index("year")]: dict(zip(header, r, strict=True)) for r in body}
    assert by_year["2024"]["note"] == "'=HYPERLINK(1)"
    assert by_year["2023"]["note"] == "'-1 场"
    assert (by_year["2024"]["value"], by_year["2024"]["target"]) == ("3", "5")
    sheet = load_workbook(out_xlsx).active
    assert sheet is not None
    cells = list(sheet.iter_rows(values_only=True))
    rows = {r[cells[0].index("year")]: dict(zip(cells[0], r, strict=True)) for r in cells[1:]}
    assert rows[2024]["note"] == "'=HYPERLINK(1)" and rows[2023]["note"] == "'-1 场"
    assert (rows[2024]["value"], rows[2024]["target"], rows[2023]["target"]) == (3, 5, None)

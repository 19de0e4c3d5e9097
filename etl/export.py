"""Every figure in the long layout, as CSV (Excel-friendly), XLSX or JSON.

CSV is UTF-8 with a BOM so Excel on Chinese Windows opens it without mojibake. CSV and XLSX
cells go through :func:`etl.formula_safety.neutralise_frame`, so a spreadsheet never runs
text such as ``=HYPERLINK(…)`` (JSON is data for programs and is written as stored).

A worksheet holds at most 1,048,576 rows including its header; a larger XLSX export
continues on further sheets (``observations``, ``observations_2``, …), each with the
header. Loading reads one sheet at a time (``--sheet``), so CSV stays the format for
moving a whole large store.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pandas as pd
from sqlalchemy.orm import Session

from db.export_query import EXPORT_COLUMNS, export_frame
from etl.formula_safety import neutralise_frame
from etl.input_formats import INPUT_FORMATS
from etl.issues import UnknownFormatError, or_list

__all__ = [
    "EXPORT_COLUMNS",
    "TABLE_FORMATS",
    "XLSX_MAX_ROWS",
    "export_bytes",
    "export_frame",
    "to_csv_bytes",
    "to_json_bytes",
    "to_xlsx_bytes",
]

XLSX_MAX_ROWS = 1_048_576
"""Rows in one worksheet, the header included (Excel's limit, also LibreOffice's and WPS')."""


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    # %.15g: 34000 not 34000.0, 91.5 stays 91.5, no binary noise. CRLF line ends, as Excel
    # writes them, also make the csv module quote a cell holding a lone carriage return
    # (with "\n" alone it did not, and the cell broke the row in two).
    text = neutralise_frame(frame).to_csv(index=False, float_format="%.15g", lineterminator="\r\n")
    return text.encode("utf-8-sig")


def sheet_names(base: str, count: int) -> list[str]:
    """``base``, ``base_2``, … — at most 31 characters each, as Excel requires."""
    names = [base[:31]]
    for n in range(2, count + 1):
        suffix = f"_{n}"
        names.append(base[: 31 - len(suffix)] + suffix)
    return names


def _cells(frame: pd.DataFrame) -> Iterator[list[object]]:
    """Rows as plain Python values: NaN/NA become empty cells, numbers stay numbers."""
    columns = [frame[c].astype(object).to_numpy() for c in frame.columns]
    for row in zip(*columns, strict=True):
        yield [
            None if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) else v
            for v in row
        ]


def to_xlsx_bytes(
    frame: pd.DataFrame, sheet_name: str = "observations", *, max_rows: int | None = None
) -> bytes:
    """The frame as a workbook, split over as many sheets as ``max_rows`` (header included,
    default :data:`XLSX_MAX_ROWS`) requires. Written in openpyxl's streaming mode, so a
    million rows need no cell objects."""
    from openpyxl import Workbook

    max_rows = max_rows or XLSX_MAX_ROWS
    if max_rows < 2:
        raise ValueError("a sheet needs room for the header and one row")
    safe = neutralise_frame(frame)
    per_sheet = max_rows - 1
    count = max(1, math.ceil(len(safe) / per_sheet))
    book = Workbook(write_only=True)
    rows = _cells(safe)
    header = [str(c) for c in safe.columns]
    for index, name in enumerate(sheet_names(sheet_name, count)):
        sheet = book.create_sheet(name)
        sheet.append(header)
        for _ in range(min(per_sheet, len(safe) - index * per_sheet)):
            sheet.append(next(rows))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def to_json_bytes(frame: pd.DataFrame) -> bytes:
    records = json.loads(frame.to_json(orient="records", force_ascii=False))
    return json.dumps(records, ensure_ascii=False, indent=1).encode("utf-8")


@dataclass(frozen=True)
class TableFormat:
    """A file a table can be written as: adding a format is one entry in TABLE_FORMATS.

    ``write(frame, sheet_name)`` gives the bytes (the sheet name is for workbooks);
    ``binary`` files are never written to a terminal.
    """

    name: str
    media_type: str
    binary: bool
    write: Callable[[pd.DataFrame, str], bytes]

    @property
    def suffix(self) -> str:
        return f".{self.name}"


XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

TABLE_FORMATS: dict[str, TableFormat] = {
    f.name: f
    for f in (
        TableFormat(
            "xlsx", XLSX_MEDIA_TYPE, True, lambda frame, sheet: to_xlsx_bytes(frame, sheet)
        ),
        TableFormat("csv", "text/csv", False, lambda frame, _sheet: to_csv_bytes(frame)),
        TableFormat("json", "application/json", False, lambda frame, _sheet: to_json_bytes(frame)),
    )
}
"""The CLI's ``export --format`` choices; those we also read back are the template's."""


def table_format(name: str) -> TableFormat:
    """The table format called ``name``; raises UnknownFormatError for any other name."""
    if name not in TABLE_FORMATS:
        raise UnknownFormatError(
            f"未知的导出格式「{name}」，可用的格式：{or_list(list(TABLE_FORMATS))}"
            f" (unknown export format {name!r}; available: {', '.join(TABLE_FORMATS)})"
        )
    return TABLE_FORMATS[name]


def template_formats() -> list[str]:
    """Formats a batch template is offered in: the table formats loading reads back."""
    return [name for name, f in TABLE_FORMATS.items() if f.suffix in INPUT_FORMATS]


def export_bytes(session: Session, fmt: str) -> bytes:
    writer = table_format(fmt)  # before the (long) read: a wrong name fails at once
    return writer.write(export_frame(session), "observations")

"""Bytes → a raw table of text cells, with the row numbers the user sees in their file.

This is the only place in ``etl`` that knows about separators and workbooks; the encoding
policy it applies to text files lives in :mod:`etl.encoding`.
Everything after it works on :class:`RawTable`, whatever the file was. Reading never
guesses silently: a file that is not text in UTF-8/GB18030/UTF-16, nor a workbook we can
open, raises :class:`~etl.issues.UnreadableFileError` instead of producing mojibake.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from etl.encoding import SNIFF_BYTES, decode_text
from etl.issues import Issue, UnreadableFileError, warning
from etl.units import column_role, header_year

_FOOTER = re.compile(r"^\s*(注|备注|说明|来源|数据来源|资料来源|填报|填表|制表|审核)")
_SEPARATORS = (",", "\t", ";")


@dataclass
class RawTable:
    """A table exactly as the file has it: text cells, user row numbers, nothing interpreted.

    ``frame`` holds every cell as ``str`` or missing (pandas' string dtype, so a million
    rows stay compact); columns are the header cells as written (trimmed, repeats given a
    ``#2`` suffix, a blank header named ``第N列``). ``rows[i]`` is the row number the user
    sees for ``frame.iloc[i]``. ``preamble`` keeps the title lines above the header
    (normalisation takes a ``单位：万元`` line from there).
    """

    frame: pd.DataFrame
    rows: np.ndarray
    header_row: int
    encoding: str | None
    separator: str | None
    sheet: str | None
    warnings: list[Issue] = field(default_factory=list)
    preamble: list[str] = field(default_factory=list)


def read_table(data: bytes, filename: str, *, sheet: str | int | None = None) -> RawTable:
    """Read a batch file (``.csv``/``.txt``/``.tsv``, ``.xlsx``/``.xlsm``, ``.xls``)."""
    ext = Path(filename).suffix.lower()
    is_zip = data[:4] == b"PK\x03\x04"
    is_ole = data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    if ext in (".xlsx", ".xlsm", ".xls") or (
        ext in (".csv", ".txt", ".tsv") and (is_zip or is_ole)
    ):
        if ext not in (".xlsx", ".xlsm", ".xls") or (ext == ".xls" and is_zip):
            kind = "xlsx" if is_zip else "xls"
        else:
            kind = "xls" if ext == ".xls" else "xlsx"
        name, grid = (_read_xlsx if kind == "xlsx" else _read_xls)(data, sheet)
        return _from_grid(grid, sheet_name=name)
    if ext in (".csv", ".txt", ".tsv"):
        return _read_text(data)
    raise UnreadableFileError(
        f"不支持的文件类型「{ext or filename}」，请上传 .csv、.txt、.xlsx 或 .xls 文件。"
        f" (Unsupported file type {ext or filename!r}: upload .csv, .txt, .xlsx or .xls.)"
    )


# ---------------------------------------------------------------- text files


def _sniff_separator(lines: list[str]) -> str:
    """The separator that splits the most head lines into the same number (>1) of fields."""
    best, best_score = ",", (-1, -1)
    for sep in _SEPARATORS:
        counts = [len(r) for r in csv.reader(lines, delimiter=sep) if any(c.strip() for c in r)]
        wide = [c for c in counts if c > 1]
        if not wide:
            continue
        modal = max(set(wide), key=wide.count)
        score = (wide.count(modal), modal)
        if score > best_score:
            best, best_score = sep, score
    return best


def _find_header(records: Sequence[Sequence[str | None]]) -> int | None:
    """Index of the header record: the first with a recognisable indicator/year column."""
    fallback = None
    for i, rec in enumerate(records[:50]):
        cells = [str(c).strip() for c in rec if c is not None and str(c).strip()]
        if len(cells) < 2:
            continue
        if fallback is None:
            fallback = i
        if any(column_role(c)[0] in ("indicator", "year") or header_year(c) for c in cells):
            return i
    return fallback


def _read_text(data: bytes) -> RawTable:
    utf8, encoding = decode_text(data)
    head = utf8[:SNIFF_BYTES].decode("utf-8", "ignore")
    head_lines = head.splitlines(keepends=True)[:-1] or head.splitlines(keepends=True)
    sep = _sniff_separator(head_lines[:200])
    reader = csv.reader(head_lines, delimiter=sep)
    records, starts, line = [], [], 1
    for rec in reader:
        records.append(rec)
        starts.append(line)
        line = reader.line_num + 1
    h = _find_header(records)
    if h is None:
        return _empty(encoding, sep)
    header_line = starts[h]
    preamble = [sep.join(r).strip(sep + " ") for r in records[:h] if any(c.strip() for c in r)]
    frame = _read_arrow(utf8, sep, header_line - 1, len(records[h]))
    if frame is None:
        frame = _read_padded(utf8, sep, header_line - 1)
    n_lines = utf8.count(b"\n", _line_offset(utf8, header_line)) + (not utf8.endswith(b"\n"))
    if frame is None or len(frame) != n_lines:
        # Ragged rows or quoted line breaks: the csv module knows each record's line.
        frame, rows = _read_text_exact(utf8, sep, header_line)
    else:
        rows = np.arange(header_line, header_line + len(frame), dtype=np.int64)
    header = frame.iloc[0].tolist() if len(frame) else []
    frame = frame.iloc[1:].reset_index(drop=True)
    table = _finish(frame, rows[1:], header, header_line, encoding, sep, None)
    table.preamble = preamble
    return table


def _read_arrow(utf8: bytes, sep: str, skip: int, width: int) -> pd.DataFrame | None:
    """Arrow's multithreaded CSV reader, every cell as text; ``None`` for ragged rows.

    Blank lines stay as all-null rows so a row's position still gives its line number.
    """
    import pyarrow as pa
    from pyarrow import csv as pa_csv

    names = [f"c{i}" for i in range(width)]
    try:
        table = pa_csv.read_csv(
            io.BytesIO(utf8),
            read_options=pa_csv.ReadOptions(skip_rows=skip, column_names=names),
            parse_options=pa_csv.ParseOptions(
                delimiter=sep, ignore_empty_lines=False, newlines_in_values=b'"' in utf8
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.large_string()),
                strings_can_be_null=True,
                null_values=[""],
            ),
        )
    except pa.ArrowInvalid:
        return None
    text = pd.StringDtype("pyarrow", na_value=np.nan)
    frame = table.to_pandas(types_mapper=lambda t: text if pa.types.is_large_string(t) else None)
    frame.columns = range(width)
    return frame


def _read_padded(utf8: bytes, sep: str, skip: int) -> pd.DataFrame | None:
    """pandas' C reader pads short rows (a footer note in the first column)."""
    try:
        return pd.read_csv(
            io.BytesIO(utf8),
            sep=sep,
            header=None,
            skiprows=skip,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            skip_blank_lines=False,
            engine="c",
        )
    except (pd.errors.ParserError, ValueError):
        return None


def _line_offset(data: bytes, line: int) -> int:
    pos = 0
    for _ in range(line - 1):
        pos = data.index(b"\n", pos) + 1
    return pos


def _read_text_exact(utf8: bytes, sep: str, header_line: int) -> tuple[pd.DataFrame, np.ndarray]:
    text = utf8.decode("utf-8")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    records, rows, line = [], [], 1
    for rec in reader:
        if line >= header_line:
            records.append([c if c != "" else None for c in rec])
            rows.append(line)
        line = reader.line_num + 1
    width = max((len(r) for r in records), default=0)
    padded = [r + [None] * (width - len(r)) for r in records]
    frame = pd.DataFrame(padded, columns=range(width), dtype="str")
    return frame, np.asarray(rows, dtype=np.int64)


def _empty(encoding: str | None, sep: str | None, sheet: str | None = None) -> RawTable:
    return RawTable(pd.DataFrame(), np.empty(0, dtype=np.int64), 0, encoding, sep, sheet)


# ---------------------------------------------------------------- workbooks


def _number_text(value: float, number_format: str | None) -> str:
    """A numeric cell as the user sees it: ``2020`` not ``2020.0``, 0.923 in a % cell → ``92.3%``."""
    if number_format and "%" in number_format:
        return f"{float(value) * 100:.12g}%"
    if isinstance(value, int) or (float(value).is_integer() and abs(value) < 1e15):
        return str(int(value))
    return f"{value:.15g}"


def _cell_text(value: object, number_format: str | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return _number_text(value, number_format)
    if isinstance(value, (datetime.datetime, datetime.date)):
        return (
            value.date().isoformat() if isinstance(value, datetime.datetime) else value.isoformat()
        )
    text = str(value)
    return text if text.strip() else None


def _corrupt(kind: str, exc: Exception) -> UnreadableFileError:
    return UnreadableFileError(
        f"无法打开 {kind} 工作簿（文件可能已损坏或不是 Excel 文件）：{exc}"
        f" (Cannot open the {kind} workbook; it may be corrupt or not an Excel file.)"
    )


def _pick_sheet(names: list[str], sheet: str | int | None) -> int:
    if sheet is None:
        return 0
    if isinstance(sheet, int) and 0 <= sheet < len(names):
        return sheet
    if isinstance(sheet, str) and sheet in names:
        return names.index(sheet)
    raise UnreadableFileError(
        f"工作簿中没有工作表「{sheet}」，现有：{'、'.join(names)}。"
        f" (No sheet {sheet!r} in the workbook; it has: {', '.join(names)}.)"
    )


def _read_xlsx(data: bytes, sheet: str | int | None) -> tuple[str, list[tuple[int, list]]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken zip/XML
        raise _corrupt("xlsx", exc) from exc
    try:
        ws = book.worksheets[_pick_sheet(book.sheetnames, sheet)]
        ws.reset_dimensions()  # trust the cells, not a writer's stale <dimension>
        grid = []
        for number, cells in enumerate(ws.iter_rows(), start=1):
            row = next((c.row for c in cells if getattr(c, "row", None)), number)
            texts = [_cell_text(c.value, getattr(c, "number_format", None)) for c in cells]
            grid.append((row, texts))
        return ws.title, grid
    except UnreadableFileError:
        raise
    except Exception as exc:
        raise _corrupt("xlsx", exc) from exc
    finally:
        book.close()


def _read_xls(data: bytes, sheet: str | int | None) -> tuple[str, list[tuple[int, list]]]:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True)
    except Exception as exc:
        raise _corrupt("xls", exc) from exc
    ws = book.sheet_by_index(_pick_sheet(book.sheet_names(), sheet))
    grid = []
    for r in range(ws.nrows):
        texts: list[str | None] = []
        for c in range(ws.ncols):
            cell = ws.cell(r, c)
            if cell.ctype == xlrd.XL_CELL_NUMBER:
                fmt = book.format_map.get(book.xf_list[cell.xf_index].format_key)
                texts.append(_number_text(cell.value, fmt.format_str if fmt else None))
            elif cell.ctype == xlrd.XL_CELL_DATE:
                texts.append(xlrd.xldate_as_datetime(cell.value, book.datemode).date().isoformat())
            elif cell.ctype == xlrd.XL_CELL_BOOLEAN:
                texts.append("TRUE" if cell.value else "FALSE")
            elif cell.ctype == xlrd.XL_CELL_ERROR:
                texts.append(xlrd.error_text_from_code.get(cell.value, "#ERROR"))
            else:
                texts.append(_cell_text(cell.value, None))
        grid.append((r + 1, texts))
    return ws.name, grid


# ---------------------------------------------------------------- shared finishing


def _from_grid(grid: list[tuple[int, list[str | None]]], *, sheet_name: str) -> RawTable:
    """Build a table from workbook rows ``(excel_row_number, cells)``."""
    records = [cells for _row, cells in grid]
    h = _find_header(records)
    if h is None:
        return _empty(None, None, sheet_name)
    width = max(len(r) for r in records[h:])
    body = [r + [None] * (width - len(r)) for r in records[h + 1 :]]
    frame = pd.DataFrame(body, columns=range(width), dtype="str")
    rows = np.asarray([row for row, _ in grid[h + 1 :]], dtype=np.int64)
    header = records[h] + [None] * (width - len(records[h]))
    table = _finish(frame, rows, header, grid[h][0], None, None, sheet_name)
    table.preamble = [" ".join(c for c in r if c) for r in records[:h] if any(r)]
    return table


def _column_names(header: Sequence[object]) -> list[str]:
    names: list[str] = []
    seen: dict[str, int] = {}
    for i, cell in enumerate(header, start=1):
        text = (
            ""
            if cell is None or (isinstance(cell, float) and np.isnan(cell))
            else str(cell).strip()
        )
        base = text.lstrip("\ufeff") or f"第{i}列"
        seen[base] = seen.get(base, 0) + 1
        names.append(base if seen[base] == 1 else f"{base}#{seen[base]}")
    return names


def _finish(
    frame: pd.DataFrame,
    rows: np.ndarray,
    header: Sequence[object],
    header_row: int,
    encoding: str | None,
    sep: str | None,
    sheet: str | None,
) -> RawTable:
    """Name columns, drop blank rows, and drop (with a warning) footer notes at the end."""
    frame.columns = _column_names(header)
    if len(frame.columns) == 0:
        return RawTable(frame, rows, header_row, encoding, sep, sheet)
    # Narrow the candidates column by column: after the first (dense) column only the
    # few blank rows are left to look at.
    candidates = np.arange(len(frame))
    for col in frame.columns:
        s = frame[col].iloc[candidates] if len(candidates) < len(frame) else frame[col]
        empty = np.array(s.isna(), dtype=bool)
        filled = np.flatnonzero(~empty)
        if len(filled):
            empty[filled] = (s.iloc[filled].str.strip() == "").to_numpy(dtype=bool)
        candidates = candidates[empty]
        if not len(candidates):
            break
    blank = np.zeros(len(frame), dtype=bool)
    blank[candidates] = True
    issues: list[Issue] = []
    keep = ~blank
    for i in np.flatnonzero(keep)[::-1]:
        cells = [c for c in frame.iloc[i].tolist() if isinstance(c, str) and c.strip()]
        if not _FOOTER.match(cells[0]):
            break
        keep[i] = False
        issues.append(
            warning(
                "footer_skipped",
                f"表尾说明行未作为数据读取：「{' '.join(cells)[:80]}」",
                row=int(rows[i]),
                value=cells[0][:200],
            )
        )
    if not keep.all():
        frame = frame[keep].reset_index(drop=True)
        rows = rows[keep]
    return RawTable(frame, rows, header_row, encoding, sep, sheet, issues[::-1])

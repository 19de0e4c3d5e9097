"""Bytes → a raw table of text cells, with the row numbers the user sees in their file.

This is the only place in ``etl`` that knows about separators and workbooks; the encoding
policy it applies to text files lives in :mod:`etl.encoding`, the workbook cells in
:mod:`etl.read_xlsx`, the size limits in :mod:`etl.read_limits`.
Everything after it works on :class:`RawTable`, whatever the file was. Reading never
guesses silently: a file that is not text in UTF-8/GB18030/UTF-16, nor a workbook we can
open, raises :class:`~etl.issues.UnreadableFileError` instead of producing mojibake, and a
file past a limit is refused before any parser builds a table from it.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from etl.encoding import SNIFF_BYTES, decode_text
from etl.input_formats import INPUT_FORMATS, input_format, suffix_choices
from etl.issues import Issue, UnreadableFileError, warning
from etl.read_limits import ReadLimits, check_quoted_bytes, check_text
from etl.read_xlsx import SURVEY_ROWS, Grid, Workbook, open_workbook, pick_sheet, read_sheet
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
    sheet_index: int = 0  # a workbook's sheet, counting from 0


def read_table(
    data: bytes,
    filename: str,
    *,
    sheet: str | int | None = None,
    limits: ReadLimits | None = None,
) -> RawTable:
    """Read a batch file of a format in :data:`~etl.input_formats.INPUT_FORMATS`.

    ``sheet``: a workbook's sheet by name, 0-based index, or 1-based number as text (what
    ``--sheet 2`` gives). ``limits`` (default: the settings in force) bound what is read.
    """
    limits = limits or ReadLimits.from_env()
    kind = workbook_kind(data, filename)
    if kind is not None:
        return _read_workbook(data, kind, sheet, limits)
    ext = Path(filename).suffix.lower()
    given = input_format(ext)
    if given is not None and given.reader == "text":
        return _read_text(data, limits)
    raise UnreadableFileError(
        f"不支持的文件类型「{ext or filename}」，请上传 {suffix_choices()} 文件。"
        f" (Unsupported file type {ext or filename!r}: upload {', '.join(INPUT_FORMATS)}.)"
    )


def workbook_kind(data: bytes, filename: str) -> str | None:
    """``xlsx``/``xls`` when the bytes are a workbook (whatever the extension says), else None."""
    given = input_format(Path(filename).suffix)
    is_zip = data[:4] == b"PK\x03\x04"
    is_ole = data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    if given is None:
        return None
    if given.reader == "text":  # Excel's "save as CSV" forgotten: a workbook all the same
        return ("xlsx" if is_zip else "xls") if is_zip or is_ole else None
    return "xlsx" if given.reader == "xls" and is_zip else given.reader


def workbook_sheets(data: bytes, filename: str) -> list[tuple[str, bool]]:
    """A workbook's sheets in order, each with whether it holds a data table; [] for text.

    Only the first rows of each sheet are read, so this is cheap even for big workbooks;
    the upload page offers the sheets to choose from.
    """
    kind = workbook_kind(data, filename)
    if kind is None:
        return []
    limits = ReadLimits.from_env()
    book = open_workbook(data, kind, limits)
    try:
        return [
            (name, _has_table(read_sheet(book, i, limits, first=SURVEY_ROWS)))
            for i, name in enumerate(book.names)
        ]
    finally:
        book.close()


def _read_workbook(data: bytes, kind: str, sheet: str | int | None, limits: ReadLimits) -> RawTable:
    book = open_workbook(data, kind, limits)
    try:
        index = pick_sheet(book.names, sheet)
        grid = read_sheet(book, index, limits)
        if sheet is None and len(book.names) > 1 and not _has_table(grid):
            _refuse_empty_first_sheet(book, limits)
        table = _from_grid(grid, sheet_name=book.names[index])
        table.sheet_index = index
        return table
    finally:
        book.close()


def _refuse_empty_first_sheet(book: Workbook, limits: ReadLimits) -> None:
    """A first sheet of prose (说明) with the data on later sheets: say which and how to pick.

    Not guessed: which of several data sheets is meant is the user's call.
    """
    full = [
        name
        for i, name in enumerate(book.names[1:], start=1)
        if _has_table(read_sheet(book, i, limits, first=SURVEY_ROWS))
    ]
    if not full:
        return
    listed = "、".join(f"「{n}」" for n in full)
    raise UnreadableFileError(
        f"第一个工作表「{book.names[0]}」中没有数据表；有数据的工作表：{listed}。"
        f"请在命令行用 --sheet {full[0]} 指定，或在「数据上传」页面的「工作表」中选择。"
        f" (The first sheet {book.names[0]!r} holds no data table; sheets with data: "
        f"{', '.join(full)}. Pick one with --sheet {full[0]!r}, or under 工作表 on the "
        "upload page.)"
    )


def _has_table(grid: Grid) -> bool:
    """Whether rows hold a header with an indicator or year column and a row below it."""
    records = [cells for _row, cells in grid]
    h = _find_header(records, strict=True)
    return h is not None and any(
        any(c is not None and c.strip() for c in r) for r in records[h + 1 :]
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


def _find_header(records: Sequence[Sequence[str | None]], *, strict: bool = False) -> int | None:
    """Index of the header record: the first with a recognisable indicator/year column,
    else (unless ``strict``) the first with two cells."""
    fallback = None
    for i, rec in enumerate(records[:50]):
        cells = [str(c).strip() for c in rec if c is not None and str(c).strip()]
        if len(cells) < 2:
            continue
        if fallback is None:
            fallback = i
        if any(column_role(c)[0] in ("indicator", "year") or header_year(c) for c in cells):
            return i
    return None if strict else fallback


def _read_text(data: bytes, limits: ReadLimits) -> RawTable:
    utf8, encoding = decode_text(data)
    head = utf8[:SNIFF_BYTES].decode("utf-8", "ignore")
    head_lines = head.splitlines(keepends=True)[:-1] or head.splitlines(keepends=True)
    sep = _sniff_separator(head_lines[:200])
    check_text(utf8, sep, limits)  # before any parser sees a line
    if b'"' in utf8:
        check_quoted_bytes(utf8, sep, limits)
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


# ---------------------------------------------------------------- shared finishing


def _from_grid(grid: Grid, *, sheet_name: str) -> RawTable:
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

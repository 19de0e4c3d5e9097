"""Workbooks (``.xlsx`` through openpyxl, legacy ``.xls`` through xlrd) → rows of text cells.

Rows stream from the sheet and each is checked against the reading limits before it is
kept (:class:`etl.read_limits.RowGuard`): the sheet's declared dimension is never trusted.
Cells become the text the user sees in Excel: ``2020`` not ``2020.0``, ``92.3%`` for a
percent cell, and a date cell formatted to show only its year (``yyyy"年"``) is that year.
"""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from etl.issues import UnreadableFileError
from etl.read_limits import ReadLimits, RowGuard

Grid = list[tuple[int, list[str | None]]]  # (row number as Excel shows it, cells)

_LITERALS = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')
SURVEY_ROWS = 60  # enough to find a header below a title block


def _year_only(number_format: str | None) -> bool:
    """Whether a date format shows nothing but the year (``yyyy``, ``yyyy"年"``)."""
    if not number_format:
        return False
    codes = _LITERALS.sub("", number_format.split(";")[0]).lower()
    return "y" in codes and not re.search(r"[mdhs]", codes)


def _date_text(value: datetime.date, number_format: str | None) -> str:
    """A date as the sheet shows it when that is a year (``2019年``), else ISO."""
    if _year_only(number_format):
        return f"{value.year}年" if "年" in (number_format or "") else str(value.year)
    day = value.date() if isinstance(value, datetime.datetime) else value
    return day.isoformat()


def number_text(value: float, number_format: str | None) -> str:
    """A numeric cell as the user sees it: ``2020`` not ``2020.0``, 0.923 in a % cell → ``92.3%``."""
    if number_format and "%" in number_format:
        return f"{float(value) * 100:.12g}%"
    if isinstance(value, int) or (float(value).is_integer() and abs(value) < 1e15):
        return str(int(value))
    return f"{value:.15g}"


def cell_text(value: object, number_format: str | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return number_text(value, number_format)
    if isinstance(value, (datetime.datetime, datetime.date)):
        return _date_text(value, number_format)
    text = str(value)
    return text if text.strip() else None


def _corrupt(kind: str, exc: Exception) -> UnreadableFileError:
    return UnreadableFileError(
        f"无法打开 {kind} 工作簿（文件可能已损坏或不是 Excel 文件）：{exc}"
        f" (Cannot open the {kind} workbook; it may be corrupt or not an Excel file.)"
    )


def pick_sheet(names: list[str], sheet: str | int | None) -> int:
    """The index of ``sheet``: a name, a 0-based index, or a 1-based number as text (what a
    user types after ``--sheet``) when no sheet has that name."""
    if sheet is None:
        return 0
    if isinstance(sheet, str) and sheet in names:
        return names.index(sheet)
    index = int(sheet) - 1 if isinstance(sheet, str) and sheet.strip().isdigit() else sheet
    if isinstance(index, int) and 0 <= index < len(names):
        return index
    raise UnreadableFileError(
        f"工作簿中没有工作表「{sheet}」，现有：{'、'.join(names)}。"
        f" (No sheet {sheet!r} in the workbook; it has: {', '.join(names)}.)"
    )


@dataclass
class Workbook:
    """An open workbook: its sheet names and a way to stream one sheet's rows."""

    kind: str  # xlsx | xls
    names: list[str]
    book: object

    def rows(self, index: int) -> Iterator[tuple[int, list[str | None]]]:
        """``(row number, cells)`` of the sheet's non-blank rows, trailing blanks cut."""
        yield from (_xlsx_rows if self.kind == "xlsx" else _xls_rows)(self.book, index)

    def close(self) -> None:
        if self.kind == "xlsx":
            self.book.close()  # type: ignore[attr-defined]
        else:
            self.book.release_resources()  # type: ignore[attr-defined]


def _load_unsized(data: bytes) -> object:
    """openpyxl's read-only workbook, minus its look at each sheet's size.

    ``load_workbook(read_only=True)`` parses every sheet once just to find ``<dimension>``
    — the whole sheet when that element is missing, before a single row is read (minutes
    for 400k rows). Rows are counted as they stream here instead, so the look is skipped;
    chart sheets, which hold no cells, are left out.
    """
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    class UnsizedSheet(ReadOnlyWorksheet):
        def _get_size(self) -> None:
            return None

    class Reader(ExcelReader):
        def read_worksheets(self) -> None:
            for sheet, rel in self.parser.find_sheets():
                if rel.target in self.valid_files and "chartsheet" not in rel.Type:
                    ws = UnsizedSheet(self.wb, sheet.name, rel.target, self.shared_strings)
                    ws.sheet_state = sheet.state
                    self.wb._sheets.append(ws)

    reader = Reader(io.BytesIO(data), read_only=True, data_only=True)
    reader.read()
    return reader.wb


def check_inflated_size(data: bytes, limits: ReadLimits) -> None:
    """Refuse an ``.xlsx`` whose parts read whole would inflate past the cell limit's budget,
    from the zip's directory alone, before anything is inflated.

    openpyxl reads the shared text table (every text cell's text), the styles and the theme
    in one piece when the workbook opens, before a single row streams, so the row and cell
    counts come too late: a 3.7 MB file whose table inflated to 948 MB took 99 s and 1.5 GB
    to load. Worksheets are left out: they stream and are counted (:func:`_count_xml`).
    Python's ``zipfile`` stops inflating a member at its declared size, so a size that lies
    low only cuts the XML short (a corrupt file), never reads more than was checked.
    """
    from openpyxl.packaging.manifest import Manifest
    from openpyxl.xml.constants import ARC_CONTENT_TYPES, WORKSHEET_TYPE
    from openpyxl.xml.functions import fromstring

    budget = limits.whole_parts_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        manifest = archive.getinfo(ARC_CONTENT_TYPES)
        if manifest.file_size > budget:  # read whole to learn which parts are sheets
            raise limits.parts_too_big(manifest.filename, manifest.file_size)
        package = Manifest.from_tree(fromstring(archive.read(manifest)))
        sheets = {
            part.PartName[1:] for part in package.Override if part.ContentType == WORKSHEET_TYPE
        }
        whole = [info for info in archive.infolist() if info.filename not in sheets]
    inflated = sum(info.file_size for info in whole)
    if inflated > budget:
        largest = max(whole, key=lambda info: info.file_size)
        raise limits.parts_too_big(largest.filename, inflated)


def open_workbook(data: bytes, kind: str, limits: ReadLimits) -> Workbook:
    if kind == "xlsx":
        try:
            check_inflated_size(data, limits)
            book = _load_unsized(data)
        except UnreadableFileError:
            raise
        except Exception as exc:  # openpyxl raises many types for a broken zip/XML
            raise _corrupt("xlsx", exc) from exc
        return Workbook("xlsx", list(book.sheetnames), book)  # type: ignore[attr-defined]
    import xlrd

    try:
        xbook = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True)
    except Exception as exc:
        raise _corrupt("xls", exc) from exc
    return Workbook("xls", list(xbook.sheet_names()), xbook)


def _trimmed(texts: list[str | None]) -> list[str | None]:
    end = len(texts)
    while end and texts[end - 1] is None:
        end -= 1
    return texts[:end]


def _xlsx_rows(book: object, index: int) -> Iterator[tuple[int, list[str | None]]]:
    ws = book.worksheets[index]  # type: ignore[attr-defined]
    ws.reset_dimensions()  # trust the cells, not a writer's stale (or hostile) <dimension>
    for number, cells in enumerate(ws.iter_rows(), start=1):
        texts = _trimmed([cell_text(c.value, getattr(c, "number_format", None)) for c in cells])
        if texts:
            row = next((c.row for c in cells if getattr(c, "row", None)), number)
            yield row, texts


def _xls_rows(book: object, index: int) -> Iterator[tuple[int, list[str | None]]]:
    ws = book.sheet_by_index(index)  # type: ignore[attr-defined]
    for r in range(ws.nrows):
        texts: list[str | None] = []
        for cell in ws.row(r):
            texts.append(_xls_cell(book, cell))
        texts = _trimmed(texts)
        if texts:
            yield r + 1, texts


def _xls_cell(book: object, cell: object) -> str | None:
    import xlrd

    kind, value = cell.ctype, cell.value  # type: ignore[attr-defined]
    if kind in (xlrd.XL_CELL_NUMBER, xlrd.XL_CELL_DATE):
        xf = book.xf_list[cell.xf_index]  # type: ignore[attr-defined]
        fmt = book.format_map.get(xf.format_key)  # type: ignore[attr-defined]
        fmt_text = fmt.format_str if fmt else None
        if kind == xlrd.XL_CELL_DATE:
            when = xlrd.xldate_as_datetime(value, book.datemode)  # type: ignore[attr-defined]
            return _date_text(when, fmt_text)
        return number_text(value, fmt_text)
    if kind == xlrd.XL_CELL_BOOLEAN:
        return "TRUE" if value else "FALSE"
    if kind == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(value, "#ERROR")
    return cell_text(value, None)


def read_sheet(book: Workbook, index: int, limits: ReadLimits, *, first: int | None = None) -> Grid:
    """Non-blank rows of one sheet (only the ``first`` few when given: enough to tell
    whether it holds a table), each checked against ``limits`` before it is kept."""
    guard = RowGuard(limits)
    grid: Grid = []
    try:
        if book.kind == "xlsx" and first is None:
            _count_xml(book, index, limits)
        for row, texts in book.rows(index):
            guard.row(row, texts)
            grid.append((row, texts))
            if first is not None and len(grid) >= first:
                break
    except UnreadableFileError:
        raise
    except Exception as exc:
        raise _corrupt(book.kind, exc) from exc
    return grid


_SHEET_DATA = re.compile(rb"<(\w+:)?sheetData[\s>/]")


def _count_xml(book: Workbook, index: int, limits: ReadLimits) -> None:
    """Count a sheet's ``<row>`` and ``<c>`` elements in its raw XML before openpyxl parses it.

    openpyxl reads some tens of thousands of cells a second, so a workbook past the row
    or cell limit would take minutes to refuse by streaming alone; inflating and counting
    tags runs at C speed, in 1 MB pieces (bounded memory whatever the sheet's size).
    """
    ws = book.book.worksheets[index]  # type: ignore[attr-defined]
    archive = book.book._archive  # type: ignore[attr-defined]
    rows = cells = 0
    prefix: bytes | None = None
    carry = b""
    with archive.open(ws._worksheet_path) as src:
        while piece := src.read(1 << 20):
            buf = carry + piece
            cut = buf.rfind(b"<")  # no counted tag name spans a "<": cut before the last
            buf, carry = (buf[:cut], buf[cut:]) if cut > 0 else (buf, b"")
            if prefix is None:
                found = _SHEET_DATA.search(buf)
                if found is None:
                    continue
                prefix = found[1] or b""
                buf = buf[found.end() :]
            row, cell = b"<" + prefix + b"row", b"<" + prefix + b"c"
            rows += buf.count(row + b" ") + buf.count(row + b">")
            cells += buf.count(cell + b" ") + buf.count(cell + b">")
            if rows > limits.max_rows:
                raise limits.too_many_rows(limits.max_rows + 1)
            if cells > limits.max_cells:
                raise limits.too_many_cells(rows, cells)

"""How big a batch file may be, checked while it is read — never trusted from the file.

A workbook's declared dimension and a text file's first lines say nothing reliable about
the rest: a 1.6 KB ``.xlsx`` whose only cell sits at XFD1048576 once drove a load to
23.7 GB, and one CSV row with a million commas ran for minutes. So the readers count rows,
columns and cell lengths as they stream and stop at the first one past a limit, with a
message naming where in the file (row as the user sees it) and which setting raises it.

The limits are settings (environment variables, see the README's "Settings"); the app's
settings table (``ui/settings.py``) lists these rows too. ``etl`` may not import ``ui``,
so the few lines that read the environment live here.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from etl.issues import UnreadableFileError

#: (name, environment variable, default, help) — one row per limit.
LIMIT_SETTINGS: tuple[tuple[str, str, int, str], ...] = (
    (
        "max_rows",
        "TQI_MAX_ROWS",
        1_048_576,
        "Most rows (lines) a batch file or sheet may have, title rows included; "
        "the default is what an Excel sheet holds.",
    ),
    (
        "max_columns",
        "TQI_MAX_COLUMNS",
        256,
        "Most columns a batch file may have (a wide layout needs one per year).",
    ),
    (
        "max_cell_chars",
        "TQI_MAX_CELL_CHARS",
        32_767,
        "Longest cell, in characters; the default is what an Excel cell holds.",
    ),
    (
        "max_cells",
        "TQI_MAX_CELLS",
        8_000_000,
        "Most cells (rows × columns) a batch file may have: about 1.5 GB of peak memory "
        "through the whole load (1,000,000 rows × 5 columns peaks near 950 MB).",
    ),
)


#: Bytes of a workbook's whole-read parts allowed per cell of ``max_cells`` (a text cell's
#: shared string with its XML tags), on top of a floor for the parts every workbook has
#: whatever its size (styles, theme, properties): see :meth:`ReadLimits.whole_parts_bytes`.
WHOLE_PART_BYTES_PER_CELL = 64
WHOLE_PART_FLOOR_BYTES = 16 * 2**20


class LimitExceededError(UnreadableFileError):
    """A file past one of the reading limits (CLI exit 2, like any unreadable file)."""


def parse_limit(text: str) -> int:
    """A limit's environment value: a positive whole number (``1_000_000`` allowed)."""
    try:
        value = int(text.strip())
    except ValueError:
        raise ValueError(f"expected a whole number, got {text!r}") from None
    if value <= 0:
        raise ValueError(f"expected a positive number, got {text!r}")
    return value


@dataclass(frozen=True)
class ReadLimits:
    max_rows: int = LIMIT_SETTINGS[0][2]
    max_columns: int = LIMIT_SETTINGS[1][2]
    max_cell_chars: int = LIMIT_SETTINGS[2][2]
    max_cells: int = LIMIT_SETTINGS[3][2]

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ReadLimits:
        """The limits in force: each variable when set, else its default."""
        env = os.environ if env is None else env
        values: dict[str, int] = {}
        for name, var, _default, _help in LIMIT_SETTINGS:
            raw = env.get(var, "").strip()
            if raw:
                try:
                    values[name] = parse_limit(raw)
                except ValueError as exc:
                    raise LimitExceededError(
                        f"设置 {var} 的值无效：{exc}。 (Setting {var} is invalid: {exc}.)"
                    ) from None
        return cls(**values)

    # ------------------------------------------------------------------ refusals

    def too_many_rows(self, row: int) -> LimitExceededError:
        return LimitExceededError(
            f"文件超过 {self.max_rows:,} 行（第 {row:,} 行已超出），未读取；请拆分文件，"
            f"或调大 TQI_MAX_ROWS。 (The file has more than {self.max_rows:,} rows — row "
            f"{row:,} is past the limit; split it, or raise TQI_MAX_ROWS.)"
        )

    def too_many_columns(self, row: int, columns: int) -> LimitExceededError:
        return LimitExceededError(
            f"第 {row:,} 行有 {columns:,} 列，超过上限 {self.max_columns:,} 列，未读取；"
            f"请删去多余的列，或调大 TQI_MAX_COLUMNS。 (Row {row:,} has {columns:,} columns, "
            f"more than the limit of {self.max_columns:,}; remove the extra columns, or "
            "raise TQI_MAX_COLUMNS.)"
        )

    def cell_too_long(
        self, row: int, column: int, chars: int, *, at_least: bool = False
    ) -> LimitExceededError:
        zh, en = ("至少 ", "at least ") if at_least else ("", "")
        return LimitExceededError(
            f"第 {row:,} 行第 {column:,} 列的单元格长达{zh} {chars:,} 个字符，超过上限 "
            f"{self.max_cell_chars:,}，未读取；请检查该单元格（或调大 TQI_MAX_CELL_CHARS）。"
            f" (The cell in row {row:,}, column {column:,} holds {en}{chars:,} characters, more "
            f"than the limit of {self.max_cell_chars:,}; check it, or raise "
            "TQI_MAX_CELL_CHARS.)"
        )

    def too_many_cells(self, row: int, cells: int) -> LimitExceededError:
        return LimitExceededError(
            f"文件到第 {row:,} 行已有约 {cells:,} 个单元格，超过上限 {self.max_cells:,}，"
            f"未读取；请拆分文件，或调大 TQI_MAX_CELLS。 (By row {row:,} the file holds about "
            f"{cells:,} cells, more than the limit of {self.max_cells:,}; split it, or raise "
            "TQI_MAX_CELLS.)"
        )

    def whole_parts_bytes(self) -> int:
        """Most bytes a workbook's parts that are read whole may inflate to, together.

        Those parts (the shared text table above all: every text cell's text, read in one
        piece when the workbook opens) hold about what the file's cells hold, so the budget
        follows the cell limit: 64 bytes a cell on top of 16 MB for styles, theme and the
        like, which a small limit must not refuse (504 MB at the default).
        """
        return WHOLE_PART_FLOOR_BYTES + self.max_cells * WHOLE_PART_BYTES_PER_CELL

    def parts_too_big(self, largest: str, inflated: int) -> LimitExceededError:
        mb, budget = inflated / 2**20, self.whole_parts_bytes() / 2**20
        return LimitExceededError(
            f"工作簿解压后需整体读入的部分共约 {mb:,.0f} MB（最大的是 {largest}），超过按单元格"
            f"上限 {self.max_cells:,} 计的 {budget:,.0f} MB，未读取；文件可能已损坏或被构造过，"
            f"请检查，或调大 TQI_MAX_CELLS。 (The parts of this workbook read whole would "
            f"inflate to about {mb:,.0f} MB — the largest is {largest} —, more than the "
            f"{budget:,.0f} MB the cell limit of {self.max_cells:,} allows; the file may be "
            "corrupt or crafted. Check it, or raise TQI_MAX_CELLS.)"
        )


class RowGuard:
    """Counts a workbook's rows as they stream and refuses the first one past a limit."""

    def __init__(self, limits: ReadLimits) -> None:
        self.limits = limits
        self.width = 0
        self.rows = 0

    def row(self, number: int, cells: list[str | None]) -> None:
        """Check one kept row (``number`` as Excel shows it) before it is stored."""
        limits = self.limits
        if number > limits.max_rows:
            raise limits.too_many_rows(number)
        width = len(cells)
        if width > limits.max_columns:
            raise limits.too_many_columns(number, width)
        for column, text in enumerate(cells, start=1):
            if text is not None and len(text) > limits.max_cell_chars:
                raise limits.cell_too_long(number, column, len(text))
        self.rows += 1
        self.width = max(self.width, width)
        if self.rows * self.width > limits.max_cells:
            raise limits.too_many_cells(number, self.rows * self.width)


# ------------------------------------------------------------------------- text files

_CHUNK = 1 << 23  # 8 MB: a scan step, unless the longest allowed line is longer


def check_text(utf8: bytes, sep: str, limits: ReadLimits) -> None:
    """Refuse a UTF-8 text table past a limit, scanning its bytes in bounded, line-aligned
    windows (vectorised: the 1M-row benchmark file costs about 0.1 s).

    Without a quote character the lines, separators and cells seen here are exactly the
    parser's. With quotes, a separator or line break inside a quoted cell does not split
    it, so here only lines are bounded and :func:`check_quoted` counts exactly.
    """
    quoted = b'"' in utf8
    data = np.frombuffer(utf8, dtype=np.uint8)
    mark = np.uint8(ord(sep))
    longest = limits.max_columns * (4 * limits.max_cell_chars + 1)  # bytes in a line
    line, width, pos = 1, 0, 0
    while pos < len(data):
        for window in (_CHUNK, max(_CHUNK, longest)):
            chunk = data[pos : pos + window]
            breaks = np.flatnonzero(chunk == 10)
            at_end = pos + len(chunk) >= len(data)
            if len(breaks) or at_end:
                break
        if len(breaks) and not at_end:
            chunk = chunk[: breaks[-1] + 1]
        pos += len(chunk)
        if line + len(breaks) - (chunk[-1] == 10) > limits.max_rows:
            raise limits.too_many_rows(limits.max_rows + 1)
        if not quoted:
            cut = not at_end and chunk[-1] != 10  # the window ends inside a line
            width = max(width, _check_cells(utf8, chunk, pos - len(chunk), mark, line, limits, cut))
        if not len(breaks) and not at_end:  # a line longer than any the limits allow
            raise limits.cell_too_long(line, 1, len(chunk) // 4)
        line += len(breaks)
        rows = line - 1 if chunk[-1] == 10 else line  # lines seen so far
        if rows * width > limits.max_cells:
            raise limits.too_many_cells(rows, rows * width)


def _check_cells(
    utf8: bytes,
    chunk: np.ndarray,
    offset: int,
    mark: np.uint8,
    line: int,
    limits: ReadLimits,
    cut: bool = False,
) -> int:
    """Columns and cell lengths of the lines in ``chunk`` (no quotes); the widest line.

    ``cut``: the chunk ends inside an overlong line, so its last cell is longer still."""
    is_break = chunk == 10
    delims = np.flatnonzero(is_break | (chunk == mark))
    bounds = np.concatenate(([-1], delims, [len(chunk)]))
    runs = np.diff(bounds) - 1  # bytes of each cell
    for k in np.flatnonzero(runs > limits.max_cell_chars):  # bytes ≥ characters: decode
        first, last = offset + int(bounds[k]) + 1, offset + int(bounds[k + 1])
        chars = len(utf8[first:last].decode("utf-8", "replace").rstrip("\r"))
        if chars > limits.max_cell_chars:
            before = chunk[: int(bounds[k]) + 1]
            row = line + int(np.count_nonzero(before == 10))
            start = int(np.flatnonzero(before == 10)[-1]) + 1 if row > line else 0
            column = int(np.count_nonzero(before[start:] == mark)) + 1
            raise limits.cell_too_long(row, column, chars, at_least=cut and k == len(runs) - 1)
    sep_seen = np.cumsum(~is_break[delims])  # separators up to each delimiter
    total = int(sep_seen[-1]) if len(sep_seen) else 0
    ends = np.concatenate(([0], sep_seen[is_break[delims]], [total]))
    counts = np.diff(ends) + 1  # fields per line; the last entry is text after the last break
    if chunk[-1] == 10:
        counts = counts[:-1]
    widest = int(counts.max()) if len(counts) else 0
    if widest > limits.max_columns:
        at = int(np.argmax(counts > limits.max_columns))
        raise limits.too_many_columns(line + at, int(counts[at]))
    return widest


def check_quoted(text_lines: Iterable[str], sep: str, limits: ReadLimits) -> None:
    """The exact check of a text table with quotes, record by record as ``csv`` reads it."""
    reader = csv.reader(text_lines, delimiter=sep)
    width = rows = 0
    try:
        for record in reader:
            rows += 1
            line = reader.line_num
            if line > limits.max_rows:
                raise limits.too_many_rows(line)
            if len(record) > limits.max_columns:
                raise limits.too_many_columns(line, len(record))
            for column, cell in enumerate(record, start=1):
                if len(cell) > limits.max_cell_chars:
                    raise limits.cell_too_long(line, column, len(cell))
            width = max(width, len(record))
            if rows * width > limits.max_cells:
                raise limits.too_many_cells(line, rows * width)
    except csv.Error as exc:  # the csv module's own field limit (131,072) came first
        if "field larger" not in str(exc):
            raise
        raise limits.cell_too_long(reader.line_num, 1, csv.field_size_limit()) from None


def check_quoted_bytes(utf8: bytes, sep: str, limits: ReadLimits) -> None:
    """:func:`check_quoted` of a UTF-8 text table, vectorised when the quoting is regular.

    The record-by-record ``csv`` pass cost ~3.5 s of a 1M-row load whose file has one
    quoted name (``"两客一危"…``). When every quote opens or closes a cell (or doubles
    one inside it), a separator or line break is inside a cell exactly when an odd number
    of quotes precede it, so counting is array work. That pass only ever *accepts*: any
    irregular quote, lone carriage return, NUL, or a count near a limit falls back to the
    exact check, so a refusal always carries the exact row, column and message.
    """
    if not _regular_within_limits(np.frombuffer(utf8, dtype=np.uint8), ord(sep), limits):
        check_quoted(io.TextIOWrapper(io.BytesIO(utf8), encoding="utf-8", newline=""), sep, limits)


def _regular_within_limits(data: np.ndarray, sep: int, limits: ReadLimits) -> bool:
    """True when the whole table is regularly quoted and clearly inside every limit.

    Scanned in windows of about ``_CHUNK`` bytes, each cut after a line break outside any
    quote, so records never span windows. Lengths are counted in bytes (≥ characters,
    quotes included): only ever an over-estimate.
    """
    longest = min(limits.max_cell_chars, csv.field_size_limit())
    width = rows = pos = 0
    while pos < len(data):
        window = data[pos : pos + _CHUNK]
        quotes = np.flatnonzero(window == 34)
        if pos + len(window) < len(data):
            breaks = np.flatnonzero(window == 10)
            outside = breaks[np.searchsorted(quotes, breaks) % 2 == 0]
            if not len(outside):
                return False  # one record longer than a window: let the exact check judge
            window = window[: outside[-1] + 1]
            quotes = quotes[quotes < len(window)]
        pos += len(window)
        if not _regular_quotes(window, quotes, sep):
            return False
        delims = np.flatnonzero((window == sep) | (window == 10))
        delims = delims[np.searchsorted(quotes, delims) % 2 == 0]  # outside quotes only
        is_break = window[delims] == 10
        bounds = np.concatenate(([-1], delims, [len(window)]))
        if len(bounds) > 1 and int((np.diff(bounds) - 1).max()) > longest:
            return False
        sep_seen = np.concatenate(([0], np.cumsum(~is_break)))
        ends = sep_seen[np.concatenate(([0], np.flatnonzero(is_break) + 1, [len(delims)]))]
        counts = np.diff(ends) + 1  # fields per record (the last: text after the last break)
        if window[-1] == 10:
            counts = counts[:-1]
        rows += len(counts)
        width = max(width, int(counts.max()) if len(counts) else 0)
        if width > limits.max_columns or rows > limits.max_rows or rows * width > limits.max_cells:
            return False
    return True


def _regular_quotes(window: np.ndarray, quotes: np.ndarray, sep: int) -> bool:
    """Every quote opens a cell, closes one, or is half of a doubled quote inside one; no
    NUL and no carriage return outside a CRLF (the ``csv`` module reads those otherwise)."""
    if len(quotes) % 2 or np.count_nonzero(window == 0):
        return False
    returns = np.flatnonzero(window == 13)
    if len(returns) and (returns[-1] + 1 >= len(window) or (window[returns + 1] != 10).any()):
        return False
    opens, closes = quotes[0::2], quotes[1::2]
    before = window[np.maximum(opens - 1, 0)]
    doubled_open = np.isin(opens - 1, closes)
    if not ((opens == 0) | (before == sep) | (before == 10) | doubled_open).all():
        return False
    after = window[np.minimum(closes + 1, len(window) - 1)]
    at_end = closes + 1 >= len(window)
    doubled_close = np.isin(closes + 1, opens)
    return bool((at_end | (after == sep) | (after == 10) | (after == 13) | doubled_close).all())

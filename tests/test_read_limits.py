"""Reading limits while streaming a batch file (rows, columns, cell length, cells): a file
over a limit is refused before it is all read, whatever its layout."""

from __future__ import annotations

import re

import pytest

from etl.issues import UnreadableFileError
from etl.read import read_table
from etl.read_limits import LimitExceededError, ReadLimits
from tests.test_read import LONG, xlsx

SMALL = ReadLimits(max_rows=4, max_columns=3, max_cell_chars=5, max_cells=9)


def _text(rows: list[list[str]], quoted: bool) -> bytes:
    q = '"' if quoted else ""
    return "".join(",".join(f"{q}{c}{q}" for c in r) + "\n" for r in rows).encode()


def _book(rows: list[list[str]]) -> bytes:
    return xlsx(rows)


READERS = {
    "csv": lambda rows: (_text(rows, False), "a.csv"),
    "csv-quoted": lambda rows: (_text(rows, True), "a.csv"),
    "xlsx": lambda rows: (_book(rows), "a.xlsx"),
}


@pytest.mark.parametrize("kind", READERS)
@pytest.mark.parametrize(
    ("rows", "refused"),
    [
        ([["指标", "年份", "数值"]] + [["a", "2020", "1"]] * 2, None),  # 3 rows × 3 = 9 cells
        ([["指标", "年份"]] + [["a", "2020"]] * 3, None),  # 4 rows, 8 cells: at the limits
        ([["指标", "年份"]] + [["a", "2020"]] * 4, "超过 4 行（第 5 行"),
        ([["指标", "年份"], ["a", "2020", "1", "2"]], "第 2 行有 4 列"),
        ([["指标", "年份"], ["一二三四五", "2020"]], None),  # 5 characters (15 bytes)
        ([["指标", "年份"], ["a", "一二三四五六"]], "第 2 行第 2 列的单元格长达 6 个字符"),
        ([["指标", "年份", "数值"]] + [["a", "2020", "1"]] * 3, "个单元格，超过上限 9"),
    ],
    ids=["cells-at-limit", "rows-at-limit", "rows", "columns", "cell-at-limit", "cell", "cells"],
)
def test_reading_limits_are_checked_while_streaming(
    kind: str, rows: list[list[str]], refused: str | None
):
    data, name = READERS[kind](rows)
    if refused is None:
        assert len(read_table(data, name, limits=SMALL).frame) == len(rows) - 1
        return
    with pytest.raises(LimitExceededError, match=re.escape(refused)):
        read_table(data, name, limits=SMALL)


def test_csv_limit_counts_cells_across_scan_windows(monkeypatch: pytest.MonkeyPatch):
    import etl.read_limits

    monkeypatch.setattr(etl.read_limits, "_CHUNK", 64)  # many windows, lines cut between them
    rows = [["指标", "年份", "数值"]] + [["应急演练", str(2000 + i), str(i)] for i in range(40)]
    limits = ReadLimits(max_rows=41, max_columns=3, max_cell_chars=8, max_cells=200)
    assert len(read_table(_text(rows, False), "a.csv", limits=limits).frame) == 40
    rows[30].append("x")
    with pytest.raises(LimitExceededError, match="第 31 行有 4 列"):
        read_table(_text(rows, False), "a.csv", limits=limits)
    rows[30][-1] = ""
    rows[30][0] = "应急演练应急演练应"
    with pytest.raises(LimitExceededError, match="第 31 行第 1 列"):
        read_table(_text(rows[:31] + [r[:3] for r in rows[31:]], False), "a.csv", limits=limits)


def test_limits_come_from_the_settings(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TQI_MAX_ROWS", "2")
    with pytest.raises(LimitExceededError, match="TQI_MAX_ROWS"):
        read_table(LONG.encode(), "a.csv")
    monkeypatch.setenv("TQI_MAX_ROWS", "3")
    assert len(read_table(LONG.encode(), "a.csv").frame) == 2
    monkeypatch.setenv("TQI_MAX_COLUMNS", "lots")
    with pytest.raises(UnreadableFileError, match="TQI_MAX_COLUMNS"):
        read_table(LONG.encode(), "a.csv")


def test_limits_are_rows_of_the_apps_settings_table(monkeypatch: pytest.MonkeyPatch):
    from ui.settings import SettingError, get_setting

    monkeypatch.setenv("TQI_MAX_CELLS", "1_000")
    assert get_setting("max_cells") == 1000 == ReadLimits.from_env().max_cells
    monkeypatch.delenv("TQI_MAX_CELLS")
    assert get_setting("max_cells") == 8_000_000 == ReadLimits().max_cells
    monkeypatch.setenv("TQI_MAX_ROWS", "0")
    with pytest.raises(SettingError, match="TQI_MAX_ROWS"):
        get_setting("max_rows")


@pytest.mark.parametrize(
    "text",
    [
        'a,b\n"x""y",2\n',  # doubled quote inside a cell
        'a,b\r\n"x\ny",2\r\n',  # line break inside a quoted cell
        'a,b\nx"y,z,2\n',  # a quote inside an unquoted cell is a character: 3 columns
        'a,b\n"x"y,2,3\n',  # text after a closing quote
        'a,b\r"x",2,3\n',  # a lone carriage return ends a line for csv
        '"a,b,c,d"\n1,2\n',  # separators inside quotes are not columns
        'a,b\n"一二三四五六七八九",1\n',  # 9 characters in one quoted cell
        'a,b\nx"y,z,w"\n',  # quotes inside unquoted cells hide no separator: 3 columns
        '"a"\rb\rc\rd\re\n',  # five lines ended by carriage returns
        'a,b\n"x,\n' + "y,z\n" * 3,  # unterminated quote
        '"a",b\n' + '"x",1\n' * 5,  # more rows than allowed
    ],
)
def test_quoted_text_fast_check_refuses_exactly_what_the_csv_pass_refuses(text: str):
    """The vectorised pass for quoted files only accepts; anything else is the exact pass's."""
    import io

    from etl.read_limits import check_quoted, check_quoted_bytes

    limits = ReadLimits(max_rows=4, max_columns=2, max_cell_chars=8, max_cells=8)
    data = text.encode()

    def outcome(check) -> str:
        try:
            check()
        except LimitExceededError as exc:
            return str(exc)
        return "accepted"

    exact = outcome(
        lambda: check_quoted(io.TextIOWrapper(io.BytesIO(data), newline=""), ",", limits)
    )
    assert outcome(lambda: check_quoted_bytes(data, ",", limits)) == exact

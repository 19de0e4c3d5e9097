"""Reading batch files: encodings, separators, workbooks, titles, footers, row numbers."""

from __future__ import annotations

import datetime
import io

import openpyxl
import pytest

from etl.issues import UnreadableFileError
from etl.read import RawTable, read_table, workbook_sheets

LONG = "指标,年份,数值\n应急演练,2020,12\n排查治理安全隐患,2020,3.2万\n"


def cells(table: RawTable) -> list[list[str | None]]:
    """Frame cells as plain Python values (missing → None) for easy comparison."""
    frame = table.frame.astype(object)
    return frame.where(frame.notna(), None).values.tolist()


def xlsx(rows: list[list[object]], formats: dict[str, str] | None = None, **sheets) -> bytes:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "数据"
    for row in rows:
        ws.append(row)
    for ref, fmt in (formats or {}).items():
        ws[ref].number_format = fmt
    for title, extra in sheets.items():
        other = book.create_sheet(title)
        for row in extra:
            other.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (LONG.encode("utf-8"), "utf-8"),
        (LONG.encode("utf-8-sig"), "utf-8-sig"),
        (LONG.encode("gb18030"), "gb18030"),
        (LONG.encode("gbk"), "gb18030"),
        (LONG.replace(",", "\t").encode("utf-16"), "utf-16"),
        (LONG.replace(",", "\t").encode("utf-16-be").join([b"\xfe\xff", b""]), "utf-16"),
    ],
    ids=["utf8", "utf8-bom", "gb18030", "gbk", "utf16-le-tab", "utf16-be-tab"],
)
def test_encodings(data: bytes, encoding: str):
    table = read_table(data, "batch.csv")
    assert table.encoding == encoding
    assert list(table.frame.columns) == ["指标", "年份", "数值"]
    assert cells(table) == [["应急演练", "2020", "12"], ["排查治理安全隐患", "2020", "3.2万"]]
    assert table.rows.tolist() == [2, 3]
    assert table.header_row == 1


def test_short_gbk_file_is_not_mistaken_for_korean_or_big5():
    # charset-normalizer alone calls tiny GBK samples cp949 or big5.
    table = read_table("a,b\n北京,1\n".encode("gbk"), "x.csv")
    assert table.encoding == "gb18030"
    assert cells(table) == [["北京", "1"]]


def test_gbk_with_traditional_characters():
    data = "指标,年份,数值\n郵政快遞進出港量,2020,1.5億\n".encode("gbk")
    assert cells(read_table(data, "x.csv"))[0][0] == "郵政快遞進出港量"


@pytest.mark.parametrize(
    ("sep", "name"), [(",", "a.csv"), ("\t", "a.txt"), (";", "a.csv"), ("\t", "a.tsv")]
)
def test_separators(sep: str, name: str):
    table = read_table(LONG.replace(",", sep).encode(), name)
    assert table.separator == sep
    assert table.frame.shape == (2, 3)


def test_quoted_thousands_separator_stays_in_one_cell():
    table = read_table(b'indicator,year,value\nsafety.drills,2020,"12,345"\n', "a.csv")
    assert cells(table) == [["safety.drills", "2020", "12,345"]]


@pytest.mark.parametrize(
    "data",
    [
        bytes(range(256)) * 4,
        b"\x00\x01\x02binary\x00\xff",
        "指標,年份,數值\n應急演練,2020,5\n郵政快遞進出港量,2020,3\n".encode("big5"),
        "インジケータ,年,値\n訓練,2020,5\n".encode("shift_jis"),
        "Indicator,Year,Value\ncafé,2020,1\nnaïve,2021,2\n".encode("latin-1"),
        LONG.encode("utf-16-le"),  # UTF-16 without a BOM: cannot be told apart safely
    ],
    ids=["bytes", "nul", "big5", "shift-jis", "latin-1", "utf16-no-bom"],
)
def test_refuses_text_it_cannot_trust(data: bytes):
    with pytest.raises(UnreadableFileError) as info:
        read_table(data, "batch.csv")
    message = str(info.value)
    assert "UTF-8" in message or "二进制" in message


def test_utf16_without_bom_is_named():
    with pytest.raises(UnreadableFileError, match="UTF-16 without BOM"):
        read_table(LONG.replace(",", "\t").encode("utf-16-le"), "a.txt")


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"PK\x03\x04not really a zip", "a.xlsx"),
        (b"this is not a workbook", "a.xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "a.xls"),
        (b"plain text", "a.xls"),
        (LONG.encode(), "a.pdf"),
        (LONG.encode(), "noextension"),
    ],
)
def test_refuses_broken_workbooks_and_unknown_types(data: bytes, name: str):
    with pytest.raises(UnreadableFileError):
        read_table(data, name)


def test_title_rows_blank_rows_and_footers_keep_user_row_numbers():
    text = (
        "2020年交通运输质量指标统计表\n"  # 1
        "单位：万件\n"  # 2
        "\n"  # 3
        "指标名称,2018年,2019年\n"  # 4 header
        "行政审批办理量,1.2,1.3\n"  # 5
        "\n"  # 6
        ",,\n"  # 7 blank row as Excel exports it
        "非审批服务事项办理量,2,3\n"  # 8
        "注：数据来源于各区\n"  # 9
        "来源：局统计科\n"  # 10
    )
    table = read_table(text.encode("gb18030"), "wide.csv")
    assert table.header_row == 4
    assert table.rows.tolist() == [5, 8]
    assert cells(table) == [["行政审批办理量", "1.2", "1.3"], ["非审批服务事项办理量", "2", "3"]]
    assert table.preamble == ["2020年交通运输质量指标统计表", "单位：万件"]
    assert [(w.code, w.row, w.severity) for w in table.warnings] == [
        ("footer_skipped", 9, "warning"),
        ("footer_skipped", 10, "warning"),
    ]


def test_note_like_row_in_the_middle_is_not_dropped():
    text = "指标,年份,数值\n注：试点,2020,1\n应急演练,2020,2\n"
    table = read_table(text.encode(), "a.csv")
    assert table.rows.tolist() == [2, 3]
    assert table.warnings == []


def test_crlf_and_quoted_line_breaks_number_rows_by_line():
    text = 'a,年份,数值\r\n"x\r\ny",2020,1\r\n\r\nz,2020,2\r\n'
    table = read_table(text.encode(), "a.csv")
    assert cells(table) == [["x\r\ny", "2020", "1"], ["z", "2020", "2"]]
    assert table.rows.tolist() == [2, 5]


def test_ragged_row_keeps_extra_cells_under_a_named_column():
    table = read_table(b"indicator,year,value\nx,2020,12,345\ny,2020\n", "a.csv")
    assert list(table.frame.columns) == ["indicator", "year", "value", "第4列"]
    assert cells(table) == [["x", "2020", "12", "345"], ["y", "2020", None, None]]
    assert table.rows.tolist() == [2, 3]


def test_repeated_and_blank_headers_get_names():
    table = read_table(b"indicator,value,value,,year\na,1,2,3,2020\n", "a.csv")
    assert list(table.frame.columns) == ["indicator", "value", "value#2", "第4列", "year"]


@pytest.mark.parametrize("data", [b"", b"\n\n", "指标,年份,数值\n".encode(), b"\xef\xbb\xbf"])
def test_empty_and_header_only_files_read_as_no_rows(data: bytes):
    table = read_table(data, "a.csv")
    assert len(table.frame) == 0
    assert len(table.rows) == 0


def test_large_text_file_uses_the_fast_path_and_numbers_rows():
    body = "".join(f"应急演练,{2000 + i % 20},{i}\n" for i in range(20000))
    data = ("标题\n指标,年份,数值\n" + body + "\n注：完\n").encode()
    table = read_table(data, "big.csv")
    assert len(table.frame) == 20000
    assert table.rows[0] == 3 and table.rows[-1] == 20002
    assert [w.row for w in table.warnings] == [20004]


# ---------------------------------------------------------------- workbooks


def test_xlsx_percent_cell_ints_floats_and_row_numbers():
    data = xlsx(
        [
            ["2020年交通运输质量指标统计表"],
            [],
            ["指标", "年份", "数值"],
            ["管养公路平均优良路率", 2020, 0.923],
            ["应急演练", 2020.0, 12.5],
            [],
            ["应急演练", 2021, 0.1 + 0.2],
            ["注：测试数据"],
        ],
        formats={"C4": "0.0%"},
    )
    table = read_table(data, "batch.xlsx")
    assert table.sheet == "数据"
    assert table.header_row == 3
    assert cells(table) == [
        ["管养公路平均优良路率", "2020", "92.3%"],
        ["应急演练", "2020", "12.5"],
        ["应急演练", "2021", "0.3"],
    ]
    assert table.rows.tolist() == [4, 5, 7]
    assert [(w.code, w.row) for w in table.warnings] == [("footer_skipped", 8)]


def test_xlsx_sheet_by_name_and_index():
    data = xlsx([["x"]], 第二页=[["指标", "年份", "数值"], ["应急演练", 2020, 3]])
    for sheet in ("第二页", 1):
        table = read_table(data, "a.xlsx", sheet=sheet)
        assert table.sheet == "第二页"
        assert cells(table) == [["应急演练", "2020", "3"]]
    with pytest.raises(UnreadableFileError, match="没有工作表"):
        read_table(data, "a.xlsx", sheet="nope")


def test_workbook_saved_with_a_csv_name_is_read_as_a_workbook():
    data = xlsx([["指标", "年份", "数值"], ["应急演练", 2020, 3]])
    assert cells(read_table(data, "batch.csv")) == [["应急演练", "2020", "3"]]


def test_empty_workbook():
    table = read_table(xlsx([]), "a.xlsx")
    assert len(table.frame) == 0


# ---------------------------------------------------------------- GB18030 beyond GBK

RARE = "指标,年份,地区,数值,备注\n应急演练,2020,㐀家湾镇,12,𬱖河段演练\n应急演练,2021,全市,3,常规\n"


def test_gb18030_batch_file_with_characters_outside_gbk_decodes():
    data = RARE.encode("gb18030")
    with pytest.raises(UnicodeEncodeError):
        RARE.encode("gbk")  # the point: these characters exist only in GB18030
    table = read_table(data, "batch.csv")
    assert table.encoding == "gb18030"
    assert cells(table)[0] == ["应急演练", "2020", "㐀家湾镇", "12", "𬱖河段演练"]


def test_gb18030_batch_file_with_characters_outside_gbk_loads_exactly(engine):
    from db.models import Observation
    from db.session import read_session, write_session
    from etl.pipeline import load_file

    with write_session(engine) as session:
        result = load_file(session, RARE.encode("gb18030"), "batch.csv")
        assert result.status == "loaded", result.errors
        session.commit()
    with read_session(engine) as session:
        stored = {
            (o.year, o.region): o.note
            for o in session.query(Observation).filter(Observation.year.in_([2020, 2021]))
        }
    assert stored == {(2020, "㐀家湾镇"): "𬱖河段演练", (2021, "全市"): "常规"}


# ---------------------------------------------------------------- year cells kept as dates


def _dated_book(rows: list[list[object]], year_format: str) -> bytes:
    """A sheet whose ``datetime`` cells show only their year, as Excel keeps a typed year."""
    book = openpyxl.Workbook()
    ws = book.active
    for row in rows:
        ws.append(row)
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, datetime.datetime):
                cell.number_format = year_format
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("year_format", "shown"), [('yyyy"年"', "{}年"), ("yyyy", "{}"), ('[$-804]yyyy"年"', "{}年")]
)
def test_year_cells_as_excel_keeps_them_long_layout(year_format: str, shown: str):
    from etl.normalize import normalize
    from tests.conftest import file_catalog

    data = _dated_book(
        [
            ["指标", "年份", "数值"],
            ["应急演练", datetime.datetime(2019, 1, 1), 12],
            ["应急演练", datetime.datetime(2020, 1, 1), 13],
        ],
        year_format,
    )
    table = read_table(data, "a.xlsx")
    assert [r[1] for r in cells(table)] == [shown.format(2019), shown.format(2020)]
    frame = normalize(table, file_catalog()).frame
    assert frame["year"].tolist() == [2019, 2020]


@pytest.mark.parametrize("year_format", ['yyyy"年"', "yyyy"])
def test_year_cells_as_excel_keeps_them_wide_layout(year_format: str):
    from etl.normalize import normalize
    from tests.conftest import file_catalog

    data = _dated_book(
        [
            ["指标", datetime.datetime(2019, 1, 1), datetime.datetime(2020, 1, 1)],
            ["应急演练", 12, 13],
        ],
        year_format,
    )
    normalized = normalize(read_table(data, "a.xlsx"), file_catalog())
    assert normalized.errors == []
    assert sorted(zip(normalized.frame["year"], normalized.frame["value"], strict=True)) == [
        (2019, 12.0),
        (2020, 13.0),
    ]


def test_full_date_cells_stay_dates():
    data = _dated_book(
        [["指标", "日期"], ["应急演练", datetime.datetime(2019, 3, 5)]], "yyyy-mm-dd"
    )
    assert cells(read_table(data, "a.xlsx")) == [["应急演练", "2019-03-05"]]


# ---------------------------------------------------------------- sheets


def test_first_sheet_without_data_names_the_sheets_with_data():
    book = openpyxl.Workbook()
    book.active.title = "说明"
    book.active.append(["本表由区交通局填报，数据见后续工作表。"])
    book.active.append(["联系人：张三"])
    for title in ("2023年", "2024年"):
        ws = book.create_sheet(title)
        ws.append(["指标", "年份", "数值"])
        ws.append(["应急演练", int(title[:4]), 3])
    book.create_sheet("备用")
    buf = io.BytesIO()
    book.save(buf)
    data = buf.getvalue()
    with pytest.raises(UnreadableFileError) as info:
        read_table(data, "a.xlsx")
    message = str(info.value)
    assert "「说明」" in message and "「2023年」、「2024年」" in message
    assert "--sheet 2023年" in message and "工作表" in message
    assert "备用" not in message
    assert cells(read_table(data, "a.xlsx", sheet="2024年")) == [["应急演练", "2024", "3"]]
    assert cells(read_table(data, "a.xlsx", sheet="3")) == [["应急演练", "2024", "3"]]
    assert workbook_sheets(data, "a.xlsx") == [
        ("说明", False),
        ("2023年", True),
        ("2024年", True),
        ("备用", False),
    ]


def test_single_empty_sheet_is_still_just_empty():
    assert len(read_table(xlsx([["说明文字"]]), "a.xlsx").frame) == 0
    assert workbook_sheets(LONG.encode(), "a.csv") == []

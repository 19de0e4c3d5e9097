"""Hostile and huge batch files are refused in seconds and in bounded memory (issue 14).

Each file is made here, then loaded by ``python -m etl load`` in a subprocess under an
address-space cap (``resource.setrlimit(RLIMIT_AS)``) and a time bound, as a user would
run it. Before the reading limits each of these took minutes or tens of gigabytes (the
XFD1048576 workbook 23.7 GB until the kernel killed it). The process reports its own
peak RSS, so "under a few hundred MB" is asserted, not assumed.
"""

from __future__ import annotations

import io
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest

from db.session import dispose_engines, get_engine
from tests.conftest import ROOT, app_env, stored_figures

CAP_BYTES = 1536 * 2**20  # address space, not RSS: imports alone reserve a few hundred MB
MAX_SECONDS = 60  # "in seconds", with room for a loaded 2-core CI machine
MAX_RSS_MB = 600

RUNNER = """
import resource, runpy, sys
cap = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
sys.argv = ["etl", *sys.argv[2:]]
try:
    runpy.run_module("etl", run_name="__main__", alter_sys=True)
finally:  # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the forking parent
    with open("/proc/self/status") as status:
        peak = next(int(ln.split()[1]) for ln in status if ln.startswith("VmHWM:")) // 1024
    sys.stderr.write(f"\\nPEAK_RSS_MB={peak}\\n")
"""


@dataclass
class Run:
    code: int
    stderr: str
    seconds: float
    peak_mb: int


def capped_load(db: str, path: Path, **settings: str) -> Run:
    """``python -m etl --db db load path`` under the memory cap; exit code, output, cost."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", RUNNER, str(CAP_BYTES), "--db", db, "load", str(path)],
        cwd=ROOT,
        env=app_env(**settings),
        capture_output=True,
        text=True,
        timeout=MAX_SECONDS * 3,
    )
    seconds = time.perf_counter() - start
    peak = [line for line in done.stderr.splitlines() if line.startswith("PEAK_RSS_MB=")]
    assert peak, done.stderr[-2000:]  # killed before it could report: the cap was hit
    run = Run(done.returncode, done.stderr, seconds, int(peak[-1].split("=")[1]))
    print(f"{path.name}: exit {run.code}, {run.seconds:.1f} s, peak RSS {run.peak_mb} MB")
    return run


@pytest.fixture
def store(tmp_path: Path) -> str:
    """A migrated, seeded SQLite store (so a run's time is the load's, not the setup's)."""
    url = f"sqlite:///{tmp_path / 'tqi.sqlite3'}"
    get_engine(url)
    dispose_engines()
    return url


def assert_refused(run: Run, *phrases: str) -> None:
    assert run.code == 2, run.stderr[-2000:]
    for phrase in phrases:
        assert phrase in run.stderr, run.stderr[-2000:]
    assert run.seconds < MAX_SECONDS, run.seconds
    assert run.peak_mb < MAX_RSS_MB, run.peak_mb


def test_tiny_workbook_whose_only_cell_is_at_xfd1048576(tmp_path: Path, store: str) -> None:
    book = openpyxl.Workbook()
    book.active["XFD1048576"] = 1
    path = tmp_path / "xfd.xlsx"
    book.save(path)
    assert path.stat().st_size < 10_000
    run = capped_load(store, path)
    assert_refused(run, "第 1,048,576 行有 16,384 列", "TQI_MAX_COLUMNS")
    assert stored_figures(get_engine(store)) == {}


def test_one_csv_row_with_a_million_commas(tmp_path: Path, store: str) -> None:
    path = tmp_path / "commas.csv"
    path.write_bytes("指标".encode() + b"," * 1_000_000 + b"\n")
    run = capped_load(store, path)
    assert_refused(run, "第 1 行有 1,000,001 列", "TQI_MAX_COLUMNS")


def test_200_mb_single_line_file(tmp_path: Path, store: str) -> None:
    path = tmp_path / "line.csv"
    with path.open("wb") as out:
        for _ in range(200):
            out.write(b"x" * 1_000_000)
    run = capped_load(store, path)
    assert_refused(run, "第 1 行第 1 列的单元格", "TQI_MAX_CELL_CHARS")


def big_workbook(rows: int, columns: int) -> bytes:
    """A long-layout workbook of ``rows`` × ``columns``, written as raw SpreadsheetML.

    openpyxl would take minutes to write 400k × 22; rows without ``r`` attributes are
    valid and the readers number them in order.
    """
    head = "".join(
        f'<c t="inlineStr"><is><t>{name}</t></is></c>'
        for name in ["指标", "年份", "数值"] + [f"备注{i}" for i in range(columns - 3)]
    )
    body = '<c t="inlineStr"><is><t>应急演练</t></is></c><c><v>2020</v></c>' + "<c><v>7</v></c>" * (
        columns - 2
    )
    sheet_head = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData><row>{head}</row>"
    ).encode()
    row = f"<row>{body}</row>".encode()
    main = "http://schemas.openxmlformats.org"
    parts = {
        "[Content_Types].xml": (
            f'<Types xmlns="{main}/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
            'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.worksheet+xml"/></Types>'
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{main}/package/2006/relationships"><Relationship Id="r1" '
            f'Type="{main}/officeDocument/2006/relationships/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{main}/spreadsheetml/2006/main" xmlns:r="{main}/officeDocument/'
            '2006/relationships"><sheets><sheet name="数据" sheetId="1" r:id="r1"/></sheets>'
            "</workbook>"
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{main}/package/2006/relationships"><Relationship Id="r1" '
            f'Type="{main}/officeDocument/2006/relationships/worksheet" '
            'Target="worksheets/sheet1.xml"/></Relationships>'
        ),
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, text in parts.items():
            archive.writestr(name, text.encode())
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:  # streamed: bounded
            sheet.write(sheet_head)
            for start in range(0, rows, 10_000):
                sheet.write(row * min(10_000, rows - start))
            sheet.write(b"</sheetData></worksheet>")
    return buf.getvalue()


@pytest.fixture(scope="module")
def workbook_400k(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """400,000 × 22 cells (8.8M, the issue's 15 MB workbook that reached 7.8 GB)."""
    path = tmp_path_factory.mktemp("big") / "big.xlsx"
    path.write_bytes(big_workbook(400_000, 22))
    return path


def test_large_workbook_is_refused_past_the_cell_limit(workbook_400k: Path, store: str) -> None:
    run = capped_load(store, workbook_400k)
    assert_refused(run, "超过上限 8,000,000", "TQI_MAX_CELLS")


def test_large_workbook_is_refused_past_the_row_limit(workbook_400k: Path, store: str) -> None:
    run = capped_load(store, workbook_400k, TQI_MAX_ROWS="50000")
    assert_refused(run, "文件超过 50,000 行（第 50,001 行", "TQI_MAX_ROWS")


def test_large_workbook_under_the_limits_loads(tmp_path: Path, store: str) -> None:
    path = tmp_path / "ok.xlsx"
    path.write_bytes(big_workbook(3, 22))
    run = capped_load(store, path)
    assert run.code == 0, run.stderr[-2000:]


def test_normal_large_csv_under_the_limits_still_loads(tmp_path: Path, store: str) -> None:
    """200,000 figures (every catalog indicator × 10 years × regions) under the same cap."""
    sys.path.insert(0, str(ROOT))
    from bench.bench_load import generate_csv

    path = tmp_path / "long.csv"
    generate_csv(path, 200_000)
    run = capped_load(store, path)
    assert run.code == 0, run.stderr[-2000:]
    assert len(stored_figures(get_engine(store))) == 200_000


# ---- parts read whole: the shared text table, styles, theme ------------------------------

SHARED_STRINGS_TYPE = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
)
SHARED_STRINGS_REL = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
)


def with_shared_strings(workbook: bytes, strings: int, chars: int, *, longer: int = 0) -> bytes:
    """``workbook`` plus a shared text table of ``strings`` strings of ``chars`` characters
    (the last one ``longer`` more), declared as Excel declares it (content type and workbook
    relationship), deflated."""
    buf = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(workbook)) as source,
        zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive,
    ):
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "[Content_Types].xml":
                declared = f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SHARED_STRINGS_TYPE}"/>'
                data = data.replace(b"</Types>", f"{declared}</Types>".encode())
            elif info.filename == "xl/_rels/workbook.xml.rels":
                rel = f'<Relationship Id="r99" Type="{SHARED_STRINGS_REL}" Target="sharedStrings.xml"/>'
                data = data.replace(b"</Relationships>", f"{rel}</Relationships>".encode())
            archive.writestr(info.filename, data)
        with archive.open("xl/sharedStrings.xml", "w") as table:
            table.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
            piece = b"<si><t>" + b"x" * chars + b"</t></si>"
            for start in range(0, strings - 1, 10_000):
                table.write(piece * min(10_000, strings - 1 - start))
            table.write(b"<si><t>" + b"x" * (chars + longer) + b"</t></si></sst>")
    return buf.getvalue()


def with_filler(workbook: bytes, size: int) -> bytes:
    """``workbook`` plus an image part of ``size`` bytes, stored: counted, never parsed."""
    buf = io.BytesIO(workbook)
    with zipfile.ZipFile(buf, "a", zipfile.ZIP_STORED) as archive:
        archive.writestr("xl/media/image1.png", b"\0" * size)
    return buf.getvalue()


def whole_read_bytes(workbook: bytes) -> int:
    """Inflated bytes of every part but the sheet (the only one that streams)."""
    with zipfile.ZipFile(io.BytesIO(workbook)) as archive:
        return sum(i.file_size for i in archive.infolist() if "worksheets/" not in i.filename)


def test_tiny_workbook_whose_shared_text_inflates_to_600_mb(tmp_path: Path, store: str) -> None:
    """openpyxl reads the shared text table whole before a row streams: a file of a few MB,
    well under the upload page's 50 MB, took minutes and gigabytes (a 3.7 MB file with a
    948 MB table: 99 s, 1.5 GB) before it was refused by its parts' declared sizes."""
    path = tmp_path / "shared.xlsx"
    path.write_bytes(with_shared_strings(big_workbook(3, 5), 2_000_000, 300))
    assert path.stat().st_size < 10_000_000
    run = capped_load(store, path)
    assert_refused(run, "最大的是 xl/sharedStrings.xml", "超过按单元格上限 8,000,000 计的 504 MB")
    assert stored_figures(get_engine(store)) == {}


def test_whole_read_parts_may_fill_exactly_the_cell_limits_budget() -> None:
    """16 MB plus 64 bytes a cell of ``max_cells`` for every part but the sheets, which stream
    and are counted: parts up to the byte are read, one byte more is refused, naming the
    largest part."""
    from etl.read import read_table
    from etl.read_limits import LimitExceededError, ReadLimits

    limits = ReadLimits(max_cells=20_000)
    budget = 16 * 2**20 + 20_000 * 64
    plain = big_workbook(2_000, 5)  # 10,005 cells, over 200 KB of sheet: counted as cells
    with zipfile.ZipFile(io.BytesIO(plain)) as archive:
        assert archive.getinfo("xl/worksheets/sheet1.xml").file_size > 200_000
    shared = with_shared_strings(plain, 9_000, 100)  # the table openpyxl parses: ~1 MB
    fits = with_filler(shared, budget - whole_read_bytes(shared))
    assert whole_read_bytes(fits) == budget
    assert len(read_table(fits, "fits.xlsx", limits=limits).rows) == 2_000

    over = with_filler(shared, budget + 1 - whole_read_bytes(shared))
    with pytest.raises(LimitExceededError, match=r"最大的是 xl/media/image1\.png.*TQI_MAX_CELLS"):
        read_table(over, "over.xlsx", limits=limits)


def test_a_small_cell_limit_still_reads_a_small_workbook() -> None:
    """The floor: styles and theme are not cells, so a limit of 9 cells reads 9 cells."""
    from etl.read import read_table
    from etl.read_limits import ReadLimits

    book = openpyxl.Workbook()
    for row in (["指标", "年份", "数值"], ["应急演练", 2020, 7], ["应急演练", 2021, 8]):
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    assert len(read_table(out.getvalue(), "small.xlsx", limits=ReadLimits(max_cells=9)).rows) == 2

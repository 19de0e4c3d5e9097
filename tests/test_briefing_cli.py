"""``python -m etl briefing`` as a user runs it: files, exit codes (one run a real process)."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
from pptx import Presentation
from pypdf import PdfReader

from tests.conftest import etl as run_etl
from tests.conftest import sample_store


def etl(
    db_url: str, *args: str, env: dict[str, str] | None = None, process: bool = False
) -> subprocess.CompletedProcess:
    return run_etl(db_url, *args, env=env, decode=True, process=process)


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One store with the sample loaded, shared by this module (briefing only reads it)."""
    return sample_store(tmp_path_factory.mktemp("briefing-cli") / "tqi.sqlite3")


def test_default_pptx_pack(chromium_path: str, sample_db: str, tmp_path: Path) -> None:
    out = tmp_path / "pack.pptx"
    done = etl(sample_db, "briefing", "--years", "2016-2025", "--out", str(out), process=True)
    assert done.returncode == 0, done.stderr
    assert "已生成简报" in done.stderr
    prs = Presentation(io.BytesIO(out.read_bytes()))
    slides = list(prs.slides)
    assert len(slides) >= 1 + 12 + 1  # title, at least 12 charts, summary
    titles = [s.shapes.title.text for s in slides[1:-1]]
    assert "年度目标完成情况" in titles
    assert "行政审批办理量（万件）" in titles  # the display unit the axis uses (issue 11)
    assert "安全监管：各指标同比变化" in titles


def test_pdf_suffix_gives_pdf_and_charts_chooses(
    chromium_path: str, sample_db: str, tmp_path: Path
) -> None:
    out = tmp_path / "pack.pdf"
    done = etl(
        sample_db, "briefing", "--years", "2020-2024", "--out", str(out),
        "--charts", "indicator:safety.drills,change:business", "--bureau", "某市交通运输局",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    reader = PdfReader(str(out))
    assert len(reader.pages) == 4
    text = "".join(page.extract_text() for page in reader.pages)
    assert "应急演练（次）" in text and "营商环境增效：各指标同比变化" in text
    assert "某市交通运输局" in text and "2020—2024年" in text


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--years", "2016-2025", "--out", "x.docx"], 2, ".pptx 或 .pdf"),
        (["--years", "2025-2016", "--out", "x.pptx"], 2, "年份范围无效"),
        (["--years", "2016-2025", "--out", "x.pptx", "--charts", "bogus"], 2, "未知的图表：bogus"),
        (["--years", "1990-1995", "--out", "x.pptx"], 1, "没有任何数据"),
        (["--years", "2016-2025"], 2, "--out"),
    ],
)
def test_usage_errors(
    sample_db: str, tmp_path: Path, args: list[str], code: int, message: str
) -> None:
    args = [str(tmp_path / a) if a.startswith("x.") else a for a in args]
    done = etl(sample_db, "briefing", *args)
    assert done.returncode == code, done.stderr
    assert message in done.stderr
    assert not any(tmp_path.glob("x.*"))


def test_no_chromium_says_so_and_writes_nothing(sample_db: str, tmp_path: Path) -> None:
    out = tmp_path / "pack.pptx"
    done = etl(
        sample_db, "briefing", "--years", "2016-2025", "--out", str(out),
        env={"TQI_CHROMIUM": str(tmp_path / "missing-chromium")},
    )  # fmt: skip
    assert done.returncode == 2
    assert "未找到 Chromium" in done.stderr
    assert not out.exists()


def test_list_charts(sample_db: str) -> None:
    done = etl(sample_db, "briefing", "--years", "2016-2025", "--list-charts")
    assert done.returncode == 0, done.stderr
    ids = [line.split("\t")[0] for line in done.stdout.splitlines()]
    assert ids[0] == "targets"
    assert "indicator:safety.hazards_fixed" in ids and "category:brand" in ids

"""``python -m etl draft`` (and the reader's .docx/PDF input) as a user runs them: real
processes, exact exit codes, the files they write read back with python-docx."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from docx import Document
from docx.enum.text import WD_COLOR_INDEX

from db.session import get_engine
from tests.conftest import etl, sample_store, stored_figures


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> str:
    return sample_store(tmp_path_factory.mktemp("draft") / "sample.sqlite3")


def test_draft_writes_docx_changes_and_clean_copy(store: str, tmp_path: Path) -> None:
    out, changes = tmp_path / "2025年质量工作报告.docx", tmp_path / "changes.csv"
    done = etl(
        store, "draft", "--year", "2025", "--out", str(out), "--changes", str(changes),
        "--clean", decode=True, process=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "2025年 全市" in done.stdout and "7 个指标仍为 X" in done.stdout
    doc = Document(str(out))
    assert doc.paragraphs[0].text == "2025年交通运输质量工作报告"
    assert doc.paragraphs[1].text.startswith("2025年,我局认真贯彻")
    section = doc.sections[0]
    assert [round(m.mm) for m in (section.top_margin, section.bottom_margin)] == [37, 35]
    assert [round(m.mm) for m in (section.left_margin, section.right_margin)] == [28, 26]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert doc.styles["Normal"].font.size.pt == 16
    colors = {r.font.highlight_color for p in doc.paragraphs for r in p.runs}
    assert {WD_COLOR_INDEX.YELLOW, WD_COLOR_INDEX.PINK} <= colors

    clean = Document(str(tmp_path / "2025年质量工作报告.clean.docx"))
    assert [p.text for p in clean.paragraphs] == [p.text for p in doc.paragraphs]
    assert {r.font.highlight_color for p in clean.paragraphs for r in p.runs} == {None}

    rows = list(csv.DictReader(io.StringIO(changes.read_bytes().decode("utf-8-sig"))))
    approvals = next(r for r in rows if r["指标代码"] == "business.approvals")
    assert approvals["原文"] == "X万余件" and approvals["批次"] == "1"
    assert approvals["批次来源"].startswith("示例数据")
    assert sum(r["类型"] == "缺数 X" for r in rows) == 7


def test_a_docx_draft_reads_back_with_the_report_reader(store: str, tmp_path: Path) -> None:
    out = tmp_path / "draft.docx"
    assert etl(store, "draft", "--year", "2024", "--out", str(out)).returncode == 0
    done = etl(store, "report", str(out), "--dry-run", "--json", decode=True)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["year"] == 2024 and len(report["figures"]) == 36
    stored = stored_figures(get_engine(store))
    for f in report["figures"]:
        assert (f["value"], f["qualifier"]) == stored[(f["indicator_code"], 2024, "全市")]


def test_the_reader_takes_a_pdf_with_a_text_layer(store: str, tmp_path: Path) -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    path = tmp_path / "report.pdf"
    page = canvas.Canvas(str(path))
    page.setFont("STSong-Light", 12)
    page.drawString(50, 750, "2024年,我局全年排查治理安全隐患1743处,组织开展应急演练45次。")
    page.save()
    done = etl(store, "report", str(path), "--dry-run", "--json", decode=True)
    assert done.returncode == 0, done.stderr
    figures = {f["indicator_code"]: f["value"] for f in json.loads(done.stdout)["figures"]}
    assert figures == {"safety.hazards_fixed": 1743, "safety.drills": 45}


def test_template_without_a_known_figure_exits_1_and_writes_nothing(
    store: str, tmp_path: Path
) -> None:
    template = tmp_path / "空白.txt"
    template.write_text("2024年,我局认真开展各项工作,群众满意度明显提升。\n", encoding="utf-8")
    out = tmp_path / "out.docx"
    done = etl(store, "draft", "--year", "2025", "--template", str(template), "--out", str(out))
    assert done.returncode == 1
    assert "模板中没有目录指标的数值句" in done.stderr.decode()
    assert not out.exists()


@pytest.mark.parametrize(
    "args",
    [
        ["--out", "x.docx"],  # no --year
        ["--year", "2025", "--out", "x.pdf"],  # not a .docx
        ["--year", "2025", "--template", "missing.txt", "--out", "x.docx"],
    ],
)
def test_usage_errors_exit_2(store: str, tmp_path: Path, args: list[str]) -> None:
    args = [str(tmp_path / a) if a.endswith((".docx", ".pdf", ".txt")) else a for a in args]
    done = etl(store, "draft", *args)
    assert done.returncode == 2, done.stderr
    assert not (tmp_path / "x.docx").exists()


def test_unreadable_template_exits_2(store: str, tmp_path: Path) -> None:
    broken = tmp_path / "2024年报告.docx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    garbage = tmp_path / "2024年报告.txt"
    garbage.write_bytes(bytes(range(128, 256)) * 8)
    for template in (broken, garbage):
        out = tmp_path / "out.docx"
        done = etl(store, "draft", "--year", "2025", "--template", str(template), "--out", str(out))
        assert done.returncode == 2, done.stderr
        assert template.name in done.stderr.decode() and not out.exists()

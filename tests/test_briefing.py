"""Briefing packs from the sample data: reopened with python-pptx, read back with pdftotext."""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PIL import Image
from pptx import Presentation
from pptx.util import Emu
from pypdf import PdfReader
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from briefing import charts as briefing_charts
from briefing.charts import UnknownChartError, chart_catalogue
from briefing.pack import (
    EmptyPackError,
    InvalidYearsError,
    build_charts,
    build_pack,
    chart_png,
    load_data,
    parse_years,
)
from db.session import get_engine, read_session, write_session
from etl.sample import load_sample
from tests.conftest import IN_CI

YEARS = (2016, 2025)
FEW = ["targets", "indicator:safety.hazards_fixed", "change:safety", "category:brand"]


@pytest.fixture
def sample_engine(sqlite_url: str) -> Engine:
    engine = get_engine(sqlite_url)
    with write_session(engine) as session:
        assert load_sample(session).status == "loaded"
        session.commit()
    return engine


@pytest.fixture
def sample_session(sample_engine: Engine) -> Iterator[Session]:
    with read_session(sample_engine) as session:
        yield session


def slide_texts(slide) -> list[str]:  # type: ignore[no-untyped-def]
    texts = []
    for shape in slide.shapes:
        if shape.has_text_frame:
            texts.append(shape.text_frame.text)
        if shape.has_table:
            texts += [cell.text for row in shape.table.rows for cell in row.cells]
    return texts


def test_default_pack_has_at_least_12_charts(sample_session: Session) -> None:
    data = load_data(sample_session, YEARS)
    ids = briefing_charts.default_chart_ids(data)
    assert len(ids) >= 12
    # the overview's KPI cards, each as a trend, and one chart per category
    assert {f"indicator:{c}" for c in data.overview.kpis["code"]} <= set(ids)
    assert {f"change:{c}" for c in data.categories["code"]} <= set(ids)


def test_pptx_pack_reopens_with_slides_titles_takeaways_and_sources(
    chromium_path: str, sample_session: Session, artifacts_dir: Path
) -> None:
    blob = build_pack(sample_session, years=YEARS, charts=FEW, fmt="pptx", made_on=date(2026, 3, 1))
    (artifacts_dir / "briefing_few.pptx").write_bytes(blob)
    prs = Presentation(io.BytesIO(blob))
    assert (prs.slide_width, prs.slide_height) == (Emu(12192000), Emu(6858000))  # 16:9
    slides = list(prs.slides)
    assert len(slides) == 1 + len(FEW) + 1  # title, charts, summary
    title_texts = slide_texts(slides[0])
    assert "交通运输质量指标简报" in title_texts[0]
    assert any("2016—2025年" in t for t in title_texts)
    assert any("2026年3月1日" in t for t in title_texts)
    titles = [s.shapes.title.text for s in slides[1:-1]]
    assert titles == [
        "年度目标完成情况",
        "排查治理安全隐患（处）",
        "安全监管：各指标同比变化",
        "质量品牌创建：分指标趋势",
    ]
    hazards = slide_texts(slides[2])
    assert any("同比" in t and "完成目标" in t for t in hazards), hazards
    assert any(t.startswith("数据来源：") and "批次 #1" in t for t in hazards), hazards
    pictures = [s for s in slides[2].shapes if s.shape_type == 13]  # MSO_SHAPE_TYPE.PICTURE
    assert len(pictures) == 1
    picture = pictures[0]
    assert picture.left >= 0 and picture.left + picture.width <= prs.slide_width
    assert picture.top + picture.height <= prs.slide_height
    assert Image.open(io.BytesIO(picture.image.blob)).size[0] >= 1920
    summary = slide_texts(slides[-1])
    assert summary[0] == "主要指标汇总"
    assert "行政审批办理量" in summary and "指标" in summary
    # every run names a CJK face for East Asian text, so PowerPoint/WPS pick a Chinese font
    xml = slides[2].shapes.title.text_frame.paragraphs[0].runs[0]._r.xml
    assert 'typeface="Noto Sans CJK SC"' in xml and "<a:ea " in xml


def pdf_text(blob: bytes, tmp_path: Path) -> str:
    if shutil.which("pdftotext") is None:
        if IN_CI:
            pytest.fail("CI=true but pdftotext is missing (apt-get install poppler-utils)")
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(blob)).pages)
    path = tmp_path / "pack.pdf"
    path.write_bytes(blob)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_pdf_pack_contains_the_chinese_titles(
    chromium_path: str, sample_session: Session, tmp_path: Path, artifacts_dir: Path
) -> None:
    blob = build_pack(sample_session, years=YEARS, charts=FEW, fmt="pdf")
    (artifacts_dir / "briefing_few.pdf").write_bytes(blob)
    reader = PdfReader(io.BytesIO(blob))
    assert len(reader.pages) == 1 + len(FEW) + 1
    width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
    assert width / height == pytest.approx(16 / 9, rel=0.01)
    text = pdf_text(blob, tmp_path)
    for expected in (
        "交通运输质量指标简报",
        "年度目标完成情况",
        "排查治理安全隐患（处）",
        "安全监管：各指标同比变化",
        "质量品牌创建：分指标趋势",
        "主要指标汇总",
        "数据来源：",
    ):
        assert expected in text, expected


def test_chart_png_is_16_9_presentation_size_with_a_meaningful_name(
    chromium_path: str, sample_session: Session
) -> None:
    data = load_data(sample_session, YEARS)
    built = build_charts(data, ["indicator:safety.hazards_fixed"])[0]
    assert built.file_stem == "2016-2025_安全监管_排查治理安全隐患"
    image = Image.open(io.BytesIO(chart_png(built)))
    assert image.size == (1920, 1080)


def test_every_chart_in_the_catalogue_builds(sample_session: Session) -> None:
    data = load_data(sample_session, YEARS)
    catalogue = chart_catalogue(data)
    assert len(catalogue) == 1 + 2 * len(data.categories) + len(data.indicators)
    for built in build_charts(data, [c.chart_id for c in catalogue]):
        assert built.figure.data or built.figure.layout.annotations, built.chart.chart_id
        assert built.takeaway.text


def test_takeaway_matches_the_stored_figures(sample_session: Session) -> None:
    data = load_data(sample_session, YEARS)
    series = data.indicator_series("safety.hazards_fixed").set_index("year")["value"]
    assert series.index.max() == 2025
    change = (series[2025] - series[2024]) / series[2024] * 100
    built = build_charts(data, ["indicator:safety.hazards_fixed"])[0]
    verb = "增长" if change > 0 else "下降"
    assert f"同比{verb} {abs(change):.1f}%" in built.takeaway.text


def test_epidemic_category_speaks_about_its_last_year(sample_session: Session) -> None:
    data = load_data(sample_session, YEARS)
    built = build_charts(data, ["change:epidemic"])[0]
    assert built.takeaway.text.startswith("2022年")  # epidemic work ends in 2022


def test_unknown_chart_and_empty_years_are_typed_errors(sample_session: Session) -> None:
    with pytest.raises(UnknownChartError):
        build_charts(load_data(sample_session, YEARS), ["indicator:no.such"])
    with pytest.raises(EmptyPackError):
        load_data(sample_session, (1990, 1995))


@pytest.mark.parametrize(
    ("text", "years"),
    [("2016-2025", (2016, 2025)), ("2016–2025", (2016, 2025)), ("2020", (2020, 2020)),
     ("2016年-2025年", (2016, 2025))],
)  # fmt: skip
def test_parse_years(text: str, years: tuple[int, int]) -> None:
    assert parse_years(text) == years


@pytest.mark.parametrize("text", ["2025-2016", "abc", "2016-2020-2025", "1800-1900"])
def test_parse_years_refuses(text: str) -> None:
    with pytest.raises(InvalidYearsError):
        parse_years(text)


def test_briefing_reads_on_both_databases(engine: Engine) -> None:
    """The same figures and provenance on SQLite and PostgreSQL (``db_url`` runs both)."""
    with write_session(engine) as session:
        batch = load_sample(session).batch_id
        session.commit()
    with read_session(engine) as session:
        data = load_data(session, (2020, 2022))
    assert set(data.series["year"]) == {2020, 2021, 2022}
    assert set(data.provenance["batch_id"]) == {batch}
    line = data.source_line(["safety.hazards_fixed"], [2021])
    assert line.startswith("数据来源：示例数据") and f"批次 #{batch}" in line
    assert "非真实统计" in line
    built = build_charts(data, ["targets", "change:safety", "indicator:safety.drills"])
    assert [b.takeaway.text[:5] for b in built] == ["2022年"] * 3

"""Report drafts: the built-in template round trip, .docx templates, missing figures, slots.

Expected figures come from hand-made batches or straight from the store's table
(``stored_figures``), and are read back with the report reader — never from the draft's
own change list.
"""

from __future__ import annotations

import io
import re

import pytest
from docx import Document
from docx.enum.text import WD_COLOR_INDEX
from docx.text.run import Run
from sqlalchemy import Engine

from db.catalog import load_catalog
from db.session import read_session, write_session
from etl.docx_text import docx_text
from etl.draft import StoreFigure, builtin_template, write_figure
from etl.draft_job import NoKnownFigureError, build_draft
from etl.pipeline import load_file
from etl.report import extract_figures
from etl.report_files import report_text
from etl.sample import load_sample
from tests.conftest import file_catalog, stored_figures

SEED_YEAR = 2020
CITY = "全市"

# A hand-made batch: what the .docx and slot tests expect to see written.
BATCH = """指标,年份,地区,数值,目标值
排查治理安全隐患,2025,全市,2232,2400
排查治理安全隐患,2024,全市,2330,
应急演练,2025,全市,48,
树干涂白,2025,全市,123400,
管养公路平均优良路率,2025,全市,95.6%,
行政审批办理量,2025,全市,3.6万余,
"""


def load_batch(engine: Engine, text: str = BATCH) -> None:
    with write_session(engine) as session:
        result = load_file(session, text.encode("utf-8"), "hand.csv")
        assert result.status == "loaded", result.errors
        session.commit()


def figure_spans(text: str) -> list[tuple[int, int]]:
    """Where the reader finds a figure (or an ``X`` for one) in ``text``."""
    found = extract_figures(text, file_catalog())
    return sorted(
        [(f.start, f.end) for f in found.figures] + [(p.start, p.end) for p in found.placeholders]
    )


def between(text: str, spans: list[tuple[int, int]]) -> list[str]:
    out, pos = [], 0
    for start, end in spans:
        out.append(text[pos:start])
        pos = end
    return [*out, text[pos:]]


# ---------------------------------------------------------------- the round trip


def test_round_trip_builtin_template_gives_the_stores_2025_figures(engine: Engine) -> None:
    with write_session(engine) as session:
        assert load_sample(session).status == "loaded"
        session.commit()
    with read_session(engine) as session:
        files = build_draft(session, year=2025, region=CITY)
    store = stored_figures(engine)
    catalog = file_catalog()
    template = builtin_template()
    stated = {p.indicator_code for p in extract_figures(template, catalog).placeholders}
    assert len(stated) == 42  # every indicator the seed states with an X

    text = report_text(files.docx)  # the Word file, read back by the reader's .docx input
    title, body = text.split("\n", 1)
    assert title == "2025年交通运输质量工作报告"
    back = extract_figures(text, catalog)
    assert back.year == 2025
    read = {}
    for f in back.figures:
        assert read.setdefault(f.indicator_code, (f.value, f.qualifier)) == (f.value, f.qualifier)
        assert f.unit == catalog.indicators[f.indicator_code].unit
    expected = {c: store[(c, 2025, CITY)] for c in stated if (c, 2025, CITY) in store}
    assert read == expected
    lacking = {c for c in stated if (c, 2025, CITY) not in store}
    assert lacking == {c for c in stated if c.startswith("epidemic.")}  # 2020–2022 only
    assert set(back.missing) == lacking == set(files.draft.missing)

    # Outside the figures every character is the template's; the opening year is 2025.
    assert body == files.draft.text
    expected_gaps = between(template, figure_spans(template))
    expected_gaps[0] = expected_gaps[0].replace(f"{SEED_YEAR}年", "2025年", 1)
    assert between(body, figure_spans(body)) == expected_gaps


def test_builtin_template_is_the_seed_repaired() -> None:
    template = builtin_template()
    assert template.startswith("2020年,我局认真贯彻《X市委 政府关于印发X市推进质量强市")
    assert "\n(一)工程建设质量方面。" in template and "\n(四)阻击新冠疫情方面。" in template
    assert "全年实施行政审批X万余件" in template and "管养公路平均优良路率X%" in template
    assert not re.search(r"[認貫徹]|\([a-zàáǎāèéěēìíǐīòóǒōùúǔū]+\)|ㄒ", template)


# ---------------------------------------------------------------- writing one figure

_P = {"more_than": "more_than", "about": "about", None: None}


@pytest.mark.parametrize(
    ("code", "written", "value", "qualifier", "expected"),
    [
        ("business.approvals", "X万余件", 36000, "more_than", "3.6万余件"),
        ("business.approvals", "3万余件", 36000, None, "3.6万件"),
        ("business.approvals", "X件", 300, "about", "约300件"),
        ("business.approvals", "约3万件", 30000, None, "3万件"),
        ("brand.model_couriers", "X名", 1200, "more_than", "1200余名"),
        ("brand.model_couriers", "X余名", 350, None, "350名"),
        ("epidemic.vehicles_checked", "X余万辆次", 320000, "more_than", "32余万辆次"),
        ("safety.road_excellence_rate", "X%", 95.6, None, "95.6%"),
        ("service.express_volume", "X亿件", 339678000, None, "3.39678亿件"),
        ("safety.pavement_repaired", "X平米", 38000, None, "38000平米"),
        ("safety.shoulders_repaired", "X万平米", 150250, None, "15.025万平米"),
        ("business.charter_plates", "X块", 3384, None, "3384块"),  # the catalog's own word
        ("safety.hazards_fixed", "1,743处", 2232, None, "2232处"),
    ],
)
def test_figure_written_as_the_template_wrote_it(
    code: str, written: str, value: float, qualifier: str | None, expected: str
) -> None:
    spec = file_catalog().indicators[code]
    assert write_figure(written, StoreFigure(value, qualifier), spec) == expected


# ---------------------------------------------------------------- a .docx template


def make_docx_template() -> bytes:
    """Several paragraphs, a table, bold runs, and a figure split across two runs."""
    doc = Document()
    doc.add_heading("2024年交通运输质量工作报告", level=1)
    p = doc.add_paragraph()
    p.add_run("2024年,我局")
    p.add_run("扎实推进").bold = True
    p.add_run("质量建设工作。")
    p = doc.add_paragraph()
    p.add_run("全年排查治理安全隐患").bold = True
    p.add_run("1,7")  # the figure 1,743处 split across two runs
    p.add_run("43处").italic = True
    p.add_run(",组织开展应急演练45次,查验车辆3余万辆次。")
    table = doc.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "工作"
    table.cell(0, 1).text = "完成情况"
    table.cell(1, 0).text = "路域环境"
    cell = table.cell(1, 1).paragraphs[0]
    cell.add_run("树干涂白").bold = True
    cell.add_run("9.5万株,管养公路平均优良路率93.1%。")
    doc.add_paragraph("二、存在的问题", style="List Bullet")
    doc.add_paragraph("一是宣传形式单一。")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def runs_of(doc: Document) -> list[list[tuple[str, bool | None, bool | None, object]]]:
    return [
        [(r.text, r.bold, r.italic, r.font.highlight_color) for r in p.runs] for p in doc.paragraphs
    ]


def test_docx_template_keeps_formatting_and_only_figures_change(engine: Engine) -> None:
    load_batch(engine)
    template = make_docx_template()
    with read_session(engine) as session:
        files = build_draft(session, year=2025, region=CITY, template=template, clean=True)
    doc = Document(io.BytesIO(files.docx))
    before = Document(io.BytesIO(template))
    assert [p.style.name for p in doc.paragraphs] == [p.style.name for p in before.paragraphs]
    assert len(doc.tables) == 1 and len(doc.tables[0].rows) == 2
    yellow, pink = WD_COLOR_INDEX.YELLOW, WD_COLOR_INDEX.PINK
    assert runs_of(doc)[:3] == [
        [("2025", None, None, yellow), ("年交通运输质量工作报告", None, None, None)],
        [
            ("2025", None, None, yellow),
            ("年,我局", None, None, None),
            ("扎实推进", True, None, None),
            ("质量建设工作。", None, None, None),
        ],
        [
            ("全年排查治理安全隐患", True, None, None),
            ("2232处", None, None, yellow),  # the split figure: in its first run's format
            ("", None, True, None),
            (",组织开展应急演练", None, None, None),
            ("48次", None, None, yellow),
            (",查验车辆", None, None, None),
            ("X余万辆次", None, None, pink),  # the store has no 2025 figure for it
            ("。", None, None, None),
        ],
    ]
    cell = doc.tables[0].cell(1, 1).paragraphs[0]
    assert [(r.text, r.bold, r.font.highlight_color) for r in cell.runs] == [
        ("树干涂白", True, None),
        ("12.34万株", None, yellow),
        (",管养公路平均优良路率", None, None),
        ("95.6%", None, yellow),
        ("。", None, None),
    ]
    assert [p.text for p in doc.paragraphs[3:]] == ["二、存在的问题", "一是宣传形式单一。"]
    assert files.draft.missing == ["epidemic.vehicles_checked"]

    clean = Document(io.BytesIO(files.clean or b""))
    assert docx_text(clean) == docx_text(doc)
    highlights = {r.font.highlight_color for p in clean.paragraphs for r in p.runs}
    assert highlights == {None}


def test_missing_figures_stay_x_and_are_listed(engine: Engine) -> None:
    load_batch(engine)
    template = "2024年,我局排查治理安全隐患1,743处,组织开展应急演练45次,补植树木X棵。\n".encode()
    with read_session(engine) as session:
        files = build_draft(session, year=2025, region=CITY, template=template)
    assert (
        files.draft.text == "2025年,我局排查治理安全隐患2232处,组织开展应急演练48次,补植树木X棵。\n"
    )
    assert files.draft.missing == ["safety.trees_planted"]
    table = files.changes
    row = table[table["指标代码"] == "safety.trees_planted"].iloc[0]
    assert (row["原文"], row["新写法"], row["类型"]) == ("X棵", "X棵", "缺数 X")
    hazards = table[table["指标代码"] == "safety.hazards_fixed"].iloc[0]
    assert (hazards["原文"], hazards["新写法"], hazards["批次来源"]) == (
        "1,743处",
        "2232处",
        "hand.csv",
    )
    doc = Document(io.BytesIO(files.docx))
    marked = {
        r.text: r.font.highlight_color
        for p in doc.paragraphs
        for r in p.runs
        if r.font.highlight_color
    }
    assert marked == {
        "2025": WD_COLOR_INDEX.YELLOW,
        "2232处": WD_COLOR_INDEX.YELLOW,
        "48次": WD_COLOR_INDEX.YELLOW,
        "X棵": WD_COLOR_INDEX.PINK,
    }


def test_comparisons_are_written_only_where_the_template_has_the_slot(engine: Engine) -> None:
    load_batch(engine)
    template = (
        "2024年工作情况\n全年排查治理安全隐患1,743处,同比增长3.1%,完成年度目标102.0%。"
        "组织开展应急演练45次,同比增长X%。树干涂白9.5万株。\n"
    ).encode()
    with read_session(engine) as session:
        files = build_draft(session, year=2025, region=CITY, template=template)
    # (2232 − 2330) / 2330 = −4.2 %: the word turns; 2232 / 2400 = 93.0 %; no 2024 drills.
    assert files.draft.text == (
        "2025年工作情况\n全年排查治理安全隐患2232处,同比下降4.2%,完成年度目标93.0%。"
        "组织开展应急演练48次,同比增长X%。树干涂白12.34万株。\n"
    )
    assert files.draft.missing == [] and files.draft.missing_comparisons == ["safety.drills"]


def test_a_template_without_a_known_figure_is_refused(engine: Engine) -> None:
    template = "2024年,我局认真开展各项工作,群众满意度明显提升。\n".encode()
    with read_session(engine) as session, pytest.raises(NoKnownFigureError):
        build_draft(session, year=2025, region=CITY, template=template)


def test_district_draft_states_the_districts_own_figures(engine: Engine) -> None:
    load_batch(engine, "指标,年份,地区,数值\n应急演练,2025,城东区,17\n应急演练,2025,全市,48\n")
    with read_session(engine) as session:
        files = build_draft(
            session, year=2025, region="城东区", template="组织开展应急演练X次。".encode()
        )
        catalog = load_catalog(session)
    assert files.draft.text == "组织开展应急演练17次。"
    assert catalog.indicators["safety.drills"].unit == "次"


def test_docx_template_with_pinyin_keeps_its_own_characters(engine: Engine) -> None:
    """The reader drops pinyin and converts 繁体; the draft still edits the document's own text."""
    load_batch(engine)
    doc = Document()
    doc.add_paragraph("2024年,我局認(rèn)真開展工作。")
    doc.add_paragraph("全年排查治理安全隱(yǐn)患1,743處,組織開展應急演練45次。")
    data = io.BytesIO()
    doc.save(data)
    with read_session(engine) as session:
        files = build_draft(session, year=2025, region=CITY, template=data.getvalue())
    out = Document(io.BytesIO(files.docx))
    assert [p.text for p in out.paragraphs] == [
        "2025年,我局認(rèn)真開展工作。",
        "全年排查治理安全隱(yǐn)患2232處,組織開展應急演練48次。",
    ]


def test_text_template_docx_layout_and_font_fallbacks(engine: Engine) -> None:
    import zipfile

    load_batch(engine)
    template = "2024年,我局排查治理安全隐患1,743处。\n一、存在的问题\n".encode()
    with read_session(engine) as session:
        files = build_draft(session, year=2025, region=CITY, template=template)
    doc = Document(io.BytesIO(files.docx))
    ns = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

    def east_asia(run: Run) -> str | None:
        fonts = run._r.rPr.rFonts if run._r.rPr is not None else None
        return fonts.get(f"{ns}eastAsia") if fonts is not None else None

    title, body, heading = doc.paragraphs[:3]
    assert title.text == "2025年交通运输质量工作报告" and title.runs[0].font.size.pt == 22
    assert east_asia(title.runs[0]) == "方正小标宋简体"
    normal = doc.styles["Normal"]
    assert normal.font.size.pt == 16 and normal.paragraph_format.line_spacing.pt == 29
    assert normal.element.rPr.rFonts.get(f"{ns}eastAsia") == "仿宋_GB2312"
    assert body.text == "2025年,我局排查治理安全隐患2232处。"
    assert east_asia(heading.runs[0]) == "黑体"
    with zipfile.ZipFile(io.BytesIO(files.docx)) as z:
        table = z.read("word/fontTable.xml").decode()
    # fonts-noto-cjk is installed by scripts/setup-system.sh: the stand-ins exist here
    assert re.search(r'w:name="仿宋_GB2312"><w:altName w:val="Noto Serif CJK SC"/>', table)
    assert re.search(r'w:name="黑体"><w:altName w:val="Noto Sans CJK SC"/>', table)


def test_city_figure_stored_only_per_district_is_combined_like_the_dashboard(
    engine: Engine,
) -> None:
    load_batch(
        engine,
        "指标,年份,地区,数值\n应急演练,2025,城东区,17\n应急演练,2025,城西区,20\n"
        "应急演练,2024,城东区,15\n应急演练,2024,城西区,15\n"
        "管养公路平均优良路率,2025,城东区,94.5%\n管养公路平均优良路率,2025,城西区,95.5%\n",
    )
    template = "组织开展应急演练X次,同比增长X%,管养公路平均优良路率X%。".encode()
    with read_session(engine) as session:
        files = build_draft(session, year=2025, region=CITY, template=template)
    # counts add up (17 + 20; last year 30 → +23.3 %), rates are averaged, never summed
    assert files.draft.text == "组织开展应急演练37次,同比增长23.3%,管养公路平均优良路率95%。"
    table = files.changes
    assert set(table.loc[table["类型"] == "数值", "批次来源"]) == {"各区合计 (districts combined)"}

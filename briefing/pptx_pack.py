"""The briefing pack as 16:9 PowerPoint slides (python-pptx); opens in PowerPoint and WPS.

Slides use the default template's real title placeholders, so the outline view, screen
readers and ``slide.shapes.title`` all see the titles. Every run names a CJK typeface for
both the Latin and the East Asian slot (python-pptx's ``font.name`` only sets the Latin
one; PowerPoint picks the glyphs for Chinese from ``a:ea``).
"""

from __future__ import annotations

import io

from lxml import etree
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.presentation import Presentation as PresentationObject
from pptx.shapes.base import BaseShape
from pptx.slide import Slide
from pptx.text.text import TextFrame, _Run
from pptx.util import Emu, Inches, Pt

from briefing.content import CJK_FONT, SUMMARY_HEADER, ChartSlide, PackContent

SLIDE_W, SLIDE_H = Emu(12192000), Emu(6858000)  # PowerPoint "Widescreen" 16:9, 13.333 × 7.5 in
MARGIN = Inches(0.45)
INK = RGBColor(0x1F, 0x2A, 0x37)
MUTED = RGBColor(0x6B, 0x72, 0x80)
ACCENT = RGBColor(0x1F, 0x4E, 0x8C)
TONE_COLOUR = {
    "good": RGBColor(0x1B, 0x7F, 0x3B),
    "bad": RGBColor(0xC0, 0x39, 0x2B),
    "neutral": INK,
}
LAYOUT_TITLE, LAYOUT_TITLE_ONLY = 0, 5

# Where a chart picture may go on a chart slide (below the title and takeaway).
CHART_TOP = Inches(1.55)
CHART_BOTTOM = SLIDE_H - Inches(0.6)


def _style_run(run: _Run, *, size: float, colour: RGBColor = INK, bold: bool = False) -> None:
    font = run.font
    font.size = Pt(size)
    font.bold = bold
    font.color.rgb = colour
    font.name = CJK_FONT  # a:latin
    r_pr = run._r.get_or_add_rPr()
    r_pr.set("lang", "zh-CN")
    ea = r_pr.find(qn("a:ea"))
    if ea is None:
        ea = etree.SubElement(r_pr, qn("a:ea"))
        r_pr.find(qn("a:latin")).addnext(ea)
    ea.set("typeface", CJK_FONT)


def _write(
    frame: TextFrame,
    text: str,
    *,
    size: float,
    colour: RGBColor = INK,
    bold: bool = False,
    align: PP_ALIGN = PP_ALIGN.LEFT,
) -> None:
    frame.clear()
    frame.word_wrap = True
    paragraph = frame.paragraphs[0]
    paragraph.alignment = align
    run = paragraph.add_run()
    run.text = text
    _style_run(run, size=size, colour=colour, bold=bold)


def _place(shape: BaseShape, left: int, top: int, width: int, height: int) -> None:
    shape.left, shape.top, shape.width, shape.height = (
        Emu(left),
        Emu(top),
        Emu(width),
        Emu(height),
    )


def _textbox(slide: Slide, left: int, top: int, width: int, height: int) -> TextFrame:
    return slide.shapes.add_textbox(Emu(left), Emu(top), Emu(width), Emu(height)).text_frame


def _title_slide(prs: PresentationObject, content: PackContent) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[LAYOUT_TITLE])
    title, subtitle = slide.placeholders[0], slide.placeholders[1]
    _place(title, MARGIN, Inches(2.2), SLIDE_W - 2 * MARGIN, Inches(1.4))
    _write(
        title.text_frame,
        content.title,
        size=44,
        colour=ACCENT,
        bold=True,
        align=PP_ALIGN.CENTER,
    )
    _place(subtitle, MARGIN, Inches(3.8), SLIDE_W - 2 * MARGIN, Inches(1.6))
    frame = subtitle.text_frame
    _write(
        frame,
        f"{content.bureau}　{content.year_range}",
        size=26,
        align=PP_ALIGN.CENTER,
    )
    line = frame.add_paragraph()
    line.alignment = PP_ALIGN.CENTER
    run = line.add_run()
    run.text = f"制作日期：{content.made_on_text}"
    _style_run(run, size=18, colour=MUTED)


def _picture_box(chart: ChartSlide) -> tuple[int, int, int, int]:
    """The largest box of the PNG's aspect ratio that fits the chart area, centred."""
    max_w, max_h = SLIDE_W - 2 * MARGIN, CHART_BOTTOM - CHART_TOP
    px_w, px_h = chart.image_size
    width = max_w
    height = int(width * px_h / px_w)
    if height > max_h:
        height = max_h
        width = int(height * px_w / px_h)
    return int((SLIDE_W - width) / 2), int(CHART_TOP), int(width), int(height)


def _chart_slide(prs: PresentationObject, chart: ChartSlide) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[LAYOUT_TITLE_ONLY])
    title = slide.shapes.title
    _place(title, MARGIN, Inches(0.25), SLIDE_W - 2 * MARGIN, Inches(0.75))
    title.text_frame.vertical_anchor = MSO_ANCHOR.MIDDLE
    _write(title.text_frame, chart.title, size=30, colour=ACCENT, bold=True)
    takeaway = _textbox(slide, MARGIN, Inches(0.98), SLIDE_W - 2 * MARGIN, Inches(0.5))
    _write(
        takeaway,
        chart.takeaway.text,
        size=20,
        colour=TONE_COLOUR[chart.takeaway.tone],
        bold=True,
    )
    if chart.subtitle:
        line = takeaway.add_paragraph()
        run = line.add_run()
        run.text = chart.subtitle
        _style_run(run, size=12, colour=MUTED)
    left, top, width, height = _picture_box(chart)
    slide.shapes.add_picture(io.BytesIO(chart.png), left, top, width, height)
    source = _textbox(slide, MARGIN, SLIDE_H - Inches(0.5), SLIDE_W - 2 * MARGIN, Inches(0.35))
    _write(source, chart.source, size=11, colour=MUTED)


def _summary_slide(prs: PresentationObject, content: PackContent) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[LAYOUT_TITLE_ONLY])
    title = slide.shapes.title
    _place(title, MARGIN, Inches(0.25), SLIDE_W - 2 * MARGIN, Inches(0.75))
    _write(title.text_frame, "主要指标汇总", size=30, colour=ACCENT, bold=True)
    rows = [
        SUMMARY_HEADER,
        *((r.indicator, r.unit, r.year, r.value, r.yoy, r.target) for r in content.summary),
    ]
    body_h = SLIDE_H - Inches(1.2) - Inches(0.7)
    row_h = min(Inches(0.5), int(body_h / max(len(rows), 1)))
    shape = slide.shapes.add_table(
        len(rows),
        len(SUMMARY_HEADER),
        MARGIN,
        Inches(1.15),
        SLIDE_W - 2 * MARGIN,
        row_h * len(rows),
    )
    table = shape.table
    widths = (3.6, 0.9, 0.9, 2.3, 2.4, 2.3)  # inches, sums to the slide's inner width
    for col, inches in zip(table.columns, widths, strict=True):
        col.width = Inches(inches)
    size = 14 if len(rows) <= 12 else 11
    for r, values in enumerate(rows):
        table.rows[r].height = row_h
        for c, text in enumerate(values):
            cell = table.cell(r, c)
            cell.vertical_anchor = MSO_ANCHOR.MIDDLE
            colour = RGBColor(0xFF, 0xFF, 0xFF) if r == 0 else INK
            align = PP_ALIGN.LEFT if c == 0 else PP_ALIGN.CENTER
            _write(
                cell.text_frame,
                str(text),
                size=size,
                colour=colour,
                bold=r == 0,
                align=align,
            )
    if content.source_note:
        note = _textbox(slide, MARGIN, SLIDE_H - Inches(0.5), SLIDE_W - 2 * MARGIN, Inches(0.35))
        _write(note, content.source_note, size=11, colour=MUTED)


def build_pptx(content: PackContent) -> bytes:
    """Title slide, one slide per chart, a closing summary table; returns the .pptx bytes."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = SLIDE_W, SLIDE_H
    prs.core_properties.title = f"{content.title}（{content.year_range}）"
    prs.core_properties.author = content.bureau
    prs.core_properties.language = "zh-CN"
    _title_slide(prs, content)
    for chart in content.slides:
        _chart_slide(prs, chart)
    _summary_slide(prs, content)
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()

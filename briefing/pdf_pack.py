"""The briefing pack as a 16:9 PDF (reportlab), page for page the same as the slides.

Font choice: the Noto CJK fonts Debian ships have CFF (PostScript) outlines, which
reportlab cannot embed. Chinese text therefore uses the Adobe CID font ``STSong-Light``
that reportlab ships metrics for: the PDF names it with the standard Adobe-GB1 character
collection, so Acrobat, WPS, browsers and poppler show real glyphs (substituting an
installed Song/Sans face), and the text stays selectable and searchable. The charts are
PNGs rendered by Chromium with Noto CJK, so their glyphs are baked in.
"""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import (
    Image,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from briefing.content import SUMMARY_HEADER, ChartSlide, PackContent

PDF_FONT = "STSong-Light"
PAGE = (960.0, 540.0)  # points: 13.333 × 7.5 in, the slides' 16:9
MARGIN = 32.0
INK = colors.HexColor("#1F2A37")
MUTED = colors.HexColor("#6B7280")
ACCENT = colors.HexColor("#1F4E8C")
TONE_COLOUR = {
    "good": colors.HexColor("#1B7F3B"),
    "bad": colors.HexColor("#C0392B"),
    "neutral": INK,
}

pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))
# Binary streams instead of ASCII85: reportlab's pure-Python ASCII85 encoder took a third of
# a 12-chart PDF's build time, and binary PDFs are a fifth smaller. (Process-wide setting;
# nothing else here writes PDFs.)
rl_config.useA85 = 0


def _style(name: str, size: float, colour: colors.Color = INK, **extra: Any) -> ParagraphStyle:
    return ParagraphStyle(
        name,
        fontName=PDF_FONT,
        fontSize=size,
        leading=size * 1.3,
        textColor=colour,
        wordWrap="CJK",
        **extra,
    )


TITLE = _style("title", 40, ACCENT, alignment=TA_CENTER)
SUBTITLE = _style("subtitle", 24, INK, alignment=TA_CENTER)
DATE = _style("date", 16, MUTED, alignment=TA_CENTER)
HEADING = _style("heading", 26, ACCENT)
SMALL = _style("small", 10, MUTED)
CELL = _style("cell", 12, INK)
HEAD_CELL = _style("head", 12, colors.white)


# Characters STSong-Light (Adobe-GB1) draws as a box or with a broken width, and the
# look-alike it does have.
_CID_SAFE = str.maketrans({"·": "・", "•": "・", "–": "—", "²": "2", "³": "3"})


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    # Paragraph reads a small markup language; user-supplied text must not be markup.
    return Paragraph(escape(text.translate(_CID_SAFE)), style)


def _title_page(content: PackContent) -> list:
    return [
        Spacer(1, 150),
        _p(content.title, TITLE),
        Spacer(1, 36),
        _p(f"{content.bureau}　{content.year_range}", SUBTITLE),
        Spacer(1, 16),
        _p(f"制作日期：{content.made_on_text}", DATE),
        PageBreak(),
    ]


def _chart_page(chart: ChartSlide) -> list:
    inner_w = PAGE[0] - 2 * MARGIN
    takeaway = _style("takeaway", 17, TONE_COLOUR[chart.takeaway.tone])
    flow = [_p(chart.title, HEADING), Spacer(1, 4), _p(chart.takeaway.text, takeaway)]
    if chart.subtitle:
        flow.append(_p(chart.subtitle, SMALL))
    # what is left of the page after the text above and the source line below
    max_h = PAGE[1] - 2 * MARGIN - 118
    px_w, px_h = chart.image_size
    width, height = inner_w, inner_w * px_h / px_w
    if height > max_h:
        width, height = max_h * px_w / px_h, max_h
    flow += [Spacer(1, 6), Image(io.BytesIO(chart.png), width=width, height=height)]
    flow += [Spacer(1, 6), _p(chart.source, SMALL), PageBreak()]
    return flow


def _summary_page(content: PackContent) -> list:
    rows = [[_p(h, HEAD_CELL) for h in SUMMARY_HEADER]]
    for r in content.summary:
        rows.append([_p(v, CELL) for v in (r.indicator, r.unit, r.year, r.value, r.yoy, r.target)])
    inner_w = PAGE[0] - 2 * MARGIN
    fractions = (0.29, 0.07, 0.07, 0.19, 0.19, 0.19)
    table = Table(rows, colWidths=[inner_w * f for f in fractions], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), ACCENT),
                (
                    "ROWBACKGROUNDS",
                    (0, 1),
                    (-1, -1),
                    [colors.white, colors.HexColor("#F3F5F8")],
                ),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#C9CED6")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    flow = [_p("主要指标汇总", HEADING), Spacer(1, 10), table]
    if content.source_note:
        flow += [Spacer(1, 8), _p(content.source_note, SMALL)]
    return flow


def build_pdf(content: PackContent) -> bytes:
    """Title page, one page per chart, the summary table; returns the PDF bytes."""
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=PAGE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=f"{content.title}（{content.year_range}）",
        author=content.bureau,
        lang="zh-CN",
    )
    story = _title_page(content)
    for chart in content.slides:
        story += _chart_page(chart)
    story += _summary_page(content)
    doc.build(story)
    return out.getvalue()

"""A draft as a Word file: the template's own .docx with its figures changed, or a new one.

A .docx template keeps everything — paragraphs, tables, bold runs, styles — and only its
figure spans change (:mod:`etl.docx_text`). A text template (the built-in one, a .txt)
becomes a document laid out the way government documents usually are (GB/T 9704): A4,
margins 37/35/28/26 mm, the title in a 小标宋-style font at 22 pt (二号), the body in a
仿宋-style font at 16 pt (三号) on a fixed 29 pt line, headings 一、 in 黑体 and (一) in 楷体.

The customary fonts (仿宋_GB2312, 方正小标宋简体 …) are named in the runs so the file looks
right in the bureau's Word; the font table names, as each font's alternative, the first
font of its family that this machine has (Noto Serif/Sans CJK SC from fonts-noto-cjk), so
a machine without the customary fonts still shows a serif body and a bold serif title.

Highlights: changed figures yellow, figures still ``X`` pink; the clean copy has none.
"""

from __future__ import annotations

import bisect
import difflib
import functools
import io
import itertools
import re
import shutil
import subprocess
from collections.abc import Callable, Sequence

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.oxml.text.font import CT_RPr
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph
from lxml import etree

from db.models import CITY_WIDE
from etl.docx_text import RunEdit, docx_text, edit_runs, open_docx, paragraph_text, paragraphs
from etl.draft import Draft, Edit

CHANGED = WD_COLOR_INDEX.YELLOW
STILL_X = WD_COLOR_INDEX.PINK
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
BODY_PT, TITLE_PT, LINE_PT = 16, 22, 29
# Role → customary font first, then what may stand in for it, then what Debian ships.
FONTS: dict[str, tuple[str, ...]] = {
    "title": (
        "方正小标宋简体",
        "FZXiaoBiaoSong-B05S",
        "华文中宋",
        "STZhongsong",
        "Noto Serif CJK SC",
    ),
    "body": ("仿宋_GB2312", "仿宋", "FangSong", "STFangsong", "Noto Serif CJK SC"),
    "heading": ("黑体", "SimHei", "Noto Sans CJK SC"),
    "subheading": ("楷体_GB2312", "楷体", "KaiTi", "STKaiti", "Noto Serif CJK SC"),
}
LATIN_FONT = "Times New Roman"
HEADING = re.compile(r"^[一二三四五六七八九十]+、")
SUBHEADING = re.compile(r"^[(（][一二三四五六七八九十]+[)）][^。]*。?")
_SENTENCE_MARK = re.compile(r"[,，。;；:：!！?？]")


def edit_color(edit: Edit) -> WD_COLOR_INDEX:
    return STILL_X if "X" in edit.new else CHANGED


# ---------------------------------------------------------------- a .docx template


def draft_into_docx(template: bytes, draft: Draft, *, highlight: bool = True) -> bytes:
    """The template document with ``draft``'s edits made inside its runs.

    ``draft`` was made from this document's text (:func:`etl.docx_text.docx_text`);
    when the reader's repair changed the text's length (pinyin dropped), offsets are
    mapped back to the document's own characters by aligning the two texts.
    """
    document = open_docx(template)
    paras = paragraphs(document)
    original = docx_text(document)
    to_original = _offset_map(original, draft.template)
    starts, pos = [], 0
    for p in paras:
        starts.append(pos)
        pos += len(paragraph_text(p)) + 1
    by_paragraph: dict[int, list[RunEdit]] = {}
    for e in draft.edits:
        a, b = to_original(e.start), to_original(e.end)
        i = bisect.bisect_right(starts, a) - 1  # the paragraph the figure starts in
        color = edit_color(e) if highlight else None
        new = _in_documents_script(e.new, draft.template[e.start : e.end], original[a:b])
        by_paragraph.setdefault(i, []).append(RunEdit(a - starts[i], b - starts[i], new, color))
    for i, edits in by_paragraph.items():
        edit_runs(paras[i], edits)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _in_documents_script(new: str, repaired: str, own: str) -> str:
    """``new`` with the unit words the reader simplified back as the document wrote them (處)."""
    if len(repaired) != len(own):
        return new
    swap = {r: o for r, o in zip(repaired, own, strict=True) if r != o and not r.isdigit()}
    return "".join(swap.get(c, c) for c in new)


def _offset_map(original: str, repaired: str) -> Callable[[int], int]:
    if len(original) == len(repaired):
        return lambda pos: pos
    blocks = difflib.SequenceMatcher(None, repaired, original, autojunk=False).get_matching_blocks()

    def to_original(pos: int) -> int:
        for r, o, n in blocks:
            if r <= pos <= r + n:
                return o + pos - r
        return min(pos, len(original))

    return to_original


# ---------------------------------------------------------------- a text template


def draft_to_docx(draft: Draft, *, highlight: bool = True) -> bytes:
    """A new GB/T 9704-style document holding the draft's text, figures marked."""
    document = Document()
    _page_layout(document)
    lines = draft.text.split("\n")
    title = report_title(draft)
    if title is not None:
        _title(document, title)
    else:
        _title(document, lines[0])
    spans = draft.spans() if highlight else []
    pos = 0
    for n, line in enumerate(lines):
        start, pos = pos, pos + len(line) + 1
        if n == 0 and title is None:
            continue  # the text's own first line is the title, set above
        marks = [(a - start, b - start, edit_color(e)) for a, b, e in spans if start <= a < pos]
        _body_paragraph(document, line, marks)
    _font_table(document)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def report_title(draft: Draft) -> str | None:
    """The title to add, or ``None`` when the text's first line already is one.

    A first line that is short and has no sentence punctuation is a title
    (``2024年质量工作报告``); the seed opens straight with ``2020年,我局…``, so a title
    naming the year (and a district) is put above it.
    """
    first = draft.text.split("\n", 1)[0].strip()
    if first and len(first) <= 40 and not _SENTENCE_MARK.search(first):
        return None
    where = "" if draft.region == CITY_WIDE else draft.region
    return f"{draft.year}年{where}交通运输质量工作报告"


def _page_layout(document: DocumentObject) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    normal = document.styles["Normal"]
    normal.font.size = Pt(BODY_PT)
    _set_fonts(normal.element.get_or_add_rPr(), FONTS["body"][0])
    fmt = normal.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(LINE_PT)
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.first_line_indent = Pt(2 * BODY_PT)
    fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY


def _title(document: DocumentObject, text: str) -> None:
    para = document.add_paragraph()
    fmt = para.paragraph_format
    fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fmt.first_line_indent = Pt(0)
    fmt.line_spacing = Pt(36)
    fmt.space_after = Pt(LINE_PT)
    run = para.add_run(text)
    run.font.size = Pt(TITLE_PT)
    _set_fonts(run._r.get_or_add_rPr(), FONTS["title"][0])


def _body_paragraph(
    document: DocumentObject,
    line: str,
    marks: Sequence[tuple[int, int, WD_COLOR_INDEX]],
) -> Paragraph:
    """One line as a paragraph: runs cut at the marks and at a heading's end."""
    para = document.add_paragraph()
    heading = HEADING.match(line)
    lead = SUBHEADING.match(line)
    cuts = {0, len(line), *(a for a, _, _ in marks), *(b for _, b, _ in marks)}
    if lead:
        cuts.add(lead.end())
    bounds = sorted(c for c in cuts if 0 <= c <= len(line))
    for a, b in itertools.pairwise(bounds):
        run = para.add_run(line[a:b])
        color = next((c for s, e, c in marks if s <= a and b <= e), None)
        if color is not None:
            run.font.highlight_color = color
        if heading:
            _set_fonts(run._r.get_or_add_rPr(), FONTS["heading"][0])
        elif lead and b <= lead.end():
            _set_fonts(run._r.get_or_add_rPr(), FONTS["subheading"][0])
    return para


def _set_fonts(rpr: CT_RPr, east_asia: str) -> None:
    fonts = rpr.get_or_add_rFonts()
    fonts.set(qn("w:ascii"), LATIN_FONT)
    fonts.set(qn("w:hAnsi"), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), east_asia)


@functools.cache
def installed_fonts() -> frozenset[str]:
    """Font family names fontconfig knows (empty without fontconfig)."""
    if shutil.which("fc-list") is None:
        return frozenset()
    out = subprocess.run(
        ["fc-list", ":", "family"], capture_output=True, text=True, timeout=30, check=False
    ).stdout
    return frozenset(name.strip() for line in out.splitlines() for name in line.split(","))


def fallback_font(role: str) -> str | None:
    """The first font of ``role``'s list this machine has, else ``None``."""
    have = installed_fonts()
    return next((f for f in FONTS[role] if f in have), None)


def _font_table(document: DocumentObject) -> None:
    """Name each customary font in word/fontTable.xml with this machine's stand-in."""
    part = next(
        p for p in document.part.package.iter_parts() if p.partname == "/word/fontTable.xml"
    )
    root = etree.fromstring(part.blob)
    for role, names in FONTS.items():
        alt = fallback_font(role)
        font = etree.SubElement(root, qn("w:font"))
        font.set(qn("w:name"), names[0])
        if alt is not None and alt != names[0]:
            etree.SubElement(font, qn("w:altName")).set(qn("w:val"), alt)
        etree.SubElement(font, qn("w:charset")).set(qn("w:val"), "86")  # GB2312
        family = "swiss" if role == "heading" else "roman"
        etree.SubElement(font, qn("w:family")).set(qn("w:val"), family)
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)

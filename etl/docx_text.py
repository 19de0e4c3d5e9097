"""A Word (.docx) report as the reader sees it — one line per paragraph — and edits back into it.

Reports arrive as Word/WPS files, and a draft must come back as the same file with only
its figures changed. Word splits a paragraph's text into runs wherever formatting (or an
edit history) changes, so a figure may sit across two runs. Here every paragraph —
body and table cells, in document order — is one line of text, built from the runs'
text, and :func:`edit_runs` replaces a span of that text inside the runs themselves: the
new text takes the formatting of the run the span starts in, the rest of the span is
cut from the following runs, and nothing else in the paragraph is touched.
"""

from __future__ import annotations

import copy
import io
from collections.abc import Iterator
from dataclasses import dataclass

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.text import WD_COLOR_INDEX
from docx.table import Table
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from etl.issues import UnreadableFileError

DOCX_MAGIC = b"PK\x03\x04"


def open_docx(data: bytes) -> DocumentObject:
    """The document in ``data``; :class:`UnreadableFileError` when it is no Word file."""
    try:
        return Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises zipfile, KeyError, ValueError… alike
        raise UnreadableFileError(
            f"不是可读取的 Word 文件（.docx）：{exc} (Not a readable .docx file.)"
        ) from exc


def paragraphs(document: DocumentObject) -> list[Paragraph]:
    """Body paragraphs and table-cell paragraphs, in the order a reader reads them."""
    out: list[Paragraph] = []
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            out.append(item)
        else:
            out += _table_paragraphs(item)
    return out


def _table_paragraphs(table: Table) -> Iterator[Paragraph]:
    seen: set[int] = set()
    for row in table.rows:
        for cell in row.cells:
            if id(cell._tc) in seen:  # a merged cell is listed once per grid column
                continue
            seen.add(id(cell._tc))
            for item in cell.iter_inner_content():
                if isinstance(item, Paragraph):
                    yield item
                else:
                    yield from _table_paragraphs(item)


def runs(paragraph: Paragraph) -> list[Run]:
    """The paragraph's text runs, hyperlinks and tracked insertions included."""
    elements = paragraph._p.xpath("./w:r | ./w:hyperlink/w:r | ./w:ins/w:r")
    return [Run(r, paragraph) for r in elements]


def paragraph_text(paragraph: Paragraph) -> str:
    return "".join(r.text for r in runs(paragraph))


def docx_text(document: DocumentObject) -> str:
    """The document's text, one line per paragraph (what the report reader reads)."""
    return "\n".join(paragraph_text(p) for p in paragraphs(document))


@dataclass(frozen=True)
class RunEdit:
    """Replace ``[start, end)`` of a paragraph's text with ``new``; ``highlight`` marks it."""

    start: int
    end: int
    new: str
    highlight: WD_COLOR_INDEX | None = None


def edit_runs(paragraph: Paragraph, edits: list[RunEdit]) -> None:
    """Apply ``edits`` (non-overlapping) inside the runs, right to left so offsets hold."""
    for edit in sorted(edits, key=lambda e: e.start, reverse=True):
        _edit_one(paragraph, edit)


def _edit_one(paragraph: Paragraph, edit: RunEdit) -> None:
    pos = 0
    first: Run | None = None
    for run in runs(paragraph):
        text = run.text
        lo, hi = pos, pos + len(text)
        pos = hi
        if hi <= edit.start:
            continue
        if lo >= edit.end:
            break
        a, b = max(edit.start - lo, 0), min(edit.end - lo, len(text))
        if first is None:
            first = run
            _split_for(run, text[:a], edit.new, text[b:], edit.highlight)
        else:
            run.text = text[:a] + text[b:]


def _split_for(
    run: Run, before: str, middle: str, after: str, highlight: WD_COLOR_INDEX | None
) -> None:
    """``run`` becomes ``before`` + a copy holding ``middle`` (highlighted) + ``after``."""
    if highlight is None:
        run.text = before + middle + after
        return
    run.text = before
    marked = copy.deepcopy(run._r)
    run._r.addnext(marked)
    new = Run(marked, run._parent)
    new.text = middle
    new.font.highlight_color = highlight
    if after:
        rest = copy.deepcopy(run._r)
        marked.addnext(rest)
        Run(rest, run._parent).text = after
    if not before:
        run._r.getparent().remove(run._r)

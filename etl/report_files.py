"""Report files as text: Word (.docx), PDF with a text layer, or plain text in any encoding.

Reports reach the bureau as Word/WPS files as often as web copies; the reader and the
draft take all three. The kind is told from the bytes (a .docx is a zip, a PDF starts
``%PDF``), not trusted from the file name, and anything that is none of them is refused
with :class:`~etl.issues.UnreadableFileError` (exit 2), never guessed at.
"""

from __future__ import annotations

import io

from etl.docx_text import DOCX_MAGIC, docx_text, open_docx
from etl.issues import UnreadableFileError
from etl.report_text import decode_report

REPORT_SUFFIXES = ("txt", "docx", "pdf")


def is_docx(data: bytes) -> bool:
    return data.startswith(DOCX_MAGIC)


def report_text(data: bytes) -> str:
    """The report's text, one line per paragraph (a PDF: its text layer, page by page)."""
    if is_docx(data):
        return docx_text(open_docx(data))
    if data.startswith(b"%PDF"):
        return _pdf_text(data)
    return decode_report(data)


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader  # imported here: only PDF reports need it

    try:
        pages = [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]
    except Exception as exc:  # pypdf raises its own errors and ValueError alike
        raise UnreadableFileError(f"无法读取该 PDF：{exc} (Cannot read the PDF.)") from exc
    text = "\n".join(pages).strip()
    if not text:
        raise UnreadableFileError(
            "该 PDF 没有文字层（扫描件），请提供 Word 或文本文件。"
            " (The PDF has no text layer — a scan; give a Word or text file.)"
        )
    return text

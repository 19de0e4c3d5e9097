"""What the report-reader page shows: the repaired text with its figures marked, and labels.

Report text is user input: every piece of it (and every catalog name, which analysts
edit) goes through :func:`html.escape` before it is put between the page's own tags, so
a report can never inject markup. Pure functions, no Streamlit, so they are tested alone.
"""

from __future__ import annotations

import html
from datetime import date

from db.catalog import Catalog
from etl.report import ReportExtraction
from texts import QUALIFIER_SYMBOLS, localized


def pasted_source_name(day: date) -> str:
    """The batch name of a pasted report, ``粘贴的报告 2024-05-06`` (batch names are Chinese)."""
    return localized("reader.pasted", "zh", day=day.isoformat())


def indicator_label(catalog: Catalog, code: str) -> str:
    spec = catalog.indicators.get(code)
    return f"{spec.name_zh}（{code}）" if spec else code


_STYLE = (
    "<style>"
    ".tqi-report{line-height:2;font-size:1rem;white-space:normal;max-height:32rem;"
    "overflow-y:auto;padding:.75rem 1rem;border:1px solid rgba(128,128,128,.3);"
    "border-radius:.5rem}"
    ".tqi-report mark{background:#ffe58f;border-radius:.2rem;padding:0 .15rem}"
    ".tqi-report mark.tqi-missing{background:#e8e8e8}"
    ".tqi-report mark sub{font-size:.7em;color:#614700;margin-left:.15rem}"
    ".tqi-report mark.tqi-missing sub{color:#595959}"
    "</style>"
)


def highlighted_html(extraction: ReportExtraction, catalog: Catalog) -> str:
    """The repaired text as HTML, each figure marked and labelled with its indicator."""
    marks: list[tuple[int, int, str, str, str]] = []  # start, end, css class, label, tooltip
    for f in extraction.figures:
        mark = QUALIFIER_SYMBOLS.get(f.qualifier or "", "")
        tip = f"{f.indicator} = {mark}{f.value:,.10g} {f.unit}"
        marks.append((f.start, f.end, "tqi-figure", f.indicator, tip))
    for p in extraction.placeholders:
        spec = catalog.indicators.get(p.indicator_code)
        name = spec.name_zh if spec else p.indicator_code
        marks.append((p.start, p.end, "tqi-missing", name, f"{name} = X"))
    text = extraction.text
    out: list[str] = []
    pos = 0
    for start, end, css, label, tip in sorted(marks):
        if start < pos:
            continue
        out.append(_escape(text[pos:start]))
        out.append(
            f'<mark class="{css}" title="{html.escape(tip, quote=True)}">'
            f"{_escape(text[start:end])}<sub>{html.escape(label)}</sub></mark>"
        )
        pos = end
    out.append(_escape(text[pos:]))
    return f'{_STYLE}<div class="tqi-report">{"".join(out)}</div>'


def _escape(text: str) -> str:
    return html.escape(text, quote=True).replace("\n", "<br>")

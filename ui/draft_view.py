"""What the 报告生成 page shows: labels, and the draft as an A4-like page with its figures marked.

The preview is laid out like the Word file (GB/T 9704 margins and type sizes, the same
font families with this machine's Noto CJK as the fallback), so what a reviewer sees is
what they download; the README's picture of a draft's first page is this preview.
Report text is user input: every piece goes through :func:`html.escape`.
"""

from __future__ import annotations

import html

from etl.draft import Draft
from etl.draft_docx import FONTS, HEADING, MARGINS_MM, SUBHEADING


def draft_file_name(draft: Draft, suffix: str = ".docx") -> str:
    where = "" if draft.region == "全市" else draft.region
    return f"{draft.year}年{where}质量工作报告{suffix}"


def _family(role: str) -> str:
    return ",".join(f'"{name}"' for name in FONTS[role]) + ",serif"


_PINK = "#ffc0cb"  # Word's pink highlight, for figures still X
_STYLE = (
    "<style>"
    ".tqi-draft-page{background:#fff;color:#000;box-sizing:border-box;width:210mm;"
    "max-width:100%;margin:0 auto;box-shadow:0 0 .5rem rgba(0,0,0,.25);"
    f"padding:{MARGINS_MM['top']}mm {MARGINS_MM['right']}mm {MARGINS_MM['bottom']}mm "
    f"{MARGINS_MM['left']}mm;font-family:{_family('body')};font-size:16pt;line-height:29pt}}"
    ".tqi-draft-page h1{font-family:" + _family("title") + ";font-size:22pt;font-weight:700;"
    "text-align:center;line-height:36pt;margin:0 0 29pt}"
    ".tqi-draft-page p{text-indent:2em;margin:0;text-align:justify}"
    ".tqi-draft-page p.tqi-h{font-family:" + _family("heading").replace("serif", "sans-serif") + "}"
    ".tqi-draft-page .tqi-lead{font-family:" + _family("subheading") + "}"
    ".tqi-draft-page mark{background:#ffe58f;color:inherit;padding:0}"
    f".tqi-draft-page mark.tqi-x{{background:{_PINK}}}"
    "</style>"
)


def draft_html(draft: Draft, title: str | None) -> str:
    """The draft as one page of HTML: the title, then a paragraph per line, figures marked."""
    spans = draft.spans()
    parts = [_STYLE, '<div class="tqi-draft-page">']
    lines = draft.text.split("\n")
    if title is None:
        title, lines = lines[0], lines[1:]
        offset = len(title) + 1
    else:
        offset = 0
    parts.append(f"<h1>{html.escape(title)}</h1>")
    pos = offset
    for line in lines:
        start, pos = pos, pos + len(line) + 1
        out, at = [], 0
        for a, b, edit in spans:
            if not start <= a < start + len(line) + 1:
                continue
            a, b = a - start, b - start
            css = ' class="tqi-x"' if "X" in edit.new else ""
            out += [html.escape(line[at:a]), f"<mark{css}>{html.escape(line[a:b])}</mark>"]
            at = b
        out.append(html.escape(line[at:]))
        if not line.strip():
            continue
        text = "".join(out)
        lead = SUBHEADING.match(line)
        if lead and not any(start <= a < start + lead.end() for a, _, _ in spans):
            cut = len(html.escape(line[: lead.end()]))
            text = f'<span class="tqi-lead">{text[:cut]}</span>{text[cut:]}'
        css = ' class="tqi-h"' if HEADING.match(line) else ""
        parts.append(f"<p{css}>{text}</p>")
    parts.append("</div>")
    return "".join(parts)

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

QUALIFIER_MARK = {"more_than": "≥", "about": "≈"}

TEXT: dict[str, tuple[str, str]] = {
    "title": ("报告识别", "Report reader"),
    "intro": (
        "粘贴或上传年度工作报告（.txt、.docx 或带文字层的 PDF），系统自动修复从网页复制造成的乱码（繁体、拼音注音、错乱的序号），"
        "找出目录指标的数值。请核对下表后确认载入，作为一个批次，可在「批次记录」中回滚。",
        "Paste or upload the annual work report (.txt, .docx or a PDF with a text layer). Web-copy damage (traditional "
        "characters, pinyin, broken list numbers) is repaired and catalog figures are found. "
        "Check the table, then load it as one batch (it can be rolled back under Batches).",
    ),
    "upload": ("上传报告（.txt / .docx / .pdf）", "Upload a report (.txt, .docx, .pdf)"),
    "paste": ("或粘贴报告全文", "Or paste the report text"),
    "year": ("年份（留空则取正文中的年份）", "Year (blank: from the text)"),
    "region": ("地区", "Region"),
    "empty": ("请上传或粘贴一份报告。", "Upload or paste a report."),
    "unreadable": ("无法读取该文件：{reason}", "Cannot read the file: {reason}"),
    "too_large": ("文件超过 {mb} MB 上限。", "The file is larger than {mb} MB."),
    "no_year": (
        "正文中找不到年份（如「2020年，我局…」），请在上方填写年份。",
        "No year in the text (such as 2020年): enter the year above.",
    ),
    "found": ("识别出的数值", "Figures found"),
    "missing": ("仍为 X 的指标", "Still X"),
    "year_used": ("年份", "Year"),
    "repaired": ("修复后的报告全文（标黄为识别出的数值，标灰为仍为 X 的数值）", "Repaired text"),
    "missing_list": (
        "仍写作 X 的指标（未载入）：{names}",
        "Indicators still X (not loaded): {names}",
    ),
    "table": ("核对并修改（可增删行）", "Check and correct (rows may be added or deleted)"),
    "errors": ("有 {n} 处错误，改正后才能载入：", "{n} errors must be fixed before loading:"),
    "warnings": ("提示", "Warnings"),
    "ready": (
        "检查通过：将新增 {inserted}、更新 {updated}、未变 {unchanged}。",
        "Checked: {inserted} new, {updated} updated, {unchanged} unchanged.",
    ),
    "commit": ("确认载入", "Load"),
    "loaded": ("已载入为批次 {batch}（来源：{source}）。", "Loaded as batch {batch} ({source})."),
    "duplicate": (
        "这份报告的这些数值已在批次 {batch} 中载入。",
        "Already loaded as batch {batch}.",
    ),
    "rejected": ("未载入：{n} 处错误。", "Not loaded: {n} errors."),
    "nothing": ("表中没有数值可载入。", "The table has no figure to load."),
    "pasted": ("粘贴的报告 {day}", "Pasted report {day}"),
    "col.line": ("行", "Line"),
    "col.indicator_code": ("指标", "Indicator"),
    "col.year": ("年份", "Year"),
    "col.region": ("地区", "Region"),
    "col.value": ("数值（目录单位）", "Value (catalog unit)"),
    "col.unit": ("单位", "Unit"),
    "col.qualifier": ("限定", "Qualifier"),
    "col.written": ("原文写法", "As written"),
    "col.sentence": ("所在句子", "Sentence"),
    "qualifier.more_than": ("≥ 余/多", "≥ more than"),
    "qualifier.about": ("≈ 约", "≈ about"),
}


def rt(key: str, lang: str = "zh", **values: object) -> str:
    zh, en = TEXT[key]
    return (en if lang == "en" else zh).format(**values)


def pasted_source_name(day: date) -> str:
    """The batch name of a pasted report, ``粘贴的报告 2024-05-06`` (batch names are Chinese)."""
    return rt("pasted", "zh", day=day.isoformat())


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
        mark = QUALIFIER_MARK.get(f.qualifier or "", "")
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

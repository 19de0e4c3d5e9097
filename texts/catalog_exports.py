"""Catalogue entries (key → (Chinese, English)) for the briefing export page and the report reader/drafts pages.

Part of :data:`texts.catalog.CATALOG`; see there.
"""

from __future__ import annotations

EXPORTS: dict[str, tuple[str, str]] = {
    "briefing.charts": ("简报包含的图表", "Charts in the pack"),
    "briefing.charts_help": (
        "默认：总览的重点指标与目标完成情况，以及每个类别一张同比变化图。",
        "Default: the overview's headline indicators and target completion, plus one change-on-last-year chart per category.",
    ),
    "briefing.charts_placeholder": ("请选择至少一张图表", "Choose at least one chart"),
    "briefing.empty_years": (
        "{start}—{end} 年没有数据，请调整年份。",
        "No figures for {start}–{end}; adjust the years.",
    ),
    "briefing.intro": (
        "选择年份和图表，一键生成可直接用于汇报的幻灯片（PPTX，WPS/PowerPoint 可打开）或 PDF；每张图也可单独下载 1920×1080 PNG。",
        "Choose the years and charts, then download slides (PPTX, opens in WPS/PowerPoint) or a PDF in one click; every chart is also a 1920×1080 PNG.",
    ),
    "briefing.no_data": (
        "数据库中还没有指标数据，暂无可导出的图表。请先在总览页加载示例数据或上传数据。",
        "The store has no figures yet, so there is nothing to export. Load the sample data on the overview or upload a batch first.",
    ),
    "briefing.none_chosen": ("尚未选择图表。", "No chart chosen."),
    "briefing.open_screenshot": ("打开截图模式总览", "Open the overview in screenshot mode"),
    "briefing.pack_caption": (
        "共 {slides} 页：封面、{charts} 张图表、指标汇总表。首次生成需启动导出浏览器，约需数秒。",
        "{slides} slides: title, {charts} charts, summary table. The first export starts the export browser and takes a few seconds.",
    ),
    "briefing.pdf": ("生成简报 PDF", "Download PDF"),
    "briefing.png": ("PNG", "PNG"),
    "briefing.pngs": ("单张图表 PNG（1920×1080）", "Single charts as PNG (1920×1080)"),
    "briefing.pptx": ("生成简报 PPTX", "Download PPTX"),
    "briefing.screenshot": ("截图模式", "Screenshot mode"),
    "briefing.screenshot_help": (
        "打开无侧栏、无工具栏的 16:9 大字版总览，适合直接截屏放入汇报材料。",
        "Opens the overview at 16:9 with large type and no sidebar or toolbar, ready for a browser screenshot.",
    ),
    "briefing.title": ("简报导出", "Briefing"),
    "briefing.unavailable": (
        "本机无法导出图片：{reason}",
        "Charts cannot be exported on this server: {reason}",
    ),
    "briefing.years": ("年份范围", "Years"),
    "reader.col.indicator_code": ("指标", "Indicator"),
    "reader.col.line": ("行", "Line"),
    "reader.col.qualifier": ("限定", "Qualifier"),
    "reader.col.region": ("地区", "Region"),
    "reader.col.sentence": ("所在句子", "Sentence"),
    "reader.col.unit": ("单位", "Unit"),
    "reader.col.value": ("数值（目录单位）", "Value (catalog unit)"),
    "reader.col.written": ("原文写法", "As written"),
    "reader.col.year": ("年份", "Year"),
    "reader.commit": ("确认载入", "Load"),
    "reader.duplicate": (
        "这份报告的这些数值已在批次 {batch} 中载入。",
        "Already loaded as batch {batch}.",
    ),
    "reader.empty": ("请上传或粘贴一份报告。", "Upload or paste a report."),
    "reader.errors": (
        "有 {n} 处错误，改正后才能载入：",
        "{n} errors must be fixed before loading:",
    ),
    "reader.found": ("识别出的数值", "Figures found"),
    "reader.intro": (
        "粘贴或上传年度工作报告（.txt、.docx 或带文字层的 PDF），系统自动修复从网页复制造成的乱码（繁体、拼音注音、错乱的序号），找出目录指标的数值。请核对下表后确认载入，作为一个批次，可在「批次记录」中回滚。",
        "Paste or upload the annual work report (.txt, .docx or a PDF with a text layer). Web-copy damage (traditional characters, pinyin, broken list numbers) is repaired and catalog figures are found. Check the table, then load it as one batch (it can be rolled back under Batches).",
    ),
    "reader.loaded": (
        "已载入为批次 {batch}（来源：{source}）。",
        "Loaded as batch {batch} ({source}).",
    ),
    "reader.missing": ("仍为 X 的指标", "Still X"),
    "reader.missing_list": (
        "仍写作 X 的指标（未载入）：{names}",
        "Indicators still X (not loaded): {names}",
    ),
    "reader.no_year": (
        "正文中找不到年份（如「2020年，我局…」），请在上方填写年份。",
        "No year in the text (such as 2020年): enter the year above.",
    ),
    "reader.nothing": ("表中没有数值可载入。", "The table has no figure to load."),
    "reader.paste": ("或粘贴报告全文", "Or paste the report text"),
    "reader.pasted": ("粘贴的报告 {day}", "Pasted report {day}"),
    "reader.ready": (
        "检查通过：将新增 {inserted}、更新 {updated}、未变 {unchanged}。",
        "Checked: {inserted} new, {updated} updated, {unchanged} unchanged.",
    ),
    "reader.region": ("地区", "Region"),
    "reader.rejected": ("未载入：{n} 处错误。", "Not loaded: {n} errors."),
    "reader.repaired": (
        "修复后的报告全文（标黄为识别出的数值，标灰为仍为 X 的数值）",
        "Repaired text",
    ),
    "reader.table": ("核对并修改（可增删行）", "Check and correct (rows may be added or deleted)"),
    "reader.title": ("报告识别", "Report reader"),
    "reader.too_large": ("文件超过 {mb} MB 上限。", "The file is larger than {mb} MB."),
    "reader.unreadable": ("无法读取该文件：{reason}", "Cannot read the file: {reason}"),
    "reader.upload": ("上传报告（.txt / .docx / .pdf）", "Upload a report (.txt, .docx, .pdf)"),
    "reader.warnings": ("提示", "Warnings"),
    "reader.year": ("年份（留空则取正文中的年份）", "Year (blank: from the text)"),
    "reader.year_used": ("年份", "Year"),
    "draft.title": ("报告生成", "Report drafts"),
    "draft.intro": (
        "以去年的工作报告为模板，把其中每个数值换成所选年份、地区在数据库中的数值，其余文字不变。黄色为已更新的数值，粉色为数据库中没有、仍写作 X 的数值。",
        "Last year's report with every figure set to the store's figure for the chosen year and region; nothing else changes. Yellow: updated; pink: still X (no figure stored).",
    ),
    "draft.year": ("年份", "Year"),
    "draft.region": ("地区", "Region"),
    "draft.upload": (
        "上传去年的报告（.docx / .txt / .pdf，可选；不上传则用内置模板）",
        "Upload last year's report (.docx, .txt, .pdf; optional — default: the built-in template)",
    ),
    "draft.builtin_only": (
        "使用内置模板（上传自己的报告需统计员登录）。",
        "Using the built-in template (uploading a report needs an analyst login).",
    ),
    "draft.no_data": ("数据库中还没有数据。", "The store has no figures yet."),
    "draft.unreadable": ("无法读取该文件：{reason}", "Cannot read the file: {reason}"),
    "draft.no_figure": ("{reason}", "{reason}"),
    "draft.too_large": ("文件超过 {mb} MB 上限。", "The file is larger than {mb} MB."),
    "draft.written": ("已填入的数值", "Figures written"),
    "draft.missing": ("仍为 X 的指标", "Still X"),
    "draft.template_year": ("模板年份", "Template year"),
    "draft.missing_list": (
        "数据库中没有 {year} 年的数值、仍写作 X 的指标：{names}",
        "No {year} figure in the store, still X: {names}",
    ),
    "draft.preview": ("预览", "Preview"),
    "draft.docx": ("下载 DOCX（标出改动）", "Download DOCX (changes marked)"),
    "draft.clean": ("下载清稿 DOCX", "Download clean DOCX"),
    "draft.changes": ("下载改动清单 CSV", "Download change list (CSV)"),
    "draft.change_list": ("改动清单", "Change list"),
}

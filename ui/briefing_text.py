"""Labels of the 简报导出 page, in Chinese and English (the pack itself is in Chinese).

Kept apart from :mod:`ui.i18n` so the briefing page can change without touching the
dashboard's label table; :func:`bt` behaves like ``ui.i18n.t`` (a missing key raises).
"""

from __future__ import annotations

from typing import Any

TEXT: dict[str, tuple[str, str]] = {
    "title": ("简报导出", "Briefing"),
    "intro": (
        "选择年份和图表，一键生成可直接用于汇报的幻灯片（PPTX，WPS/PowerPoint 可打开）或 PDF；"
        "每张图也可单独下载 1920×1080 PNG。",
        "Choose the years and charts, then download slides (PPTX, opens in WPS/PowerPoint) "
        "or a PDF in one click; every chart is also a 1920×1080 PNG.",
    ),
    "unavailable": (
        "本机无法导出图片：{reason}",
        "Charts cannot be exported on this server: {reason}",
    ),
    "no_data": (
        "数据库中还没有指标数据，暂无可导出的图表。请先在总览页加载示例数据或上传数据。",
        "The store has no figures yet, so there is nothing to export. Load the sample data "
        "on the overview or upload a batch first.",
    ),
    "years": ("年份范围", "Years"),
    "charts": ("简报包含的图表", "Charts in the pack"),
    "charts_help": (
        "默认：总览的重点指标与目标完成情况，以及每个类别一张同比变化图。",
        "Default: the overview's headline indicators and target completion, plus one "
        "change-on-last-year chart per category.",
    ),
    "charts_placeholder": ("请选择至少一张图表", "Choose at least one chart"),
    "reset_charts": ("恢复默认图表", "Default charts"),
    "pptx": ("生成简报 PPTX", "Download PPTX"),
    "pdf": ("生成简报 PDF", "Download PDF"),
    "pack_caption": (
        "共 {slides} 页：封面、{charts} 张图表、指标汇总表。首次生成需启动导出浏览器，约需数秒。",
        "{slides} slides: title, {charts} charts, summary table. The first export starts the "
        "export browser and takes a few seconds.",
    ),
    "pngs": ("单张图表 PNG（1920×1080）", "Single charts as PNG (1920×1080)"),
    "png": ("PNG", "PNG"),
    "screenshot": ("截图模式", "Screenshot mode"),
    "screenshot_help": (
        "打开无侧栏、无工具栏的 16:9 大字版总览，适合直接截屏放入汇报材料。",
        "Opens the overview at 16:9 with large type and no sidebar or toolbar, ready for a "
        "browser screenshot.",
    ),
    "open_screenshot": ("打开截图模式总览", "Open the overview in screenshot mode"),
    "none_chosen": ("尚未选择图表。", "No chart chosen."),
    "empty_years": (
        "{start}—{end} 年没有数据，请调整年份。",
        "No figures for {start}–{end}; adjust the years.",
    ),
}


def bt(key: str, lang: str = "zh", **values: Any) -> str:
    zh, en = TEXT[key]
    text = en if lang == "en" else zh
    return text.format(**values) if values else text

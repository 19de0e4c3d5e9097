"""Every label the dashboard shows, in Chinese (default) and English.

``t(key, lang, **values)`` looks a label up and fills ``{placeholders}``; a missing key
raises at once (a test renders every page in both languages). Catalog names come from
the database (``name_zh``/``name_en``); units are stored in Chinese, so their English
words live here, with per-indicator overrides where a measure word (个, 起) needs one.
No Streamlit here: the briefing exporter speaks the same words.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ui.text_overview import TEXT_OVERVIEW

LANGS: tuple[str, ...] = ("zh", "en")
LANG_NAMES = {"zh": "中文", "en": "English"}

TEXT: dict[str, tuple[str, str]] = {
    # app shell
    "app.title": ("交通运输质量指标看板", "Transport Quality Indicators"),
    "app.language": ("语言", "Language"),
    "filters.header": ("筛选", "Filters"),
    "filters.years": ("年份范围", "Years"),
    "filters.categories": ("工作类别", "Categories"),
    "filters.regions": ("地区", "Regions"),
    "filters.all_categories": ("全部类别", "All categories"),
    "filters.all_regions": ("全部地区（全市口径）", "All regions (city-wide)"),
    "filters.one_year": ("数据仅有 {year} 年", "Figures for {year} only"),
    "filters.no_data": (
        "暂无数据，筛选待加载数据后可用。",
        "No figures yet; filters appear once data is loaded.",
    ),
    "filters.link_hint": (
        "当前筛选已写入网址，复制链接即可分享同一视图。",
        "The filters are in the address bar: copy the link to share this view.",
    ),
    "filters.reset": ("重置筛选", "Reset filters"),
    # pages
    "page.overview": ("总览", "Overview"),
    "page.category": ("分类趋势", "By category"),
    "page.indicator": ("指标详情", "Indicator"),
    "page.coverage": ("数据质量", "Data coverage"),
    # empty store / edge states
    "empty.title": ("数据库中还没有指标数据", "The store has no figures yet"),
    "empty.body": (
        "可以先加载**示例数据**浏览看板（合成数据，非真实统计；作为一个批次载入，可像其他批次一样回滚），或由统计员上传批次文件。",
        "Load the **sample data** to explore the dashboard (synthetic figures, not real statistics; "
        "it is loaded as one batch and can be rolled back like any other), or have an analyst "
        "upload a batch file.",
    ),
    "empty.load_sample": ("加载示例数据", "Load sample data"),
    "empty.loading": ("正在加载示例数据…", "Loading the sample data…"),
    "empty.loaded": (
        "已加载示例数据：{count} 条数据（批次 #{batch}）。",
        "Sample data loaded: {count} figures (batch #{batch}).",
    ),
    "empty.failed": ("示例数据未能加载：{reason}", "The sample data could not be loaded: {reason}"),
    "empty.filtered": (
        "所选筛选条件下没有数据：{what}。请放宽年份、类别或地区。",
        "Nothing matches the filters: {what}. Widen the years, categories or regions.",
    ),
    "empty.year": ("{year} 年没有数据", "no figures for {year}"),
    "empty.years": ("{start}–{end} 年没有数据", "no figures for {start}–{end}"),
    "empty.regions": ("所选地区（{regions}）没有数据", "no figures for {regions}"),
    "empty.category": ("“{name}”在所选年份没有数据", "no figures for “{name}” in these years"),
    "scope.city": ("全市口径", "city-wide"),
    "scope.regions": ("{regions}合计", "{regions} combined"),
    "sample.badge": ("示例数据", "Sample data"),
    "sample.notice": (
        "当前显示的是示例数据（合成，非真实统计）。",
        "You are looking at the sample data (synthetic, not real statistics).",
    ),
    # overview
    "overview.title": ("交通运输质量指标总览", "Transport quality at a glance"),
    "overview.caption": (
        "{year} 年 · {scope} · 与上年比较",
        "{year} · {scope} · compared with the previous year",
    ),
    "overview.kpis": ("重点指标", "Headline indicators"),
    "overview.categories": ("六大工作类别", "Categories of work"),
    "overview.completion": ("目标完成情况（完成率）", "Targets (completion)"),
    "overview.no_targets": (
        "{year} 年没有设定目标值的指标。",
        "No indicator has a target for {year}.",
    ),
    "kpi.vs_prev": ("较上年", "vs previous year"),
    "kpi.no_prev": ("无上年数据", "no previous year"),
    "kpi.latest_year": ("最新为 {year} 年数据", "latest figure: {year}"),
    "kpi.no_data": ("所选年份暂无数据", "no figures in these years"),
    "kpi.target": ("目标 {target} · 完成率 {pct}", "target {target} · {pct} achieved"),
    "kpi.no_target": ("未设目标值", "no target set"),
    "kpi.help": ("{name}：{rule}；{direction}。", "{name}: {rule}; {direction}."),
    "tile.reported": (
        "{reported}/{total} 项指标有 {year} 年数据",
        "{reported} of {total} indicators reported for {year}",
    ),
    "tile.none": (
        "{year} 年无数据（最新为 {latest} 年）",
        "No figures for {year} (latest: {latest})",
    ),
    "tile.never": ("所选年份无数据", "No figures in these years"),
    "tile.moves": (
        "较上年向好 :green[**{up}**] 项 · 变差 :red[**{down}**] 项",
        ":green[**{up}**] better · :red[**{down}**] worse than last year",
    ),
    "tile.targets": ("目标达成 {met}/{total}", "Targets met: {met} of {total}"),
    "tile.best": ("最大进步：{name} {change}", "Best mover: {name} {change}"),
    "tile.open": ("查看分类趋势", "Open the category"),
    # category page
    "category.title": ("分类趋势", "Trends by category"),
    "category.choose": ("工作类别", "Category"),
    "category.view": ("口径", "View"),
    "category.view.city": ("全市", "City-wide"),
    "category.view.regions": ("分地区", "By region"),
    "category.caption": (
        "{count} 项指标 · {start}–{end} 年 · {rule}",
        "{count} indicators · {start}–{end} · {rule}",
    ),
    "category.rule": (
        "计数类指标各地区求和，比率类取平均，不相加",
        "counts are summed over regions, rates averaged (never summed)",
    ),
    "category.table": ("最新值与同比（{scope}）", "Latest figure and change ({scope})"),
    "category.full_table": ("逐年数据表", "Figures by year"),
    "category.truncated": (
        "地区较多，每项指标只显示最新一年数值最大的 {n} 个地区；可在侧边栏选择地区进行比较。",
        "Many regions: each indicator shows the {n} largest in its latest year; pick regions in the sidebar to compare others.",
    ),
    "category.no_regions": ("所选范围内没有分地区数据。", "No figures by region in this range."),
    # indicator page
    "indicator.title": ("指标详情", "Indicator detail"),
    "indicator.choose": ("指标", "Indicator"),
    "indicator.latest": ("最新值（{year} 年）", "Latest ({year})"),
    "indicator.target": ("目标值（{year} 年）", "Target ({year})"),
    "indicator.completion": ("完成率", "Completion"),
    "indicator.no_target": ("未设目标", "no target"),
    "indicator.regions": ("地区数", "Regions"),
    "indicator.series": ("逐年走势", "Trend"),
    "indicator.by_region": ("分地区比较（{year} 年）", "By region ({year})"),
    "indicator.region_trend": ("分地区走势", "Trend by region"),
    "indicator.figures": ("数据明细与来源批次", "Figures and the batch each came from"),
    "indicator.one_year": (
        "该指标只有 {year} 年一年数据，暂无法显示趋势。",
        "This indicator has figures for {year} only, so there is no trend to draw yet.",
    ),
    "indicator.no_data": (
        "该指标在所选范围内没有数据。",
        "This indicator has no figures in the chosen range.",
    ),
    "indicator.no_regions": ("该指标没有分地区数据。", "This indicator has no figures by region."),
    "indicator.meta": (
        "{category} · 单位：{unit} · {rule} · {direction}",
        "{category} · unit: {unit} · {rule} · {direction}",
    ),
    "rule.sum": ("地区汇总：求和", "regions combined: sum"),
    "rule.mean": (
        "地区汇总：平均（比率不相加）",
        "regions combined: mean (rates are never summed)",
    ),
    "direction.up": ("数值越高越好", "higher is better"),
    "direction.down": ("数值越低越好", "lower is better"),
    "qualifier.more_than": ("≥ 表示“余/多”（不少于）", "≥ means “more than”"),
    "qualifier.about": ("≈ 表示“约”", "≈ means “about”"),
    "source.districts": ("无全市数据，由各区汇总", "no city-wide figure; combined from districts"),
    # coverage page
    "coverage.title": ("数据质量：覆盖情况", "Data coverage"),
    "coverage.caption": (
        "{start}–{end} 年 · 每格数字为有数据的地区数，浅红色格即缺数；方块颜色为所属类别。",
        "{start}–{end} · each cell counts the regions with a figure; a pale red cell is a gap; the square shows the category.",
    ),
    "coverage.indicators": ("有数据的指标", "Indicators with figures"),
    "coverage.cells": ("指标×年份覆盖率", "Indicator-years covered"),
    "coverage.gaps": ("缺失的指标×年份", "Missing indicator-years"),
    "coverage.regions": ("地区数", "Regions"),
    "coverage.by_indicator": ("指标 × 年份", "Indicators × years"),
    "coverage.by_region": (
        "地区 × 年份（有数据的指标数）",
        "Regions × years (indicators with figures)",
    ),
    "coverage.region_limit": (
        "仅显示前 {n} 个地区（共 {total} 个）；可在侧边栏选择地区。",
        "Showing {n} of {total} regions; pick regions in the sidebar.",
    ),
    "coverage.missing_list": ("缺数清单", "Gaps"),
    "coverage.none_missing": (
        "所选范围内每项指标每年都有数据。",
        "Every indicator has figures for every year in range.",
    ),
    "coverage.missing_years": ("缺失年份", "Missing years"),
    "coverage.no_figures": ("无任何数据", "no figures at all"),
    # tables and charts
    "col.indicator": ("指标", "Indicator"),
    "col.category": ("类别", "Category"),
    "col.unit": ("单位", "Unit"),
    "col.year": ("年份", "Year"),
    "col.region": ("地区", "Region"),
    "col.value": ("数值", "Value"),
    "col.latest": ("最新值", "Latest"),
    "col.latest_in": ("{year} 年", "{year}"),
    "col.change": ("同比", "Change"),
    "col.target": ("目标值", "Target"),
    "col.completion": ("完成率", "Completion"),
    "col.note": ("备注", "Note"),
    "col.batch": ("来源批次", "Batch"),
    "col.loaded_at": ("入库时间", "Loaded"),
    "col.count": ("缺失年数", "Years missing"),
    "chart.year": ("年份", "Year"),
    "chart.target": ("目标值", "Target"),
    "chart.completion": ("完成率（%）", "Completion (%)"),
    "chart.full": ("目标线 100%", "target 100%"),
    "chart.regions_count": ("地区数", "regions"),
    "chart.indicators_count": ("指标数", "indicators"),
    "chart.trend_title": ("{name}（{start}–{end} 年）", "{name} ({start}–{end})"),
    "chart.region_title": ("分地区比较（{year} 年）", "By region ({year})"),
    "chart.completion_title": ("{year} 年目标完成率", "Target completion, {year}"),
    "chart.coverage_title": ("数据覆盖：指标 × 年份", "Coverage: indicators × years"),
    "chart.region_coverage_title": ("数据覆盖：地区 × 年份", "Coverage: regions × years"),
    "chart.category_title": ("{name}（{start}–{end} 年）", "{name} ({start}–{end})"),
    "city": ("全市", "City-wide"),
    "replica.down": (
        "只读副本暂不可用，数据改从主库读取（结果仍为最新）。",
        "The read replica is unavailable: reading from the primary instead (figures are current).",
    ),
    # database errors on any page (ui/errors.py)
    "db.busy": (
        "数据正在写入，请稍后重试。",
        "The data is being written, please try again in a moment.",
    ),
    "db.error": (
        "暂时无法读取数据库，请稍后重试；如仍失败，请联系管理员。",
        "The database cannot be reached just now; please try again, or tell an administrator.",
    ),
    # the empty store for anyone but an analyst (ui/cards.py)
    "empty.body_visitor": (
        "示例数据和批次文件只能由**统计员**载入。统计员请在左侧栏“统计员登录”处登录，"
        "登录后本页会出现“加载示例数据”按钮；也可以在服务器上运行 `python -m etl sample`。",
        "Only an **analyst** can load the sample data or a batch file. Analysts: log in under "
        "“Analyst login” in the sidebar, and this page then offers “Load sample data”; or run "
        "`python -m etl sample` on the server.",
    ),
    "empty.refused": (
        "未加载：只有统计员可以加载示例数据，请先以统计员身份登录。",
        "Not loaded: only an analyst can load the sample data; please log in as an analyst.",
    ),
    # Streamlit's own file-uploader texts (ui/streamlit_texts.py; English keeps Streamlit's)
    "uploader.browse": ("选择文件", "Upload"),
    "uploader.limit": ("每个文件不超过 {mb} MB · {types}", "{mb}MB per file • {types}"),
    "uploader.types_sep": ("、", ", "),
    "uploader.drop": ("拖放文件到此处", "Drag and drop files here"),
    "uploader.rejected": (
        "不能上传：文件超过 {mb} MB 或类型不符",
        "Not accepted: larger than {mb}MB or not an accepted type",
    ),
}

TEXT.update(TEXT_OVERVIEW)  # the leaders' views' labels (ui/text_overview.py)

UNITS_EN: dict[str, str] = {
    "次": "times",
    "处": "sites",
    "件": "items",
    "家": "firms",
    "起": "cases",
    "项": "items",
    "名": "people",
    "张": "plates",
    "辆": "vehicles",
    "条": "routes",
    "元": "CNY",
    "个": "units",
    "辆次": "vehicle checks",
    "人次": "person-times",
    "人": "people",
    "支": "teams",
    "车次": "trips",
    "平方米": "m²",
    "米": "m",
    "块": "pieces",
    "株": "trees",
    "棵": "trees",
    "%": "%",
}
"""English for the catalog's canonical units."""

UNIT_EN_BY_INDICATOR: dict[str, str] = {
    "service.card_cities": "cities",
    "epidemic.checkpoints": "checkpoints",
    "brand.pioneer_crews": "crews",
    "construction.quality_accidents": "accidents",
    "safety.major_accidents": "accidents",
    "construction.penalties": "penalties",
    "construction.rectifications": "problems",
    "safety.drills": "drills",
    "epidemic.vehicles_checked": "vehicles",
    "safety.key_vehicle_checks": "checks",
    "epidemic.people_checked": "people",
    "epidemic.medical_rides": "rides",
}
"""Where a measure word needs the indicator to be translated well (个 → cities)."""


def t(key: str, lang: str = "zh", **values: Any) -> str:
    """The label ``key`` in ``lang`` with ``{placeholders}`` filled from ``values``."""
    zh, en = TEXT[key]
    text = en if lang == "en" else zh
    return text.format(**values) if values else text


def name(row: Mapping[str, Any] | Any, lang: str = "zh") -> str:
    """A catalog row's name (``name_zh``/``name_en``) in ``lang``; Chinese if no English."""
    get = row.get if isinstance(row, Mapping) else lambda k, d=None: getattr(row, k, d)
    if lang == "en" and get("name_en"):
        return str(get("name_en"))
    return str(get("name_zh") or get("code") or "")


def unit_label(unit: str, lang: str = "zh", *, code: str | None = None) -> str:
    """The unit as a reader of ``lang`` says it (units are stored in Chinese)."""
    if lang != "en":
        return unit
    if code and code in UNIT_EN_BY_INDICATOR:
        return UNIT_EN_BY_INDICATOR[code]
    return UNITS_EN.get(unit, unit)


def region_label(region: str, lang: str = "zh") -> str:
    """全市 reads "City-wide" in English; district names are kept as written."""
    return t("city", lang) if region == "全市" else region

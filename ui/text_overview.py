"""Labels of the leaders' views (报告年度, stale and not-applicable marks, one-click links).

Kept apart from :mod:`ui.i18n`'s table so several engineers can add labels without
touching the same lines; :mod:`ui.i18n` merges this table into its own (later keys win).
"""

from __future__ import annotations

TEXT_OVERVIEW: dict[str, tuple[str, str]] = {
    "report.year": ("报告年度", "Reporting year"),
    "report.option": (
        "{year} 年（{reported}/{applicable} 项）",
        "{year} ({reported} of {applicable})",
    ),
    "report.help": (
        "默认为最近一个多数指标（不少于适用指标的一半）已有数据的年份；疫情防控等只适用于部分年份的指标按其适用年份计。",
        "By default the latest year in which most indicators (at least half of those that "
        "apply that year) have figures; indicators that apply to some years only, such as "
        "epidemic prevention, count only in those years.",
    ),
    "report.incomplete": (
        "{year} 年数据尚不完整：已有 {reported}/{applicable} 项。",
        "{year} is incomplete: {reported} of {applicable} indicators have figures.",
    ),
    "report.later": (
        "{year} 年已有 {reported}/{applicable} 项，未达半数，默认报告年度仍为 {default} 年。",
        "{year} has {reported} of {applicable} indicators so far (under half); the default "
        "reporting year stays {default}.",
    ),
    "overview.caption": (
        "报告年度 {year} 年 · {scope} · 与上年比较",
        "Reporting year {year} · {scope} · compared with the previous year",
    ),
    "kpi.stale": ("{latest} 年数据（非 {year} 年）", "{latest} figure (not {year})"),
    "kpi.not_applicable": ("仅适用 {span}", "Applies {span} only"),
    "kpi.prev_value": ("{year} 年 {value}", "{year}: {value}"),
    "kpi.open": ("指标详情", "Details"),
    "catalog.years_span": ("{first}–{last} 年", "{first}–{last}"),
    "catalog.years_from": ("{first} 年起", "from {first}"),
    "catalog.years_until": ("至 {last} 年", "until {last}"),
    "overview.changes": ("各指标同比变化", "Change on last year, by indicator"),
    "chart.change_title": (
        "{name}：{year} 年各指标同比变化",
        "{name}: change on the previous year, {year}",
    ),
    "chart.change_axis": (
        "{year} 年同比变化（%；比率类为百分点）",
        "Change on last year, {year} (%; rates in points)",
    ),
    "chart.change_none": (
        "{year} 年无可比较的上年数据",
        "No previous-year figures to compare in {year}",
    ),
    "coverage.not_applicable": ("不适用", "n/a"),
    "coverage.caption": (
        "{start}–{end} 年 · 每格数字为有数据的区县数（全市不计入，只有全市数据时为 0），浅红色格即缺数，灰色格为该指标不适用的年份（不算缺数）；方块颜色为所属类别。",
        "{start}–{end} · each cell counts the districts with a figure (the city total is not counted: 0 means the city-wide figure only); a pale red cell is a gap, a grey one a year the indicator does not apply to (not a gap); the square shows the category.",
    ),
    "coverage.regions": ("区县数（不含全市）", "Districts (city total excluded)"),
    "chart.regions_count": ("区县数", "districts"),
    "indicator.regions": ("区县数", "Districts"),
    "catalog.years_title": ("适用年份", "Years it applies to"),
    "catalog.years_help": (
        "指标只在部分年份适用时填写（如疫情防控 2020–2022）；适用年份之外缺数不算缺失。留空表示不限。",
        "Fill in when an indicator applies to some years only (epidemic prevention: "
        "2020–2022); outside them a missing figure is not a gap. Leave empty for no limit.",
    ),
    "catalog.first_year": ("起始年份", "First year"),
    "catalog.last_year": ("截止年份", "Last year"),
    "catalog.years_submit": ("保存适用年份", "Save the years"),
    "catalog.year_not_number": (
        "{field}“{value}”不是年份，请填写四位数字 ({field}: not a year)",
        "{field} “{value}” is not a year; type four digits",
    ),
    "catalog.years_saved": ("已保存：{name} 适用 {span}", "Saved: {name} applies {span}"),
    "catalog.all_years": ("所有年份", "in every year"),
    "catalog.years_current": ("当前设有适用年份：{list}", "Indicators with a year range: {list}"),
    "legend.good": ("向好", "better"),
    "legend.bad": ("变差", "worse"),
    "legend.same": ("持平", "no change"),
    "category.changes": ("{year} 年各指标同比变化", "Change on the previous year, {year}"),
}

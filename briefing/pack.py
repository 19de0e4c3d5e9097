"""Build a briefing pack (a format in ``briefing.formats``) or a single chart PNG from the store.

The one entry point the page and the CLI share::

    build_pack(session, years=(2016, 2025), charts=None, fmt="pptx") -> bytes

``charts=None`` means the default set (see ``briefing.charts.default_chart_ids``). Reading
happens once, rendering goes through the kept browser in ``briefing.render``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pandas as pd
from sqlalchemy.orm import Session

from briefing import render
from briefing.charts import (
    BuiltChart,
    build_chart,
    chart_catalogue,
    resolve_chart_ids,
    titled,
)
from briefing.content import DEFAULT_BUREAU, ChartSlide, PackContent, SummaryRow
from briefing.data import BriefingData, read_briefing_data
from briefing.formats import DEFAULT_PACK_FORMAT, UnknownFormatError, pack_format
from briefing.takeaway import format_value, target_takeaway, yoy_takeaway

PackFormat = str  # a name in briefing.formats.PACK_FORMATS
MIN_YEAR, MAX_YEAR = 1949, 2100

# Stand-alone PNG: 1280 × 720 CSS px at scale 1.5 = 1920 × 1080 (16:9, presentation size).
PNG_CSS = (1280, 720)
PNG_SCALE = 1.5
# On a slide the chart sits under the title and takeaway: a wider box, same type size.
SLIDE_CSS = (1280, 552)


class BriefingError(Exception):
    """Base for problems the page and the CLI turn into a plain message."""


class InvalidYearsError(BriefingError):
    pass


class EmptyPackError(BriefingError):
    """The store has no figures in the chosen years; there is nothing to brief."""


def parse_years(text: str) -> tuple[int, int]:
    """``2016-2025`` / ``2016–2025`` / ``2020`` → (first, last); raises InvalidYearsError."""
    cleaned = text.strip().replace("–", "-").replace("—", "-").replace("~", "-").replace("年", "")
    parts = [p.strip() for p in cleaned.split("-")]
    try:
        numbers = [int(p) for p in parts if p]
    except ValueError:
        raise InvalidYearsError(f"年份范围应写作 2016-2025，而不是 {text!r}") from None
    if len(numbers) == 1:
        numbers *= 2
    if len(numbers) != 2:
        raise InvalidYearsError(f"年份范围应写作 2016-2025，而不是 {text!r}")
    return check_years((numbers[0], numbers[1]))


def check_years(years: tuple[int, int]) -> tuple[int, int]:
    first, last = years
    if not (MIN_YEAR <= first <= last <= MAX_YEAR):
        raise InvalidYearsError(f"年份范围无效：{first}–{last}（起始年不能晚于结束年）")
    return first, last


def load_data(session: Session, years: tuple[int, int]) -> BriefingData:
    data = read_briefing_data(session, check_years(years))
    if data.series.empty:
        raise EmptyPackError(
            f"{years[0]}–{years[1]}年没有任何数据，无法生成简报。"
            "请先上传数据，或载入示例数据（python -m etl sample）。"
        )
    return data


def chart_png(built: BuiltChart) -> bytes:
    """The stand-alone 1920 × 1080 PNG of a chart: title, subtitle and source drawn in."""
    width, height = PNG_CSS
    fig = titled(built, height=height)
    return render.render_png(fig, width=width, height=height, scale=PNG_SCALE)


def build_charts(data: BriefingData, charts: list[str] | None) -> list[BuiltChart]:
    return [build_chart(data, c) for c in resolve_chart_ids(data, charts)]


def summary_rows(data: BriefingData, codes: list[str]) -> list[SummaryRow]:
    """One row per headline indicator: its latest figure in the range, change, target."""
    rows = []
    for code in codes:
        spec = data.spec(code)
        series = data.indicator_series(code)
        if series.empty:
            rows.append(SummaryRow(spec["name_zh"], spec["unit"], "—", "—", "—", "—"))
            continue
        last = series.iloc[-1]
        previous = last["prev"] if pd.notna(last["prev"]) else None
        yoy = yoy_takeaway(last["value"], previous, direction=spec["direction"], unit=spec["unit"])
        hit = target_takeaway(last["value"], last["target"], direction=spec["direction"])
        rows.append(
            SummaryRow(
                indicator=spec["name_zh"],
                unit=spec["unit"],
                year=str(int(last["year"])),
                value=format_value(float(last["value"]), spec["unit"], last["qualifier"]),
                yoy=yoy.text.removeprefix("同比"),
                target=hit.text if hit else "—",
            )
        )
    return rows


def build_content(
    data: BriefingData,
    built: list[BuiltChart],
    *,
    bureau: str = DEFAULT_BUREAU,
    made_on: date | None = None,
    progress: Callable[[str], None] | None = None,
) -> PackContent:
    """Render every chart for its slide and assemble what the pack says."""
    slides = []
    width, height = SLIDE_CSS
    for item in built:
        png = render.render_png(item.figure, width=width, height=height, scale=PNG_SCALE)
        slides.append(
            ChartSlide(
                chart_id=item.chart.chart_id,
                title=item.chart.title,
                subtitle=item.subtitle,
                takeaway=item.takeaway,
                source=item.source,
                png=png,
                image_size=(round(width * PNG_SCALE), round(height * PNG_SCALE)),
            )
        )
        if progress is not None:
            progress(item.chart.title)
    charted = [
        b.chart.chart_id.split(":", 1)[1]
        for b in built
        if b.chart.chart_id.startswith("indicator:")
    ]
    kpis = data.overview.kpis
    codes = list(kpis["code"]) if len(kpis) else []  # the overview's headline indicators
    codes += [c for c in charted if c not in codes]
    return PackContent(
        years=data.years,
        slides=slides,
        summary=summary_rows(data, codes),
        bureau=bureau,
        made_on=made_on or date.today(),
        source_note=data.source_line(list(data.indicators["code"])),
    )


def build_pack(
    session: Session,
    *,
    years: tuple[int, int],
    charts: list[str] | None = None,
    fmt: PackFormat = DEFAULT_PACK_FORMAT,
    lang: str = "zh",
    bureau: str = DEFAULT_BUREAU,
    made_on: date | None = None,
    progress: Callable[[str], None] | None = None,
) -> bytes:
    """The whole briefing pack as the bytes of ``fmt`` (a name in ``PACK_FORMATS``).

    Raises UnknownFormatError (checked first), InvalidYearsError, EmptyPackError,
    charts.UnknownChartError, render.ExportUnavailableError or render.RenderError — each
    with a message for people.
    ``lang`` is accepted for the page's language switch; packs are written in Chinese.
    """
    writer = pack_format(fmt)
    ok, reason = render.export_available()
    if not ok:
        raise render.ExportUnavailableError(reason)
    data = load_data(session, years)
    built = build_charts(data, charts)
    content = build_content(data, built, bureau=bureau, made_on=made_on, progress=progress)
    return writer.write(content)


def pack_file_name(years: tuple[int, int], fmt: str) -> str:
    return f"交通运输质量指标简报_{years[0]}-{years[1]}{pack_format(fmt).suffix}"


__all__ = [
    "BriefingError",
    "EmptyPackError",
    "InvalidYearsError",
    "UnknownFormatError",
    "build_charts",
    "build_content",
    "build_pack",
    "chart_catalogue",
    "chart_png",
    "load_data",
    "pack_file_name",
    "parse_years",
]

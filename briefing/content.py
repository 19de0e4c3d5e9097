"""What a briefing pack says, independent of the file format it is written in.

``pack.py`` fills a :class:`PackContent` from the database once; ``pptx_pack`` and
``pdf_pack`` only lay it out, so the slides and the PDF cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from briefing.takeaway import Takeaway

DEFAULT_BUREAU = "市交通运输局"
PACK_TITLE = "交通运输质量指标简报"
CJK_FONT = "Noto Sans CJK SC"
"""Font named on every PPTX run; WPS/PowerPoint substitute their own CJK face if absent."""


SEPARATOR = "｜"
"""Between parts of a line; U+00B7 "·" has no glyph in the PDF's CID font, so not that."""


@dataclass(frozen=True)
class ChartSlide:
    chart_id: str
    title: str  # "排查治理安全隐患（处）"
    subtitle: str  # "安全监管｜2016—2025年｜全市"
    takeaway: Takeaway
    source: str  # "数据来源：…；批次 #3、#5"
    png: bytes  # the chart without its title (the slide states it)
    image_size: tuple[int, int]  # PNG pixels (width, height)


@dataclass(frozen=True)
class SummaryRow:
    indicator: str
    unit: str
    year: str  # latest year with a figure, or "—"
    value: str
    yoy: str
    target: str


SUMMARY_HEADER = ("指标", "单位", "年份", "数值", "同比", "目标完成")


@dataclass(frozen=True)
class PackContent:
    years: tuple[int, int]
    slides: list[ChartSlide]
    summary: list[SummaryRow]
    bureau: str = DEFAULT_BUREAU
    title: str = PACK_TITLE
    made_on: date = field(default_factory=date.today)
    source_note: str = ""  # one line under the summary table

    @property
    def year_range(self) -> str:
        first, last = self.years
        return f"{first}年" if first == last else f"{first}—{last}年"

    @property
    def made_on_text(self) -> str:
        return f"{self.made_on.year}年{self.made_on.month}月{self.made_on.day}日"

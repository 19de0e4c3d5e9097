"""Which pages exist, in what order, and who may see them.

Pages that need a role are left out of ``st.navigation`` for everyone else, so they
cannot be reached by URL either; each such page also checks the role itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class PageSpec:
    path: str  # relative to the project root
    title_zh: str
    title_en: str
    icon: str
    url_path: str
    role: str | None = None  # None: everyone who may browse; else the least role needed
    default: bool = False


PAGES: list[PageSpec] = [
    PageSpec(
        "pages/overview.py", "总览", "Overview", ":material/dashboard:", "overview", default=True
    ),
    PageSpec(
        "pages/category.py", "分类趋势", "By category", ":material/stacked_line_chart:", "category"
    ),
    PageSpec("pages/indicator.py", "指标详情", "Indicator", ":material/query_stats:", "indicator"),
    PageSpec("pages/coverage.py", "数据质量", "Data coverage", ":material/grid_on:", "coverage"),
    PageSpec("pages/briefing.py", "简报导出", "Briefing", ":material/slideshow:", "briefing"),
]

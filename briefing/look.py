"""How briefing charts look: large type for a projected slide, CJK font named, colours.

Sizes are in CSS pixels of a 1280 × 720 canvas rendered at scale 1.5 (1920 × 1080 PNG), so
a 20 px label is about 14 pt on a full-width slide.
"""

from __future__ import annotations

import plotly.graph_objects as go

from db.catalog import Catalog

FONT_FAMILY = "Noto Sans CJK SC, Source Han Sans SC, WenQuanYi Zen Hei, Microsoft YaHei, sans-serif"
INK = "#1F2A37"
MUTED = "#6B7280"
AXIS = "#9CA3AF"
GRID = "#E5E7EB"
GOOD = "#1B7F3B"
BAD = "#C0392B"
NEUTRAL = "#6B7280"
TARGET = "#D97706"
CATEGORY_COLOURS = ("#1F4E8C", "#2A9D8F", "#7B5EA7", "#B7791F", "#475569", "#0E7490")
"""One colour per category in display order, the same on every chart (no red or green:
those mean bad and good news on the change charts)."""

BASE_SIZE = 20


def plain(text: str) -> str:
    """Text safe to put in a plotly label: plotly reads a little HTML, names must not be markup."""
    return str(text).replace("<", "＜").replace(">", "＞")


def category_colour(catalog: Catalog, category: str) -> str:
    order = [c.code for c in sorted(catalog.categories.values(), key=lambda c: c.order)]
    index = order.index(category) if category in order else 0
    return CATEGORY_COLOURS[index % len(CATEGORY_COLOURS)]


def apply(fig: go.Figure) -> go.Figure:
    """Briefing look: white, large type, light grid, no title (added by with_title)."""
    fig.update_layout(
        font={"family": FONT_FAMILY, "size": BASE_SIZE, "color": INK},
        paper_bgcolor="white",
        plot_bgcolor="white",
        margin={"l": 40, "r": 60, "t": 50, "b": 40, "autoexpand": True},
        legend={"orientation": "h", "x": 1, "xanchor": "right", "y": 1.08, "font": {"size": 18}},
        uniformtext={"minsize": 14, "mode": "hide"},
        bargap=0.35,
    )
    fig.update_xaxes(showgrid=False, linecolor=AXIS, tickfont={"size": 18}, automargin=True)
    fig.update_yaxes(gridcolor=GRID, linecolor=AXIS, tickfont={"size": 18}, automargin=True)
    return fig


TITLE_MARGIN, SOURCE_MARGIN = 130, 120


def with_title(
    fig: go.Figure, title: str, subtitle: str, source: str, *, height: int = 720
) -> go.Figure:
    """Title and subtitle on top, source line at the bottom left — a PNG that stands alone.

    ``height`` is the canvas height in CSS px; the source line is placed from it, 12 px
    above the bottom edge (plotly annotations cannot be placed in container coordinates).
    """
    fig.update_layout(
        title={
            "text": plain(title),
            "subtitle": {"text": plain(subtitle), "font": {"size": 18, "color": MUTED}},
            "x": 0.02,
            "xanchor": "left",
            "yref": "container",
            "y": 0.96,
            "yanchor": "top",
            "font": {"size": 30, "color": INK},
        },
        margin={"t": TITLE_MARGIN, "b": SOURCE_MARGIN},
    )
    fig.update_xaxes(automargin=False)
    plot_height = height - TITLE_MARGIN - SOURCE_MARGIN
    fig.add_annotation(
        text=plain(source), xref="paper", yref="paper", x=0,
        y=-(SOURCE_MARGIN - 12) / plot_height, xanchor="left", yanchor="bottom",
        showarrow=False, font={"size": 15, "color": MUTED},
    )  # fmt: skip
    return fig


def empty_figure(message: str = "所选年份暂无数据") -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(
        text=message, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False,
        font={"size": 28, "color": MUTED},
    )  # fmt: skip
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig

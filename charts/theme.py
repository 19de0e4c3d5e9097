"""One look for every chart: a plotly template, category colours, download settings.

Why a template of our own: Streamlit's plotly theme and plotly's default both fall back
to fonts without Chinese glyphs on a plain Linux box (kaleido renders tofu boxes), and
leaders read the charts on a projector, so type is larger than a default dashboard's.
Charts built by :mod:`charts.figures` name ``template="tqi"`` themselves and the pages draw
them with ``theme=None``, so nothing else restyles them. The pages' own CSS (which styles
Streamlit's elements, not charts) is in :mod:`ui.page_style`.
"""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio

FONT_STACK = (
    '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", '
    '"WenQuanYi Micro Hei", "Helvetica Neue", Arial, sans-serif'
)
TEXT_COLOR = "#1f2933"
MUTED_COLOR = "#616e7c"
GRID_COLOR = "#e4e7eb"
GOOD_COLOR = "#1a7f4b"
BAD_COLOR = "#c62828"
NEUTRAL_COLOR = "#7b8794"
TARGET_COLOR = "#52606d"
GAP_COLOR = "#fbe3e4"
"""Background of a heatmap cell with no figure: a pale red a reader spots at once."""
NA_COLOR = "#eceff1"
"""A heatmap cell whose indicator does not apply that year: grey, plainly not a gap."""

CATEGORY_COLORS: dict[str, str] = {
    "construction": "#3e6db5",
    "business": "#e8871e",
    "service": "#2a9d8f",
    "epidemic": "#c9a227",
    "safety": "#6b4c9a",
    "brand": "#c2185b",
}
"""A fixed colour per category, kept clear of the good/bad green and red."""
_SPARE_COLORS = ("#4e79a7", "#9c755f", "#76b7b2", "#b07aa1", "#59a14f", "#edc948")
REGION_COLORS = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b",
    "#e377c2", "#17becf", "#bcbd22", "#7f7f7f", "#d62728",
)  # fmt: skip
CITY_COLOR = "#334e68"

TEMPLATE_NAME = "tqi"


def category_color(code: str | None) -> str:
    """The category's colour; a category an analyst added gets a stable spare colour."""
    if code in CATEGORY_COLORS:
        return CATEGORY_COLORS[code]
    return _SPARE_COLORS[sum(map(ord, code or "")) % len(_SPARE_COLORS)]


def region_color(region: str, regions: list[str]) -> str:
    if region == "全市":
        return CITY_COLOR
    others = [r for r in regions if r != "全市"]
    index = others.index(region) if region in others else 0
    return REGION_COLORS[index % len(REGION_COLORS)]


def _template() -> go.layout.Template:
    """Built from scratch rather than on ``plotly_white``: that one carries defaults for
    every trace type, and plotly deep-copies the whole template into each figure — with
    it a page spent ~40 ms per chart just copying and hashing styles it never used."""
    axis = {
        "title": {"font": {"size": 15, "color": MUTED_COLOR}},
        "tickfont": {"size": 14, "color": TEXT_COLOR},
        "gridcolor": GRID_COLOR,
        "linecolor": "#9aa5b1",
        "zeroline": False,
        "automargin": True,
    }
    return go.layout.Template(
        layout={
            "font": {"family": FONT_STACK, "size": 16, "color": TEXT_COLOR},
            "title": {
                "font": {"size": 20, "color": TEXT_COLOR},
                "x": 0.0,
                "xanchor": "left",
                "pad": {"l": 16},  # flush against the edge it reads as cut off in a PNG
            },
            "colorway": list(CATEGORY_COLORS.values()),
            "paper_bgcolor": "white",
            "plot_bgcolor": "white",
            "hovermode": "closest",
            "xaxis": {**axis, "showgrid": False, "ticks": "outside"},
            "yaxis": {**axis, "showgrid": True},
            "legend": {
                "font": {"size": 14},
                "orientation": "h",
                "yanchor": "bottom",
                "y": 1.02,
                "xanchor": "right",
                "x": 1.0,
                "title": {"text": ""},
            },
            "hoverlabel": {"font": {"family": FONT_STACK, "size": 15}},
            "margin": {"l": 16, "r": 24, "t": 72, "b": 16},
            "separators": ".,",
        },
        data={"scatter": [go.Scatter(line={"width": 3}, marker={"size": 8})]},
    )


pio.templates[TEMPLATE_NAME] = _template()


def plotly_config(filename: str) -> dict:
    """``st.plotly_chart`` config: the camera button saves a slide-sized PNG under a real name.

    The chart is redrawn at 1280 × 720 and scaled 1.5×, so the file is 1920 × 1080 (16:9)
    whatever the browser window was — a narrow column would otherwise give a squashed image.
    """
    return {
        "displaylogo": False,
        "modeBarButtonsToRemove": ["lasso2d", "select2d", "autoScale2d"],
        "toImageButtonOptions": {
            "format": "png",
            "filename": filename,
            "width": 1280,
            "height": 720,
            "scale": 1.5,
        },
    }

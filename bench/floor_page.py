"""Streamlit's floor for ``bench/bench_viewers.py``: the overview's first run, minus the app.

The same elements as the overview's first run — same kinds, same count, in the same
places (the run counter's and the page's ``<style>``, the sidebar's language switch,
filters and login form, the title, the 报告年度 box, eight KPI cards in two rows of
bordered cards each with a sparkline ``st.metric``, a caption and a page link, one stale
badge, six category tiles, one 完成率 plotly figure of the same size) — but no database,
no cache look-up, no session state and constant data. Time to first chart on this page is
what Streamlit itself costs a viewer; the overview's time over it is what is ours.
``tests/test_floor_page.py`` checks that the two send the same kinds of message.

Run as ``streamlit run bench/floor_page.py`` (the unit file's options,
``bench.viewer_layouts.app_process(script=...)``). The figure is built once per process
when this file is imported as a module (the overview builds its own once per data
version, ``ui.data.shared``); the page itself is the ``__main__`` part below.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# The sample data's 2025 (`python -m etl sample`): what the overview shows, as constants.
COMPLETION = [
    ("service.express_volume", "邮政快递进出港量", "service", 97.89),
    ("safety.hazards_fixed", "排查治理安全隐患", "safety", 93.19),
    ("safety.drills", "应急演练", "safety", 100.0),
    ("safety.road_excellence_rate", "管养公路平均优良路率", "safety", 101.07),
    ("business.approvals", "行政审批办理量", "business", 92.35),
]
CARDS = [
    ("行政审批办理量", "5.03万件", "-1.3%", "2024 年 5.10万件 · 目标 5.45万件 · 完成率 92.3%"),
    ("排查治理安全隐患", "2,232处", "-4.2%", "2024 年 2,329处 · 目标 2,395处 · 完成率 93.2%"),
    ("管养公路平均优良路率", "94.3%", "+1.6个百分点", "2024 年 92.7% · 目标 93.3% · 完成率 101.1%"),
    ("查验车辆", "9.52万辆次", "-34.5%", "2021 年 14.52万辆次"),
    ("工程质量监督检查", "633次", "+2.9%", "2024 年 615次 · 未设目标值"),
    ("质量责任事故", "0起", "0", "2024 年 0起 · 未设目标值"),
    ("邮政快递进出港量", "3.40亿件", "+6.8%", "2024 年 3.18亿件 · 目标 3.47亿件 · 完成率 97.9%"),
    ("放心消费机动车维修企业", "24家", "+9.1%", "2024 年 22家 · 未设目标值"),
]  # fmt: skip
SPARK = [30691.0, 32659.0, 35377.0, 36672.0, 34026.0, 41832.0, 44469.0, 44487.0, 50970.0, 50301.0]
TILES = [
    ("工程建设质量", ["5/5 项指标有 2025 年数据", "较上年向好 **2** 项 · 变差 **1** 项",
                      ":gray[最大进步：工程质量行政处罚 +5.1%]"]),
    ("营商环境增效", ["7/7 项指标有 2025 年数据", "较上年向好 **6** 项 · 变差 **1** 项",
                      "目标达成 0/1", ":gray[最大进步：旅游包车线路牌 +11.8%]"]),
    ("交通服务提质", ["7/7 项指标有 2025 年数据", "较上年向好 **5** 项 · 变差 **1** 项",
                      "目标达成 0/1", ":gray[最大进步：农产品寄递量 +22.8%]"]),
    ("疫情防控", [":gray[2025 年无数据（最新为 2022 年）]"]),
    ("安全监管", ["13/13 项指标有 2025 年数据", "较上年向好 **7** 项 · 变差 **5** 项",
                  "目标达成 2/3", ":gray[最大进步：“两客一危”车辆线上抽查 +21.9%]"]),
    ("质量品牌创建", ["9/9 项指标有 2025 年数据", "较上年向好 **7** 项 · 变差 **0** 项",
                      ":gray[最大进步：放心消费城市客运企业 +33.3%]"]),
]  # fmt: skip


@cache
def completion_figure() -> go.Figure:
    """The overview's 完成率 chart (the app's own builder) on the constants above."""
    from charts.figures import completion_chart

    frame = pd.DataFrame(COMPLETION, columns=["code", "name_zh", "category", "completion"])
    frame["name_en"] = frame["code"]
    return completion_chart(frame, title="2025 年目标完成率", lang="zh")


def _sidebar() -> None:
    """The overview's sidebar: language switch, filters, the login form in an expander."""
    import streamlit as st

    st.html("<style>[data-testid='stMetricValue'] { font-size: 2.0rem; }</style>")
    sidebar = st.sidebar
    sidebar.subheader("筛选")
    sidebar.slider("年份范围", 2016, 2025, (2016, 2025), key="years")
    sidebar.multiselect("工作类别", ["工程建设质量", "安全监管"], placeholder="全部类别")
    sidebar.multiselect("地区", ["城东区", "城西区"], placeholder="全部地区（全市口径）")
    sidebar.button("重置筛选", icon=":material/restart_alt:", type="tertiary")
    sidebar.caption("当前筛选已写入网址，复制链接即可分享同一视图。")
    with sidebar.expander("统计员登录"), st.form("login", border=False):
        st.text_input("用户名")
        st.text_input("密码", type="password")
        st.form_submit_button("登录")


def _cards(indicator: Any) -> None:
    """Eight KPI cards, two rows of four, as ``ui.page_parts.kpi_card`` draws them."""
    import streamlit as st

    for start in (0, 4):
        with st.container(horizontal=True, gap="small", key=f"cardrow4-kpis{start}"):
            for i, (label, value, delta, note) in enumerate(CARDS[start : start + 4]):
                with st.container(border=True, key=f"kpi-{start + i}", height="stretch"):
                    if start + i == 3:
                        st.badge("仅适用 2020–2022 年", color="gray")
                    st.metric(label, value, delta=delta, delta_description="较上年",
                              help=f"{label}：按年合计。数值越大越好。", chart_data=SPARK,
                              chart_type="area")  # fmt: skip
                    st.caption(note)
                    st.page_link(indicator, label="指标详情", icon=":material/query_stats:",
                                 query_params={"ind": str(start + i)})  # fmt: skip


def _tiles(category: Any) -> None:
    """Six category tiles, two rows of three, as ``ui.page_parts.category_tile`` draws them."""
    import streamlit as st

    st.html("<style>.st-key-tile-0 { border-top: 6px solid #2f6db5 !important; }</style>")
    for start in (0, 3):
        with st.container(horizontal=True, gap="small", key=f"cardrow3-tiles{start}"):
            for i, (title, lines) in enumerate(TILES[start : start + 3]):
                with st.container(border=True, key=f"tile-{start + i}", height="stretch"):
                    st.markdown("\n\n".join([f"#### {title}", *lines]))
                    st.page_link(category, label="查看分类趋势", icon=":material/arrow_forward:",
                                 query_params={"cat": str(start + i)})  # fmt: skip


def _overview() -> None:
    import streamlit as st

    st.title("交通运输质量指标总览")
    st.badge("示例数据", icon=":material/science:", color="orange")
    st.selectbox("报告年度", ["2025", "2024"], format_func=lambda y: f"{y} 年（41/41 项）",
                 help="默认为最近一个数据齐全的年度。", width=320)  # fmt: skip
    st.caption("报告年度 2025 年 · 全市口径 · 与上年比较")
    st.subheader("重点指标")
    _cards(PAGES["indicator"])
    st.subheader("六大工作类别")
    _tiles(PAGES["category"])
    st.subheader("目标完成情况（完成率）")
    st.plotly_chart(completion_figure(), theme=None, key="completion_chart", width="stretch")


def _elsewhere() -> None:
    import streamlit as st

    st.title("—")


PAGES: dict[str, Any] = {}

if __name__ == "__main__":
    import streamlit as st

    from bench.floor_page import completion_figure as completion_figure  # built once a process

    st.html("<style>:root { --tqi-run: 1; }</style>")  # the run counter's place
    st.sidebar.segmented_control("语言", ["中文", "English"], default="中文",
                                 label_visibility="collapsed")  # fmt: skip
    st.set_page_config(page_title="交通运输质量指标看板", page_icon="🚦", layout="wide")
    PAGES.update(
        {
            name: st.Page(_elsewhere, title=title, url_path=name)
            for name, title in (
                ("category", "分类趋势"),
                ("indicator", "指标详情"),
                ("coverage", "数据质量"),
                ("briefing", "简报导出"),
                ("draft", "报告生成"),
            )
        }
    )
    page = st.navigation([st.Page(_overview, title="总览", default=True), *PAGES.values()])
    _sidebar()
    page.run()

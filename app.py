"""Entry point: page config and navigation. Business rules live in db/, etl/ and ui/."""

import streamlit as st

from ui.navigation import PAGES

st.set_page_config(page_title="交通运输质量指标看板", page_icon="🚦", layout="wide")

pages = [
    st.Page(p.path, title=p.title_zh, icon=p.icon, url_path=p.url_path, default=p.default)
    for p in PAGES
]
st.navigation(pages).run()

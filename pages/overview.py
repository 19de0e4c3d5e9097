"""总览 Overview — placeholder until the dashboard issue fills it in."""

import streamlit as st

st.title("交通运输质量指标看板")
st.info("总览页面建设中。")

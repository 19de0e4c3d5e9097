"""Baseline for bench/bench_pages.py: the least a Streamlit page with one plotly chart does.

No database, no sidebar, no theme — a title and one small line chart. A dashboard page is
measured against this, so the ratio shows what the app adds on top of Streamlit itself.
"""

import plotly.graph_objects as go
import streamlit as st

st.title("Minimal page")
years = list(range(2016, 2026))
st.plotly_chart(go.Figure(go.Scatter(x=years, y=[v * v for v in range(10)])), key="chart")

"""Streamlit-side helpers shared by pages: navigation, filters, i18n, charts, auth."""

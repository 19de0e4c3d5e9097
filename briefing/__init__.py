"""Briefing output: static chart images and briefing packs (PPTX/PDF) for 汇报材料.

Shared by the 简报导出 page and ``python -m etl briefing``; nothing here imports streamlit.
"""

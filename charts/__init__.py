"""Charts and numbers as the bureau shows them, shared by the pages, the briefing export and
the CLI: plotly figure builders, the chart theme, and number/unit formatting.

Never imports Streamlit (``tests/test_architecture.py``), so ``python -m etl briefing``
draws exactly the dashboard's charts without loading the web app.
"""

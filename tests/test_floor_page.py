"""The viewers benchmark's floor page sends what the overview sends, minus the app.

``bench/floor_page.py`` stands for Streamlit's own cost of the overview's first run
(``bench/bench_viewers.py --floor``): it is only a fair floor while it draws the same kinds
of element, as many of each, as the overview does. A change to the overview's cards or
sidebar that adds or drops an element makes this test fail until the floor follows.
Counted with the benchmark's own client (Streamlit's WebSocket protocol) on real servers
started as the unit file starts them, on a sample SQLite store.
"""

from __future__ import annotations

import os
from pathlib import Path

from bench.bench_viewers import first_run_messages
from bench.viewer_layouts import app_process
from tests.conftest import sample_store


def test_floor_page_sends_the_overviews_messages(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TQI_")}
    env["TQI_DATABASE_URL"] = sample_store(tmp_path / "tqi.sqlite3")
    with app_process(env) as app, app_process(env, script="bench/floor_page.py") as floor:
        first_run_messages(app)  # a fresh server's first session reruns once
        overview = first_run_messages(app)
        floor_kinds = first_run_messages(floor)
    assert overview["plotly_chart"] == 1 and overview["metric"] == 8  # the overview drew
    assert overview["page_link"] == 8 + 6  # a link on each KPI card and category tile
    assert "block:column" not in overview  # card rows are one element, not one a card
    assert floor_kinds == overview

"""The launcher (``python -m ui.launch``): the first run after a start is one ordinary run.

Under a bare ``streamlit run app.py`` Streamlit takes the project for an old-style
multipage app until a run calls ``st.navigation``, so the first run after a start runs a
page file alone and ``ui.navigation.run_through_app`` reruns it through ``app.py`` — two
runs for one page load, and the fragile rerun a first click can fall into. The launcher
settles that before the server starts. The observable is the server's own debug log,
where Streamlit writes ``Running script`` at the start of every run.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.conftest import PASSWORDS, ROOT
from tests.e2e import APP_COMMAND, BARE_COMMAND, idle, log_in, new_page, streamlit_server

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e_launcher")]
RUN_STARTED = "Running script"  # streamlit.runtime.scriptrunner.script_runner, debug level


def _first_load(browser: Browser, store: str, log: Path, command: list[str]) -> int:
    """Open a named page on a fresh server; the runs its log shows for that one page load."""
    with streamlit_server(store, log=log, command=command, STREAMLIT_LOGGER_LEVEL="debug") as base:
        page = new_page(browser)
        page.goto(f"{base}/category")
        idle(page)
        # Drawn by app.py around the page: the page ran inside app.py's shell.
        expect(page.locator("h1").filter(has_text="分类趋势").first).to_be_visible()
        sidebar = page.locator('[data-testid="stSidebar"]')
        expect(sidebar.get_by_text("筛选", exact=True)).to_be_visible()
        runs = log.read_text("utf-8", errors="replace").count(RUN_STARTED)
        if command == APP_COMMAND:  # and the first click after the start makes one run more
            log_in(page, "ana", PASSWORDS["ana"])
            after = log.read_text("utf-8", errors="replace").count(RUN_STARTED)
            assert after == runs + 1, f"the login click made {after - runs} runs"
        page.close()
    return runs


def test_the_first_page_load_after_a_start_is_one_run_with_the_launcher(
    server_store: str, browser: Browser, tmp_path: Path
) -> None:
    launched = _first_load(browser, server_store, tmp_path / "launcher.log", APP_COMMAND)
    bare = _first_load(browser, server_store, tmp_path / "bare.log", BARE_COMMAND)
    assert launched == 1, f"the launcher's first page load took {launched} runs"
    # The hazard the launcher removes, still there without it: if this fails, Streamlit no
    # longer decides from the pages/ folder and ui/launch.py and run_through_app can go.
    assert bare == 2, f"a bare `streamlit run app.py` took {bare} runs for its first page load"


def test_everything_that_starts_the_app_uses_the_launcher() -> None:
    """``make run`` and the unit file (which ``scripts/cluster.sh`` and the viewer
    benchmark run) start ``python -m ui.launch``, never a bare ``streamlit run``."""
    makefile = (ROOT / "Makefile").read_text("utf-8")
    recipe = re.search(r"^run:.*\n\t(.+)$", makefile, re.MULTILINE)
    assert recipe is not None and "-m ui.launch" in recipe.group(1), recipe
    unit = (ROOT / "deploy" / "systemd" / "tqi-app@.service").read_text("utf-8")
    exec_start = next(x for x in unit.splitlines() if x.startswith("ExecStart="))
    assert exec_start.startswith("ExecStart={{PYTHON}} -m ui.launch "), exec_start
    assert "streamlit run" not in exec_start
    assert APP_COMMAND[1:] == ["-m", "ui.launch"]

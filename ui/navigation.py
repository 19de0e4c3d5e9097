"""Which pages exist, in what order, and who may see them.

Pages that need a role are left out of the navigation menu for everyone else; their URL
opens a stand-in that asks for the login (``ui.auth.stand_in``), never the page's code,
and each such page also checks the role itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def run_through_app() -> None:
    """First line of ``app.py`` and of every page: run inside ``app.py``'s shell.

    Streamlit decides at server start that a project with a ``pages/`` folder is an old
    style multipage app, and keeps thinking so until some run calls ``st.navigation``.
    So the first run after a restart goes wrong: a link to a page (``/category?…``)
    runs that page file alone — no sidebar filters, no language, no role check — and
    even ``/`` runs ``app.py`` under a different page identity, so every sidebar widget
    loses its value on the next click. Here the run notices, tells Streamlit that
    ``st.navigation`` is in charge, and reruns before drawing anything: the rerun goes
    through ``app.py``, which opens the page the link named.

    Only a fallback: the launcher (``python -m ui.launch``, how ``make run``, the unit file
    and the browser tests start the app) settles the flag before the server starts, so
    there this finds it ``False`` and does nothing. It still acts under a bare
    ``streamlit run app.py`` and under ``AppTest``, which resets the flag before every run.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        import streamlit as st
        from streamlit.proto.WidgetStates_pb2 import WidgetStates
        from streamlit.runtime.scriptrunner import RerunData, get_script_run_ctx

        PagesManager.uses_pages_directory = False
        # ``st.rerun()`` would rerun the page the ``pages/`` folder resolved, which is
        # app.py whenever a page's file name differs from its url_path (简报导出 is
        # pages/briefing_export.py at /briefing); this rerun asks for the page the link named,
        # with the widget values this run was given (changing page would drop them).
        ctx = get_script_run_ctx()
        states = list(ctx.session_state.get_widget_states()) if ctx is not None else []
        clicked = any(_fired(w) for w in states)
        # Not after a click: its callback has run in this run and may have changed widget
        # values (a form it emptied), which re-sending the browser's values would undo.
        # And only when the link named a page: the root URL's plain rerun is the one that
        # always worked (a re-sent rerun there raced a first click on a loaded machine).
        intent = ctx.pages_manager if ctx is not None else None
        named = intent is not None and bool(
            intent.intended_page_name or intent.intended_page_script_hash
        )
        if ctx is not None and ctx.script_requests is not None and named and not clicked:
            assert intent is not None
            ctx.script_requests.request_rerun(
                RerunData(
                    query_string=ctx.query_string,
                    page_script_hash=intent.intended_page_script_hash or "",
                    page_name=intent.intended_page_name or "",
                    widget_states=WidgetStates(widgets=states),
                )
            )
            st.empty()  # a yield point: the runner picks up the request, as in st.rerun()
        st.rerun()


def _fired(state: Any) -> bool:
    """Whether a widget state is a click of this run (a trigger whose value is set)."""
    kind = state.WhichOneof("value") or ""
    if kind == "trigger_value":
        return bool(state.trigger_value)
    if kind == "string_trigger_value":
        return state.string_trigger_value.HasField("data")
    return kind == "json_trigger_value" and bool(state.json_trigger_value)


RUN_COUNT_KEY = "_tqi_runs"


def mark_run() -> None:
    """Count this session's runs and put the count in the page as CSS (``--tqi-run``).

    A browser test must know that the run its click started has *started* before it waits
    for the run to end, or it sees the previous run's "not running" state and goes on too
    early on a loaded machine. Streamlit's DOM has no run number; this is one, drawn first
    in every run (a style-only ``st.html`` takes no space on the page). ``tests/e2e.py``
    reads it with ``getComputedStyle``.
    """
    import streamlit as st

    count = int(st.session_state.get(RUN_COUNT_KEY, 0)) + 1
    st.session_state[RUN_COUNT_KEY] = count
    st.html(f"<style>:root {{ --tqi-run: {count}; }}</style>")


@dataclass(frozen=True)
class PageSpec:
    path: str  # relative to the project root
    title_zh: str
    title_en: str
    icon: str
    url_path: str
    role: str | None = None  # None: everyone who may browse; else the least role needed
    default: bool = False


PAGES: list[PageSpec] = [
    PageSpec(
        "pages/overview.py", "总览", "Overview", ":material/dashboard:", "overview", default=True
    ),
    PageSpec(
        "pages/category.py", "分类趋势", "By category", ":material/stacked_line_chart:", "category"
    ),
    PageSpec("pages/indicator.py", "指标详情", "Indicator", ":material/query_stats:", "indicator"),
    PageSpec("pages/coverage.py", "数据质量", "Data coverage", ":material/grid_on:", "coverage"),
    PageSpec(
        "pages/briefing_export.py", "简报导出", "Briefing", ":material/slideshow:", "briefing"
    ),
    # Analysts only: out of everyone else's menu; their URL asks for the login (ui/auth.py).
    PageSpec(
        "pages/upload.py", "数据上传", "Upload", ":material/upload_file:", "upload", role="analyst"
    ),
    PageSpec(
        "pages/batches.py", "批次记录", "Batches", ":material/history:", "batches", role="analyst"
    ),
    PageSpec(
        "pages/catalog.py", "指标目录", "Catalog", ":material/menu_book:", "catalog", role="analyst"
    ),
    PageSpec(
        "pages/report.py",
        "报告识别",
        "Report reader",
        ":material/description:",
        "report",
        role="analyst",
    ),
    # Everyone who may browse drafts on the built-in template; uploading one needs an analyst.
    PageSpec("pages/draft.py", "报告生成", "Report drafts", ":material/edit_document:", "draft"),
    # Admins only.
    PageSpec(
        "pages/audit.py", "操作日志", "Audit trail", ":material/policy:", "audit", role="admin"
    ),
]

"""Entry point: page config, navigation, language switch and the shared sidebar filters.

Business rules live in db/, etl/ and ui/; each page reads the filters chosen here with
``ui.filters.current_filters()`` and the language with ``current_lang()``. Everything
after the language switch runs inside ``database_errors``: a database error on any page
(or in a callback, ``guard_callbacks``) shows a short message, never a traceback.
"""

import streamlit as st

from texts import localized
from ui.auth import account_sidebar, may_browse, navigation_pages, stand_in, stand_in_pages
from ui.data import replica_notice, start_run
from ui.errors import configure_logging, database_errors, guard_callbacks
from ui.filters import language_switch, sidebar_filters
from ui.navigation import PAGES, mark_run, run_through_app
from ui.page_style import PAGE_CSS

configure_logging()
guard_callbacks()  # callbacks run before this script: catch their database errors too
run_through_app()  # a fresh server's first run: hand over to st.navigation before any widget
mark_run()  # the run counter the browser tests wait on (tests/e2e.py)
lang = language_switch()
st.set_page_config(page_title=localized("app.title", lang), page_icon="🚦", layout="wide")

with database_errors():
    start_run()  # one look at the data version; every cached read of this run is keyed on it
    pages = [
        st.Page(
            p.path,
            title=p.title_en if lang == "en" else p.title_zh,
            icon=p.icon,
            url_path=p.url_path,
            default=p.default,
        )
        for p in navigation_pages(PAGES)  # pages the visitor's role may open (ui/auth.py)
    ]
    # A bookmarked page the visitor may not open: a hidden stand-in at its address that
    # asks for the login (ui/auth.py), not Streamlit's "Page not found".
    gated = stand_in_pages(PAGES)
    pages += [stand_in(p, lang) for p in gated]
    gates = {p.url_path for p in gated}
    page = st.navigation(pages)
    st.html(PAGE_CSS)
    if may_browse() and page.url_path not in gates:
        sidebar_filters(lang, page.url_path)  # only on the pages the filters act on
    account_sidebar(form=page.url_path not in gates)
    replica_notice(lang)  # reads fell back to the primary: say so, small and plain
    page.run()

"""Screenshot mode: ``?screenshot=1`` strips the app's chrome for a clean browser capture.

Staff preparing a briefing open the overview with this parameter, press their screenshot
key, and get a 16:9 picture with large type and no sidebar, toolbar or menus. The styling
is a fixed, data-free stylesheet (``ui/screenshot.css``); no user text goes into HTML.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

SCREENSHOT_PARAM = "screenshot"
SCREENSHOT_CSS = Path(__file__).with_name("screenshot.css")
_ON = {"1", "true", "yes", "on"}


def screenshot_mode() -> bool:
    """Whether the URL asks for screenshot mode (``?screenshot=1``)."""
    return str(st.query_params.get(SCREENSHOT_PARAM, "")).strip().lower() in _ON


def apply_screenshot_layout() -> bool:
    """In screenshot mode, collapse the sidebar and hide the chrome; returns whether it is on."""
    if not screenshot_mode():
        return False
    st.set_page_config(layout="wide", initial_sidebar_state="collapsed")
    st.html(SCREENSHOT_CSS)
    return True

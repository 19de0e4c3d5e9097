"""登录 Log in — the only page anonymous visitors see when browsing requires a login."""

import streamlit as st

from texts import localized
from ui.auth import current_user, login_form
from ui.filters import current_lang
from ui.navigation import run_through_app

run_through_app()  # first: a link opened right after a restart still runs in app.py
lang = current_lang()
st.title(localized("login.title", lang))
if current_user() is None:
    st.caption(localized("login.hint", lang))
    login_form(where="main")
else:
    st.success(localized("login.done", lang))

"""登录 Log in — the only page anonymous visitors see when browsing requires a login."""

import streamlit as st

from ui.auth import current_user, login_form

st.title("登录 · 交通运输质量指标看板")
if current_user() is None:
    st.caption("请使用管理员为您创建的账户登录。")
    login_form(where="main")
else:
    st.success("已登录。")

"""The login gate, per role, through ``AppTest`` on the real app and a real SQLite file.

Page files an account may not open are not registered with ``st.navigation`` (AppTest's
``switch_page`` refuses them); their URL path holds a hidden stand-in that asks for the
login (opened here as a bookmark would, by the URL's page hash), and each analyst page
stops by itself when run without the role.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from db import users
from db.session import write_session
from tests.apptest import app_as, log_in, script
from tests.conftest import PASSWORDS, ROOT
from ui.auth import SessionUser
from ui.navigation import PAGES

ANALYST_PAGES = [p.path for p in PAGES if p.role == "analyst"]
ROLE_ZH = {"viewer": "浏览者", "analyst": "统计员", "admin": "管理员"}
PUBLIC_PAGES = [p.path for p in PAGES if p.role is None]
ADMIN_PAGES = [p.path for p in PAGES if p.role == "admin"]


def session_user(name: str, role: str) -> SessionUser:
    return SessionUser(name, name, role)


def registered(at: AppTest) -> set[str]:
    """The page files registered (a restricted page's stand-in is a function, not a file)."""
    return {
        Path(p["script_path"]).relative_to(ROOT).as_posix()
        for p in at._registered_pages.values()
        if p.get("script_path")
    }


def open_url(at: AppTest, url_path: str) -> AppTest:
    """Open ``/url_path`` as a bookmark would: Streamlit keys a page by its URL path."""
    at._page_hash = calc_hash(url_path)
    return at.run()


LOGIN_INPUTS = {"login_username_main", "login_password_main"}


def can_switch(at: AppTest, page: str) -> bool:
    try:
        at.switch_page(str(ROOT / page))
    except ValueError:
        return False
    at.run()
    return True


def test_anonymous_browses_but_no_analyst_page(app_engine: Engine) -> None:
    at = app_as(None)
    assert not at.exception
    assert registered(at) == set(PUBLIC_PAGES)
    assert at.text_input(key="login_username_sidebar")  # the sidebar offers a login
    for page in ANALYST_PAGES:
        assert not can_switch(at, page)
        # Still on the overview, and it drew: its title and the empty store's offer.
        at.run()
        assert not at.exception, page
        assert [t.value for t in at.title] == ["交通运输质量指标总览"], page
        assert "数据库中还没有指标数据" in at.info[0].value, page


@pytest.mark.parametrize(
    ("name", "role"), [("vi", "viewer"), ("ana", "analyst"), ("boss", "admin")]
)
def test_login_form_then_pages_per_role(app_engine: Engine, name: str, role: str) -> None:
    at = log_in(app_as(None), name, PASSWORDS[name])
    assert not at.exception and not at.error
    user = at.session_state["tqi_user"]
    assert (user.username, user.role) == (name, role)

    at = app_as(user)
    assert not at.exception
    sees_analyst_pages = role != "viewer"
    expected = set(PUBLIC_PAGES) | (set(ANALYST_PAGES) if sees_analyst_pages else set())
    expected |= set(ADMIN_PAGES) if role == "admin" else set()
    assert registered(at) == expected
    signed_in = f"已登录：{name}（{ROLE_ZH[role]}）"
    assert signed_in in [c.value for c in at.caption]
    for page in ANALYST_PAGES:
        at = app_as(user)
        assert can_switch(at, page) is sees_analyst_pages
        if sees_analyst_pages:
            assert not at.exception and not at.warning, page
            assert not [e for e in at.error if "权限" in e.value], page


@pytest.mark.parametrize("page", ANALYST_PAGES)
def test_analyst_pages_stop_by_themselves(app_engine: Engine, page: str) -> None:
    """Defence in depth: run the page file itself, with no navigation in front of it."""
    at = script(page).run()
    assert not at.exception
    assert at.warning and "登录" in at.warning[0].value
    assert not at.file_uploader  # nothing to act on but the login
    assert {w.key for w in at.text_input} == LOGIN_INPUTS
    assert [b.key for b in at.button] == ["login_submit_main"]
    # A viewer signed in gets a refusal naming the role, and still nothing to act on.
    at.session_state["tqi_user"] = session_user("vi", "viewer")
    at.run()
    assert at.error and "统计员" in at.error[0].value
    assert not at.file_uploader and not at.button and not at.text_input


def test_forged_session_role_is_rechecked_against_the_database(app_engine: Engine) -> None:
    """A session claiming 'analyst' for a viewer account gets the viewer's pages."""
    at = app_as(session_user("vi", "analyst"))
    assert registered(at) == set(PUBLIC_PAGES)
    assert at.session_state["tqi_user"].role == "viewer"
    page = script("pages/upload.py", session_user("vi", "analyst")).run()
    assert not page.file_uploader and page.error


def test_role_change_and_disable_take_effect_at_next_run(app_engine: Engine) -> None:
    ana = session_user("ana", "analyst")
    assert set(ANALYST_PAGES) <= registered(app_as(ana))
    with write_session(app_engine) as s:
        users.set_role(s, "ana", "viewer")
        s.commit()
    assert registered(app_as(ana)) == set(PUBLIC_PAGES)
    with write_session(app_engine) as s:
        users.disable_user(s, "ana")
        s.commit()
    at = app_as(ana)
    assert "tqi_user" not in at.session_state
    assert at.text_input(key="login_username_sidebar")


def test_wrong_password_then_throttled(app_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TQI_REQUIRE_LOGIN", "true")  # the login page keeps the form in view
    at = app_as(None)
    for _ in range(users.FREE_ATTEMPTS):
        log_in(at, "ana", "not-the-password", where="main")
        assert [e.value for e in at.error] == ["用户名或密码错误。"]
    # Even the right password is refused while the lock lasts.
    log_in(at, "ana", PASSWORDS["ana"], where="main")
    assert "秒后再试" in at.error[0].value
    assert "tqi_user" not in at.session_state


def test_unknown_names_look_like_wrong_passwords_and_are_throttled_per_session(
    app_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TQI_REQUIRE_LOGIN", "true")
    at = app_as(None)
    for i in range(users.FREE_ATTEMPTS):
        log_in(at, f"probe{i}-{id(at)}", "whatever-pw", where="main")  # a new name each time
        assert [e.value for e in at.error] == ["用户名或密码错误。"]
    # A name never tried before is refused too: the session, not the name, is locked.
    log_in(at, f"probe-last-{id(at)}", "whatever-pw", where="main")
    assert "秒后再试" in at.error[0].value


def test_require_login_shows_only_the_login_page(
    app_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TQI_REQUIRE_LOGIN", "true")
    at = app_as(None)
    assert not at.exception
    assert registered(at) == {"pages/login.py"}
    assert at.title[0].value == "登录"
    assert [w.key for w in at.text_input] == ["login_username_main", "login_password_main"]
    for page in PUBLIC_PAGES + ANALYST_PAGES:
        assert not can_switch(at, page)
    log_in(at, "vi", PASSWORDS["vi"], where="main")
    assert not at.exception
    viewer = at.session_state["tqi_user"]
    assert registered(app_as(viewer)) == set(PUBLIC_PAGES)


def test_logout_removes_analyst_pages(app_engine: Engine) -> None:
    at = app_as(session_user("ana", "analyst"))
    at.button(key="logout_sidebar").click()
    at.run()
    assert "tqi_user" not in at.session_state
    assert registered(app_as(None)) == set(PUBLIC_PAGES)


OIDC_SECRETS = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "a-test-cookie-secret-that-is-long-enough",
    "client_id": "tqi",
    "client_secret": "not-a-real-secret",
    "server_metadata_url": "https://idp.example.com/.well-known/openid-configuration",
}


@pytest.mark.parametrize(
    ("email", "role"),
    [("Ana", "analyst"), ("stranger@example.com", "viewer")],
)
def test_oidc_user_gets_local_role_or_viewer(app_engine: Engine, email: str, role: str) -> None:
    at = script()
    at.secrets["auth"] = OIDC_SECRETS
    at.user = {"is_logged_in": True, "email": email, "name": "OIDC user"}
    at.run()
    assert not at.exception
    analyst_visible = set(ANALYST_PAGES) <= registered(at)
    assert analyst_visible is (role == "analyst")
    display = "ana" if role == "analyst" else "OIDC user"  # the account's name, else the IdP's
    assert f"已登录：{display}（{ROLE_ZH[role]}）" in [c.value for c in at.caption]


def test_oidc_button_only_when_configured(app_engine: Engine) -> None:
    at = app_as(None)
    assert not [b for b in at.button if b.key == "oidc_login_sidebar"]
    at = script()
    at.secrets["auth"] = OIDC_SECRETS
    at.user = {"is_logged_in": False}
    at.run()
    assert [b for b in at.button if b.key == "oidc_login_sidebar"]


def test_english_labels(app_engine: Engine) -> None:
    for page in [None, *ANALYST_PAGES]:
        at = script(user=session_user("ana", "analyst"))
        at.query_params["lang"] = "en"
        at.run()
        assert any("Signed in" in c.value for c in at.caption)
        if page is not None:
            assert can_switch(at, page)
        assert not at.exception, page


RESTRICTED = [(p.url_path, p.path, p.title_zh, p.role) for p in PAGES if p.role is not None]


@pytest.mark.parametrize(("url_path", "path", "title", "role"), RESTRICTED)
def test_a_bookmarked_restricted_page_asks_for_the_login(
    app_engine: Engine, url_path: str, path: str, title: str, role: str
) -> None:
    """/upload opened by a visitor: the page's title, why, and the login form — not
    Streamlit's "Page not found" (the default page) and not the page's own content."""
    at = open_url(script(), url_path)
    assert not at.exception
    assert [t.value for t in at.title] == [title]
    assert [w.value for w in at.warning] == [f"此页面需要{ROLE_ZH[role]}权限，请先登录。"]
    assert {w.key for w in at.text_input} == LOGIN_INPUTS  # one form: none in the sidebar
    assert not at.file_uploader and not at.dataframe
    name = "ana" if role == "analyst" else "boss"
    log_in(at, name, PASSWORDS[name], where="main")  # the form on the page lets them in
    assert not at.exception and not at.warning
    assert at.title[0].value != "登录" and not [w for w in at.text_input if w.key in LOGIN_INPUTS]
    assert path in registered(at)
    english = script()
    english.query_params["lang"] = "en"
    open_url(english, url_path)
    assert english.warning[0].value.startswith("This page needs the")


def test_a_viewer_at_an_analyst_url_is_refused_by_name(app_engine: Engine) -> None:
    at = open_url(script(user=session_user("vi", "viewer")), "upload")
    assert not at.exception
    assert [t.value for t in at.title] == ["数据上传"]
    assert at.error and "统计员" in at.error[0].value and "浏览者" in at.error[0].value
    assert not at.file_uploader and not at.text_input

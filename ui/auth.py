"""Who is using the app, and what they may see: login form, logout, role checks, OIDC.

Two ways in:

* **Local accounts** (``db/users.py``, managed with ``python -m etl users``): the login
  form verifies the password and keeps a :class:`SessionUser` in ``st.session_state``.
  Every run re-reads the account, so a role change or a disabled account takes effect
  at the next click, not at the next login.
* **OIDC** (``st.login``) when ``.streamlit/secrets.toml`` has an ``[auth]`` section: the
  provider's e-mail is looked up among local accounts (user name = e-mail) for its role;
  anyone else who signs in is a viewer.

Pages that need a role are left out of the navigation menu (:func:`navigation_pages`);
a bookmarked URL to one (``/upload``) opens a stand-in at the same address instead
(:func:`stand_in_pages`): it says the page needs an analyst login and offers the form —
never Streamlit's English "Page not found", and never the page's own code. Each such page
also calls :func:`require_role` first, in case the navigation ever lets one through.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import streamlit as st
from sqlalchemy.orm import Session
from streamlit.runtime.scriptrunner import get_script_run_ctx

from db import audit, users
from db.session import get_engine, read_session, write_session
from texts import localized
from ui.errors import DATABASE_ERRORS, report_database_error
from ui.filters import current_lang
from ui.navigation import PageSpec
from ui.settings import require_login

SESSION_KEY = "tqi_user"
FAILURES_KEY = "tqi_login_failures"
_SESSION_FAILURE_KEY = "this-session"

LOGIN_PAGE = PageSpec(
    "pages/login.py", "登录", "Log in", ":material/login:", "login", role=None, default=True
)


@dataclass(frozen=True)
class SessionUser:
    username: str
    display_name: str
    role: str
    source: str = "local"  # local | oidc

    def role_label(self, lang: str = "zh") -> str:
        return role_label(self.role, lang)


def role_label(role: str, lang: str = "zh") -> str:
    return localized(f"role.{role}", lang) if role in users.ROLES else role


_oidc_answer: tuple[Any, bool] | None = None  # (the st.secrets it was read from, answer)


def oidc_configured() -> bool:
    """Whether ``secrets.toml`` has an ``[auth]`` section (then ``st.login`` is offered).

    Asked four times a run, and with no secrets file Streamlit looks for one on disk and
    raises each time; so the answer is read once per ``st.secrets`` object (one a process;
    ``AppTest`` brings its own) and kept until Streamlit reports the file changed (its
    watcher reloads a secrets file that existed at the first read). A secrets file added
    later is seen after a restart, as a changed ``config.toml`` is.
    """
    global _oidc_answer
    secrets = st.secrets
    memo = _oidc_answer
    if memo is not None and memo[0] is secrets:
        return memo[1]
    try:
        answer = "auth" in secrets
    except Exception:  # no secrets file at all: Streamlit raises instead of answering no
        answer = False
    secrets.file_change_listener.connect(_forget_oidc_answer)
    _oidc_answer = (secrets, answer)
    return answer


def _forget_oidc_answer(_sender: Any = None) -> None:
    """Streamlit's signal that the secrets file changed: read the answer again."""
    global _oidc_answer
    _oidc_answer = None


def _oidc_user() -> SessionUser | None:
    if not oidc_configured() or not st.user.get("is_logged_in", False):
        return None
    email = str(st.user.get("email") or "").strip().lower()
    if not email:
        return None
    name = str(st.user.get("name") or email)
    with read_session(get_engine()) as session:
        account = users.get_user(session, email)
    if account is not None and not account.active:
        return None
    role = account.role if account is not None else "viewer"
    return SessionUser(email, account.display_name if account else name, role, source="oidc")


def current_user() -> SessionUser | None:
    """The signed-in user with their role as the database has it now, else ``None``.

    Read once a run (the navigation, the sidebar and a page each ask): the answer is kept
    for the rest of this run only, and only while the session's login is the one it was
    read for, so a role change or a disabled account still takes effect at the next
    click — in its callbacks too, which run after Streamlit starts the new run.
    """
    token = _this_run()
    signed_in = st.session_state.get(SESSION_KEY)
    memo = st.session_state.get(_USER_MEMO)
    if token is not None and memo is not None and memo[0] is token and memo[1] is signed_in:
        kept: SessionUser | None = memo[2]
        return kept
    user = _read_current_user()
    if token is not None:
        st.session_state[_USER_MEMO] = (token, st.session_state.get(SESSION_KEY), user)
    return user


_USER_MEMO = "_tqi_user_this_run"  # (this run's token, the login it was read for, the user)


def _this_run() -> object | None:
    """An object that is this script run's own: Streamlit gives every run (and its widget
    callbacks, which it runs after starting the run) a new ``cursors`` dict. ``None``
    outside a run. The memo holds it, so no later run's dict can take its identity."""
    ctx = get_script_run_ctx(suppress_warning=True)
    return None if ctx is None else ctx.cursors


def _read_current_user() -> SessionUser | None:
    user: SessionUser | None = st.session_state.get(SESSION_KEY)
    if user is not None and user.source == "local":
        with read_session(get_engine()) as session:
            account = users.get_user(session, user.username)
        if account is None or not account.active:
            st.session_state.pop(SESSION_KEY, None)
            return None
        if account.role != user.role:
            user = SessionUser(account.username, account.display_name, account.role)
            st.session_state[SESSION_KEY] = user
        return user
    return _oidc_user()


def current_role() -> str | None:
    user = current_user()
    return user.role if user else None


def may_browse() -> bool:
    return not require_login() or current_user() is not None


def navigation_pages(pages: Sequence[PageSpec]) -> list[PageSpec]:
    """The pages this visitor may open: only the login page when browsing needs a login."""
    if not may_browse():
        return [LOGIN_PAGE]
    role = current_role()
    return [p for p in pages if users.has_role(role, p.role)]


def stand_in_pages(pages: Sequence[PageSpec]) -> list[PageSpec]:
    """Pages the visitor may not open, registered hidden at their own URL by ``app.py``.

    A bookmark to ``/upload`` then lands on :func:`role_gate` for that page's role; once
    the visitor logs in with the role, the next run registers the real page at the same
    address (Streamlit keys a page by its ``url_path``), so the page opens where they are.
    """
    role = current_role() if may_browse() else None
    return [p for p in pages if p.role is not None and not users.has_role(role, p.role)]


def stand_in(spec: PageSpec, lang: str) -> st.Page:
    """The page ``spec`` for a visitor without its role: its title and the login it needs."""
    title = spec.title_en if lang == "en" else spec.title_zh

    def gate() -> None:
        st.title(title)
        role_gate(spec.role or "analyst")

    return st.Page(gate, title=title, icon=spec.icon, url_path=spec.url_path, visibility="hidden")


def role_gate(role: str) -> None:
    """What a visitor without ``role`` sees in place of a page: why, and the way in."""
    user = current_user()
    lang = current_lang()
    needed = role_label(role, lang)
    if user is None:
        st.warning(localized("login.needs_role", lang, role=needed), icon=":material/lock:")
        login_form(where="main")
    else:
        st.error(localized("login.refused", lang, role=needed, current=user.role_label(lang)))


def _failures() -> users.FailureTracker:
    if FAILURES_KEY not in st.session_state:
        st.session_state[FAILURES_KEY] = users.FailureTracker(max_keys=1)
    return st.session_state[FAILURES_KEY]


def attempt_login(username: str, password: str) -> SessionUser:
    """Check a name and password; on success the session is signed in.

    Raises ``users.LoginThrottledError`` or ``users.LoginFailedError``. Failures are also
    counted per browser session, so trying many names from one session slows down too.
    """
    now = users.utcnow()
    tracker = _failures()
    address = client_address()
    wait = tracker.retry_after(_SESSION_FAILURE_KEY, now)
    if wait > 0:
        with write_session(get_engine()) as session:
            _audit_failure(session, username, address, locked=True)
            session.commit()
        raise users.LoginThrottledError(wait)
    with write_session(get_engine()) as session:
        try:
            account = users.verify_password(session, username, password, now=now)
        except users.LoginFailedError:
            tracker.failed(_SESSION_FAILURE_KEY, now)
            _audit_failure(session, username, address)
            raise
        except users.LoginThrottledError:
            _audit_failure(session, username, address, locked=True)
            raise
        else:
            audit.record(session, "login", user=account.username, address=address)
        finally:
            session.commit()  # the failure counters, or the reset and a rehash; the event
    tracker.succeeded(_SESSION_FAILURE_KEY)
    user = SessionUser(account.username, account.display_name, account.role)
    st.session_state[SESSION_KEY] = user
    return user


def client_address() -> str | None:
    """The browser's address for the audit trail: the proxy's X-Forwarded-For first (behind
    nginx every connection comes from the proxy), else the socket's; ``None`` on localhost."""
    forwarded = st.context.headers.get("X-Forwarded-For")
    first = forwarded.split(",")[0].strip() if isinstance(forwarded, str) else ""
    socket_address = st.context.ip_address  # not a str under AppTest (no real connection)
    return first or (socket_address if isinstance(socket_address, str) else None)


def _audit_failure(
    session: Session, username: str, address: str | None, *, locked: bool = False
) -> None:
    """A failed login, and the lock-out it caused (the failure that reached the limit).

    The typed name is recorded (that is what an administrator looks for), never the password.
    """
    name = (username or "").strip()[:100]
    if locked:
        audit.record(session, "login_failed", user=name, address=address, reason="locked")
        return
    audit.record(session, "login_failed", user=name, address=address)
    session.expire_all()  # the failure counter was raised by an UPDATE statement
    with contextlib.suppress(users.UserError):
        account = users.get_user(session, name)
        if account is not None and account.failed_logins == users.FREE_ATTEMPTS:
            audit.record(session, "login_locked_out", user=name, address=address)


def _submit_login(where: str) -> None:
    username = st.session_state.get(f"login_username_{where}", "")
    password = st.session_state.get(f"login_password_{where}", "")
    st.session_state[f"login_password_{where}"] = ""
    try:
        attempt_login(username, password)
    except users.LoginThrottledError as exc:
        seconds = max(1, round(exc.retry_after))
        st.session_state["login_message"] = localized(
            "login.throttled", current_lang(), seconds=seconds
        )
    except users.LoginFailedError:
        st.session_state["login_message"] = localized("login.failed", current_lang())
    except DATABASE_ERRORS as exc:  # e.g. a load holds SQLite's write lock: say so at the form
        st.session_state["login_message"] = report_database_error(exc, "login")
    else:
        st.session_state.pop("login_message", None)


def login_form(*, where: str = "main") -> None:
    """Name and password (local accounts), plus the OIDC button when configured.

    Drawn where it is called (``with st.sidebar: login_form(where="sidebar")``); ``where``
    keeps widget keys apart. The check runs in the submit callback, so the rerun that
    follows already shows the pages the new role may open.
    """
    lang = current_lang()
    with st.form(f"login_form_{where}", border=where != "sidebar"):
        st.text_input(
            localized("login.username", lang),
            key=f"login_username_{where}",
            autocomplete="username",
        )
        st.text_input(
            localized("login.password", lang),
            type="password",
            key=f"login_password_{where}",
            autocomplete="current-password",
        )
        st.form_submit_button(
            localized("login.submit", lang),
            on_click=_submit_login,
            args=(where,),
            type="primary",
            key=f"login_submit_{where}",
        )
    message = st.session_state.get("login_message")
    if message:
        st.error(message)
    if oidc_configured() and st.button(localized("login.oidc", lang), key=f"oidc_login_{where}"):
        try:
            st.login()
        except Exception as exc:  # e.g. Authlib not installed, incomplete [auth]
            st.error(localized("login.oidc_unavailable", lang, reason=str(exc), md=True))


def logout() -> None:
    user = st.session_state.pop(SESSION_KEY, None)
    st.session_state.pop("login_message", None)
    if (user is None or user.source == "oidc") and oidc_configured():
        st.logout()


def logout_button(*, where: str = "sidebar") -> None:
    """Drawn where it is called; ``where`` keeps the widget key apart."""
    st.button(localized("login.logout", current_lang()), key=f"logout_{where}", on_click=logout)


def account_sidebar(*, form: bool = True) -> None:
    """Sidebar block: who is signed in and a logout button, or a small login form (not
    when ``form`` is False: the page itself shows one, and one form a page is enough)."""
    user = current_user()
    lang = current_lang()
    if user is not None:
        with st.sidebar:
            st.caption(
                localized(
                    "login.signed_in",
                    lang,
                    name=user.display_name,
                    role=user.role_label(lang),
                    md=True,
                )
            )
            logout_button()
        return
    if require_login() or not form:
        return  # the login page (or the stand-in of a restricted page) shows the form
    with st.sidebar.expander(
        localized("login.sidebar", lang), expanded=bool(st.session_state.get("login_message"))
    ):
        login_form(where="sidebar")


def require_role(role: str) -> SessionUser:
    """Stop the page here unless the signed-in user has at least ``role``."""
    user = current_user()
    if user is not None and users.has_role(user.role, role):
        return user
    role_gate(role)
    st.stop()
    raise AssertionError("unreachable")  # st.stop() raises

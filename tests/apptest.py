"""The app through ``streamlit.testing.v1.AppTest``, as the page tests drive it.

The store is the ``app_engine`` fixture (``conftest.py``): a copy of the accounts template,
so ``ana`` is an analyst, ``vi`` a viewer and ``boss`` an admin. A user is put in the
session the way ``ui/auth.py`` keeps one (a :class:`SessionUser` under ``tqi_user``,
re-read from the database every run), or signs in through the login form (``log_in``).
"""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT
from ui.auth import SESSION_KEY, SessionUser

APP = str(ROOT / "app.py")
TIMEOUT = 60  # seconds for a run: argon2 and a cold import on a loaded CI machine
ANALYST = SessionUser("ana", "Ana", "analyst")


def script(path: str = "app.py", user: SessionUser | None = None) -> AppTest:
    """``path`` (the app, or one page file run alone) not yet run, ``user`` signed in."""
    at = AppTest.from_file(str(ROOT / path), default_timeout=TIMEOUT)
    if user is not None:
        at.session_state[SESSION_KEY] = user
    return at


def app_as(user: SessionUser | None) -> AppTest:
    """A fresh run of app.py for a session signed in as ``user`` (None: anonymous).

    Fresh on purpose: with a ``pages/`` folder, Streamlit runs later requests for a page
    through its v1 multipage shim, straight to the page file without app.py (that is what
    the pages' own ``require_role`` is for), so the navigation is judged on a first run.
    """
    return script("app.py", user).run()


def open_page(page: str, user: SessionUser | None = None, **params: str | list[str]) -> AppTest:
    """Run app.py with ``params`` in the URL, then open ``page`` as a click would."""
    at = script("app.py", user)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if page != "pages/overview.py":  # the default page, already open
        at.switch_page(str(ROOT / page)).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def log_in(at: AppTest, name: str, password: str, where: str = "sidebar") -> AppTest:
    """Fill in and submit the login form (``where``: the sidebar's, or the login page's)."""
    at.text_input(key=f"login_username_{where}").input(name)
    at.text_input(key=f"login_password_{where}").input(password)
    at.button(key=f"login_submit_{where}").click()
    return at.run()

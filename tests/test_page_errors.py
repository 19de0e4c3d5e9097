"""Database errors on pages: a short message, the detail in the server log, no traceback.

The lock is real: another connection holds SQLite's write lock on the app's store
(``BEGIN IMMEDIATE``, as a long load does) while the app's busy timeout is made short
(``TQI_SQLITE_BUSY_TIMEOUT_MS``), so a login or a click that writes gives up as it would
after 30 s in production. The browser side is ``test_e2e_errors.py``.
"""

from __future__ import annotations

import logging
import sqlite3
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from streamlit import config
from streamlit.testing.v1 import AppTest

from db.session import busy_timeout_ms, create_engine_for, dispose_engines, get_engine
from tests.apptest import ANALYST, app_as, log_in, open_page
from tests.conftest import PASSWORDS, ROOT
from ui.navigation import PAGES

BUSY = "数据正在写入，请稍后重试。"
BROKEN = "暂时无法读取数据库，请稍后重试；如仍失败，请联系管理员。"
PUBLIC_PAGES = [p.path for p in PAGES if p.role is None]


def store_path(engine: Engine) -> str:
    database = engine.url.database
    assert database
    return database


@contextmanager
def write_lock_held(path: str) -> Iterator[None]:
    """Another connection holds the store's write lock, as a long load does."""
    holder = sqlite3.connect(path, isolation_level=None, timeout=30)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


@pytest.fixture
def short_wait(app_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """The app's store, its connections giving up on a held lock after 0.3 s, not 30 s."""
    monkeypatch.setenv("TQI_SQLITE_BUSY_TIMEOUT_MS", "300")
    dispose_engines()  # the next engine is made with the short wait
    yield get_engine(str(app_engine.url))


def db_errors_logged(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "tqi.app" and r.exc_info]


def test_login_while_the_write_lock_is_held_says_data_is_being_written(
    short_wait: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    at = app_as(None)
    with caplog.at_level(logging.ERROR, logger="tqi.app"), write_lock_held(store_path(short_wait)):
        log_in(at, "ana", PASSWORDS["ana"])
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.sidebar.error] == [BUSY]  # at the login form
    assert not at.main.error
    assert "tqi_user" not in at.session_state
    # The detail is in the server's log, with its traceback, not on the page.
    records = db_errors_logged(caplog)
    assert [r.getMessage() for r in records] == [
        "database error in login: " + str(records[0].exc_info[1])
    ]
    assert "database is locked" in records[0].getMessage()
    # The lock released, the same login works.
    log_in(at, "ana", PASSWORDS["ana"])
    assert at.session_state["tqi_user"].username == "ana"
    assert not at.error


def test_a_callback_that_writes_under_the_lock_says_data_is_being_written(
    short_wait: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    """The catalog's alias form has no handler of its own: the app-wide callback guard."""
    at = open_page("pages/catalog.py", ANALYST)
    at.selectbox(key="alias_indicator").set_value("safety.hazards_fixed")
    at.text_input(key="alias_text").input("隐患排查整治处数")
    with caplog.at_level(logging.ERROR, logger="tqi.app"), write_lock_held(store_path(short_wait)):
        at.button(key="alias_submit").click()
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.error and at.error[0].value == BUSY
    assert at.title[0].value == "指标目录"  # the page itself still drew
    records = db_errors_logged(caplog)
    assert len(records) == 1 and "callback" in records[0].getMessage()
    with short_wait.connect() as conn:
        aliases = conn.execute(
            text("SELECT aliases FROM indicator WHERE code = 'safety.hazards_fixed'")
        ).scalar_one()
    assert "隐患排查整治处数" not in (aliases or "")  # nothing was written
    at.run()
    assert not at.error  # shown once


@pytest.mark.parametrize("page", PUBLIC_PAGES)
def test_a_broken_store_gives_a_short_message_on_every_page(
    app_engine: Engine, page: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Not a lock: the figures' table is gone. The other short message, logged in full."""
    with app_engine.begin() as conn:
        conn.execute(text("ALTER TABLE observation RENAME TO observation_gone"))
    with caplog.at_level(logging.ERROR, logger="tqi.app"):
        at = open_page(page)  # asserts no exception element
    assert [e.value for e in at.error] == [BROKEN], page
    assert at.sidebar.segmented_control(key="lang")  # the shell still drew
    records = db_errors_logged(caplog)
    assert records and "no such table" in records[0].getMessage()


def test_no_error_details_reach_a_browser() -> None:
    """``client.showErrorDetails`` as ``streamlit run`` reads it: no message, type or trace."""
    settings = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text("utf-8"))
    value = settings["client"]["showErrorDetails"]
    before = config.get_option("client.showErrorDetails")
    config.set_option("client.showErrorDetails", value)
    try:
        at = AppTest.from_string("raise ValueError('/srv/tqi/secret.py line 3')").run()
    finally:
        config.set_option("client.showErrorDetails", before)
    shown = at.exception[0]
    assert "/srv/tqi" not in shown.value and "ValueError" not in shown.proto.type
    assert list(shown.stack_trace) == []


def test_busy_timeout_is_a_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TQI_SQLITE_BUSY_TIMEOUT_MS", raising=False)
    assert busy_timeout_ms() == 30_000
    monkeypatch.setenv("TQI_SQLITE_BUSY_TIMEOUT_MS", "1500")
    engine = create_engine_for(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar_one() == 1500
    engine.dispose()
    monkeypatch.setenv("TQI_SQLITE_BUSY_TIMEOUT_MS", "soon")
    with pytest.raises(ValueError, match="TQI_SQLITE_BUSY_TIMEOUT_MS"):
        busy_timeout_ms()

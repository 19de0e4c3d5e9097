"""What a viewer's run asks more than once is answered once, without keeping an answer
past the point where it may change (``bench/bench_viewers.py`` measures the gain).

* The signed-in account (``ui.auth.current_user``): one database read a run, however many
  parts of the run ask — and read again at the next run and in the next click's callback,
  so an administrator's role change still takes effect at the next click (the callback
  case: ``tests/test_pages.py::test_loading_the_sample_is_refused_once_the_role_is_gone``).
* Whether OIDC is configured (``ui.auth.oidc_configured``): read once per ``st.secrets``,
  again when Streamlit reports the secrets file changed.
* A cached read's key (``ui.data.key_text``): one exact text of the arguments; two
  argument sets share it only when they are equal.
* The sidebar's lists (``ui.filters.FilterOptions``): one object per process and data
  version, so a batch loaded by another process shows in them at the next run.

Real SQLite store (the accounts template), the real app through ``AppTest``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest
import streamlit as st
from sqlalchemy import Engine, event
from streamlit.runtime.secrets import Secrets

import ui.auth
from db import users
from db.queries import Filters
from db.session import write_session
from tests.apptest import ANALYST, app_as
from tests.conftest import etl
from ui.auth import oidc_configured
from ui.data import key_text


def _demote(engine: Engine, name: str) -> None:
    with write_session(engine) as session:
        users.set_role(session, name, "viewer")
        session.commit()


@pytest.fixture
def account_reads(app_engine: Engine) -> Iterator[list[str]]:
    """Every statement that reads the ``users`` table, as the app sends it."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if "FROM users" in statement and statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    event.listen(app_engine, "before_cursor_execute", record)
    yield seen
    event.remove(app_engine, "before_cursor_execute", record)


def test_the_account_is_read_once_a_run(app_engine: Engine, account_reads: list[str]) -> None:
    """The navigation, the stand-ins and the sidebar each ask who is signed in."""
    at = app_as(ANALYST)
    assert not at.exception
    account_reads.clear()
    at.run()
    assert not at.exception
    assert len(account_reads) == 1
    at.run()
    assert len(account_reads) == 2  # and again at the next run


def test_a_role_change_reaches_the_same_session_at_its_next_run(app_engine: Engine) -> None:
    at = app_as(ANALYST)
    assert [b.key for b in at.button if b.key == "load_sample_overview"]  # an analyst's offer
    _demote(app_engine, "ana")
    at.run()
    assert not at.exception
    assert at.session_state["tqi_user"].role == "viewer"
    assert "已登录：ana（浏览者）" in [c.value for c in at.caption]
    assert not [b for b in at.button if b.key == "load_sample_overview"]


@pytest.fixture
def fresh_oidc_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ui.auth, "_oidc_answer", None)


def _secrets(values: dict[str, Any]) -> Secrets:
    """A ``st.secrets`` holding ``values``, as ``AppTest`` makes one from ``at.secrets``."""
    secrets = Secrets()
    secrets._secrets = values  # type: ignore[assignment]
    return secrets


def test_oidc_answer_is_read_once_until_the_secrets_change(
    fresh_oidc_answer: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    secrets = _secrets({"auth": {"redirect_uri": "http://localhost:8501/oauth2callback"}})
    monkeypatch.setattr(st, "secrets", secrets)
    assert oidc_configured()
    secrets._secrets = {}  # type: ignore[assignment]  # changed, and Streamlit not told
    assert oidc_configured()  # read once: the answer is kept
    secrets.file_change_listener.send()  # what Streamlit's watcher does after a reload
    assert not oidc_configured()
    monkeypatch.setattr(st, "secrets", _secrets({"auth": {"redirect_uri": "x"}}))
    assert oidc_configured()  # another st.secrets (another AppTest): its own answer


def test_key_text_names_equal_arguments_alike_and_others_apart() -> None:
    filters = Filters(year_from=2018, year_to=2022, categories=("safety",), regions=("城东区",))
    same = Filters(year_from=2018, year_to=2022, categories=("safety",), regions=("城东区",))
    assert key_text((("filters", filters),)) == key_text((("filters", same),))
    values: list[Any] = [
        1, True, 1.0, "1", None, "None", (1,), [1], ("a,b",), ("a", "b"), "a','b",
        Filters(regions=("x",)), Filters(categories=("x",)), Filters(year_from=2018),
        (("filters", filters),), (("filters", Filters()),), (("year", 2022),),
        (("year", 2022), ("filters", filters)),
    ]  # fmt: skip
    texts = [key_text(v) for v in values]
    assert None not in texts
    assert len(set(texts)) == len(values)


def test_arguments_without_an_exact_text_are_left_to_streamlit() -> None:
    assert key_text(pd.DataFrame({"a": [1]})) is None
    assert key_text((("frame", pd.DataFrame()),)) is None
    assert key_text(object()) is None
    assert key_text(frozenset({"a"})) is None


def test_the_sidebar_lists_follow_a_batch_from_another_process(app_engine: Engine) -> None:
    at = app_as(None)
    assert "暂无数据，筛选待加载数据后可用。" in [c.value for c in at.sidebar.caption]
    assert not at.sidebar.multiselect
    done = etl(str(app_engine.url), "sample", decode=True)  # the CLI: another process
    assert done.returncode == 0, done.stderr
    at.run()
    assert not at.exception
    assert at.sidebar.slider(key="years").value == (2016, 2025)  # the sample's years
    assert len(at.sidebar.multiselect(key="cats").options) == 6  # its six categories
    assert any("城东区" in option for option in at.sidebar.multiselect(key="regions").options)

"""Read routing without a whole layout (part of ``make test``; the real replica is in
``tests/test_cluster.py``).

A "replica" here is the test's own PostgreSQL schema reached under a second URL, or a URL
where nothing listens (a replica that is down). A primary is not in recovery, so a session
that has committed never counts it as caught up — even when the primary was restarted after
a crash and ``pg_last_wal_replay_lsn()`` still holds the LSN its recovery reached (as on a
fresh CI machine): exactly what read-your-writes needs to be checked in the app's wiring.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import make_url
from streamlit.testing.v1 import AppTest

from db import queries, users
from db.session import dispose_engines, get_engine, read_session, route_reads, write_session
from etl.sample import load_sample
from tests.apptest import ANALYST, APP, TIMEOUT
from tests.conftest import _pg_schema_url, postgres_url
from tests.e2e import free_port
from ui.auth import SESSION_KEY

pytestmark = pytest.mark.postgres

NOTICE = "只读副本暂不可用"


@pytest.fixture
def pg_url() -> Iterator[str]:
    base = postgres_url()
    if base is None:
        pytest.skip("TQI_TEST_POSTGRES_URL not set")
    yield from _pg_schema_url(base)


def other_name(url: str) -> str:
    """The same database under another URL: stands in for a replica that has everything."""
    return (
        make_url(url)
        .update_query_dict({"application_name": "tqi_replica"})
        .render_as_string(hide_password=False)
    )


def nowhere() -> str:
    """A replica that is down: nothing listens on this port."""
    return f"postgresql+psycopg://tqi@127.0.0.1:{free_port()}/tqi"


def version(url: str) -> str:
    with read_session(get_engine(url)) as session:
        return queries.data_version(session)


def test_without_a_replica_reads_go_to_the_primary(db_url: str) -> None:
    route = route_reads(db_url, None, None, queries.data_version)
    assert (route.url, route.version, route.replica_down) == (db_url, version(db_url), False)


def test_reads_go_to_the_replica_when_it_answers(pg_url: str) -> None:
    replica, expected = other_name(pg_url), version(pg_url)  # migrates the store first
    route = route_reads(pg_url, replica, None, queries.data_version)
    assert (route.url, route.version, route.replica_down) == (replica, expected, False)


def test_a_replica_behind_a_sessions_commit_is_passed_over(pg_url: str) -> None:
    version(pg_url)  # migrates the store
    route = route_reads(pg_url, other_name(pg_url), "0/1", queries.data_version)
    assert (route.url, route.replica_down) == (pg_url, False)


def test_a_replica_that_is_down_sends_reads_to_the_primary(pg_url: str) -> None:
    route = route_reads(pg_url, nowhere(), None, queries.data_version)
    assert (route.url, route.version, route.replica_down) == (pg_url, version(pg_url), True)


# ---- in the app ----------------------------------------------------------------------------


@pytest.fixture
def app_on(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The app's store is ``pg_url`` with the sample data; the test sets the replica."""
    with write_session(get_engine(pg_url)) as session:
        load_sample(session)
        session.commit()
    monkeypatch.setenv("TQI_DATABASE_URL", pg_url)
    monkeypatch.delenv("TQI_REQUIRE_LOGIN", raising=False)
    yield pg_url
    dispose_engines()


def _notices(at: AppTest) -> list[str]:
    return [c.value for c in at.caption if NOTICE in str(c.value)]


def test_the_app_says_plainly_when_reads_fall_back(
    app_on: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TQI_READ_DATABASE_URL", nowhere())
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(_notices(at)) == 1
    assert list(at.get("plotly_chart")), "the overview still draws its charts"


def test_the_app_reads_the_replica_quietly(app_on: str, monkeypatch: pytest.MonkeyPatch) -> None:
    replica = other_name(app_on)
    monkeypatch.setenv("TQI_READ_DATABASE_URL", replica)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["_tqi_read_source"] == replica
    assert _notices(at) == []
    assert list(at.get("plotly_chart"))


def test_a_session_that_commits_reads_the_primary_until_replayed(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The empty store's sample button commits; the next run of that session reads the
    primary (the stand-in replica never reports a replay), another session the replica."""
    monkeypatch.setenv("TQI_DATABASE_URL", pg_url)
    monkeypatch.delenv("TQI_REQUIRE_LOGIN", raising=False)
    replica = other_name(pg_url)
    monkeypatch.setenv("TQI_READ_DATABASE_URL", replica)
    version(pg_url)  # migrates the store (the app would, on the primary, at its first run)
    try:
        with write_session(get_engine(pg_url)) as session:  # only an analyst loads the sample
            users.create_user(session, ANALYST.username, "analyst-pass-1", role="analyst")
            session.commit()
        writer = AppTest.from_file(APP, default_timeout=TIMEOUT)
        writer.session_state[SESSION_KEY] = ANALYST
        writer.run()
        assert writer.session_state["_tqi_read_source"] == replica
        writer.button(key="load_sample_overview").click().run()
        assert not writer.exception, [e.value for e in writer.exception]
        assert writer.session_state["_tqi_written_lsn"]
        assert writer.session_state["_tqi_read_source"] == pg_url
        assert list(writer.get("plotly_chart")), "the writer sees its batch"
        other = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
        assert other.session_state["_tqi_read_source"] == replica
    finally:
        dispose_engines()

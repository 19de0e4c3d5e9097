"""The in-worker CLI runner (``tests/cli_runner.py``) keeps a command as apart as a process.

Most CLI tests run ``python -m etl`` inside the pytest worker; these check that what a
fresh process would not share does not leak either way: settings and engines.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from db import session as db_session
from db.session import get_engine
from tests.conftest import etl


def test_an_outside_setting_never_reaches_a_command(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Like ``app_env`` for a process: only ``env=`` settings are seen, and the worker's
    own environment is as it was after the call."""
    monkeypatch.setenv("TQI_SQLITE_BUSY_TIMEOUT_MS", "not-a-number")  # fails any engine
    done = etl(sqlite_url, "batches", "--json", decode=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
    told = etl(sqlite_url, "batches", env={"TQI_SQLITE_BUSY_TIMEOUT_MS": "0"}, decode=True)
    assert told.returncode != 0 and "TQI_SQLITE_BUSY_TIMEOUT_MS" in told.stderr  # it was seen
    assert os.environ["TQI_SQLITE_BUSY_TIMEOUT_MS"] == "not-a-number"


def test_a_command_makes_and_drops_its_own_engine(sqlite_url: str, tmp_path: Path) -> None:
    """The worker's cached engine is neither used nor replaced, and the command's own engine
    (for another store) is not left behind, as when the process exits."""
    mine = get_engine(sqlite_url)
    cached = dict(db_session._engines)
    other = f"sqlite:///{tmp_path / 'other.sqlite3'}"
    assert etl(other, "sample").returncode == 0
    assert etl(sqlite_url, "batches").returncode == 0
    assert db_session._engines == cached
    assert get_engine(sqlite_url) is mine

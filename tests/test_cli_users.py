"""``python -m etl users …``: exit codes and output, on a real SQLite file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from db import users
from db.session import get_engine, write_session
from etl.cli import cli

ROOT = Path(__file__).resolve().parent.parent


def run(db: str, *args: str, stdin: str | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, ["--db", db, "users", *args], input=stdin)


def login(db: str, name: str, password: str, now: datetime | None = None) -> users.UserInfo:
    with write_session(get_engine(db)) as s:
        try:
            return users.verify_password(s, name, password, now=now)
        finally:
            s.commit()


def test_add_with_prompt_confirms_password(sqlite_url: str) -> None:
    result = run(
        sqlite_url, "add", "liwei", "--role", "analyst", stdin="s3cret-pass\ns3cret-pass\n"
    )
    assert result.exit_code == 0, result.output
    assert "liwei" in result.output and "analyst" in result.output
    assert "s3cret-pass" not in result.output  # hidden input is never echoed
    assert login(sqlite_url, "liwei", "s3cret-pass").role == "analyst"


def test_add_prompt_mismatch_asks_again(sqlite_url: str) -> None:
    result = run(
        sqlite_url, "add", "liwei", stdin="first-pass1\nother-pass1\nfinal-pass1\nfinal-pass1\n"
    )
    assert result.exit_code == 0, result.output
    assert login(sqlite_url, "liwei", "final-pass1").role == "viewer"


def test_password_stdin_and_full_lifecycle(sqlite_url: str) -> None:
    assert (
        run(
            sqlite_url, "add", "ops", "--role", "admin", "--password-stdin", stdin="admin-pass-1\n"
        ).exit_code
        == 0
    )
    assert (
        run(
            sqlite_url,
            "add",
            "zhang",
            "--password-stdin",
            "--display-name",
            "张三",
            stdin="viewer-pass\n",
        ).exit_code
        == 0
    )

    listed = run(sqlite_url, "list", "--json")
    assert listed.exit_code == 0
    rows = [json.loads(line) for line in listed.output.splitlines()]
    assert [(r["username"], r["role"], r["active"]) for r in rows] == [
        ("ops", "admin", True),
        ("zhang", "viewer", True),
    ]
    assert rows[1]["display_name"] == "张三"
    assert "hash" not in listed.output and "argon2" not in listed.output

    assert run(sqlite_url, "set-role", "zhang", "analyst").exit_code == 0
    assert (
        run(
            sqlite_url, "reset-password", "zhang", "--password-stdin", stdin="new-pass-22\n"
        ).exit_code
        == 0
    )
    assert login(sqlite_url, "zhang", "new-pass-22").role == "analyst"
    assert run(sqlite_url, "disable", "zhang").exit_code == 0
    with pytest.raises(users.LoginFailedError):
        login(sqlite_url, "zhang", "new-pass-22")
    table = run(sqlite_url, "list")
    assert "disabled" in table.output and "zhang" in table.output


@pytest.mark.parametrize(
    ("args", "stdin", "code", "says"),
    [
        (("add", "liwei", "--password-stdin"), "short\n", 2, "at least 8"),
        (("add", "bad name", "--password-stdin"), "long-enough\n", 2, "user names"),
        (("add", "liwei", "--role", "root", "--password-stdin"), "long-enough\n", 2, "root"),
        (("set-role", "ghost", "admin"), None, 1, "no such user"),
        (("disable", "ghost"), None, 1, "no such user"),
        (("reset-password", "ghost", "--password-stdin"), "long-enough\n", 1, "no such user"),
    ],
)
def test_refusals_exit_codes(
    sqlite_url: str, args: tuple[str, ...], stdin: str | None, code: int, says: str
) -> None:
    result = run(sqlite_url, *args, stdin=stdin)
    assert result.exit_code == code, result.output
    assert says in result.output


def test_duplicate_user_exit_1(sqlite_url: str) -> None:
    assert run(sqlite_url, "add", "liwei", "--password-stdin", stdin="long-enough\n").exit_code == 0
    again = run(sqlite_url, "add", "LIWEI", "--password-stdin", stdin="long-enough\n")
    assert again.exit_code == 1 and "exists" in again.output


def test_empty_list_says_how_to_start(sqlite_url: str) -> None:
    result = run(sqlite_url, "list")
    assert result.exit_code == 0 and "users add" in result.output


def test_real_process_python_m_etl(sqlite_url: str) -> None:
    """The documented command, as a subprocess: no traceback, exit 0, and the account works."""
    env = {**os.environ, "TQI_DATABASE_URL": sqlite_url}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "etl",
            "users",
            "add",
            "analyst1",
            "--role",
            "analyst",
            "--password-stdin",
        ],
        input="analyst-pass-1\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert login(sqlite_url, "analyst1", "analyst-pass-1").role == "analyst"


def lock_out(db: str, name: str) -> datetime:
    """Real failed logins through db.users until the name is locked (the right password is
    then refused too); returns the clock to log in at afterwards: one second later, well
    inside the lock however slowly the machine ran the CLI in between."""
    t0 = users.utcnow()
    for _ in range(users.FREE_ATTEMPTS):
        with pytest.raises(users.LoginFailedError):
            login(db, name, "wrong-password", now=t0)
    with pytest.raises(users.LoginThrottledError):
        login(db, name, "first-pass-1", now=t0)
    return t0 + timedelta(seconds=1)


def test_reset_password_lifts_lockout(db_url: str) -> None:
    assert run(db_url, "add", "liwei", "--password-stdin", stdin="first-pass-1\n").exit_code == 0
    later = lock_out(db_url, "liwei")
    done = run(db_url, "reset-password", "liwei", "--password-stdin", stdin="second-pass-2\n")
    assert done.exit_code == 0, done.output
    assert login(db_url, "liwei", "second-pass-2", now=later).failed_logins == 0


def test_enable_lifts_lockout(db_url: str) -> None:
    assert run(db_url, "add", "liwei", "--password-stdin", stdin="first-pass-1\n").exit_code == 0
    later = lock_out(db_url, "liwei")
    done = run(db_url, "enable", "liwei")
    assert done.exit_code == 0, done.output
    assert login(db_url, "liwei", "first-pass-1", now=later).username == "liwei"

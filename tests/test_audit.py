"""The audit trail (操作日志): every action worth answering for leaves exactly one event,
in the action's own transaction, with who, what and from where — and never a password.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from db import audit, users
from db.session import get_engine, read_session, write_session
from tests.apptest import app_as, log_in
from tests.conftest import PASSWORDS, ROOT, etl

CSV = "指标,年份,数值\nbusiness.approvals,2020,12000\nsafety.hazards_fixed,2020,3400\n"
SECRET = "very-secret-pw-42"


def events(engine: Engine, **filters: str) -> list[audit.Event]:
    with read_session(engine) as session:
        return list(reversed(audit.list_events(session, **filters)))  # oldest first


def audit_rows_text(engine: Engine) -> str:
    """Every column of every audit row as one string, read straight from the table."""
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM audit_event")).all()
    return "\n".join(" ".join(str(v) for v in row) for row in rows)


def test_cli_load_and_rollback_are_recorded_with_who_and_where(db_url: str, tmp_path: Path) -> None:
    batch = tmp_path / "2020.csv"
    batch.write_text(CSV, encoding="utf-8")
    assert etl(db_url, "load", str(batch), "--user", "alice").returncode == 0
    assert etl(db_url, "rollback", "1", "--user", "bob").returncode == 0

    loaded, rolled = events(get_engine(db_url))
    host = f"cli@{socket.gethostname()}"
    assert (loaded.action, loaded.username, loaded.target, loaded.address) == (
        "batch_loaded",
        "alice",
        "batch 1",
        host,
    )
    assert loaded.detail["source"] == "2020.csv" and loaded.detail["inserted"] == 2
    assert (rolled.action, rolled.username, rolled.target) == (
        "batch_rolled_back",
        "bob",
        "batch 1",
    )
    assert rolled.detail["deleted"] == 2
    assert CSV.splitlines()[1] not in audit_rows_text(get_engine(db_url))  # no file content


def test_dry_runs_rejections_and_refusals_leave_no_event(db_url: str, tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text(CSV, encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text("指标,年份,数值\nbusiness.approvals,2020,很多\n", encoding="utf-8")
    assert etl(db_url, "load", str(good), "--dry-run").returncode == 0
    assert etl(db_url, "load", str(bad)).returncode == 1
    assert etl(db_url, "rollback", "99").returncode != 0
    assert events(get_engine(db_url)) == []


def test_account_changes_are_recorded_and_no_password_is(db_url: str) -> None:
    stdin = f"{SECRET}\n".encode()
    assert etl(db_url, "users", "add", "liwei", "--role", "analyst", "--password-stdin",
               stdin=stdin).returncode == 0  # fmt: skip
    assert etl(db_url, "users", "set-role", "liwei", "viewer").returncode == 0
    assert etl(db_url, "users", "reset-password", "liwei", "--password-stdin",
               stdin=b"another-secret-77\n").returncode == 0  # fmt: skip
    assert etl(db_url, "users", "disable", "liwei").returncode == 0
    assert etl(db_url, "users", "enable", "liwei").returncode == 0

    changes = events(get_engine(db_url), action="account_changed")
    assert [(e.target, e.detail["change"]) for e in changes] == [
        ("liwei", "create_user"),
        ("liwei", "set_role"),
        ("liwei", "reset_password"),
        ("liwei", "disable_user"),
        ("liwei", "enable_user"),
    ]
    assert changes[1].detail["role"] == "viewer" and changes[3].detail["active"] is False
    stored = audit_rows_text(get_engine(db_url))
    assert SECRET not in stored and "another-secret-77" not in stored
    assert "argon2" not in stored  # nor a hash


def test_record_refuses_a_password_or_file_content(sqlite_url: str) -> None:
    with write_session(get_engine(sqlite_url)) as session:
        with pytest.raises(ValueError, match="password"):
            audit.record(session, "login", user="x", password="hunter2")
        with pytest.raises(ValueError, match="content"):
            audit.record(session, "batch_loaded", user="x", content="指标,年份")
        with pytest.raises(ValueError, match="unknown audit action"):
            audit.record(session, "deleted_everything", user="x")  # type: ignore[arg-type]


def test_audit_command_filters_by_user_and_date_and_prints_json(
    db_url: str, tmp_path: Path
) -> None:
    batch = tmp_path / "2020.csv"
    batch.write_text(CSV, encoding="utf-8")
    assert etl(db_url, "load", str(batch), "--user", "alice").returncode == 0
    assert etl(db_url, "rollback", "1", "--user", "bob").returncode == 0

    alice = etl(db_url, "audit", "--user", "alice", "--json", decode=True, process=True)
    assert alice.returncode == 0, alice.stderr
    lines = [json.loads(line) for line in alice.stdout.splitlines()]
    assert [(e["user"], e["action"], e["target"]) for e in lines] == [
        ("alice", "batch_loaded", "batch 1")
    ]
    assert etl(db_url, "audit", "--since", "2999-01-01", "--json", decode=True).stdout == ""
    table = etl(db_url, "audit", decode=True).stdout
    assert "batch_rolled_back" in table and "bob" in table
    wrong = etl(db_url, "audit", "--since", "yesterday", decode=True)
    assert wrong.returncode == 2 and "--since" in wrong.stderr


# ---- the app: logins, lock-outs, catalog edits, the admin page -----------------------------


def test_logins_failures_and_the_lock_out_are_recorded(
    app_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TQI_REQUIRE_LOGIN", "true")
    at = app_as(None)
    for _ in range(users.FREE_ATTEMPTS):
        log_in(at, "ana", "not-the-password", where="main")
    log_in(at, "ana", PASSWORDS["ana"], where="main")  # refused: locked
    log_in(app_as(None), "boss", PASSWORDS["boss"], where="main")

    trail = [(e.action, e.username, e.detail.get("reason")) for e in events(app_engine)]
    assert trail == [
        ("login_failed", "ana", None),
        ("login_failed", "ana", None),
        ("login_failed", "ana", None),
        ("login_locked_out", "ana", None),
        ("login_failed", "ana", "locked"),
        ("login", "boss", None),
    ]
    stored = audit_rows_text(app_engine)
    assert "not-the-password" not in stored and PASSWORDS["ana"] not in stored


def test_catalog_edit_on_the_page_is_recorded(app_engine: Engine) -> None:
    at = log_in(app_as(None), "ana", PASSWORDS["ana"])
    at.switch_page(str(ROOT / "pages/catalog.py")).run()
    at.selectbox(key="alias_indicator").set_value("safety.hazards_fixed")
    at.text_input(key="alias_text").input("隐患消除数")
    at.button(key="alias_submit").click()
    at.run()
    assert not at.exception
    edit = events(app_engine, action="catalog_edited")
    assert [(e.username, e.target, e.detail) for e in edit] == [
        ("ana", "safety.hazards_fixed", {"change": "alias_added", "text": "隐患消除数"})
    ]


def test_only_admins_open_the_audit_page(app_engine: Engine) -> None:
    with write_session(app_engine) as session:
        audit.record(session, "login", user="ana", address="10.1.2.3")
        session.commit()
    at = log_in(app_as(None), "boss", PASSWORDS["boss"])
    at.switch_page(str(ROOT / "pages/audit.py")).run()
    assert not at.exception
    assert at.title[0].value == "操作日志"
    table = at.dataframe[0].value
    first = table.iloc[-1]  # oldest last
    assert (first["用户"], first["操作"], first["来源地址"]) == ("ana", "登录", "10.1.2.3")

    for name in ("ana", "vi"):
        at = log_in(app_as(None), name, PASSWORDS[name])
        with pytest.raises(ValueError):  # not in this user's navigation
            at.switch_page(str(ROOT / "pages/audit.py"))
    with pytest.raises(ValueError):
        app_as(None).switch_page(str(ROOT / "pages/audit.py"))

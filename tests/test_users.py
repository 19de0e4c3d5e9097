"""Accounts: argon2 hashes, roles, and throttled logins (db/users.py) on real databases."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Literal

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine, select

from db import users
from db.models import User
from db.session import write_session

PW = "correct horse 1"


def _login(engine: Engine, name: str, password: str, now=None) -> users.UserInfo:  # type: ignore[no-untyped-def]
    """What the login form does: verify, and commit the counters whatever happened."""
    with write_session(engine) as s:
        try:
            return users.verify_password(s, name, password, now=now)
        finally:
            s.commit()


@pytest.fixture
def analyst(engine: Engine) -> users.UserInfo:
    with write_session(engine) as s:
        info = users.create_user(s, "Li.Wei", PW, role="analyst", display_name="李伟")
        s.commit()
    return info


def test_create_stores_argon2_hash_not_password(engine: Engine, analyst: users.UserInfo) -> None:
    assert analyst.username == "li.wei"
    assert analyst.role == "analyst" and analyst.active
    with write_session(engine) as s:
        stored = s.scalar(select(User.password_hash).where(User.username == "li.wei"))
    assert stored is not None and stored.startswith("$argon2id$")
    assert PW not in stored
    assert PasswordHasher().verify(stored, PW)


def test_login_case_insensitive_name_and_wrong_password(
    engine: Engine, analyst: users.UserInfo
) -> None:
    assert _login(engine, "  LI.WEI ", PW).role == "analyst"
    with pytest.raises(users.LoginFailedError):
        _login(engine, "li.wei", PW + "x")


@pytest.mark.parametrize(
    ("name", "password", "role", "error"),
    [
        ("bad name", PW, "viewer", users.InvalidUsernameError),
        ("", PW, "viewer", users.InvalidUsernameError),
        ("ok", "short", "viewer", users.WeakPasswordError),
        ("ok", PW, "superuser", users.InvalidRoleError),
    ],
)
def test_create_refuses(engine: Engine, name: str, password: str, role: str, error: type) -> None:
    with write_session(engine) as s, pytest.raises(error):
        users.create_user(s, name, password, role=role)


def test_duplicate_name_refused(engine: Engine, analyst: users.UserInfo) -> None:
    with write_session(engine) as s, pytest.raises(users.UserExistsError):
        users.create_user(s, "LI.WEI", PW)


def test_chinese_user_name(engine: Engine) -> None:
    with write_session(engine) as s:
        assert users.create_user(s, "统计员张三", PW).username == "统计员张三"
        s.commit()
    assert _login(engine, "统计员张三", PW).role == "viewer"


def test_set_role_reset_disable_enable(engine: Engine, analyst: users.UserInfo) -> None:
    with write_session(engine) as s:
        assert users.set_role(s, "li.wei", "admin").role == "admin"
        users.reset_password(s, "li.wei", "another password")
        s.commit()
    with pytest.raises(users.LoginFailedError):
        _login(engine, "li.wei", PW)
    assert _login(engine, "li.wei", "another password").role == "admin"
    with write_session(engine) as s:
        users.disable_user(s, "li.wei")
        s.commit()
    # A disabled account is refused even with the right password, with the same message.
    with pytest.raises(users.LoginFailedError):
        _login(engine, "li.wei", "another password")
    with write_session(engine) as s:
        users.enable_user(s, "li.wei")
        s.commit()
        assert [u.username for u in users.list_users(s)] == ["li.wei"]
    assert _login(engine, "li.wei", "another password").active


def test_unknown_user_errors(engine: Engine) -> None:
    with write_session(engine) as s:
        for action in (
            lambda: users.set_role(s, "ghost", "viewer"),
            lambda: users.reset_password(s, "ghost", PW),
            lambda: users.disable_user(s, "ghost"),
        ):
            with pytest.raises(users.UnknownUserError):
                action()
        assert users.get_user(s, "ghost") is None


def test_lockout_after_three_failures_doubles_and_resets(
    engine: Engine, analyst: users.UserInfo
) -> None:
    t0 = users.utcnow()
    for i in range(users.FREE_ATTEMPTS):
        with pytest.raises(users.LoginFailedError):
            _login(engine, "li.wei", "wrong", now=t0 + timedelta(seconds=i))
    last = t0 + timedelta(seconds=users.FREE_ATTEMPTS - 1)
    # Locked now: even the right password is not checked.
    with pytest.raises(users.LoginThrottledError) as locked:
        _login(engine, "li.wei", PW, now=last + timedelta(seconds=1))
    assert 0 < locked.value.retry_after <= users.BASE_LOCK_SECONDS
    with write_session(engine) as s:
        assert users.get_user(s, "li.wei").failed_logins == users.FREE_ATTEMPTS  # type: ignore[union-attr]
    # After the delay a fourth failure doubles the next delay.
    later = last + timedelta(seconds=users.BASE_LOCK_SECONDS + 1)
    with pytest.raises(users.LoginFailedError):
        _login(engine, "li.wei", "wrong", now=later)
    with pytest.raises(users.LoginThrottledError) as locked:
        _login(
            engine,
            "li.wei",
            PW,
            now=later + timedelta(seconds=users.BASE_LOCK_SECONDS + 1),
        )
    assert locked.value.retry_after == pytest.approx(users.BASE_LOCK_SECONDS - 1)
    # Once the delay has passed, a correct password logs in and clears the count.
    info = _login(
        engine,
        "li.wei",
        PW,
        now=later + timedelta(seconds=2 * users.BASE_LOCK_SECONDS + 1),
    )
    assert info.failed_logins == 0


def test_unknown_names_lock_like_real_ones(engine: Engine) -> None:
    name = f"nobody-{uuid.uuid4().hex[:8]}"  # the tracker is process-wide
    t0 = users.utcnow()
    for i in range(users.FREE_ATTEMPTS):
        with pytest.raises(users.LoginFailedError):
            _login(engine, name, "whatever1", now=t0 + timedelta(seconds=i))
    with pytest.raises(users.LoginThrottledError):
        _login(engine, name, "whatever1", now=t0 + timedelta(seconds=users.FREE_ATTEMPTS))


def test_old_hash_parameters_are_upgraded_on_login(engine: Engine, analyst: users.UserInfo) -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PW)
    with write_session(engine) as s:
        s.get(User, analyst.id).password_hash = weak  # type: ignore[union-attr]
        s.commit()
    _login(engine, "li.wei", PW)
    with write_session(engine) as s:
        upgraded = s.get(User, analyst.id).password_hash  # type: ignore[union-attr]
    assert upgraded != weak
    assert not PasswordHasher().check_needs_rehash(upgraded)


@pytest.mark.parametrize(
    ("role", "needed", "allowed"),
    [
        (None, None, True),
        (None, "viewer", False),
        ("viewer", "analyst", False),
        ("analyst", "analyst", True),
        ("admin", "analyst", True),
        ("analyst", "admin", False),
        ("bogus", "viewer", False),
    ],
)
def test_has_role(role: str | None, needed: str | None, allowed: bool) -> None:
    assert users.has_role(role, needed) is allowed


@pytest.mark.parametrize(
    ("failures", "seconds"), [(0, 0), (2, 0), (3, 5), (4, 10), (5, 20), (30, 900)]
)
def test_lockout_schedule(failures: int, seconds: float) -> None:
    assert users.lockout_seconds(failures) == seconds


# --- settings (ui/settings.py) and their documentation ---------------------------------


def test_every_setting_is_documented() -> None:
    """The README lists each setting with its variable and default."""
    from pathlib import Path

    from ui.settings import SETTINGS

    doc = (Path(__file__).resolve().parent.parent / "README.md").read_text("utf-8")
    for setting in SETTINGS:
        default = str(setting.default).lower()
        row = next((line for line in doc.splitlines() if f"`{setting.env}`" in line), "")
        assert row.startswith(f"| {setting.name} |"), setting.name
        assert f"`{default}`" in row, setting.name


@pytest.mark.parametrize(
    ("env", "value", "expected"),
    [
        ("TQI_REQUIRE_LOGIN", None, False),
        ("TQI_REQUIRE_LOGIN", "true", True),
        ("TQI_REQUIRE_LOGIN", "0", False),
        ("TQI_REQUIRE_LOGIN", " Yes ", True),
        ("TQI_MAX_UPLOAD_MB", None, 50),
        ("TQI_MAX_UPLOAD_MB", "200", 200),
    ],
)
def test_settings_from_environment(
    monkeypatch: pytest.MonkeyPatch, env: str, value: str | None, expected: object
) -> None:
    from ui.settings import SETTINGS, get_setting

    if value is None:
        monkeypatch.delenv(env, raising=False)
    else:
        monkeypatch.setenv(env, value)
    name = next(s.name for s in SETTINGS if s.env == env)
    assert get_setting(name) == expected


@pytest.mark.parametrize(
    ("env", "value"), [("TQI_REQUIRE_LOGIN", "maybe"), ("TQI_MAX_UPLOAD_MB", "-5")]
)
def test_bad_setting_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, env: str, value: str
) -> None:
    from ui.settings import SETTINGS, SettingError, get_setting

    monkeypatch.setenv(env, value)
    name = next(s.name for s in SETTINGS if s.env == env)
    with pytest.raises(SettingError, match=env):
        get_setting(name)


# --- an unknown name costs what a wrong password costs ----------------------------------


class CountingHasher(PasswordHasher):
    """The real argon2 hasher, counting its verifications and hashes (not a mock: every call
    still does the full argon2 work)."""

    def __init__(self) -> None:
        super().__init__()
        self.verified = 0
        self.hashed = 0

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
        self.verified += 1
        return super().verify(hash, password)

    def hash(self, password: str | bytes, *, salt: bytes | None = None) -> str:
        self.hashed += 1
        return super().hash(password, salt=salt)


@pytest.mark.parametrize(
    ("name", "password"),
    [
        ("li.wei", "wrong password"),  # the yardstick: a known name, a wrong password
        ("nobody-here", PW),  # no such account
        ("bad name!", PW),  # not even a valid name
        ("disabled.one", PW),  # right password, disabled account
    ],
)
def test_unknown_name_costs_the_same_verification_as_wrong_password(
    engine: Engine,
    analyst: users.UserInfo,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    password: str,
) -> None:
    with write_session(engine) as s:
        users.create_user(s, "disabled.one", PW)
        users.disable_user(s, "disabled.one")
        s.commit()
    spy = CountingHasher()
    monkeypatch.setattr(users, "_hasher", spy)
    monkeypatch.setattr(users, "UNKNOWN_NAMES", users.FailureTracker())
    with pytest.raises(users.LoginFailedError):
        _login(engine, name, password)
    assert (spy.verified, spy.hashed) == (1, 0)


def test_dummy_hash_has_the_hasher_parameters() -> None:
    """An unknown name is checked against a hash as costly as a fresh account's."""
    assert not PasswordHasher().check_needs_rehash(users.DUMMY_HASH)
    assert users.DUMMY_HASH.split("$")[:4] == PasswordHasher().hash(PW).split("$")[:4]

"""Local accounts: argon2 password hashes, roles, and throttled logins.

Used by the CLI (``python -m etl users …``) and by the app's login form; no Streamlit here.

Why it is built this way:

* Passwords go through argon2id (``argon2-cffi``'s ``PasswordHasher``), whose ``verify``
  compares in constant time; a hash made with older parameters is upgraded at the next
  successful login (``check_needs_rehash``).
* A wrong password, an unknown user name and a disabled account all look alike to the
  person at the form (:class:`LoginFailedError`), and an unknown name still costs one
  argon2 verification, so neither the message nor the timing says which names exist.
* After :data:`FREE_ATTEMPTS` failures in a row, a name is locked for a delay that doubles
  with every further failure (:func:`lockout_seconds`). For real accounts the count lives
  in ``users.failed_logins`` / ``last_failed_at`` (so it holds across sessions and
  replicas); for names that do not exist the same count is kept in this process
  (:data:`UNKNOWN_NAMES`), so probing a name behaves the same whether it exists or not.
  The login form keeps one more :class:`FailureTracker` per browser session, so spraying
  many names from one session is slowed down too.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import get_args

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from db.models import Role, User

ROLES: tuple[Role, ...] = get_args(Role)
"""Roles from least to most: each role may do everything the ones before it may."""

MIN_PASSWORD_LENGTH = 8
FREE_ATTEMPTS = 3
"""Failures in a row before a name is locked for a while."""
BASE_LOCK_SECONDS = 5
MAX_LOCK_SECONDS = 15 * 60

_USERNAME = re.compile(r"^[\w.@+-]{1,100}$")
_hasher = PasswordHasher()
DUMMY_HASH = "$argon2id$v=19$m=65536,t=3,p=4$Wj9bTgUjrnBalPe9/ux4oA$8at6+JUPlyRIOchxv0GkR1IsfGWrtfFG9Rj2fmRgtDU"
"""What an unknown name is checked against: a fixed hash with the hasher's own parameters
(a test keeps them equal), so the first unknown name does not also pay for making it."""


class UserError(Exception):
    """Base for account problems the CLI and the login form turn into a message."""


class InvalidUsernameError(UserError):
    pass


class UserExistsError(UserError):
    pass


class UnknownUserError(UserError):
    pass


class InvalidRoleError(UserError):
    pass


class WeakPasswordError(UserError):
    pass


class LoginFailedError(UserError):
    """Wrong name or password, or a disabled account — deliberately not told apart."""


class LoginThrottledError(UserError):
    """Too many failures in a row; try again after ``retry_after`` seconds."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"too many failed logins; retry in {retry_after:.0f} s")
        self.retry_after = retry_after


@dataclass(frozen=True)
class UserInfo:
    """What callers may know about an account (never the hash)."""

    id: int
    username: str
    display_name: str
    role: str
    active: bool
    created_at: datetime | None
    failed_logins: int
    last_failed_at: datetime | None

    @classmethod
    def of(cls, user: User) -> UserInfo:
        return cls(
            id=user.id,
            username=user.username,
            display_name=user.display_name or "",
            role=user.role,
            active=bool(user.active),
            created_at=user.created_at,
            failed_logins=user.failed_logins or 0,
            last_failed_at=user.last_failed_at,
        )


def utcnow() -> datetime:
    """Naive UTC, as the ``DateTime`` columns store it."""
    return datetime.now(UTC).replace(tzinfo=None)


def role_rank(role: str | None) -> int:
    """Position of ``role`` in :data:`ROLES`; -1 for no role (anonymous) or an unknown one."""
    return ROLES.index(role) if role in ROLES else -1


def has_role(role: str | None, needed: str | None) -> bool:
    """Whether ``role`` is at least ``needed`` (``needed=None``: everyone may)."""
    return needed is None or role_rank(role) >= role_rank(needed) >= 0


def lockout_seconds(failures: int) -> float:
    """How long a name stays locked after ``failures`` failures in a row."""
    if failures < FREE_ATTEMPTS:
        return 0.0
    return float(min(BASE_LOCK_SECONDS * 2 ** (failures - FREE_ATTEMPTS), MAX_LOCK_SECONDS))


def retry_after(failures: int, last_failed_at: datetime | None, now: datetime) -> float:
    """Seconds left before another attempt is allowed (0 when allowed now)."""
    if last_failed_at is None:
        return 0.0
    left = lockout_seconds(failures) - (now - last_failed_at).total_seconds()
    return max(0.0, left)


class FailureTracker:
    """Failed attempts per key, in memory, bounded (oldest keys are forgotten first)."""

    def __init__(self, max_keys: int = 10_000) -> None:
        self._entries: OrderedDict[str, tuple[int, datetime]] = OrderedDict()
        self._max_keys = max_keys
        self._lock = threading.Lock()

    def retry_after(self, key: str, now: datetime) -> float:
        with self._lock:
            entry = self._entries.get(key)
        return 0.0 if entry is None else retry_after(entry[0], entry[1], now)

    def failed(self, key: str, now: datetime) -> int:
        with self._lock:
            count = self._entries.pop(key, (0, now))[0] + 1
            self._entries[key] = (count, now)
            while len(self._entries) > self._max_keys:
                self._entries.popitem(last=False)
            return count

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._entries.pop(key, None)


UNKNOWN_NAMES = FailureTracker()
"""Failures for names that have no account, so they lock like real ones do."""


def normalise_username(username: str) -> str:
    """Names are stored trimmed and lower-cased, so ``Li.Wei`` and ``li.wei`` are one account."""
    name = (username or "").strip().lower()
    if not _USERNAME.match(name):
        raise InvalidUsernameError(
            "用户名须为 1–100 个字母、数字、汉字或 . _ @ + - 字符 "
            "(user names are 1-100 letters, digits or . _ @ + -)"
        )
    return name


def check_role(role: str) -> Role:
    for known in ROLES:  # returns the Literal, so the column gets a checked value
        if known == role:
            return known
    raise InvalidRoleError(f"未知角色 {role!r}，可选 {', '.join(ROLES)} (unknown role)")


def check_password(password: str) -> str:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise WeakPasswordError(
            f"密码至少 {MIN_PASSWORD_LENGTH} 个字符 "
            f"(passwords need at least {MIN_PASSWORD_LENGTH} characters)"
        )
    return password


def hash_password(password: str) -> str:
    return _hasher.hash(check_password(password))


def _get(session: Session, username: str) -> User:
    name = normalise_username(username)
    user = session.scalar(select(User).where(User.username == name))
    if user is None:
        raise UnknownUserError(f"没有用户 {name!r} (no such user)")
    return user


def get_user(session: Session, username: str) -> UserInfo | None:
    try:
        return UserInfo.of(_get(session, username))
    except (UnknownUserError, InvalidUsernameError):
        return None


def list_users(session: Session) -> list[UserInfo]:
    return [UserInfo.of(u) for u in session.scalars(select(User).order_by(User.username))]


def create_user(
    session: Session,
    username: str,
    password: str,
    *,
    role: str = "viewer",
    display_name: str = "",
) -> UserInfo:
    """Add an active account; the caller commits."""
    name = normalise_username(username)
    checked_role = check_role(role)
    password_hash = hash_password(password)
    if session.scalar(select(func.count()).where(User.username == name)):
        raise UserExistsError(f"用户 {name!r} 已存在 (user exists)")
    user = User(
        username=name,
        display_name=display_name.strip() or name,
        role=checked_role,
        password_hash=password_hash,
        active=True,
        failed_logins=0,
    )
    session.add(user)
    session.flush()
    return UserInfo.of(user)


def set_role(session: Session, username: str, role: str) -> UserInfo:
    user = _get(session, username)
    user.role = check_role(role)
    session.flush()
    return UserInfo.of(user)


def reset_password(session: Session, username: str, password: str) -> UserInfo:
    """New password; also lifts a lock-out (an admin did this on purpose)."""
    user = _get(session, username)
    user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.last_failed_at = None
    session.flush()
    return UserInfo.of(user)


def disable_user(session: Session, username: str) -> UserInfo:
    user = _get(session, username)
    user.active = False
    session.flush()
    return UserInfo.of(user)


def enable_user(session: Session, username: str) -> UserInfo:
    user = _get(session, username)
    user.active = True
    user.failed_logins = 0
    user.last_failed_at = None
    session.flush()
    return UserInfo.of(user)


def _burn_one_verification(password: str) -> None:
    """Spend what a real check costs, so unknown names answer as slowly as known ones."""
    with contextlib.suppress(VerificationError):
        _hasher.verify(DUMMY_HASH, password)


def verify_password(
    session: Session, username: str, password: str, *, now: datetime | None = None
) -> UserInfo:
    """The account for a correct name and password; the caller commits (counters change).

    Raises :class:`LoginThrottledError` while the name is locked (the password is not even
    checked then) and :class:`LoginFailedError` for every other refusal.
    """
    now = now or utcnow()
    try:
        name = normalise_username(username)
    except InvalidUsernameError:
        _burn_one_verification(password or "")
        raise LoginFailedError("用户名或密码错误 (wrong user name or password)") from None
    user = session.scalar(select(User).where(User.username == name))
    if user is None:
        wait = UNKNOWN_NAMES.retry_after(name, now)
        if wait > 0:
            raise LoginThrottledError(wait)
        _burn_one_verification(password or "")
        UNKNOWN_NAMES.failed(name, now)
        raise LoginFailedError("用户名或密码错误 (wrong user name or password)")
    wait = retry_after(user.failed_logins or 0, user.last_failed_at, now)
    if wait > 0:
        raise LoginThrottledError(wait)
    try:
        _hasher.verify(user.password_hash, password or "")
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        # One atomic UPDATE: two replicas counting the same name never lose a failure.
        session.execute(
            update(User)
            .where(User.id == user.id)
            .values(failed_logins=User.failed_logins + 1, last_failed_at=now)
        )
        session.flush()
        raise LoginFailedError("用户名或密码错误 (wrong user name or password)") from None
    if not user.active:
        raise LoginFailedError("用户名或密码错误 (wrong user name or password)")
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.failed_logins = 0
    user.last_failed_at = None
    session.flush()
    return UserInfo.of(user)

"""The audit trail (操作日志): who logged in, loaded, rolled back or edited what, and when.

Every event is written by :func:`record` inside the transaction of the action it records,
so a rolled-back action leaves no event and a committed one always has its event. The
trail answers "who changed this figure's batch, and from where" months later; it must
never become a second copy of secrets or data, so :func:`record` refuses detail keys that
could carry a password or a file's content.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, get_args

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import AuditEvent

Action = Literal[
    "login",
    "login_failed",
    "login_locked_out",
    "batch_loaded",
    "batch_rolled_back",
    "catalog_edited",
    "account_changed",
    "store_restored",
]
ACTIONS: tuple[Action, ...] = get_args(Action)
FORBIDDEN_DETAIL_KEYS = frozenset({"password", "password_hash", "content", "data", "bytes"})
"""Keys :func:`record` refuses: the trail names things, it never holds secrets or files."""


@dataclass(frozen=True)
class Event:
    at: datetime
    username: str
    action: str
    target: str
    detail: dict[str, Any]
    address: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(sep=" ", timespec="seconds"),
            "user": self.username,
            "action": self.action,
            "target": self.target,
            "detail": self.detail,
            "address": self.address,
        }


def record(
    session: Session,
    action: Action,
    *,
    user: str = "",
    target: str = "",
    address: str | None = None,
    **detail: Any,
) -> None:
    """Add one event to the caller's transaction (it lands when the action commits)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    leaked = FORBIDDEN_DETAIL_KEYS.intersection(detail)
    if leaked:
        raise ValueError(f"audit detail may not hold {sorted(leaked)}")
    session.add(
        AuditEvent(
            at=datetime.now(),
            username=(user or "")[:100],
            action=action,
            target=(target or "")[:500],
            detail=json.dumps(detail, ensure_ascii=False, default=str, sort_keys=True),
            address=(address or None) and address[:100],
        )
    )
    session.flush()


def list_events(
    session: Session,
    *,
    since: datetime | None = None,
    user: str | None = None,
    action: str | None = None,
    limit: int | None = 1000,
) -> list[Event]:
    """Newest first; ``since`` is inclusive, ``user`` an exact account name."""
    stmt = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if since is not None:
        stmt = stmt.where(AuditEvent.at >= since)
    if user:
        stmt = stmt.where(AuditEvent.username == user)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    if limit is not None:
        stmt = stmt.limit(limit)
    return [
        Event(e.at, e.username, e.action, e.target, json.loads(e.detail or "{}"), e.address)
        for e in session.scalars(stmt)
    ]

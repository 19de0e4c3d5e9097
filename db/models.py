"""The store's tables (SQLAlchemy 2.0 declarative models).

The shape follows DESIGN.md "Data model". Three choices worth knowing:

* an observation is keyed by (indicator, year, region) and remembers the batch that last
  set it; that link, plus one ``revision`` row per figure a batch touched, is what makes an
  exact rollback possible;
* the observation table is clustered on its key and carries the value (migration 0007),
  so the dashboard's group-by-indicator-and-year queries are answered from one B-tree;
* ``observation_coverage`` is derived data (counts per indicator and year) that the loader
  keeps exact in the same transaction as the figures, see :class:`CoverageCount`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

CITY_WIDE = "全市"
"""Region of a figure that names none: the whole city."""

QUALIFIERS = ("more_than", "about")
# The allowed values of the string columns below, checked by mypy (``strict_equality``).
BatchStatus = Literal["active", "rolled_back"]  # a batch in force, or one undone
SourceKind = Literal["file", "report", "sample"]  # where a batch's figures came from
RevisionKind = Literal["observation", "target"]
Role = Literal["viewer", "analyst", "admin"]  # least to most
"""Allowed qualifier codes; ``None`` means a plain figure."""


class Base(DeclarativeBase):
    pass


class Category(Base):
    __tablename__ = "category"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(200))
    display_order: Mapped[int] = mapped_column(Integer, default=0)

    indicators: Mapped[list[Indicator]] = relationship(back_populates="category")


class Indicator(Base):
    __tablename__ = "indicator"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(80), unique=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"))
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(200))
    # JSON-encoded lists of strings: other names, and how reports phrase the figure.
    aliases: Mapped[str] = mapped_column(Text, default="[]")
    phrasings: Mapped[str] = mapped_column(Text, default="[]")
    unit: Mapped[str] = mapped_column(String(20))
    aggregation: Mapped[str] = mapped_column(String(10), default="sum")
    direction: Mapped[str] = mapped_column(String(10), default="up")
    description: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    display_order: Mapped[int] = mapped_column(Integer, default=0)
    # Years the indicator applies to (None: open-ended); outside them a missing figure is
    # "not applicable", not a gap (migration 0005).
    first_year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_year: Mapped[int | None] = mapped_column(Integer, nullable=True)

    category: Mapped[Category] = relationship(back_populates="indicators")


class Batch(Base):
    __tablename__ = "batch"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_name: Mapped[str] = mapped_column(String(500))
    source_kind: Mapped[SourceKind] = mapped_column(String(20), default="file")
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    loaded_by: Mapped[str] = mapped_column(String(100), default="")
    # Set from Python (the server's local clock) like rolled_back_at, so the two compare.
    loaded_at: Mapped[datetime] = mapped_column(
        DateTime, default=datetime.now, server_default=func.now()
    )
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    inserted: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    warnings: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of warning dicts
    status: Mapped[BatchStatus] = mapped_column(String(20), default="active")
    rolled_back_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    rolled_back_by: Mapped[str | None] = mapped_column(String(100), nullable=True)


class Observation(Base):
    """A figure, keyed by what it is: (indicator, year, region) is the primary key.

    Clustered on that key (migration 0007): on SQLite a ``WITHOUT ROWID`` table, so the
    rows *are* the key's B-tree and carry the value (what ``ix_observation_cover`` did);
    on PostgreSQL the key's index includes the value. One structure instead of a table,
    a unique key and a covering index is most of what a million-row load writes.
    """

    __tablename__ = "observation"
    __table_args__ = (
        PrimaryKeyConstraint(
            "indicator_id", "year", "region", name="pk_observation", postgresql_include=["value"]
        ),
        Index("ix_observation_year", "year", "indicator_id", "value"),
        # City-wide (全市) rows and region filters: see migration 0003.
        Index("ix_observation_region", "region", "indicator_id", "year", "value"),
        {"sqlite_with_rowid": False},
    )

    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id"))
    year: Mapped[int] = mapped_column(Integer)
    region: Mapped[str] = mapped_column(String(100), default=CITY_WIDE)
    value: Mapped[float] = mapped_column(Float)
    qualifier: Mapped[str | None] = mapped_column(String(20), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("batch.id"), nullable=True)


class CoverageCount(Base):
    """How many figures an (indicator, year) has, and whether the 全市 one is among them.

    The 数据质量 page needs exactly this for every indicator and year; counting a million
    observations for it on every cold read cost ~60 ms, reading these ~1,000 rows costs
    nothing. Derived data, so it must never drift: every writer of ``observation``
    (``etl.load.write_batch``, ``etl.rollback.rollback_batch``) refreshes the pairs it touched through
    :func:`db.coverage.refresh_coverage`, inside its own transaction. Pairs without a
    figure have no row.
    """

    __tablename__ = "observation_coverage"

    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    regions: Mapped[int] = mapped_column(Integer)
    # 1 when the 全市 row exists, else 0: an integer so the refresh's SUM(CASE …) fits
    # both SQLite and PostgreSQL without a cast.
    city: Mapped[int] = mapped_column(Integer)


class Target(Base):
    __tablename__ = "target"
    __table_args__ = (
        UniqueConstraint("indicator_id", "year", "region", name="uq_target_key"),
        Index("ix_target_batch", "batch_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id"))
    year: Mapped[int] = mapped_column(Integer)
    region: Mapped[str] = mapped_column(String(100), default=CITY_WIDE)
    value: Mapped[float] = mapped_column(Float)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("batch.id"), nullable=True)


class Revision(Base):
    """What a batch replaced: one row per figure (observation or target) it inserted or changed.

    ``existed`` false means the batch created the figure, so rollback deletes it; otherwise
    rollback restores the old value, qualifier, note and the batch that had set it.
    """

    __tablename__ = "revision"
    __table_args__ = (Index("ix_revision_batch", "batch_id", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = mapped_column(Integer)  # no foreign keys: migration 0008
    kind: Mapped[RevisionKind] = mapped_column(String(12), default="observation")
    indicator_id: Mapped[int] = mapped_column(Integer)
    year: Mapped[int] = mapped_column(Integer)
    region: Mapped[str] = mapped_column(String(100))
    existed: Mapped[bool] = mapped_column(Boolean)
    old_value: Mapped[float | None] = mapped_column(Float, nullable=True)
    old_qualifier: Mapped[str | None] = mapped_column(String(20), nullable=True)
    old_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    old_batch_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    new_value: Mapped[float | None] = mapped_column(Float, nullable=True)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[Role] = mapped_column(String(20), default="viewer")
    password_hash: Mapped[str] = mapped_column(String(300))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    last_failed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class AuditEvent(Base):
    """One line of the audit trail (操作日志): who did what, when, from where.

    Written in the same transaction as the action it records (``db.audit.record``), so an
    event exists exactly when the action happened. ``detail`` is a small JSON object of
    identifiers and counts; never a password or a file's content.
    """

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_at", "at"), Index("ix_audit_event_user", "username"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    username: Mapped[str] = mapped_column(String(100), default="")
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(String(500), default="")
    detail: Mapped[str] = mapped_column(Text, default="{}")
    address: Mapped[str | None] = mapped_column(String(100), nullable=True)

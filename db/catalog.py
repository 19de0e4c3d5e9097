"""The indicator catalog: seeding from ``db/data/catalog.json`` and an in-memory view of it.

The ETL's pure steps (normalise, validate, the report reader) get a :class:`Catalog`
value instead of a session, so they stay free of SQL and easy to test; the catalog is
read from the database (not the JSON file) because analysts extend it there.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from db.models import Category, Indicator

CATALOG_FILE = Path(__file__).resolve().parent / "data" / "catalog.json"

_STRIP_CHARS = re.compile(r"[\s\"'“”‘’「」『』《》]")


def name_key(name: str) -> str:
    """How names are compared: NFKC (full-width → half-width), no spaces or quotes, casefolded."""
    return _STRIP_CHARS.sub("", unicodedata.normalize("NFKC", str(name))).casefold()


@dataclass(frozen=True)
class CategorySpec:
    code: str
    name_zh: str
    name_en: str
    order: int


@dataclass(frozen=True)
class IndicatorSpec:
    code: str
    category: str
    name_zh: str
    name_en: str
    unit: str
    aggregation: str
    direction: str
    aliases: tuple[str, ...] = ()
    phrasings: tuple[str, ...] = ()
    description: str = ""
    active: bool = True
    order: int = 0

    def names(self) -> tuple[str, ...]:
        return (self.code, self.name_zh, self.name_en, *self.aliases)


@dataclass
class Catalog:
    categories: dict[str, CategorySpec]
    indicators: dict[str, IndicatorSpec]
    _by_name: dict[str, str] = field(default_factory=dict, repr=False)
    _category_by_name: dict[str, str] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for spec in self.indicators.values():
            for name in spec.names():
                self._by_name.setdefault(name_key(name), spec.code)
        for cat in self.categories.values():
            for name in (cat.code, cat.name_zh, cat.name_en):
                self._category_by_name.setdefault(name_key(name), cat.code)

    def lookup(self, name: str) -> str | None:
        """Indicator code for a code, Chinese/English name or alias, else ``None``."""
        return self._by_name.get(name_key(name))

    def lookup_category(self, name: str) -> str | None:
        return self._category_by_name.get(name_key(name))

    def suggest(self, name: str, limit: int = 3) -> list[str]:
        """Closest catalog names (Chinese name first) for an unknown indicator name."""
        from rapidfuzz import fuzz, process

        choices = {key: code for key, code in self._by_name.items()}
        found = process.extract(
            name_key(name),
            list(choices),
            scorer=fuzz.WRatio,
            limit=limit * 4,
            score_cutoff=40,
        )
        codes: list[str] = []
        for key, _score, _idx in found:
            code = choices[key]
            if code not in codes:
                codes.append(code)
        return [self.indicators[c].name_zh for c in codes[:limit]]

    def by_category(self, category: str) -> list[IndicatorSpec]:
        return sorted(
            (s for s in self.indicators.values() if s.category == category),
            key=lambda s: s.order,
        )


def read_catalog_file(path: Path = CATALOG_FILE) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


_PG_SEED_LOCK = "hashtextextended(current_database() || '/' || current_schema() || '/tqi-seed', 0)"
"""Advisory-lock key for seeding: one per database and schema, so separate stores never wait."""


def _lock_for_seeding(session: Session) -> None:
    """Let one process at a time seed, and only after it can see what the others committed.

    Several app replicas (or CLI runs) starting together on an empty PostgreSQL store all
    found the catalog empty and inserted it, and all but one died of a UniqueViolation.
    A transaction-scoped advisory lock serialises them; under READ COMMITTED each statement
    after it sees the winner's rows, so the others add nothing. SQLite needs nothing here:
    the caller's ``write_session`` took the write lock at ``BEGIN IMMEDIATE``.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"SELECT pg_advisory_xact_lock({_PG_SEED_LOCK})"))


def seed_catalog(session: Session, path: Path = CATALOG_FILE) -> int:
    """Insert shipped categories and indicators that are missing; returns how many were added.

    Existing rows are left alone: an analyst's renames and added aliases survive restarts.
    Safe when several processes seed one empty store at once (:func:`_lock_for_seeding`);
    the lock is held until the caller commits.
    """
    data = read_catalog_file(path)
    _lock_for_seeding(session)
    categories = {c.code: c for c in session.scalars(select(Category))}
    added = 0
    for cat in data["categories"]:
        if cat["code"] not in categories:
            row = Category(
                code=cat["code"],
                name_zh=cat["name_zh"],
                name_en=cat["name_en"],
                display_order=cat["order"],
            )
            session.add(row)
            categories[cat["code"]] = row
            added += 1
    session.flush()
    existing = set(session.scalars(select(Indicator.code)))
    for order, ind in enumerate(data["indicators"], start=1):
        if ind["code"] in existing:
            continue
        session.add(
            Indicator(
                code=ind["code"],
                category_id=categories[ind["category"]].id,
                name_zh=ind["name_zh"],
                name_en=ind["name_en"],
                unit=ind["unit"],
                aggregation=ind["aggregation"],
                direction=ind["direction"],
                aliases=json.dumps(ind.get("aliases", []), ensure_ascii=False),
                phrasings=json.dumps(ind.get("phrasings", []), ensure_ascii=False),
                description=ind.get("description", ""),
                active=True,
                display_order=order,
                first_year=ind.get("first_year"),
                last_year=ind.get("last_year"),
            )
        )
        added += 1
    session.flush()
    return added


def load_catalog(session: Session, *, include_inactive: bool = False) -> Catalog:
    """The catalog as the database has it now."""
    cats = {
        c.code: CategorySpec(c.code, c.name_zh, c.name_en, c.display_order)
        for c in session.scalars(select(Category).order_by(Category.display_order))
    }
    rows = session.execute(
        select(Indicator, Category.code).join(Category).order_by(Indicator.display_order)
    ).all()
    indicators = {}
    for ind, cat_code in rows:
        if not ind.active and not include_inactive:
            continue
        indicators[ind.code] = IndicatorSpec(
            code=ind.code,
            category=cat_code,
            name_zh=ind.name_zh,
            name_en=ind.name_en,
            unit=ind.unit,
            aggregation=ind.aggregation,
            direction=ind.direction,
            aliases=tuple(json.loads(ind.aliases or "[]")),
            phrasings=tuple(json.loads(ind.phrasings or "[]")),
            description=ind.description or "",
            active=ind.active,
            order=ind.display_order,
        )
    return Catalog(categories=cats, indicators=indicators)


def indicator_ids(session: Session) -> dict[str, int]:
    return dict(session.execute(select(Indicator.code, Indicator.id)).all())

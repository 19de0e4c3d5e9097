"""Analysts' catalog edits: a new indicator, or another name (alias) for an existing one.

A department that calls an indicator by its own name gets an alias once, and every later
file maps by itself. The one rule that matters: a name may point at one indicator only.
Every name is compared the way the loader matches names (:func:`db.catalog.name_key`:
full-width and half-width, spaces, quotes and letter case do not count) against every
code, Chinese name, English name and alias in the catalog, inactive indicators included —
otherwise a new alias could silently steal rows that used to map elsewhere.

No Streamlit here; the catalog page only calls these. The caller commits.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.catalog import IndicatorSpec, load_catalog, name_key
from db.models import Category, Indicator

AGGREGATIONS = ("sum", "mean")
DIRECTIONS = ("up", "down")
_CODE = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
MAX_NAME_LENGTH = 100


class CatalogEditError(ValueError):
    """An edit the catalog cannot take; the message says why and what to change."""


class DuplicateNameError(CatalogEditError):
    def __init__(self, name: str, owner_code: str, owner_name: str) -> None:
        super().__init__(
            f"名称“{name}”已用于指标“{owner_name}”（{owner_code}） "
            f"(the name is already used by {owner_code})"
        )
        self.name = name
        self.owner_code = owner_code


class UnknownIndicatorError(CatalogEditError):
    pass


def _name_owners(session: Session) -> dict[str, IndicatorSpec]:
    """Every name key in use → the indicator it belongs to (inactive ones included)."""
    owners: dict[str, IndicatorSpec] = {}
    for spec in load_catalog(session, include_inactive=True).indicators.values():
        for name in spec.names():
            owners.setdefault(name_key(name), spec)
    return owners


def _clean_name(name: str, what: str) -> str:
    text = (name or "").strip()
    if not name_key(text):
        raise CatalogEditError(f"{what}不能为空 ({what} is empty)")
    if len(text) > MAX_NAME_LENGTH:
        raise CatalogEditError(f"{what}过长（最多 {MAX_NAME_LENGTH} 字） ({what} too long)")
    return text


def _check_free(
    names: Iterable[str],
    owners: dict[str, IndicatorSpec],
    *,
    own_code: str | None = None,
) -> None:
    for name in names:
        owner = owners.get(name_key(name))
        if owner is not None and owner.code != own_code:
            raise DuplicateNameError(name, owner.code, owner.name_zh)


def add_alias(session: Session, code: str, alias: str) -> list[str]:
    """Give indicator ``code`` another name; returns its aliases after the change.

    Refused when the name already means any indicator — this one included, so the
    analyst learns the alias was not needed instead of seeing nothing happen.
    """
    indicator = session.scalar(select(Indicator).where(Indicator.code == code))
    if indicator is None:
        raise UnknownIndicatorError(f"没有指标 {code!r} (no such indicator)")
    alias = _clean_name(alias, "别名")
    owner = _name_owners(session).get(name_key(alias))
    if owner is not None:
        raise DuplicateNameError(alias, owner.code, owner.name_zh)
    aliases = list(json.loads(indicator.aliases or "[]"))
    aliases.append(alias)
    indicator.aliases = json.dumps(aliases, ensure_ascii=False)
    session.flush()
    return aliases


def add_indicator(
    session: Session,
    *,
    code: str,
    category: str,
    name_zh: str,
    name_en: str,
    unit: str,
    aggregation: str = "sum",
    direction: str = "up",
    aliases: Iterable[str] = (),
    description: str = "",
) -> IndicatorSpec:
    """Add an active indicator at the end of its category; returns it as the catalog sees it."""
    code = (code or "").strip()
    if not _CODE.match(code):
        raise CatalogEditError(
            "代码格式应为“类别.英文名”，如 safety.bridges_checked "
            "(code must look like category.snake_case_name)"
        )
    cat = session.scalar(select(Category).where(Category.code == category))
    if cat is None:
        raise CatalogEditError(f"没有类别 {category!r} (no such category)")
    if not code.startswith(f"{category}."):
        raise CatalogEditError(f"代码应以“{category}.”开头 (code must start with the category)")
    name_zh = _clean_name(name_zh, "中文名称")
    name_en = _clean_name(name_en, "英文名称")
    unit = (unit or "").strip()
    if not unit or len(unit) > 20:
        raise CatalogEditError("单位须为 1–20 个字符 (unit must be 1-20 characters)")
    if aggregation not in AGGREGATIONS:
        raise CatalogEditError(f"汇总方式须为 {AGGREGATIONS} 之一 (aggregation)")
    if direction not in DIRECTIONS:
        raise CatalogEditError(f"方向须为 {DIRECTIONS} 之一 (direction)")
    if unit == "%" and aggregation != "mean":
        raise CatalogEditError("百分比指标只能取平均，不能相加 (rates are averaged, never summed)")
    alias_list = [_clean_name(a, "别名") for a in aliases if (a or "").strip()]

    names = [code, name_zh, name_en, *alias_list]
    _check_free(names, _name_owners(session))
    seen: dict[str, str] = {}
    for name in alias_list:  # the new indicator's own names may repeat only in its main names
        key = name_key(name)
        if key in seen or key in {name_key(code), name_key(name_zh), name_key(name_en)}:
            continue
        seen[key] = name
    order = session.scalar(select(func.coalesce(func.max(Indicator.display_order), 0))) or 0
    session.add(
        Indicator(
            code=code,
            category_id=cat.id,
            name_zh=name_zh,
            name_en=name_en,
            unit=unit,
            aggregation=aggregation,
            direction=direction,
            aliases=json.dumps(list(seen.values()), ensure_ascii=False),
            phrasings="[]",
            description=(description or "").strip(),
            active=True,
            display_order=order + 1,
        )
    )
    session.flush()
    return load_catalog(session).indicators[code]

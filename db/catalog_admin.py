"""Analysts' catalog edits: a new indicator, another name (alias), or a report phrasing.

A department that calls an indicator by its own name gets an alias once, and every later
file maps by itself; a phrasing (``全年查处超限超载车辆X辆``, ``X`` for the figure) does the
same for the work-report reader (``etl.report``), which knows only what the catalog says.
The one rule that matters: a name — or a phrasing — may point at one indicator only.
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
from typing import Literal, get_args

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.catalog import IndicatorSpec, load_catalog, name_key
from db.models import Category, Indicator

Aggregation = Literal["sum", "mean"]  # how districts combine: counts add up, rates average
Direction = Literal["up", "down"]  # which way is better
AGGREGATIONS: tuple[Aggregation, ...] = get_args(Aggregation)
DIRECTIONS: tuple[Direction, ...] = get_args(Direction)
_CODE = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
MAX_NAME_LENGTH = 100
MAX_PHRASING_LENGTH = 100
FIGURE = "X"  # what stands for the figure in a phrasing (etl.report_patterns reads the same)
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


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


class DuplicatePhrasingError(CatalogEditError):
    def __init__(self, phrasing: str, owner_code: str, owner_name: str) -> None:
        super().__init__(
            f"表述“{phrasing}”已是指标“{owner_name}”（{owner_code}）的报告表述 "
            f"(the phrasing already belongs to {owner_code})"
        )
        self.phrasing = phrasing
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


def _phrasing_owners(session: Session) -> dict[str, IndicatorSpec]:
    """Every phrasing key in use → its indicator (inactive ones included)."""
    owners: dict[str, IndicatorSpec] = {}
    for spec in load_catalog(session, include_inactive=True).indicators.values():
        for phrasing in spec.phrasings:
            owners.setdefault(name_key(phrasing), spec)
    return owners


def _clean_phrasing(phrasing: str) -> str:
    """The phrasing trimmed, full-width ``Ｘ`` made ``X``; refused when the reader could not use it.

    Two Chinese characters besides ``X`` at least: a phrasing of ``X处`` alone would claim
    every count in 处 in every report.
    """
    text = (phrasing or "").strip().replace("Ｘ", FIGURE)
    if not text:
        raise CatalogEditError("报告表述不能为空 (phrasing is empty)")
    if len(text) > MAX_PHRASING_LENGTH:
        raise CatalogEditError(f"报告表述过长（最多 {MAX_PHRASING_LENGTH} 字） (phrasing too long)")
    if FIGURE not in text:
        raise CatalogEditError(
            "报告表述须用 X 代表数字，如“全年查处超限超载车辆X辆” "
            "(phrasing must contain X for the figure)"
        )
    if len(_CJK.findall(text)) < 2:
        raise CatalogEditError(
            "报告表述除 X 外至少要有两个汉字 (phrasing needs at least 2 Chinese characters)"
        )
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


def _indicator(session: Session, code: str) -> Indicator:
    indicator = session.scalar(select(Indicator).where(Indicator.code == code))
    if indicator is None:
        raise UnknownIndicatorError(f"没有指标 {code!r} (no such indicator)")
    return indicator


def add_alias(session: Session, code: str, alias: str) -> list[str]:
    """Give indicator ``code`` another name; returns its aliases after the change.

    Refused when the name already means any indicator — this one included, so the
    analyst learns the alias was not needed instead of seeing nothing happen.
    """
    indicator = _indicator(session, code)
    alias = _clean_name(alias, "别名")
    owner = _name_owners(session).get(name_key(alias))
    if owner is not None:
        raise DuplicateNameError(alias, owner.code, owner.name_zh)
    aliases = list(json.loads(indicator.aliases or "[]"))
    aliases.append(alias)
    indicator.aliases = json.dumps(aliases, ensure_ascii=False)
    session.flush()
    return aliases


def add_phrasing(session: Session, code: str, phrasing: str) -> list[str]:
    """Teach the report reader how a report states ``code``; returns its phrasings after.

    Refused when any indicator (this one included) already has the phrasing, compared
    like names: a report sentence must lead to one indicator only.
    """
    indicator = _indicator(session, code)
    phrasing = _clean_phrasing(phrasing)
    owner = _phrasing_owners(session).get(name_key(phrasing))
    if owner is not None:
        raise DuplicatePhrasingError(phrasing, owner.code, owner.name_zh)
    phrasings = list(json.loads(indicator.phrasings or "[]"))
    phrasings.append(phrasing)
    indicator.phrasings = json.dumps(phrasings, ensure_ascii=False)
    session.flush()
    return phrasings


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
    phrasings: Iterable[str] = (),
    description: str = "",
) -> IndicatorSpec:
    """Add an active indicator at the end of its category; returns it as the catalog sees it."""
    code = (code or "").strip()
    cat = _checked_category(session, code, category)
    name_zh = _clean_name(name_zh, "中文名称")
    name_en = _clean_name(name_en, "英文名称")
    unit = _checked_measure(unit, aggregation, direction)
    alias_list = [_clean_name(a, "别名") for a in aliases if (a or "").strip()]
    _check_free([code, name_zh, name_en, *alias_list], _name_owners(session))
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
            phrasings=json.dumps(_free_phrasings(session, phrasings), ensure_ascii=False),
            description=(description or "").strip(),
            active=True,
            display_order=order + 1,
        )
    )
    session.flush()
    return load_catalog(session).indicators[code]


def _checked_category(session: Session, code: str, category: str) -> Category:
    """The category a new code belongs to; the code must read ``category.snake_case``."""
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
    return cat


def _checked_measure(unit: str, aggregation: str, direction: str) -> str:
    """The unit, stripped, once unit, aggregation and direction agree with each other."""
    unit = (unit or "").strip()
    if not unit or len(unit) > 20:
        raise CatalogEditError("单位须为 1–20 个字符 (unit must be 1-20 characters)")
    if aggregation not in AGGREGATIONS:
        raise CatalogEditError(f"汇总方式须为 {AGGREGATIONS} 之一 (aggregation)")
    if direction not in DIRECTIONS:
        raise CatalogEditError(f"方向须为 {DIRECTIONS} 之一 (direction)")
    if unit == "%" and aggregation != "mean":
        raise CatalogEditError("百分比指标只能取平均，不能相加 (rates are averaged, never summed)")
    return unit


def _free_phrasings(session: Session, phrasings: Iterable[str]) -> list[str]:
    """A new indicator's phrasings, once each; one another indicator has is refused."""
    owners = _phrasing_owners(session)
    own: dict[str, str] = {}
    for phrasing in (_clean_phrasing(p) for p in phrasings if (p or "").strip()):
        key = name_key(phrasing)
        if key in owners:
            raise DuplicatePhrasingError(phrasing, owners[key].code, owners[key].name_zh)
        own.setdefault(key, phrasing)
    return list(own.values())


YEAR_RANGE = (1949, 2100)  # a year outside this is a typing mistake, not a catalog fact


def set_years(session: Session, code: str, first_year: int | None, last_year: int | None) -> None:
    """Set the years an indicator applies to (``None``: open-ended on that side).

    Outside them a missing figure is "not applicable" on 数据质量 and the overview, not a
    gap. Refused with a message naming the field when a year is implausible or the range
    is reversed; nothing is changed then.
    """
    low, high = YEAR_RANGE
    for label, year in (("起始年份 (first year)", first_year), ("截止年份 (last year)", last_year)):
        if year is not None and not low <= year <= high:
            raise CatalogEditError(
                f"{label}“{year}”不在 {low}–{high} 之间 (must be between {low} and {high})"
            )
    if first_year is not None and last_year is not None and first_year > last_year:
        raise CatalogEditError(
            f"起始年份 {first_year} 晚于截止年份 {last_year} "
            f"(the first year {first_year} is after the last year {last_year})"
        )
    indicator = _indicator(session, code)
    indicator.first_year = first_year
    indicator.last_year = last_year
    session.flush()

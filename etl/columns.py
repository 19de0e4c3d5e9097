"""Which header plays which role, and the headers that make a table ambiguous.

Two columns claiming one role (two 数值, ``数值`` and ``value``, two 年份, two ``2020年``)
used to be settled by keeping one and dropping the other without a word, so half a file's
figures could vanish. Only the pairs an export writes on purpose stay allowed: a code
column beside a name column (``indicator_code`` + ``indicator``, ``category_code`` +
``category``), where the code is the sure match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from db.catalog import name_key
from etl.issues import Issue, error
from etl.units import column_role, header_year

ROLE_NAMES = {
    "indicator": "指标",
    "year": "年份",
    "value": "数值",
    "unit": "单位",
    "region": "地区",
    "category": "类别",
    "note": "备注",
    "target": "目标值",
    "qualifier": "限定",
}
_CODE_HEADERS = {name_key(h) for h in ("indicator_code", "指标代码", "category_code")}
_REPEAT = re.compile(r"^(?P<base>.+)#\d+$")  # etl.read names a repeated header 数值#2


@dataclass
class Columns:
    """``roles`` maps a role to its header, ``years`` a wide layout's year headers."""

    roles: dict[str, str] = field(default_factory=dict)
    years: dict[str, int] = field(default_factory=dict)
    errors: list[Issue] = field(default_factory=list)


def _base(col: str, columns: set[str]) -> str:
    match = _REPEAT.match(col)
    return match["base"] if match and match["base"] in columns else col


def assign_columns(columns: list[str], header_row: int) -> Columns:
    """Roles and year columns of a header; an error for each role claimed twice."""
    present = set(columns)
    claims: dict[str, list[tuple[int, str]]] = {}
    by_year: dict[int, list[str]] = {}
    out = Columns()
    for col in columns:
        base = _base(col, present)
        role, rank = column_role(base)
        if role is not None:
            claims.setdefault(role, []).append((rank, col))
        elif (year := header_year(base)) is not None:
            by_year.setdefault(year, []).append(col)
            out.years[col] = year
    for role, found in claims.items():
        out.roles[role] = min(found)[1]
        codes = [c for _r, c in found if name_key(_base(c, present)) in _CODE_HEADERS]
        names = [c for _r, c in found if c not in codes]
        for group in (codes, names):
            if len(group) > 1:
                out.errors.append(_duplicate(ROLE_NAMES[role] + "列", group, columns, header_row))
    for year, cols in by_year.items():
        if len(cols) > 1:
            out.errors.append(_duplicate(f"{year} 年的数值列", cols, columns, header_row))
    return out


def _duplicate(what: str, cols: list[str], columns: list[str], header_row: int) -> Issue:
    """The columns as the user sees them: 第3列「数值」和第4列「数值」, not 数值#2."""
    present = set(columns)
    shown = "和".join(f"第{columns.index(c) + 1}列「{_base(c, present)}」" for c in cols)
    return error(
        "duplicate_column",
        f"{shown}都是{what}，无法确定该用哪一列（另一列的数据会丢失）："
        "请删除多余的一列，或把它改成别的表头。",
        row=header_row,
        column=cols[1],
        value=cols[0],
    )

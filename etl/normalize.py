"""A raw table (long or wide, any header language) → one row per figure, canonical units.

Everything here works on whole columns: names, years and units are resolved once per
*distinct* text and spread back with ``take``, values go through
:func:`etl.values.parse_value_series`. Python loops only build :class:`Issue` objects for
the cells that are actually wrong, so a million-row file normalises in well under a second.
Bad rows stay in the frame (``indicator_code`` None, ``year`` NA, ``value`` NaN) beside an
error naming the user's row and column; :mod:`etl.validate` drops them.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from db.catalog import Catalog
from db.models import CITY_WIDE
from etl.formula_safety import restore_formula_text
from etl.issues import Issue, error, warning
from etl.read import RawTable
from etl.units import column_role, header_year, split_header_unit, table_unit, unit_factor
from etl.values import ABOUT, MORE_THAN, parse_value_series

FRAME_COLUMNS = [
    "row",
    "indicator_code",
    "year",
    "region",
    "value",
    "qualifier",
    "note",
    "target",
    "category",
    "value_column",
    "indicator_raw",
]
FIRST_YEAR = 1949
# What a statistical table writes for "no figure" in a wide layout.
NO_FIGURE = {"", "—", "——", "-", "--", "－", "–", "―", "/", "／", "\\"}
_QUALIFIER_WORDS = {
    **dict.fromkeys(("more_than", "≥", ">", "余", "多", "以上", "超过", "more than"), MORE_THAN),
    **dict.fromkeys(("about", "≈", "~", "约", "大约", "左右"), ABOUT),
}
_NUMBERING = re.compile(
    r"^\s*(?:\d+[.、．)）]|[(（][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+、)\s*"
)
_YEAR_TEXT = re.compile(r"^(\d{4})(?:\.0+)?\s*(?:年度|年)?$")
_VALUE_HINT = "请填写数字，如 12345、3.2万、95.6%、1200余"


@dataclass
class Normalized:
    """One row per figure (see ``FRAME_COLUMNS``), plus what normalisation found wrong.

    ``warnings`` are normalisation's own; the reader's (footer rows) stay on the RawTable.
    ``columns`` maps a role (``category``, ``target``…) to the user's header, so later
    checks can name the column as the file reads.
    """

    frame: pd.DataFrame
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    layout: str = "long"
    columns: dict[str, str] = field(default_factory=dict)


def empty_frame() -> pd.DataFrame:
    return _assemble({}, 0)


def parse_year(text: object) -> int | None:
    """``2020``, ``2020年``, ``2020年度``, ``2020.0`` → 2020; ``None`` if not a plausible year."""
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return None
    match = _YEAR_TEXT.match(unicodedata.normalize("NFKC", str(text)).strip())
    if match is None:
        return None
    year = int(match[1])
    return year if FIRST_YEAR <= year <= datetime.date.today().year + 1 else None


def _stripped(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """``(codes, uniques)`` of trimmed text; blank cells get code -1."""
    text = s.astype("str").str.strip()
    text = text.mask(text == "")
    codes, uniques = pd.factorize(text)
    return codes, np.asarray(uniques, dtype=object)


def _take(uniques: np.ndarray, codes: np.ndarray, fill: object = None) -> np.ndarray:
    out = np.empty(len(codes), dtype=object)
    out[:] = fill
    hit = codes >= 0
    out[hit] = uniques[codes[hit]]
    return out


def _same(n: int, text: str | None) -> np.ndarray:
    return np.full(n, text, dtype=object)


def _years(year: np.ndarray) -> pd.arrays.IntegerArray:
    """Int64 years; negative placeholders (invalid or missing) become NA."""
    out = pd.array(np.where(year < 0, 0, year).astype(np.int64), dtype="Int64")
    out[year < 0] = pd.NA
    return out


def _assign_columns(columns: list[str]) -> tuple[dict[str, str], dict[str, int]]:
    """Which header plays which role (surest spelling wins), and the year columns."""
    roles: dict[str, tuple[int, str]] = {}
    years: dict[str, int] = {}
    for col in columns:
        role, rank = column_role(col)
        if role is not None and (role not in roles or rank < roles[role][0]):
            roles[role] = (rank, col)
        elif role is None and (year := header_year(col)) is not None:
            years[col] = year
    return {role: col for role, (_rank, col) in roles.items()}, years


def normalize(
    raw: RawTable,
    catalog: Catalog,
    *,
    default_year: int | None = None,
    default_region: str = CITY_WIDE,
) -> Normalized:
    """Normalise a raw table; every problem is returned as an Issue, nothing is raised."""
    frame = raw.frame
    if len(frame.columns) == 0 or len(frame) == 0:
        issue = error("no_figures", "文件中没有任何数据行，请在表头下方填写指标数据。")
        return Normalized(empty_frame(), [issue], [], "long")
    roles, years = _assign_columns(list(frame.columns))
    layout = "long" if ("value" in roles or "target" in roles) else "wide"
    missing = []
    if "indicator" not in roles:
        missing.append(("指标", "缺少「指标」列（也可写作 指标名称 / indicator）。"))
    if layout == "wide" and not years:
        missing.append(("数值", "缺少「数值」列，或按年份分列的「2019年」「2020年」等列。"))
    if layout == "long" and "year" not in roles and default_year is None:
        missing.append(("年份", "缺少「年份」列（也可写作 年度 / year）。"))
    if missing:
        issues = [error("missing_column", msg, row=raw.header_row, column=c) for c, msg in missing]
        return Normalized(empty_frame(), issues, [], layout, roles)
    builder = _Builder(raw, catalog, roles, default_region, default_year)
    if layout == "long":
        builder.long()
    else:
        builder.wide(years)
    return builder.result(layout)


class _Builder:
    """Holds the row-level facts of one table while its cells are turned into figures."""

    def __init__(
        self,
        raw: RawTable,
        catalog: Catalog,
        roles: dict[str, str],
        default_region: str,
        default_year: int | None,
    ) -> None:
        self.raw, self.catalog, self.roles = raw, catalog, roles
        self.default_region, self.default_year = default_region, default_year
        self.errors: list[Issue] = []
        self.warnings: list[Issue] = []
        self.table_unit = table_unit(raw.preamble)
        units = {spec.unit for spec in catalog.indicators.values()}
        if self.table_unit and not any(unit_factor(self.table_unit, u) for u in units):
            # 单位：见各行 and the like: a remark, not a unit to scale figures by.
            self.warnings.append(
                warning(
                    "table_unit_ignored",
                    f"表头上方的「单位：{self.table_unit}」不是可换算的单位，已忽略；"
                    "请在「单位」列或数值中写明单位。",
                    value=self.table_unit,
                )
            )
            self.table_unit = None
        self.parts: dict[str, np.ndarray | None] = {}  # None: a column the file lacks
        self._factorised: dict[str, tuple[np.ndarray, np.ndarray] | None] = {}
        self._check_stray_columns(roles)
        self._indicators()

    def _report(self, code: str, message: str, at: int | np.integer, **where: object) -> None:
        """An error at frame position ``at``, located by the row number the user sees."""
        self.errors.append(error(code, message, row=int(self.raw.rows[at]), **where))

    # -- row-level facts

    def _col(self, role: str) -> pd.Series | None:
        name = self.roles.get(role)
        return None if name is None else self.raw.frame[name]

    def _indicators(self) -> None:
        codes, uniques = _stripped(self.raw.frame[self.roles["indicator"]])
        found, units = [], []
        for name in uniques:
            code, unit = self._lookup(name)
            found.append(code)
            units.append(unit)
        self.ind_codes, self.ind_uniques = codes, uniques
        canon = [self.catalog.indicators[c].unit if c else None for c in found]
        self.row_code = _take(np.asarray(found, dtype=object), codes)
        self.row_canon = _take(np.asarray(canon, dtype=object), codes)
        self.row_name_unit = _take(np.asarray(units, dtype=object), codes)
        self.any_name_unit = any(u is not None for u in units)

    def _lookup(self, name: str) -> tuple[str | None, str | None]:
        """Code for a name as people write it: ``1.排查治理安全隐患（处）`` included."""
        code = self.catalog.lookup(name)
        if code is not None:
            return code, None
        bare = _NUMBERING.sub("", name)
        bare, unit = split_header_unit(bare)
        return self.catalog.lookup(bare), unit

    def _codes(self, role: str) -> tuple[np.ndarray, np.ndarray] | None:
        """Factorised trimmed text of a role's column (cached), ``None`` if the file has none."""
        if role not in self._factorised:
            s = self._col(role)
            self._factorised[role] = None if s is None else _stripped(s)
        return self._factorised[role]

    def _texts(self, role: str, pos: np.ndarray, fill: object = None) -> np.ndarray | None:
        """A role's trimmed text at ``pos`` (blank → ``fill``); ``None`` if there is no column."""
        found = self._codes(role)
        if found is None:
            return None
        codes, uniques = found
        if role in ("region", "note"):  # an export's neutralised ``'=…`` reads back as ``=…``
            uniques = restore_formula_text(uniques)
        return _take(uniques, codes[pos], fill)

    def _check_stray_columns(self, roles: dict[str, str]) -> None:
        """Cells under a blank header are errors (often a ``12,345`` split by its comma)."""
        used = set(roles.values())
        for col in self.raw.frame.columns:
            if col in used or not re.fullmatch(r"第\d+列", col):
                continue
            codes, uniques = _stripped(self.raw.frame[col])
            for i in np.flatnonzero(codes >= 0):
                self._report(
                    "unexpected_cell",
                    "这一格所在的列没有表头：请补上表头或删除该内容"
                    "（数字中的千分位逗号请用引号括起或去掉）。",
                    i,
                    column=col,
                    value=str(uniques[codes[i]]),
                )

    # -- layouts

    def long(self) -> None:
        n = len(self.raw.frame)
        pos = np.arange(n)
        value_col = self.roles.get("value")
        target_col = self.roles.get("target")
        self.parts["year"] = self._long_years()
        self.parts["value_column"] = _same(n, value_col or target_col)
        if value_col is not None:
            value, qualifier = self._figures(pos, self.raw.frame[value_col], value_col)
            self.parts.update(value=value, qualifier=self._qualifiers(qualifier, pos))
        if target_col is not None:
            self.parts["target"] = self._figures(pos, self.raw.frame[target_col], target_col)[0]
        self._row_facts(pos)

    def wide(self, years: dict[str, int]) -> None:
        frame, positions, cells, headers, year_parts = self.raw.frame, [], [], [], []
        last = datetime.date.today().year + 1
        for col, year in years.items():
            if not FIRST_YEAR <= year <= last:
                self.errors.append(
                    error(
                        "invalid_year",
                        f"年份「{year}」不在 {FIRST_YEAR}–{last} 之间，请检查表头。",
                        row=self.raw.header_row,
                        column=col,
                        value=col,
                    )
                )
            s = frame[col].astype("str").str.strip()
            keep = np.flatnonzero(~(s.isna() | s.isin(NO_FIGURE)).to_numpy(dtype=bool))
            positions.append(keep)
            cells.append(frame[col].iloc[keep])
            headers.append(np.full(len(keep), col, dtype=object))
            year_parts.append(np.full(len(keep), year if FIRST_YEAR <= year <= last else -1))
        pos = np.concatenate(positions) if positions else np.empty(0, dtype=np.int64)
        order = np.argsort(pos, kind="stable")  # row by row, years left to right
        pos = pos[order]
        text = pd.concat(cells, ignore_index=True).iloc[order].reset_index(drop=True)
        header = np.concatenate(headers)[order]
        self.parts["year"] = _years(np.concatenate(year_parts)[order])
        self.parts["value_column"] = header
        value, qualifier = self._figures(pos, text, header)
        self.parts.update(value=value, qualifier=self._qualifiers(qualifier, pos))
        self._row_facts(pos)

    # -- cells

    def _long_years(self) -> pd.arrays.IntegerArray:
        s = self._col("year")
        n = len(self.raw.frame)
        if s is None:
            return pd.array(np.full(n, self.default_year), dtype="Int64")
        codes, uniques = _stripped(s)
        parsed = np.array([parse_year(u) or -1 for u in uniques], dtype=np.int64)
        year = np.where(codes >= 0, parsed[codes] if len(parsed) else -1, -2)
        if self.default_year is not None:
            year = np.where(year == -2, self.default_year, year)
        col = self.roles["year"]
        last = datetime.date.today().year + 1
        for i in np.flatnonzero(year < 0):
            text = None if codes[i] < 0 else str(uniques[codes[i]])
            msg = (
                "缺少年份，请填写如 2020 或 2020年。"
                if text is None
                else f"无法识别的年份「{text}」：请填写 {FIRST_YEAR}–{last} 之间的四位年份，如 2020。"
            )
            self.errors.append(
                error("invalid_year", msg, row=int(self.raw.rows[i]), column=col, value=text)
            )
        return _years(year)

    def _figures(
        self, pos: np.ndarray, text: pd.Series, header: np.ndarray | str
    ) -> tuple[np.ndarray, np.ndarray]:
        """Parse cells and convert them to each indicator's unit; errors for the bad ones.

        ``header`` is the value column's header, or one per cell in a wide table.
        """
        text = text.reset_index(drop=True)
        parsed = parse_value_series(text)
        blank = (text.isna() | (text.astype("str").str.strip() == "")).to_numpy(dtype=bool)
        value = parsed["value"].to_numpy(dtype="float64").copy()
        bad = np.flatnonzero(~parsed["ok"].to_numpy() & ~blank)
        for i in bad:
            self._report(
                "invalid_value",
                f"无法识别的数值「{str(text.iloc[i]).strip()}」，{_VALUE_HINT}。",
                pos[i],
                column=header if isinstance(header, str) else str(header[i]),
                value=str(text.iloc[i]),
            )
        self._cell_units = parsed["unit"].to_numpy(dtype=object)
        unit, source = self._units(pos, self._cell_units, header)
        code, canon = self.row_code[pos], self.row_canon[pos]
        need = np.empty(0, dtype=np.int64)
        if unit is not None:
            need = np.flatnonzero((unit != None) & (canon != None) & ~np.isnan(value))  # noqa: E711
        if unit is not None and len(need):
            # One unit_factor call per distinct (unit, indicator unit) pair.
            ucodes, uuniq = pd.factorize(unit[need])
            ccodes, cuniq = pd.factorize(canon[need])
            pairs, first = np.unique(ucodes * len(cuniq) + ccodes, return_inverse=True)
            factors = np.array(
                [
                    unit_factor(uuniq[p // len(cuniq)], cuniq[p % len(cuniq)]) or np.nan
                    for p in pairs
                ],
                dtype="float64",
            )
            f = factors[first]
            value[need] *= f
            for j in need[np.isnan(f)]:
                spec = self.catalog.indicators[code[j]]
                value[j] = np.nan
                self._report(
                    "unit_mismatch",
                    f"单位「{unit[j]}」无法换算为指标「{spec.name_zh}」的单位「{spec.unit}」，"
                    f"请改用 {spec.unit}（或 万{spec.unit}、亿{spec.unit}）。",
                    pos[j],
                    column=str(source[j] or (header if isinstance(header, str) else header[j])),
                    value=str(unit[j]),
                )
            self._magnitude_twice(pos, text, header, unit, need[(f != 1) & ~np.isnan(f)], value)
        return value, parsed["qualifier"].to_numpy(dtype=object).copy()

    def _magnitude_twice(
        self,
        pos: np.ndarray,
        text: pd.Series,
        header: np.ndarray | str,
        unit: np.ndarray,
        scaled: np.ndarray,
        value: np.ndarray,
    ) -> None:
        """``3.5万`` under a ``万件`` unit: scaling twice would load 3.5亿, so ask instead."""
        if not len(scaled):
            return
        cells = text.iloc[scaled].astype("str")
        own_unit = self._cell_units[scaled] != None  # noqa: E711 - the cell's own unit scaled it
        twice = scaled[cells.str.contains("[万亿千]").to_numpy(dtype=bool) & ~own_unit]
        for j in twice:
            value[j] = np.nan
            self._report(
                "unit_mismatch",
                f"数值「{text.iloc[j].strip()}」已写了「万/亿」，单位又是「{unit[j]}」，"
                "会被放大两次；请只在一处写「万」或「亿」。",
                pos[j],
                column=header if isinstance(header, str) else str(header[j]),
                value=str(text.iloc[j]),
            )

    def _units(
        self, pos: np.ndarray, cell_unit: np.ndarray, header: np.ndarray | str
    ) -> tuple[np.ndarray | None, np.ndarray]:
        """The unit of each figure and the column it came from (surest source wins last).

        ``None`` when no figure states a unit anywhere, the common case, which then costs
        nothing.
        """
        n = len(pos)
        unit = np.full(n, self.table_unit, dtype=object)
        source = np.full(n, None, dtype=object)
        stated = self.table_unit is not None
        if isinstance(header, str):
            header_unit = split_header_unit(header)[1]
            if header_unit:
                unit[:], stated = header_unit, True
        else:
            hcodes, huniq = pd.factorize(header)
            units = np.array([split_header_unit(h)[1] for h in huniq], dtype=object)
            if any(u is not None for u in units):
                hu = _take(units, hcodes)
                has = hu != None  # noqa: E711 - elementwise on an object array
                unit[has], stated = hu[has], True
        layers: list[tuple[np.ndarray | None, str | None]] = [
            (self.row_name_unit[pos] if self.any_name_unit else None, "indicator")
        ]
        layers += [(self._texts("unit", pos), "unit"), (cell_unit, None)]
        for layer, role in layers:
            if layer is None:
                continue
            has = layer != None  # noqa: E711
            if has.any():
                unit[has], source[has], stated = (
                    layer[has],
                    (self.roles.get(role) if role else None),
                    True,
                )
        return (unit if stated else None), source

    def _qualifiers(self, qualifier: np.ndarray, pos: np.ndarray) -> np.ndarray:
        """A qualifier column (``余``/``约``/``more_than``…) fills in what the cell did not say."""
        col = self.roles.get("qualifier")
        factorised = self._codes("qualifier")
        if col is None or factorised is None:
            return qualifier
        codes, uniques = factorised
        codes = codes[pos]
        words = np.array([_QUALIFIER_WORDS.get(str(u).casefold()) for u in uniques], dtype=object)
        given = _take(words, codes)
        fill = pd.isna(qualifier) & pd.notna(given)
        qualifier[fill] = given[fill]
        for i in np.flatnonzero((codes >= 0) & pd.isna(given)):
            text = str(uniques[codes[i]])
            self._report(
                "invalid_value",
                f"无法识别的限定词「{text}」，请填写 余（more_than）或 约（about），或留空。",
                pos[i],
                column=col,
                value=text,
            )
        return qualifier

    def _row_facts(self, pos: np.ndarray) -> None:
        region = self._texts("region", pos, self.default_region)
        self.parts["region"] = _same(len(pos), self.default_region) if region is None else region
        self.parts["note"] = self._texts("note", pos)
        self.parts["category"] = self._texts("category", pos)
        self.parts["indicator_code"] = self.row_code[pos]
        self.parts["indicator_raw"] = _take(self.ind_uniques, self.ind_codes[pos])
        self.parts["row"] = self.raw.rows[pos].astype(np.int64)
        self._unknown_indicators(pos)

    def _unknown_indicators(self, pos: np.ndarray) -> None:
        col = self.roles["indicator"]
        suggestions: dict[str, tuple[str, ...]] = {}
        hints: tuple[str, ...]
        for i in np.unique(pos[self.row_code[pos] == None]):  # noqa: E711
            c = self.ind_codes[i]
            name = None if c < 0 else str(self.ind_uniques[c])
            if name is None:
                msg, hints = "指标名称为空，请填写指标名称或代码。", ()
            else:
                if name not in suggestions:
                    suggestions[name] = tuple(self.catalog.suggest(name))
                hints = suggestions[name]
                near = f"，是否指：{'、'.join(hints)}" if hints else ""
                msg = f"指标目录中没有「{name}」{near}？请使用目录中的指标名称、别名或代码。"
            self._report(
                "unknown_indicator",
                msg,
                i,
                column=col,
                value=name,
                suggestions=hints,
            )

    def result(self, layout: str) -> Normalized:
        rows = self.parts["row"]
        n = 0 if rows is None else len(rows)
        frame = _assemble(self.parts, n)
        if n == 0:
            self.errors.append(
                error("no_figures", "文件中没有任何数值：表格里的数值格都是空的或「—」。")
            )
        return Normalized(frame, by_row(self.errors), self.warnings, layout, dict(self.roles))


def by_row(issues: list[Issue]) -> list[Issue]:
    """Issues in the order the user reads the file (file-wide ones first)."""
    return sorted(issues, key=lambda i: -1 if i.row is None else i.row)


def _assemble(parts: Mapping[str, object], n: int) -> pd.DataFrame:
    """The output frame with the agreed column order and dtypes."""
    numeric = {"row": "int64", "year": "Int64", "value": "float64", "target": "float64"}
    columns = {}
    for name in FRAME_COLUMNS:
        data = parts.get(name)
        if name in numeric:
            if data is None:
                data = np.full(n, np.nan if numeric[name] == "float64" else pd.NA)
            columns[name] = pd.Series(data, dtype=numeric[name], copy=False)
        else:
            fill = np.full(n, None, dtype=object) if data is None else data
            columns[name] = pd.Series(np.asarray(fill, dtype=object), dtype=object, copy=False)
    # copy=False keeps one block per column: stacking seven object columns into one block
    # would cost a fifth of a second per million rows for nothing.
    return pd.DataFrame(columns, copy=False)

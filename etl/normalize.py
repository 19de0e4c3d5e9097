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
from etl.columns import assign_columns
from etl.figures import FigureCells
from etl.formula_safety import restore_formula_text
from etl.issues import Issue, error, warning
from etl.read import RawTable
from etl.text import INVISIBLE_RE, clean_name, clean_text, stripped, take
from etl.totals import Factorised, without_totals
from etl.units import split_header_unit, table_unit, unit_factor

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
_NUMBERING = re.compile(
    r"^\s*(?:\d+[.、．)）]|[(（][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+、)\s*"
)
_YEAR_TEXT = re.compile(r"^(\d{4})(?:\.0+)?\s*(?:年度|年)?$")
# Roles whose text names something (and is compared): 全 市 and 全\u200b市 are 全市.
_NAME_ROLES = {"indicator", "region", "category"}


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
    match = _YEAR_TEXT.match(clean_text(unicodedata.normalize("NFKC", str(text))))
    if match is None:
        return None
    year = int(match[1])
    return year if FIRST_YEAR <= year <= datetime.date.today().year + 1 else None


def _same(n: int, text: str | None) -> np.ndarray:
    return np.full(n, text, dtype=object)


def _years(year: np.ndarray) -> pd.arrays.IntegerArray:
    """Int64 years; negative placeholders (invalid or missing) become NA."""
    out = pd.array(np.where(year < 0, 0, year).astype(np.int64), dtype="Int64")
    out[year < 0] = pd.NA
    return out


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
    columns = assign_columns(list(frame.columns), raw.header_row)
    roles, years = columns.roles, columns.years
    if columns.errors:
        return Normalized(empty_frame(), columns.errors, [], "long", roles)
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
    raw, totals, factorised = without_totals(raw, catalog, roles)
    if len(raw.frame) == 0:
        issue = error("no_figures", "文件中只有合计行，没有可载入的数据行。")
        return Normalized(empty_frame(), [issue], totals, layout, roles)
    builder = _Builder(raw, catalog, roles, default_region, default_year, factorised)
    builder.warnings += totals
    if layout == "long":
        builder.long()
    else:
        builder.wide(years)
    return builder.result(layout)


class _Builder(FigureCells):
    """Holds the row-level facts of one table while its cells are turned into figures."""

    def __init__(
        self,
        raw: RawTable,
        catalog: Catalog,
        roles: dict[str, str],
        default_region: str,
        default_year: int | None,
        factorised: Factorised,
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
        self._factorised: dict[str, tuple[np.ndarray, np.ndarray] | None] = {**factorised}
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
        names = self._codes("indicator")
        assert names is not None  # normalize() refuses a table without an indicator column
        codes, uniques = names
        found, units = [], []
        for name in uniques:
            code, unit = self._lookup(name)
            found.append(code)
            units.append(unit)
        self.ind_codes, self.ind_uniques = codes, uniques
        canon = [self.catalog.indicators[c].unit if c else None for c in found]
        self.row_code = take(np.asarray(found, dtype=object), codes)
        self.row_canon = take(np.asarray(canon, dtype=object), codes)
        self.row_name_unit = take(np.asarray(units, dtype=object), codes)
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
            clean = clean_name if role in _NAME_ROLES else clean_text
            self._factorised[role] = None if s is None else stripped(s, clean)
        return self._factorised[role]

    def _texts(self, role: str, pos: np.ndarray, fill: object = None) -> np.ndarray | None:
        """A role's trimmed text at ``pos`` (blank → ``fill``); ``None`` if there is no column."""
        found = self._codes(role)
        if found is None:
            return None
        codes, uniques = found
        if role in ("region", "note"):  # an export's neutralised ``'=…`` reads back as ``=…``
            uniques = restore_formula_text(uniques)
        return take(uniques, codes[pos], fill)

    def _check_stray_columns(self, roles: dict[str, str]) -> None:
        """Cells under a blank header are errors (often a ``12,345`` split by its comma)."""
        used = set(roles.values())
        for col in self.raw.frame.columns:
            if col in used or not re.fullmatch(r"第\d+列", col):
                continue
            codes, uniques = stripped(self.raw.frame[col])
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
            s = frame[col].astype("str").str.replace(INVISIBLE_RE.pattern, "", regex=True)
            s = s.str.strip()
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
        codes, uniques = stripped(s)
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

    def _row_facts(self, pos: np.ndarray) -> None:
        region = self._texts("region", pos, self.default_region)
        self.parts["region"] = _same(len(pos), self.default_region) if region is None else region
        self.parts["note"] = self._texts("note", pos)
        self.parts["category"] = self._texts("category", pos)
        self.parts["indicator_code"] = self.row_code[pos]
        self.parts["indicator_raw"] = take(self.ind_uniques, self.ind_codes[pos])
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
        # A unit column's mismatch is found for the value and again for the target.
        errors = list(dict.fromkeys(self.errors))
        return Normalized(frame, by_row(errors), self.warnings, layout, dict(self.roles))


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

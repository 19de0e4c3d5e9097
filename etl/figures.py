"""A table's figure cells → numbers in each indicator's unit, with an error per bad cell.

Split from :mod:`etl.normalize` (which owns rows and layouts) because the value, unit and
qualifier rules are one idea: where a figure's unit comes from (table title, header,
indicator name, unit column, the cell itself — surest last), how it scales, and when a
cell says ``万`` twice. :class:`FigureCells` is mixed into normalisation's row builder and
uses its row-level facts (``row_code``, ``row_canon``…) and its ``_report``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from db.catalog import Catalog
from etl.issues import Issue
from etl.read import RawTable
from etl.text import clean_text, take
from etl.units import split_header_unit, unit_factor
from etl.values import ABOUT, DIGIT_SPACE, MORE_THAN, parse_value_series

_QUALIFIER_WORDS = {
    **dict.fromkeys(("more_than", "≥", ">", "余", "多", "以上", "超过", "more than"), MORE_THAN),
    **dict.fromkeys(("about", "≈", "~", "约", "大约", "左右"), ABOUT),
}
_VALUE_HINT = "请填写数字，如 12345、3.2万、95.6%、1200余"


def _bad_value_message(cell: str) -> str:
    if DIGIT_SPACE.search(cell):
        return (
            f"数值「{cell}」中的空格不是千分位分隔（应每三位一组，如 12 345、1 234 567），"
            "无法确定是哪个数：请删除多余的空格或分成两格。"
        )
    return f"无法识别的数值「{cell}」，{_VALUE_HINT}。"


class FigureCells:
    """Value, target and qualifier cells of the rows normalisation is building."""

    raw: RawTable
    catalog: Catalog
    roles: dict[str, str]
    errors: list[Issue]
    table_unit: str | None
    row_code: np.ndarray
    row_canon: np.ndarray
    row_name_unit: np.ndarray
    any_name_unit: bool
    _cell_units: np.ndarray

    # Provided by the row builder (etl.normalize._Builder), which owns rows and columns.
    def _report(self, code: str, message: str, at: int | np.integer, **where: object) -> None:
        raise NotImplementedError

    def _codes(self, role: str) -> tuple[np.ndarray, np.ndarray] | None:
        raise NotImplementedError

    def _texts(self, role: str, pos: np.ndarray, fill: object = None) -> np.ndarray | None:
        raise NotImplementedError

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
            cell = clean_text(str(text.iloc[i]))
            if not cell:  # only characters nobody can see: an empty cell
                continue
            self._report(
                "invalid_value",
                _bad_value_message(cell),
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
            with np.errstate(over="ignore"):  # 1e308 万件 → inf, refused by etl.limits
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
                hu = take(units, hcodes)
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
        given = take(words, codes)
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

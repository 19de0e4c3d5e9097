"""Rules a normalised batch must pass before anything is written, and the clean rows.

Checks are column expressions over the whole frame; Python only builds an
:class:`Issue` for each row that actually fails. Every cell is judged whatever else is
wrong in its row (a bad year does not hide a negative value, a negative value does not
hide a negative target), and a cell normalisation already reported (unreadable value,
wrong unit) is not judged again, so every problem is reported once, at the cell the user
has to fix. Bounds and text lengths are :mod:`etl.limits`.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from db.catalog import Catalog
from etl.issues import Issue, error, warning
from etl.limits import MEASURE_UNITS, check_figures, fractional_counts, shown, too_long
from etl.normalize import FIRST_YEAR, FRAME_COLUMNS, Normalized, by_row


@dataclass
class Validated:
    """Rows safe to load (one per indicator/year/region) and everything found on the way."""

    frame: pd.DataFrame
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)


def _conform(frame: pd.DataFrame) -> pd.DataFrame:
    """Agreed columns and dtypes, also for frames built outside normalisation (report
    reader, sample data). A frame that already conforms passes through untouched.
    """
    if list(frame.columns) != FRAME_COLUMNS:
        frame = frame.reindex(columns=FRAME_COLUMNS)
    if not isinstance(frame.index, pd.RangeIndex) or frame.index.start != 0:
        frame = frame.reset_index(drop=True)
    wanted = {"row": "int64", "year": "Int64", "value": "float64", "target": "float64"}
    fixes = {}
    for col in FRAME_COLUMNS:
        dtype = wanted.get(col, "object")
        if str(frame[col].dtype) == dtype:
            continue
        s = frame[col]
        if col == "row":
            fixes[col] = pd.to_numeric(s, errors="coerce").fillna(0).astype("int64")
        elif col in wanted:
            fixes[col] = pd.to_numeric(s, errors="coerce").astype(dtype)
        else:
            s = s.astype(object)
            fixes[col] = s.where(s.notna(), None)
    return frame.assign(**fixes) if fixes else frame


def _flagged(
    frame: pd.DataFrame, errors: list[Issue], roles: dict[str, str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What normalisation already reported: ``(rows, value cells, target cells)``.

    A row error (year, indicator, region…) keeps the row out of the store but does not stop
    its figures being checked: the user gets every problem of the row at once. A cell error
    (unreadable, wrong unit) means that figure is already accounted for. A ``unit_mismatch``
    named at a unit column blanked both figures of the row.
    """
    n = len(frame)
    rows, values, targets = np.zeros(n, bool), np.zeros(n, bool), np.zeros(n, bool)
    located = [e for e in errors if e.row is not None]
    if not located:
        return rows, values, targets
    value_columns = set(frame["value_column"].dropna().unique())
    target_col = roles.get("target")
    row_of = frame["row"]
    cells = {(e.row, e.column) for e in located if e.column in value_columns}
    if cells:
        keys = pd.MultiIndex.from_frame(frame[["row", "value_column"]])
        values |= keys.isin(list(cells))
    targets |= row_of.isin({e.row for e in located if e.column == target_col}).to_numpy()
    both = {e.row for e in located if e.code == "unit_mismatch" and e.column not in value_columns}
    hit = row_of.isin(both).to_numpy()
    values |= hit
    targets |= hit
    rows |= row_of.isin({e.row for e in located}).to_numpy()
    return rows, values, targets


def _bad_year(frame: pd.DataFrame) -> np.ndarray:
    year = frame["year"]
    last = datetime.date.today().year + 1
    return (year.isna() | (year < FIRST_YEAR) | (year > last)).to_numpy(dtype=bool, na_value=True)


def _unreported(
    frame: pd.DataFrame, errors: list[Issue], known: np.ndarray, roles: dict[str, str]
) -> list[Issue]:
    """Unknown indicators and bad years in frames that did not come through normalisation
    (report reader, sample data): nobody has reported them yet, so report them here.
    """
    reported = frame["row"].isin({e.row for e in errors if e.row is not None}).to_numpy()
    unknown = np.flatnonzero(~known & ~reported)
    bad_year = np.flatnonzero(known & _bad_year(frame) & ~reported)
    return [
        _cell_error(
            frame,
            i,
            "indicator_code",
            "unknown_indicator",
            roles.get("indicator"),
            lambda code: f"指标目录中没有「{code}」，请使用目录中的指标代码或名称。",
        )
        for i in unknown
    ] + [
        _cell_error(
            frame,
            i,
            "year",
            "invalid_year",
            roles.get("year"),
            lambda _: f"年份缺失或不在 {FIRST_YEAR} 年至明年之间，请填写如 2020 的四位年份。",
        )
        for i in bad_year
    ]


def _cell_error(
    frame: pd.DataFrame,
    i: np.integer,
    name: str,
    code: str,
    column: str | None,
    message: Callable[[object], str],
) -> Issue:
    """The error at row ``i``'s cell ``name``; an empty cell gives no value to echo back."""
    cell = frame[name].iloc[i]
    return error(
        code,
        message(cell),
        row=int(frame["row"].iloc[i]),
        column=column,
        value=None if pd.isna(cell) else str(cell),
    )


def validate(norm: Normalized, catalog: Catalog) -> Validated:
    """Apply the loading rules; the frame keeps only rows that passed every check.

    Every check looks at every cell it can judge, whatever else is wrong in the row, so a
    row with a negative value and a negative target gets two errors, each at its column.
    Longer than most functions: the checks are a list read top to bottom that shares one
    reporter (``add``) and the row's masks; split, they would pass six arrays around.
    """
    frame = _conform(norm.frame)
    errors, warnings = list(norm.errors), list(norm.warnings)
    roles = norm.columns
    row_bad, value_bad, target_bad = _flagged(frame, errors, roles)
    specs = catalog.indicators
    codes, uniques = pd.factorize(frame["indicator_code"])
    known = (codes >= 0) & np.isin(codes, [i for i, c in enumerate(uniques) if c in specs])
    percent = np.isin(
        codes, [i for i, c in enumerate(uniques) if c in specs and specs[c].unit == "%"]
    )
    counted = np.isin(
        codes,
        [i for i, c in enumerate(uniques) if c in specs and specs[c].unit not in MEASURE_UNITS],
    )
    value = frame["value"].to_numpy(dtype="float64")
    target = frame["target"].to_numpy(dtype="float64")
    errors += _unreported(frame, errors, known, roles)
    ok = known & ~_bad_year(frame) & ~row_bad & ~value_bad & ~target_bad
    see_value, see_target = known & ~value_bad, known & ~target_bad

    def add(mask: np.ndarray, code_: str, message, column, cell: str) -> None:
        """One Issue per failing row; ``message``/``column`` take the row, ``cell`` names it."""
        nonlocal ok
        for i in np.flatnonzero(mask):
            r = frame.iloc[i]
            text = _cell_text(r[cell])
            errors.append(error(code_, message(r), row=int(r["row"]), column=column(r), value=text))
        ok = ok & ~mask

    def name(r: pd.Series) -> str:
        return specs[r["indicator_code"]].name_zh

    def value_col(r: pd.Series) -> str | None:
        return r["value_column"]

    def target_col(_r: pd.Series) -> str:
        return roles.get("target", "目标值")

    add(
        see_value & see_target & np.isnan(value) & np.isnan(target),
        "missing_value",
        lambda r: f"「{name(r)}」{_year(r)}没有填写数值，请填写数值或删除这一行。",
        value_col,
        "value",
    )
    for figures, see, col, what, cell in (
        (value, see_value, value_col, "数值", "value"),
        (target, see_target, target_col, "目标值", "target"),
    ):
        check_figures(add, figures, see, percent, name, col, what, cell)
    mismatch, said = _category_mismatch(frame, catalog, known, codes, uniques)
    add(
        mismatch,
        "category_mismatch",
        lambda r: _category_message(catalog, r, said),
        lambda _r: roles.get("category", "类别"),
        "category",
    )
    long_rows, long_errors = too_long(frame, roles)
    errors += long_errors
    ok &= ~long_rows
    warnings += fractional_counts(frame, ok & counted, specs, roles, codes)
    keep, dup_errors, dup_warnings, merged = _duplicates(frame, ok, catalog, codes)
    errors += dup_errors
    warnings += dup_warnings
    clean = merged if keep.all() else merged[keep].reset_index(drop=True)
    return Validated(clean, by_row(errors), by_row(warnings))


def _year(r: pd.Series) -> str:
    return "" if pd.isna(r["year"]) else f"{r['year']} 年"


def _cell_text(cell: object) -> str | None:
    if cell is None or (isinstance(cell, float) and np.isnan(cell)):
        return None
    if isinstance(cell, float):
        return f"{cell:g}" if np.isfinite(cell) else shown(cell).strip()
    return str(cell)


def _category_mismatch(
    frame: pd.DataFrame,
    catalog: Catalog,
    checked: np.ndarray,
    codes: np.ndarray,
    uniques: pd.Index,
) -> tuple[np.ndarray, dict[str, str | None]]:
    """Rows whose category cell names another category (code, Chinese or English name)."""
    cat_codes, cat_uniques = pd.factorize(frame["category"])
    given = (cat_codes >= 0) & checked
    if not given.any():
        return np.zeros(len(frame), dtype=bool), {}
    said = {str(t): catalog.lookup_category(str(t)) for t in cat_uniques}
    stated = np.array([said[str(t)] for t in cat_uniques], dtype=object)[cat_codes]
    home = np.array(
        [getattr(catalog.indicators.get(c), "category", None) for c in uniques], dtype=object
    )[codes]
    return given & (stated != home), said


def _category_message(catalog: Catalog, r: pd.Series, said: dict[str, str | None]) -> str:
    spec = catalog.indicators[r["indicator_code"]]
    home = catalog.categories.get(spec.category)
    home_name = home.name_zh if home else spec.category
    if said.get(r["category"]) is None:
        return f"类别「{r['category']}」不在指标目录中；「{spec.name_zh}」属于「{home_name}」。"
    return f"「{spec.name_zh}」属于「{home_name}」，不是「{r['category']}」，请改正类别或指标。"


def _duplicates(
    frame: pd.DataFrame, ok: np.ndarray, catalog: Catalog, indicator_codes: np.ndarray
) -> tuple[np.ndarray, list[Issue], list[Issue], pd.DataFrame]:
    """One row per indicator/year/region: repeats that agree merge, repeats that differ fail.

    Rows agree when every figure both state (value, target) is equal; a row giving only
    the target and another giving only the value merge into one.
    """
    keep = ok.copy()
    idx = np.flatnonzero(ok)
    if len(idx) == 0:
        return keep, [], [], frame
    key = indicator_codes.astype(np.int64)
    for col in ("year", "region"):
        codes, uniques = pd.factorize(frame[col], use_na_sentinel=False)
        key = key * (len(uniques) + 1) + codes
    key = key[idx]
    group, _u = pd.factorize(key)
    first = np.empty(group.max() + 1, dtype=np.int64)
    first[group[::-1]] = np.arange(len(idx))[::-1]
    later = np.flatnonzero(first[group] != np.arange(len(idx)))
    if len(later) == 0:
        return keep, [], [], frame
    errors, warnings = [], []
    merged = frame.copy()
    for j in later:
        i, f = idx[j], idx[first[group[j]]]
        a, b = merged.iloc[f], frame.iloc[i]
        spec = catalog.indicators[b["indicator_code"]]
        where = f"「{spec.name_zh}」{b['year']} 年 {b['region']}"
        conflict = [c for c in ("value", "target") if _differ(a[c], b[c])]
        if conflict:
            c = conflict[0]
            errors.append(
                error(
                    "duplicate_conflict",
                    f"{where}的{'数值' if c == 'value' else '目标值'}已在第 {a['row']} 行填写为 "
                    f"{a[c]:g}，这里又填写为 {b[c]:g}；请只保留正确的一行。",
                    row=int(b["row"]),
                    column=b["value_column"],
                    value=f"{b[c]:g}",
                )
            )
            keep[f] = False
        elif any(_same(a[c], b[c]) for c in ("value", "target")):
            warnings.append(
                warning(
                    "duplicate_same",
                    f"{where}与第 {a['row']} 行重复且数值相同，只载入一次。",
                    row=int(b["row"]),
                    column=b["value_column"],
                    value=None if pd.isna(b["value"]) else f"{b['value']:g}",
                )
            )
        for c in ("value", "target", "qualifier", "note"):
            if pd.isna(a[c]) and not pd.isna(b[c]):
                merged.iat[f, merged.columns.get_loc(c)] = b[c]
        keep[i] = False
    return keep, errors, warnings, merged


def _differ(a: float, b: float) -> bool:
    return not (pd.isna(a) or pd.isna(b)) and not bool(np.isclose(a, b, rtol=1e-12, atol=0.0))


def _same(a: float, b: float) -> bool:
    return not (pd.isna(a) or pd.isna(b)) and bool(np.isclose(a, b, rtol=1e-12, atol=0.0))

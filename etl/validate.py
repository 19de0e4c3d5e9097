"""Rules a normalised batch must pass before anything is written, and the clean rows.

Checks are column expressions over the whole frame; Python only builds an
:class:`Issue` for each row that actually fails. A row normalisation already flagged
(unknown indicator, bad year, unreadable value) is not checked again, so every problem is
reported once, at the cell the user has to fix.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from db.catalog import Catalog
from etl.issues import Issue, error, warning
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


def _flagged(frame: pd.DataFrame, errors: list[Issue]) -> np.ndarray:
    """Rows normalisation already reported: the whole user row, or just that one cell."""
    bad = np.zeros(len(frame), dtype=bool)
    located = [(e.row, e.column) for e in errors if e.row is not None]
    if not located:
        return bad
    value_columns = set(frame["value_column"].dropna().unique())
    cells = {(r, c) for r, c in located if c in value_columns}
    whole_rows = {r for r, c in located if c not in value_columns}
    bad = bad | frame["row"].isin(whole_rows).to_numpy()
    if cells:
        keys = pd.MultiIndex.from_frame(frame[["row", "value_column"]])
        bad = bad | keys.isin(list(cells))
    return bad


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
    issues = []
    for i in np.flatnonzero(~known & ~reported):
        code = frame["indicator_code"].iloc[i]
        issues.append(
            error(
                "unknown_indicator",
                f"指标目录中没有「{code}」，请使用目录中的指标代码或名称。",
                row=int(frame["row"].iloc[i]),
                column=roles.get("indicator"),
                value=None if pd.isna(code) else str(code),
            )
        )
    for i in np.flatnonzero(known & _bad_year(frame) & ~reported):
        year = frame["year"].iloc[i]
        issues.append(
            error(
                "invalid_year",
                f"年份缺失或不在 {FIRST_YEAR} 年至明年之间，请填写如 2020 的四位年份。",
                row=int(frame["row"].iloc[i]),
                column=roles.get("year"),
                value=None if pd.isna(year) else str(year),
            )
        )
    return issues


def validate(norm: Normalized, catalog: Catalog) -> Validated:
    """Apply the loading rules; the frame keeps only rows that passed every check."""
    frame = _conform(norm.frame)
    errors, warnings = list(norm.errors), list(norm.warnings)
    roles = norm.columns
    ok = ~_flagged(frame, errors)
    specs = catalog.indicators
    codes, uniques = pd.factorize(frame["indicator_code"])
    known = (codes >= 0) & np.isin(codes, [i for i, c in enumerate(uniques) if c in specs])
    percent = np.isin(
        codes, [i for i, c in enumerate(uniques) if c in specs and specs[c].unit == "%"]
    )
    value = frame["value"].to_numpy(dtype="float64")
    target = frame["target"].to_numpy(dtype="float64")
    errors += _unreported(frame, errors, known, roles)
    ok &= known & ~_bad_year(frame)
    checked = ok

    def add(mask: np.ndarray, code_: str, message, column, cell: str) -> None:
        """One Issue per failing row; ``message``/``column`` take the row, ``cell`` names it."""
        nonlocal ok
        for i in np.flatnonzero(mask):
            r = frame.iloc[i]
            text = _cell_text(r[cell])
            errors.append(error(code_, message(r), row=int(r["row"]), column=column(r), value=text))
        ok &= ~mask

    def name(r: pd.Series) -> str:
        return specs[r["indicator_code"]].name_zh

    def value_col(r: pd.Series) -> str | None:
        return r["value_column"]

    def target_col(_r: pd.Series) -> str:
        return roles.get("target", "目标值")

    add(
        checked & np.isnan(value) & np.isnan(target),
        "missing_value",
        lambda r: f"「{name(r)}」{r['year']} 年没有填写数值，请填写数值或删除这一行。",
        value_col,
        "value",
    )
    add(
        checked & ~percent & (value < 0),
        "negative_value",
        lambda r: f"「{name(r)}」是计数，不能为负数（{r['value']:g}），请检查是否多写了负号。",
        value_col,
        "value",
    )
    add(
        checked & ~percent & (target < 0),
        "negative_value",
        lambda r: f"「{name(r)}」的目标值不能为负数（{r['target']:g}）。",
        target_col,
        "target",
    )
    add(
        checked & percent & ((value < 0) | (value > 100)),
        "percent_out_of_range",
        lambda r: (
            f"「{name(r)}」是百分比，应在 0–100 之间（现为 {r['value']:g}），如 95.6 或 95.6%。"
        ),
        value_col,
        "value",
    )
    add(
        checked & percent & ((target < 0) | (target > 100)),
        "percent_out_of_range",
        lambda r: f"「{name(r)}」的目标值是百分比，应在 0–100 之间（现为 {r['target']:g}）。",
        target_col,
        "target",
    )
    mismatch, said = _category_mismatch(frame, catalog, checked, codes, uniques)
    add(
        mismatch,
        "category_mismatch",
        lambda r: _category_message(catalog, r, said),
        lambda _r: roles.get("category", "类别"),
        "category",
    )
    keep, dup_errors, dup_warnings, merged = _duplicates(frame, ok, catalog, codes)
    errors += dup_errors
    warnings += dup_warnings
    clean = merged if keep.all() else merged[keep].reset_index(drop=True)
    return Validated(clean, by_row(errors), by_row(warnings))


def _cell_text(cell: object) -> str | None:
    if cell is None or (isinstance(cell, float) and np.isnan(cell)):
        return None
    return f"{cell:g}" if isinstance(cell, float) else str(cell)


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

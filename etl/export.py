"""Every observation in the long layout, as CSV (Excel-friendly), XLSX or JSON.

CSV is UTF-8 with a BOM so Excel on Chinese Windows opens it without mojibake, and any text
cell that starts with ``= + - @`` is prefixed with ``'`` so a spreadsheet never runs it.
"""

from __future__ import annotations

import io
import json

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Category, Indicator, Observation
from db.queries import read_frame

EXPORT_COLUMNS = [
    "category_code",
    "category",
    "indicator_code",
    "indicator",
    "year",
    "region",
    "value",
    "unit",
    "qualifier",
    "note",
    "batch_id",
]
TEXT_COLUMNS = ["category", "indicator", "region", "note", "unit", "qualifier"]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def export_frame(session: Session) -> pd.DataFrame:
    o = Observation.__table__
    stmt = (
        select(
            Category.code,
            Category.name_zh,
            Indicator.code,
            Indicator.name_zh,
            o.c.year,
            o.c.region,
            o.c.value,
            Indicator.unit,
            o.c.qualifier,
            o.c.note,
            o.c.batch_id,
        )
        .join(Indicator, Indicator.id == o.c.indicator_id)
        .join(Category, Category.id == Indicator.category_id)
        .order_by(Category.display_order, Indicator.display_order, o.c.year, o.c.region)
    )
    frame = read_frame(session, stmt, EXPORT_COLUMNS)
    frame["year"] = frame["year"].astype("Int64")
    frame["batch_id"] = frame["batch_id"].astype("Int64")
    return frame


def neutralise_formulas(frame: pd.DataFrame, columns: list[str] | None = None) -> pd.DataFrame:
    """Prefix text cells a spreadsheet would treat as a formula."""
    frame = frame.copy()
    text_columns = [
        c
        for c in frame.columns
        if frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c])
    ]
    for col in columns or text_columns:
        if col not in frame:
            continue
        series = frame[col]
        mask = series.map(lambda v: isinstance(v, str) and v.startswith(FORMULA_START))
        frame[col] = series.astype(object)
        frame.loc[mask, col] = "'" + series[mask].astype(str)
    return frame


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    # %.15g: 34000 not 34000.0, 91.5 stays 91.5, no binary noise.
    text = neutralise_formulas(frame).to_csv(index=False, float_format="%.15g")
    return text.encode("utf-8-sig")


def to_xlsx_bytes(frame: pd.DataFrame, sheet_name: str = "observations") -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        neutralise_formulas(frame).to_excel(writer, index=False, sheet_name=sheet_name)
    return buffer.getvalue()


def to_json_bytes(frame: pd.DataFrame) -> bytes:
    records = json.loads(frame.to_json(orient="records", force_ascii=False))
    return json.dumps(records, ensure_ascii=False, indent=1).encode("utf-8")


def export_bytes(session: Session, fmt: str) -> bytes:
    frame = export_frame(session)
    if fmt == "csv":
        return to_csv_bytes(frame)
    if fmt == "xlsx":
        return to_xlsx_bytes(frame)
    if fmt == "json":
        return to_json_bytes(frame)
    raise ValueError(f"unknown export format {fmt!r}")

"""Tables the analysts' pages show, built as plain DataFrames of display text.

No Streamlit here (the pages draw these with ``st.dataframe``, which shows text, never
HTML), so every table can be checked in a unit test. Figures are shown *exactly*
(``12,345 件``, not ``1.23万件``): an analyst compares them with their own file.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import pandas as pd
from sqlalchemy.orm import Session

from charts.numbers import qualifier_symbol
from db.catalog import Catalog, load_catalog
from db.models import Batch
from etl.export import table_format, to_csv_bytes
from etl.issues import Issue
from etl.template import template_frame
from texts import localized


def exact_value(value: object, unit: str = "", qualifier: str | None = None) -> str:
    """``≥1,200 辆次``, ``92.3%``, ``0.5 元`` — every digit the store holds, nothing rounded."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    number = float(value)  # type: ignore[arg-type]
    text = f"{int(number):,}" if number.is_integer() else f"{number:,.6f}".rstrip("0").rstrip(".")
    text = qualifier_symbol(qualifier) + text
    if not unit:
        return text
    return f"{text}%" if unit == "%" else f"{text} {unit}"


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def preview_table(frame: pd.DataFrame | None, catalog: Catalog, lang: str = "zh") -> pd.DataFrame:
    """The normalised rows a file would load: indicator, year, region, value with unit, qualifier."""
    columns = ["row", "indicator", "year", "region", "value", "qualifier", "target", "note"]
    headers = [localized(f"analyst.col.{c}", lang) for c in columns]
    if frame is None or frame.empty:
        return pd.DataFrame(columns=headers)
    records = frame.to_dict("records")
    specs = catalog.indicators

    def name(code: str) -> str:
        spec = specs.get(code)
        if spec is None:
            return code
        return spec.name_en if lang == "en" else spec.name_zh

    def unit(code: str) -> str:
        spec = specs.get(code)
        return spec.unit if spec else ""

    def qualifier(q: object) -> str:
        return localized(f"analyst.qualifier.{q}", lang) if q in ("more_than", "about") else ""

    shown = pd.DataFrame(
        {
            "row": [int(r["row"]) for r in records],
            "indicator": [name(r["indicator_code"]) for r in records],
            "year": [_cell(r["year"]) for r in records],
            "region": [_cell(r["region"]) for r in records],
            "value": [
                exact_value(r["value"], unit(r["indicator_code"]), r["qualifier"]) for r in records
            ],
            "qualifier": [qualifier(r["qualifier"]) for r in records],
            "target": [
                exact_value(r["target"], unit(r["indicator_code"]))
                if _cell(r.get("target"))
                else ""
                for r in records
            ],
            "note": [_cell(r.get("note")) for r in records],
        }
    )
    shown.columns = headers
    return shown


def issues_table(issues: Sequence[Issue], lang: str = "zh") -> pd.DataFrame:
    """Errors or warnings as the user finds them in their file: row, column, value, problem."""
    return pd.DataFrame(
        {
            localized("analyst.col.row", lang): [
                i.row if i.row is not None else "" for i in issues
            ],
            localized("analyst.col.column", lang): [i.column or "" for i in issues],
            localized("analyst.col.value_raw", lang): [i.value or "" for i in issues],
            localized("analyst.col.message", lang): [i.message for i in issues],
            localized("analyst.col.suggestions", lang): ["、".join(i.suggestions) for i in issues],
        },
        dtype=object,
    )


def issues_csv(issues: Sequence[Issue], lang: str = "zh") -> bytes:
    """The error list as Excel opens it: UTF-8 with BOM, formula-like cells neutralised."""
    return to_csv_bytes(issues_table(issues, lang))


def batches_table(batches: Iterable[Batch], lang: str = "zh") -> pd.DataFrame:
    """Every batch with who, when, which file, its counts and whether it still stands."""
    import json

    rows = []
    for b in batches:
        if b.status == "rolled_back":
            when = b.rolled_back_at.strftime("%Y-%m-%d %H:%M") if b.rolled_back_at else ""
            status = localized("batches.rolled_back", lang, by=b.rolled_back_by or "", at=when)
        else:
            status = localized("batches.active", lang)
        kind = b.source_kind if b.source_kind in ("file", "report", "sample") else "file"
        rows.append(
            {
                localized("batches.id", lang): b.id,
                localized("batches.file", lang): b.source_name,
                localized("batches.kind", lang): localized(f"batches.kind.{kind}", lang),
                localized("batches.by", lang): b.loaded_by or "",
                localized("batches.at", lang): b.loaded_at.strftime("%Y-%m-%d %H:%M")
                if b.loaded_at
                else "",
                localized("batches.read", lang): b.rows_read,
                localized("batches.inserted", lang): b.inserted,
                localized("batches.updated", lang): b.updated,
                localized("batches.unchanged", lang): b.unchanged,
                localized("batches.skipped", lang): b.skipped,
                localized("batches.warnings", lang): len(json.loads(b.warnings or "[]")),
                localized("batches.status", lang): status,
            }
        )
    return pd.DataFrame(rows)


def figures_table(figures: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """What a batch set (``db.batches.batch_figures``): each figure before and after it."""
    records = figures.to_dict("records")
    return pd.DataFrame(
        {
            localized("analyst.col.indicator", lang): [r["indicator"] for r in records],
            localized("analyst.col.kind", lang): [
                localized(f"kind.{r['kind']}", lang) for r in records
            ],
            localized("analyst.col.year", lang): [_cell(r["year"]) for r in records],
            localized("analyst.col.region", lang): [_cell(r["region"]) for r in records],
            localized("analyst.col.old_value", lang): [
                exact_value(r["old_value"], r["unit"]) for r in records
            ],
            localized("analyst.col.new_value", lang): [
                exact_value(r["new_value"], r["unit"], r.get("qualifier")) for r in records
            ],
            localized("analyst.col.note", lang): [_cell(r.get("note")) for r in records],
            localized("analyst.col.change", lang): [
                localized(f"change.{r['change']}", lang) for r in records
            ],
        },
        dtype=object,
    )


def figures_csv(figures: pd.DataFrame, lang: str = "zh") -> bytes:
    """A batch's figure list as Excel opens it (UTF-8 with BOM, formula-like cells neutralised)."""
    return to_csv_bytes(figures_table(figures, lang))


def catalog_table(catalog: Catalog, lang: str = "zh") -> pd.DataFrame:
    """Every indicator (inactive ones too, when the catalog holds them) with all its names
    and report phrasings (joined by "；", since a phrasing may itself hold a "、")."""
    specs = sorted(
        catalog.indicators.values(),
        key=lambda s: (catalog.categories[s.category].order, s.order),
    )
    cat_name = {
        c.code: (c.name_en if lang == "en" else c.name_zh) for c in catalog.categories.values()
    }
    return pd.DataFrame(
        {
            localized("catalog.category", lang): [cat_name[s.category] for s in specs],
            localized("analyst.col.code", lang): [s.code for s in specs],
            localized("catalog.name_zh", lang): [s.name_zh for s in specs],
            localized("catalog.name_en", lang): [s.name_en for s in specs],
            localized("catalog.unit", lang): [s.unit for s in specs],
            localized("catalog.aggregation", lang): [
                localized(f"agg.{s.aggregation}", lang) for s in specs
            ],
            localized("catalog.direction", lang): [
                localized(f"dir.{s.direction}", lang) for s in specs
            ],
            localized("catalog.aliases", lang): ["、".join(s.aliases) for s in specs],
            localized("catalog.phrasings", lang): ["；".join(s.phrasings) for s in specs],
            localized("catalog.active", lang): [
                localized("yes" if s.active else "no", lang) for s in specs
            ],
        },
        dtype=object,
    )


def template_bytes(catalog: Catalog, layout: str, fmt: str) -> bytes:
    """A filled-in example batch file (``layout`` long|wide, ``fmt`` one of
    :func:`etl.export.template_formats`)."""
    return table_format(fmt).write(template_frame(catalog, layout=layout), "batch")


def template_file(session: Session, *, layout: str, fmt: str) -> bytes:
    """:func:`template_bytes` for the catalog in the store (shaped for ``ui.data.read``)."""
    return template_bytes(load_catalog(session), layout, fmt)

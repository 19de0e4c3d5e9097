"""One draft from the store, shared by ``python -m etl draft`` and the 报告生成 page.

Template bytes (a .docx, a .txt in any encoding the reader takes, or none for the
built-in template) and a year and region in; the draft, its Word file (highlighted, and
a clean copy on request) and the change list out. A template that states no figure the
catalog knows raises :class:`NoKnownFigureError` — there is nothing to draft — so the
CLI can exit 1 and the page can say so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd
from sqlalchemy.orm import Session

from db.catalog import Catalog, load_catalog
from db.draft_figures import draft_figures
from etl.draft import Draft, StoreFigure, builtin_template, draft_report
from etl.draft_docx import draft_into_docx, draft_to_docx
from etl.export import to_csv_bytes
from etl.issues import EtlError
from etl.report_files import is_docx, report_text

KIND_LABELS = {"figure": "数值", "missing": "缺数 X", "comparison": "同比/完成率", "year": "年份"}
CHANGE_COLUMNS = ["所在句子", "指标", "指标代码", "原文", "新写法", "类型", "批次", "批次来源"]


class NoKnownFigureError(EtlError):
    """The template states no figure of any catalog indicator (CLI exit 1)."""


@dataclass
class DraftFiles:
    draft: Draft
    docx: bytes
    clean: bytes | None
    changes: pd.DataFrame


def store_figures(session: Session, *, year: int, region: str) -> dict[str, StoreFigure]:
    frame = draft_figures(session, year=year, region=region)
    return {
        row.code: StoreFigure(
            value=float(row.value),
            qualifier=row.qualifier,
            batch_id=None if pd.isna(row.batch_id) else int(row.batch_id),
            batch_source=row.batch_source or "",
            previous=_number_or_none(row.previous),
            target=_number_or_none(row.target),
        )
        for row in frame.itertuples(index=False)
    }


def _number_or_none(value: object) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(value)  # type: ignore[arg-type]


def build_draft(
    session: Session,
    *,
    year: int,
    region: str,
    template: bytes | None = None,
    clean: bool = False,
) -> DraftFiles:
    """The draft of ``template`` (the built-in one when ``None``) for ``year`` and ``region``.

    Raises :class:`~etl.issues.UnreadableFileError` for a template that cannot be read
    and :class:`NoKnownFigureError` for one that states no catalog figure.
    """
    catalog = load_catalog(session)
    text = builtin_template() if template is None else report_text(template)
    figures = store_figures(session, year=year, region=region)
    draft = draft_report(text, catalog, figures, year=year, region=region)
    if not draft.stated:
        raise NoKnownFigureError(
            "模板中没有目录指标的数值句（如「全年排查治理安全隐患X处」），无从生成。"
            " (The template states no figure of a catalog indicator.)"
        )
    if template is not None and is_docx(template):
        docx = draft_into_docx(template, draft)
        clean_docx = draft_into_docx(template, draft, highlight=False) if clean else None
    else:
        docx = draft_to_docx(draft)
        clean_docx = draft_to_docx(draft, highlight=False) if clean else None
    return DraftFiles(draft, docx, clean_docx, change_table(draft, catalog))


def change_table(draft: Draft, catalog: Catalog) -> pd.DataFrame:
    """Sentence, indicator, old → new, batch: one row per span the draft changed or left X."""
    rows = []
    for e in draft.edits:
        spec = catalog.indicators.get(e.indicator_code)
        rows.append(
            [
                e.sentence,
                spec.name_zh if spec else "",
                e.indicator_code,
                draft.template[e.start : e.end],
                e.new,
                KIND_LABELS[e.kind],
                e.batch_id,
                e.batch_source,
            ]
        )
    table = pd.DataFrame(rows, columns=CHANGE_COLUMNS)
    return table.astype({"批次": "Int64"})


def changes_csv(table: pd.DataFrame) -> bytes:
    """The change list as Excel opens it (UTF-8 with BOM, formula-like cells neutralised)."""
    return to_csv_bytes(table)

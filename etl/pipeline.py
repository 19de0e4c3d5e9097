"""read → normalise → validate → load, the one path every batch takes.

The CLI, the upload page, the report reader and the sample loader all come through here,
so a file is judged the same way wherever it arrives. Functions take an open session and
never commit; a dry run (and a preview) does the whole load inside a savepoint and rolls
it back, so the counts and warnings it reports are exactly what a commit would do.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd
from sqlalchemy.orm import Session

from db import audit
from db.batches import find_active_batch, find_rolled_back_batch
from db.catalog import Catalog, load_catalog
from db.models import CITY_WIDE, Batch, SourceKind
from db.session import lock_store
from etl.issues import Issue, UnreadableFileError, error, warning
from etl.load import Counts, write_batch
from etl.normalize import FRAME_COLUMNS, Normalized, normalize
from etl.read import RawTable, read_table
from etl.validate import validate

Progress = Callable[[str], None]
# What happened to a file: written (loaded), refused by validation (rejected), already in
# force (duplicate), counted and rolled back (dry_run), not a table at all (unreadable),
# the store's lock held by another load (busy), checked without the store (checked).
LoadStatus = Literal["loaded", "rejected", "duplicate", "dry_run", "unreadable", "busy", "checked"]


@dataclass
class LoadOptions:
    user: str = ""
    dry_run: bool = False
    sheet: str | int | None = None
    default_year: int | None = None
    default_region: str = CITY_WIDE
    source_kind: SourceKind = "file"
    address: str | None = None  # where the upload came from, for the audit trail


@dataclass
class BatchResult:
    source_name: str
    status: LoadStatus
    batch_id: int | None = None
    counts: Counts = field(default_factory=lambda: Counts(counted=False))
    warnings: list[Issue] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)
    duplicate_of: int | None = None
    frame: pd.DataFrame | None = None

    @property
    def ok(self) -> bool:
        return self.status in ("loaded", "duplicate", "dry_run")

    def as_dict(self) -> dict:
        return {
            "file": self.source_name,
            "status": self.status,
            "batch_id": self.batch_id,
            "duplicate_of": self.duplicate_of,
            "counts": dict(self.counts),
            "warnings": [w.as_dict() for w in self.warnings],
            "errors": [e.as_dict() for e in self.errors],
        }


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _noop(_stage: str) -> None:
    return None


def load_file(
    session: Session,
    data: bytes,
    filename: str,
    options: LoadOptions | None = None,
    *,
    progress: Progress = _noop,
    raw: RawTable | None = None,
) -> BatchResult:
    """Load one file as one batch, all or nothing, in the caller's transaction.

    ``raw``: the file already read (``check_file``), so a preview parses it outside the
    write transaction.
    """
    options = options or LoadOptions()
    sha = sha256_of(data)
    if options.sheet is None and (done := _duplicate(session, sha, filename)):
        return done
    progress("read")
    if raw is None:
        try:
            raw = read_table(data, filename, sheet=options.sheet)
        except UnreadableFileError as exc:
            return _unreadable(filename, exc)
    if options.sheet is not None:  # a workbook's other sheets are other batches
        sha = sheet_sha256(data, raw)
        if done := _duplicate(session, sha, filename):
            return done
    progress("normalise")
    catalog = load_catalog(session)
    normalized = normalize(
        raw,
        catalog,
        default_year=options.default_year,
        default_region=options.default_region,
    )
    return _validate_and_write(
        session,
        normalized,
        catalog,
        source_name=filename,
        sha256=sha,
        options=options,
        rows_read=len(normalized.frame),  # figures, not lines: a wide row holds several
        extra_warnings=list(raw.warnings),
        progress=progress,
    )


def sheet_sha256(data: bytes, raw: RawTable) -> str:
    """The file's key: its SHA-256, with the sheet's name for any but a workbook's first."""
    digest = hashlib.sha256(data)
    if raw.sheet_index:
        digest.update(b"\0" + (raw.sheet or "").encode())
    return digest.hexdigest()


def _unreadable(filename: str, exc: UnreadableFileError) -> BatchResult:
    return BatchResult(
        source_name=filename, status="unreadable", errors=[error("unreadable_file", str(exc))]
    )


def preview_file(
    session: Session,
    data: bytes,
    filename: str,
    options: LoadOptions | None = None,
    *,
    raw: RawTable | None = None,
) -> BatchResult:
    """What ``load_file`` would do, with nothing written."""
    options = options or LoadOptions()
    preview = LoadOptions(**{**options.__dict__, "dry_run": True})
    return load_file(session, data, filename, preview, raw=raw)


def check_file(
    catalog: Catalog, data: bytes, filename: str, options: LoadOptions | None = None
) -> tuple[BatchResult, RawTable | None]:
    """Read, normalise and validate with no database at all (status ``checked``).

    The upload page shows this while another process holds the store's write lock, then
    hands ``raw`` to ``preview_file`` for the counts, so the file is parsed once and never
    inside a write transaction.
    """
    options = options or LoadOptions()
    try:
        raw = read_table(data, filename, sheet=options.sheet)
    except UnreadableFileError as exc:
        return _unreadable(filename, exc), None
    normalized = normalize(
        raw, catalog, default_year=options.default_year, default_region=options.default_region
    )
    validated = validate(normalized, catalog)
    status: LoadStatus = "rejected" if validated.errors else "checked"
    result = BatchResult(
        source_name=filename,
        status=status,
        counts=Counts(read=len(normalized.frame), counted=False),
        warnings=sorted(list(raw.warnings) + list(validated.warnings), key=_issue_order),
        errors=sorted(validated.errors, key=_issue_order),
        frame=validated.frame,
    )
    return result, raw


def load_frame(
    session: Session,
    frame: pd.DataFrame,
    *,
    source_name: str,
    sha256: str,
    options: LoadOptions | None = None,
    warnings: Sequence[Issue] = (),
) -> BatchResult:
    """Load rows that did not come from a batch file (report reader, sample data).

    ``frame`` has the columns of ``FRAME_COLUMNS``; it is validated exactly like a file.
    """
    options = options or LoadOptions()
    duplicate = _duplicate(session, sha256, source_name)
    if duplicate is not None:
        return duplicate
    frame = frame.reindex(columns=FRAME_COLUMNS)
    normalized = Normalized(frame=frame, errors=[], warnings=[], layout="long")
    return _validate_and_write(
        session,
        normalized,
        load_catalog(session),
        source_name=source_name,
        sha256=sha256,
        options=options,
        rows_read=len(frame),
        extra_warnings=list(warnings),
    )


def _duplicate(session: Session, sha256: str, name: str) -> BatchResult | None:
    """The "already loaded" answer when a batch still in force holds these exact bytes.

    Only active batches count: a file whose batch was rolled back loads again.
    """
    existing = find_active_batch(session, sha256)
    if existing is None:
        return None
    return BatchResult(
        source_name=name,
        status="duplicate",
        batch_id=existing.id,
        duplicate_of=existing.id,
        counts=Counts(read=existing.rows_read),
    )


def _reloaded(session: Session, sha256: str) -> list[Issue]:
    """A note that these bytes were loaded before and that batch was rolled back."""
    earlier = find_rolled_back_batch(session, sha256)
    if earlier is None:
        return []
    return [
        warning(
            "reloaded_after_rollback",
            f"此文件曾作为批次 {earlier.id} 载入，该批次已回滚；现作为新批次重新载入 "
            f"(this file was loaded before as batch {earlier.id}, which was rolled back)",
        )
    ]


def _validate_and_write(
    session: Session,
    normalized,  # etl.normalize.Normalized
    catalog: Catalog,
    *,
    source_name: str,
    sha256: str,
    options: LoadOptions,
    rows_read: int,
    extra_warnings: list[Issue],
    progress: Progress = _noop,
) -> BatchResult:

    progress("validate")
    validated = validate(normalized, catalog)
    warnings = extra_warnings + list(validated.warnings)
    frame = validated.frame
    if validated.errors:
        return BatchResult(
            source_name=source_name,
            status="rejected",
            counts=Counts(read=rows_read, counted=False),
            warnings=warnings,
            errors=sorted(validated.errors, key=_issue_order),
            frame=frame,
        )
    progress("load")
    # One writer at a time per store; then look again, since a load of the same bytes may
    # have committed while this one was parsing (PostgreSQL parses before it locks).
    lock_store(session)
    duplicate = _duplicate(session, sha256, source_name)
    if duplicate is not None:
        return duplicate
    warnings += _reloaded(session, sha256)
    return _write(
        session,
        frame,
        warnings,
        source_name=source_name,
        sha256=sha256,
        options=options,
        rows_read=rows_read,
    )


def _write(
    session: Session,
    frame: pd.DataFrame,
    warnings: list[Issue],
    *,
    source_name: str,
    sha256: str,
    options: LoadOptions,
    rows_read: int,
) -> BatchResult:
    """The batch row and its figures in a savepoint: rolled back for a dry run (the counts
    are then exactly what a commit would do), kept and audited otherwise."""
    savepoint = session.begin_nested()
    batch = Batch(
        source_name=source_name,
        source_kind=options.source_kind,
        sha256=sha256,
        loaded_by=options.user,
        rows_read=rows_read,
        status="active",
    )
    session.add(batch)
    session.flush()
    values, targets, store_warnings = write_batch(session, frame, batch=batch)
    warnings = sorted(warnings + store_warnings, key=_issue_order)
    counts = Counts(
        values.inserted,
        values.updated,
        values.unchanged,
        read=rows_read,
        skipped=max(rows_read - len(frame), 0),
        targets_inserted=targets.inserted,
        targets_updated=targets.updated,
    )
    batch.inserted = values.inserted
    batch.updated = values.updated
    batch.unchanged = values.unchanged
    batch.skipped = counts["skipped"]
    batch.warnings = json.dumps([w.as_dict() for w in warnings], ensure_ascii=False)
    session.flush()
    status: LoadStatus = "dry_run" if options.dry_run else "loaded"
    if options.dry_run:
        savepoint.rollback()
    else:
        savepoint.commit()
        _audit_load(session, batch, options)
    return BatchResult(
        source_name=source_name,
        status=status,
        batch_id=None if options.dry_run else batch.id,
        counts=counts,
        warnings=warnings,
        frame=frame,
    )


def _audit_load(session: Session, batch: Batch, options: LoadOptions) -> None:
    audit.record(
        session,
        "batch_loaded",
        user=options.user,
        target=f"batch {batch.id}",
        address=options.address,
        source=batch.source_name,
        kind=options.source_kind,
        sha256=batch.sha256,
        inserted=batch.inserted,
        updated=batch.updated,
    )


def _issue_order(issue: Issue) -> tuple[int, str, str]:
    return (issue.row if issue.row is not None else -1, issue.column or "", issue.code)

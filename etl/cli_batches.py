"""Batch commands: load, export, batches, rollback, sample, template."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

from db.catalog import load_catalog
from db.session import get_engine, is_lock_timeout, lock_wait_seconds, read_session, write_session
from etl.cli import EXIT_BUSY, EXIT_OK, EXIT_REJECTED, EXIT_USAGE, cli, cli_address, cli_user
from etl.export import TABLE_FORMATS, template_formats
from etl.issues import BatchNotFoundError, Issue, RollbackRefusedError, error
from etl.pipeline import BatchResult, LoadOptions, load_file

if TYPE_CHECKING:
    from click._termui_impl import ProgressBar

PROGRESS_MIN_BYTES = 5 * 1024 * 1024
STAGES = ("read", "normalise", "validate", "load")
STAGE_LABELS = {"read": "读取", "normalise": "规范化", "validate": "校验", "load": "写入"}


WAIT_OPTION = click.option(
    "--wait",
    type=click.FloatRange(min=0),
    default=None,
    metavar="SECONDS",
    help="How long to wait while another load or rollback runs "
    "(default: $TQI_LOCK_WAIT_SECONDS, else 30); then exit 3, writing nothing.",
)


def busy_issue(session: Session) -> Issue:
    """What a writer says when another one kept the store past its wait (exit 3)."""
    waited = session.info.get("lock_wait", lock_wait_seconds())
    return error(
        "store_busy",
        f"另一个载入或回滚正在进行，已等待 {waited:g} 秒仍未结束；本次未写入任何数据，请稍后重试 "
        f"(another load or rollback is running; waited {waited:g} s and wrote nothing — "
        "try again later, or wait longer with --wait)",
    )


def open_engine(ctx: click.Context) -> Engine:
    """The store named by --db / TQI_DATABASE_URL, or a clean exit 2 when it cannot be opened."""
    try:
        return get_engine(ctx.obj.get("db_url") if ctx.obj else None)
    except (OperationalError, SQLAlchemyError, OSError, ValueError) as exc:
        click.echo(f"无法打开数据库 (cannot open the database): {exc}", err=True)
        raise SystemExit(EXIT_USAGE) from exc


def format_issue(issue: Issue) -> str:
    where = []
    if issue.row is not None:
        where.append(f"第 {issue.row} 行")
    if issue.column:
        where.append(f"「{issue.column}」列")
    text = " ".join(where)
    text = f"{text}：{issue.message}" if text else issue.message
    if issue.value not in (None, ""):
        text += f"（值：{issue.value}）"
    if issue.suggestions:
        text += f" 您是否想填：{'、'.join(issue.suggestions)}？"
    return text


def echo_result(result: BatchResult) -> None:
    counts = result.counts
    name = result.source_name
    if result.status == "loaded":
        click.echo(
            f"✔ {name}：已载入为批次 {result.batch_id} — 读取 {counts.get('read', 0)} 行，"
            f"新增 {counts.get('inserted', 0)}，更新 {counts.get('updated', 0)}，"
            f"未变 {counts.get('unchanged', 0)}"
        )
    elif result.status == "dry_run":
        click.echo(
            f"○ {name}：试运行，未写入 — 将新增 {counts.get('inserted', 0)}，"
            f"更新 {counts.get('updated', 0)}，未变 {counts.get('unchanged', 0)}"
        )
    elif result.status == "duplicate":
        click.echo(
            f"= {name}：与批次 {result.duplicate_of} 的文件完全相同，未重复载入 "
            f"(already loaded as batch {result.duplicate_of})"
        )
    elif result.status == "unreadable":
        click.echo(f"✘ {name}：无法读取 (cannot read)", err=True)
    elif result.status == "busy":
        click.echo(f"✘ {name}：未载入，数据库正忙 (not loaded: the store is busy)", err=True)
    else:
        click.echo(
            f"✘ {name}：有 {len(result.errors)} 处错误，整个文件未载入 (rejected)",
            err=True,
        )
    for issue in result.errors:
        click.echo(f"  错误 {format_issue(issue)}", err=True)
    for issue in result.warnings:
        click.echo(f"  提示 {format_issue(issue)}", err=True)


class _StageProgress:
    """A progress bar over the pipeline stages, only on a terminal and only for large files."""

    def __init__(self, name: str, size: int) -> None:
        self.bar: ProgressBar[str] | None = None
        if size >= PROGRESS_MIN_BYTES and sys.stderr.isatty():
            bar: ProgressBar[str] = click.progressbar(
                length=len(STAGES),
                label=name,
                file=sys.stderr,
                show_eta=False,
                item_show_func=lambda stage: STAGE_LABELS.get(stage or "", stage or ""),
            )
            bar.render_progress()
            self.bar = bar

    def __call__(self, stage: str) -> None:
        if self.bar is not None:
            self.bar.update(1, stage)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.render_finish()


@cli.command()
@click.argument(
    "files",
    nargs=-1,
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@click.option("--dry-run", is_flag=True, help="Check and count, write nothing (not even a batch).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per file.")
@click.option(
    "--user", default="", help="Who is loading (recorded on the batch; default: your login name)."
)
@click.option(
    "--sheet",
    default=None,
    metavar="NAME|N",
    help="Workbook sheet: its name, or N for the N-th sheet from 1 (default: the first).",
)
@click.option("--year", type=int, default=None, help="Year for rows whose file states none.")
@WAIT_OPTION
@click.pass_context
def load(
    ctx: click.Context,
    files: tuple[Path, ...],
    dry_run: bool,
    as_json: bool,
    user: str,
    sheet: str | None,
    year: int | None,
    wait: float | None,
) -> None:
    """Load batch files (CSV/TXT/TSV/XLSX/XLSM/XLS, long or wide layout).

    Each file is its own batch and loads all or nothing: any error rejects the whole file
    and lists every problem with its row and column. Exit 0 when everything loaded (or was
    already loaded), 1 when a file was rejected, 2 when a file cannot be read at all,
    3 when another load or rollback held the store past --wait (nothing written).
    """
    engine = open_engine(ctx)
    worst = EXIT_OK
    for path in files:
        data = path.read_bytes()
        options = LoadOptions(
            user=cli_user(user),
            dry_run=dry_run,
            sheet=sheet,
            default_year=year,
            address=cli_address(),
        )
        progress = _StageProgress(path.name, len(data))
        with write_session(engine, lock_wait=wait) as session:
            try:
                result = load_file(session, data, path.name, options, progress=progress)
                if result.status == "loaded":
                    session.commit()
                else:
                    session.rollback()
            except OperationalError as exc:
                if not is_lock_timeout(exc):
                    raise
                session.rollback()
                result = BatchResult(path.name, "busy", errors=[busy_issue(session)])
            finally:
                progress.close()
        if as_json:
            click.echo(json.dumps(result.as_dict(), ensure_ascii=False))
        else:
            echo_result(result)
        if result.status == "busy":
            worst = max(worst, EXIT_BUSY)
        elif result.status == "unreadable":
            worst = max(worst, EXIT_USAGE)
        elif result.status == "rejected":
            worst = max(worst, EXIT_REJECTED)
    ctx.exit(worst)


@cli.command()
@click.option("--format", "fmt", type=click.Choice(list(TABLE_FORMATS)), default="csv")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Default: stdout.")
@click.pass_context
def export(ctx: click.Context, fmt: str, out: Path | None) -> None:
    """Export every observation in the long layout (CSV is UTF-8 with BOM for Excel)."""
    from etl.export import export_bytes

    if out is None and TABLE_FORMATS[fmt].binary and sys.stdout.isatty():
        raise click.UsageError(f"{fmt} is binary: give --out FILE.{fmt}")
    engine = open_engine(ctx)
    with read_session(engine) as session:
        data = export_bytes(session, fmt)
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        out.write_bytes(data)
        click.echo(f"已导出到 {out} (exported)", err=True)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def batches(ctx: click.Context, as_json: bool) -> None:
    """List loaded batches, newest first."""
    from db.batches import list_batches

    engine = open_engine(ctx)
    with read_session(engine) as session:
        rows = [
            {
                "batch_id": b.id,
                "status": b.status,
                "source": b.source_name,
                "kind": b.source_kind,
                "loaded_by": b.loaded_by,
                "loaded_at": b.loaded_at.isoformat(sep=" ", timespec="seconds"),
                "read": b.rows_read,
                "inserted": b.inserted,
                "updated": b.updated,
                "unchanged": b.unchanged,
            }
            for b in list_batches(session)
        ]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    if not rows:
        click.echo("还没有任何批次 (no batches yet). 试试 python -m etl sample")
        return
    click.echo("批次  状态         时间                 载入人      新增   更新   未变  文件")
    for r in rows:
        click.echo(
            f"{r['batch_id']:>4}  {r['status']:<11}  {r['loaded_at']:<19}  "
            f"{(r['loaded_by'] or '-'):<10}{r['inserted']:>6} {r['updated']:>6} "
            f"{r['unchanged']:>6}  {r['source']}"
        )


@cli.command()
@click.argument("batch_id", type=int)
@click.option(
    "--user",
    default="",
    help="Who is rolling back (recorded on the batch; default: your login name).",
)
@WAIT_OPTION
@click.pass_context
def rollback(ctx: click.Context, batch_id: int, user: str, wait: float | None) -> None:
    """Undo a batch: restore every figure and target it inserted or changed.

    Refused (exit 1) when a later batch has changed the same figures (roll that one back
    first) or the batch is already rolled back; 3 when another load or rollback held the
    store past --wait. Refused or busy, nothing changes.
    """
    from etl.rollback import rollback_batch

    engine = open_engine(ctx)
    with write_session(engine, lock_wait=wait) as session:
        try:
            result = rollback_batch(session, batch_id, user=cli_user(user), address=cli_address())
        except BatchNotFoundError as exc:
            click.echo(str(exc), err=True)
            ctx.exit(EXIT_USAGE)
        except RollbackRefusedError as exc:
            session.rollback()
            click.echo(str(exc), err=True)
            ctx.exit(EXIT_REJECTED)
        except OperationalError as exc:
            if not is_lock_timeout(exc):
                raise
            session.rollback()
            click.echo(busy_issue(session).message, err=True)
            ctx.exit(EXIT_BUSY)
        session.commit()
    click.echo(
        f"✔ 批次 {batch_id} 已回滚：恢复 {result.restored} 项，删除 {result.deleted} 项 "
        "(rolled back)"
    )


@cli.command()
@click.pass_context
def sample(ctx: click.Context) -> None:
    """Load the clearly labelled synthetic sample data set (示例数据), 2016–2025."""
    from etl.sample import load_sample

    engine = open_engine(ctx)
    with write_session(engine) as session:
        result = load_sample(session)
        session.commit()
    echo_result(result)


@cli.command()
@click.option("--layout", type=click.Choice(["long", "wide"]), default="long")
@click.option("--format", "fmt", type=click.Choice(template_formats()), default="csv")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.pass_context
def template(ctx: click.Context, layout: str, fmt: str, out: Path) -> None:
    """Write an example batch file with every catalog indicator's exact name and unit."""
    from etl.template import template_frame

    engine = open_engine(ctx)
    with read_session(engine) as session:
        frame = template_frame(load_catalog(session), layout)
    out.write_bytes(TABLE_FORMATS[fmt].write(frame, "批量导入"))
    click.echo(f"已写出模板 {out} (template written)", err=True)

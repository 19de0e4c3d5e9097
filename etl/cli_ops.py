"""Operations commands: ``backup``, ``restore`` and ``audit`` (the 操作日志).

Exit codes follow the rest of the CLI: 0 done, 1 refused (a restore over a store that
holds data, without ``--force``), 2 usage or a file or tool that cannot be used.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import click

from db import audit
from db.backup import BackupError, StoreNotEmptyError, backup, restore
from db.session import get_engine, read_session, resolve_database_url, write_session
from etl.cli import EXIT_REJECTED, EXIT_USAGE, cli, cli_address, cli_user


def _url(ctx: click.Context) -> str:
    return resolve_database_url((ctx.obj or {}).get("db_url"))


def _counts_text(counts: dict[str, int]) -> str:
    return (
        f"数据 {counts['observation']} 条、目标值 {counts['target']} 条、批次 {counts['batch']} 个、"
        f"账户 {counts['users']} 个 ({counts['observation']} figures, {counts['target']} targets, "
        f"{counts['batch']} batches, {counts['users']} accounts)"
    )


@cli.command("backup")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Backup file to write (SQLite: a database file; PostgreSQL: a pg_dump archive).",
)
@click.pass_context
def backup_command(ctx: click.Context, out: Path) -> None:
    """Copy the whole store to OUT while the app keeps running (one consistent instant).

    \b
    Examples:
      python -m etl backup --out backups/tqi-2026-11-30.sqlite3
      python -m etl --db postgresql:///tqi backup --out tqi.dump
    """
    try:
        info = backup(_url(ctx), out)
    except BackupError as exc:
        click.echo(f"✘ 备份失败 (backup failed)：{exc}", err=True)
        raise SystemExit(EXIT_USAGE) from exc
    click.echo(f"✔ 已备份到 {info.path}（{info.bytes:,} 字节）：{_counts_text(info.counts)}")


@cli.command("restore")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite a store that already holds data.")
@click.pass_context
def restore_command(ctx: click.Context, source: Path, force: bool) -> None:
    """Replace the store with the backup SOURCE (refused over a non-empty store without --force)."""
    url = _url(ctx)
    try:
        counts = restore(url, source, force=force)
    except StoreNotEmptyError as exc:
        click.echo(f"✘ {exc}", err=True)
        raise SystemExit(EXIT_REJECTED) from exc
    except BackupError as exc:
        click.echo(f"✘ 恢复失败，数据库未改变 (restore failed, store unchanged)：{exc}", err=True)
        raise SystemExit(EXIT_USAGE) from exc
    with write_session(get_engine(url)) as session:
        audit.record(
            session,
            "store_restored",
            user=cli_user(),
            target=source.name,
            address=cli_address(),
            forced=force,
            counts=counts,
        )
        session.commit()
    click.echo(f"✔ 已从 {source} 恢复：{_counts_text(counts)}")


def _since(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} 不是日期 (use YYYY-MM-DD or YYYY-MM-DDTHH:MM)", param_hint="--since"
        ) from None


@cli.command("audit")
@click.option("--since", help="Only events at or after this date/time (YYYY-MM-DD[THH:MM]).")
@click.option("--user", "user", help="Only this account's events.")
@click.option("--action", type=click.Choice(audit.ACTIONS), help="Only this kind of event.")
@click.option("--limit", type=click.IntRange(min=1), default=1000, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per event.")
@click.pass_context
def audit_command(
    ctx: click.Context,
    since: str | None,
    user: str | None,
    action: str | None,
    limit: int,
    as_json: bool,
) -> None:
    """The audit trail (操作日志): logins, uploads, rollbacks, catalog and account changes.

    \b
    Examples:
      python -m etl audit --since 2026-11-01
      python -m etl audit --user liwei --json
    """
    when = _since(since)
    with read_session(get_engine(_url(ctx))) as session:
        events = audit.list_events(session, since=when, user=user, action=action, limit=limit)
    for event in events:
        if as_json:
            click.echo(json.dumps(event.as_dict(), ensure_ascii=False))
            continue
        detail = ", ".join(f"{k}={v}" for k, v in event.detail.items())
        click.echo(
            f"{event.as_dict()['at']}  {event.username or '-':<12} {event.action:<18} "
            f"{event.target or '-'}  {event.address or '-'}  {detail}"
        )
    if not events and not as_json:
        click.echo("（没有符合条件的记录 no matching events）")

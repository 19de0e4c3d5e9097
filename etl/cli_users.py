"""``python -m etl users …``: local accounts for the app (add, list, set-role, reset, disable).

No account and no password ship with the project: the first admin is made here. Passwords
are prompted twice without echo, or read from the first line of stdin with
``--password-stdin`` (for scripts; never put a password in a command line).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

import click
from sqlalchemy import Engine

from db import audit, users
from db.session import get_engine, write_session
from etl.cli import EXIT_REJECTED, cli, cli_address, cli_user


class _UsersCommandError(click.ClickException):
    exit_code = EXIT_REJECTED


def _engine(ctx: click.Context) -> Engine:
    return get_engine((ctx.obj or {}).get("db_url"))


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        line = sys.stdin.readline()
        password = line.rstrip("\r\n")
    else:
        password = click.prompt(
            "密码 Password",
            hide_input=True,
            confirmation_prompt="再次输入 Repeat password",
        )
    try:
        return users.check_password(password)
    except users.WeakPasswordError as exc:
        raise click.UsageError(str(exc)) from None


def _run(
    ctx: click.Context, action: Callable[..., users.UserInfo], *args: Any, **kwargs: Any
) -> users.UserInfo:
    """Run one account change in its own transaction; account errors become exit 1."""
    with write_session(_engine(ctx)) as session:
        try:
            info = action(session, *args, **kwargs)
        except users.InvalidUsernameError as exc:
            raise click.UsageError(str(exc)) from None
        except users.UserError as exc:
            raise _UsersCommandError(str(exc)) from None
        audit.record(
            session,
            "account_changed",
            user=cli_user(),
            target=info.username,
            address=cli_address(),
            change=action.__name__,
            role=info.role,
            active=info.active,
        )
        session.commit()
    return info


_ROLE = click.Choice(users.ROLES)
_PASSWORD_STDIN = click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of stdin instead of prompting.",
)


@cli.group("users")
def users_group() -> None:
    """Manage local accounts and roles (viewer < analyst < admin).

    \b
    Examples:
      python -m etl users add liwei --role analyst
      echo "$PW" | python -m etl users add ops --role admin --password-stdin
      python -m etl users list
      python -m etl users set-role liwei viewer
      python -m etl users reset-password liwei
      python -m etl users disable liwei
    """


@users_group.command("add")
@click.argument("name")
@click.option(
    "--role",
    type=_ROLE,
    default="viewer",
    show_default=True,
    help="Role of the account.",
)
@click.option("--display-name", default="", help="Name shown in the app (default: NAME).")
@_PASSWORD_STDIN
@click.pass_context
def add_command(
    ctx: click.Context, name: str, role: str, display_name: str, password_stdin: bool
) -> None:
    """Create the account NAME (password prompted, at least 8 characters)."""
    try:
        users.normalise_username(name)
    except users.InvalidUsernameError as exc:
        raise click.UsageError(str(exc)) from None
    password = _read_password(password_stdin)
    info = _run(ctx, users.create_user, name, password, role=role, display_name=display_name)
    click.echo(
        f"已创建用户 {info.username}（{info.role}） Created user {info.username} ({info.role})."
    )


@users_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per account.")
@click.pass_context
def list_command(ctx: click.Context, as_json: bool) -> None:
    """List accounts with role, status and failed logins (never passwords)."""
    with write_session(_engine(ctx)) as session:
        accounts = users.list_users(session)
    if as_json:
        for a in accounts:
            click.echo(
                json.dumps(
                    {
                        "username": a.username,
                        "display_name": a.display_name,
                        "role": a.role,
                        "active": a.active,
                        "failed_logins": a.failed_logins,
                        "created_at": a.created_at.isoformat() if a.created_at else None,
                    },
                    ensure_ascii=False,
                )
            )
        return
    if not accounts:
        click.echo(
            "还没有账户。用 `python -m etl users add NAME --role admin` 创建。 No accounts yet."
        )
        return
    width = max(len("username"), *(len(a.username) for a in accounts))
    click.echo(f"{'username':<{width}}  {'role':<8}  {'status':<8}  failed  display name")
    for a in accounts:
        status = "active" if a.active else "disabled"
        click.echo(
            f"{a.username:<{width}}  {a.role:<8}  {status:<8}  {a.failed_logins:>6}  {a.display_name}"
        )


@users_group.command("set-role")
@click.argument("name")
@click.argument("role", type=_ROLE)
@click.pass_context
def set_role_command(ctx: click.Context, name: str, role: str) -> None:
    """Give NAME the role ROLE (viewer, analyst or admin)."""
    info = _run(ctx, users.set_role, name, role)
    click.echo(
        f"{info.username} 的角色现为 {info.role}. Role of {info.username} is now {info.role}."
    )


@users_group.command("reset-password")
@click.argument("name")
@_PASSWORD_STDIN
@click.pass_context
def reset_password_command(ctx: click.Context, name: str, password_stdin: bool) -> None:
    """Set a new password for NAME; also lifts a lock-out after failed logins."""
    with write_session(_engine(ctx)) as session:
        if users.get_user(session, name) is None:
            raise _UsersCommandError(f"没有用户 {name!r} (no such user)")
    password = _read_password(password_stdin)
    info = _run(ctx, users.reset_password, name, password)
    click.echo(f"已重设 {info.username} 的密码。 Password of {info.username} reset.")


@users_group.command("disable")
@click.argument("name")
@click.pass_context
def disable_command(ctx: click.Context, name: str) -> None:
    """Disable NAME: the account can no longer log in (its history stays)."""
    info = _run(ctx, users.disable_user, name)
    click.echo(f"已停用 {info.username}。 Disabled {info.username}.")


@users_group.command("enable")
@click.argument("name")
@click.pass_context
def enable_command(ctx: click.Context, name: str) -> None:
    """Enable NAME again (and clear its failed-login count)."""
    info = _run(ctx, users.enable_user, name)
    click.echo(f"已启用 {info.username}。 Enabled {info.username}.")

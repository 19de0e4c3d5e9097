"""``python -m etl``: a thin click layer over ``etl.pipeline`` and friends.

Typed errors from the library become a message and an exit code here, never a traceback:
0 done (or nothing to do), 1 a file rejected by validation, 2 usage or unreadable input.
Commands live in their own modules and register themselves on ``cli`` when imported, which
happens only for the command that runs (``COMMAND_MODULES``).
"""

from __future__ import annotations

import getpass
import importlib
import socket

import click
from sqlalchemy.exc import DBAPIError

from db.session import is_lock_timeout

EXIT_OK = 0
EXIT_REJECTED = 1
EXIT_USAGE = 2
EXIT_BUSY = 3  # another load or rollback held the store past --wait; nothing written


DB_HELP = (
    "Database URL (default: $TQI_DATABASE_URL, else the embedded SQLite file data/tqi.sqlite3)."
)


def _remember_db(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    """``--db`` given after a subcommand: store it where every command looks (``ctx.obj``)."""
    if value is not None:
        root = ctx.find_root()
        root.ensure_object(dict)["db_url"] = value
        ctx.ensure_object(dict)["db_url"] = value


def db_option() -> click.Option:
    """The ``--db URL`` every subcommand accepts, so it may follow the subcommand too."""
    return click.Option(
        ["--db", "db_url_after"],
        metavar="URL",
        help=DB_HELP,
        expose_value=False,
        is_eager=True,
        callback=_remember_db,
    )


class DbGroup(click.Group):
    """A group that gives each command added to it (and to its subgroups) a ``--db`` option.

    People type ``python -m etl load f.csv --db URL`` as often as ``--db URL load f.csv``;
    adding the option here, once, covers commands other modules register later too.
    """

    # Subgroups (``users``) are DbGroups as well.
    group_class: type[click.Group] | type[type] | None = type

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        if not any(isinstance(p, click.Option) and "--db" in p.opts for p in cmd.params):
            cmd.params.append(db_option())
        super().add_command(cmd, name)


# Where each command lives. A command's module is imported when that command runs (or when
# ``--help`` lists them all), so ``python -m etl users list`` starts without pandas and
# ``load`` without the report reader and the briefing's charts: every command used to pay
# ~2 s of imports for all of them. ``tests/test_cli.py`` checks this table against what the
# modules register.
COMMAND_MODULES = {
    "load": "etl.cli_batches",
    "export": "etl.cli_batches",
    "batches": "etl.cli_batches",
    "rollback": "etl.cli_batches",
    "sample": "etl.cli_batches",
    "template": "etl.cli_batches",
    "briefing": "etl.cli_briefing",
    "draft": "etl.cli_draft",
    "backup": "etl.cli_ops",
    "restore": "etl.cli_ops",
    "audit": "etl.cli_ops",
    "report": "etl.cli_report",
    "users": "etl.cli_users",
}


class RootGroup(DbGroup):
    """The root ``python -m etl`` group: commands from ``COMMAND_MODULES``, imported on use."""

    group_class = DbGroup  # its subgroups (``users``) list their own commands only

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMAND_MODULES.keys() | self.commands.keys())

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMAND_MODULES:
            importlib.import_module(COMMAND_MODULES[cmd_name])  # registers itself on ``cli``
        return super().get_command(ctx, cmd_name)


@click.group(cls=RootGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", "db_url", metavar="URL", help=DB_HELP)
@click.pass_context
def cli(ctx: click.Context, db_url: str | None) -> None:
    """交通运输质量指标看板 — load, export and manage the indicator store.

    \b
    Examples:
      python -m etl sample                      load the labelled sample data (示例数据)
      python -m etl load 2024.csv 2025.xlsx     load batch files, each all-or-nothing
      python -m etl export --format csv --out all.csv
      python -m etl batches                     list loaded batches
      python -m etl rollback 7                  undo batch 7
    """
    ctx.ensure_object(dict)["db_url"] = db_url


def cli_user(given: str = "") -> str:
    """Who runs a command: ``--user`` when given, else the operating-system login name, so
    batches and the audit trail never record an anonymous change from the command line."""
    if given:
        return given
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (some containers)
        return ""


def cli_address() -> str:
    """Where a command ran, for the audit trail (the app records the browser's address)."""
    return f"cli@{socket.gethostname()}"


def main() -> int:
    try:
        # Without standalone mode click returns ctx.exit()'s code instead of raising it.
        code = cli.main(standalone_mode=False, prog_name="python -m etl")
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.Abort:
        click.echo("已取消 Aborted.", err=True)
        return EXIT_USAGE
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except SystemExit as exc:
        return int(exc.code or 0)
    except DBAPIError as exc:
        # Any command (sample, report, users, catalog seeding…) that meets another writer
        # holding the store past the lock wait: the same plain answer as load and rollback.
        if not is_lock_timeout(exc):
            raise
        click.echo(BUSY_MESSAGE, err=True)
        return EXIT_BUSY
    return code if isinstance(code, int) else EXIT_OK


BUSY_MESSAGE = (
    "✘ 另一个载入或回滚正在写入数据库，本次未写入任何内容，请稍后重试 "
    "(another load or rollback is writing to the store; nothing was written, try again later)"
)

"""``python -m etl`` as a user uses it: exit codes and output (in the worker, or as real
processes where the test is about the process; see ``tests/conftest.py::etl``)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from sqlalchemy import select

from db.models import Indicator, Target
from db.session import get_engine, read_session
from etl.cli import COMMAND_MODULES, cli
from tests.conftest import ROOT, app_env, etl, stored_figures


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


GOOD = "指标,年份,数值\n行政审批办理量,2024,34000\n排查治理安全隐患,2024,1800\n"
BAD = (
    "指标,年份,数值\n行政审批办理量,2024,34000\n行政审批量X,2024,12\n排查治理安全隐患,二〇二四,5\n"
)


def test_load_json_reports_counts_and_batch(sqlite_url: str, tmp_path: Path) -> None:
    path = write(tmp_path, "good.csv", GOOD)
    done = etl(sqlite_url, "load", str(path), "--json", "--user", "alice", process=True)
    assert done.returncode == 0, done.stderr.decode()
    result = json.loads(done.stdout)
    assert result["status"] == "loaded"
    assert result["counts"]["inserted"] == 2
    assert result["errors"] == []
    again = etl(sqlite_url, "load", str(path), "--json")
    assert again.returncode == 0
    dup = json.loads(again.stdout)
    assert dup["status"] == "duplicate" and dup["duplicate_of"] == result["batch_id"]


def test_rejected_file_exit_1_with_every_error(sqlite_url: str, tmp_path: Path) -> None:
    path = write(tmp_path, "bad.csv", BAD)
    done = etl(sqlite_url, "load", str(path), "--json", process=True)
    assert done.returncode == 1
    result = json.loads(done.stdout)
    assert result["status"] == "rejected" and result["batch_id"] is None
    errors = {(e["code"], e["row"], e["column"]) for e in result["errors"]}
    assert ("unknown_indicator", 3, "指标") in errors
    assert ("invalid_year", 4, "年份") in errors
    unknown = next(e for e in result["errors"] if e["code"] == "unknown_indicator")
    assert "行政审批办理量" in unknown["suggestions"]
    human = etl(sqlite_url, "load", str(path))
    assert human.returncode == 1
    assert "第 3 行" in human.stderr.decode() and "Traceback" not in human.stderr.decode()
    listed = etl(sqlite_url, "batches", "--json")
    assert json.loads(listed.stdout) == []


def test_dry_run_writes_no_batch(sqlite_url: str, tmp_path: Path) -> None:
    path = write(tmp_path, "good.csv", GOOD)
    done = etl(sqlite_url, "load", "--dry-run", "--json", str(path))
    assert done.returncode == 0
    assert json.loads(done.stdout)["status"] == "dry_run"
    assert json.loads(etl(sqlite_url, "batches", "--json").stdout) == []


@pytest.mark.parametrize(
    ("name", "payload", "code"),
    [
        # Exit 2: cannot be read as text or a workbook (README "Exit codes").
        ("junk.csv", bytes(range(256)) * 40, 2),
        ("latin1.csv", "指标,年份,数值\n".encode() + "caf\xe9,2024,1\n".encode("latin-1"), 2),
        ("fake.xlsx", b"PK\x03\x04 not really a workbook", 2),
        # Exit 1: readable, but validation finds no data rows to load.
        ("empty.csv", b"", 1),
        ("header_only.csv", "指标,年份,数值\n".encode(), 1),
    ],
)
def test_unreadable_or_empty_input_gets_a_message_not_a_traceback(
    sqlite_url: str, tmp_path: Path, name: str, payload: bytes, code: int
) -> None:
    path = tmp_path / name
    path.write_bytes(payload)
    done = etl(sqlite_url, "load", str(path))
    stderr = done.stderr.decode()
    assert done.returncode == code, stderr
    assert "Traceback" not in stderr
    assert stderr.strip()
    listed = etl(sqlite_url, "batches", "--json")
    assert listed.returncode == 0 and json.loads(listed.stdout) == []


def test_usage_errors_exit_2(sqlite_url: str, tmp_path: Path) -> None:
    missing = etl(sqlite_url, "load", str(tmp_path / "nope.csv"), process=True)
    assert missing.returncode == 2 and "Traceback" not in missing.stderr.decode()
    assert etl(sqlite_url, "frobnicate").returncode == 2
    assert etl(sqlite_url, "rollback", "999").returncode == 2


def test_help_explains_commands(sqlite_url: str) -> None:
    done = etl(sqlite_url, "--help")
    out = done.stdout.decode()
    assert done.returncode == 0
    for command in ("load", "export", "batches", "rollback", "sample", "template"):
        assert command in out


def test_sample_export_csv_is_excel_friendly(sqlite_url: str, tmp_path: Path) -> None:
    assert etl(sqlite_url, "sample", process=True).returncode == 0
    out = tmp_path / "all.csv"
    done = etl(sqlite_url, "export", "--format", "csv", "--out", str(out))
    assert done.returncode == 0, done.stderr.decode()
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert list(rows[0]) == [  # DESIGN.md "CLI"
        "category_code",
        "category",
        "indicator_code",
        "indicator",
        "year",
        "region",
        "value",
        "target",
        "unit",
        "qualifier",
        "note",
        "batch_id",
    ]
    # Every stored value and every stored target, read straight from the tables.
    engine = get_engine(sqlite_url)
    with read_session(engine) as s:
        targets = {
            (c, y, r): v
            for c, y, r, v in s.execute(
                select(Indicator.code, Target.year, Target.region, Target.value).join(Indicator)
            )
        }
    values = stored_figures(engine)
    assert len(values) == 1724
    exported = {(r["indicator_code"], int(r["year"]), r["region"]): r for r in rows}
    assert len(exported) == len(rows) == len(values.keys() | targets.keys())
    assert {k: float(r["value"]) for k, r in exported.items() if r["value"]} == {
        k: v for k, (v, _q) in values.items()
    }
    assert {k: float(r["target"]) for k, r in exported.items() if r["target"]} == targets


def test_export_empty_store_is_header_only(sqlite_url: str, tmp_path: Path) -> None:
    out = tmp_path / "empty.csv"
    assert etl(sqlite_url, "export", "--out", str(out)).returncode == 0
    assert out.read_bytes().decode("utf-8-sig").strip().startswith("category_code,")
    assert len(out.read_bytes().decode("utf-8-sig").strip().splitlines()) == 1


def test_export_json_keeps_text_as_stored(sqlite_url: str, tmp_path: Path) -> None:
    """JSON is for programs: no neutralising prefix (CSV/XLSX cells: test_formula_safety)."""
    path = write(tmp_path, "f.csv", "指标,年份,数值,备注\n应急演练,2024,3,=HYPERLINK(1)\n")
    assert etl(sqlite_url, "load", str(path)).returncode == 0
    data = etl(sqlite_url, "export", "--format", "json")
    assert data.returncode == 0
    assert json.loads(data.stdout)[0]["note"] == "=HYPERLINK(1)"


def test_rollback_command(sqlite_url: str, tmp_path: Path) -> None:
    first = write(tmp_path, "a.csv", GOOD)
    second = write(tmp_path, "b.csv", GOOD.replace("34000", "35000"))
    assert etl(sqlite_url, "load", str(first)).returncode == 0
    assert etl(sqlite_url, "load", str(second)).returncode == 0
    refused = etl(sqlite_url, "rollback", "1")
    assert refused.returncode == 1
    assert "2" in refused.stderr.decode()
    assert etl(sqlite_url, "rollback", "2").returncode == 0
    assert etl(sqlite_url, "rollback", "1").returncode == 0
    listed = json.loads(etl(sqlite_url, "batches", "--json").stdout)
    assert [b["status"] for b in listed] == ["rolled_back", "rolled_back"]


@pytest.mark.parametrize(("layout", "fmt"), [("long", "csv"), ("wide", "csv"), ("wide", "xlsx")])
def test_template_loads_as_shipped(sqlite_url: str, tmp_path: Path, layout: str, fmt: str) -> None:
    out = tmp_path / f"template.{fmt}"
    made = etl(sqlite_url, "template", "--layout", layout, "--format", fmt, "--out", str(out))
    assert made.returncode == 0, made.stderr.decode()
    if fmt == "csv":
        text = out.read_bytes().decode("utf-8-sig")
        assert "行政审批办理量" in text and "管养公路平均优良路率" in text
        assert len(list(csv.DictReader(io.StringIO(text)))) == 48
    done = etl(sqlite_url, "load", str(out), "--json")
    assert done.returncode == 0, done.stdout.decode()
    result = json.loads(done.stdout)
    assert result["status"] == "loaded"
    assert result["counts"]["inserted"] == (
        48 if layout == "long" else 2 * (48 - 7)
    )  # no epidemic figures after 2022


# --- --db before or after the subcommand ------------------------------------------------


def every_command(
    group: click.Group, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    """Each command and subcommand as ``python -m etl`` finds it (the root imports on demand)."""
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, name
        yield (*path, name), command
        if isinstance(command, click.Group):
            yield from every_command(command, (*path, name))


def test_every_subcommand_accepts_db() -> None:
    """Commands other modules register later get ``--db`` too (``etl.cli.DbGroup``)."""
    commands = dict(every_command(cli))
    assert {("load",), ("export",), ("users",), ("users", "add"), ("report",)} <= commands.keys()
    for path, command in commands.items():
        assert any("--db" in p.opts for p in command.params), path


def test_each_command_is_found_in_the_module_that_defines_it() -> None:
    """``COMMAND_MODULES`` names every command, each where it lives, and nothing else."""
    found = {path[0]: command for path, command in every_command(cli) if len(path) == 1}
    assert found.keys() == COMMAND_MODULES.keys() == cli.commands.keys()
    for name, command in found.items():
        assert command.callback is not None
        assert command.callback.__module__ == COMMAND_MODULES[name], name
    assert {"load", "export", "batches", "rollback", "users", "audit", "backup"} <= found.keys()


# A fresh interpreter runs one command through ``main`` and lists the heavy packages it
# imported: a command imports its own module and what that needs, not every command's.
ONE_COMMAND = """
import json, sys
from etl.cli import main
code = main()
print(json.dumps({"code": code, "loaded": sorted(
    m for m in WATCHED if m in sys.modules)}), file=sys.stderr)
"""
HEAVY = ("pandas", "docx", "etl.cli_batches", "etl.cli_draft", "etl.cli_report",
         "etl.cli_briefing", "etl.report")  # fmt: skip


def imported_by(db_url: str, *args: str, watched: tuple[str, ...] = HEAVY) -> dict:
    snippet = f"WATCHED = {watched!r}\n{ONE_COMMAND}"
    done = subprocess.run(
        [sys.executable, "-c", snippet, "--db", db_url, *args],
        cwd=ROOT, env=app_env(), capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    return json.loads(done.stderr.strip().splitlines()[-1])


def test_a_command_imports_only_what_it_needs(sqlite_url: str) -> None:
    assert imported_by(sqlite_url, "users", "list") == {"code": 0, "loaded": []}
    assert imported_by(sqlite_url, "audit") == {"code": 0, "loaded": []}
    batches = imported_by(sqlite_url, "batches")
    assert batches == {"code": 0, "loaded": ["etl.cli_batches", "pandas"]}


def test_a_command_on_a_store_at_head_skips_alembic(sqlite_url: str) -> None:
    """Alembic is imported to migrate a store, never just to find it already up to date."""
    assert imported_by(sqlite_url, "audit", watched=("alembic",)) == {
        "code": 0,
        "loaded": ["alembic"],  # a new store: migrated from nothing
    }
    assert imported_by(sqlite_url, "audit", watched=("alembic",)) == {"code": 0, "loaded": []}


def etl_db_after(
    db_url: str, *args: str, stdin: bytes | None = None
) -> subprocess.CompletedProcess:
    """``python -m etl ARGS --db URL``, with ``TQI_DATABASE_URL`` pointing at a decoy store,
    so a ``--db`` that was ignored would show up as that decoy being created."""
    return subprocess.run(
        [sys.executable, "-m", "etl", *args, "--db", db_url],
        cwd=ROOT,
        env=app_env(TQI_DATABASE_URL=db_url.replace(".sqlite3", "-decoy.sqlite3")),
        input=stdin,
        capture_output=True,
        timeout=180,
    )


def test_db_after_the_subcommand(sqlite_url: str, tmp_path: Path) -> None:
    """Each subcommand with ``--db`` last works on that store, as ``--db`` first does."""
    path = write(tmp_path, "good.csv", GOOD)
    done = etl_db_after(sqlite_url, "load", str(path), "--json")
    assert done.returncode == 0, done.stderr.decode()
    assert json.loads(done.stdout)["batch_id"] == 1
    assert json.loads(etl(sqlite_url, "batches", "--json").stdout)[0]["batch_id"] == 1  # before
    listed = etl_db_after(sqlite_url, "batches", "--json")
    assert [b["batch_id"] for b in json.loads(listed.stdout)] == [1]
    exported = etl_db_after(sqlite_url, "export", "--format", "csv")
    assert exported.returncode == 0
    assert "行政审批办理量" in exported.stdout.decode("utf-8-sig")
    template = tmp_path / "t.csv"
    assert etl_db_after(sqlite_url, "template", "--out", str(template)).returncode == 0
    added = etl_db_after(
        sqlite_url, "users", "add", "ops", "--password-stdin", stdin=b"pass-word-1\n"
    )
    assert added.returncode == 0, added.stderr.decode()
    users_listed = etl(sqlite_url, "users", "list", "--json")
    assert [json.loads(line)["username"] for line in users_listed.stdout.splitlines()] == ["ops"]
    rolled = etl_db_after(sqlite_url, "rollback", "1")
    assert rolled.returncode == 0, rolled.stderr.decode()
    assert json.loads(etl(sqlite_url, "batches", "--json").stdout)[0]["status"] == "rolled_back"
    decoy = Path(sqlite_url.removeprefix("sqlite:///").replace(".sqlite3", "-decoy.sqlite3"))
    assert not decoy.exists()


def test_db_without_a_url_is_a_usage_error() -> None:
    missing = subprocess.run(
        [sys.executable, "-m", "etl", "batches", "--db"],
        cwd=ROOT,
        env=app_env(),
        capture_output=True,
        timeout=180,
    )
    assert missing.returncode == 2
    assert b"--db" in missing.stderr and b"Traceback" not in missing.stderr

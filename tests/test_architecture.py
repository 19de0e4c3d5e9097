"""Dependencies point one way: db/, etl/, briefing/ and charts/ never import streamlit (so the
CLI and tests share one ETL and one set of charts), and db/ never imports etl/ or ui/."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import require_chromium

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(path: Path) -> set[str]:
    """Absolute module names ``path`` imports (``from ui import x`` counts as ``ui``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("db", {"streamlit", "etl", "ui", "pages", "briefing", "charts", "click"}),
        ("etl", {"streamlit", "ui", "pages"}),
        ("briefing", {"streamlit", "ui", "pages"}),
        ("charts", {"streamlit", "ui", "pages", "briefing", "etl"}),
        ("texts", {"streamlit", "pages", "ui", "db", "etl", "briefing", "charts"}),
    ],
)
def test_imports_point_one_way(package: str, forbidden: set[str]) -> None:
    offenders = {
        str(path.relative_to(ROOT)): {
            name for name in imported_modules(path) if name.split(".")[0] in forbidden
        }
        for path in (ROOT / package).rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_main_module_is_three_lines() -> None:
    lines = (ROOT / "etl" / "__main__.py").read_text().strip().splitlines()
    assert len([line for line in lines if line.strip()]) <= 3


# Runs in a fresh interpreter: the CLI's ``sample``, ``briefing`` and ``load`` commands
# in-process (click's CliRunner), then lists what got imported: no Streamlit, and nothing
# of ``ui`` (the text catalogue is ``texts/``).
CLI_RUN = """
import json, sys
from pathlib import Path
from click.testing import CliRunner
import briefing, charts, db, etl
from etl.cli import cli

out = Path(sys.argv[1])
db_url = f"sqlite:///{out / 'tqi.sqlite3'}"
runner = CliRunner()
steps = {
    "sample": ["--db", db_url, "sample"],
    "briefing": ["--db", db_url, "briefing", "--years", "2024-2025", "--charts", "targets",
                 "--out", str(out / "pack.pptx")],
    "load": ["--db", db_url, "load", str(out / "more.csv")],
}
codes = {}
for step, args in steps.items():
    done = runner.invoke(cli, args, catch_exceptions=False)
    codes[step] = (done.exit_code, done.output[-400:])
print(json.dumps({
    "codes": codes,
    "streamlit": sorted(m for m in sys.modules if m.split(".")[0] == "streamlit"),
    "ui": sorted(m for m in sys.modules if m.split(".")[0] == "ui"),
    "pack": (out / "pack.pptx").stat().st_size if (out / "pack.pptx").exists() else 0,
}))
"""


def test_cli_briefing_and_load_never_import_streamlit(tmp_path: Path) -> None:
    require_chromium()  # the briefing renders its charts in Chromium
    (tmp_path / "more.csv").write_text("指标,年份,数值\n应急演练,2026,41\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(CLI_RUN), str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert {step: code for step, (code, _) in report["codes"].items()} == {
        "sample": 0,
        "briefing": 0,
        "load": 0,
    }, report["codes"]
    assert report["pack"] > 0
    assert report["streamlit"] == []
    assert report["ui"] == []

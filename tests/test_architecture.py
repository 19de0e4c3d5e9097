"""Dependencies point one way: db/ and etl/ never import streamlit (so the CLI and tests share
one ETL), and db/ never imports etl/ or ui/."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("db", {"streamlit", "etl", "ui", "pages", "briefing", "click"}),
        ("etl", {"streamlit", "ui", "pages"}),
        ("briefing", {"streamlit", "pages"}),
        ("texts", {"streamlit", "pages", "ui", "db", "etl", "briefing", "charts"}),
    ],
)
def test_imports_point_one_way(package: str, forbidden: set[str]) -> None:
    offenders = {
        str(path.relative_to(ROOT)): imported_modules(path) & forbidden
        for path in (ROOT / package).rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_main_module_is_three_lines() -> None:
    lines = (ROOT / "etl" / "__main__.py").read_text().strip().splitlines()
    assert len([line for line in lines if line.strip()]) <= 3

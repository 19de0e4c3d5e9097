"""The text catalogue is complete and has nothing extra: every key the code looks up exists
in Chinese and English with the same placeholders, and every entry is looked up somewhere.

The source is read with :mod:`ast`, so a key counts as used only where ``localized`` is called with
it. A look-up whose key is built at run time (``localized(f"rule.{aggregation}")``) names its keys
in :data:`DYNAMIC_KEYS`, under the literal text its key starts with. This file itself is
not scanned (it looks up a missing key on purpose).
"""

from __future__ import annotations

import ast
import string
from collections.abc import Iterator
from pathlib import Path

import pytest

from texts import CATALOG, QUALIFIER_SYMBOLS, localized, md_escape

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("app.py", "pages", "ui", "charts", "briefing", "etl", "db", "bench", "tests", "texts")

DYNAMIC_KEYS: dict[str, tuple[str, ...]] = {
    "analyst.col.": (
        "analyst.col.row",
        "analyst.col.column",
        "analyst.col.value_raw",
        "analyst.col.message",
        "analyst.col.suggestions",
        "analyst.col.code",
        "analyst.col.indicator",
        "analyst.col.year",
        "analyst.col.region",
        "analyst.col.value",
        "analyst.col.qualifier",
        "analyst.col.note",
        "analyst.col.target",
        "analyst.col.kind",
        "analyst.col.old_value",
        "analyst.col.new_value",
        "analyst.col.change",
    ),
    "analyst.qualifier.": ("analyst.qualifier.more_than", "analyst.qualifier.about"),
    "agg.": ("agg.sum", "agg.mean"),
    "dir.": ("dir.up", "dir.down"),
    "role.": ("role.viewer", "role.analyst", "role.admin"),
    "rule.": ("rule.sum", "rule.mean"),
    "direction.": ("direction.up", "direction.down"),
    "qualifier.": ("qualifier.more_than", "qualifier.about"),
    "category.view.": ("category.view.city", "category.view.regions"),
    "legend.": ("legend.good", "legend.bad", "legend.same"),
    "upload.template_": ("upload.template_long", "upload.template_wide"),
    "batches.kind.": ("batches.kind.file", "batches.kind.report", "batches.kind.sample"),
    "briefing.": ("briefing.pptx", "briefing.pdf", "briefing.png"),
    "audit.action.": (
        "audit.action.login",
        "audit.action.login_failed",
        "audit.action.login_locked_out",
        "audit.action.batch_loaded",
        "audit.action.batch_rolled_back",
        "audit.action.catalog_edited",
        "audit.action.account_changed",
        "audit.action.store_restored",
    ),
    "kind.": ("kind.observation", "kind.target"),
    "change.": ("change.inserted", "change.updated"),
    "": ("catalog.first_year", "catalog.last_year"),  # pages/catalog.py: the year fields
}
"""Keys looked up by a key built at run time, under the literal start of that key."""


def _python_files() -> Iterator[Path]:
    for name in SOURCES:
        path = ROOT / name
        if path.is_file():
            yield path
        elif path.is_dir():
            yield from sorted(p for p in path.rglob("*.py") if p != Path(__file__).resolve())


def _look_ups() -> Iterator[tuple[str, ast.expr]]:
    """Every ``localized(key, …)`` call in the project: where it is and its key expression."""
    for path in _python_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if called != "localized":
                continue
            key = (
                node.args[0]
                if node.args
                else next(k.value for k in node.keywords if k.arg == "key")
            )
            yield f"{path.relative_to(ROOT)}:{node.lineno}", key


def _literal_keys() -> dict[str, str]:
    """Keys written out: ``localized("a")``, and both of ``localized("a" if x else "b")``."""
    keys: dict[str, str] = {}
    for where, key in _look_ups():
        branches = [key.body, key.orelse] if isinstance(key, ast.IfExp) else [key]
        for branch in branches:
            if isinstance(branch, ast.Constant) and isinstance(branch.value, str):
                keys[branch.value] = where
    return keys


def _dynamic_heads() -> dict[str, str]:
    """The literal start of each run-time key (``""`` when it has none)."""
    heads: dict[str, str] = {}
    for where, key in _look_ups():
        branches = [key.body, key.orelse] if isinstance(key, ast.IfExp) else [key]
        if all(isinstance(b, ast.Constant) for b in branches):
            continue
        head = ""
        if (
            isinstance(key, ast.JoinedStr)
            and key.values
            and isinstance(key.values[0], ast.Constant)
        ):
            head = str(key.values[0].value)
        heads.setdefault(head, where)
    return heads


def test_every_key_the_code_looks_up_exists_in_both_languages() -> None:
    missing = {key: where for key, where in _literal_keys().items() if key not in CATALOG}
    assert missing == {}
    empty = [key for key, (zh, en) in CATALOG.items() if not (zh.strip() and en.strip())]
    assert empty == []


def test_every_run_time_key_is_listed_and_exists() -> None:
    unlisted = {head: where for head, where in _dynamic_heads().items() if head not in DYNAMIC_KEYS}
    assert unlisted == {}, "name the keys these look-ups can build in DYNAMIC_KEYS"
    for head, keys in DYNAMIC_KEYS.items():
        assert [k for k in keys if not k.startswith(head) or k not in CATALOG] == [], head


def test_no_catalogue_key_is_unused() -> None:
    used = set(_literal_keys())
    for head in _dynamic_heads():
        used.update(DYNAMIC_KEYS.get(head, ()))
    assert sorted(set(CATALOG) - used) == []


def test_both_languages_have_the_same_placeholders() -> None:
    fields = string.Formatter()
    differ = {}
    for key, (zh, en) in CATALOG.items():
        zh_names = {f for _, f, _, _ in fields.parse(zh) if f is not None}
        en_names = {f for _, f, _, _ in fields.parse(en) if f is not None}
        if zh_names != en_names:
            differ[key] = (sorted(zh_names), sorted(en_names))
    assert differ == {}


def test_look_up_fills_placeholders_and_escapes_values_for_markdown() -> None:
    assert localized("city") == "全市"
    assert localized("city", "en") == "City-wide"
    assert localized("city", "fr") == "全市"  # an unknown language reads Chinese
    assert localized("empty.category", "zh", name="a_b") == "“a_b”在所选年份没有数据"
    assert localized("empty.category", "zh", md=True, name="a_b") == "“a\\_b”在所选年份没有数据"
    assert localized("tile.moves", "zh", md=True, up=3, down=1).startswith(
        "较上年向好 :green[**3**]"
    )
    with pytest.raises(KeyError):
        localized("no.such.key")


HELPERS = ("_MARKDOWN_SPECIAL", "_UNSAFE_FILENAME", "QUALIFIER_SYMBOLS", "QUALIFIER_MARK")


def test_markdown_symbols_and_file_names_live_in_texts_only() -> None:
    """The escaper, the ≥/≈ symbols and the file-name cleaner each exist once (in texts/)."""
    symbols = repr(QUALIFIER_SYMBOLS)
    copies = []
    for path in _python_files():
        if path.is_relative_to(ROOT / "texts") or path.is_relative_to(ROOT / "tests"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.name in (
                "md_escape",
                "safe_filename",
                "safe_file_stem",
            ):
                copies.append(f"{path.relative_to(ROOT)}:{node.lineno} def {node.name}")
            elif isinstance(node, ast.Dict):
                try:
                    if repr(ast.literal_eval(node)) == symbols:
                        copies.append(f"{path.relative_to(ROOT)}:{node.lineno} ≥/≈ table")
                except ValueError:
                    pass
            elif (
                isinstance(node, ast.Name)
                and isinstance(node.ctx, ast.Store)
                and node.id in HELPERS
            ):
                copies.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.id}")
    assert copies == []
    assert md_escape("[a](b) *c*") == r"\[a\]\(b\) \*c\*"

"""Table exports (``python -m etl export``, the batch template) come from one table,
``etl.export.TABLE_FORMATS``: each registered format is written, an unknown one refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.export import TABLE_FORMATS, export_bytes, table_format, template_formats
from etl.input_formats import INPUT_FORMATS
from etl.issues import UnknownFormatError
from tests.conftest import etl, sample_store

# How each file starts, from the formats themselves (CSV: UTF-8 BOM for Excel; XLSX: a zip;
# JSON: an array of records). A new format needs its line here.
MAGIC = {"csv": b"\xef\xbb\xbf", "xlsx": b"PK\x03\x04", "json": b"["}


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    return sample_store(tmp_path_factory.mktemp("tables") / "tqi.sqlite3")


def test_every_table_format_has_its_signature() -> None:
    assert set(MAGIC) == set(TABLE_FORMATS)


def test_templates_are_the_formats_loading_reads_back() -> None:
    assert sorted(template_formats()) == ["csv", "xlsx"]
    assert all(f".{name}" in INPUT_FORMATS for name in template_formats())


@pytest.mark.parametrize("name", ["pptx", "XLSX", "", "tsv"])
def test_unknown_table_format_raises(name: str) -> None:
    with pytest.raises(UnknownFormatError, match="csv"):
        table_format(name)
    with pytest.raises(ValueError):  # as export_bytes always raised for a bad name
        export_bytes(None, name)  # type: ignore[arg-type]  # refused before any read


@pytest.mark.parametrize("name", sorted(MAGIC))
def test_cli_exports_every_registered_format(name: str, sample_db: str, tmp_path: Path) -> None:
    out = tmp_path / f"all.{name}"
    done = etl(sample_db, "export", "--format", name, "--out", str(out), decode=True)
    assert done.returncode == 0, done.stderr
    assert out.read_bytes().startswith(MAGIC[name])


@pytest.mark.parametrize("name", ["csv", "xlsx"])
def test_cli_template_in_every_template_format_loads_back(
    name: str, sample_db: str, tmp_path: Path
) -> None:
    out = tmp_path / f"template.{name}"
    written = etl(sample_db, "template", "--format", name, "--out", str(out), decode=True)
    assert written.returncode == 0, written.stderr
    checked = etl(sample_db, "load", "--dry-run", str(out), decode=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_cli_refuses_an_unknown_export_format(sample_db: str, tmp_path: Path) -> None:
    done = etl(sample_db, "export", "--format", "pptx", "--out", str(tmp_path / "x"), decode=True)
    assert done.returncode == 2
    assert all(name in done.stderr for name in MAGIC)
    assert not (tmp_path / "x").exists()

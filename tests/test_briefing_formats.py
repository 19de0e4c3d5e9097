"""Output formats come from one table (``briefing.formats``): the CLI writes each, the page
offers each, and a format not in the table is an error, never a quiet PPTX."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing.formats import CHART_FORMATS, PACK_FORMATS, UnknownFormatError, pack_format
from briefing.pack import build_pack, pack_file_name
from db.session import get_engine, read_session
from tests.apptest import open_page
from tests.conftest import etl, sample_store

# What each format's file starts with, from the formats' own specifications (a PPTX is an
# Office Open XML zip, a PDF starts with its header): a new format needs its line here.
MAGIC = {"pptx": b"PK\x03\x04", "pdf": b"%PDF-"}
MEDIA = {
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "pdf": "application/pdf",
    "png": "image/png",
}
LABELS = {"pptx": "生成简报 PPTX", "pdf": "生成简报 PDF", "png": "PNG"}  # the page's buttons


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    return sample_store(tmp_path_factory.mktemp("formats") / "tqi.sqlite3")


def test_every_format_has_its_file_signature_and_media_type() -> None:
    assert set(MAGIC) == set(PACK_FORMATS)
    assert {f.name: f.media_type for f in [*PACK_FORMATS.values(), *CHART_FORMATS.values()]} == (
        MEDIA
    )


@pytest.mark.parametrize("name", ["docx", "PPTX", "", "png"])
def test_unknown_pack_format_raises(name: str, sqlite_url: str) -> None:
    with pytest.raises(UnknownFormatError, match="pptx"):
        pack_format(name)
    with pytest.raises(UnknownFormatError):
        pack_file_name((2016, 2025), name)
    # refused before anything is read or rendered: an empty store still says "format"
    with read_session(get_engine(sqlite_url)) as session, pytest.raises(UnknownFormatError):
        build_pack(session, years=(2016, 2025), fmt=name)


def test_file_name_takes_the_suffix_from_the_table() -> None:
    assert pack_file_name((2016, 2025), "pdf") == "交通运输质量指标简报_2016-2025.pdf"
    assert pack_file_name((2021, 2025), "pptx") == "交通运输质量指标简报_2021-2025.pptx"


@pytest.mark.parametrize("name", sorted(MAGIC))
def test_cli_writes_every_registered_format(
    name: str, chromium_path: str, sample_db: str, tmp_path: Path
) -> None:
    out = tmp_path / f"pack{PACK_FORMATS[name].suffix}"
    done = etl(sample_db, "briefing", "--years", "2024-2025", "--charts", "targets", "--out",
               str(out), decode=True)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert out.read_bytes().startswith(MAGIC[name])


def test_cli_refuses_an_unknown_suffix_naming_every_format(sample_db: str, tmp_path: Path) -> None:
    out = tmp_path / "pack.docx"
    done = etl(sample_db, "briefing", "--years", "2016-2025", "--out", str(out), decode=True)
    assert done.returncode == 2
    assert all(f".{name}" in done.stderr for name in MAGIC)
    assert not out.exists()
    helped = etl(sample_db, "briefing", "--help", decode=True)
    assert all(f".{name}" in helped.stdout for name in MAGIC)


def test_page_offers_every_registered_format(
    monkeypatch: pytest.MonkeyPatch, sample_db: str
) -> None:
    monkeypatch.setenv("TQI_DATABASE_URL", sample_db)
    at = open_page("pages/briefing_export.py")
    at.multiselect(key="briefing_charts").set_value(["targets", "change:safety"]).run()
    buttons = [(b.proto.label, b.proto.id) for b in at.get("download_button")]
    packs = [label for label, key in buttons if "briefing_" in key]
    assert packs == [LABELS[name] for name in PACK_FORMATS]  # in the table's order
    assert sorted(packs) == sorted(LABELS[name] for name in MAGIC)
    for chart in ("targets", "change:safety"):
        per_chart = [label for label, key in buttons if key.endswith(f"_{chart}")]
        assert per_chart == [LABELS[name] for name in CHART_FORMATS]

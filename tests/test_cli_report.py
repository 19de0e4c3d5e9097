"""``python -m etl report`` as a user runs it: real processes, exit codes, output, the store."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from db.batches import store_counts
from db.models import Batch
from db.session import get_engine, read_session
from tests.conftest import ROOT, etl, stored_figures

REPORTS = ROOT / "tests" / "data" / "reports"
FILLED = REPORTS / "report_2020_filled.txt"
SEED = REPORTS / "seed_2020.txt"


def observations(db_url: str) -> dict[tuple[str, int, str], tuple[float, str | None]]:
    return stored_figures(get_engine(db_url))


def batch_count(db_url: str) -> int:
    with read_session(get_engine(db_url)) as session:
        return store_counts(session)["batches"]


def test_dry_run_json_lists_figures_and_writes_nothing(db_url: str) -> None:
    done = etl(db_url, "report", str(FILLED), "--dry-run", "--json", process=True)
    assert done.returncode == 0, done.stderr.decode()
    out = json.loads(done.stdout)
    assert out["status"] == "dry_run" and out["year"] == 2020
    assert len(out["figures"]) == 43 and out["missing"] == []
    approvals = next(f for f in out["figures"] if f["indicator_code"] == "business.approvals")
    assert approvals["value"] == 30000 and approvals["unit"] == "件"
    assert approvals["qualifier"] == "more_than" and approvals["year"] == 2020
    assert "全年实施行政审批3万余件" in approvals["sentence"]
    # the same plates are stated twice with the same figure: loaded once, with a warning
    assert out["counts"]["inserted"] == 42
    assert any(w["code"] for w in out["warnings"])
    assert observations(db_url) == {} and batch_count(db_url) == 0


def test_report_loads_as_one_batch_from_the_report(db_url: str) -> None:
    done = etl(db_url, "report", str(FILLED), "--user", "alice")
    assert done.returncode == 0, done.stderr.decode()
    assert "行政审批办理量" in done.stdout.decode()
    stored = observations(db_url)
    assert stored[("business.approvals", 2020, "全市")] == (30000, "more_than")
    assert stored[("safety.shoulders_repaired", 2020, "全市")] == (12000, None)
    assert stored[("safety.road_excellence_rate", 2020, "全市")] == (87.5, None)
    with read_session(get_engine(db_url)) as session:
        (batch,) = session.scalars(select(Batch)).all()
    assert (batch.source_name, batch.source_kind, batch.loaded_by) == (
        "report_2020_filled.txt",
        "report",
        "alice",
    )
    again = etl(db_url, "report", str(FILLED), "--json")
    assert again.returncode == 0
    assert json.loads(again.stdout)["duplicate_of"] == batch.id


def test_year_and_region_options(sqlite_url: str) -> None:
    done = etl(sqlite_url, "report", str(FILLED), "--year", "2019", "--region", "城东区")
    assert done.returncode == 0, done.stderr.decode()
    assert {(y, r) for _c, y, r in observations(sqlite_url)} == {(2019, "城东区")}


def test_seed_has_no_figure_exit_1_with_missing(sqlite_url: str) -> None:
    done = etl(sqlite_url, "report", str(SEED), "--json")
    assert done.returncode == 1
    out = json.loads(done.stdout)
    assert out["status"] == "rejected" and out["figures"] == []
    assert len(out["missing"]) == 42 and "business.approvals" in out["missing"]
    assert [e["code"] for e in out["errors"]] == ["no_figures"]
    assert batch_count(sqlite_url) == 0


def test_invalid_figure_rejects_the_whole_report(sqlite_url: str, tmp_path: Path) -> None:
    text = FILLED.read_text("utf-8").replace("優(yōu)良路率87.5%", "優(yōu)良路率187.5%")
    path = tmp_path / "bad.txt"
    path.write_text(text, encoding="utf-8")
    done = etl(sqlite_url, "report", str(path), "--json")
    assert done.returncode == 1, done.stdout.decode()
    out = json.loads(done.stdout)
    assert out["status"] == "rejected"
    assert [e["row"] for e in out["errors"]] == [7]  # the report line it came from
    assert observations(sqlite_url) == {} and batch_count(sqlite_url) == 0


def test_unreadable_or_yearless_report_exit_2(sqlite_url: str, tmp_path: Path) -> None:
    binary = tmp_path / "scan.txt"
    binary.write_bytes(b"\x00\x01\x02PNG\x00" * 50)
    done = etl(sqlite_url, "report", str(binary))
    assert done.returncode == 2 and "scan.txt" in done.stderr.decode()
    yearless = tmp_path / "no_year.txt"
    yearless.write_text("全年实施行政审批3万余件。", encoding="gb18030")
    done = etl(sqlite_url, "report", str(yearless), "--json")
    assert done.returncode == 2
    assert "--year" in json.loads(done.stdout)["errors"][0]["message"]
    done = etl(sqlite_url, "report", str(yearless), "--year", "2021", "--json")
    assert done.returncode == 0, done.stdout.decode()
    assert observations(sqlite_url)[("business.approvals", 2021, "全市")] == (30000, "more_than")

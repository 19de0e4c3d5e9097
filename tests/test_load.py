"""Loading and reloading batches against real databases (SQLite and PostgreSQL).

Rolling back: tests/test_rollback.py; failures mid-write: tests/test_write_faults.py."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import Engine

from db.batches import store_counts
from db.models import Batch, Observation
from db.session import read_session, write_session
from etl.export import export_frame
from etl.pipeline import preview_file
from etl.sample import load_sample, sample_frame
from tests.store_state import fingerprint, load

LONG_CSV = """指标,年份,地区,数值,单位,备注
行政审批办理量,2023,全市,"32,100",件,
行政审批办理量,2024,全市,3.4万,件,全年
管养公路平均优良路率,2024,全市,91.5%,%,
查验车辆,2020,全市,30余万,辆次,疫情期间
"""


def test_load_then_export_round_trip(engine: Engine) -> None:
    result = load(engine, LONG_CSV, user="alice")
    assert result.status == "loaded", result.errors
    assert result.counts["inserted"] == 4
    with read_session(engine) as s:
        frame = export_frame(s).set_index(["indicator_code", "year"])
        batch = s.get(Batch, result.batch_id)
        assert batch.loaded_by == "alice" and batch.inserted == 4
    assert frame.loc[("business.approvals", 2023), "value"] == 32100
    assert frame.loc[("business.approvals", 2024), "value"] == 34000
    assert frame.loc[("business.approvals", 2024), "note"] == "全年"
    assert frame.loc[("safety.road_excellence_rate", 2024), "value"] == pytest.approx(91.5)
    vehicles = frame.loc[("epidemic.vehicles_checked", 2020)]
    assert vehicles["value"] == 300_000 and vehicles["qualifier"] == "more_than"
    assert set(frame["batch_id"]) == {result.batch_id}


def test_notes_with_separators_quotes_and_lines_arrive_exactly(engine: Engine) -> None:
    """The staging copy (CSV through ``COPY`` on PostgreSQL) must not bend a note: commas,
    doubled quotes, a line break, a tab, a backslash-N that is text, not NULL."""
    notes = ["含,逗号", '引号"内"', "两行\n第二行", "制表\t符", "\\N"]
    rows = "".join(
        f'行政审批办理量,{2016 + n},全市,{n + 1},件,"{note.replace(chr(34), chr(34) * 2)}"\n'
        for n, note in enumerate(notes)
    )
    result = load(engine, "指标,年份,地区,数值,单位,备注\n" + rows)
    assert result.status == "loaded", result.errors
    with read_session(engine) as s:
        frame = export_frame(s).set_index("year")
    assert [frame.loc[2016 + n, "note"] for n in range(len(notes))] == notes


def test_rejected_file_changes_nothing(engine: Engine) -> None:
    load(engine, LONG_CSV)
    before = fingerprint(engine)
    bad = LONG_CSV.replace("32,100", "32,1x0") + "不存在的指标,2024,全市,5,件,\n"
    result = load(engine, bad, name="bad.csv")
    assert result.status == "rejected"
    assert {e.code for e in result.errors} >= {"invalid_value", "unknown_indicator"}
    assert fingerprint(engine) == before


def test_byte_identical_reload_writes_nothing(engine: Engine) -> None:
    first = load(engine, LONG_CSV)
    before = fingerprint(engine)
    again = load(engine, LONG_CSV, name="copy-of-batch.csv")
    assert again.status == "duplicate" and again.duplicate_of == first.batch_id
    assert fingerprint(engine) == before


def test_dry_run_and_preview_write_nothing(engine: Engine) -> None:
    before = fingerprint(engine)
    dry = load(engine, LONG_CSV, dry_run=True)
    assert dry.status == "dry_run" and dry.counts["inserted"] == 4
    with write_session(engine) as s:
        preview = preview_file(s, LONG_CSV.encode(), "x.csv")
        s.commit()
    assert preview.status == "dry_run"
    assert fingerprint(engine) == before


def test_sample_data_covers_the_catalog(engine: Engine) -> None:
    with write_session(engine) as s:
        result = load_sample(s)
        s.commit()
    assert result.status == "loaded", result.errors
    with read_session(engine) as s:
        frame = export_frame(s)
        again = load_sample(s)
    assert again.status == "duplicate"
    assert frame["indicator_code"].nunique() == 48
    assert set(frame["region"]) == {"全市", "城东区", "城西区", "新城区"}
    assert frame["year"].min() == 2016 and frame["year"].max() == 2025
    epidemic_years = set(frame.loc[frame["category_code"] == "epidemic", "year"])
    assert epidemic_years == {2020, 2021, 2022}
    assert (frame["qualifier"] == "more_than").any()
    assert frame["note"].str.contains("示例数据").all()


def test_sample_is_deterministic() -> None:
    pd.testing.assert_frame_equal(sample_frame(), sample_frame())


def test_bulk_load_rebuilds_read_indexes(engine: Engine) -> None:
    """A batch bigger than the store takes the drop-and-rebuild path; indexes must survive."""
    from sqlalchemy import inspect

    from etl.load import BULK_INSERT_ROWS

    regions = BULK_INSERT_ROWS // 10 + 1
    lines = ["指标,年份,地区,数值"]
    lines += [f"应急演练,{2016 + y},区{r:05d},{r % 97}" for r in range(regions) for y in range(10)]
    text = "\n".join(lines) + "\n"
    expected = {ix.name for ix in Observation.__table__.indexes}
    dry = load(engine, text, dry_run=True)
    assert dry.counts["inserted"] == regions * 10
    assert expected <= {ix["name"] for ix in inspect(engine).get_indexes("observation")}
    assert load(engine, text).status == "loaded"
    assert expected <= {ix["name"] for ix in inspect(engine).get_indexes("observation")}
    with read_session(engine) as s:
        assert store_counts(s)["observations"] == regions * 10

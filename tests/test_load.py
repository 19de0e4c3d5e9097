"""Loading, reloading and rolling back batches against real databases (SQLite and PostgreSQL)."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import Engine, select

from db.models import Batch, Observation, Target
from db.session import read_session, write_session
from etl.export import export_frame
from etl.issues import RollbackRefusedError
from etl.load import batch_figures, rollback_batch, store_counts
from etl.pipeline import BatchResult, LoadOptions, load_file, preview_file
from etl.sample import load_sample, sample_frame

LONG_CSV = """指标,年份,地区,数值,单位,备注
行政审批办理量,2023,全市,"32,100",件,
行政审批办理量,2024,全市,3.4万,件,全年
管养公路平均优良路率,2024,全市,91.5%,%,
查验车辆,2020,全市,30余万,辆次,疫情期间
"""


def load(engine: Engine, text: str, name: str = "batch.csv", **options) -> BatchResult:
    data = text.encode("utf-8") if isinstance(text, str) else text
    with write_session(engine) as session:
        result = load_file(session, data, name, LoadOptions(**options))
        if result.status == "loaded":
            session.commit()
        else:
            session.rollback()
    return result


def snapshot(engine: Engine) -> list[tuple]:
    """Every stored figure, target and batch status: what 'unchanged' is checked against."""
    with read_session(engine) as s:
        obs = s.execute(
            select(
                Observation.indicator_id,
                Observation.year,
                Observation.region,
                Observation.value,
                Observation.qualifier,
                Observation.note,
                Observation.batch_id,
            ).order_by(Observation.indicator_id, Observation.year, Observation.region)
        ).all()
        targets = s.execute(
            select(
                Target.indicator_id, Target.year, Target.region, Target.value, Target.batch_id
            ).order_by(Target.indicator_id, Target.year, Target.region)
        ).all()
        batches = s.execute(select(Batch.id, Batch.status).order_by(Batch.id)).all()
    return [tuple(r) for r in obs] + [("t", *r) for r in targets] + [("b", *r) for r in batches]


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


def test_rejected_file_changes_nothing(engine: Engine) -> None:
    load(engine, LONG_CSV)
    before = snapshot(engine)
    bad = LONG_CSV.replace("32,100", "32,1x0") + "不存在的指标,2024,全市,5,件,\n"
    result = load(engine, bad, name="bad.csv")
    assert result.status == "rejected"
    assert {e.code for e in result.errors} >= {"invalid_value", "unknown_indicator"}
    assert snapshot(engine) == before


def test_byte_identical_reload_writes_nothing(engine: Engine) -> None:
    first = load(engine, LONG_CSV)
    before = snapshot(engine)
    again = load(engine, LONG_CSV, name="copy-of-batch.csv")
    assert again.status == "duplicate" and again.duplicate_of == first.batch_id
    assert snapshot(engine) == before


def test_dry_run_and_preview_write_nothing(engine: Engine) -> None:
    before = snapshot(engine)
    dry = load(engine, LONG_CSV, dry_run=True)
    assert dry.status == "dry_run" and dry.counts["inserted"] == 4
    with write_session(engine) as s:
        preview = preview_file(s, LONG_CSV.encode(), "x.csv")
        s.commit()
    assert preview.status == "dry_run"
    assert snapshot(engine) == before


def test_upsert_counts_and_exact_rollback(engine: Engine) -> None:
    first = load(engine, LONG_CSV)
    after_first = snapshot(engine)
    second_text = LONG_CSV.replace("3.4万", "3.5万").replace("91.5%", "91.5%")
    second_text += "应急演练,2024,城东区,12,次,\n"
    second = load(engine, second_text, name="second.csv")
    assert second.status == "loaded"
    assert second.counts == {
        "read": 5,
        "inserted": 1,
        "updated": 1,
        "unchanged": 3,
        "skipped": 0,
        "targets_inserted": 0,
        "targets_updated": 0,
    }
    with read_session(engine) as s:
        figures = batch_figures(s, second.batch_id)
    assert sorted(figures["change"]) == ["inserted", "updated"]
    with write_session(engine) as s:
        rollback_batch(s, second.batch_id, user="bob")
        s.commit()
    restored = snapshot(engine)
    assert restored[:-2] == after_first[:-1]  # figures and targets exactly as before
    with read_session(engine) as s:
        assert s.get(Batch, second.batch_id).status == "rolled_back"
        assert s.get(Batch, first.batch_id).status == "active"


def test_rollback_refused_when_a_later_batch_changed_the_figures(engine: Engine) -> None:
    first = load(engine, LONG_CSV)
    later = load(engine, LONG_CSV.replace("3.4万", "3.6万"), name="later.csv")
    with write_session(engine) as s, pytest.raises(RollbackRefusedError) as refused:
        rollback_batch(s, first.batch_id)
    assert refused.value.blocking_batch_ids == [later.batch_id]
    assert str(later.batch_id) in str(refused.value)
    # Undo the later one first, then the first one goes through and empties the store.
    for batch_id in (later.batch_id, first.batch_id):
        with write_session(engine) as s:
            rollback_batch(s, batch_id)
            s.commit()
    with read_session(engine) as s:
        assert store_counts(s)["observations"] == 0


def test_a_later_batch_that_repeats_figures_unchanged_does_not_block(engine: Engine) -> None:
    first = load(engine, LONG_CSV)
    repeat = load(engine, LONG_CSV + "应急演练,2024,全市,40,次,\n", name="repeat.csv")
    assert repeat.counts["unchanged"] == 4
    with write_session(engine) as s:
        rollback_batch(s, first.batch_id)
        s.commit()
    with read_session(engine) as s:
        remaining = export_frame(s)
    assert list(remaining["indicator_code"]) == ["safety.drills"]


def test_targets_load_and_roll_back(engine: Engine) -> None:
    text = "指标,年份,数值,目标值\n行政审批办理量,2024,34000,3.5万\n"
    result = load(engine, text)
    with read_session(engine) as s:
        assert s.scalars(select(Target.value)).all() == [35000]
    with write_session(engine) as s:
        rollback_batch(s, result.batch_id)
        s.commit()
    with read_session(engine) as s:
        assert s.scalars(select(Target.value)).all() == []


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

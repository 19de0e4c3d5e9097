"""Rolling back batches, on SQLite and PostgreSQL: exact, refused when it would lose work,
never twice, and a rolled-back file loads again.

Expected figures come from the hand-made files below, never from the code's output.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from db.batches import batch_figures, store_counts
from db.models import Batch, Indicator, Observation, Target
from db.session import read_session, write_session
from etl.export import export_frame
from etl.issues import RollbackRefusedError
from etl.rollback import rollback_batch
from tests.conftest import etl
from tests.store_state import fingerprint, load

LONG_CSV = """指标,年份,地区,数值,单位,备注
行政审批办理量,2023,全市,"32,100",件,
行政审批办理量,2024,全市,3.4万,件,全年
管养公路平均优良路率,2024,全市,91.5%,%,
查验车辆,2020,全市,30余万,辆次,疫情期间
"""
# Values and targets (目标值), a qualifier (约) and a note, for the target bullets.
TARGETS_CSV = """指标,年份,地区,数值,目标值,备注
行政审批办理量,2024,全市,约34000,3.5万,全年
行政审批办理量,2025,全市,36000,3.8万,
应急演练,2024,城东区,12,15,
"""


def rollback(engine: Engine, batch_id: int, user: str = "") -> None:
    with write_session(engine) as s:
        rollback_batch(s, batch_id, user=user)
        s.commit()


def figures(engine: Engine) -> dict[tuple[str, int, str], tuple]:
    """(code, year, region) → (value, qualifier, note, batch) for values, and
    ("target", code, year, region) → (value, batch) for targets, read straight from the tables."""
    with read_session(engine) as s:
        values = s.execute(
            select(
                Indicator.code,
                Observation.year,
                Observation.region,
                Observation.value,
                Observation.qualifier,
                Observation.note,
                Observation.batch_id,
            ).join(Indicator)
        ).all()
        targets = s.execute(
            select(Indicator.code, Target.year, Target.region, Target.value, Target.batch_id).join(
                Indicator
            )
        ).all()
    out: dict = {(c, y, r): (v, q, n, b) for c, y, r, v, q, n, b in values}
    out.update({("target", c, y, r): (v, b) for c, y, r, v, b in targets})
    return out


def refused(engine: Engine, batch_id: int) -> RollbackRefusedError:
    with write_session(engine) as s, pytest.raises(RollbackRefusedError) as caught:
        rollback_batch(s, batch_id)
    return caught.value


def test_upsert_counts_and_exact_rollback(engine: Engine) -> None:
    first = load(engine, LONG_CSV)
    after_first = fingerprint(engine)
    second_text = LONG_CSV.replace("3.4万", "3.5万") + "应急演练,2024,城东区,12,次,\n"
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
        changed = batch_figures(s, second.batch_id)
    assert sorted(changed["change"]) == ["inserted", "updated"]
    rollback(engine, second.batch_id, user="bob")
    restored = fingerprint(engine)
    for table in ("observation", "target", "observation_coverage"):
        assert restored[table] == after_first[table], table  # exactly as before, ids too
    with read_session(engine) as s:
        assert s.get(Batch, second.batch_id).status == "rolled_back"
        assert s.get(Batch, second.batch_id).rolled_back_by == "bob"
        assert s.get(Batch, first.batch_id).status == "active"


def test_rollback_refused_when_a_later_batch_changed_the_figures(engine: Engine) -> None:
    first = load(engine, LONG_CSV)
    later = load(engine, LONG_CSV.replace("3.4万", "3.6万"), name="later.csv")
    before = fingerprint(engine)
    error = refused(engine, first.batch_id)
    assert error.blocking_batch_ids == [later.batch_id]
    assert f"之后的批次 {later.batch_id} 修改" in str(error)
    assert fingerprint(engine) == before
    # Undo the later one first, then the first one goes through and empties the store.
    for batch_id in (later.batch_id, first.batch_id):
        rollback(engine, batch_id)
    with read_session(engine) as s:
        assert store_counts(s)["observations"] == 0


def test_a_later_batch_that_repeats_figures_unchanged_does_not_block(engine: Engine) -> None:
    first = load(engine, LONG_CSV)
    repeat = load(engine, LONG_CSV + "应急演练,2024,全市,40,次,\n", name="repeat.csv")
    assert repeat.counts["unchanged"] == 4
    rollback(engine, first.batch_id)
    with read_session(engine) as s:
        remaining = export_frame(s)
    assert list(remaining["indicator_code"]) == ["safety.drills"]


def test_targets_load_and_roll_back(engine: Engine) -> None:
    result = load(engine, "指标,年份,数值,目标值\n行政审批办理量,2024,34000,3.5万\n")
    with read_session(engine) as s:
        assert s.scalars(select(Target.value)).all() == [35000]
    rollback(engine, result.batch_id)
    with read_session(engine) as s:
        assert s.scalars(select(Target.value)).all() == []


def test_rollback_refused_when_a_later_batch_changed_only_a_target(engine: Engine) -> None:
    first = load(engine, TARGETS_CSV)
    # Same values, qualifier and notes; one target moves from 3.8万 to 4万.
    later = load(engine, TARGETS_CSV.replace("3.8万", "4万"), name="later.csv")
    assert later.counts["unchanged"] == 3 and later.counts["targets_updated"] == 1
    before = fingerprint(engine)
    error = refused(engine, first.batch_id)
    assert error.blocking_batch_ids == [later.batch_id]
    assert f"批次 {first.batch_id}" in str(error) and f"批次 {later.batch_id}" in str(error)
    assert fingerprint(engine) == before


def test_a_later_batch_that_repeats_targets_unchanged_does_not_block(engine: Engine) -> None:
    first = load(engine, TARGETS_CSV)
    repeat = load(engine, TARGETS_CSV + "应急演练,2025,城东区,13,16,\n", name="repeat.csv")
    assert repeat.counts["targets_updated"] == 0 and repeat.counts["targets_inserted"] == 1
    rollback(engine, first.batch_id)
    assert figures(engine) == {
        ("safety.drills", 2025, "城东区"): (13.0, None, None, repeat.batch_id),
        ("target", "safety.drills", 2025, "城东区"): (16.0, repeat.batch_id),
    }


def test_rollback_restores_every_target_and_value_exactly(engine: Engine) -> None:
    first = load(engine, TARGETS_CSV)
    expected_first = {
        ("business.approvals", 2024, "全市"): (34000.0, "about", "全年", first.batch_id),
        ("business.approvals", 2025, "全市"): (36000.0, None, None, first.batch_id),
        ("safety.drills", 2024, "城东区"): (12.0, None, None, first.batch_id),
        ("target", "business.approvals", 2024, "全市"): (35000.0, first.batch_id),
        ("target", "business.approvals", 2025, "全市"): (38000.0, first.batch_id),
        ("target", "safety.drills", 2024, "城东区"): (15.0, first.batch_id),
    }
    assert figures(engine) == expected_first
    # The later batch changes a value's qualifier and note, changes two targets, adds a
    # value and a target, and repeats one figure unchanged.
    later_csv = """指标,年份,地区,数值,目标值,备注
行政审批办理量,2024,全市,34000,3.6万,
行政审批办理量,2025,全市,36000,3.8万,
应急演练,2024,城东区,12,18,
应急演练,2025,城东区,14,20,新增
"""
    later = load(engine, later_csv, name="later.csv")
    assert later.counts["updated"] == 1 and later.counts["inserted"] == 1
    assert later.counts["targets_updated"] == 2 and later.counts["targets_inserted"] == 1
    rollback(engine, later.batch_id)
    assert figures(engine) == expected_first
    rollback(engine, first.batch_id)
    assert figures(engine) == {}


def test_rolling_back_a_rolled_back_batch_is_refused_and_changes_nothing(engine: Engine) -> None:
    first = load(engine, LONG_CSV)
    load(engine, "指标,年份,数值\n应急演练,2019,7\n", name="other.csv")
    rollback(engine, first.batch_id, user="bob")
    before = fingerprint(engine)
    error = refused(engine, first.batch_id)
    assert f"批次 {first.batch_id} 已于" in str(error) and "由 bob 回滚" in str(error)
    assert "already rolled back" in str(error)
    assert fingerprint(engine) == before


def test_cli_rollback_of_a_rolled_back_batch_exits_1(db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "batch.csv"
    path.write_text(LONG_CSV, encoding="utf-8")
    loaded = etl(db_url, "load", "--json", str(path), decode=True)
    batch_id = json.loads(loaded.stdout)["batch_id"]
    assert etl(db_url, "rollback", str(batch_id), decode=True).returncode == 0
    from db.session import get_engine

    engine = get_engine(db_url)
    before = fingerprint(engine)
    again = etl(db_url, "rollback", str(batch_id), decode=True)
    assert again.returncode == 1
    assert f"批次 {batch_id} 已于" in again.stderr and "already rolled back" in again.stderr
    assert "Traceback" not in again.stderr
    assert fingerprint(engine) == before


def test_a_rolled_back_file_loads_again(engine: Engine) -> None:
    first = load(engine, LONG_CSV)
    rollback(engine, first.batch_id)
    again = load(engine, LONG_CSV, name="same-bytes.csv")
    assert again.status == "loaded" and again.batch_id != first.batch_id
    assert again.counts["inserted"] == 4
    notes = [w for w in again.warnings if w.code == "reloaded_after_rollback"]
    assert len(notes) == 1 and f"批次 {first.batch_id}" in notes[0].message
    third = load(engine, LONG_CSV, name="third.csv")
    assert third.status == "duplicate" and third.duplicate_of == again.batch_id


def test_cli_reloads_a_rolled_back_file(db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "batch.csv"
    path.write_text(LONG_CSV, encoding="utf-8")
    first = json.loads(etl(db_url, "load", "--json", str(path), decode=True).stdout)
    assert etl(db_url, "rollback", str(first["batch_id"]), decode=True).returncode == 0
    done = etl(db_url, "load", "--json", str(path), decode=True)
    assert done.returncode == 0, done.stderr
    again = json.loads(done.stdout)
    assert again["status"] == "loaded" and again["batch_id"] == first["batch_id"] + 1
    assert again["counts"]["inserted"] == 4
    codes = {w["code"]: w["message"] for w in again["warnings"]}
    assert f"批次 {first['batch_id']}" in codes["reloaded_after_rollback"]
    repeat = etl(db_url, "load", str(path), decode=True)
    assert repeat.returncode == 0 and f"批次 {again['batch_id']}" in repeat.stdout


def test_rollback_statements_search_from_the_batch_never_scan_the_store(sqlite_url: str) -> None:
    """Set-based and proportional to the batch: every statement a rollback runs against
    ``observation`` / ``target`` starts from the batch's revision rows (index search) and
    finds each figure by its key — none scans the store (the old correlated DELETE did,
    once per figure: 199 s for 100 rows in a 7M-row store)."""
    from sqlalchemy import event

    from db.session import get_engine

    engine = get_engine(sqlite_url)
    first = load(engine, TARGETS_CSV)
    later = load(engine, TARGETS_CSV.replace("3.8万", "4万").replace("约34000", "35000"), "l.csv")
    statements: list[tuple[str, tuple]] = []

    def remember(_conn, _cursor, statement, params, _context, _many) -> None:
        if statement.lstrip().upper().startswith(("DELETE", "UPDATE", "SELECT DISTINCT")):
            statements.append((statement, tuple(params)))

    event.listen(engine, "before_cursor_execute", remember)
    try:
        rollback(engine, later.batch_id)
    finally:
        event.remove(engine, "before_cursor_execute", remember)
    undo = [(s, p) for s, p in statements if "revision r" in s]
    assert len(undo) == 6  # per table: the blocking check, the DELETE and the UPDATE
    with engine.connect() as conn:
        for statement, params in undo:
            plan = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", params).all()
            details = [row[-1] for row in plan]
            assert not [d for d in details if d.startswith("SCAN")], (statement, details)
            assert any("ix_revision_batch" in d for d in details), (statement, details)
    assert first.status == "loaded"

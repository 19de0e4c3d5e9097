"""A failure in the middle of writing leaves the store exactly as it was (SQLite and PostgreSQL).

Fault injection, not a database mock: each write step in ``etl.load`` runs for real against
the real database and then raises, so the step's rows are written when the failure hits.
The whole store (every row of every table the loader writes, and the indexes) must equal
what it was before, and the same load must succeed afterwards.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Engine

import etl.load
from tests.store_state import fingerprint, load

BASE_CSV = """指标,年份,地区,数值,目标值,备注
行政审批办理量,2023,全市,32100,33000,
行政审批办理量,2024,全市,约34000,3.5万,全年
应急演练,2024,城东区,12,15,
"""
# Changes a value, its qualifier and note and a target; adds values and targets in a year
# the store has not seen (so the coverage summary must change too).
NEXT_CSV = """指标,年份,地区,数值,目标值,备注
行政审批办理量,2023,全市,32100,33000,
行政审批办理量,2024,全市,34500,3.6万,
应急演练,2024,城东区,12,15,
应急演练,2025,城东区,14,16,新增
应急演练,2025,全市,40,45,
"""
STEPS = {
    "staging": "stage_rows",
    "revisions": "_record_revisions",
    "upsert": "_upsert",
    "targets": "_write_targets",
    "coverage refresh": "refresh_coverage_for",
}


class InjectedFault(RuntimeError):
    pass


def failing_after(step: Callable, calls: list[str], name: str) -> Callable:
    """``step`` that does its work, then raises: the failure lands after real writes."""

    def run(*args, **kwargs):
        step(*args, **kwargs)
        calls.append(name)
        raise InjectedFault(name)

    return run


@pytest.mark.parametrize("step", list(STEPS))
def test_failure_in_each_write_step_leaves_the_store_unchanged(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    assert load(engine, BASE_CSV).status == "loaded"
    before = fingerprint(engine)
    calls: list[str] = []
    name = STEPS[step]
    monkeypatch.setattr(etl.load, name, failing_after(getattr(etl.load, name), calls, step))
    with pytest.raises(InjectedFault):
        load(engine, NEXT_CSV, name="next.csv")
    assert calls == [step]  # the step ran (and wrote) before it failed
    assert fingerprint(engine) == before
    monkeypatch.undo()
    again = load(engine, NEXT_CSV, name="next.csv")
    assert again.status == "loaded", again.errors
    assert (again.counts["inserted"], again.counts["updated"], again.counts["unchanged"]) == (
        2,
        1,
        2,
    )
    assert (again.counts["targets_inserted"], again.counts["targets_updated"]) == (2, 1)

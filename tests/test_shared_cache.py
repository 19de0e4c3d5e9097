"""What every viewer sees alike is built once per process and data version (``ui.data.shared``).

Twenty sessions opening the overview share one build (the same object, not a copy); a
batch that lands or is rolled back in another process changes the data version, and the
next run builds afresh; a page clearing ``st.cache_data`` after a write drops the shared
builds too. The store is changed through the CLI (another process), as an analyst would.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.apptest import TIMEOUT, script
from tests.conftest import etl


def _viewer() -> None:
    """A session's run: the data version, then one shared build of the year bounds."""
    import uuid

    import streamlit as st

    from db import queries
    from ui.data import read, shared, start_run

    def bounds_stamp() -> tuple[str, object]:
        return uuid.uuid4().hex, read(queries.year_bounds)  # a new stamp on every build

    start_run()
    stamp, bounds = shared(bounds_stamp)
    st.text(f"{stamp}|{bounds}")


def _open() -> tuple[str, str]:
    """A new session's build: (its identity, the year bounds it holds)."""
    at = AppTest.from_function(_viewer, default_timeout=TIMEOUT).run()
    assert not at.exception, [e.value for e in at.exception]
    stamp, bounds = at.text[0].value.split("|")
    return stamp, bounds


@pytest.fixture
def viewer_store(db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """``db_url`` with the sample data (batch 1, 2016–2025), the app pointed at it."""
    done = etl(db_url, "sample", decode=True)
    assert done.returncode == 0, done.stderr
    monkeypatch.setenv("TQI_DATABASE_URL", db_url)
    st.cache_data.clear()
    st.cache_resource.clear()
    return db_url


def test_sessions_share_one_build_until_the_data_version_changes(viewer_store: str) -> None:
    first, bounds = _open()
    assert bounds == "(2016, 2025)"  # the sample data's years (etl/sample.py)
    assert _open() == (first, bounds)  # another session: the same object

    done = etl(viewer_store, "rollback", "1", "--user", "ana", decode=True)
    assert done.returncode == 0, done.stderr
    rebuilt, bounds = _open()
    assert rebuilt != first
    assert bounds == "None"  # the only batch rolled back: no figure left


def test_clearing_cached_reads_drops_shared_builds(viewer_store: str) -> None:
    first, _ = _open()
    st.cache_data.clear()  # what a page does after a write it cannot version
    assert _open()[0] != first


def test_overview_chart_is_shared_and_follows_a_new_batch(
    viewer_store: str, tmp_path: Path
) -> None:
    """Two sessions get the same 完成率 chart; a batch from another process that halves
    应急演练's 2025 figure (target 65, sample data) shows at the next run as 50 %."""
    runs = [script().run() for _ in range(2)]
    specs = [at.get("plotly_chart")[0].proto.spec for at in runs]
    assert specs[0] == specs[1]
    assert _completion(specs[0], "应急演练") == pytest.approx(100.0)

    batch = tmp_path / "drills.csv"
    batch.write_text("指标,年份,地区,数值,单位\n应急演练,2025,全市,32.5,次\n", encoding="utf-8")
    done = etl(viewer_store, "load", str(batch), decode=True)
    assert done.returncode == 0, done.stderr
    at = runs[0].run()
    assert not at.exception, [e.value for e in at.exception]
    assert _completion(at.get("plotly_chart")[0].proto.spec, "应急演练") == pytest.approx(50.0)


def _completion(spec: str, indicator: str) -> float:
    """The 完成率 bar of ``indicator`` in a drawn chart's JSON."""
    bar = json.loads(spec)["data"][0]
    return float(dict(zip(bar["y"], bar["x"], strict=True))[indicator])

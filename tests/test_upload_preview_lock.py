"""The upload preview parses outside any write transaction (issue 14).

Another connection holds SQLite's write lock (as a long load does) while an analyst
uploads a file: the preview still reads, normalises and validates it and shows the
figures and every error at once, without waiting for the lock; only the dry-run counts,
which need the lock, follow on a later run once the store is free.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from tests.apptest import ANALYST, open_page
from tests.conftest import stored_figures

GOOD = "指标,年份,数值\n应急演练,2020,12\n排查治理安全隐患,2020,1300\n".encode()
BAD = "指标,年份,数值\n应急演练,2020,-3\n不存在的指标,2020,5\n".encode()


@contextmanager
def write_lock_held(engine: Engine) -> Iterator[sqlite3.Connection]:
    """Another connection in ``BEGIN IMMEDIATE``: SQLite's one writer, until released."""
    conn = sqlite3.connect(str(engine.url.database), isolation_level=None, timeout=0)
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    finally:
        conn.execute("ROLLBACK")
        conn.close()


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.file_uploader(key="upload_files").set_value((name, data, "text/csv"))
    return at.run()


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_preview_succeeds_while_another_connection_holds_the_write_lock(
    app_engine: Engine,
) -> None:
    at = open_page("pages/upload.py", ANALYST)
    with write_lock_held(app_engine):
        started = time.perf_counter()
        upload(at, "good.csv", GOOD)
        seconds = time.perf_counter() - started
        assert not at.exception, [e.value for e in at.exception]
        assert seconds < 25  # never the 30 s busy timeout
        assert metric(at, "读取行数") == "2" and metric(at, "错误") == "0"
        assert metric(at, "将新增") == "—"  # the counts need the lock
        assert any("新增/更新数量将在下次刷新时计算" in i.value for i in at.info)
        preview = next(d.value for d in at.dataframe if "数值" in d.value.columns)
        assert preview["数值"].tolist() == ["12 次", "1,300 处"]
    at.run()  # the store is free again: the dry run counts, still writing nothing
    assert not at.exception
    assert metric(at, "将新增") == "2"
    assert any("可以提交" in s.value for s in at.success)
    assert stored_figures(app_engine) == {}


def test_errors_are_listed_while_the_write_lock_is_held(app_engine: Engine) -> None:
    at = open_page("pages/upload.py", ANALYST)
    with write_lock_held(app_engine):
        upload(at, "bad.csv", BAD)
        assert not at.exception, [e.value for e in at.exception]
        errors = at.dataframe[0].value
        assert len(errors) == 2 and metric(at, "错误") == "2"
        assert errors.iloc[:, 0].tolist() == [2, 3]  # rows as the file shows them
        assert all(b.disabled for b in at.button if b.key.startswith("commit_"))

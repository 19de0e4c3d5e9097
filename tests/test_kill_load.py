"""``kill -9`` of a real ``python -m etl load`` of a 200,000-row file, at several moments of
its write: the SQLite store passes ``PRAGMA integrity_check``, holds exactly what it held
(never part of a batch), and the same load succeeds afterwards.

The moments are found from the process's own progress bar (shown on a terminal for files
over 5 MB, so the load runs under a pseudo-terminal): "写入" (the write has begun:
staging, revisions, upsert), half-way through the write
(timed from a calibration run of the same file on a copy of the store), and the moment
the ``-wal`` file starts to grow (the commit is being written).
"""

from __future__ import annotations

import contextlib
import os
import pty
import select
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from db.catalog import read_catalog_file
from db.session import dispose_engines, get_engine
from tests.conftest import ROOT, app_env, etl
from tests.store_state import fingerprint

ROWS = 200_000
TIMEOUT = 300.0


def big_csv(path: Path) -> Path:
    specs = read_catalog_file()["indicators"]
    names = np.array([s["name_zh"] for s in specs])
    idx = np.arange(ROWS)
    per_region = len(specs) * 10
    frame = pd.DataFrame(
        {
            "指标": names[idx % len(specs)],
            "年份": 2016 + (idx // len(specs)) % 10,
            "地区": [f"区县{i:05d}" for i in idx // per_region],
            "数值": (idx % 97) + 1,  # every indicator, rates included, accepts 1–97
        }
    )
    frame.to_csv(path, index=False)
    assert path.stat().st_size > 5 * 1024 * 1024  # big enough for the progress bar
    return path


class Loader:
    """``python -m etl load FILE`` with stderr on a pseudo-terminal, read as it runs."""

    def __init__(self, db_url: str, path: Path) -> None:
        self.master, slave = pty.openpty()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "etl", "--db", db_url, "load", str(path)],
            cwd=ROOT,
            env=app_env(),
            stdout=subprocess.DEVNULL,
            stderr=slave,
        )
        os.close(slave)
        self.seen = ""

    def wait_for(self, ready: Callable[[], bool]) -> None:
        """Read the progress output until ``ready()`` or the end of the load (a load that
        ended first is judged by what it left in the store)."""
        deadline = time.monotonic() + TIMEOUT
        while not ready() and self.proc.poll() is None:
            assert time.monotonic() < deadline, self.seen[-500:]
            readable, _, _ = select.select([self.master], [], [], 0.01)
            if readable:
                with contextlib.suppress(OSError):  # EIO once the child has exited
                    self.seen += os.read(self.master, 4096).decode("utf-8", "replace")

    def stage(self, label: str) -> Callable[[], bool]:
        return lambda: label in self.seen

    def kill(self) -> int:
        """SIGKILL, then the exit status: ``-SIGKILL`` if it was still running."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=60)
        os.close(self.master)
        return self.proc.returncode

    def finish(self) -> int:
        self.wait_for(lambda: False)
        os.close(self.master)
        return self.proc.returncode


def integrity(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]


def write_seconds(db_url: str, csv: Path) -> float:
    """Seconds from "写入" to the end of a full load: calibrates the half-way moment."""
    loader = Loader(db_url, csv)
    loader.wait_for(loader.stage("写入"))
    start = time.monotonic()
    assert loader.finish() == 0, loader.seen[-500:]
    return time.monotonic() - start


@pytest.mark.timeout(1200)  # four 200k-row loads, three of them killed, on a loaded machine
def test_kill_9_during_a_large_load_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    db = tmp_path / "tqi.sqlite3"
    url = f"sqlite:///{db}"
    small = tmp_path / "small.csv"
    small.write_text("指标,年份,地区,数值,目标值\n应急演练,2024,全市,12,15\n", encoding="utf-8")
    assert etl(url, "load", str(small)).returncode == 0
    csv = big_csv(tmp_path / "big.csv")
    engine = get_engine(url)
    before = fingerprint(engine)
    dispose_engines()
    copy = tmp_path / "calibrate.sqlite3"
    shutil.copyfile(db, copy)
    half = write_seconds(f"sqlite:///{copy}", csv) / 2

    wal = Path(f"{db}-wal")
    moments: dict[str, Callable[[Loader], Callable[[], bool]]] = {
        "write begun": lambda ld: ld.stage("写入"),
        "half-way": lambda ld: _after(ld.stage("写入"), half),
        "commit": lambda ld: _wal_grows(ld.stage("写入"), wal),
    }
    untouched = []
    for moment, when in moments.items():
        loader = Loader(url, csv)
        loader.wait_for(when(loader))
        killed = loader.kill() == -signal.SIGKILL
        assert integrity(db) == "ok", moment
        after = fingerprint(get_engine(url))
        if after == before:
            assert killed, moment  # the load died before its commit, not after it
            untouched.append(moment)
        else:
            # On a loaded machine the timed moments can fall after the commit's last frame:
            # then the batch must be there whole, never in part. Undo it for the next try.
            _assert_whole_batch(before, after)
            assert etl(url, "rollback", str(after["batch"][-1][0])).returncode == 0
            before = fingerprint(get_engine(url))
        dispose_engines()
    assert "write begun" in untouched, untouched  # at least one kill landed mid-write
    done = etl(url, "load", "--json", str(csv), decode=True)
    assert done.returncode == 0, done.stderr
    assert '"inserted": 200000' in done.stdout
    assert integrity(db) == "ok"


def _assert_whole_batch(before: dict, after: dict) -> None:
    assert len(after["batch"]) == len(before["batch"]) + 1
    assert len(after["observation"]) == len(before["observation"]) + ROWS
    assert len(after["revision"]) == len(before["revision"]) + ROWS
    assert set(before["observation"]) <= set(after["observation"])


def _after(started: Callable[[], bool], seconds: float) -> Callable[[], bool]:
    """True once ``started()`` has been true for ``seconds``."""
    since: list[float] = []

    def ready() -> bool:
        if not since and started():
            since.append(time.monotonic())
        return bool(since) and time.monotonic() - since[0] >= seconds

    return ready


def _wal_grows(started: Callable[[], bool], wal: Path) -> Callable[[], bool]:
    """True once the ``-wal`` file is larger than it was when the write began."""
    size: list[int] = []

    def ready() -> bool:
        current = wal.stat().st_size if wal.exists() else 0
        if not size and started():
            size.append(current)
        return bool(size) and current > size[0]

    return ready

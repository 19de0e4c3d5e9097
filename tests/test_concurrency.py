"""Two analysts loading at once: both succeed (or one is told to retry); nothing half-written."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from db.session import get_engine, read_session
from etl.export import export_frame
from etl.load import list_batches

ROOT = Path(__file__).resolve().parent.parent
YEARS = range(1990, 2026)
REGIONS = [f"区{i:03d}" for i in range(60)]


def batch_file(path: Path, indicator: str, offset: float) -> Path:
    lines = ["指标,年份,地区,数值"]
    for year in YEARS:
        for region in REGIONS:
            lines.append(f"{indicator},{year},{region},{year - 1900 + offset}")
    # Both files share these figures, with different values: whoever loads last wins.
    lines += [f"应急演练,2024,全市,{offset}", f"应急演练,2025,全市,{offset}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_two_loader_processes_at_once(db_url: str, tmp_path: Path) -> None:
    get_engine(db_url)  # migrate first, as the app would on start-up
    files = [
        batch_file(tmp_path / "a.csv", "行政审批办理量", 0.5),
        batch_file(tmp_path / "b.csv", "排查治理安全隐患", 0.25),
    ]
    env = {k: v for k, v in os.environ.items() if k != "TQI_DATABASE_URL"}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "etl", "--db", db_url, "load", "--json", str(f)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for f in files
    ]
    outputs = [p.communicate(timeout=180) for p in procs]
    for proc, (out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err.decode()
        assert json.loads(out)["status"] == "loaded"
    with read_session(get_engine(db_url)) as s:
        frame = export_frame(s)
        batches = list_batches(s)
    per_file = len(YEARS) * len(REGIONS)
    assert len(frame) == 2 * per_file + 2
    assert len(batches) == 2 and all(b.status == "active" for b in batches)
    # The shared figures belong wholly to one batch or the other, never a mix.
    shared = frame[frame["indicator_code"] == "safety.drills"]
    assert shared["batch_id"].nunique() == 1
    winner = next(b for b in batches if b.id == shared["batch_id"].iloc[0])
    loser = next(b for b in batches if b.id != winner.id)
    assert winner.id > loser.id
    assert winner.updated == 2 and loser.inserted == per_file + 2

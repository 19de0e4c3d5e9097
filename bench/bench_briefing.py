"""Briefing export benchmark: how long a leader's pack takes, cold and warm.

Measured on the sample data (2016–2025), each cold number in a fresh Python process:

* ``import`` — Python start to briefing/plotly/pptx imported;
* ``first chart`` — the export browser started and the first slide chart rendered;
* ``per chart`` — each further chart through the kept browser (median);
* ``12-chart pack, cold`` — ``python -m etl briefing --charts <12 ids> --out x.pptx`` end to
  end, as a user runs it (process start, migrations check, read, 12 renders, PPTX);
* ``12-chart pack, warm`` — ``build_pack`` in a process whose export browser is already
  running (the app after its first export, or after the page warmed it up): PPTX and PDF.

Named baseline: ``fig.write_image`` — plotly's own static export, which starts Chromium
for every image. Ratios are against that baseline's per-chart time.

    python bench/bench_briefing.py                # 3 repeats, table into bench/README-briefing.md
    python bench/bench_briefing.py --repeat 1 --no-write
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
YEARS = (2016, 2025)
PACK_SIZE = 12
OUT = ROOT / "bench" / "README-briefing.md"


def worker(db_url: str) -> dict:
    """One cold process: imports, first chart, per chart, warm pack (printed as JSON)."""
    started = time.perf_counter()
    sys.path.insert(0, str(ROOT))
    from briefing import render
    from briefing.charts import default_chart_ids
    from briefing.pack import PNG_SCALE, SLIDE_CSS, build_charts, build_pack, load_data
    from db.session import get_engine, read_session

    imported = time.perf_counter()
    engine = get_engine(db_url)
    with read_session(engine) as session:
        data = load_data(session, YEARS)
        ids = default_chart_ids(data)[:PACK_SIZE]
        built = build_charts(data, ids)
    figures_done = time.perf_counter()
    width, height = SLIDE_CSS
    times = []
    for item in built:
        t = time.perf_counter()
        render.render_png(item.figure, width=width, height=height, scale=PNG_SCALE)
        times.append(time.perf_counter() - t)
    warm = {}
    for fmt in ("pptx", "pdf"):
        t = time.perf_counter()
        with read_session(engine) as session:
            build_pack(session, years=YEARS, charts=ids, fmt=fmt)
        warm[fmt] = time.perf_counter() - t
    render.stop_export_browser()
    return {
        "import": imported - started,
        "read_and_figures": figures_done - imported,
        "first_chart": times[0],
        "per_chart": statistics.median(times[1:]),
        "warm_pptx": warm["pptx"],
        "warm_pdf": warm["pdf"],
        "ids": ids,
    }


def baseline_write_image(db_url: str, charts: int = 3) -> float:
    """Per-chart seconds of plotly's ``fig.write_image`` (a new Chromium for each image)."""
    code = f"""
import statistics, sys, time, tempfile, json
sys.path.insert(0, {str(ROOT)!r})
from briefing.charts import default_chart_ids
from briefing.pack import build_charts, load_data
from db.session import get_engine, read_session
with read_session(get_engine({db_url!r})) as s:
    data = load_data(s, {YEARS!r})
    built = build_charts(data, default_chart_ids(data)[:{charts}])
times = []
for item in built:
    t = time.perf_counter()
    item.figure.write_image(tempfile.mktemp(suffix=".png"), width=1280, height=552, scale=1.5)
    times.append(time.perf_counter() - t)
print(json.dumps(statistics.median(times)))
"""
    env = {**os.environ, "BROWSER_PATH": "/usr/bin/chromium"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    return float(json.loads(out.stdout.strip().splitlines()[-1]))


def cold_cli_pack(db_url: str, ids: list[str], out: Path) -> float:
    t = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "etl", "--db", db_url, "briefing", "--years", "2016-2025",
         "--charts", ",".join(ids), "--out", str(out)],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    return time.perf_counter() - t


def main() -> int:
    """Each step timed in its own process, then the README table; long because it is the
    benchmark's whole script, read top to bottom like the table it prints."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--worker", metavar="DB_URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker)))
        return 0

    with tempfile.TemporaryDirectory() as tmp:
        db_url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        subprocess.run(
            [sys.executable, "-m", "etl", "--db", db_url, "sample"],
            cwd=ROOT, check=True, capture_output=True,
        )  # fmt: skip
        runs = []
        for _ in range(args.repeat):
            out = subprocess.run(
                [sys.executable, __file__, "--worker", db_url],
                capture_output=True, text=True, check=True, cwd=ROOT,
            )  # fmt: skip
            runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
        ids = runs[0]["ids"]
        cold = [cold_cli_pack(db_url, ids, Path(tmp) / "pack.pptx") for _ in range(args.repeat)]
        baseline = baseline_write_image(db_url)

    def med(key: str) -> float:
        return statistics.median(r[key] for r in runs)

    per_chart = med("per_chart")
    rows = [
        ("import (briefing, plotly, pptx)", med("import"), ""),
        ("read + build 12 figures", med("read_and_figures"), ""),
        ("first chart (starts the export browser)", med("first_chart"), ""),
        ("per further chart, kept browser", per_chart, f"{baseline / per_chart:.0f}× faster"),
        ("baseline: `fig.write_image` per chart", baseline, "1×"),
        (f"{PACK_SIZE}-chart pack, cold (`python -m etl briefing`)", statistics.median(cold),
         f"target ≤ 15 s; baseline ≈ {baseline * PACK_SIZE:.0f} s for the images alone"),
        (f"{PACK_SIZE}-chart pack PPTX, warm browser", med("warm_pptx"), "target ≤ 6 s"),
        (f"{PACK_SIZE}-chart pack PDF, warm browser", med("warm_pdf"), "target ≤ 6 s"),
    ]  # fmt: skip
    cpu = os.cpu_count()
    lines = [
        f"Briefing export, sample data 2016–2025, median of {args.repeat} "
        f"(`python bench/bench_briefing.py`, {cpu} CPUs):",
        "",
        "| step | seconds | vs baseline / target |",
        "|---|---:|---|",
        *(f"| {name} | {seconds:.2f} | {note} |" for name, seconds, note in rows),
    ]
    table = "\n".join(lines)
    print(table)
    if not args.no_write:
        OUT.write_text(
            "# Briefing export benchmark\n\n"
            + (__doc__ or "").split("\n\n", 1)[1].split("\n    python")[0].strip()
            + "\n\n"
            + table
            + "\n",
            encoding="utf-8",
        )
        print(f"\nwritten to {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Page benchmark: the dashboard's pages on a store of ~1,000,000 observations, against a
minimal Streamlit page with one plotly chart (``bench/minimal_page.py``).

Two measurements, medians of ``--repeat`` runs, printed as markdown tables and written to
``bench/README-pages.md``:

1. **AppTest first run** of each page (``streamlit.testing.v1.AppTest``: the script runs,
   every element is serialised; no browser). *Cold* clears ``st.cache_data`` first — what
   the first viewer after a batch lands waits for; *warm* reuses the cache. Target: cold
   ≤ 2× the minimal page.
2. **Time to first chart in headless Chromium** for the overview: from navigation start to
   the first drawn plotly chart, against ``streamlit run`` of the minimal page. *Cold*
   changes the data version before each load (a new batch: every cached read misses);
   *warm* loads again with nothing changed. Target: ≤ 1.5× the minimal page.

The store (``bench/out/pages_1m.sqlite3``, rebuilt when missing) holds every catalog
indicator for 2000–2025, for 全市 and 800 districts (counts: 全市 = sum of the districts;
rates: their mean), plus targets — 999,648 observations.

    python bench/bench_pages.py              # 7 AppTest runs, 5 browser runs per page
    python bench/bench_pages.py --repeat 3 --browser-repeat 3
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import CHROMIUM  # noqa: E402  (one launch recipe with the e2e tests)
from tests.e2e import CHROMIUM_ARGS  # noqa: E402

OUT = ROOT / "bench" / "out"
STORE = OUT / "pages_1m.sqlite3"
REPORT = ROOT / "bench" / "README-pages.md"
MINIMAL = ROOT / "bench" / "minimal_page.py"
YEARS = range(2000, 2026)
DISTRICTS = 800
CHART = ".js-plotly-plot .main-svg"
PAGES = {  # page file → name in the tables
    "pages/overview.py": "总览 overview",
    "pages/category.py": "分类趋势 by category",
    "pages/indicator.py": "指标详情 indicator",
    "pages/coverage.py": "数据质量 coverage",
}


# ---- the store ---------------------------------------------------------------------------


def build_store(path: Path) -> int:
    """Write the benchmark store (about 10 s); returns the number of observations."""
    import numpy as np
    from sqlalchemy import func, insert, select

    from db.coverage import refresh_coverage
    from db.models import Batch, Indicator, Observation, Target
    from db.session import dispose_engines, get_engine, write_session

    for stale in path.parent.glob(path.name + "*"):
        stale.unlink()
    engine = get_engine(f"sqlite:///{path}")
    rng = np.random.default_rng(20250101)
    regions = ["全市"] + [f"第{i:03d}区" for i in range(1, DISTRICTS + 1)]
    with write_session(engine) as session:
        indicators = session.execute(select(Indicator.id, Indicator.aggregation)).all()
        batch = Batch(source_name="bench_pages (synthetic)", sha256="b" * 64, loaded_by="bench")
        session.add(batch)
        session.flush()
        conn = session.connection()
        for indicator_id, aggregation in indicators:
            rows = []
            for year in YEARS:
                if aggregation == "mean":
                    values = np.round(rng.uniform(70, 99, DISTRICTS), 1)
                    city = round(float(values.mean()), 1)
                else:
                    values = np.round(rng.gamma(2.0, 50.0, DISTRICTS))
                    city = float(values.sum())
                rows.append((indicator_id, year, "全市", city))
                rows += [
                    (indicator_id, year, r, float(v))
                    for r, v in zip(regions[1:], values, strict=True)
                ]
            conn.execute(
                insert(Observation),
                [
                    {"indicator_id": i, "year": y, "region": r, "value": v, "batch_id": batch.id}
                    for i, y, r, v in rows
                ],
            )
            conn.execute(
                insert(Target),
                [
                    {"indicator_id": i, "year": y, "region": r, "value": v * 1.03}
                    for i, y, r, v in rows
                    if r == "全市" and y >= 2020
                ],
            )
        refresh_coverage(session)  # written around write_batch, so the summary is ours to keep
        session.commit()
        count = session.scalar(select(func.count()).select_from(Observation))
    dispose_engines()
    return int(count or 0)


def bump_data_version(url: str) -> None:
    """Record an empty, rolled-back batch: the data version changes, every cache misses."""
    from db.models import Batch
    from db.session import get_engine, write_session

    with write_session(get_engine(url)) as session:
        session.add(Batch(source_name="bench bump", sha256="c" * 64, status="rolled_back"))
        session.commit()


# ---- AppTest -------------------------------------------------------------------------------


def apptest_times(script: Path, page: str | None, repeat: int, *, cold: bool) -> list[float]:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    times = []
    for _ in range(repeat + 1):  # the first run pays one-off imports; not counted
        if cold:
            st.cache_data.clear()
        at = AppTest.from_file(str(script), default_timeout=300)
        if page and page != "pages/overview.py":
            at.switch_page(page)  # before the first run: by file name, which is our url_path
        start = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - start)
        assert not at.exception, [e.value for e in at.exception]
        assert list(at.get("plotly_chart")), f"{page or script.name} drew no chart"
    return times[1:]


# ---- headless Chromium ---------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serve(script: Path, env: dict[str, str]) -> Iterator[str]:
    port = _free_port()
    # The app as it is started (the launcher, ui/launch.py); the baseline page bare.
    app = script.resolve() == ROOT / "app.py"
    command = ["-m", "ui.launch"] if app else ["-m", "streamlit", "run", str(script)]
    process = subprocess.Popen(
        [sys.executable, *command, "--server.headless", "true",
         "--server.port", str(port), "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(f"{script.name} did not start") from None
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


def first_chart_times(
    base: str, repeat: int, before_each: Callable[[], None] | None = None
) -> list[float]:
    """Seconds from navigation start to the first drawn plotly chart, fresh tab each time."""
    from playwright.sync_api import sync_playwright

    times = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for attempt in range(repeat + 1):  # the first load warms the server; not counted
            if before_each:
                before_each()
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            page.goto(base, wait_until="commit")
            page.wait_for_selector(CHART, state="visible", timeout=120_000)
            elapsed = page.evaluate("performance.now()") / 1000
            page.close()
            if attempt:
                times.append(elapsed)
        browser.close()
    return times


# ---- report --------------------------------------------------------------------------------

NOTES = """\
## Reading the numbers

* Where a page's time goes (warm): Streamlit itself, `app.py`'s sidebar (an 801-option
  region list), and building plotly figures. Every chart is built as one dict and
  validated once (`charts/figures.py`); `make_subplots` + `update_yaxes` per panel cost the
  category page ~120 ms before, ~17 ms now.
* What cold adds: the reads, each one SQL statement answered from an index —
  city-wide series ~9 ms (the 全市 rows via `ix_observation_region`, migration 0003),
  targets ~3 ms, an indicator's detail ~20 ms in all, then small pandas steps on at most
  one row per indicator and year.
* 数据质量's regions per indicator and year come from `observation_coverage`, a summary
  the loader keeps exact in each batch's own transaction (migration 0004,
  `db.coverage.refresh_coverage`): ~6 ms for its ~1,250 rows, where counting the 1M
  observations took ~50 ms. The largest part of what its cold run still adds is the
  region panel (indicators per region and year for 30 regions, from the region index:
  ~18 ms).
* The minimal page took ~0.05 s on the machine of the first tables and 0.15–0.21 s on the
  one of 2026-11-30: compare ratios, not seconds. Runs vary by ±20 % and more.
* In the browser, time to first chart is dominated by loading Streamlit's frontend and
  plotly.js, which the minimal page pays too.
"""


def _row(name: str, values: list[float], base: float, note: str = "") -> str:
    median = statistics.median(values)
    return f"| {name} | {median:.3f} | {median / base:.2f}× | {note} |"


def main() -> None:
    """Every page against the minimal page, AppTest then Chromium; long because it is the
    benchmark's whole script, read top to bottom like the tables it prints."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7, help="AppTest runs per page")
    parser.add_argument("--browser-repeat", type=int, default=5, help="browser loads per page")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the 1M store")
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium part")
    args = parser.parse_args()

    OUT.mkdir(parents=True, exist_ok=True)
    if args.rebuild or not STORE.exists():
        start = time.perf_counter()
        count = build_store(STORE)
        print(f"built {STORE.name}: {count:,} observations in {time.perf_counter() - start:.1f} s")
    url = f"sqlite:///{STORE}"
    os.environ["TQI_DATABASE_URL"] = url
    from sqlalchemy import func, select

    from db.models import Observation
    from db.session import get_engine, read_session

    with read_session(get_engine(url)) as session:
        count = int(session.scalar(select(func.count()).select_from(Observation)) or 0)

    lines = [
        f"Pages on a store of {count:,} observations (48 indicators × 26 years × 801 regions), "
        f"SQLite, median of {args.repeat} (`python bench/bench_pages.py`, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}).",
        "",
        "**AppTest first run** (script + serialisation, no browser); cold = `st.cache_data` "
        "cleared first (the first viewer after a batch lands), warm = cached reads. "
        "Target: cold ≤ 2× the minimal page.",
        "",
        "| page | seconds | vs minimal page | note |",
        "|---|---:|---:|---|",
    ]
    minimal = apptest_times(MINIMAL, None, args.repeat, cold=True)
    base = statistics.median(minimal)
    lines.append(_row("baseline: `bench/minimal_page.py` (one plotly chart)", minimal, base))
    for page, name in PAGES.items():
        cold = apptest_times(ROOT / "app.py", page, args.repeat, cold=True)
        warm = apptest_times(ROOT / "app.py", page, args.repeat, cold=False)
        lines.append(_row(f"{name}, cold", cold, base))
        lines.append(_row(f"{name}, warm", warm, base))
        print(lines[-2], lines[-1], sep="\n", flush=True)

    if not args.no_browser:
        lines += [
            "",
            f"**Time to first chart in headless Chromium** (navigation start → first plotly "
            f"chart drawn, 1600×1000), median of {args.browser_repeat}; cold = the data "
            "version changed before each load (every read misses the cache). "
            "Target: ≤ 1.5× the minimal page.",
            "",
            "| page | seconds | vs minimal page | note |",
            "|---|---:|---:|---|",
        ]
        env = {**os.environ, "TQI_DATABASE_URL": url}
        with serve(MINIMAL, env) as minimal_base:
            minimal = first_chart_times(minimal_base, args.browser_repeat)
        base = statistics.median(minimal)
        lines.append(_row("baseline: `streamlit run bench/minimal_page.py`", minimal, base))
        with serve(ROOT / "app.py", env) as app_base:
            cold = first_chart_times(app_base, args.browser_repeat, lambda: bump_data_version(url))
            warm = first_chart_times(app_base, args.browser_repeat)
        lines.append(_row("总览 overview, cold", cold, base))
        lines.append(_row("总览 overview, warm", warm, base))

    table = "\n".join(lines)
    print(table)
    REPORT.write_text(
        "# Page benchmark (`bench/bench_pages.py`)\n\n"
        "Regenerate with `python bench/bench_pages.py` (builds `bench/out/pages_1m.sqlite3` "
        "on first use, ~10 s).\n\n" + table + "\n\n" + NOTES,
        encoding="utf-8",
    )
    print(f"\nwritten to {REPORT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

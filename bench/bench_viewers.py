"""Many viewers at once: time to first chart on the overview, one process vs two behind nginx.

The bureau's morning (issue 13): dozens of leaders open the overview at the same moment,
sometimes while an analyst commits a large batch. Measured here:

1. **Concurrent viewers.** For 1, 5, 10, 20 and 40 simultaneous sessions, the seconds from
   opening a session to the first plotly chart of the overview arriving, p50 and p95,
   on one app process and on two behind nginx (the ``deploy/`` files, rendered as
   ``scripts/cluster.sh`` does), on SQLite and on PostgreSQL (primary + streaming
   replica). Baseline: one session alone on one process; goal p95(20) ≤ 3× that.
2. **Loading while viewing.** 20 sessions opening the overview again and again while a
   large batch loads through ``python -m etl load``; their p95, and the load's time
   beside its time alone.

The client speaks Streamlit's own protocol (the WebSocket ``/_stcore/stream`` with the
``BackMsg``/``ForwardMsg`` protobufs the browser uses): one HTTP request for nginx's route
cookie, then the session's first run. So it measures the servers — not a browser drawing
40 pages on the same 2 cores, which would measure the client. What a browser adds
(Streamlit's frontend and plotly.js, cached after the first visit) is in the pages
benchmark. The store is the labelled sample data (1,724 figures), the size of a real
bureau's store; every session after the first reads from the process's cache.

``python bench/bench_viewers.py`` (full) or ``--quick`` (1, 5, 20 sessions, one round, a
small batch). Writes ``bench/README-viewers.md``.

The baseline run side by side: ``--baseline DIR``, an app tree of an earlier commit (e.g.
``git archive COMMIT | tar -x -C DIR``) started by the same unit-file command on the same
store — "before" in the table. Without it, one process with Streamlit's development
defaults (file watcher, a full GC after every run) is the baseline.

Streamlit's floor: ``--floor`` runs ``bench/floor_page.py`` beside them, one process with
the same options — the overview's elements (same kinds, same count: ``tests/
test_floor_page.py``) with no database, no cache and constant data. Its times at N
sessions are what Streamlit itself costs; the table divides every p95 by the floor's at
the same N. The report also gives each one-process configuration's message count.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_load import generate_csv  # noqa: E402
from bench.cpu import process_cpu_seconds  # noqa: E402
from bench.viewer_layouts import Layout, _etl, postgres_layout, sqlite_layout  # noqa: E402

OUT = ROOT / "bench" / "out"
REPORT = ROOT / "bench" / "README-viewers.md"
LEVELS = (1, 5, 10, 20, 40)
QUICK_LEVELS = (1, 5, 20)


# ---- the client: Streamlit's protocol ---------------------------------------------------------


@asynccontextmanager
async def _new_session(base: str, timeout: float) -> AsyncIterator[Any]:
    """A browser's first visit: nginx's route cookie, the WebSocket, the first run asked
    for; yields the socket to read the run's ``ForwardMsg``s from."""
    import websockets
    from streamlit.proto.BackMsg_pb2 import BackMsg

    cookie = await asyncio.to_thread(_route_cookie, base)
    url = base.replace("http://", "ws://") + "/_stcore/stream"
    headers = {"Cookie": cookie} if cookie else None
    async with asyncio.timeout(timeout), websockets.connect(
        url, subprotocols=[websockets.Subprotocol("streamlit")],
        additional_headers=headers, max_size=None, open_timeout=None,
    ) as ws:  # fmt: skip
        rerun = BackMsg()
        rerun.rerun_script.query_string = ""
        rerun.rerun_script.page_script_hash = ""
        await ws.send(rerun.SerializeToString())
        yield ws


def message_kind(msg: Any) -> str:
    """A ``ForwardMsg``'s kind as the tables count it: ``metric``, ``block:flex_container``,
    ``script_finished``, …"""
    kind = str(msg.WhichOneof("type"))
    if kind != "delta":
        return kind
    delta = msg.delta.WhichOneof("type")
    if delta == "new_element":
        return str(msg.delta.new_element.WhichOneof("type"))
    if delta == "add_block":
        return f"block:{msg.delta.add_block.WhichOneof('type')}"
    return str(delta)


async def first_chart(base: str, timeout: float = 300) -> float:
    """Seconds from a new session's first request to its first plotly chart."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    start = time.perf_counter()
    async with _new_session(base, timeout) as ws:
        while True:
            msg = ForwardMsg()
            msg.ParseFromString(await ws.recv())
            kind = message_kind(msg)
            if kind == "plotly_chart":
                return time.perf_counter() - start
            if kind == "script_finished" and msg.script_finished != msg.FINISHED_EARLY_FOR_RERUN:
                raise RuntimeError(f"the overview finished without a chart ({msg.script_finished})")


async def _first_run_messages(base: str, timeout: float) -> Counter[str]:
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    kinds: Counter[str] = Counter()
    async with _new_session(base, timeout) as ws:
        while True:
            msg = ForwardMsg()
            msg.ParseFromString(await ws.recv())
            kinds[message_kind(msg)] += 1
            if msg.WhichOneof("type") == "script_finished":
                if msg.script_finished == msg.FINISHED_EARLY_FOR_RERUN:
                    kinds.clear()  # the rerun's messages follow
                    continue
                return kinds


def first_run_messages(base: str, timeout: float = 300) -> Counter[str]:
    """The ``ForwardMsg``s of a new session's first run (a warm server), by kind."""
    return asyncio.run(_first_run_messages(base, timeout))


def _route_cookie(base: str) -> str:
    """The first request of a browser: nginx answers with its route cookie (sticky)."""
    with urllib.request.urlopen(f"{base}/_stcore/health", timeout=60) as response:
        return str(response.headers.get("Set-Cookie", "")).split(";")[0]


async def _together(base: str, sessions: int) -> list[float]:
    return list(await asyncio.gather(*(first_chart(base) for _ in range(sessions))))


def simultaneous(base: str, sessions: int) -> list[float]:
    """``sessions`` sessions opened at the same moment; each one's time to first chart."""
    return asyncio.run(_together(base, sessions))


def cpu_seconds(base: str) -> float | None:
    """CPU time (user + system) of the app process listening at ``base``, or None.

    Per session, this is the bench's measure least disturbed by the other work on a shared
    machine: a busy neighbour stretches wall times, not the CPU a session costs.
    """
    port = base.rsplit(":", 1)[1]
    listing = subprocess.run(["ss", "-Htlnp", f"sport = :{port}"], capture_output=True,
                             text=True, check=False).stdout  # fmt: skip
    pids = {int(x) for x in re.findall(r"pid=(\d+)", listing)}
    if len(pids) != 1:
        return None
    return process_cpu_seconds(pids.pop())


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


# ---- measurements --------------------------------------------------------------------------


FLOOR = "1, floor page (no app)"
Samples = dict[tuple[str, int], list[float]]


def viewers(layout: Layout, levels: tuple[int, ...], rounds: int, before: str) -> list[list[str]]:
    """Rows: store, processes, sessions, p50, p95, p95 / one session alone on one process,
    p95 / the floor page's at as many sessions, server CPU per session.

    The baseline (``before``: its name in the table) and the floor page are divided by
    their own one-session time. The configurations take turns within each round (floor,
    baseline, one, two), so a burst of load from elsewhere on the machine hits them alike.
    """
    configs = [("1", layout.one), ("2 + nginx", layout.two)]
    if layout.before:
        configs.insert(0, (f"1, {before} (before)", layout.before))
    if layout.floor:
        configs.insert(0, (FLOOR, layout.floor))
    for _, url in configs:
        simultaneous(url, 4)  # warm: imports, the cache for this data version
    p50s: Samples = {}
    p95s: Samples = {}
    cpus: Samples = {}
    for _ in range(rounds):
        for sessions in levels:
            for name, url in configs:
                cpu_before = cpu_seconds(url)
                times = simultaneous(url, sessions)
                cpu_after = cpu_seconds(url)
                p50s.setdefault((name, sessions), []).append(statistics.median(times))
                p95s.setdefault((name, sessions), []).append(p95(times))
                if cpu_before is not None and cpu_after is not None:
                    cpus.setdefault((name, sessions), []).append(
                        (cpu_after - cpu_before) / sessions
                    )
                print(layout.store, name, sessions, f"p95 {p95(times):.2f}", flush=True)
    return _viewer_rows(layout.store, [name for name, _ in configs], levels, p50s, p95s, cpus)


def _viewer_rows(
    store: str, names: list[str], levels: tuple[int, ...], p50s: Samples, p95s: Samples,
    cpus: Samples,
) -> list[list[str]]:  # fmt: skip
    """The table's rows from the rounds' samples (medians)."""
    rows = []
    for name in names:
        for sessions in levels:
            mid50 = statistics.median(p50s[name, sessions])
            mid95 = statistics.median(p95s[name, sessions])
            own = name if name.startswith("1,") else "1"  # baseline, floor: their own 1 session
            base = statistics.median(p95s[own, 1]) if (own, 1) in p95s else mid95
            floor = p95s.get((FLOOR, sessions))
            vs_floor = f"{mid95 / statistics.median(floor):.2f}×" if floor else "—"
            cpu = cpus.get((name, sessions))
            cpu_ms = f"{statistics.median(cpu) * 1000:.0f}" if cpu else "—"
            rows.append([store, name, str(sessions), f"{mid50:.2f}", f"{mid95:.2f}",
                         f"{mid95 / base:.2f}×", vs_floor, cpu_ms])  # fmt: skip
    return rows


async def _view_until(base: str, done: asyncio.Event, times: list[float]) -> None:
    while not done.is_set():
        times.append(await first_chart(base))


async def _load_while_viewing(
    layout: Layout, csv: Path, sessions: int
) -> tuple[float, list[float]]:
    done = asyncio.Event()
    times: list[float] = []
    viewers_ = [asyncio.create_task(_view_until(layout.two, done, times)) for _ in range(sessions)]
    await asyncio.sleep(0)
    try:
        seconds = await asyncio.to_thread(_etl, layout.db_url, "load", str(csv))
    finally:
        done.set()
        await asyncio.gather(*viewers_)
    return seconds, times


def loading_while_viewing(layout: Layout, csv: Path, sessions: int) -> list[str]:
    """The batch alone, then a batch of the same size (other regions: the same inserts)
    while ``sessions`` viewers keep opening the overview through nginx (two processes)."""
    alone = _etl(layout.db_url, "load", str(csv))
    twin = csv.with_name(csv.stem + "_twin.csv")
    if not twin.exists():
        twin.write_text(csv.read_text(encoding="utf-8").replace("区县", "乡镇"), encoding="utf-8")
    calm = simultaneous(layout.two, sessions)
    seconds, times = asyncio.run(_load_while_viewing(layout, twin, sessions))
    row = [layout.store, f"{alone:.1f}", f"{seconds:.1f}", f"{seconds / alone:.2f}×",
           f"{p95(calm):.2f}", str(len(times)), f"{statistics.median(times):.2f}",
           f"{p95(times):.2f}"]  # fmt: skip
    print(" | ".join(row), flush=True)
    return row


def first_run_sizes(layout: Layout, before: str) -> list[str]:
    """How many messages one first run sends, per one-process configuration (warm)."""
    configs = [(FLOOR, layout.floor), (f"1, {before} (before)", layout.before), ("1", layout.one)]
    sizes = []
    for name, url in configs:
        if url:
            first_run_messages(url)  # the server's first session reruns once (ui.navigation)
            sizes.append(f"{name}: {first_run_messages(url).total()}")
    return sizes


# ---- report --------------------------------------------------------------------------------


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    align = ["---"] + ["---:"] * (len(header) - 1)
    return ["| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |"] + [
        "| " + " | ".join(r) + " |" for r in rows
    ]


def main() -> None:
    """Every layout and session count, rounds interleaved; long because it is the
    benchmark's whole script, read top to bottom like the tables it prints."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="1, 5, 20 sessions; one round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per level (median)")
    parser.add_argument("--levels", default="", help="sessions, comma-separated (1,5,10,20,40)")
    parser.add_argument("--rows", type=int, default=200_000, help="rows of the batch loaded")
    parser.add_argument("--store", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--baseline", type=Path, help="an earlier app tree, run side by side")
    parser.add_argument("--baseline-name", default="", help="its name in the table")
    parser.add_argument("--no-load", action="store_true", help="skip loading while viewing")
    parser.add_argument("--floor", action="store_true", help="bench/floor_page.py side by side")
    args = parser.parse_args()
    before = args.baseline_name or ("baseline" if args.baseline else "Streamlit defaults")
    levels: tuple[int, ...] = QUICK_LEVELS if args.quick else LEVELS
    if args.levels:
        levels = tuple(int(n) for n in args.levels.split(","))
    rounds = 1 if args.quick else args.rounds
    rows_to_load = 20_000 if args.quick else args.rows
    OUT.mkdir(parents=True, exist_ok=True)
    csv = OUT / f"viewers_batch_{rows_to_load}.csv"
    if not csv.exists():
        generate_csv(csv, rows_to_load)

    viewer_rows: list[list[str]] = []
    load_rows: list[list[str]] = []
    messages: list[str] = []
    stores = ("sqlite", "postgresql") if args.store == "both" else (args.store,)
    for store in stores:
        run = Path(tempfile.mkdtemp(prefix="tqi-bench-viewers-", dir="/tmp"))
        run.chmod(0o755)  # PostgreSQL runs as the postgres user and must reach it
        layout_of = sqlite_layout if store == "sqlite" else postgres_layout
        try:
            with layout_of(run, args.baseline, args.floor) as layout:
                if not messages:
                    messages = first_run_sizes(layout, before)
                viewer_rows += viewers(layout, levels, rounds, before)
                if not args.no_load:
                    load_rows.append(loading_while_viewing(layout, csv, 20))
        finally:
            shutil.rmtree(run, ignore_errors=True)

    command = "python bench/bench_viewers.py " + shlex.join(sys.argv[1:])
    lines = [
        f"Overview, time to first chart (s) for simultaneous sessions, Streamlit-protocol "
        f"client, sample data; median of {rounds} round(s) (`{command}`, "
        f"{os.cpu_count()} CPUs shared with other work, load average "
        f"{os.getloadavg()[0]:.1f} at the end).",
        "",
        *_table(
            [
                "store",
                "app processes",
                "sessions",
                "p50",
                "p95",
                "p95 vs 1 session, 1 process",
                "p95 vs floor page, same sessions",
                "server CPU ms per session",
            ],
            viewer_rows,
        ),
        "",
        "Messages (`ForwardMsg`s) of one session's first run, on one process: "
        + "; ".join(messages)
        + ".",
    ]
    if load_rows:
        lines += [
            "",
            f"Loading while viewing: a {rows_to_load:,}-row batch (`python -m etl load`) alone, "
            "then one of the same size (other regions) while 20 sessions keep opening the "
            "overview through nginx (two processes).",
            "",
            *_table(
                [
                    "store",
                    "load alone s",
                    "load with viewers s",
                    "ratio",
                    "20 sessions p95, no load",
                    "overviews opened during the load",
                    "p50 during load",
                    "p95 during load",
                ],
                load_rows,
            ),
        ]
    REPORT.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()

"""Two trees' loaders side by side: ``python -m etl load`` of one file, each tree its own
store (SQLite file, PostgreSQL scratch schema), interleaved round by round.

A change to the write path is judged against the tree before it on the same file, the
same machine and the same minutes — a loaded machine's seconds swing too much for a
number from another hour. Each tree migrates its own store first (outside the timing),
as an installed app has done.

    mkdir -p /tmp/before && git archive 4044de9 | tar -x -C /tmp/before
    python bench/bench_load_ab.py --baseline /tmp/before --rows 1000000 --rounds 3
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_load import bench_env, generate_csv  # noqa: E402
from bench.cpu import process_cpu_seconds  # noqa: E402
from db.scratch import scratch_schema  # noqa: E402


def timed_load(tree: Path, url: str, csv: Path) -> tuple[float, float]:
    """Wall seconds and CPU seconds of ``tree``'s ``python -m etl load`` into ``url``
    (migrated by ``tree`` first). CPU is the CLI process's (user + system) plus, on
    PostgreSQL, the server backends it opened: on a machine whose load swings from 3 to
    15 within minutes, wall time compares two trees poorly and CPU time far better."""
    env = {**bench_env(), "PYTHONPATH": str(tree)}
    migrate = f"from db.session import get_engine; get_engine({url!r})"
    subprocess.run([sys.executable, "-c", migrate], cwd=tree, env=env, check=True)
    name = f"tqi_bench_{uuid.uuid4().hex[:12]}"
    backends = _BackendCpu(url, name) if url.startswith("postgresql") else None
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "etl", "--db", url, "load", str(csv)],
        cwd=tree,
        env={**env, "PGAPPNAME": name},  # libpq's application_name: finds its backends
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,  # a million rows' notes (提示) would flood the table
        text=True,
    )
    if backends is not None:
        backends.follow(process)
    _, errors = process.communicate()
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if process.returncode:
        raise SystemExit(f"{tree}: load failed ({process.returncode})\n{errors[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return seconds, cpu + (backends.seconds() if backends is not None else 0.0)


class _BackendCpu:
    """CPU seconds of the PostgreSQL backends whose ``application_name`` is ``name``, read
    from ``/proc`` (the server runs on this machine) every 0.1 s while the load runs: the
    last reading of each backend counts, so at most 0.1 s of its end is missed."""

    def __init__(self, url: str, name: str) -> None:
        self.url, self.name = url, name
        self.last: dict[int, float] = {}

    def follow(self, process: subprocess.Popen[str]) -> None:
        from sqlalchemy import create_engine, text

        engine = create_engine(self.url)
        with engine.connect() as conn:
            while process.poll() is None:
                pids = conn.execute(
                    text("SELECT pid FROM pg_stat_activity WHERE application_name = :n"),
                    {"n": self.name},
                ).scalars()
                for pid in pids:
                    try:
                        self.last[pid] = process_cpu_seconds(pid)
                    except OSError:
                        continue
                conn.rollback()
                time.sleep(0.1)
        engine.dispose()

    def seconds(self) -> float:
        return sum(self.last.values())


def one_run(tree: Path, store: str, csv: Path, work: Path, pg: str) -> tuple[float, float]:
    if store == "SQLite":
        db = work / "ab.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        return timed_load(tree, f"sqlite:///{db}", csv)
    with scratch_schema(pg, "ab") as (url, _schema):
        return timed_load(tree, url, csv)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, required=True, help="the earlier tree")
    parser.add_argument("--baseline-name", default="before")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pg", default=os.environ.get("TQI_TEST_POSTGRES_URL", ""))
    args = parser.parse_args()
    trees = {args.baseline_name: args.baseline.resolve(), "this tree": ROOT}
    stores = ["SQLite", "PostgreSQL"] if args.pg else ["SQLite"]
    runs: dict[tuple[str, str], list[tuple[float, float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        csv = work / f"long_{args.rows}.csv"
        generate_csv(csv, args.rows)
        for round_no in range(args.rounds):
            for name, tree in trees.items():
                for store in stores:
                    wall, cpu = one_run(tree, store, csv, work, args.pg)
                    runs.setdefault((store, name), []).append((wall, cpu))
                    load = os.getloadavg()[0]
                    print(
                        f"{round_no} {store} {name}: {wall:.1f} s, CPU {cpu:.1f} s (load {load:.1f})",
                        file=sys.stderr,
                        flush=True,
                    )
    print(f"\n{args.rows:,} rows, {args.rounds} rounds, {time.strftime('%Y-%m-%d')}:\n")
    print("| store | tree | median CPU s | median wall s | CPU s of each run |")
    print("|---|---|---:|---:|---|")
    for (store, name), got in runs.items():
        cpus = ", ".join(f"{c:.1f}" for _, c in got)
        wall = statistics.median(w for w, _ in got)
        cpu = statistics.median(c for _, c in got)
        print(f"| {store} | {name} | {cpu:.2f} | {wall:.2f} | {cpus} |")


if __name__ == "__main__":
    main()

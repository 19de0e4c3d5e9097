"""Loader benchmark: ``python -m etl load`` against two named baselines on the same file.

Baselines, run side by side in one go on the same generated long-format CSV:

* ``sqlite3 .import`` — the sqlite3 command-line shell importing the CSV into an empty,
  index-free table: the floor for "bytes into SQLite".
* ``sqlite-utils insert --csv`` — a popular Python loader (commits every 100 rows by default;
  run at the smaller size only, as it takes minutes at a million rows).

Ours does everything a real batch does: decode, normalise, validate, upsert, revisions,
batch record. Each command runs ``--repeat`` times on a fresh database; medians are printed
as a markdown table with the ratio to ``.import`` and peak memory (max RSS of the process).

Rollback (``--rollback``) is measured beside the load it undoes, on the same file and
store: ``python -m etl load`` then ``python -m etl rollback`` of that batch (ratio
rollback ÷ load; the target is ≤ 2). Then a 100-figure batch (50 changed, 50 new) is loaded
into and rolled back out of stores of growing size, timed in-process (the CLI's start-up
would swamp 0.1 s), to show the rollback's cost follows the batch, not the store.

    python bench/bench_load.py                 # 1,000,000 and 100,000 rows, 3 repeats
    python bench/bench_load.py --rows 200000 --repeat 1
    python bench/bench_load.py --rollback --rows 1000000 --stores 100000,1000000,3000000
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from db.catalog import read_catalog_file  # noqa: E402
from db.scratch import scratch_schema  # noqa: E402
from db.session import dispose_engines, get_engine, read_session  # noqa: E402


def bench_env() -> dict[str, str]:
    """The CLI's environment for a benchmark: stores larger than one file's default reading
    limits (1,048,576 rows, 8M cells; etl/read_limits.py) are built from one file here."""
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "TQI_MAX_ROWS": os.environ.get("TQI_MAX_ROWS", "100000000"),
        "TQI_MAX_CELLS": os.environ.get("TQI_MAX_CELLS", "1000000000"),
    }


def generate_csv(path: Path, rows: int) -> None:
    """Long layout, Chinese headers, every catalog indicator, unique (indicator, year, region)."""
    import numpy as np
    import pandas as pd

    specs = read_catalog_file()["indicators"]
    names = np.array([s["name_zh"] for s in specs])
    units = np.array([s["unit"] for s in specs])
    n_ind, n_years = len(specs), 10
    regions = np.array([f"区县{i:05d}" for i in range(rows // (n_ind * n_years) + 1)])
    idx = np.arange(rows)
    rng = np.random.default_rng(42)
    frame = pd.DataFrame(
        {
            "指标": names[idx % n_ind],
            "年份": 2016 + (idx // n_ind) % n_years,
            "地区": regions[idx // (n_ind * n_years)],
            "数值": np.round(rng.uniform(0, 100, rows), 2),
            "单位": units[idx % n_ind],
        }
    )
    frame.to_csv(path, index=False)


def run_measured(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one command, in a fresh wrapper process."""
    wrapper = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)\n"
        "dt = time.perf_counter() - t\n"
        "rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "print(dt, rss, r.returncode)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", wrapper, *cmd],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=True,
    )
    seconds, rss, code = out.stdout.split()
    if code != "0":
        raise SystemExit(f"command failed ({code}): {' '.join(cmd)}\n{out.stderr}")
    return float(seconds), float(rss)


def bench_import(csv: Path, work: Path) -> tuple[float, float]:
    db = work / "import.sqlite3"
    db.unlink(missing_ok=True)
    subprocess.run(
        [
            "sqlite3",
            str(db),
            "CREATE TABLE t (指标 TEXT, 年份 TEXT, 地区 TEXT, 数值 TEXT, 单位 TEXT)",
        ],
        check=True,
    )
    return run_measured(["sqlite3", str(db), f".import --csv --skip 1 {csv} t"])


def bench_sqlite_utils(csv: Path, work: Path) -> tuple[float, float]:
    db = work / "sqlite_utils.sqlite3"
    db.unlink(missing_ok=True)
    exe = shutil.which("sqlite-utils") or str(Path(sys.executable).parent / "sqlite-utils")
    return run_measured([exe, "insert", str(db), "t", str(csv), "--csv"])


def bench_ours(csv: Path, work: Path) -> tuple[float, float]:
    db = work / "ours.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{db}"
    get_engine(url)  # migrate and seed outside the timing, as an installed app has done
    dispose_engines()
    env = bench_env()
    return run_measured([sys.executable, "-m", "etl", "--db", url, "load", str(csv)], env)


# Ours up to the first write: the CLI's imports, reading, normalising and validating the
# file against the store's catalog (a read session). What is left of ``.import``'s 3×
# budget after this is all the writing (staging, upsert, revisions, indexes, commit) has.
_READ_AND_CHECK = """
import sys
import etl.cli_batches  # the load command's start-up: pandas, SQLAlchemy, click, its module
from db.catalog import load_catalog
from db.session import get_engine, read_session
from etl.normalize import normalize
from etl.read import read_table
from etl.validate import validate
path, url = sys.argv[1], sys.argv[2]
data = open(path, "rb").read()
raw = read_table(data, path)
with read_session(get_engine(url)) as session:
    catalog = load_catalog(session)
checked = validate(normalize(raw, catalog), catalog)
assert not checked.errors, checked.errors[:3]
"""


def bench_read_and_check(csv: Path, work: Path) -> tuple[float, float]:
    """Seconds and peak RSS of ours without the writing (see ``_READ_AND_CHECK``)."""
    url = fresh_store(work / "check.sqlite3")
    return run_measured([sys.executable, "-c", _READ_AND_CHECK, str(csv), url], bench_env())


# Our writes with nothing of Python: what ``python -m etl load`` writes for a file of new
# figures, as plain SQL in the ``sqlite3`` shell on a fresh migrated store — the file's
# rows staged by ``.import`` (already mapped to indicator ids, outside the timing), the
# batch record, a revision row per figure, the figures in key order with the two read
# indexes rebuilt after, the coverage summary, one commit. The lower bound of the design's
# writes, whatever the loader's code does.
_SQL_WRITES = """
PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-262144;
PRAGMA temp_store=MEMORY;
BEGIN IMMEDIATE;
CREATE TEMP TABLE stage (indicator_id INTEGER, year INTEGER, region TEXT, value REAL,
  qualifier TEXT, note TEXT);
.import --csv {ids_csv} stage
INSERT INTO batch (source_name, source_kind, sha256, loaded_by, rows_read, inserted, updated,
  unchanged, skipped, warnings, status) VALUES ('f', 'csv', '', 'bench', 0, 0, 0, 0, 0, '[]', 'loaded');
INSERT INTO revision (batch_id, kind, indicator_id, year, region, existed, old_value,
  old_qualifier, old_note, old_batch_id, new_value)
  SELECT 1, 'observation', s.indicator_id, s.year, s.region, t.indicator_id IS NOT NULL,
  t.value, t.qualifier, t.note, t.batch_id, s.value FROM stage s LEFT JOIN observation t
  ON t.indicator_id = s.indicator_id AND t.year = s.year AND t.region = s.region;
DROP INDEX ix_observation_year; DROP INDEX ix_observation_region;
INSERT INTO observation (indicator_id, year, region, value, qualifier, note, batch_id)
  SELECT indicator_id, year, region, value, qualifier, note, 1 FROM stage
  ORDER BY indicator_id, year, region;
CREATE INDEX ix_observation_year ON observation (year, indicator_id, value);
CREATE INDEX ix_observation_region ON observation (region, indicator_id, year, value);
INSERT INTO observation_coverage (indicator_id, year, regions, city)
  SELECT indicator_id, year, count(*), 0 FROM observation GROUP BY indicator_id, year;
COMMIT;
"""


def ids_csv(csv: Path, work: Path) -> Path:
    """``csv``'s figures with each indicator's name replaced by its id, no header (once)."""
    import pandas as pd

    out = work / f"{csv.stem}.ids.csv"
    if not out.exists():
        url = fresh_store(work / "ids.sqlite3")
        with read_session(get_engine(url)) as session:
            ids = {
                name: id_
                for name, id_ in session.execute(text("SELECT name_zh, id FROM indicator"))
            }
        dispose_engines()
        frame = pd.read_csv(csv)
        frame.insert(0, "indicator_id", frame.pop("指标").map(ids))
        frame[["indicator_id", "年份", "地区", "数值"]].to_csv(out, index=False, header=False)
    return out


def bench_sql_writes(csv: Path, work: Path) -> tuple[float, float]:
    """Seconds and peak RSS of ``_SQL_WRITES`` in the ``sqlite3`` shell on a fresh store."""
    db = work / "sql_writes.sqlite3"
    fresh_store(db)
    script = work / "sql_writes.sql"
    script.write_text(_SQL_WRITES.format(ids_csv=ids_csv(csv, work)))
    return run_measured(["sqlite3", str(db), f".read {script}"])


def fresh_store(db: Path) -> str:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{db}"
    get_engine(url)
    dispose_engines()
    return url


def bench_rollback_cli(csv: Path, work: Path) -> tuple[float, float]:
    """Seconds to load ``csv`` as one batch, then to roll that batch back (both CLI)."""
    url = fresh_store(work / "rollback.sqlite3")
    env = bench_env()
    cli = [sys.executable, "-m", "etl", "--db", url]
    load_s, _ = run_measured([*cli, "load", str(csv)], env)
    rollback_s, _ = run_measured([*cli, "rollback", "1"], env)
    return load_s, rollback_s


def small_batch_in_store(csv: Path, work: Path, repeat: int) -> list[tuple[float, float]]:
    """In one store holding ``csv``: ``repeat`` times, seconds to load and then to roll back
    a 100-figure batch (the same bytes load again once rolled back)."""
    import pandas as pd

    from db.session import write_session
    from etl.pipeline import load_file
    from etl.rollback import rollback_batch

    url = fresh_store(work / "store.sqlite3")
    env = bench_env()
    run_measured([sys.executable, "-m", "etl", "--db", url, "load", str(csv)], env)
    head = pd.read_csv(csv, nrows=50)
    head["数值"] = head["数值"] + 0.5  # 50 changed figures
    new = head.assign(地区="新区县")  # and 50 new ones
    data = pd.concat([head, new]).to_csv(index=False).encode()
    engine = get_engine(url)
    runs = []
    for _ in range(repeat):
        with write_session(engine) as session:
            start = time.perf_counter()
            result = load_file(session, data, "small.csv")
            session.commit()
            load_s = time.perf_counter() - start
        assert result.status == "loaded", result.errors
        with write_session(engine) as session:
            start = time.perf_counter()
            rollback_batch(session, result.batch_id or 0)
            session.commit()
            runs.append((load_s, time.perf_counter() - start))
    dispose_engines()
    return runs


def main_rollback(args: argparse.Namespace) -> None:
    rows_list = [n for n in (args.rows, args.small_rows) if n]
    print(f"\nMedian of {args.repeat} runs each, {time.strftime('%Y-%m-%d')}:\n")
    print("| batch rows | store rows | load s | rollback s | rollback ÷ load |")
    print("|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for rows in rows_list:
            csv = work / f"long_{rows}.csv"
            generate_csv(csv, rows)
            runs = [bench_rollback_cli(csv, work) for _ in range(args.repeat)]
            load_s = statistics.median(r[0] for r in runs)
            back_s = statistics.median(r[1] for r in runs)
            row = f"| {rows:,} | {rows:,} | {load_s:.2f} | {back_s:.2f} | {back_s / load_s:.2f} |"
            print(row, flush=True)
        for store in [int(n) for n in args.stores.split(",") if n]:
            csv = work / f"store_{store}.csv"
            generate_csv(csv, store)
            runs = small_batch_in_store(csv, work, args.repeat)
            load_s = statistics.median(r[0] for r in runs)
            back_s = statistics.median(r[1] for r in runs)
            row = f"| 100 | {store + 50:,} | {load_s:.3f} | {back_s:.3f} | {back_s / load_s:.2f} |"
            print(row, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--small-rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rollback", action="store_true", help="Rollback beside the load.")
    parser.add_argument("--stores", default="100000,1000000,3000000", help="--rollback stores.")
    parser.add_argument(
        "--pg",
        default=os.environ.get("TQI_TEST_POSTGRES_URL", ""),
        help="PostgreSQL server URL (default $TQI_TEST_POSTGRES_URL); '' skips PostgreSQL.",
    )
    args = parser.parse_args()
    print(f"cpu: {os.cpu_count()} cores; python {sys.version.split()[0]}", file=sys.stderr)
    if args.rollback:
        main_rollback(args)
        return
    results: list[tuple[int, str, str, float, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for rows in (args.rows, args.small_rows):
            csv = work / f"long_{rows}.csv"
            generate_csv(csv, rows)
            for store, name, seconds, rss in bench_size(csv, rows, work, args):
                results.append((rows, store, name, seconds, rss))
                print(f"{rows:>9,} {name:<28} {seconds:7.2f} s  {rss:7.0f} MB", file=sys.stderr)
    print(f"\nMedian of {args.repeat} runs each (interleaved), {time.strftime('%Y-%m-%d')}:\n")
    print("| rows | store | command | median s | × floor | peak RSS MB |")
    print("|---:|---|---|---:|---:|---:|")
    for rows, store, name, seconds, rss in results:
        base = next(s for r, st, n, s, _ in results if r == rows and st == store and n in FLOORS)
        print(f"| {rows:,} | {store} | {name} | {seconds:.2f} | {seconds / base:.2f} | {rss:.0f} |")


FLOORS = ("sqlite3 .import", "psql \\copy")


def bench_size(
    csv: Path, rows: int, work: Path, args: argparse.Namespace
) -> list[tuple[str, str, float, float]]:
    """Every candidate at one size, run interleaved (round by round) so a busy spell of the
    shared machine hits baseline and ours alike; (store, command, median s, max RSS MB)."""
    candidates: dict[tuple[str, str], Callable[[], tuple[float, float]]] = {
        ("SQLite", "sqlite3 .import"): lambda: bench_import(csv, work),
        ("SQLite", "python -m etl load"): lambda: bench_ours(csv, work),
        ("SQLite", "ours, reading and checking only"): lambda: bench_read_and_check(csv, work),
        ("SQLite", "our writes alone, in SQL (sqlite3 shell)"): lambda: bench_sql_writes(csv, work),
    }
    if rows <= args.small_rows:
        candidates[("SQLite", "sqlite-utils insert --csv")] = lambda: bench_sqlite_utils(csv, work)
    if args.pg:
        candidates[("PostgreSQL", "psql \\copy")] = lambda: bench_pg_copy(csv, args.pg)
        candidates[("PostgreSQL", "python -m etl load")] = lambda: bench_pg_ours(csv, args.pg)
    runs: dict[tuple[str, str], list[tuple[float, float]]] = {key: [] for key in candidates}
    for _ in range(args.repeat):
        for key, run in candidates.items():
            runs[key].append(run())
    return [
        (store, name, statistics.median(r[0] for r in got), max(r[1] for r in got))
        for (store, name), got in runs.items()
    ]


def bench_pg_copy(csv: Path, base: str) -> tuple[float, float]:
    """The floor: ``psql \\copy`` of the file into a plain, index-free table of its columns."""
    with scratch_schema(base, "bench") as (_url, schema):
        dsn = base.replace("postgresql+psycopg://", "postgresql://")
        table = f'"{schema}".t'
        subprocess.run(
            [
                "psql",
                "-q",
                dsn,
                "-c",
                f"CREATE TABLE {table} (指标 text, 年份 text, 地区 text, 数值 text, 单位 text)",
            ],
            check=True,
        )
        copy = f"\\copy {table} FROM '{csv}' WITH (FORMAT csv, HEADER true)"
        return run_measured(["psql", "-q", dsn, "-c", copy])


def bench_pg_ours(csv: Path, base: str) -> tuple[float, float]:
    with scratch_schema(base, "bench") as (url, _schema):
        get_engine(url)  # migrate and seed outside the timing, as an installed app has done
        dispose_engines()
        cli = [sys.executable, "-m", "etl", "--db", url, "load", str(csv)]
        return run_measured(cli, bench_env())


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    main()

"""The CPU one overview run costs the server's script thread, app trees side by side.

``bench/bench_viewers.py``'s CPU column is the whole process per session (the script run
plus Streamlit's own work around it: the WebSocket, the messages) and moves by ±20 %
between runs on a shared machine — more than a change to our code of a run moves it.
This measures only the script run, the part that is ours (``time.thread_time`` around
Streamlit's ``ScriptRunner._run_script``, in the server itself, no profiler), on every
tree **at the same time**: one server per tree, batches of sessions sent to each in
turn, so a neighbour's burst of load hits all of them alike.

    python bench/run_cpu.py --floor /tmp/viewers/BEFORE .         # SQLite sample store
    python bench/run_cpu.py --db postgresql:///DB --floor /tmp/viewers/BEFORE .

Each tree is an app directory (``git archive COMMIT | tar -x -C DIR``); ``--floor`` adds
``bench/floor_page.py`` (Streamlit's floor: the overview's elements, nothing of ours).
A ``--db`` store is loaded with the sample data first when it has none.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_viewers import first_chart  # noqa: E402
from bench.viewer_layouts import _etl, _free_port, _wait_http, app_command  # noqa: E402


def serve(out: str, script: str, options: list[str]) -> None:
    """In the server process: time every script run; SIGUSR2 forgets, SIGUSR1 writes."""
    from streamlit.runtime.scriptrunner import script_runner
    from streamlit.web import cli

    times: list[float] = []
    lock = threading.Lock()
    run_script = script_runner.ScriptRunner._run_script

    def timed(self: object, rerun_data: object) -> None:
        start = time.thread_time()
        try:
            run_script(self, rerun_data)  # type: ignore[arg-type]
        finally:
            with lock:
                times.append(time.thread_time() - start)

    def write(*_: object) -> None:
        with lock:
            Path(out).write_text("\n".join(f"{t:.6f}" for t in times))
        os._exit(0)

    script_runner.ScriptRunner._run_script = timed  # type: ignore[method-assign]
    signal.signal(signal.SIGUSR1, write)
    signal.signal(signal.SIGUSR2, lambda *_: times.clear())
    if script == "app.py" and Path("ui/launch.py").exists():
        from streamlit.runtime.pages_manager import PagesManager

        PagesManager.uses_pages_directory = False  # what ui.launch does first
    cli.main(["run", script, *options], prog_name="streamlit")


async def _turns(bases: list[str], batches: int, size: int) -> None:
    for _ in range(batches):
        for base in bases:
            await asyncio.gather(*(first_chart(base) for _ in range(size)))


def measure(targets: list[tuple[str, Path, str]], db_url: str, batches: int, size: int) -> None:
    """Start one server per (name, tree, script), warm them, then ``batches`` turns of
    ``size`` simultaneous sessions each; print each one's script-run CPU per run."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TQI_")}
    env["TQI_DATABASE_URL"] = db_url
    runs: list[tuple[str, subprocess.Popen[bytes], str, str]] = []
    with tempfile.TemporaryDirectory(prefix="tqi-run-cpu-") as tmp:
        for name, tree, script in targets:
            port = _free_port()
            words = app_command(port, tree=tree)
            at = words.index("--server.port")
            out = str(Path(tmp) / f"{len(runs)}.txt")
            command = [sys.executable, str(Path(__file__).resolve()), "--serve", out, script]
            process = subprocess.Popen([*command, *words[at:]], cwd=tree, env=env,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
            runs.append((name, process, out, f"http://127.0.0.1:{port}"))
        try:
            for *_, base in runs:
                _wait_http(f"{base}/_stcore/health")
            asyncio.run(_turns([base for *_, base in runs], 2, 3))  # warm: imports, caches
            for _, process, _, _ in runs:
                process.send_signal(signal.SIGUSR2)
            time.sleep(0.5)
            asyncio.run(_turns([base for *_, base in runs], batches, size))
            for _, process, _, _ in runs:
                process.send_signal(signal.SIGUSR1)
                process.wait(timeout=60)
            print("| server | runs | median ms | mean ms |\n| --- | ---: | ---: | ---: |")
            for name, _, out, _ in runs:
                ms = [float(t) * 1000 for t in Path(out).read_text().split()]
                print(f"| {name} | {len(ms)} | {statistics.median(ms):.1f} | "
                      f"{statistics.mean(ms):.1f} |")  # fmt: skip
        finally:
            for _, process, _, _ in runs:
                if process.poll() is None:
                    process.kill()


def main() -> None:
    if sys.argv[1:2] == ["--serve"]:
        serve(sys.argv[2], sys.argv[3], sys.argv[4:])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("trees", nargs="+", type=Path, help="app directories")
    parser.add_argument("--db", default="", help="store URL (default: a fresh SQLite)")
    parser.add_argument("--floor", action="store_true", help="bench/floor_page.py beside them")
    parser.add_argument("--batches", type=int, default=40, help="turns per server")
    parser.add_argument("--size", type=int, default=5, help="simultaneous sessions a turn")
    args = parser.parse_args()
    targets = [(str(tree), tree.resolve(), "app.py") for tree in args.trees]
    if args.floor:
        targets.insert(0, ("floor page", ROOT, "bench/floor_page.py"))
    with tempfile.TemporaryDirectory(prefix="tqi-run-cpu-store-") as tmp:
        db_url = args.db or f"sqlite:///{tmp}/store.sqlite3"
        _etl(db_url, "sample")  # a second load of the sample is a no-op (same batch)
        measure(targets, db_url, args.batches, args.size)


if __name__ == "__main__":
    main()

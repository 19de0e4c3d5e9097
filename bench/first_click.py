"""Does the first login click right after a server start always make a run? With and
without the launcher (``python -m ui.launch`` against a bare ``streamlit run app.py``).

The rare CI failure this measures: on a loaded machine, the first login click after a
fresh start never produced a run within 120 s. Each round starts a fresh server per
command (taking turns), opens the root URL in Debian's Chromium, clicks 统计员登录 and
登录 as soon as the form is there (``--after-idle``: first wait for the page's runs to end,
as the end-to-end tests do), and waits up to ``--timeout`` seconds for 已登录. Run it
under load, as CI's machine is::

    bash scripts/under-load.sh .venv/bin/python bench/first_click.py --rounds 20

Prints one line per attempt, then per command: clicks that worked, clicks lost, and the
median and slowest seconds from the click to 已登录; each attempt's line says whether the
first run was still going at the click (``clicked: running``). ``--log-dir DIR`` keeps each
server's log at Streamlit's debug level (``Running script`` at every run start) and, beside
it (``NN-….frames``, ``bench/ws_frames.py``), the browser's websocket frames and console,
to see where a lost click went: sent or not, a run started or not, answered or not.
``--sample`` loads the sample data first: the first run then draws charts and lasts long
enough that the click lands in it, as when a test clicks before that run has ended.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Browser  # noqa: E402
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError  # noqa: E402

from bench.ws_frames import FrameLog  # noqa: E402
from tests.conftest import etl  # noqa: E402
from tests.e2e import (  # noqa: E402
    APP_COMMAND,
    BARE_COMMAND,
    chromium,
    idle,
    new_page,
    streamlit_server,
)

COMMANDS = {"launcher": APP_COMMAND, "bare streamlit run": BARE_COMMAND}
NAME, PASSWORD = "ana", "analyst-pass-1"


def store(folder: Path, sample: bool = False) -> str:
    """An empty SQLite store with one analyst (the end-to-end tests' first-start case);
    ``sample``: with the sample data, so the first run draws charts and lasts longer."""
    url = f"sqlite:///{folder / 'tqi.sqlite3'}"
    made = etl(url, "users", "add", NAME, "--role", "analyst", "--password-stdin",
               stdin=f"{PASSWORD}\n".encode())  # fmt: skip
    assert made.returncode == 0, made.stderr.decode("utf-8", errors="replace")
    if sample:
        loaded = etl(url, "sample")
        assert loaded.returncode == 0, loaded.stderr.decode("utf-8", errors="replace")
    return url


SCRIPT_STATE = """() => document.querySelector('[data-testid="stApp"]')
    ?.getAttribute('data-test-script-state')"""


def attempt(browser: Browser, url: str, command: list[str], timeout: float, after_idle: bool,
            log: Path | None = None, grace: float = 0) -> tuple[float | None, str]:  # fmt: skip
    """One fresh server, one first click: seconds from the click to 已登录 (None if lost),
    and Streamlit's script state at the click ("running": the first run was still going).

    ``grace``: after ``timeout``, wait this much longer, to tell a click that was lost from
    one whose run was only slower than the tests wait (the state then says "late").

    ``log``: the server's output goes there, at Streamlit's debug level (every run start),
    and the browser's websocket frames and console beside it (``….frames``, ``bench.ws_frames``).
    """
    debug = {} if log is None else {"STREAMLIT_LOGGER_LEVEL": "debug"}
    frames = None if log is None else FrameLog(log.with_suffix(".frames"))
    mark = (lambda _: None) if frames is None else frames.mark
    state = "no click"
    clicked = None
    with streamlit_server(url, log=log, command=command, **debug) as base:
        page = new_page(browser)
        if frames is not None:
            frames.watch(page)
        try:
            page.goto(base)
            if after_idle:
                idle(page)
            sidebar = page.locator('[data-testid="stSidebar"]')
            sidebar.get_by_text("统计员登录").click()
            mark("expander clicked")
            sidebar.get_by_label("用户名").fill(NAME)
            sidebar.get_by_label("密码").fill(PASSWORD)
            button = sidebar.get_by_role("button", name="登录", exact=True)
            button.wait_for()
            state = page.evaluate(SCRIPT_STATE)  # "running": the first run is still going
            mark(f"form filled; clicking 登录 (script state {state})")
            clicked = time.monotonic()
            button.click()
            mark("登录 clicked")
            sidebar.get_by_text("已登录").wait_for(timeout=timeout * 1000)
            mark("已登录 shown")
        except PlaywrightTimeoutError as error:  # the form never came, or the click was lost
            mark(f"TIMED OUT: {str(error).splitlines()[0]}")
            print(str(error).splitlines()[0], file=sys.stderr)
            if clicked is not None and grace > 0:
                with contextlib.suppress(PlaywrightTimeoutError):
                    sidebar.get_by_text("已登录").wait_for(timeout=grace * 1000)
                    state += f", late: 已登录 {time.monotonic() - clicked:.0f} s after the click"
                    mark(state)
            return None, state
        finally:
            page.close()
            if frames is not None:
                frames.close()
        return time.monotonic() - clicked, state


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=20, help="fresh starts per command")
    parser.add_argument("--timeout", type=float, default=120, help="seconds to wait for 已登录")
    parser.add_argument(
        "--grace", type=float, default=300, help="then how long to tell late from lost"
    )
    parser.add_argument("--after-idle", action="store_true", help="wait for the runs first")
    parser.add_argument("--log-dir", type=Path, help="keep each server's debug log here")
    parser.add_argument("--sample", action="store_true", help="a store with the sample data")
    parser.add_argument("--only", choices=sorted(COMMANDS), help="start the app one way only")
    args = parser.parse_args()
    commands = {n: c for n, c in COMMANDS.items() if args.only in (None, n)}
    results: dict[str, list[float | None]] = {name: [] for name in commands}
    late = dict.fromkeys(commands, 0)  # past --timeout, but 已登录 came within --grace
    with tempfile.TemporaryDirectory() as tmp, chromium() as browser:
        url = store(Path(tmp), args.sample)
        for round_ in range(1, args.rounds + 1):
            for name, command in commands.items():
                log = None
                if args.log_dir is not None:
                    args.log_dir.mkdir(parents=True, exist_ok=True)
                    log = args.log_dir / f"{round_:02d}-{command[2]}.log"
                took, state = attempt(
                    browser, url, command, args.timeout, args.after_idle, log, args.grace
                )
                results[name].append(took)
                late[name] += "late:" in state
                shown = "LOST" if took is None else f"{took:.2f} s"
                print(f"round {round_:2d} {name:20s} {shown:8s} (clicked: {state})", flush=True)
    print(f"\nfirst login click after a fresh start, {args.rounds} rounds"
          f"{' (after idle)' if args.after_idle else ' (at once)'}:")  # fmt: skip
    for name, times in results.items():
        worked = [t for t in times if t is not None]
        spread = f"median {statistics.median(worked):.2f} s, slowest {max(worked):.2f} s" if worked else ""  # fmt: skip
        print(f"  {name:20s} worked {len(worked)}/{len(times)}, lost {len(times) - len(worked)}"
              f" (of them late, not lost: {late[name]})  {spread}")  # fmt: skip


if __name__ == "__main__":
    main()

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
median and slowest seconds from the click to 已登录. ``--log-dir DIR`` keeps each server's
log at Streamlit's debug level (``Running script`` at every run start), to see where a lost
click went.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Browser  # noqa: E402
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError  # noqa: E402

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


def store(folder: Path) -> str:
    """An empty SQLite store with one analyst (the end-to-end tests' first-start case)."""
    url = f"sqlite:///{folder / 'tqi.sqlite3'}"
    made = etl(url, "users", "add", NAME, "--role", "analyst", "--password-stdin",
               stdin=f"{PASSWORD}\n".encode())  # fmt: skip
    assert made.returncode == 0, made.stderr.decode("utf-8", errors="replace")
    return url


def attempt(browser: Browser, url: str, command: list[str], timeout: float, after_idle: bool,
            log: Path | None = None) -> float | None:  # fmt: skip
    """One fresh server, one first click: seconds from the click to 已登录, None if lost.

    ``log``: the server's output goes there, at Streamlit's debug level (every run start).
    """
    debug = {} if log is None else {"STREAMLIT_LOGGER_LEVEL": "debug"}
    with streamlit_server(url, log=log, command=command, **debug) as base:
        page = new_page(browser)
        try:
            page.goto(base)
            if after_idle:
                idle(page)
            sidebar = page.locator('[data-testid="stSidebar"]')
            sidebar.get_by_text("统计员登录").click()
            sidebar.get_by_label("用户名").fill(NAME)
            sidebar.get_by_label("密码").fill(PASSWORD)
            clicked = time.monotonic()
            sidebar.get_by_role("button", name="登录", exact=True).click()
            sidebar.get_by_text("已登录").wait_for(timeout=timeout * 1000)
        except PlaywrightTimeoutError as error:  # the form never came, or the click was lost
            print(str(error).splitlines()[0], file=sys.stderr)
            return None
        finally:
            page.close()
        return time.monotonic() - clicked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=20, help="fresh starts per command")
    parser.add_argument("--timeout", type=float, default=120, help="seconds to wait for 已登录")
    parser.add_argument("--after-idle", action="store_true", help="wait for the runs first")
    parser.add_argument("--log-dir", type=Path, help="keep each server's debug log here")
    args = parser.parse_args()
    results: dict[str, list[float | None]] = {name: [] for name in COMMANDS}
    with tempfile.TemporaryDirectory() as tmp, chromium() as browser:
        url = store(Path(tmp))
        for round_ in range(1, args.rounds + 1):
            for name, command in COMMANDS.items():
                log = None
                if args.log_dir is not None:
                    args.log_dir.mkdir(parents=True, exist_ok=True)
                    log = args.log_dir / f"{round_:02d}-{command[2]}.log"
                took = attempt(browser, url, command, args.timeout, args.after_idle, log)
                results[name].append(took)
                shown = "LOST" if took is None else f"{took:.2f} s"
                print(f"round {round_:2d} {name:20s} {shown}", flush=True)
    print(f"\nfirst login click after a fresh start, {args.rounds} rounds"
          f"{' (after idle)' if args.after_idle else ' (at once)'}:")  # fmt: skip
    for name, times in results.items():
        worked = [t for t in times if t is not None]
        spread = f"median {statistics.median(worked):.2f} s, slowest {max(worked):.2f} s" if worked else ""  # fmt: skip
        print(f"  {name:20s} worked {len(worked)}/{len(times)}, lost {len(times) - len(worked)}  {spread}")  # fmt: skip


if __name__ == "__main__":
    main()

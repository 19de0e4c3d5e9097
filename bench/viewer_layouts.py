"""The layouts ``bench/bench_viewers.py`` measures: app processes as the unit file starts
them, nginx in front as ``scripts/cluster.sh`` renders it, SQLite or the PostgreSQL cluster.

Split from the bench so each file holds one idea: here, starting and stopping servers.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_pages import _free_port  # noqa: E402

# ---- layouts -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    store: str  # SQLite | PostgreSQL
    db_url: str
    one: str  # one app process
    two: str  # nginx in front of two
    before: str | None = None  # the baseline: an earlier tree, or Streamlit's defaults
    floor: str | None = None  # bench/floor_page.py: the overview's elements, no app behind


def _nginx_conf(run: Path, http_port: int, app_ports: list[int]) -> Path:
    """deploy/nginx/*.conf rendered the way scripts/cluster.sh renders them."""
    servers = " ".join(f"server 127.0.0.1:{p} max_fails=1 fail_timeout=10s;" for p in app_ports)
    values = {"{{RUN}}": str(run), "{{HTTP_PORT}}": str(http_port),
              "{{APP_SERVERS}}": servers, "{{NGINX_USER}}": os.environ.get("USER", "root")}  # fmt: skip
    for sub in ("conf", "log", "nginx"):
        (run / sub).mkdir(parents=True, exist_ok=True)
    for src, dest in (("tqi.conf", "tqi.conf"), ("nginx-local.conf", "nginx.conf")):
        text = (ROOT / "deploy" / "nginx" / src).read_text()
        for key, value in values.items():
            text = text.replace(key, value)
        (run / "conf" / dest).write_text(text)
    return run / "conf" / "nginx.conf"


def _wait_http(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def app_command(port: int, *, default_watcher: bool = False, tree: Path = ROOT) -> list[str]:
    """The ``ExecStart`` line of ``deploy/systemd/tqi-app@.service`` for ``port``.

    ``default_watcher``: without its ``--server.fileWatcherType none`` and
    ``--runner.postScriptGC false`` (the baseline: what a plain ``streamlit run app.py``
    does). A ``tree`` from before the launcher (``ui/launch.py``) gets ``streamlit run
    app.py`` in its place, as its own unit file had it.
    """
    unit = (ROOT / "deploy" / "systemd" / "tqi-app@.service").read_text()
    line = next(x for x in unit.splitlines() if x.startswith("ExecStart="))
    words = line.removeprefix("ExecStart=").replace("%i", str(port)).split()
    words[0] = sys.executable  # {{PYTHON}}
    if words[1:3] == ["-m", "ui.launch"] and not (tree / "ui" / "launch.py").exists():
        words[1:3] = ["-m", "streamlit", "run", "app.py"]
    if default_watcher:
        for option in ("--server.fileWatcherType", "--runner.postScriptGC"):
            at = words.index(option)
            del words[at : at + 2]
    return words


@contextmanager
def app_process(
    env: dict[str, str], *, default_watcher: bool = False, tree: Path = ROOT, script: str = ""
) -> Iterator[str]:
    """One app process as the unit file starts it, on a free port; its base URL.

    ``tree``: the app's directory (the baseline's, for the "before" process). ``script``:
    another script in place of ``app.py`` with the same options (``bench/floor_page.py``).
    """
    port = _free_port()
    words = app_command(port, default_watcher=default_watcher, tree=tree)
    if script:  # a bare script: Streamlit's own command line, the unit file's options
        if words[1:3] == ["-m", "ui.launch"]:
            words[1:3] = ["-m", "streamlit", "run", script]
        else:
            words[words.index("app.py")] = script
    process = subprocess.Popen(
        words, cwd=tree, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_http(f"{base}/_stcore/health")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def _floor(env: dict[str, str], floor: bool) -> AbstractContextManager[str | None]:
    """The floor page's process when asked for (``--floor``), else nothing."""
    return app_process(env, script="bench/floor_page.py") if floor else nullcontext()


def _before(env: dict[str, str], baseline: Path | None) -> AbstractContextManager[str]:
    """The baseline process: ``baseline``'s tree, else Streamlit's development defaults."""
    if baseline is not None:
        return app_process(env, tree=baseline)
    return app_process(env, default_watcher=True)


@contextmanager
def sqlite_layout(run: Path, baseline: Path | None, floor: bool = False) -> Iterator[Layout]:
    """Two app processes on one SQLite file (WAL), nginx in front."""
    store = run / "viewers.sqlite3"
    url = f"sqlite:///{store}"
    _etl(url, "sample")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TQI_")}
    env["TQI_DATABASE_URL"] = url
    with (
        app_process(env) as one,
        app_process(env) as other,
        _before(env, baseline) as before,
        _floor(env, floor) as floor_url,
    ):
        http = _free_port()
        ports = [int(one.rsplit(":", 1)[1]), int(other.rsplit(":", 1)[1])]
        conf = _nginx_conf(run, http, ports)
        subprocess.run(["/usr/sbin/nginx", "-c", str(conf), "-p", str(run / "nginx")], check=True)
        try:
            _wait_http(f"http://127.0.0.1:{http}/_stcore/health")
            yield Layout("SQLite", url, one, f"http://127.0.0.1:{http}", before, floor_url)
        finally:
            pid = (run / "nginx" / "nginx.pid").read_text().strip()
            subprocess.run(["kill", pid], check=False)


@contextmanager
def postgres_layout(run: Path, baseline: Path | None, floor: bool = False) -> Iterator[Layout]:
    """``scripts/cluster.sh``: primary + replica, two app processes, nginx; the baseline
    tree's process beside them on the same primary and replica (when given)."""
    ports = [_free_port() for _ in range(5)]
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("TQI_")},
        "TQI_CLUSTER_DIR": str(run), "TQI_CLUSTER_HTTP_PORT": str(ports[0]),
        "TQI_CLUSTER_PG_PORT": str(ports[1]), "TQI_CLUSTER_REPLICA_PORT": str(ports[2]),
        "TQI_CLUSTER_APP_PORTS": f"{ports[3]} {ports[4]}", "PYTHON": sys.executable,
    }  # fmt: skip
    script = ["bash", str(ROOT / "scripts" / "cluster.sh")]
    try:
        subprocess.run([*script, "start"], env=env, check=True, capture_output=True)
        settings = dict(
            line.split("=", 1)
            for line in (run / "conf" / "tqi.env").read_text().splitlines()
            if "=" in line and not line.startswith("#")
        )
        url = settings["TQI_DATABASE_URL"]
        _etl(url, "sample")
        one, two = f"http://127.0.0.1:{ports[3]}", f"http://127.0.0.1:{ports[0]}"
        app_env = {k: v for k, v in os.environ.items() if not k.startswith("TQI_")}
        app_env.update({k: v for k, v in settings.items() if k.startswith("TQI_")})
        with (
            app_process(app_env, tree=baseline) if baseline else nullcontext() as before,
            _floor(app_env, floor) as floor_url,
        ):
            yield Layout("PostgreSQL", url, one, two, before, floor_url)
    finally:
        subprocess.run([*script, "stop"], env=env, check=False, capture_output=True)


def _etl(db_url: str, *args: str) -> float:
    """``python -m etl --db URL args``; its wall time."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TQI_")}
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "etl", "--db", db_url, *args], cwd=ROOT,
                          env=env, capture_output=True, text=True)  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"etl {args}: {done.stderr[-2000:]}")
    return time.perf_counter() - start

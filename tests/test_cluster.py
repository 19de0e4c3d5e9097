"""The scaled layout end to end (``make test-cluster``; README "Deployment at scale").

One layout per module, started by ``scripts/cluster.sh`` from the files in ``deploy/`` on
free ports in its own run folder: a PostgreSQL primary, a streaming replica made with
``pg_basebackup``, two app processes (A and B) and nginx in front. The tests run in file
order on that one layout: routing on the real replica, accounts across the two
processes, then the story a bureau lives — a batch committed through A, seen through B
via nginx, A killed, the replica stopped.

``make test`` collects this file but leaves it to ``make test-cluster`` (it starts a whole
layout); with ``TQI_CLUSTER_TESTS=1`` a missing nginx or PostgreSQL is a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

if not os.environ.get("TQI_CLUSTER_TESTS"):
    pytest.skip("run by `make test-cluster` (TQI_CLUSTER_TESTS=1)", allow_module_level=True)

from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import select

from db import queries, users
from db.models import Batch, User
from db.session import (
    add_commit_listener,
    current_wal_lsn,
    dispose_engines,
    get_engine,
    read_session,
    remove_commit_listener,
    route_reads,
    write_session,
)
from tests.conftest import ROOT
from tests.conftest import etl as run_etl
from tests.e2e import WATCH_RUNS, free_port, idle, new_run, screenshot_on_failure


def etl(*args: str, **kwargs: Any) -> subprocess.CompletedProcess:
    """Every command here runs as its own process: as the cluster's users run it."""
    return run_etl(*args, process=True, **kwargs)


pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.timeout(900)]

CHART = ".js-plotly-plot .main-svg"
EMPTY_STORE = "数据库中还没有指标数据"
REPLICA_DOWN = "只读副本暂不可用"
PG_BIN_GLOB = "/usr/lib/postgresql/*/bin/pg_basebackup"
# ms: a run after a batch lands reads everything afresh, on a machine other work shares
TIMEOUT = 180_000


@dataclass(frozen=True)
class Cluster:
    run: Path
    env: dict[str, str]  # what cluster.sh was started with
    http: str  # nginx
    app_a: int
    app_b: int
    replica_port: int
    primary_url: str
    replica_url: str

    def sh(self, *args: str) -> None:
        done = subprocess.run(
            ["bash", "scripts/cluster.sh", *args], cwd=ROOT, env=self.env,
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert done.returncode == 0, f"cluster.sh {args}: {done.stderr}"

    def replica_sql(self, sql: str) -> str:
        """``sql`` on the replica as the PostgreSQL superuser (through its socket)."""
        psql = sorted(Path("/usr/lib/postgresql").glob("*/bin/psql"))[-1]
        command = [str(psql), "-h", str(self.run / "pg" / "sock"), "-p", str(self.replica_port),
                   "-d", "tqi", "-AtXc", sql]  # fmt: skip
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()


def _require_tools() -> None:
    """Asked for explicitly (TQI_CLUSTER_TESTS), so a missing tool fails, never skips."""
    missing = [p for p in ("/usr/sbin/nginx",) if not Path(p).exists()]
    if not list(Path("/").glob(PG_BIN_GLOB.lstrip("/"))):
        missing.append("PostgreSQL server binaries (pg_basebackup)")
    if missing:
        pytest.fail(
            f"make test-cluster needs {', '.join(missing)} (apt-get install nginx postgresql)"
        )


def _read_env_file(path: Path) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    return {k: v for k, v in pairs if not k.startswith("#")}


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    _require_tools()
    run = Path(tempfile.mkdtemp(prefix="tqi-cluster-", dir="/tmp"))  # reachable by postgres
    run.chmod(0o755)
    ports = [free_port() for _ in range(5)]
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("TQI_")},
        "TQI_CLUSTER_DIR": str(run),
        "TQI_CLUSTER_HTTP_PORT": str(ports[0]),
        "TQI_CLUSTER_PG_PORT": str(ports[1]),
        "TQI_CLUSTER_REPLICA_PORT": str(ports[2]),
        "TQI_CLUSTER_APP_PORTS": f"{ports[3]} {ports[4]}",
        "PYTHON": sys.executable,
    }
    layout = Cluster(run, env, f"http://127.0.0.1:{ports[0]}", ports[3], ports[4], ports[2],
                     primary_url="", replica_url="")  # fmt: skip
    try:
        layout.sh("start")
        settings = _read_env_file(run / "conf" / "tqi.env")  # what the app processes got
        yield replace(layout, primary_url=settings["TQI_DATABASE_URL"],
                      replica_url=settings["TQI_READ_DATABASE_URL"])  # fmt: skip
    finally:
        dispose_engines()
        layout.sh("stop")
        shutil.rmtree(run, ignore_errors=True)


def wait_until(what: str, predicate: Callable[[], bool], timeout: float = 60) -> None:
    """Poll the state until ``predicate`` holds (the machine is loaded; no fixed sleeps)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        time.sleep(0.2)


def replica_has_replayed(cluster: Cluster, lsn: str) -> bool:
    return cluster.replica_sql(f"SELECT pg_last_wal_replay_lsn() >= '{lsn}'::pg_lsn") == "t"


# ---- routing on the real replica ------------------------------------------------------------


def test_a_session_reads_its_own_writes_and_others_follow_the_replica(
    cluster: Cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TQI_READ_DATABASE_URL", cluster.replica_url)
    primary, replica = cluster.primary_url, cluster.replica_url
    before = route_reads(primary, replica, None, queries.data_version)
    assert (before.url, before.replica_down) == (replica, False)

    engine = get_engine(primary)  # its first use seeds the catalog (a commit of its own)
    lsns: list[str] = []
    add_commit_listener(lsns.append)
    cluster.replica_sql("SELECT pg_wal_replay_pause()")  # the replica falls behind on purpose
    try:
        with write_session(engine) as session:
            session.add(Batch(source_name="cluster test", sha256="d" * 64,
                              status="rolled_back", rolled_back_at=datetime.now(UTC)))  # fmt: skip
            session.commit()
        assert len(lsns) == 1
        own = route_reads(primary, replica, lsns[0], queries.data_version)
        assert own.url == primary  # the replica has not replayed our commit
        assert own.version != before.version
        other = route_reads(primary, replica, None, queries.data_version)
        assert (other.url, other.version) == (replica, before.version)
    finally:
        remove_commit_listener(lsns.append)
        cluster.replica_sql("SELECT pg_wal_replay_resume()")
    wait_until("replica replays the commit", lambda: replica_has_replayed(cluster, lsns[0]))
    caught_up = route_reads(primary, replica, lsns[0], queries.data_version)
    assert (caught_up.url, caught_up.version) == (replica, own.version)


# ---- accounts across the two app processes ------------------------------------------------


def _fill_login(page: Page, name: str, password: str) -> None:
    sidebar = page.locator('[data-testid="stSidebar"]')
    if not sidebar.get_by_label("用户名").is_visible():
        sidebar.get_by_text("统计员登录").click()
    sidebar.get_by_label("用户名").fill(name)
    sidebar.get_by_label("密码").fill(password)


def watched(page: Page) -> Page:
    """``page`` with the app's run counter watched (``tests/e2e.py``'s ``idle``/``new_run``
    wait on it, not on a fixed pause) and this file's longer timeout."""
    page.set_default_timeout(TIMEOUT)
    page.add_init_script(WATCH_RUNS)
    return page


def go(page: Page, title: str) -> None:
    """Open a page through the sidebar navigation (a new URL would start a new session)."""
    with new_run(page):
        page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title).click()


def log_in(page: Page, name: str, password: str) -> None:
    """Sign in from the sidebar, and wait until the sidebar says so."""
    _fill_login(page, name, password)
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_role("button", name="登录", exact=True).click()
    sidebar.get_by_text("已登录").wait_for()
    idle(page)


def _submit_login(page: Page) -> None:
    """Submit a login that fails, and wait for the answer: the callback empties the password."""
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_role("button", name="登录", exact=True).click()
    expect(sidebar.get_by_label("密码")).to_have_value("")
    idle(page)


def _account_row(cluster: Cluster, name: str) -> tuple[int, datetime | None]:
    with read_session(get_engine(cluster.primary_url)) as session:
        row = session.execute(
            select(User.failed_logins, User.last_failed_at).where(User.username == name)
        ).one()
    return int(row[0] or 0), row[1]


def _failed_logins(cluster: Cluster, name: str) -> int:
    return _account_row(cluster, name)[0]


def _lock_left(cluster: Cluster, name: str) -> float:
    return users.retry_after(*_account_row(cluster, name), users.utcnow())


def _nav_titles(page: Page) -> list[str]:
    return page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()


def _open(browser: Browser, url: str) -> Page:
    page = watched(browser.new_page(viewport={"width": 1440, "height": 1000}))
    page.goto(url)
    page.locator('[data-testid="stSidebarNav"]').wait_for()
    idle(page)
    return page


def test_logins_lockouts_and_roles_hold_across_processes(
    cluster: Cluster, browser: Browser
) -> None:
    expect.set_options(timeout=TIMEOUT)
    for name, role, password in (("cl_ana", "analyst", "analyst-pass-1"),
                                 ("cl_vi", "viewer", "viewer-pass-1")):  # fmt: skip
        done = etl(cluster.primary_url, "users", "add", name, "--role", role,
                   "--password-stdin", stdin=f"{password}\n".encode())  # fmt: skip
        assert done.returncode == 0, done.stderr
    a = _open(browser, f"http://127.0.0.1:{cluster.app_a}/")
    b = _open(browser, f"http://127.0.0.1:{cluster.app_b}/")

    # Failures count across processes (A, A, B, A, B), each lock waited out as the
    # database has it; the fifth locks the name for 20 s, and B then refuses even the right
    # password although B's own browser session has failed only twice.
    for n, page in enumerate((a, a, b, a, b), start=1):
        wait_until("the lock-out ends", lambda: _lock_left(cluster, "cl_ana") == 0, timeout=30)
        _fill_login(page, "cl_ana", "wrong-password")
        _submit_login(page)
        expect(page.get_by_text("用户名或密码错误").first).to_be_visible()
        assert _failed_logins(cluster, "cl_ana") == n
    _fill_login(b, "cl_ana", "analyst-pass-1")
    _submit_login(b)
    expect(b.get_by_text("登录失败次数过多").first).to_be_visible()
    expect(b.locator('[data-testid="stSidebar"]').get_by_text("已登录")).to_have_count(0)

    # A viewer signed in on B gains the analyst pages at the next click after a role change
    # made by another process (the CLI), and A sees the same role.
    b.reload()
    b.locator('[data-testid="stSidebarNav"]').wait_for()
    log_in(b, "cl_vi", "viewer-pass-1")
    assert "数据上传" not in _nav_titles(b)
    done = etl(cluster.primary_url, "users", "set-role", "cl_vi", "analyst")
    assert done.returncode == 0, done.stderr
    go(b, "分类趋势")
    expect(b.locator('[data-testid="stSidebarNav"]').get_by_text("数据上传")).to_be_visible()
    a.reload()
    a.locator('[data-testid="stSidebarNav"]').wait_for()
    log_in(a, "cl_vi", "viewer-pass-1")
    expect(a.locator('[data-testid="stSidebarNav"]').get_by_text("数据上传")).to_be_visible()
    a.close()
    b.close()


# ---- the story: a batch through A, seen through B via nginx, fail-overs -----------------------


def _viewer_on(browser: Browser, cluster: Cluster, port: int) -> tuple[BrowserContext, Page]:
    """A browser whose nginx route cookie lands on the app process on ``port``."""
    for _ in range(40):  # each new browser gets a random route: about half land on each
        context = browser.new_context(viewport={"width": 1440, "height": 1000})
        response = context.request.get(f"{cluster.http}/_stcore/health")
        if response.headers.get("x-tqi-upstream") == f"127.0.0.1:{port}":
            return context, watched(context.new_page())
        context.close()
    raise AssertionError(f"no route cookie reached port {port} in 40 tries")


def test_batch_through_a_is_seen_through_b_and_survives_fail_overs(
    cluster: Cluster, browser: Browser, artifacts_dir: Path
) -> None:
    expect.set_options(timeout=TIMEOUT)
    context, viewer = _viewer_on(browser, cluster, cluster.app_b)
    with screenshot_on_failure(viewer, artifacts_dir / "cluster_viewer_on_b.png"):
        _story(cluster, browser, context, viewer)
    context.close()


def _story(cluster: Cluster, browser: Browser, context: BrowserContext, viewer: Page) -> None:
    """The steps of the test above, in order (a screenshot of the viewer if one fails)."""
    done = etl(cluster.primary_url, "users", "add", "cl_story", "--role", "analyst",
               "--password-stdin", stdin=b"analyst-pass-1\n")  # fmt: skip
    assert done.returncode == 0, done.stderr
    viewer.goto(cluster.http)
    idle(viewer)
    expect(viewer.get_by_text(EMPTY_STORE)).to_be_visible()

    # Process A commits the sample batch while the replica is held back: A's session reads
    # its own write from the primary; B's viewer still sees the replica's (empty) store.
    cluster.replica_sql("SELECT pg_wal_replay_pause()")
    try:
        analyst = _open(browser, f"http://127.0.0.1:{cluster.app_a}/")
        log_in(analyst, "cl_story", "analyst-pass-1")  # only an analyst loads the sample
        analyst.get_by_role("button", name="加载示例数据").click()
        analyst.locator(CHART).first.wait_for(state="visible")
        go(viewer, "分类趋势")
        go(viewer, "总览")
        expect(viewer.get_by_text(EMPTY_STORE)).to_be_visible()
    finally:
        cluster.replica_sql("SELECT pg_wal_replay_resume()")
    lsn = current_wal_lsn(get_engine(cluster.primary_url))
    wait_until("replica replays the batch", lambda: replica_has_replayed(cluster, lsn))
    go(viewer, "分类趋势")  # the next rerun after the replica has it
    viewer.locator(CHART).first.wait_for(state="visible")

    # Kill A: B keeps answering, and a new browser through nginx lands on B.
    cluster.sh("stop-app", str(cluster.app_a))
    go(viewer, "总览")
    viewer.locator(CHART).first.wait_for(state="visible")
    newcomer = context.browser.new_page() if context.browser else viewer
    response = newcomer.goto(cluster.http)
    assert response is not None and response.headers["x-tqi-upstream"].endswith(f":{cluster.app_b}")
    newcomer.locator(CHART).first.wait_for(state="visible", timeout=TIMEOUT)

    # Stop the replica: reads fall back to the primary, and the page says so plainly.
    cluster.sh("stop-replica")
    go(viewer, "分类趋势")
    expect(viewer.get_by_text(REPLICA_DOWN)).to_be_visible()
    viewer.locator(CHART).first.wait_for(state="visible")
    expect(viewer.locator('[data-testid="stException"]')).to_have_count(0)

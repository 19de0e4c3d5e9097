"""The analysts' workflow on the real server in headless Chromium.

An analyst logs in, uploads a GB18030 wide CSV and an .xlsx, sees the previews, commits,
sees the overview change, and rolls a batch back; a file with mistakes gives an error list
that opens in Excel. Anonymous visitors and viewers never get an uploader or a rollback
button, whatever URL they open — including the very first request after a restart.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from db import users
from db.models import Batch, Observation
from db.session import dispose_engines, get_engine, read_session, write_session
from tests.conftest import ROOT, require_chromium

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e_upload")]

FILES = ROOT / "tests" / "data" / "upload"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT = 60_000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(db_url: str, **env: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.port", str(port), "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env={**os.environ, "TQI_DATABASE_URL": db_url, **env},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited early ({process.returncode})")
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return process, base
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise TimeoutError(base)


def stop_server(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh SQLite store with an analyst and a viewer, made through db.users."""
    url = f"sqlite:///{tmp_path_factory.mktemp('e2e-upload') / 'tqi.sqlite3'}"
    with write_session(get_engine(url)) as s:
        users.create_user(s, "analyst1", "analyst-pass-1", role="analyst", display_name="统计员甲")
        users.create_user(s, "viewer1", "viewer-pass-1", role="viewer")
        s.commit()
    yield url
    dispose_engines()


@pytest.fixture(scope="module")
def browser() -> Iterator:  # type: ignore[type-arg]
    from playwright.sync_api import sync_playwright

    path = require_chromium()
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def server(store: str, browser) -> Iterator[str]:  # type: ignore[no-untyped-def]
    process, base = start_server(store)
    try:
        yield base
    finally:
        stop_server(process)


def new_page(browser, height: int = 1000):  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": 1440, "height": height}, accept_downloads=True)
    page.set_default_timeout(TIMEOUT)
    return page


def settle(page) -> None:  # type: ignore[no-untyped-def]
    """Wait until Streamlit has finished the current run."""
    page.wait_for_timeout(300)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden", timeout=TIMEOUT)


def shot(page, path: Path) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_timeout(1200)  # the data grids paint their canvas after the run
    page.screenshot(path=str(path))


def assert_nothing_to_act_on(page) -> None:  # type: ignore[no-untyped-def]
    assert page.locator('input[type="file"]').count() == 0
    for label in ("提交入库", "确认回滚", "添加别名", "新增指标"):
        assert page.get_by_role("button", name=label).count() == 0, label
    assert page.get_by_role("button", name="回滚批次").count() == 0


def log_in(page, name: str, password: str) -> None:  # type: ignore[no-untyped-def]
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("统计员登录").click()
    sidebar.get_by_label("用户名").fill(name)
    sidebar.get_by_label("密码").fill(password)
    sidebar.get_by_role("button", name="登录", exact=True).click()
    sidebar.get_by_text("已登录").wait_for()
    settle(page)


def go(page, title: str) -> None:  # type: ignore[no-untyped-def]
    """Open a page through the sidebar navigation (a new URL would start a new session)."""
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title).click()
    settle(page)


def observations(url: str) -> int:
    with read_session(get_engine(url)) as s:
        return len(s.scalars(select(Observation.id)).all())


def test_direct_urls_refuse_anonymous_visitors_even_first_after_restart(
    server: str, browser
) -> None:  # type: ignore[no-untyped-def]
    page = new_page(browser)
    for path in ("upload", "batches", "catalog"):  # the first request this server sees is /upload
        page.goto(f"{server}/{path}")
        page.locator('[data-testid="stSidebar"]').wait_for()
        settle(page)
        assert_nothing_to_act_on(page)
        nav = page.locator('[data-testid="stSidebarNav"]')
        for title in ("数据上传", "批次记录", "指标目录"):
            assert nav.get_by_role("link", name=title).count() == 0
    page.close()


def test_viewer_sees_no_upload_or_rollback(server: str, browser, artifacts_dir: Path) -> None:  # type: ignore[no-untyped-def]
    page = new_page(browser)
    page.goto(server)
    log_in(page, "viewer1", "viewer-pass-1")
    nav = page.locator('[data-testid="stSidebarNav"]')
    assert nav.get_by_role("link", name="总览").count() == 1
    for title in ("数据上传", "批次记录", "指标目录"):
        assert nav.get_by_role("link", name=title).count() == 0
    assert_nothing_to_act_on(page)
    shot(page, artifacts_dir / "upload_viewer_sidebar.png")
    page.close()


def test_analyst_uploads_commits_sees_overview_change_and_rolls_back(  # type: ignore[no-untyped-def]
    server: str, store: str, browser, artifacts_dir: Path
) -> None:
    page = new_page(browser, height=2000)
    page.goto(server)
    page.get_by_text("数据库中还没有指标数据").wait_for()  # the empty store, before
    log_in(page, "analyst1", "analyst-pass-1")
    go(page, "数据上传")
    page.locator('input[type="file"]').set_input_files(
        [FILES / "wide_2023_2024_gb18030.csv", FILES / "districts_2024.xlsx"]
    )
    page.get_by_text("可以提交").nth(1).wait_for()
    settle(page)
    shot(page, artifacts_dir / "upload_preview.png")
    # The preview shows the figures as normalised, from the GB18030 file and the workbook.
    body = page.locator('[data-testid="stMain"]')
    assert body.get_by_text("wide_2023_2024_gb18030.csv").count() >= 1
    grids = page.locator('[data-testid="stDataFrame"]')
    assert grids.count() >= 2
    assert observations(store) == 0  # nothing written before commit

    commits = page.get_by_role("button", name="提交入库")
    assert commits.count() == 2
    commits.first.click()
    page.get_by_text("已提交入库：批次 #1").wait_for()
    expect(page.get_by_role("button", name="提交入库")).to_have_count(1)
    settle(page)
    page.get_by_role("button", name="提交入库").click()
    page.get_by_text("已提交入库：批次 #2").wait_for()
    settle(page)
    assert observations(store) == 12
    shot(page, artifacts_dir / "upload_committed.png")

    go(page, "总览")
    page.locator('[data-testid="stMetric"]').first.wait_for()
    assert page.get_by_text("数据库中还没有指标数据").count() == 0
    overview_after = page.locator('[data-testid="stMain"]').inner_text()
    assert "1,500处" in overview_after  # 排查治理安全隐患 2024, from the GB18030 file
    shot(page, artifacts_dir / "upload_overview_after_commit.png")

    go(page, "批次记录")
    shot(page, artifacts_dir / "upload_batches.png")
    page.locator('[data-testid="stSelectbox"]').click()
    page.get_by_role("option", name="#1 wide_2023_2024_gb18030.csv").click()
    settle(page)
    page.get_by_role("button", name="回滚批次 #1…").click()
    page.get_by_text("确定吗").wait_for()
    shot(page, artifacts_dir / "upload_rollback_confirm.png")
    page.get_by_role("button", name="确认回滚").click()
    page.get_by_text("已回滚批次 #1").wait_for()
    settle(page)
    assert observations(store) == 5
    with read_session(get_engine(store)) as s:
        assert s.get(Batch, 1).status == "rolled_back"  # type: ignore[union-attr]

    go(page, "总览")
    page.locator('[data-testid="stMetric"]').first.wait_for()
    overview_rolled_back = page.locator('[data-testid="stMain"]').inner_text()
    assert "1,500处" not in overview_rolled_back  # its only figures were batch 1's
    assert overview_rolled_back != overview_after
    shot(page, artifacts_dir / "upload_overview_after_rollback.png")
    page.close()


def test_error_list_downloads_as_excel_csv(
    server: str, store: str, browser, artifacts_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    page = new_page(browser)
    page.goto(server)
    log_in(page, "analyst1", "analyst-pass-1")
    go(page, "数据上传")
    before = observations(store)
    page.locator('input[type="file"]').set_input_files([FILES / "department_errors.csv"])
    page.get_by_text("有错误").or_(page.get_by_text("错误（共 4 处")).first.wait_for()
    settle(page)
    assert page.get_by_role("button", name="提交入库").is_disabled()
    shot(page, artifacts_dir / "upload_errors.png")
    with page.expect_download() as info:
        page.get_by_role("button", name="下载错误清单（CSV）").click()
    download = info.value
    data = Path(download.path()).read_bytes()
    assert download.suggested_filename.endswith(".csv")
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert "隐患排查整治处数" in text and "排查治理安全隐患" in text
    assert "'=SUM(A1:A3)" in text
    assert observations(store) == before
    page.close()


def test_require_login_first_request_is_the_login_page(store: str, browser) -> None:  # type: ignore[no-untyped-def]
    process, base = start_server(store, TQI_REQUIRE_LOGIN="true")
    try:
        page = new_page(browser)
        page.goto(f"{base}/overview")  # the first request after the start, to a page
        page.get_by_label("用户名").wait_for()
        settle(page)
        assert page.locator("h1").first.inner_text() == "登录"
        assert page.locator('[data-testid="stMetric"]').count() == 0
        assert_nothing_to_act_on(page)
        page.close()
    finally:
        stop_server(process)

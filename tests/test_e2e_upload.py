"""The analysts' workflow on the real server in headless Chromium.

An analyst logs in, uploads a GB18030 wide CSV and an .xlsx, sees the previews, commits,
sees the overview change, and rolls a batch back; a file with mistakes gives an error list
that opens in Excel. Anonymous visitors and viewers never get an uploader or a rollback
button, whatever URL they open — including the very first request after a restart.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from db.batches import store_counts
from db.models import Batch
from db.session import get_engine, read_session
from tests.conftest import PASSWORDS, ROOT
from tests.e2e import go, idle, log_in, new_page, new_run, painted, streamlit_server

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e_upload")]

FILES = ROOT / "tests" / "data" / "upload"


@pytest.fixture(scope="module")
def server(server_store: str) -> Iterator[str]:
    with streamlit_server(server_store) as base:
        yield base


def shot(page: Page, path: Path) -> None:
    painted(page)
    page.screenshot(path=str(path))


def assert_nothing_to_act_on(page: Page) -> None:
    assert page.locator('input[type="file"]').count() == 0
    for label in ("提交入库", "确认回滚", "添加别名", "新增指标"):
        assert page.get_by_role("button", name=label).count() == 0, label
    assert page.get_by_role("button", name="回滚批次").count() == 0


def observations(url: str) -> int:
    with read_session(get_engine(url)) as s:
        return store_counts(s)["observations"]


def test_direct_urls_refuse_anonymous_visitors_even_first_after_restart(
    server: str, browser: Browser, artifacts_dir: Path
) -> None:
    """A bookmarked analyst page says, in Chinese, that it needs an analyst login and offers
    the form there — not Streamlit's "Page not found", not the page itself; the login
    then opens the page at the same address."""
    page = new_page(browser)
    titles = {"upload": "数据上传", "batches": "批次记录", "catalog": "指标目录"}
    for path, title in titles.items():  # the first request this server sees is /upload
        page.goto(f"{server}/{path}")
        idle(page)
        expect(page.locator("h1").first).to_have_text(title)
        expect(page.get_by_text("此页面需要统计员权限，请先登录。")).to_be_visible()
        main = page.locator('[data-testid="stMain"]')
        expect(main.get_by_label("用户名")).to_be_visible()
        expect(main.get_by_role("button", name="登录", exact=True)).to_be_visible()
        expect(page.get_by_text("Page not found")).to_have_count(0)
        assert page.url.rstrip("/").endswith(f"/{path}")
        assert_nothing_to_act_on(page)
        nav = page.locator('[data-testid="stSidebarNav"]')
        for hidden in titles.values():
            assert nav.get_by_role("link", name=hidden).count() == 0
    shot(page, artifacts_dir / "upload_bookmark_anonymous.png")
    page.goto(f"{server}/upload?lang=en")
    idle(page)
    expect(page.get_by_text("This page needs the analyst role; please log in.")).to_be_visible()
    page.goto(f"{server}/upload")
    idle(page)
    main = page.locator('[data-testid="stMain"]')
    main.get_by_label("用户名").fill("ana")
    main.get_by_label("密码").fill(PASSWORDS["ana"])
    with new_run(page):
        main.get_by_role("button", name="登录", exact=True).click()
    expect(page.locator('input[type="file"]')).to_have_count(1)  # the real page, same URL
    assert page.url.rstrip("/").endswith("/upload")
    page.close()


def test_viewer_sees_no_upload_or_rollback(
    server: str, browser: Browser, artifacts_dir: Path
) -> None:
    page = new_page(browser)
    page.goto(server)
    idle(page)
    log_in(page, "vi", PASSWORDS["vi"])
    nav = page.locator('[data-testid="stSidebarNav"]')
    assert nav.get_by_role("link", name="总览").count() == 1
    for title in ("数据上传", "批次记录", "指标目录"):
        assert nav.get_by_role("link", name=title).count() == 0
    assert_nothing_to_act_on(page)
    shot(page, artifacts_dir / "upload_viewer_sidebar.png")
    page.close()


def test_analyst_uploads_commits_sees_overview_change_and_rolls_back(
    server: str, server_store: str, browser: Browser, artifacts_dir: Path
) -> None:
    page = new_page(browser, height=2000)
    page.goto(server)
    idle(page)
    page.get_by_text("数据库中还没有指标数据").wait_for()  # the empty store, before
    log_in(page, "ana", PASSWORDS["ana"])
    go(page, "数据上传")
    with new_run(page):
        page.locator('input[type="file"]').set_input_files(
            [FILES / "wide_2023_2024_gb18030.csv", FILES / "districts_2024.xlsx"]
        )
    page.get_by_text("可以提交").nth(1).wait_for()
    idle(page)  # both previews (the uploader may start a run per file)
    shot(page, artifacts_dir / "upload_preview.png")
    # The preview shows the figures as normalised, from the GB18030 file and the workbook.
    body = page.locator('[data-testid="stMain"]')
    assert body.get_by_text("wide_2023_2024_gb18030.csv").count() >= 1
    # Streamlit loads the grid component lazily: on a busy machine it mounts after the run.
    page.locator('[data-testid="stDataFrame"]').nth(1).wait_for()
    assert observations(server_store) == 0  # nothing written before commit

    commits = page.get_by_role("button", name="提交入库")
    assert commits.count() == 2
    with new_run(page):
        commits.first.click()
    page.get_by_text("已提交入库：批次 #1").wait_for()
    expect(page.get_by_role("button", name="提交入库")).to_have_count(1)
    with new_run(page):
        page.get_by_role("button", name="提交入库").click()
    page.get_by_text("已提交入库：批次 #2").wait_for()
    assert observations(server_store) == 12
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
    with new_run(page):
        page.get_by_role("option", name="#1 wide_2023_2024_gb18030.csv").click()
    with new_run(page):
        page.get_by_role("button", name="回滚批次 #1…").click()
    page.get_by_text("确定吗").wait_for()
    shot(page, artifacts_dir / "upload_rollback_confirm.png")
    with new_run(page):
        page.get_by_role("button", name="确认回滚").click()
    page.get_by_text("已回滚批次 #1").wait_for()
    assert observations(server_store) == 5
    with read_session(get_engine(server_store)) as s:
        assert s.get(Batch, 1).status == "rolled_back"  # type: ignore[union-attr]

    go(page, "总览")
    page.locator('[data-testid="stMetric"]').first.wait_for()
    overview_rolled_back = page.locator('[data-testid="stMain"]').inner_text()
    assert "1,500处" not in overview_rolled_back  # its only figures were batch 1's
    assert overview_rolled_back != overview_after
    shot(page, artifacts_dir / "upload_overview_after_rollback.png")
    page.close()


def test_error_list_downloads_as_excel_csv(
    server: str, server_store: str, browser: Browser, artifacts_dir: Path
) -> None:
    page = new_page(browser)
    page.goto(server)
    idle(page)
    log_in(page, "ana", PASSWORDS["ana"])
    go(page, "数据上传")
    before = observations(server_store)
    with new_run(page):
        page.locator('input[type="file"]').set_input_files([FILES / "department_errors.csv"])
    page.get_by_text("有错误").or_(page.get_by_text("错误（共 4 处")).first.wait_for()
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
    assert observations(server_store) == before
    page.close()


def test_require_login_first_request_is_the_login_page(server_store: str, browser: Browser) -> None:
    with streamlit_server(server_store, TQI_REQUIRE_LOGIN="true") as base:
        page = new_page(browser)
        page.goto(f"{base}/overview")  # the first request after the start, to a page
        idle(page)
        page.get_by_label("用户名").wait_for()
        assert page.locator("h1").first.inner_text() == "登录"
        assert page.locator('[data-testid="stMetric"]').count() == 0
        assert_nothing_to_act_on(page)
        page.close()

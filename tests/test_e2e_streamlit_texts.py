"""Streamlit's own texts on our pages, in the chosen language, as Chromium draws them.

The file uploader's button, size limit, drag-over text and a rejected file's message are
Streamlit's English; ``ui/streamlit_texts.py`` replaces them with CSS. What a user reads is
computed here the way a browser shows it: text of elements whose font size is not zero,
plus ``::after`` content — so hidden English does not count, and drawn Chinese does.
Screen-reader-only texts (a 1-pixel box: a rejected file's "Error: File must be …", the
chips' aria labels) are not drawn, and CSS cannot reach attributes; they stay English.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import PASSWORDS
from tests.e2e import go, idle, log_in, new_page, new_run, streamlit_server

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e_streamlit_texts")]

UPLOADER = '[data-testid="stFileUploader"]'
DROPZONE = '[data-testid="stFileUploaderDropzone"]'
SHOWN_TEXT = """root => {
  const out = [];
  const walk = el => {
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden') return;
    const box = el.getBoundingClientRect();
    const tiny = box.width <= 1 && box.height <= 1 && style.display !== 'contents';
    if (tiny) return;  // screen-reader-only text
    if (parseFloat(style.fontSize) > 0) {
      for (const node of el.childNodes) {
        if (node.nodeType === Node.TEXT_NODE && node.textContent.trim()) {
          out.push(node.textContent.trim());
        }
      }
    }
    const after = getComputedStyle(el, '::after').content;
    if (after && after !== 'none' && after !== 'normal') out.push(JSON.parse(after));
    for (const child of el.children) walk(child);
  };
  walk(root);
  return out.join(' | ');
}"""


@pytest.fixture(scope="module")
def server(server_store: str) -> Iterator[str]:
    with streamlit_server(server_store, TQI_MAX_UPLOAD_MB="1") as base:
        yield base


def shown(page: Page) -> str:
    """The uploader's text as a reader sees it (icons' ligature names left out)."""
    text = str(page.locator(UPLOADER).evaluate(SHOWN_TEXT))
    return text.replace("upload | ", "").replace("add | ", "")


def drag_over(page: Page) -> None:
    """A file dragged over the drop zone (the browser's own drag events, with a file)."""
    transfer = page.evaluate_handle(
        "() => { const d = new DataTransfer();"
        " d.items.add(new File(['a'], 'a.csv', {type: 'text/csv'})); return d; }"
    )
    page.dispatch_event(DROPZONE, "dragenter", {"dataTransfer": transfer})


def open_upload(browser: Browser, server: str, lang: str) -> Page:
    page = new_page(browser)
    page.goto(f"{server}/?lang={lang}" if lang == "en" else server)
    idle(page)
    if lang == "zh":
        log_in(page, "ana", PASSWORDS["ana"])
        go(page, "数据上传")
    else:
        sidebar = page.locator('[data-testid="stSidebar"]')
        sidebar.get_by_text("Analyst login").click()
        sidebar.get_by_label("User name", exact=True).fill("ana")
        sidebar.get_by_label("Password", exact=True).fill(PASSWORDS["ana"])
        with new_run(page):
            sidebar.get_by_role("button", name="Log in", exact=True).click()
        with new_run(page):
            page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="Upload").click()
    page.locator(UPLOADER).wait_for()
    return page


def test_the_uploader_speaks_chinese(
    server: str, browser: Browser, tmp_path: Path, artifacts_dir: Path
) -> None:
    page = open_upload(browser, server, "zh")
    expect(page.locator(UPLOADER)).to_be_visible()
    text = shown(page)
    assert "选择文件" in text and "每个文件不超过 1 MB · CSV、TXT、TSV、XLSX、XLSM、XLS" in text, (
        text
    )
    for english in ("Upload", "per file", "Drag and drop", "Browse"):
        assert english not in text, (english, text)
    page.locator(UPLOADER).screenshot(path=artifacts_dir / "uploader_zh.png")

    drag_over(page)
    expect(page.locator(DROPZONE).get_by_text("Drag and drop files here")).to_have_count(1)
    text = shown(page)  # Streamlit's English is in the DOM, but not what is drawn
    assert "拖放文件到此处" in text and "Drag and drop" not in text, text
    page.locator(UPLOADER).screenshot(path=artifacts_dir / "uploader_zh_drag.png")

    too_large = tmp_path / "too_large.csv"
    too_large.write_bytes(b"x" * (1024 * 1024 + 10))  # over TQI_MAX_UPLOAD_MB=1
    page.dispatch_event(DROPZONE, "dragleave")
    expect(page.locator(DROPZONE).get_by_text("Drag and drop files here")).to_have_count(0)
    page.locator('input[type="file"]').set_input_files(str(too_large))
    chip = page.locator('[data-testid="stFileChip"][aria-invalid="true"]')
    expect(chip).to_be_visible()
    text = str(chip.evaluate(SHOWN_TEXT))
    assert "不能上传：文件超过 1 MB 或类型不符" in text and "File must be" not in text, text
    page.close()


def test_the_uploader_speaks_english_in_english(server: str, browser: Browser) -> None:
    page = open_upload(browser, server, "en")
    text = shown(page)
    assert "Upload" in text and "1MB per file" in text, text
    assert "选择文件" not in text, text
    drag_over(page)
    expect(page.locator(DROPZONE).get_by_text("Drag and drop files here")).to_be_visible()
    page.close()

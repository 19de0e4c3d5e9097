"""Regenerate docs/screenshots/ from the sample data: every browsing page at 1600×1000 and
375×812 (a phone), and the overview's ``?screenshot=1`` at 1600×900 and 1920×1080.

``make screenshots`` runs this: a fresh SQLite store with the sample data, the real app
on a free port, Debian's Chromium (the same helpers the end-to-end tests use). Each PNG is
reduced to a 256-colour palette so the folder stays a few MB.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402
from playwright.sync_api import TimeoutError  # noqa: E402

from tests.conftest import sample_store  # noqa: E402
from tests.e2e import chromium, new_page, streamlit_server  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
PAGES = {"overview": "", "category": "category", "indicator": "indicator",
         "coverage": "coverage", "briefing": "briefing"}  # fmt: skip
SIZES = {"desktop": (1600, 1000), "phone": (375, 812)}
SCREENSHOT_SIZES = [(1600, 900), (1920, 1080)]


def shoot(browser, url: str, path: Path, width: int, height: int, *, full: bool) -> None:  # type: ignore[no-untyped-def]
    """Open ``url`` at ``width``×``height``, wait for its charts, save a palette PNG."""
    page = new_page(browser, width=width, height=height, timeout=180_000)  # a loaded machine
    page.goto(url)
    page.locator("h1").first.wait_for()
    page.locator(".js-plotly-plot .main-svg").first.wait_for(state="attached")
    page.wait_for_timeout(300)  # let the run start before waiting for it to end
    try:
        page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden", timeout=180_000)
    except TimeoutError:  # 简报导出 keeps its export browser warming; its charts are drawn
        print(f"{url}: still running after 180 s, taken as it is", file=sys.stderr)
    page.wait_for_function("document.querySelectorAll('.js-plotly-plot .xtick').length > 0")
    try:  # elements still loading show grey skeletons; a loaded machine is slow to fill them
        page.wait_for_function("!document.querySelector('[data-testid=\"stSkeleton\"]')")
    except TimeoutError:
        print(f"{url}: placeholders left after 180 s", file=sys.stderr)
    page.screenshot(path=str(path), full_page=full)
    page.close()
    Image.open(path).convert("RGB").quantize(colors=256).save(path, optimize=True)
    print(path.relative_to(ROOT))


def main() -> None:
    """Every shot; ``--missing`` only those not in the folder yet (resume a slow run)."""
    OUT.mkdir(parents=True, exist_ok=True)
    missing = "--missing" in sys.argv
    with tempfile.TemporaryDirectory() as tmp:
        url = sample_store(Path(tmp) / "tqi.sqlite3")
        with streamlit_server(url) as base, chromium() as browser:
            for kind, (width, height) in SIZES.items():
                for name, path in PAGES.items():
                    target = OUT / f"{name}_{kind}_{width}x{height}.png"
                    if missing and target.exists():
                        continue
                    shoot(browser, f"{base}/{path}", target, width, height, full=True)
            for width, height in SCREENSHOT_SIZES:
                target = OUT / f"overview_screenshot_{width}x{height}.png"
                if missing and target.exists():
                    continue
                shoot(browser, f"{base}/?screenshot=1", target, width, height, full=False)


if __name__ == "__main__":
    main()

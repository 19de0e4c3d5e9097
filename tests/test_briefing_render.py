"""Static chart export: real Chromium, real fonts, real OCR.

The glyph test reads the rendered PNG back with tesseract (chi_sim). To show the method
would catch tofu boxes, the same figure is rendered once more in a process whose
fontconfig knows no CJK font: OCR must then *not* find the words.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import plotly.graph_objects as go
import pytest
from PIL import Image

from briefing import render
from tests.conftest import IN_CI, ROOT, require_chromium

PHRASE = "排查治理安全隐患"


def require_tesseract() -> str:
    exe = shutil.which("tesseract")
    if exe is None:
        if IN_CI:
            pytest.fail("CI=true but tesseract is missing (apt-get install tesseract-ocr-chi-sim)")
        pytest.skip("tesseract not installed")
    return exe


def ocr_chinese(png: Path) -> str:
    """What tesseract reads in ``png`` as one line of simplified Chinese, spaces removed."""
    out = subprocess.run(
        [require_tesseract(), str(png), "-", "-l", "chi_sim", "--psm", "7"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    return "".join(out.split())  # tesseract puts spaces between CJK characters


def phrase_figure() -> go.Figure:
    """A figure whose only text is the phrase, one line (tesseract reads ~50 px glyphs best)."""
    fig = go.Figure()
    fig.add_annotation(
        text=PHRASE, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False, font={"size": 36}
    )
    fig.update_layout(
        xaxis={"visible": False},
        yaxis={"visible": False},
        plot_bgcolor="white",
        paper_bgcolor="white",
    )
    return fig


TOFU_SCRIPT = """
import sys, kaleido, plotly.io as pio
fig = pio.from_json(sys.stdin.read())
png = kaleido.calc_fig_sync(fig, opts={"format": "png", "width": 1920, "height": 1080},
                            kopts={"path": sys.argv[2], "mathjax": False})
open(sys.argv[1], "wb").write(png)
"""


def no_cjk_fontconfig(tmp_path: Path) -> dict[str, str]:
    """Environment whose fontconfig sees only DejaVu (Latin): Chinese becomes boxes."""
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        "<dir>/usr/share/fonts/truetype/dejavu</dir>"
        f"<cachedir>{tmp_path / 'fc-cache'}</cachedir></fontconfig>",
        encoding="utf-8",
    )
    return {**os.environ, "FONTCONFIG_FILE": str(conf)}


def test_png_is_presentation_size_and_shows_chinese(
    chromium_path: str, tmp_path: Path, artifacts_dir: Path
) -> None:
    ok, reason = render.export_available()
    assert ok, reason
    png = render.render_png(phrase_figure(), width=1280, height=720, scale=1.5)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.size == (1920, 1080)
    path = artifacts_dir / "briefing_ocr_cjk.png"
    path.write_bytes(png)
    text = ocr_chinese(path)
    assert sum(ch in text for ch in PHRASE) >= len(PHRASE) - 1, text


def test_ocr_check_fails_on_tofu_boxes(
    chromium_path: str, tmp_path: Path, artifacts_dir: Path
) -> None:
    tofu = artifacts_dir / "briefing_ocr_tofu.png"
    subprocess.run(
        [sys.executable, "-c", TOFU_SCRIPT, str(tofu), chromium_path],
        input=phrase_figure().to_json(),
        text=True,
        env=no_cjk_fontconfig(tmp_path),
        cwd=ROOT,
        check=True,
        timeout=120,
    )
    text = ocr_chinese(tofu)
    assert PHRASE not in text
    assert sum(ch in text for ch in PHRASE) <= 2, text


def test_missing_cjk_font_is_reported_plainly(tmp_path: Path) -> None:
    code = "from briefing.render import export_available; ok, why = export_available(); print(ok); print(why)"
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=no_cjk_fontconfig(tmp_path),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.splitlines()
    if not Path(render.SYSTEM_CHROMIUM).exists():
        require_chromium()  # fails in CI; elsewhere the Chromium message comes first: skip
    assert out[0] == "False"
    assert "中文字体" in out[1] and "fonts-noto-cjk" in out[1]


def test_missing_chromium_is_reported_plainly(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("TQI_CHROMIUM", str(tmp_path / "no-such-chromium"))
    ok, reason = render.export_available()
    assert not ok
    assert "Chromium" in reason and "no-such-chromium" in reason


def test_one_browser_is_kept_and_reused(chromium_path: str) -> None:
    fig = go.Figure(go.Bar(x=["2024年", "2025年"], y=[1, 2]))
    render.render_png(fig, width=640, height=360)
    first = render._browser._kaleido
    assert render.export_browser_running()
    render.render_png(fig, width=640, height=360)
    render.render_png(fig, width=640, height=360)
    assert render._browser._kaleido is first


def test_render_page_loads_nothing_from_the_network(chromium_path: str) -> None:
    render.start_export_browser()
    index = render._browser._kaleido._index  # the page kaleido renders figures in
    html = Path(index.removeprefix("file://")).read_text(encoding="utf-8")
    assert "<script" in html
    assert "http://" not in html and "https://" not in html
    assert "mathjax" not in html.lower()


def test_map_figures_are_refused_rather_than_fetching_outlines() -> None:
    with pytest.raises(render.RenderError):
        render.render_png(go.Figure(go.Scattergeo(lon=[116.4], lat=[39.9])))

"""Static PNGs of plotly figures through one kept headless Chromium (kaleido).

Why not ``fig.write_image``: it starts Chromium on every call (~4 s each); a 12-chart pack
would take a minute. Here one kaleido browser is opened on first use and kept for the life
of the process, so later charts take a fraction of a second.

Why not ``kaleido.start_sync_server``: its ``call_function`` waits on a queue with no
timeout, so a browser that failed to start or crashed hangs the caller for ever, and two
threads calling it at once (two Streamlit sessions) can take each other's results. We run
the same ``kaleido.Kaleido`` on our own event-loop thread instead, with a lock and a timeout.

Nothing is fetched from the network: the browser is the system Chromium (never a download),
MathJax is switched off explicitly (kaleido's default is a CDN script, and plotly.io's
``defaults.mathjax`` cannot say "off" — another reason not to use ``fig.write_image``),
plotly.js comes from the installed plotly package, and figures that would need map
outlines (topojson, also a CDN fetch) are refused.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import functools
import os
import shutil
import subprocess
import threading
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import Any

import plotly.graph_objects as go

SYSTEM_CHROMIUM = "/usr/bin/chromium"
RENDER_TIMEOUT_S = 60.0
START_TIMEOUT_S = 60.0
CJK_FONT_PREFERENCE = ("Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei")
_MAP_TRACES = {"scattergeo", "choropleth", "choroplethmap", "choroplethmapbox",
               "scattermap", "scattermapbox", "densitymap", "densitymapbox"}  # fmt: skip


class ExportUnavailableError(RuntimeError):
    """Static export cannot work on this machine (no Chromium, or no CJK font)."""


class RenderError(RuntimeError):
    """A figure could not be turned into an image (timeout, browser crash, bad figure)."""


def find_chromium() -> str | None:
    """The browser to use: ``$TQI_CHROMIUM`` if set (and only it), else the system one.

    An explicitly configured path that does not exist is reported, not silently replaced.
    """
    explicit = os.environ.get("TQI_CHROMIUM", "").strip()
    candidates = (
        [explicit]
        if explicit
        else [
            SYSTEM_CHROMIUM,
            shutil.which("chromium") or "",
            shutil.which("chromium-browser") or "",
        ]
    )
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


@functools.cache
def cjk_font_families() -> tuple[str, ...]:
    """Font families fontconfig knows that cover Chinese (``fc-list :lang=zh``)."""
    if shutil.which("fc-list") is None:
        return ()
    try:
        out = subprocess.run(
            ["fc-list", ":lang=zh", "family"],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return ()
    families = {name.strip() for line in out.splitlines() for name in line.split(",")}
    return tuple(sorted(f for f in families if f))


def cjk_font_family() -> str | None:
    """The CJK family charts and slides should name, or None when there is none."""
    families = cjk_font_families()
    for preferred in CJK_FONT_PREFERENCE:
        if preferred in families:
            return preferred
    return families[0] if families else None


def export_available() -> tuple[bool, str]:
    """Whether images can be rendered with Chinese text, and if not, why in plain words."""
    if find_chromium() is None:
        where = os.environ.get("TQI_CHROMIUM", "").strip() or SYSTEM_CHROMIUM
        return False, (
            f"未找到 Chromium 浏览器（{where}），无法导出图片。请安装：apt-get install chromium"
        )
    if cjk_font_family() is None:
        return False, (
            "系统未安装中文字体，导出的图片会把汉字显示成方框。"
            "请安装：apt-get install fonts-noto-cjk"
        )
    return True, ""


class _KeptBrowser:
    """One kaleido browser on a private event-loop thread, opened lazily, reused."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._kaleido: Any = None

    @property
    def running(self) -> bool:
        return self._kaleido is not None

    def start(self) -> None:
        with self._lock:
            self._start_locked()

    def _start_locked(self) -> None:
        if self._kaleido is not None:
            return
        ok, reason = export_available()
        if not ok:
            raise ExportUnavailableError(reason)
        import kaleido

        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name="kaleido-browser", daemon=True)
        thread.start()

        async def _open() -> Any:
            k = kaleido.Kaleido(n=1, timeout=RENDER_TIMEOUT_S, mathjax=False, path=find_chromium())
            await k.open()
            return k

        try:
            k = asyncio.run_coroutine_threadsafe(_open(), loop).result(START_TIMEOUT_S)
        except Exception as exc:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(5)
            raise RenderError(f"导出浏览器启动失败：{exc}") from exc
        self._loop, self._thread, self._kaleido = loop, thread, k

    def render(self, fig: dict, opts: dict) -> bytes:
        with self._lock:
            self._start_locked()
            assert self._loop is not None
            future = asyncio.run_coroutine_threadsafe(
                self._kaleido.calc_fig(fig, opts=opts, topojson=None), self._loop
            )
            try:
                return future.result(RENDER_TIMEOUT_S + 5)
            except (FutureTimeout, Exception) as exc:
                future.cancel()
                # A browser that failed once is not trusted again: start afresh next time.
                self._stop_locked()
                raise RenderError(f"图表导出失败：{exc!r}") from exc

    def stop(self) -> None:
        with self._lock:
            self._stop_locked()

    def _stop_locked(self) -> None:
        k, loop, thread = self._kaleido, self._loop, self._thread
        self._kaleido = self._loop = self._thread = None
        if loop is None:
            return
        # Closing a broken browser may fail; it is dropped either way.
        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(k.close(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        if thread is not None:
            thread.join(5)


_browser = _KeptBrowser()
atexit.register(_browser.stop)


def start_export_browser() -> None:
    """Open the kept browser now (e.g. when the briefing page loads) so exports start warm."""
    _browser.start()


_warming = threading.Lock()


def warm_up_in_background() -> None:
    """Start the kept browser on a background thread (once), so the first export is warm.

    Failures are not raised here: the export itself reports them to the user.
    """
    if _browser.running or not export_available()[0] or not _warming.acquire(blocking=False):
        return

    def _start() -> None:
        try:
            with contextlib.suppress(ExportUnavailableError, RenderError):
                _browser.start()
        finally:
            _warming.release()

    threading.Thread(target=_start, name="kaleido-warm-up", daemon=True).start()


def export_browser_running() -> bool:
    return _browser.running


def stop_export_browser() -> None:
    _browser.stop()


def render_png(
    fig: go.Figure | dict, *, width: int = 1920, height: int = 1080, scale: float = 1
) -> bytes:
    """PNG bytes of ``fig`` at ``width`` × ``height`` CSS pixels times ``scale``.

    Raises ExportUnavailableError (say so to the user) or RenderError.
    """
    spec = fig.to_dict() if hasattr(fig, "to_dict") else dict(fig)
    kinds = {trace.get("type", "scatter") for trace in spec.get("data", [])}
    if kinds & _MAP_TRACES:
        raise RenderError("地图类图表需要联网下载底图，静态导出不支持。")
    opts = {"format": "png", "width": width, "height": height, "scale": scale}
    return _browser.render(spec, opts)

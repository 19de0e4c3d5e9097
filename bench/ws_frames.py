"""The browser's side of a Streamlit session, one line per websocket frame, for a lost click.

A server's debug log says when runs started; it cannot say whether a click's rerun request
ever left the browser, or whether a run's answer came back and was not drawn. This writes,
with wall-clock times comparable to the server log's, every frame the page sent
(``BackMsg``: ``rerun_script`` with its widget states, values' sizes only — a password is
never written) and received (``ForwardMsg``: ``new_session`` with its run id, ``delta``
paths and element kinds, ``script_finished``), the page's console messages, and marks the
caller adds (``mark``: "clicked", "timed out").

The times of those lines are when Playwright handed the event to this process, which lags
on a loaded machine. So each frame also gets a line ``cdp <``/``cdp >`` stamped with the
time Chromium's network stack saw it (the DevTools protocol's own clock, turned into wall
time at the handshake): the gap between the two says whether a late answer was late on
the wire or only late in reaching the test.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import IO, Any

from playwright.sync_api import ConsoleMessage, Page, WebSocket
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg


def _now() -> str:
    return datetime.datetime.now().strftime("%H:%M:%S.%f")[:-3]


def _widget(state: Any) -> str:
    """A widget state as ``…id tail:kind=value``; text values by length only."""
    kind = state.WhichOneof("value") or "none"
    value = getattr(state, kind, None) if kind != "none" else None
    if isinstance(value, str):
        shown = f"len{len(value)}"
    elif isinstance(value, bool | int | float):
        shown = str(value)
    else:
        shown = "set" if value is not None and str(value).strip() else "unset"
    return f"…{state.id[-28:]}:{kind}={shown}"


def describe_back(payload: bytes) -> str:
    msg = BackMsg()
    msg.ParseFromString(payload)
    kind = msg.WhichOneof("type") or "?"
    if kind != "rerun_script":
        return kind
    state = msg.rerun_script
    widgets = " ".join(_widget(w) for w in state.widget_states.widgets)
    return (
        f"rerun_script page={state.page_script_hash[:8]!r} name={state.page_name!r} "
        f"auto={state.is_auto_rerun} fragment={state.fragment_id!r} [{widgets}]"
    )


def describe_forward(payload: bytes) -> str:
    msg = ForwardMsg()
    msg.ParseFromString(payload)
    kind = msg.WhichOneof("type") or "?"
    run = msg.metadata.run.script_run_id[:8] if msg.metadata.HasField("run") else ""
    if kind == "new_session":
        return f"new_session run={run} page={msg.new_session.page_script_hash[:8]!r}"
    if kind == "script_finished":
        return f"script_finished status={msg.script_finished} run={run}"
    if kind == "delta":
        delta = msg.delta
        part = delta.WhichOneof("type") or "?"
        detail = ""
        if part == "new_element":
            detail = delta.new_element.WhichOneof("type") or "?"
            if detail == "markdown":
                detail += f" {delta.new_element.markdown.body[:24]!r}"
        path = ".".join(str(i) for i in msg.metadata.delta_path)
        return f"delta {path} {part} {detail}".rstrip()
    if kind == "session_status_changed":
        return f"session_status_changed running={msg.session_status_changed.script_is_running}"
    if kind == "ref_hash":
        return "ref_hash (cached message)"
    return kind


class FrameLog:
    """``FrameLog(path).watch(page)`` before ``page.goto``; ``mark`` adds a line; ``close``."""

    def __init__(self, path: Path) -> None:
        self._out: IO[str] = open(path, "w", encoding="utf-8")  # noqa: SIM115

    def write(self, line: str) -> None:
        self._out.write(f"{_now()} {line}\n")
        self._out.flush()

    mark = write

    def watch(self, page: Page) -> None:
        page.on("websocket", self._socket)
        page.on("console", self._console)
        cdp = page.context.new_cdp_session(page)
        self._clock: float | None = None  # wall time minus the protocol's monotonic time
        cdp.on("Network.webSocketWillSendHandshakeRequest", self._handshake)
        cdp.on("Network.webSocketFrameReceived", lambda event: self._cdp("<", event))
        cdp.on("Network.webSocketFrameSent", lambda event: self._cdp(">", event))
        cdp.send("Network.enable")

    def _handshake(self, event: dict[str, Any]) -> None:
        self._clock = float(event["wallTime"]) - float(event["timestamp"])

    def _cdp(self, direction: str, event: dict[str, Any]) -> None:
        if self._clock is None:
            return
        wall = datetime.datetime.fromtimestamp(self._clock + float(event["timestamp"]))
        size = len(event["response"].get("payloadData", "")) * 3 // 4  # base64
        self.write(f"cdp {direction} {size:6d} on the wire at {wall.strftime('%H:%M:%S.%f')[:-3]}")

    def _console(self, message: ConsoleMessage) -> None:
        self.write(f"console {message.type}: {message.text[:300]}")

    def _socket(self, socket: WebSocket) -> None:
        self.write(f"websocket open {socket.url}")
        socket.on("framesent", lambda payload: self._frame(">", payload))
        socket.on("framereceived", lambda payload: self._frame("<", payload))
        socket.on("close", lambda _: self.write("websocket closed"))
        socket.on("socketerror", lambda error: self.write(f"websocket error {error}"))

    def _frame(self, direction: str, payload: str | bytes) -> None:
        size = len(payload)
        if isinstance(payload, str):
            self.write(f"{direction} {size:6d} text {payload[:80]!r}")
            return
        try:
            text = describe_back(payload) if direction == ">" else describe_forward(payload)
        except Exception as error:  # a frame that is not one message: say so, keep going
            text = f"undecoded ({type(error).__name__})"
        self.write(f"{direction} {size:6d} {text}")

    def close(self) -> None:
        self._out.close()

"""The app's settings, as one table: name, environment variable, default, help.

Read from environment variables on every call (cheap, and a test or a restarted server
sees a change at once). The README (section Settings) documents each row; a test checks that the
table and the document agree. No Streamlit here, so the CLI could read them too.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from etl.read_limits import LIMIT_SETTINGS, parse_limit

_TRUE = {"1", "true", "yes", "on", "是"}
_FALSE = {"0", "false", "no", "off", "否", ""}


class SettingError(ValueError):
    """An environment variable holds a value its setting cannot take."""


def _bool(text: str) -> bool:
    value = text.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise SettingError(f"expected true/false, got {text!r}")


def _positive_int(text: str) -> int:
    try:
        return parse_limit(text)
    except ValueError as exc:
        raise SettingError(str(exc)) from None


@dataclass(frozen=True)
class Setting:
    name: str
    env: str
    default: Any
    help: str
    parse: Callable[[str], Any]


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "require_login",
        "TQI_REQUIRE_LOGIN",
        False,
        "Browsing needs a login (any role). Off: anyone who can reach the app may browse; "
        "uploading, rollback and catalog edits always need an analyst.",
        _bool,
    ),
    Setting(
        "max_upload_mb",
        "TQI_MAX_UPLOAD_MB",
        50,
        "Largest batch file the upload page accepts, in MB (keep server.maxUploadSize in "
        ".streamlit/config.toml at least this large).",
        _positive_int,
    ),
)


# The batch-file reading limits; etl.read_limits reads the same variables (etl cannot import ui).
SETTINGS += tuple(Setting(n, env, d, h, _positive_int) for n, env, d, h in LIMIT_SETTINGS)

_BY_NAME = {s.name: s for s in SETTINGS}


def get_setting(name: str) -> Any:
    """The setting's value: its environment variable when set, else its default."""
    setting = _BY_NAME[name]
    raw = os.environ.get(setting.env)
    if raw is None or raw.strip() == "":
        return setting.default
    try:
        return setting.parse(raw)
    except SettingError as exc:
        raise SettingError(f"{setting.env}: {exc}") from None


def require_login() -> bool:
    return bool(get_setting("require_login"))


def max_upload_mb() -> int:
    return int(get_setting("max_upload_mb"))

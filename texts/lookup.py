"""The one look-up: a key of the catalogue in a language, placeholders filled."""

from __future__ import annotations

from typing import Any

from texts.catalog import CATALOG
from texts.markdown import md_escape

LANGS: tuple[str, ...] = ("zh", "en")
LANG_NAMES = {"zh": "中文", "en": "English"}


def localized(key: str, lang: str = "zh", **values: Any) -> str:
    """The text ``key`` in ``lang`` (Chinese unless ``"en"``), ``{placeholders}`` filled.

    A missing key raises ``KeyError`` at once, so a typo fails the page's test rather than
    showing a blank. ``md=True`` is for a label Streamlit reads as Markdown: every filled-in
    string (a file name, a user name, a catalog name) is escaped, the catalogue's own
    Markdown (``**bold**``, ``:green[…]``) is kept. (``md`` travels in ``values`` so that
    a call filling placeholders from a ``**dict`` of numbers still type-checks.)
    """
    zh, en = CATALOG[key]
    text = en if lang == "en" else zh
    if values.pop("md", False):
        values = {k: md_escape(v) if isinstance(v, str) else v for k, v in values.items()}
    return text.format(**values) if values else text

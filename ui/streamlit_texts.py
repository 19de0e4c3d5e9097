"""Streamlit's own words (the file uploader's "Upload", "50MB per file • CSV", "Drag and
drop files here", a rejected file's "File must be … or smaller.") in the chosen language.

Streamlit 1.67 has no locale setting and ``st.file_uploader`` takes no texts (upstream:
streamlit/streamlit#13500, open). What can be done from Python is CSS: the English text
is shrunk to nothing (``font-size: 0``, so it takes no room either) and the chosen
language's text is drawn in its place with ``::after``. The selectors are Streamlit's
``data-testid`` attributes and the ``st-key-<key>`` class of a keyed widget, which Streamlit
keeps stable for tests; ``tests/test_e2e_streamlit_texts.py`` fails when an upgrade moves
them. Screen-reader labels (``aria-label="Remove a.csv"``, "Add files") are attributes,
out of CSS's reach; they are not shown. English mode keeps Streamlit's own wording.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import streamlit as st

from texts import localized

_DROPZONE = '[data-testid="stFileUploaderDropzone"]'
_BUTTON_TEXT = f'{_DROPZONE} > span [data-testid="stMarkdownContainer"] p'
_LIMIT_TEXT = '[data-testid="stFileUploaderDropzoneInstructions"] span'
# While a file is dragged over, the zone shows one text block right after the hidden input.
_DRAG_TEXT = f"{_DROPZONE} > input + div:not(:has([data-testid])) *"
_CHIP_ERROR = '[data-testid="stFileChip"][aria-invalid="true"] [data-testid="stFileChipName"] + *'


def _swap(selector: str, text: str, size: str) -> str:
    """CSS that hides the English at ``selector`` and shows ``text`` there instead."""
    quoted = text.replace("\\", "\\\\").replace('"', '\\"')
    return (
        f"{selector}, {selector} * {{ font-size: 0 !important; }}\n"
        f'{selector}::after {{ content: "{quoted}"; font-size: {size}; }}'
    )


def file_uploader(
    label: str,
    *,
    types: Sequence[str],
    mb: int,
    key: str,
    lang: str,
    multiple: bool = False,
) -> Any:
    """``st.file_uploader`` with its own texts in ``lang`` (the same arguments it takes)."""
    files = st.file_uploader(
        label,
        type=list(types),
        accept_multiple_files=multiple,
        max_upload_size=mb,
        key=key,
    )
    if lang != "en":
        scope = f".st-key-{key}"
        kinds = localized("uploader.types_sep", lang).join(s.upper() for s in types)
        rules = [
            _swap(f"{scope} {_BUTTON_TEXT}", localized("uploader.browse", lang), "0.875rem"),
            _swap(
                f"{scope} {_LIMIT_TEXT}",
                localized("uploader.limit", lang, mb=mb, types=kinds),
                "0.75rem",
            ),
            _swap(f"{scope} {_DRAG_TEXT}", localized("uploader.drop", lang), "1rem"),
            _swap(f"{scope} {_CHIP_ERROR}", localized("uploader.rejected", lang, mb=mb), "0.75rem"),
        ]
        st.html("<style>" + "\n".join(rules) + "</style>")
    return files

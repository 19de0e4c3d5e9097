"""File names built from titles: readable (Chinese kept), legal on Windows and in a shell."""

from __future__ import annotations

import re

_UNSAFE_FILENAME = re.compile(r'[\\/:*?"<>|\s]+')
_FALLBACK = "chart"


def _clean(part: str, fill: str) -> str:
    return _UNSAFE_FILENAME.sub(fill, part.strip()).strip(fill + ".")


def safe_filename(text: str) -> str:
    """``排查治理安全隐患_2016-2025年``: each run of unsafe characters becomes one ``_``."""
    return _clean(text, "_") or _FALLBACK


def safe_file_stem(*parts: str) -> str:
    """``2016-2025_安全监管_排查治理安全隐患``: parts joined by ``_``, unsafe runs inside a
    part become ``-`` (so the ``_`` still separates parts); at most 120 characters."""
    stem = "_".join(c for c in (_clean(p, "-") for p in parts) if c)
    return stem[:120] or _FALLBACK

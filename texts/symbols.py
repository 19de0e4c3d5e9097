"""The marks a stored qualifier is shown with, in tables, charts, slides and the CLI."""

from __future__ import annotations

QUALIFIER_SYMBOLS: dict[str, str] = {"more_than": "≥", "about": "≈"}
"""``more_than`` (余/多, “at least”) reads ≥, ``about`` (约) reads ≈; no qualifier, nothing."""

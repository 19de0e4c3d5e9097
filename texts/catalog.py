"""The catalogue: every user-facing text, key → (Chinese, English).

Filled and merged by the migration script (/work/tools/texts_migrate.py); edit entries here
by hand afterwards. ``tests/test_texts.py`` checks that every key the code uses is here,
that none is unused, and that both languages have the same placeholders.
"""

from __future__ import annotations

CATALOG: dict[str, tuple[str, str]] = {}

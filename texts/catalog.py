"""The catalogue: every user-facing text, key → (Chinese, English).

The entries live in three files by where they are shown (one file would be over the
400 lines a module may have); a key is in exactly one of them.

Filled by the migration script (/work/tools/texts_migrate.py); edit the ``catalog_*.py``
files by hand now. ``tests/test_texts.py`` checks that every key the code uses is here, that
none is unused, and that both languages have the same placeholders.
"""

from __future__ import annotations

from texts.catalog_analysts import ANALYSTS
from texts.catalog_dashboard import DASHBOARD
from texts.catalog_exports import EXPORTS

CATALOG: dict[str, tuple[str, str]] = {**DASHBOARD, **ANALYSTS, **EXPORTS}
assert len(CATALOG) == len(DASHBOARD) + len(ANALYSTS) + len(EXPORTS), "a key is in two files"

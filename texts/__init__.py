"""Every word the app shows a person, in Chinese (default) and English, with one look-up.

``localized(key, lang, **values)`` reads :data:`texts.catalog.CATALOG`; the helpers that shape
text for a reader live beside it (Markdown escaping, the ≥/≈ qualifier symbols, file-name
cleaning, catalog and unit names), so each exists once. No Streamlit and no project
imports here: the pages, the briefing exporter and the command line speak the same words.
"""

from texts.catalog import CATALOG
from texts.filenames import safe_file_stem, safe_filename
from texts.lookup import LANG_NAMES, LANGS, localized
from texts.markdown import md_escape
from texts.names import name, region_label, unit_label
from texts.symbols import QUALIFIER_SYMBOLS
from texts.units import UNIT_EN_BY_INDICATOR, UNITS_EN

__all__ = [
    "CATALOG",
    "LANGS",
    "LANG_NAMES",
    "QUALIFIER_SYMBOLS",
    "UNITS_EN",
    "UNIT_EN_BY_INDICATOR",
    "localized",
    "md_escape",
    "name",
    "region_label",
    "safe_file_stem",
    "safe_filename",
    "unit_label",
]

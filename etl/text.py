"""Cell text as the user meant it: characters they cannot see removed, totals recognised.

Word, WeChat and web pages leave zero-width spaces, byte-order marks and no-break or
ideographic spaces in copied cells. They are invisible on screen, so a ``全\u200b市`` that
stayed as it is would be a second region that looks exactly like 全市, and ``1\u200b2`` an
"unreadable" number the user cannot see anything wrong with. Every text cell normalisation
reads goes through :func:`clean_text` (names and regions through :func:`clean_name`).
The helpers at the end factorise a column's cleaned text, so cleaning costs once per
distinct text, not once per row.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pandas as pd

# Zero-width space/non-joiner/joiner, word joiner, BOM, soft hyphen, Mongolian vowel
# separator, left-to-right/right-to-left marks: nothing a statistical table means to say.
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\u200e\u200f"
# Spaces other than U+0020 that office tools write: no-break, ideographic, en/em/thin…
ODD_SPACES = (
    "\u00a0\u3000\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f"
)
INVISIBLE_RE = re.compile(f"[{INVISIBLE}]")
_ODD_SPACE_RE = re.compile(f"[{ODD_SPACES}]")
_NEEDS_CLEANING = re.compile(f"[{INVISIBLE}{ODD_SPACES}]")
_CJK = r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003134f]"
# Spaces between two Chinese characters only align a column (``合  计``, ``全 市``).
_CJK_GAP = re.compile(rf"(?<={_CJK})\s+(?={_CJK})")
RUNS = re.compile(r"\s+")


def clean_text(text: str) -> str:
    """Drop invisible characters, turn odd spaces into plain ones, trim the ends."""
    if not _NEEDS_CLEANING.search(text):
        return text.strip()
    return _ODD_SPACE_RE.sub(" ", INVISIBLE_RE.sub("", text)).strip()


def clean_name(text: str) -> str:
    """:func:`clean_text`, and spaces that only align Chinese characters removed.

    ``全 市`` and ``东\u3000区`` are the regions 全市 and 东区; other runs of spaces become
    one (``Pudong  New Area`` → ``Pudong New Area``).
    """
    return RUNS.sub(" ", _CJK_GAP.sub("", clean_text(text)))


def stripped(
    s: pd.Series, clean: Callable[[str], str] = clean_text
) -> tuple[np.ndarray, np.ndarray]:
    """``(codes, uniques)`` of a column's cleaned text; blank cells get code -1.

    Cleaning runs once per distinct text, so a million-row column costs one factorise.
    """
    text = s.astype("str").str.strip()
    codes, uniques = pd.factorize(text.mask(text == ""))
    cleaned = np.asarray([clean(str(u)) for u in uniques], dtype=object)
    empty = np.flatnonzero(cleaned == "")
    if len(empty):
        codes = np.where(np.isin(codes, empty), -1, codes)
    return codes, cleaned


def take(uniques: np.ndarray, codes: np.ndarray, fill: object = None) -> np.ndarray:
    """``uniques[codes]`` as an object array, ``fill`` where the code is -1 (blank)."""
    out = np.empty(len(codes), dtype=object)
    out[:] = fill
    hit = codes >= 0
    out[hit] = uniques[codes[hit]]
    return out

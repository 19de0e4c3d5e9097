"""Chinese text facts the report reader leans on: 简体 conversion, mis-decoding marks, and
the lexicon of characters and character pairs a report and the catalog use.

OpenCC does the script conversion (``t2s``/``s2t`` ship with the package, no download).
The :class:`Lexicon` is what :mod:`etl.mojibake` fills destroyed bytes from: a guess is
only as good as the evidence that the report or the catalog writes those characters.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

NUMERALS = "一二三四五六七八九十"
STRUCTURE = "（）、，。：；《》“”" + NUMERALS  # what a lost character may be without evidence
_PINYIN_LETTERS = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüêɑ"
# Characters a Chinese report does not contain but GBK mis-decoding produces: kana,
# bopomofo, box drawing, CJK radicals, Greek/Cyrillic, and tone-marked pinyin letters
# outside an annotation (callers take the annotations out first).
MARKER = re.compile(
    rf"[\u3040-\u30ff\u3100-\u312f\u2500-\u257f\u2e80-\u2fdf\u0370-\u03ff\u0400-\u04ff"
    rf"{_PINYIN_LETTERS}]"
)


@functools.cache
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


@functools.cache
def _s2t():
    import opencc

    return opencc.OpenCC("s2t")


def to_simplified(text: str) -> str:
    return _t2s().convert(text)


def encode_char(char: str) -> bytes | None:
    try:
        data = char.encode("gb18030")
    except UnicodeEncodeError:
        return None
    return data if len(data) <= 2 else None


@functools.cache
def simple(char: str) -> str:
    return _norm(char)


@dataclass(frozen=True)
class Lexicon:
    """Characters and character pairs the report and the catalog use (pairs simplified)."""

    chars: frozenset[str]
    pairs: frozenset[str]

    @functools.cached_property
    def by_lead(self) -> dict[int, list[tuple[str, bytes]]]:
        return _index(self.chars, 0)

    @functools.cached_property
    def by_trail(self) -> dict[int, list[tuple[str, bytes]]]:
        return _index(self.chars, 1)

    @functools.cached_property
    def lefts(self) -> dict[str, set[str]]:
        """For each (simplified) character, the characters seen right before it."""
        index: dict[str, set[str]] = {}
        for pair in self.pairs:
            index.setdefault(pair[1], set()).add(pair[0])
        return index

    @functools.cached_property
    def rights(self) -> dict[str, set[str]]:
        """For each (simplified) character, the characters seen right after it."""
        index: dict[str, set[str]] = {}
        for pair in self.pairs:
            index.setdefault(pair[0], set()).add(pair[1])
        return index

    @functools.cached_property
    def by_simple(self) -> dict[str, list[tuple[str, bytes]]]:
        """Lexicon characters (any script) by their simplified form."""
        index: dict[str, list[tuple[str, bytes]]] = {}
        for char in sorted(self.chars):
            data = encode_char(char)
            if data is not None and len(data) == 2:
                index.setdefault(simple(char), []).append((char, data))
        return index

    @functools.cached_property
    def structure(self) -> list[tuple[str, bytes]]:
        return [(c, b) for c in STRUCTURE if (b := encode_char(c)) and len(b) == 2]


def _index(chars: Iterable[str], at: int) -> dict[int, list[tuple[str, bytes]]]:
    index: dict[int, list[tuple[str, bytes]]] = {}
    for char in sorted(chars):
        data = encode_char(char)
        if data is not None and len(data) == 2:
            index.setdefault(data[at], []).append((char, data))
    return index


def _norm(text: str) -> str:
    return to_simplified(unicodedata.normalize("NFKC", text))


def has_damage(text: str) -> bool:
    """Whether ``text`` holds characters that only mis-decoding puts in a Chinese report."""
    return MARKER.search(text) is not None


def build_lexicon(pieces: Iterable[str]) -> Lexicon:
    """The characters and character pairs of ``pieces`` (the report's text, the catalog).

    Pieces holding damage are skipped up to their next full stop or comma; traditional
    forms of every piece are added (the damaged report is 繁体, the catalog 简体), and so
    are the list numbers ``（一）``…``（十）`` that reports are written with.
    """
    texts: list[str] = []
    for piece in pieces:
        texts += [p for p in re.split(r"(?<=[。，,；;\n])", piece) if p and not has_damage(p)]
    texts += [_s2t().convert(t) for t in texts]
    texts += [f"（{n}）" for n in NUMERALS]
    chars = {c for text in texts for c in text if not c.isspace()} | set(STRUCTURE)
    pairs: set[str] = set()
    for text in texts:
        norm = _norm(text)
        pairs.update(norm[i : i + 2] for i in range(len(norm) - 1))
    return Lexicon(frozenset(chars), frozenset(pairs))

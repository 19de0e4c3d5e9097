"""Report text as it arrives from the web → clean simplified Chinese.

Reports copied from annotation sites come as 繁体 with pinyin after characters
(``認(rèn)真``) and, now and then, runs damaged by a GBK byte shift (``。ㄒ唬`` for
``（一）``; :mod:`etl.mojibake` explains and undoes that). :func:`repair_text` drops the
annotations, mends the damaged runs, converts to simplified Chinese with OpenCC and keeps
every other character, so offsets into its result are what the report reader highlights.
"""

from __future__ import annotations

import functools
import re

from db.catalog import Catalog
from etl import mojibake
from etl.encoding import decode_text  # the ETL's one decoding policy, reused
from etl.lexicon import NUMERALS, Lexicon, build_lexicon, has_damage, to_simplified

LOST_CHAR = "□"  # the customary mark for a character that cannot be read (缺字符)

_TONE = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüêɑ"
_SYLLABLE = rf"(?:[zcs]h|[bpmfdtnlgkhjqxrzcsyw])?[aeiouv{_TONE}]+(?:ng|n|r)?|[ḿńňǹ]g?"
_PINYIN = rf"(?:{_SYLLABLE})(?:[ \u00a0]+(?:{_SYLLABLE}))*"
# ``(rèn)`` / ``（rèn）``. A bracket holding a Chinese character (``(返)``, ``(六)``) is text.
PINYIN_GROUP = re.compile(rf"[(（]\s*(?P<py>{_PINYIN})\s*[)）]")
# ``?fù)``: an annotation whose ``(`` the damage turned into ``?``; its character is lost.
DAMAGED_GROUP = re.compile(rf"\?(?P<py>{_PINYIN})[)）]")
_HAS_TONE = re.compile(f"[{_TONE}]")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LIST_NUMBER = re.compile(rf"^（([{NUMERALS}]+)）")


# ---------------------------------------------------------------- repair


def decode_report(data: bytes) -> str:
    """Report bytes as text by the batch reader's rules (UTF-8 ± BOM, GB18030, UTF-16).

    Raises :class:`~etl.issues.UnreadableFileError` for anything else, never guessing.
    """
    utf8, _encoding = decode_text(data)
    return utf8.decode("utf-8")


def _annotations(line: str) -> list[re.Match[str]]:
    """Pinyin annotations in ``line``, intact or damaged, left to right."""
    found = [m for m in PINYIN_GROUP.finditer(line) if _is_annotation(line, m)]
    found += list(DAMAGED_GROUP.finditer(line))
    found.sort(key=lambda m: m.start())
    kept: list[re.Match[str]] = []
    for m in found:
        if not kept or m.start() >= kept[-1].end():
            kept.append(m)
    return kept


def _is_annotation(line: str, match: re.Match[str]) -> bool:
    """Tone marks make it pinyin; a toneless syllable counts only right after a character."""
    if _HAS_TONE.search(match["py"]):
        return True
    return match.start() > 0 and bool(_CJK.match(line[match.start() - 1]))


def _strip_annotations(line: str) -> str:
    return "".join(_pieces(line, _annotations(line)))


def _pieces(line: str, groups: list[re.Match[str]]) -> list[str]:
    """``line`` cut around its annotations: runs of text, with a lost character marked."""
    out, pos = [], 0
    for m in groups:
        out.append(line[pos : m.start()])
        if m.re is DAMAGED_GROUP:
            out.append(LOST_CHAR)
        pos = m.end()
    out.append(line[pos:])
    return out


def mend_line(line: str, lexicon: Lexicon) -> str:
    """One line with its damaged runs undone and its annotations dropped (still 繁体).

    A damaged run starts where the page's text nodes started: at the line start or right
    after an annotation. Mended list numbers are written ``(一)`` like the intact ones.
    """
    groups = _annotations(line)
    starts = [0, *[m.end() for m in groups]]
    ends = [m.start() for m in groups] + [len(line)]
    out: list[str] = []
    for i, (start, end) in enumerate(zip(starts, ends, strict=True)):
        if i:
            out.append(LOST_CHAR if groups[i - 1].re is DAMAGED_GROUP else "")
        run = line[start:end]
        if has_damage(run[:4]):
            prev = groups[i - 1].start() if i else 0
            left = line[prev - 1] if i and prev and _CJK.match(line[prev - 1]) else ""
            after = groups[i].end() if i < len(groups) else len(line)
            right = line[after] if after < len(line) else ""
            found = mojibake.unmangle_run(
                run, at_line_start=start == 0, left=left, right=right, lexicon=lexicon
            )
            if found is not None:
                k, original = found
                if start == 0:
                    original = _LIST_NUMBER.sub(r"(\1)", original)
                run = original + run[k:]
        out.append(run)
    return "".join(out)


@functools.cache
def _shipped_catalog_words() -> tuple[str, ...]:
    from db.catalog import read_catalog_file

    data = read_catalog_file()
    words = [c["name_zh"] for c in data["categories"]]
    for ind in data["indicators"]:
        words += [ind["name_zh"], *ind.get("aliases", []), *ind.get("phrasings", [])]
    return tuple(words)


def catalog_words(catalog: Catalog | None) -> tuple[str, ...]:
    """Category and indicator names, aliases and phrasings (the shipped ones by default)."""
    if catalog is None:
        return _shipped_catalog_words()
    words = [c.name_zh for c in catalog.categories.values()]
    for spec in catalog.indicators.values():
        words += [spec.name_zh, *spec.aliases, *spec.phrasings]
    return tuple(words)


def repair_text(text: str, catalog: Catalog | None = None) -> str:
    """Clean simplified text: damage undone, pinyin dropped, every other character kept.

    The catalog's words (the shipped catalog when none is given) help fill bytes the
    damage destroyed. Repairing repaired text changes nothing.
    """
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if any(has_damage(_strip_annotations(line)) for line in lines):
        clean = [_strip_annotations(line) for line in lines]
        lexicon = build_lexicon([*clean, *catalog_words(catalog)])
        lines = [mend_line(line, lexicon) for line in lines]
    else:
        lines = [_strip_annotations(line) for line in lines]
    return to_simplified("\n".join(lines))

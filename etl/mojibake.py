"""Undoing the GBK byte-shift damage found in report text copied from the web.

The seed report's list numbers arrive as ``。ㄒ唬┕こ探ㄔO`` for ``（一）工程建設``. That is a
byte-level accident which :func:`mangle` reproduces exactly for every damaged run in the
seed: one stray byte (0xA1) was put in front of a run's GBK bytes, the result was decoded
two bytes at a time, pairs that landed in the private-use area vanished, a lone byte at
the end of the run was dropped, and a pair the decoder could not read became ``?``.

:func:`unmangle_run` inverts that. It tries every hypothesis of where pairs vanished
(at most two per run) and where the run ends; bytes the damage kept are decoded back in
their true alignment, bytes it destroyed are filled from a :class:`Lexicon` (the
characters of the report itself and of the catalog), choosing with a Viterbi search the
reading whose character pairs the report and the catalog use elsewhere. A reading is
only accepted when mangling it again reproduces the damaged run exactly, so the repair
never puts in text that the damage does not account for.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from etl.lexicon import MARKER, NUMERALS, Lexicon, encode_char, simple

STRAY_BYTE = 0xA1

# How much a reading pays for what it had to assume (a lost pair, a lost byte, a guessed
# byte) against what it gains (character pairs the report and catalog use elsewhere).
DROP_COST = 0.5
DANGLING_COST = 0.5
GUESSED_BYTE_COST = 0.5
LIST_NUMBER_BONUS = 3.0
LEFTOVER_TRAIL_COST = 2.0
_LIST_PAIRS = {f"（{n}" for n in NUMERALS} | {f"{n}）" for n in NUMERALS}
_MAX_RUN = 24


@functools.cache
def _unit_char(pair: bytes) -> str:
    """What the damaging decoder made of two bytes: a character, nothing, or ``?``."""
    try:
        char = pair.decode("gb18030")
    except UnicodeDecodeError:
        return "?"
    if len(char) != 1:
        return "?"
    return "" if 0xE000 <= ord(char) <= 0xF8FF else char


@functools.cache
def _vanishing_pairs() -> bytes:
    """A 64 KiB table: 1 where the damaging decoder turned the byte pair into nothing."""
    table = bytearray(1 << 16)
    for b1 in range(0x80, 0x100):
        for b2 in range(0x100):
            if _unit_char(bytes([b1, b2])) == "":
                table[b1 << 8 | b2] = 1
    return bytes(table)


def _vanishes(b1: int, b2: int) -> bool:
    return bool(_vanishing_pairs()[b1 << 8 | b2])


def mangle(original: str) -> str:
    """The damage as the seed shows it: ``mangle("（一）工程建設") == "。ㄒ唬┕こ探ㄔO"``."""
    data = bytes([STRAY_BYTE]) + original.encode("gb18030")
    out: list[str] = []
    i = 0
    while i < len(data):
        if data[i] < 0x80:
            out.append(chr(data[i]))
            i += 1
        elif i + 1 < len(data):
            out.append(_unit_char(data[i : i + 2]))
            i += 2
        else:
            break  # a lone lead byte at the end of the run is lost
    return "".join(out)


# ---------------------------------------------------------------- inverting the damage


@dataclass(frozen=True)
class _Reading:
    score: float
    original: str


def _score_pair(a: str, b: str, lexicon: Lexicon) -> float:
    return 1.0 if simple(a) + simple(b) in lexicon.pairs else 0.0


def _char_cost(char: str, lexicon: Lexicon) -> float:
    if char == "?" or MARKER.match(char):
        return -4.0
    if char in lexicon.chars:
        return 0.0
    try:
        simple(char).encode("gb2312")
    except UnicodeEncodeError:
        return -3.0  # outside GB2312 even when simplified: rare in a report
    return -0.5


def _candidates(b1: int | None, b2: int | None, lexicon: Lexicon) -> list[tuple[str, bytes]]:
    if b2 == -1 and b1 is not None:  # an ASCII byte
        return [(chr(b1), bytes([b1]))]
    if b1 is not None and b2 is not None:
        data = bytes([b1, b2])
        char = _unit_char(data)
        return [(char, data)] if char not in ("", "?") else []
    if b1 is not None:
        return lexicon.by_lead.get(b1, [])
    if b2 is not None:
        return lexicon.by_trail.get(b2, [])
    return []  # both bytes lost: see _lost_chars


def _lost_chars(
    before: list[tuple[str, bytes]], after: list[tuple[str, bytes]], lexicon: Lexicon
) -> list[tuple[str, bytes]]:
    """Candidates for a character both of whose bytes vanished.

    Nothing of it is left, so only a character that forms a pair the lexicon knows with a
    candidate next to it is considered, plus punctuation and numerals.
    """
    near: set[str] = set()
    for c, _d in before:
        near |= lexicon.rights.get(simple(c)[-1:], set())
    for c, _d in after:
        near |= lexicon.lefts.get(simple(c)[:1], set())
    found = [cd for s in sorted(near) for cd in lexicon.by_simple.get(s, [])]
    return list(dict.fromkeys([*found, *lexicon.structure]))


Slot = tuple[int | None, int | None]  # (lead, trail); trail -1 marks a one-byte ASCII slot
Where = tuple[int, int]  # (slot, byte within the slot)


def _solve(
    slots: list[Slot],
    drops: list[tuple[Where, Where]],
    left: str,
    right: str,
    lexicon: Lexicon,
    *,
    stray_dropped: bool = False,
    list_number: bool = False,
) -> _Reading | None:
    """Best characters for byte slots with unknowns (Viterbi over character pairs).

    ``drops`` are byte pairs the damage made vanish: the characters chosen must make
    exactly those pairs private-use, which ties a slot to itself or to its neighbour.
    """
    layers = [_candidates(b1, b2, lexicon) for b1, b2 in slots]
    for i, (b1, b2) in enumerate(slots):
        if b1 is None and b2 is None:
            near = (layers[i - 1] if i else [], layers[i + 1] if i + 1 < len(slots) else [])
            layers[i] = _lost_chars(*near, lexicon)
    guessed = 0
    for i, (b1, b2) in enumerate(slots):
        cands = layers[i]
        for (sa, ba), (sb, bb) in drops:
            if sa == sb == i:
                cands = [(c, d) for c, d in cands if _vanishes(d[ba], d[bb])]
        if i == 0 and stray_dropped:  # the stray byte and the first byte vanished together
            cands = [(c, d) for c, d in cands if _vanishes(STRAY_BYTE, d[0])]
        if b2 is None and i == len(slots) - 1:
            cands = [(c, d) for c, d in cands if d[-1] >= 0x80]  # a lost last byte is not ASCII
        if not cands:
            return None
        layers[i] = cands
        guessed += (b1 is None) + (b2 is None)
    links = {sa: (ba, bb) for (sa, ba), (sb, bb) in drops if sb == sa + 1}
    prev: dict[int, tuple[float, str]] = {}
    for j, (c, _d) in enumerate(layers[0]):
        prev[j] = (_char_cost(c, lexicon) + (_score_pair(left, c, lexicon) if left else 0.0), c)
    for i in range(1, len(layers)):
        boost = list_number and i <= 4
        prev = _transition(layers[i - 1], prev, layers[i], links.get(i - 1), lexicon, boost)
        if not prev:
            return None
    final = [
        (score + (_score_pair(text[-1], right, lexicon) if right else 0.0), text)
        for score, text in prev.values()
    ]
    score, text = max(final, key=lambda item: (item[0], item[1]))
    return _Reading(score - GUESSED_BYTE_COST * guessed, text)


def _transition(
    prev_cands: list[tuple[str, bytes]],
    prev: dict[int, tuple[float, str]],
    cands: list[tuple[str, bytes]],
    link: tuple[int, int] | None,
    lexicon: Lexicon,
    boost: bool,
) -> dict[int, tuple[float, str]]:
    """One Viterbi step, without trying every pair of candidates.

    The best previous path is found per byte the vanishing pair ties to (at most 256),
    and only the previous characters that form a known pair with ``c`` are scored on
    their own, so a step costs candidates × (256 + a few) instead of candidates².
    """

    def score(k: int, c: str) -> float:
        pc = prev_cands[k][0]
        bonus = 1.0 if boost and pc + c in _LIST_PAIRS else 0.0
        return prev[k][0] + _score_pair(pc, c, lexicon) + bonus

    by_byte: dict[int, int] = {}
    by_simple: dict[str, list[int]] = {}
    for k in prev:
        key = prev_cands[k][1][link[0]] if link else 0
        if key not in by_byte or prev[k][0] > prev[by_byte[key]][0]:
            by_byte[key] = k
        by_simple.setdefault(simple(prev_cands[k][0])[-1:], []).append(k)
    plain: dict[int, int | None] = {}
    cur: dict[int, tuple[float, str]] = {}
    for j, (c, d) in enumerate(cands):
        q = d[link[1]] if link else 0
        if q not in plain:
            allowed = [k for p, k in by_byte.items() if link is None or _vanishes(p, q)]
            plain[q] = max(allowed, key=lambda k: prev[k][0]) if allowed else None
        best_plain = plain[q]
        ks: set[int] = set() if best_plain is None else {best_plain}
        for a in lexicon.lefts.get(simple(c)[:1], ()):
            ks.update(by_simple.get(a, ()))
        if boost and c in NUMERALS + "）":
            ks.update(k for k in prev if prev_cands[k][0] in NUMERALS + "（")
        if link is not None:
            ks = {k for k in ks if _vanishes(prev_cands[k][1][link[0]], q)}
        if not ks:
            continue
        best = max(ks, key=lambda k: (score(k, c), prev[k][1]))
        cur[j] = (score(best, c) + _char_cost(c, lexicon), prev[best][1] + c)
    return cur


def _slots(x: list[int | None]) -> tuple[list[Slot], list[Where]] | None:
    """Aligned characters of the original bytes ``x``, and where each byte went.

    Unknown bytes are taken as lead bytes: a byte the damage removed was part of a pair.
    """
    slots: list[Slot] = []
    where: list[Where] = []
    i = 0
    while i < len(x):
        b = x[i]
        if b is not None and b < 0x80:
            slots.append((b, -1))
            where.append((len(slots) - 1, 0))
            i += 1
        elif i + 1 < len(x):
            slots.append((b, x[i + 1]))
            where += [(len(slots) - 1, 0), (len(slots) - 1, 1)]
            i += 2
        else:
            return None
    return slots, where


def unmangle_run(
    run: str, *, at_line_start: bool, left: str, right: str, lexicon: Lexicon
) -> tuple[int, str] | None:
    """``(k, original)``: the first ``k`` characters of ``run`` are ``original``, damaged.

    ``left``/``right`` are the characters around the run (context for guessed bytes);
    ``at_line_start`` lets a list number ``（一）`` count in a reading's favour. ``None``
    when no reading reproduces the run.
    """
    units = [encode_char(ch) for ch in run[:_MAX_RUN]]
    if not units or any(u is None for u in units):
        return None
    markers = [i for i, ch in enumerate(run[: len(units)]) if MARKER.match(ch)]
    if not markers:
        return None
    best: tuple[float, int, str] | None = None
    for k in range(markers[-1] + 1, len(units) + 1):
        after = run[k] if k < len(run) else right
        rest = _rest_score(run[k : len(units)], lexicon)  # the same span is judged for every k
        for drops in _drop_patterns(k):
            for dangling in (False, True):
                reading = _try(
                    units[:k],  # type: ignore[arg-type]  # no lost bytes in a marker run
                    drops,
                    dangling,
                    left,
                    after,
                    lexicon,
                    list_number=at_line_start,
                )
                if reading is None or mangle(reading.original) != run[:k]:
                    continue
                score = reading.score + rest
                score -= DROP_COST * len(drops) + DANGLING_COST * dangling
                if k < len(run) and 0x40 <= ord(run[k]) < 0x7F:
                    score -= LEFTOVER_TRAIL_COST  # a trail byte left behind as a letter
                if at_line_start and re.match(rf"^（[{NUMERALS}]+）", reading.original):
                    score += LIST_NUMBER_BONUS
                if best is None or score > best[0]:
                    best = (score, k, reading.original)
    return (best[1], best[2]) if best else None


def _rest_score(text: str, lexicon: Lexicon) -> float:
    """How the part of a run left as it stands reads: known pairs up, rare characters down."""
    score = sum(_char_cost(c, lexicon) for c in text)
    return score + sum(_score_pair(a, b, lexicon) for a, b in itertools.pairwise(text))


def _drop_patterns(k: int) -> Iterable[tuple[int, ...]]:
    """Where pairs may have vanished: before unit ``j`` (at most two in a run)."""
    yield ()
    for a in range(k + 1):
        yield (a,)
    for a in range(k + 1):
        for b in range(a, k + 1):
            yield (a, b)


def _try(
    units: list[bytes],
    drops: tuple[int, ...],
    dangling: bool,
    left: str,
    right: str,
    lexicon: Lexicon,
    *,
    list_number: bool = False,
) -> _Reading | None:
    """The best original for one hypothesis of where bytes were lost."""
    x: list[int | None] = []
    dropped: list[tuple[int, int]] = []  # positions in x
    for j in range(len(units) + 1):
        for _ in range(drops.count(j)):
            dropped.append((len(x), len(x) + 1))
            x.extend((None, None))
        if j < len(units):
            x.extend(units[j])
    if dangling:
        x.append(None)
    if x[0] is None:
        x[0] = STRAY_BYTE
    if x[0] != STRAY_BYTE:
        return None
    aligned = _slots(x[1:])
    if aligned is None or not aligned[0]:
        return None
    slots, where = aligned
    pairs = [(where[a - 1], where[b - 1]) for a, b in dropped if a >= 1]
    stray_dropped = bool(dropped) and dropped[0][0] == 0
    return _solve(
        slots, pairs, left, right, lexicon, stray_dropped=stray_dropped, list_number=list_number
    )

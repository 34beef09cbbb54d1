"""The writing system of a text, read from its letters' code points (ISO 15924 codes).

Models say which language a text is in, not how it is written; Serbian in Cyrillic and in Latin, or Chinese in
simplified and traditional characters, are the same language to most of them. The script comes from the text itself:
the most common script among its letters, found by code-point ranges (the Unicode blocks of each script, from the
Unicode Character Database's Blocks.txt and Scripts.txt). Japanese mixes kanji with kana and Korean may mix Hangul
with hanja, so any real share of kana makes Han text ``Jpan`` and of Hangul ``Kore``. Whether Han text is simplified
or traditional is not visible in ranges; :func:`resolve_script` takes it from the model (CLD2 tells ``zh`` from
``zh-Hant``, langdetect ``zh-cn`` from ``zh-tw``).

Counting works on a text's distinct characters (``collections.Counter`` runs in C), so a 300-character paragraph
costs a few dozen range look-ups, not 300.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from typing import Any

# (first code point, last code point, script), for letters; ranges not listed are "no script" (Zyyy)
_RANGES: tuple[tuple[int, int, str], ...] = (
    (0x0041, 0x005A, "Latn"),
    (0x0061, 0x007A, "Latn"),
    (0x00AA, 0x00AA, "Latn"),
    (0x00BA, 0x00BA, "Latn"),
    (0x00C0, 0x024F, "Latn"),
    (0x0250, 0x02AF, "Latn"),
    (0x0370, 0x03FF, "Grek"),
    (0x0400, 0x052F, "Cyrl"),
    (0x0530, 0x058F, "Armn"),
    (0x0590, 0x05FF, "Hebr"),
    (0x0600, 0x06FF, "Arab"),
    (0x0700, 0x074F, "Syrc"),
    (0x0750, 0x077F, "Arab"),
    (0x0780, 0x07BF, "Thaa"),
    (0x07C0, 0x07FF, "Nkoo"),
    (0x0800, 0x083F, "Samr"),
    (0x0840, 0x085F, "Mand"),
    (0x0860, 0x086F, "Syrc"),
    (0x0870, 0x08FF, "Arab"),
    (0x0900, 0x097F, "Deva"),
    (0x0980, 0x09FF, "Beng"),
    (0x0A00, 0x0A7F, "Guru"),
    (0x0A80, 0x0AFF, "Gujr"),
    (0x0B00, 0x0B7F, "Orya"),
    (0x0B80, 0x0BFF, "Taml"),
    (0x0C00, 0x0C7F, "Telu"),
    (0x0C80, 0x0CFF, "Knda"),
    (0x0D00, 0x0D7F, "Mlym"),
    (0x0D80, 0x0DFF, "Sinh"),
    (0x0E00, 0x0E7F, "Thai"),
    (0x0E80, 0x0EFF, "Laoo"),
    (0x0F00, 0x0FFF, "Tibt"),
    (0x1000, 0x109F, "Mymr"),
    (0x10A0, 0x10FF, "Geor"),
    (0x1100, 0x11FF, "Hang"),
    (0x1200, 0x139F, "Ethi"),
    (0x13A0, 0x13FF, "Cher"),
    (0x1400, 0x167F, "Cans"),
    (0x1680, 0x169F, "Ogam"),
    (0x16A0, 0x16FF, "Runr"),
    (0x1700, 0x171F, "Tglg"),
    (0x1720, 0x173F, "Hano"),
    (0x1740, 0x175F, "Buhd"),
    (0x1760, 0x177F, "Tagb"),
    (0x1780, 0x17FF, "Khmr"),
    (0x1800, 0x18AF, "Mong"),
    (0x18B0, 0x18FF, "Cans"),
    (0x1900, 0x194F, "Limb"),
    (0x1950, 0x197F, "Tale"),
    (0x1980, 0x19DF, "Talu"),
    (0x19E0, 0x19FF, "Khmr"),
    (0x1A00, 0x1A1F, "Bugi"),
    (0x1A20, 0x1AAF, "Lana"),
    (0x1B00, 0x1B7F, "Bali"),
    (0x1B80, 0x1BBF, "Sund"),
    (0x1BC0, 0x1BFF, "Batk"),
    (0x1C00, 0x1C4F, "Lepc"),
    (0x1C50, 0x1C7F, "Olck"),
    (0x1C80, 0x1C8F, "Cyrl"),
    (0x1C90, 0x1CBF, "Geor"),
    (0x1D00, 0x1DBF, "Latn"),
    (0x1E00, 0x1EFF, "Latn"),
    (0x1F00, 0x1FFF, "Grek"),
    (0x2C00, 0x2C5F, "Glag"),
    (0x2C60, 0x2C7F, "Latn"),
    (0x2C80, 0x2CFF, "Copt"),
    (0x2D00, 0x2D2F, "Geor"),
    (0x2D30, 0x2D7F, "Tfng"),
    (0x2D80, 0x2DDF, "Ethi"),
    (0x2DE0, 0x2DFF, "Cyrl"),
    (0x2E80, 0x2FDF, "Hani"),
    (0x3005, 0x3007, "Hani"),
    (0x3021, 0x3029, "Hani"),
    (0x3038, 0x303B, "Hani"),
    (0x3041, 0x309F, "Hira"),
    (0x30A0, 0x30FF, "Kana"),
    (0x3100, 0x312F, "Bopo"),
    (0x3130, 0x318F, "Hang"),
    (0x31A0, 0x31BF, "Bopo"),
    (0x31F0, 0x31FF, "Kana"),
    (0x3400, 0x4DBF, "Hani"),
    (0x4E00, 0x9FFF, "Hani"),
    (0xA000, 0xA4CF, "Yiii"),
    (0xA4D0, 0xA4FF, "Lisu"),
    (0xA500, 0xA63F, "Vaii"),
    (0xA640, 0xA69F, "Cyrl"),
    (0xA6A0, 0xA6FF, "Bamu"),
    (0xA720, 0xA7FF, "Latn"),
    (0xA800, 0xA82F, "Sylo"),
    (0xA840, 0xA87F, "Phag"),
    (0xA880, 0xA8DF, "Saur"),
    (0xA8E0, 0xA8FF, "Deva"),
    (0xA900, 0xA92F, "Kali"),
    (0xA930, 0xA95F, "Rjng"),
    (0xA960, 0xA97F, "Hang"),
    (0xA980, 0xA9DF, "Java"),
    (0xA9E0, 0xA9FF, "Mymr"),
    (0xAA00, 0xAA5F, "Cham"),
    (0xAA60, 0xAA7F, "Mymr"),
    (0xAA80, 0xAADF, "Tavt"),
    (0xAAE0, 0xAAFF, "Mtei"),
    (0xAB00, 0xAB2F, "Ethi"),
    (0xAB30, 0xAB6F, "Latn"),
    (0xAB70, 0xABBF, "Cher"),
    (0xABC0, 0xABFF, "Mtei"),
    (0xAC00, 0xD7FF, "Hang"),
    (0xF900, 0xFAFF, "Hani"),
    (0xFB00, 0xFB06, "Latn"),
    (0xFB13, 0xFB17, "Armn"),
    (0xFB1D, 0xFB4F, "Hebr"),
    (0xFB50, 0xFDFF, "Arab"),
    (0xFE70, 0xFEFF, "Arab"),
    (0xFF21, 0xFF3A, "Latn"),
    (0xFF41, 0xFF5A, "Latn"),
    (0xFF66, 0xFF9F, "Kana"),
    (0xFFA0, 0xFFDC, "Hang"),
    (0x10330, 0x1034F, "Goth"),
    (0x10400, 0x1044F, "Dsrt"),
    (0x1E900, 0x1E95F, "Adlm"),
    (0x20000, 0x323AF, "Hani"),
)
_STARTS = [r[0] for r in _RANGES]
KANA = frozenset({"Hira", "Kana"})
CJK = frozenset({"Hani", "Hira", "Kana", "Hang", "Bopo"})
SAMPLE = 32  # characters looked at per text (evenly spaced): enough to see a paragraph's script
_ASCII_LETTER = re.compile(r"[A-Za-z]")
MIXED_SHARE = 0.05  # this share of kana (of Hangul) among CJK letters makes the text Japanese (Korean)


def script_of(char: str) -> str | None:
    """ISO 15924 code of one letter's script; None for characters that are not letters or lie outside the ranges."""
    if not char.isalpha():
        return None
    cp = ord(char)
    i = bisect.bisect_right(_STARTS, cp) - 1
    if i >= 0 and cp <= _RANGES[i][1]:
        return _RANGES[i][2]
    return None


# every character seen so far, with its script: after warm-up a text costs a few set operations in C
_SCRIPT_OF: dict[str, str | None] = {}


def _lookup(chars: str | set[str], consume: type) -> Any:
    try:
        return consume(map(_SCRIPT_OF.__getitem__, chars))
    except KeyError:
        for char in set(chars):
            if char not in _SCRIPT_OF:
                _SCRIPT_OF[char] = script_of(char)
        return consume(map(_SCRIPT_OF.__getitem__, chars))


def script_counts(text: str) -> Counter[str]:
    """Letters per script (only letters vote, so digits and punctuation do not)."""
    counts: Counter[str] = _lookup(text, Counter)
    counts.pop(None, None)  # type: ignore[call-overload]
    return counts


def dominant_script(text: str) -> str | None:
    """The script of most of a text's letters: ``Jpan`` and ``Kore`` for Japanese and Korean mixed writing, ``Hani``
    for other Han text (see :func:`resolve_script`); None for text without letters.

    Read from at most ``SAMPLE`` characters spread evenly over the text: a paragraph's script does not change every
    few characters, and most texts are in one script, which a set of its distinct characters shows at once."""
    if text.isascii():
        return "Latn" if _ASCII_LETTER.search(text) else None
    sample = text if len(text) <= SAMPLE else text[:: -(-len(text) // SAMPLE)]
    present: set[str | None] = _lookup(set(sample), set)
    present.discard(None)
    if len(present) > 1:
        return dominant(script_counts(sample))
    if not present:
        return None
    only = present.pop()
    return "Jpan" if only in KANA else "Kore" if only == "Hang" else only


def dominant(counts: Counter[str]) -> str | None:
    if not counts:
        return None
    cjk = sum(counts[s] for s in CJK)
    if cjk:
        kana = counts["Hira"] + counts["Kana"]
        merged = Counter({s: n for s, n in counts.items() if s not in CJK})
        if kana >= MIXED_SHARE * cjk:
            merged["Jpan"] = cjk
        elif counts["Hang"] >= MIXED_SHARE * cjk:
            merged["Kore"] = cjk
        else:
            merged["Hani"] = cjk
        counts = merged
    return max(counts.items(), key=lambda item: (item[1], item[0]))[0]


def resolve_script(language: str, script: str | None, han_variant: str | None = None) -> str | None:
    """The script to tag ``language`` with, given its text's dominant script and the model's Han variant
    (``Hans``/``Hant``): Japanese is ``Jpan`` and Korean ``Kore`` whichever of their scripts dominates; other Han
    text is ``Hant`` or ``Hans`` as the model says, else the language's usual one."""
    if language == "ja" and script in ("Hani", "Hira", "Kana", "Jpan"):
        return "Jpan"
    if language == "ko" and script in ("Hani", "Hang", "Kore"):
        return "Kore"
    if script in ("Hani", "Jpan", "Kore") and language not in ("ja", "ko"):
        if han_variant:
            return han_variant
        from .codes import usual_script

        usual = usual_script(language)
        return usual if usual in ("Hans", "Hant") else "Hani"
    return script

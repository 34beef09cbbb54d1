"""Text to word tokens: the one normalisation the lexicon build and the scanner share.

A record becomes a list of lowercase UTF-8 byte tokens: ASCII punctuation (and the common Unicode punctuation) turns
into a BARRIER token, so two words either side of a comma or full stop are never adjacent; hyphens and slashes turn
into spaces, so "African-American", "African American" and "she/her" match one form. The work is done by
``bytes.translate``, ``bytes.replace`` and ``bytes.split`` in C, which is what lets the scanner read web text at tens
of MB/s in pure Python; a regular expression over the same text is several times slower.

Lexicon forms are stored already normalised by :func:`normalize_form`, so a form and a text agree token by token.
"""

from __future__ import annotations

import string
import unicodedata

BARRIER = b"\x00"

_TABLE = bytearray(range(256))
for _ch in string.punctuation:
    if _ch != "'":
        _TABLE[ord(_ch)] = 0
_TABLE[ord("-")] = _TABLE[ord("/")] = ord(" ")
TRANSLATE = bytes(_TABLE)

_APOSTROPHES = "\u2019\u2018\u02bc"
_SPACES = "\u00a0\u2009\u202f\u3000\u200b\u2010\u2011\u2012"  # spaces and in-word hyphens
_PUNCTUATION = (
    "\u201c\u201d\u201e\u201a\u00ab\u00bb\u2039\u203a\u2013\u2014\u2026\u00b7\u2022\u00bf\u00a1"  # Latin
    "\u3001\u3002\uff0c\uff01\uff1f\uff1a\uff1b\uff08\uff09\u300c\u300d\u300e\u300f"  # CJK full width
    "\u060c\u061b\u061f\u06d4\u0964\u0965"  # Arabic comma, semicolon, question mark, full stop; Devanagari danda
)
# (UTF-8 bytes, replacement); only texts with non-ASCII bytes pay for these, and only for the ones they contain
UNICODE_REPLACEMENTS: tuple[tuple[bytes, bytes], ...] = (
    *((c.encode(), b"'") for c in _APOSTROPHES),
    *((c.encode(), b" ") for c in _SPACES),
    *((c.encode(), BARRIER) for c in _PUNCTUATION),
)


def prepare(text: str) -> bytes:
    """Lowercased, NFC, UTF-8 text with punctuation mapped to barriers and separators to spaces."""
    if not text.isascii():
        if not unicodedata.is_normalized("NFC", text):
            text = unicodedata.normalize("NFC", text)
        data = text.lower().encode("utf-8", "surrogatepass").translate(TRANSLATE)
        for old, new in UNICODE_REPLACEMENTS:
            if old in data:
                data = data.replace(old, new)
        return data
    return text.lower().encode("ascii").translate(TRANSLATE)


def tokenize(text: str) -> list[bytes]:
    """Word tokens of a text, with BARRIER tokens where punctuation was."""
    data = prepare(text)
    if BARRIER in data:
        data = data.replace(BARRIER, b" \x00 ")
    return data.split()


def normalize_form(form: str) -> str:
    """A lexicon form as the scanner sees it: NFC, lowercase, words separated by single spaces, punctuation dropped.

    ``"African-American"`` -> ``"african american"``, ``"LGBTQ+"`` -> ``"lgbtq"``, ``"she/her"`` -> ``"she her"``.
    """
    text = unicodedata.normalize("NFC", form.strip())
    return b" ".join(t for t in tokenize(text) if t != BARRIER).decode("utf-8")

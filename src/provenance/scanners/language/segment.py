"""Cutting a record into the pieces whose languages are identified one by one.

A record can hold several languages (a bilingual page, a quotation, a translation beside its original), and one
answer for the whole would hide all but the largest. Paragraphs (split at blank lines) are the natural unit: one
language each, as a rule. A paragraph too short to identify reliably (a heading, a signature) joins the one after it;
one longer than ``long_block`` characters is cut at line ends and sentence ends into pieces of about ``piece``
characters, so a long monolingual paragraph still gets a few votes and a paragraph that switches language midway
is split near the switch. Records shorter than ``short_record`` are one piece.

Pieces are ``(start, end)`` offsets that tile the record exactly (separators belong to the piece before them), so
their lengths add up to the record's length and shares of characters add up to one.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

_BLANK_LINE = re.compile(r"\n[^\S\n]*\n\s*")
_CUT = re.compile(
    r"\n\s*|[.!?\u061f\u0964\u0965]+[\"'\u201d\u2019\u00bb)\]]*\s+|[\u3002\uff01\uff1f]+[\u300d\u300f\u201d\u2019\uff09]*"
)
_SPACE = re.compile(r"\s")


@dataclass(frozen=True)
class Segmentation:
    short_record: int = 300  # records shorter than this are identified whole
    long_block: int = 1000  # paragraphs longer than this are cut into pieces
    piece: int = 300  # about this many characters per piece of a long paragraph
    short_block: int = 120  # paragraphs shorter than this join the next one

    def segments(self, text: str) -> list[tuple[int, int]]:
        n = len(text)
        if n < self.short_record:
            return [(0, n)] if n else []
        cuts = [m.end() for m in _BLANK_LINE.finditer(text)]
        bounds = [0, *(c for c in cuts if 0 < c < n), n]
        blocks: list[tuple[int, int]] = []
        start: int | None = None
        for a, b in itertools.pairwise(bounds):
            a = a if start is None else start
            if b - a < self.short_block:
                start = a  # too short alone: carried into the next paragraph
                continue
            start = None
            blocks.append((a, b))
        if start is not None:  # a short last paragraph joins the one before it
            if blocks:
                blocks[-1] = (blocks[-1][0], n)
            else:
                blocks.append((start, n))
        out: list[tuple[int, int]] = []
        for a, b in blocks:
            if b - a <= self.long_block:
                out.append((a, b))
            else:
                out.extend(self._split(text, a, b))
        return out

    def _split(self, text: str, a: int, b: int) -> list[tuple[int, int]]:
        """Cut text[a:b] at line and sentence ends into pieces of at least ``piece`` characters; a run without any
        such end is cut at a space (or anywhere, for scripts written without spaces) every ``piece`` characters."""
        units: list[int] = [a]
        for m in _CUT.finditer(text, a, b):
            if m.end() < b:
                units.append(m.end())
        units.append(b)
        cuts: list[int] = [a]
        for u0, u1 in itertools.pairwise(units):
            position = u0
            while u1 - position > 2 * self.piece:  # one sentence longer than two pieces: cut it near every piece
                target = position + self.piece
                space = _SPACE.search(text, target, min(u1, target + self.piece // 2))
                position = space.end() if space else target
                cuts.append(position)
            cuts.append(u1)
        pieces: list[tuple[int, int]] = []
        start = a
        for c in cuts[1:]:
            if c - start >= self.piece:
                pieces.append((start, c))
                start = c
        if start < b:
            if pieces and b - start < self.piece // 2:
                pieces[-1] = (pieces[-1][0], b)
            else:
                pieces.append((start, b))
        return pieces

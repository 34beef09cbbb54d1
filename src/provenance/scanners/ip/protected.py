"""A registry of protected works (texts a dataset must not contain) and the long verbatim passages records share
with them.

Works are fingerprinted by hashed 8-word shingles of their normalised words. A record is probed at every 4th word
position only: a shared passage of ``min_words`` (>= 12) words always contains a probed shingle, and a hit is then
extended word by word in both texts to the exact overlap, so the cost per record is a quarter of a full
fingerprint while no long passage is missed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

SHINGLE = 8
STRIDE = 4
WORD = re.compile(r"\w+")
TEXT_SUFFIXES = {".txt", ".md", ".text", ""}


@dataclass(frozen=True)
class Overlap:
    work: str
    words: int
    start: int  # character offsets in the record
    end: int


def _words(text: str) -> tuple[list[str], list[tuple[int, int]]]:
    words, spans = [], []
    for m in WORD.finditer(text):
        words.append(m.group().casefold())
        spans.append(m.span())
    return words, spans


class ProtectedWorks:
    def __init__(self, works: dict[str, str]) -> None:
        self.names = list(works)
        self.words = []
        self.index: dict[int, list[tuple[int, int]]] = {}
        for w, text in enumerate(works.values()):
            words, _ = _words(text)
            self.words.append(words)
            for i in range(len(words) - SHINGLE + 1):
                self.index.setdefault(hash(tuple(words[i : i + SHINGLE])), []).append((w, i))

    @classmethod
    def load(cls, path: str | Path) -> ProtectedWorks:
        """Every text file in a folder (recursively), or one file; the file's path names the work."""
        from ...errors import InputError

        root = Path(path)
        if not root.exists():
            raise InputError(f"protected works: {root} does not exist", hint="give a folder of .txt files or one file")
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        works = {}
        for file in files:
            if file.suffix.lower() not in TEXT_SUFFIXES:
                continue
            try:
                works[str(file.relative_to(root) if root.is_dir() else file.name)] = file.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                raise InputError(f"protected works: {file} is not UTF-8 text", hint="convert it to UTF-8") from None
        if not works:
            raise InputError(f"protected works: no text files in {root}", hint="add .txt files of the works")
        return cls(works)

    def overlaps(self, text: str, min_words: int) -> list[Overlap]:
        """The longest verbatim passage the text shares with each work, if it has at least ``min_words`` words."""
        words, spans = _words(text)
        best: dict[int, tuple[int, int, int]] = {}  # work -> (length, first word in text, last word)
        covered_until = -1
        for i in range(0, len(words) - SHINGLE + 1, STRIDE):
            if i <= covered_until:
                continue
            for w, j in self.index.get(hash(tuple(words[i : i + SHINGLE])), ()):
                ref = self.words[w]
                if ref[j : j + SHINGLE] != words[i : i + SHINGLE]:
                    continue  # a hash collision
                a, b = i, j
                while a > 0 and b > 0 and words[a - 1] == ref[b - 1]:
                    a, b = a - 1, b - 1
                end_t, end_r = i + SHINGLE, j + SHINGLE
                while end_t < len(words) and end_r < len(ref) and words[end_t] == ref[end_r]:
                    end_t, end_r = end_t + 1, end_r + 1
                if end_t - a > best.get(w, (0, 0, 0))[0]:
                    best[w] = (end_t - a, a, end_t - 1)
                covered_until = max(covered_until, end_t - SHINGLE)
        return [
            Overlap(self.names[w], length, spans[first][0], spans[last][1])
            for w, (length, first, last) in sorted(best.items())
            if length >= min_words
        ]

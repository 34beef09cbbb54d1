"""The languages of one record: pieces identified one by one, then a vote weighted by characters.

Each piece (see :mod:`.segment`) gets a language, a confidence and a script. Pieces whose confidence reaches the
threshold vote for their BCP-47 tag with their length; the others do not vote. A record is of unknown language
("und") when less than ``min_classified`` of its characters voted: its best guess (the tag most of its characters
leaned to, confident or not) is kept for the reader. Otherwise every tag holding at least ``min_share`` of the
record's characters is one of its languages (the largest one always is); two or more make the record "mixed".
Votes go to tags, so a record with Serbian paragraphs in Cyrillic and in Latin script lists ``sr-Cyrl`` and
``sr-Latn``.
Characters not attributed to a reported language (pieces below the threshold, languages below ``min_share``) are
counted as unknown characters, so a corpus's language characters and unknown characters add up to its size.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from .codes import bcp47
from .identify import Backend
from .scripts import dominant_script, resolve_script
from .segment import Segmentation


class Share(NamedTuple):
    """One language of a record: its tag, code and script, the characters attributed to it and their mean
    confidence."""

    tag: str
    code: str
    script: str | None
    chars: int
    score: float


@dataclass(slots=True)
class RecordLanguages:
    chars: int
    languages: tuple[Share, ...] = ()  # largest first; empty when the record's language is unknown
    best_guess: Share | None = None  # what an unknown record leaned to, if anything
    script: str | None = None  # the record's dominant script (for unknown records)

    @property
    def unknown(self) -> bool:
        return not self.languages

    @property
    def mixed(self) -> bool:
        return len(self.languages) >= 2

    @property
    def unknown_chars(self) -> int:
        return self.chars - sum(s.chars for s in self.languages)

    @property
    def top(self) -> Share | None:
        """The record's main language, or its best guess when unknown."""
        return self.languages[0] if self.languages else self.best_guess


@dataclass
class _Tally:
    code: str
    script: str | None
    chars: int = 0
    weighted: float = 0.0

    def add(self, chars: int, confidence: float) -> None:
        self.chars += chars
        self.weighted += chars * confidence

    def share(self, tag: str) -> Share:
        return Share(tag, self.code, self.script, self.chars, self.weighted / self.chars if self.chars else 0.0)


@dataclass
class RecordClassifier:
    backend: Backend
    threshold: float = 0.5
    min_share: float = 0.2
    min_classified: float = 0.5
    segmentation: Segmentation = field(default_factory=Segmentation)

    def classify(self, text: str | None) -> RecordLanguages:
        text = text or ""
        n = len(text)
        if not n or text.isspace():
            return RecordLanguages(n)
        if n < self.segmentation.short_record:
            return self._one(text, n)
        spans = self.segmentation.segments(text)
        if len(spans) == 1:  # most records: one piece, no vote
            return self._one(text, n)
        voted: dict[str, _Tally] = {}
        leaned: dict[str, _Tally] = {}
        classified = 0
        scripts: dict[str | None, int] = {}
        for a, b in spans:
            piece = text[a:b]
            script = dominant_script(piece)
            scripts[script] = scripts.get(script, 0) + (b - a)
            code, confidence, han = self.backend.identify(piece)
            if code is None:
                continue
            script = resolve_script(code, script, han)
            tag = bcp47(code, script)
            leaned.setdefault(tag, _Tally(code, script)).add(b - a, confidence)
            if confidence >= self.threshold:
                voted.setdefault(tag, _Tally(code, script)).add(b - a, confidence)
                classified += b - a
        if classified < self.min_classified * n:
            best = max(leaned.items(), key=lambda kv: (kv[1].chars, kv[1].weighted, kv[0]), default=None)
            record_script = max(scripts.items(), key=lambda kv: (kv[1], kv[0] or ""))[0] if scripts else None
            return RecordLanguages(n, (), best[1].share(best[0]) if best else None, record_script)
        ranked = sorted(voted.items(), key=lambda kv: (-kv[1].chars, -kv[1].weighted, kv[0]))
        kept = [tally.share(tag) for tag, tally in ranked if tally.chars >= self.min_share * n] or [
            ranked[0][1].share(ranked[0][0])
        ]
        return RecordLanguages(n, tuple(kept), None, kept[0].script)

    def _one(self, text: str, n: int) -> RecordLanguages:
        script = dominant_script(text)
        code, confidence, han = self.backend.identify(text)
        if code is None:
            return RecordLanguages(n, (), None, script)
        script = resolve_script(code, script, han)
        share = Share(bcp47(code, script), code, script, n, confidence)
        if confidence >= self.threshold:
            return RecordLanguages(n, (share,), None, script)
        return RecordLanguages(n, (), share, script)

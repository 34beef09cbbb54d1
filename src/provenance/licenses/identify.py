"""Which licence is this text? Fingerprints of licence texts, matched against ScanCode's reference texts.

The ``ip`` scanner sees web pages, code and documents, nearly all of which hold no licence at all, so the design is
"cheap to say no, careful to say yes":

* **Reference texts** come from the installed ``licensedcode-data`` package (ScanCode LicenseDB, CC-BY-4.0): one per
  licence, deprecated, generic and "unknown" entries left out. The index is built from the package on first use in a
  process (about a second; see ``LicenseIndex.build_seconds``) and shared after that: nothing is downloaded or cached
  on disk, so the index can never be staler than the installed package.
* **Fingerprints** are hashed 5-grams of normalised words: lower case, British "licence" spelt as "license", and
  markup, URLs, copyright statements and list markers blanked out (on both sides), so a reflowed Markdown or HTML
  copy with the copyright line filled in still matches. Blanking keeps every character's offset, so a match's
  ``start``/``end`` point into the caller's own string.
* **Saying no cheaply.** A text without any word that licence texts use (``license``, ``copyright``, ``warranty``,
  ...) is rejected by one regular-expression search; a text whose fingerprints hit fewer than a licence's worth of
  references stops after one array lookup.
* **Saying yes carefully.** A reference is a candidate only if at least ``MIN_COVERAGE`` of its fingerprints occur
  in the text. Each candidate's matched region is the densest stretch of its fingerprints (a maximum-sum segment),
  and it is accepted only if it covers enough of the reference (``coverage``) and the reference explains enough of
  the region (``explained``). Candidates that claim the same region are ranked by how much of the text they
  explain minus how much of the reference is missing, so near-identical licences are told apart: an MIT text
  also contains most of MIT-0 (which drops a clause), but MIT-0 explains less of it; an MIT-0 text lacks a clause
  of MIT, which costs MIT the tie. The same rule separates BSD-2/3-Clause/3-Clause-Clear, GPL-2.0/3.0, CC BY/BY-SA
  and the ``-only``/``-or-later`` pairs (ScanCode's ``gpl-3.0-plus`` text is the licence plus the "or any later
  version" notice, so a bare GPL text is ``GPL-3.0-only``, ScanCode's convention for it).
* **Several licences in one text** (dual-licensed files, a licence plus an exception) give several matches whose
  regions do not overlap; a text quoting a sentence of a licence, or a README saying "MIT licensed", gives none.

Matches name licences by SPDX id when SPDX has one, else by ScanCode's ``LicenseRef-scancode-<key>``.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
import tracemalloc
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path
from typing import ClassVar, Literal

import numpy as np

SHINGLE = 5
"""Words per fingerprint: long enough that shared boilerplate rarely collides, short enough to survive edits."""
MIN_COVERAGE = 0.8
"""Fraction of a reference's fingerprints a text must hold (ScanCode's own ``minimum_coverage`` raises it)."""
MIN_EXPLAINED = 0.8
"""Fraction of a matched region's fingerprints the reference must account for."""
MIN_REFERENCE_SHINGLES = 15
"""References shorter than this (one-line notices, bare names) are too easy to hit by chance to be named."""
MAX_CANDIDATES = 40
GAP_PENALTY = 1.0
"""Weight of an unmatched position when choosing a region: regions are kept where matches are at least this dense."""

_P = np.uint64(0x100000001B3)  # FNV prime: odd, so the polynomial mixes every word of the window
_EMPTY_U64 = np.zeros(0, dtype=np.uint64)

# Blanked before tokenising, on reference and text alike (both lower-cased first). Each pattern is something that
# varies between copies of the same licence without changing which licence it is; each starts with a literal, so
# the regex engine scans for it quickly, and runs only when a substring test says it can match.
_TAG = re.compile(r"<[^<>\n]{0,200}>")  # HTML tags, <autolinks>, <placeholders>
_ENTITY = re.compile(r"&(?:[a-z]{2,8}|#[0-9]{1,5}|#x[0-9a-f]{1,4});")
_URL = re.compile(r"://[^\s<>()\[\]\"'`]+|www\.[^\s<>()\[\]\"'`]+")  # the scheme before :// is blanked too
_COPYRIGHT = (  # copyright statements, to the end of the line
    ("copyright", re.compile(r"copyright[ \t]*(?:\(c\)|©|[0-9]{4}|[\[<{]|by\b|:)[^\n]{0,100}")),
    ("(c)", re.compile(r"\(c\)[ \t]*(?:[0-9]{4}|[\[<{])[^\n]{0,100}")),
    ("©", re.compile(r"©[ \t]*(?:[0-9]{4}|[\[<{]|by\b)?[^\n]{0,100}")),
)
_LIST_MARKER = r"[ \t>]*(?:[-*+•]|\(?(?:[0-9]{1,2}|[a-z]|[ivx]{1,4})[.)])(?=[ \t])"
_LIST = re.compile("\n" + _LIST_MARKER)
_FIRST_LIST = re.compile(_LIST_MARKER)
_SCHEME = re.compile(r"[a-z]{1,8}$")
_WORD = re.compile(r"[^\W_]+")
_RUN = re.compile(r"[^\W_]+|[\W_]+")
# Substrings every commonly met licence text holds at least one of; a text with none of them is not looked at.
# ``LicenseIndex.unanchored`` lists the few indexed licences (mostly one-paragraph notices) this prefilter misses.
ANCHORS = ("licen", "lizenz", "copyright", "warrant", "liabl", "permission", "public domain", "redistribut", "patent")
_SPELLINGS = {"licence": "license", "licences": "licenses", "licenced": "licensed", "licencing": "licensing"}

MatchKind = Literal["text"]


@dataclass(frozen=True, slots=True)
class LicenseMatch:
    """One licence found in a text.

    ``spdx`` is the SPDX id (``LicenseRef-scancode-<key>`` for licences SPDX does not list); ``start``/``end`` are
    character offsets of the matched region in the text given to ``identify``; ``coverage`` is the fraction of the
    reference's fingerprints found in that region and ``explained`` the fraction of the region's fingerprints the
    reference accounts for; ``score`` is their product, 1.0 for a verbatim copy.
    """

    spdx: str
    scancode_key: str
    name: str
    kind: MatchKind
    start: int
    end: int
    coverage: float
    explained: float
    score: float


@dataclass(frozen=True, slots=True)
class Reference:
    key: str
    spdx: str
    name: str
    is_exception: bool
    min_coverage: float


@dataclass(frozen=True, slots=True)
class _Region:
    ref: int
    first: int  # first and last shingle position (inclusive)
    last: int
    coverage: float
    explained: float
    rank: float


def licensedcode_root() -> Path:
    """The ``data`` folder of the installed licensedcode-data package."""
    import licensedcode

    return Path(next(iter(licensedcode.__path__))) / "data"


def _front_matter(text: str) -> tuple[dict[str, str], str]:
    """Top-level ``key: value`` pairs of a ScanCode data file and its body; a full YAML parse costs 10x more."""
    if not text.startswith("---"):
        return {}, text
    end = text.find("\n---", 3)
    if end < 0:
        return {}, text
    fields: dict[str, str] = {}
    for line in text[4:end].splitlines():
        if line and not line[0].isspace() and ":" in line:
            name, _, value = line.partition(":")
            fields[name.strip()] = value.strip().strip("'\"")
    body_start = text.find("\n", end + 4)
    return fields, text[body_start + 1 :] if body_start >= 0 else ""


def load_references(root: Path | None = None) -> Iterator[tuple[Reference, str]]:
    """Every licence in the package that can be named from its text, with that text."""
    folder = (root or licensedcode_root()) / "licenses"
    for path in sorted(folder.glob("*.LICENSE")):
        fields, body = _front_matter(path.read_text(encoding="utf-8"))
        yes = {name for name, value in fields.items() if value == "yes"}
        if yes & {"is_deprecated", "is_generic", "is_unknown"} or not body.strip():
            continue
        key = fields.get("key", path.stem)
        minimum = float(fields.get("minimum_coverage") or 0) / 100
        ref = Reference(
            key=key,
            spdx=fields.get("spdx_license_key") or f"LicenseRef-scancode-{key}",
            name=fields.get("name", key),
            is_exception="is_exception" in yes,
            min_coverage=max(MIN_COVERAGE, min(minimum, 0.95)),
        )
        yield ref, body


def _lower(text: str) -> str:
    """Lower case with one character per character, so offsets into the result are offsets into ``text``."""
    low = text.lower()
    if len(low) == len(text):
        return low
    low = text.replace("\u0130", "i").lower()  # dotted capital I, the one letter that lower-cases to two
    if len(low) == len(text):
        return low
    return "".join(ch if len(ch.lower()) != 1 else ch.lower() for ch in text)


def _has_anchor(low: str) -> bool:
    return any(anchor in low for anchor in ANCHORS)


def _blank(low: str) -> str:
    """``low`` with markup, URLs, copyright statements and list markers replaced by spaces (offsets unchanged)."""
    spans: list[tuple[int, int]] = []
    if "<" in low:
        spans += [m.span() for m in _TAG.finditer(low)]
    if "&" in low:
        spans += [m.span() for m in _ENTITY.finditer(low)]
    if "://" in low or "www." in low:
        for m in _URL.finditer(low):
            scheme = _SCHEME.search(low, max(0, m.start() - 8), m.start()) if low[m.start()] == ":" else None
            spans.append((scheme.start() if scheme else m.start(), m.end()))
    for literal, pattern in _COPYRIGHT:
        if literal in low:
            spans += [m.span() for m in pattern.finditer(low)]
    spans += [m.span() for m in _LIST.finditer(low)]
    first = _FIRST_LIST.match(low)
    if first:
        spans.append(first.span())
    if not spans:
        return low
    spans.sort()
    pieces: list[str] = []
    done = 0
    for start, end in spans:
        if end <= done:
            continue
        start = max(start, done)
        pieces += [low[done:start], " " * (end - start)]
        done = end
    pieces.append(low[done:])
    return "".join(pieces)


def words(text: str) -> list[str]:
    """The normalised words fingerprints are made of (exposed for tests and for debugging a miss)."""
    return _WORD.findall(_blank(_lower(text)))


def _word_offsets(blanked: str) -> tuple[np.ndarray, np.ndarray]:
    """Start and end offsets of the words of a blanked text, from the lengths of its alternating word and non-word
    runs (no match objects: this runs on every text that holds a licence)."""
    runs = _RUN.findall(blanked)
    bounds = np.cumsum(np.fromiter(map(len, runs), dtype=np.int64, count=len(runs)))
    first_word = 0 if runs and _WORD.match(runs[0]) else 1
    ends = bounds[first_word::2]
    starts = ends - np.fromiter(map(len, runs[first_word::2]), dtype=np.int64, count=len(ends))
    return starts, ends


def _word_hash(word: str) -> int:
    return int.from_bytes(hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest(), "little") | 1


def _shingles(values: np.ndarray) -> np.ndarray:
    """Polynomial hash of every window of ``SHINGLE`` word values; windows holding an unknown word (0) hash to 0."""
    n = len(values) - SHINGLE + 1
    if n <= 0:
        return _EMPTY_U64
    out = values[:n].copy()
    for k in range(1, SHINGLE):
        out *= _P
        out += values[k : k + n]
    unknown = values == 0
    if unknown.any():
        out[np.convolve(unknown, np.ones(SHINGLE, dtype=bool), mode="valid")] = 0
    return out


class LicenseIndex:
    """Inverted index of reference-text fingerprints. Build once per process with ``LicenseIndex.get()``."""

    _shared: ClassVar[LicenseIndex | None] = None
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, references: list[tuple[Reference, str]]) -> None:
        started = time.perf_counter()
        self.references = [ref for ref, _ in references]
        self._vocab: dict[str, int] = {}
        per_ref: list[np.ndarray] = []
        for _, body in references:
            per_ref.append(np.unique(self._hash_text(body, grow=True)))
        for variant, canonical in _SPELLINGS.items():
            self._vocab[variant] = self._vocab[canonical] = _word_hash(canonical)
        per_ref = [h[h != 0] for h in per_ref]
        sizes = np.array([len(h) for h in per_ref], dtype=np.int64)
        owners = np.repeat(np.arange(len(per_ref), dtype=np.int32), sizes)
        everything = np.concatenate(per_ref) if per_ref else _EMPTY_U64
        # Fingerprints are renumbered 0..U-1 in hash order; references and postings then hold small integers.
        self._hashes, ids = np.unique(everything, return_inverse=True)
        ids = ids.astype(np.int32)
        order = np.argsort(ids, kind="stable")
        self._post_refs = owners[order]
        self._post_ptr = np.searchsorted(ids[order], np.arange(len(self._hashes) + 1)).astype(np.int64)
        self._ref_ptr = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
        self._ref_ids = ids  # per reference, ids ascending because hashes were unique and sorted per reference
        self._sizes = sizes
        self._min_coverage = np.array([r.min_coverage for r in self.references])
        self._eligible = sizes >= MIN_REFERENCE_SHINGLES
        self._licenseref = np.array([r.spdx.startswith("LicenseRef-") for r in self.references])
        self.unanchored = [
            ref.key for (ref, body), ok in zip(references, self._eligible) if ok and not _has_anchor(_lower(body))
        ]
        self.build_seconds = time.perf_counter() - started
        self.build_peak_bytes = 0

    @classmethod
    def get(cls) -> LicenseIndex:
        """The process-wide index, built from the installed licensedcode-data on first call (thread-safe)."""
        if cls._shared is None:
            with cls._lock:
                if cls._shared is None:
                    cls._shared = cls.from_package()
        return cls._shared

    @classmethod
    def from_package(cls, root: Path | None = None, *, measure_memory: bool = False) -> LicenseIndex:
        """A fresh index from the package's reference texts; ``measure_memory`` records the build's peak in bytes."""
        started = time.perf_counter()
        if measure_memory:
            tracemalloc.start()
        index = cls(list(load_references(root)))
        if measure_memory:
            index.build_peak_bytes = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        index.build_seconds = time.perf_counter() - started
        return index

    @property
    def nbytes(self) -> int:
        """Memory held by the index's arrays (the vocabulary dict of ~60k words comes on top)."""
        arrays = (self._hashes, self._post_refs, self._post_ptr, self._ref_ptr, self._ref_ids, self._sizes)
        return sum(a.nbytes for a in arrays)

    def _hash_text(self, text: str, grow: bool = False) -> np.ndarray:
        return self._hash_tokens(words(text), grow)

    def _hash_tokens(self, tokens: list[str], grow: bool = False) -> np.ndarray:
        vocab = self._vocab
        if grow:
            for token in tokens:
                if token not in vocab:
                    vocab[token] = _word_hash(_SPELLINGS.get(token, token))
        values = np.fromiter(map(vocab.get, tokens, repeat(0)), dtype=np.uint64, count=len(tokens))
        return _shingles(values)

    def reference(self, key: str) -> Reference:
        """A reference by ScanCode key (KeyError if the index does not hold it)."""
        for ref in self.references:
            if ref.key == key:
                return ref
        raise KeyError(key)

    def identify(self, text: str) -> list[LicenseMatch]:
        """The licences whose full text appears in ``text``, in order of position; empty for anything else."""
        if len(text) < 60:
            return []
        low = _lower(text)
        if not _has_anchor(low):
            return []
        blanked = _blank(low)
        hashes = self._hash_tokens(_WORD.findall(blanked))
        if len(hashes) < MIN_REFERENCE_SHINGLES:
            return []
        slot = np.searchsorted(self._hashes, hashes)
        slot[slot == len(self._hashes)] = 0
        hit = (self._hashes[slot] == hashes) & (hashes != 0)
        if np.count_nonzero(hit) < MIN_REFERENCE_SHINGLES:
            return []
        uid = np.where(hit, slot, -1)
        candidates = self._candidates(np.unique(uid[hit]))
        if not len(candidates):
            return []
        scratch = np.zeros(len(self._hashes), dtype=bool)
        regions = [r for ref in candidates for r in self._regions(int(ref), uid, scratch)]
        chosen = self._resolve(regions)
        if not chosen:
            return []
        starts, ends = _word_offsets(blanked)
        return [self._to_match(r, starts, ends) for r in sorted(chosen, key=lambda r: r.first)]

    def _candidates(self, found: np.ndarray) -> np.ndarray:
        """References holding at least their minimum coverage of the text's distinct fingerprints, best first."""
        starts = self._post_ptr[found]
        lengths = self._post_ptr[found + 1] - starts
        total = int(lengths.sum())
        gather = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths) + np.arange(total)
        shared = np.bincount(self._post_refs[gather], minlength=len(self.references))
        ok = self._eligible & (shared >= self._min_coverage * self._sizes)
        refs = np.flatnonzero(ok)
        return refs[np.argsort(-shared[refs], kind="stable")][:MAX_CANDIDATES]

    def _regions(self, ref: int, uid: np.ndarray, scratch: np.ndarray, limit: int = 4) -> list[_Region]:
        """Accepted regions of one reference: densest stretch first, then again with it masked (repeated copies).

        ``scratch`` is an all-False mask over fingerprint ids, lent by the caller and handed back all-False.
        """
        mine = self._ref_ids[self._ref_ptr[ref] : self._ref_ptr[ref + 1]]
        scratch[mine] = True
        inside = scratch[uid] & (uid >= 0)
        scratch[mine] = False
        size = int(self._sizes[ref])
        needed = self._min_coverage[ref] * size
        out: list[_Region] = []
        for _ in range(limit):
            if np.count_nonzero(inside) < needed:
                break
            first, last = _densest(inside)
            span = inside[first : last + 1]
            matched = int(np.count_nonzero(span))
            ids = uid[first : last + 1][span]
            scratch[ids] = True
            covered = int(np.count_nonzero(scratch[mine]))
            scratch[ids] = False
            coverage = covered / size
            explained = matched / (last - first + 1)
            if covered < needed or explained < MIN_EXPLAINED:
                break
            rank = covered - (size - covered) - (last - first + 1 - matched)
            out.append(_Region(ref, first, last, coverage, explained, float(rank)))
            inside = inside.copy()
            inside[first : last + 1] = False
        return out

    def _resolve(self, regions: list[_Region]) -> list[_Region]:
        """Best-explaining reference per stretch of text; a region mostly inside a better one is dropped."""
        order = sorted(regions, key=lambda r: (-r.rank, bool(self._licenseref[r.ref]), self.references[r.ref].key))
        chosen: list[_Region] = []
        for region in order:
            length = region.last - region.first + 1
            overlap = max((min(region.last, c.last) - max(region.first, c.first) + 1 for c in chosen), default=0)
            if overlap <= 0.3 * length:
                chosen.append(region)
        return chosen

    def _to_match(self, region: _Region, starts: np.ndarray, ends: np.ndarray) -> LicenseMatch:
        ref = self.references[region.ref]
        last_word = min(region.last + SHINGLE - 1, len(ends) - 1)
        return LicenseMatch(
            spdx=ref.spdx,
            scancode_key=ref.key,
            name=ref.name,
            kind="text",
            start=int(starts[region.first]),
            end=int(ends[last_word]),
            coverage=round(region.coverage, 4),
            explained=round(region.explained, 4),
            score=round(region.coverage * region.explained, 4),
        )


def _densest(inside: np.ndarray) -> tuple[int, int]:
    """Inclusive bounds of the maximum-sum segment, counting a match +1 and a miss -GAP_PENALTY."""
    gains = np.where(inside, 1.0, -GAP_PENALTY)
    running = np.concatenate(([0.0], np.cumsum(gains)))
    lowest = np.minimum.accumulate(running)
    end = int(np.argmax(running - lowest))  # segment is [start, end)
    start = end - int(np.argmin(running[end::-1]))  # the last lowest point before end: no leading misses
    return start, max(start, end - 1)


def identify(text: str) -> list[LicenseMatch]:
    """The licences whose full text appears in ``text``, using the process-wide index (built on first call)."""
    return LicenseIndex.get().identify(text)

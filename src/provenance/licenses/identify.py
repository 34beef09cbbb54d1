"""Which licence is this text? Fingerprints of licence texts and notices, matched against ScanCode's references.

The ``ip`` scanner sees web pages, code and documents, nearly all of which hold no licence at all, so the design is
"cheap to say no, careful to say yes" -- a wrong licence is worse than none:

* **References** come from the installed ``licensedcode-data`` package (ScanCode LicenseDB, CC-BY-4.0): each licence's
  text (deprecated, generic and "unknown" entries left out), ScanCode's alternative full texts of it (rules marked
  ``is_license_text``) and its licence notices (``is_license_notice``, as source headers carry them). The index is
  built from the package on first use in a process (2-4 s, ``LicenseIndex.build_seconds``) and shared after that;
  nothing is downloaded or written to disk, so it can never be staler than the installed package.
* **Fingerprints** are hashed 5-grams of normalised words: lower case, "licence" spelt "license", and markup (also
  escaped), URLs, copyright statements (with their year lists) and list markers blanked out on both sides, so a
  reflowed Markdown, HTML or comment-block copy with its copyright line filled in still matches. Blanking keeps
  every character's offset, so ``start``/``end`` point into the caller's own string.
* **Saying no cheaply.** A text holding none of ``ANCHORS`` (``licen``, ``copyright``, ``warrant``, ...) is dismissed
  by substring tests; one whose fingerprints hit too few references stops after one sorted array lookup.
* **Saying yes carefully.** A reference is a candidate only if ``MIN_COVERAGE`` of its fingerprints occur in the text.
  Its region is the densest stretch of them (a maximum-sum segment, widened over small gaps), and it is named only
  if the region covers enough of it (``coverage``), holds its version numbers ("version 2" vs "version 3" is one
  word and a different licence), and is explained by it (``explained``) without a long unexplained run: a licence
  with an added clause (a modified Apache or MPL) is not named, nor is a near-variant or a small licence quoted
  inside it. Regions claiming the same text are ranked by what they explain minus what the reference misses, so
  near-identical licences are told apart: an MIT text holds most of MIT-0 (MIT less a clause) but MIT explains more
  of it; an MIT-0 text lacks a clause of MIT, which costs MIT the tie. The same separates BSD-2/3-Clause/
  3-Clause-Clear, GPL-2.0/3.0, CC BY/BY-SA, the full Apache text from the Apache notice (the notice sits inside the
  text, which explains more), and ``-only``/``-or-later``: a bare GPL text is ``GPL-3.0-only`` (ScanCode's
  convention; the text alone does not say), the text with the "or any later version" notice ``GPL-3.0-or-later``.
* **Several licences in one text** (dual licensing, a licence plus an exception, a NOTICE file with twenty MIT
  copies) give one match per region; a text quoting a sentence of a licence, or saying "MIT licensed", gives none.

Matches name licences by SPDX id when SPDX has one, else ScanCode's ``LicenseRef-scancode-<key>``; a notice of
several licences is named by an SPDX expression (``BSD-3-Clause OR Apache-2.0``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
import threading
import time
from collections import Counter
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
"""References verified per text, most promising first."""
PER_LICENCE = 4
"""At most this many of them from one licence, so one licence's many variant texts cannot crowd out a second one."""
MAX_REPEATS = 4
"""Regions looked for per reference within one stretch of text (copies of a licence are split apart first)."""
BRIDGE = 2 * SHINGLE
"""A region is widened over gaps of at most this many unmatched fingerprints at its edges."""
MAX_INSERTION = 16
"""Longest run of fingerprints a matched region may hold that its reference does not explain. A changed word costs
5 (every window holding it), a filled-in name or reworded phrase up to ~12; an added clause of a dozen words or
more is a modified licence, which must not be named as the original."""
GAP_PENALTY = 1.0
"""Weight of an unmatched position when choosing a region: regions are kept where matches are at least this dense."""

_P = np.uint64(0x100000001B3)  # FNV prime: odd, so the polynomial mixes every word of the window
_EMPTY_U64 = np.zeros(0, dtype=np.uint64)

# Blanked before tokenising, on reference and text alike (both lower-cased first). Each pattern is something that
# varies between copies of the same licence without changing which licence it is; each starts with a literal, so
# the regex engine scans for it quickly, and runs only when a substring test says it can match.
# HTML tags, <autolinks>, <placeholders> (also escaped, and wrapped over lines as in a comment block)
_TAG = re.compile(r"<[^<>]{0,300}>|&lt;(?:[^&<>]|&(?!gt;)){0,300}&gt;")
_ENTITY = re.compile(r"&(?:[a-z]{2,8}|#[0-9]{1,5}|#x[0-9a-f]{1,4});")
_URL = re.compile(r"://[^\s<>()\[\]\"'`]+|www\.[^\s<>()\[\]\"'`]+")  # the scheme before :// is blanked too
# a list of years, then to the end of the line or of the sentence, whichever comes first
_END = r"[0-9,;\s\-–]*(?:[^\n.]|\.(?=\S)){0,100}"
_COPYRIGHT = (  # copyright statements: who holds it varies, the licence does not
    # "Copyright" may end a line of a comment block and "(C) 2001 ..." start the next
    (
        "copyright",
        re.compile(r"copyright(?:[ \t]|\n[ \t*#/;>!-]*)*(?:\(c\)|©|[0-9]{4}|[\[<{]|by\b|:)" + _END),
    ),
    ("(c)", re.compile(r"\(c\)[ \t]*(?:[0-9]{4}|[\[<{])" + _END)),
    ("©", re.compile(r"©" + _END)),
)
# bullets, "1.", "1.5.1", "(a)", "iv)" at the start of a line: numbering schemes differ between copies
_LIST_MARKER = r"[ \t>]*(?:[-*+•]|\(?[0-9]{1,2}(?:\.[0-9]{1,2})+[.)]?|\(?(?:[0-9]{1,2}|[a-z]|[ivx]{1,4})[.)])(?=[ \t])"
_LIST = re.compile("\n" + _LIST_MARKER)
_FIRST_LIST = re.compile(_LIST_MARKER)
_SCHEME = re.compile(r"[a-z]{1,8}$")
_EXPRESSION_TOKEN = re.compile(r"[()]|[^\s()]+")
_VERSION_WORDS = frozenset({"version", "versions", "v", "ver"})
_WORD = re.compile(r"[^\W_]+")
_RUN = re.compile(r"[^\W_]+|[\W_]+")
# Substrings every commonly met licence text holds at least one of; a text with none of them is not looked at.
# ``LicenseIndex.unanchored`` lists the few indexed licences (mostly one-paragraph notices) this prefilter misses.
ANCHORS = ("licen", "lizenz", "copyright", "warrant", "liabl", "permission", "public domain", "redistribut", "patent")
_SPELLINGS = {"licence": "license", "licences": "licenses", "licenced": "licensed", "licencing": "licensing"}

MatchKind = Literal["text", "notice"]


@dataclass(frozen=True, slots=True)
class LicenseMatch:
    """One licence found in a text.

    ``spdx`` is the SPDX id (``LicenseRef-scancode-<key>`` for licences SPDX does not list; an SPDX expression for a
    notice of several licences) and ``scancode_key`` ScanCode's key (or expression); ``kind`` is ``"text"`` for a
    licence's full text and ``"notice"`` for a notice that applies it ("Licensed under the Apache License, Version
    2.0 ..."). ``start``/``end`` are character offsets of the matched region in the text given to ``identify``;
    ``coverage`` is the fraction of the reference's fingerprints found there, ``explained`` the fraction of the
    region's fingerprints the reference accounts for, and ``score`` their product, 1.0 for a verbatim copy.
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
    origin: str  # the package file the text comes from
    kind: MatchKind = "text"


@dataclass(frozen=True, slots=True)
class _Region:
    ref: int
    first: int  # first and last shingle position (inclusive)
    last: int
    coverage: float
    explained: float
    rank: float
    modified: bool = False
    gap: tuple[int, int] = (0, -1)  # the widest run the reference does not explain


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


def load_references(
    root: Path | None = None, *, rules: bool = True, notices: bool = True
) -> list[tuple[Reference, str]]:
    """Every licence in the package that can be named from its text, with that text.

    With ``rules``, also ScanCode's alternative full texts of those licences (rules marked ``is_license_text``: "the
    author" for "the copyright holders", a clause reworded), which is how near-variants are recognised as the
    licence they are. With ``notices``, also its licence notices ("Licensed under the Apache License, Version
    2.0 ...", "This program is free software; ... either version 2 ..."): what source files carry instead of a
    licence text, and what a short licence that is a sentence of a longer notice must lose to.
    """
    root = root or licensedcode_root()
    licences: dict[str, tuple[Reference, str]] = {}
    parsed = [_front_matter(p.read_text(encoding="utf-8")) for p in sorted((root / "licenses").glob("*.LICENSE"))]
    spdx_ids = {f.get("spdx_license_key", "") for f, _ in parsed} - {""}
    for fields, body in parsed:
        yes = {name for name, value in fields.items() if value == "yes"}
        if yes & {"is_deprecated", "is_generic", "is_unknown"} or not body.strip() or "key" not in fields:
            continue
        key = fields["key"]
        spdx = fields.get("spdx_license_key") or f"LicenseRef-scancode-{key}"
        osi = fields.get("osi_license_key", "")
        if spdx.startswith("LicenseRef-") and osi in spdx_ids and not osi.startswith("LicenseRef-"):
            spdx = osi  # a translation OSI approves as the SPDX-listed licence (cecill-2.1-fr is CECILL-2.1)
        licences[key] = (
            Reference(
                key, spdx, fields.get("name", key), "is_exception" in yes, _min_coverage(fields), f"{key}.LICENSE"
            ),
            body,
        )
    out = list(licences.values())
    if rules or notices:
        out += _rules(root / "rules", licences, texts=rules, notices=notices)
    return out


def _min_coverage(fields: dict[str, str]) -> float:
    try:
        minimum = float(fields.get("minimum_coverage") or 0) / 100
    except ValueError:
        minimum = 0.0
    return max(MIN_COVERAGE, min(minimum, 0.95))


def _rules(
    folder: Path, licences: dict[str, tuple[Reference, str]], *, texts: bool, notices: bool
) -> list[tuple[Reference, str]]:
    """Rules that are a full text of one indexed licence, or a notice of indexed licences. The flags sit in the first
    lines of the front matter, so only those are read for the 20,000 other rules."""
    wanted = ([b"is_license_text: yes"] if texts else []) + ([b"is_license_notice: yes"] if notices else [])
    out = []
    for name in sorted(os.listdir(folder)):
        fd = os.open(os.path.join(folder, name), os.O_RDONLY)
        try:
            data = os.read(fd, 1024)
            if not any(flag in data for flag in wanted):
                continue
            while chunk := os.read(fd, 1 << 16):
                data += chunk
        finally:
            os.close(fd)
        fields, body = _front_matter(data.decode("utf-8"))
        expression = fields.get("license_expression", "")
        if len(body.split()) < MIN_REFERENCE_SHINGLES:  # cannot hold enough fingerprints to be named
            continue
        if "yes" in (fields.get("is_deprecated"), fields.get("is_false_positive")):
            continue
        if texts and fields.get("is_license_text") == "yes" and expression in licences:
            licence = licences[expression][0]
            out.append((dataclasses.replace(licence, min_coverage=_min_coverage(fields), origin=name), body))
        elif notices and fields.get("is_license_notice") == "yes":
            spdx = _expression_spdx(expression, licences)
            if spdx is not None:
                ref = Reference(expression, spdx, expression, False, _min_coverage(fields), name, "notice")
                out.append((ref, body))
    return out


def _expression_spdx(expression: str, licences: dict[str, tuple[Reference, str]]) -> str | None:
    """A ScanCode expression (``gpl-2.0-plus AND lgpl-2.1``) in SPDX ids; None if it names an unindexed licence."""
    out = []
    for token in _EXPRESSION_TOKEN.findall(expression):
        if token.lower() in ("and", "or", "with"):
            out.append(token.upper())
        elif token in "()":
            out.append(token)
        elif token in licences:
            out.append(licences[token][0].spdx)
        else:
            return None
    return " ".join(out).replace("( ", "(").replace(" )", ")") or None


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
    if "<" in low or "&lt;" in low:
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


_NUMBER_BIT, _VNUMBER_BIT = 2, 4


def _word_hash(word: str) -> int:
    """A word's random 64-bit value: never 0 (0 means unknown), with a bit saying whether it is a number ("2") or a
    v-number ("v3"), so version numbers are found in a text with array operations."""
    value = int.from_bytes(hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest(), "little") | 1
    value &= ~(_NUMBER_BIT | _VNUMBER_BIT)
    if word.isdigit():
        value |= _NUMBER_BIT
    elif word[:1] == "v" and word[1:].isdigit():
        value |= _VNUMBER_BIT
    return value


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


def _postings(per_ref: list[np.ndarray], sizes: np.ndarray) -> tuple[np.ndarray, ...]:
    """Distinct fingerprints (ascending), the references holding each (CSR: ``refs[ptr[i]:ptr[i + 1]]``), and each
    reference's fingerprints renumbered 0..U-1 in hash order, so postings and references hold small integers.
    Intermediate arrays are dropped as soon as they are used: the build's peak memory is set here."""
    owners = np.repeat(np.arange(len(per_ref), dtype=np.int32), sizes)
    everything = np.concatenate(per_ref) if per_ref else _EMPTY_U64
    order = np.argsort(everything, kind="stable")  # stable: postings keep reference order
    ordered = everything[order]
    total = len(everything)
    del everything
    new = np.ones(total, dtype=bool)
    np.not_equal(ordered[1:], ordered[:-1], out=new[1:])
    hashes = ordered[new]
    del ordered
    post_refs = owners[order]
    del owners
    post_ptr = np.append(np.flatnonzero(new), total).astype(np.int64)
    ids = np.empty(total, dtype=np.int32)
    ids[order] = np.cumsum(new, dtype=np.int32) - 1
    return hashes, post_refs, post_ptr, ids


class LicenseIndex:
    """Inverted index of reference-text fingerprints. Build once per process with ``LicenseIndex.get()``."""

    _shared: ClassVar[LicenseIndex | None] = None
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, references: list[tuple[Reference, str]]) -> None:
        started = time.perf_counter()
        self._vocab: dict[str, int] = {}
        kept: list[Reference] = []
        per_ref: list[np.ndarray] = []
        per_pos: list[np.ndarray] = []
        per_version: list[np.ndarray] = []
        seen: set[tuple[str, bytes]] = set()  # (key, digest of the fingerprints)
        unanchored: set[str] = set()
        for ref, body in references:
            tokens = words(body)
            self._grow(tokens)
            values = self._values(tokens)
            raw = _shingles(values)
            hashes, where, counts = np.unique(raw, return_index=True, return_counts=True)
            known = hashes != 0
            hashes = hashes[known]
            if len(hashes) < MIN_REFERENCE_SHINGLES:  # too short to name (see MIN_REFERENCE_SHINGLES)
                continue
            fingerprint = (ref.key, hashlib.blake2b(hashes.tobytes(), digest_size=16).digest())
            if fingerprint in seen:  # many rules repeat a licence's text with other line breaks
                continue
            seen.add(fingerprint)
            kept.append(ref)
            per_ref.append(hashes)
            per_pos.append(np.where(counts[known] == 1, where[known], -1).astype(np.int32))
            per_version.append(_members(hashes, raw[self._version_windows(values, len(raw))]))
            if ref.kind == "text" and not _has_anchor(_lower(body)):
                unanchored.add(ref.key)
        for variant, canonical in _SPELLINGS.items():
            self._vocab[variant] = self._vocab[canonical] = _word_hash(canonical)
        self.references = kept
        self.unanchored = sorted(unanchored)  # licences whose text holds none of ANCHORS: never looked for
        sizes = np.array([len(h) for h in per_ref], dtype=np.int64)
        self._hashes, self._post_refs, self._post_ptr, ids = _postings(per_ref, sizes)
        del per_ref
        self._ref_ids = ids  # per reference ascending: each reference's hashes were unique and sorted
        # where each fingerprint sits in its reference (-1 if it occurs there twice): tells copies apart
        self._ref_pos = np.concatenate(per_pos) if per_pos else np.zeros(0, dtype=np.int32)
        # fingerprints holding a version number ("version 2", "v3"): GPL-2.0 and GPL-1.0 notices differ by one word
        self._ref_version = np.concatenate(per_version) if per_version else np.zeros(0, dtype=bool)
        self._ref_ptr = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
        self._sizes = sizes
        self._min_coverage = np.array([r.min_coverage for r in kept])
        self._licenseref = np.array([r.spdx.startswith("LicenseRef-") for r in kept])
        keys = {key: n for n, key in enumerate(dict.fromkeys(r.key for r in kept))}
        self._licence = np.array([keys[r.key] for r in kept], dtype=np.int32)
        self.build_seconds = time.perf_counter() - started

    @classmethod
    def get(cls) -> LicenseIndex:
        """The process-wide index, built from the installed licensedcode-data on first call (thread-safe)."""
        if cls._shared is None:
            with cls._lock:
                if cls._shared is None:
                    cls._shared = cls.from_package()
        return cls._shared

    @classmethod
    def from_package(cls, root: Path | None = None) -> LicenseIndex:
        """A fresh index from the package's references (``get`` shares one; this is for measuring and tests)."""
        started = time.perf_counter()
        index = cls(load_references(root))
        index.build_seconds = time.perf_counter() - started  # reading the package included
        return index

    @property
    def nbytes(self) -> int:
        """Memory held by the index's arrays (the vocabulary dict of ~20k words comes on top)."""
        arrays = (self._hashes, self._post_refs, self._post_ptr, self._ref_ptr, self._ref_ids, self._ref_pos)
        return sum(a.nbytes for a in arrays)

    def _hash_text(self, text: str) -> np.ndarray:
        return self._hash_tokens(words(text))

    def _hash_tokens(self, tokens: list[str]) -> np.ndarray:
        return _shingles(self._values(tokens))

    def _values(self, tokens: list[str]) -> np.ndarray:
        """Each word's random 64-bit value; 0 for a word no reference uses."""
        return np.fromiter(map(self._vocab.get, tokens, repeat(0)), dtype=np.uint64, count=len(tokens))

    def _grow(self, tokens: list[str]) -> None:
        """Give the reference words not seen yet their values."""
        for token in set(tokens).difference(self._vocab):
            self._vocab[token] = _word_hash(_SPELLINGS.get(token, token))

    def _version_windows(self, values: np.ndarray, windows: int) -> np.ndarray:
        """Indexes of the fingerprint windows that hold a version number (a number after "version", or "v2")."""
        after_word = np.zeros(len(values), dtype=bool)
        for word in _VERSION_WORDS:
            after_word[1:] |= values[:-1] == self._vocab.get(word, 0)
        number = (values & np.uint64(_NUMBER_BIT)) != 0
        at = np.flatnonzero((after_word & number) | ((values & np.uint64(_VNUMBER_BIT)) != 0))
        spread = (at[:, None] - np.arange(SHINGLE)[None, :]).ravel()
        return spread[(spread >= 0) & (spread < windows)]

    def identify(self, text: str, *, notices: bool = True) -> list[LicenseMatch]:
        """The licence texts and notices in ``text``, in order of position; empty for anything else.

        With ``notices=False`` only full licence texts are returned; notices are still matched, so a notice keeps a
        small licence quoted inside it from being named.
        """
        if len(text) < 60:
            return []
        low = _lower(text)
        if not _has_anchor(low):
            return []
        blanked = _blank(low)
        hashes = self._hash_tokens(_WORD.findall(blanked))
        if len(hashes) < MIN_REFERENCE_SHINGLES:
            return []
        slot = self._lookup(hashes)
        hit = (self._hashes[slot] == hashes) & (hashes != 0)
        if np.count_nonzero(hit) < MIN_REFERENCE_SHINGLES:
            return []
        uid = np.where(hit, slot, -1)
        candidates = self._candidates(np.unique(uid[hit]))
        if not len(candidates):
            return []
        scratch = np.zeros(len(self._hashes), dtype=bool)
        regions = [r for ref in candidates for r in self._regions(int(ref), uid, scratch)]
        chosen = [r for r in self._resolve(regions) if notices or self.references[r.ref].kind == "text"]
        if not chosen:
            return []
        starts, ends = _word_offsets(blanked)
        return [self._to_match(r, starts, ends) for r in sorted(chosen, key=lambda r: r.first)]

    def _lookup(self, hashes: np.ndarray) -> np.ndarray:
        """Where each hash would sit in the index; sorted queries walk the table in order, 2-3x faster."""
        order = np.argsort(hashes)
        slot = np.empty(len(hashes), dtype=np.int64)
        slot[order] = np.searchsorted(self._hashes, hashes[order])
        slot[slot == len(self._hashes)] = 0
        return slot

    def _candidates(self, found: np.ndarray) -> list[int]:
        """References holding at least their minimum coverage of the text's distinct fingerprints, most promising
        first, at most ``PER_LICENCE`` texts of one licence (so a licence with 50 variant texts cannot crowd out
        a second licence in the same text)."""
        starts = self._post_ptr[found]
        lengths = self._post_ptr[found + 1] - starts
        total = int(lengths.sum())
        gather = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths) + np.arange(total)
        shared = np.bincount(self._post_refs[gather], minlength=len(self.references))
        refs = np.flatnonzero(shared >= self._min_coverage * self._sizes)
        promise = 2 * shared[refs] - self._sizes[refs]  # found minus missing: what the final rank rewards
        taken: Counter[int] = Counter()
        out: list[int] = []
        for ref in refs[np.argsort(-promise, kind="stable")].tolist():
            licence = int(self._licence[ref])
            if taken[licence] < PER_LICENCE:
                taken[licence] += 1
                out.append(ref)
                if len(out) == MAX_CANDIDATES:
                    break
        return out

    def _regions(self, ref: int, uid: np.ndarray, scratch: np.ndarray) -> list[_Region]:
        """Regions of one reference: each copy of it in the text, densest stretch first.

        A region that covers enough of the reference but holds a run of text the reference does not explain longer
        than ``MAX_INSERTION`` is kept as ``modified``: a clause was added (a modified Apache or MPL), so naming the
        licence would be wrong, and so would naming a near-variant over the added clause. ``scratch`` is an
        all-False mask over fingerprint ids, lent by the caller and handed back all-False.
        """
        lo, hi = self._ref_ptr[ref], self._ref_ptr[ref + 1]
        mine = self._ref_ids[lo:hi]
        scratch[mine] = True
        inside = scratch[uid] & (uid >= 0)
        scratch[mine] = False
        size = int(self._sizes[ref])
        needed = self._min_coverage[ref] * size
        if np.count_nonzero(inside) < needed:
            return []
        out: list[_Region] = []
        versions = mine[self._ref_version[lo:hi]]
        for first, last in self._copies(inside, uid, mine, self._ref_pos[lo:hi]):
            segment = inside.copy()
            segment[:first] = False
            segment[last + 1 :] = False
            for _ in range(MAX_REPEATS):
                if np.count_nonzero(segment) < needed:
                    break
                region = self._measure(ref, uid, segment, mine, versions, scratch)
                if region is None:
                    break
                out.append(region)
                segment[region.first : region.last + 1] = False
        return out

    def _copies(
        self, inside: np.ndarray, uid: np.ndarray, mine: np.ndarray, ref_pos: np.ndarray
    ) -> list[tuple[int, int]]:
        """Stretches of the text holding one copy each: a new copy starts where the text goes back to an earlier part
        of the reference. Only looked for when the text repeats the reference's fingerprints (a NOTICE file with
        twenty MIT licences), so one copy with a stray phrase out of order is never cut in two."""
        at = np.flatnonzero(inside)
        if len(at) <= 1.2 * len(mine):  # too few matches for the text to hold the reference twice
            return [(0, len(inside) - 1)]
        where = ref_pos[np.searchsorted(mine, uid[at])]
        unique = where >= 0
        at, where = at[unique], where[unique]
        if len(at) - len(np.unique(uid[at])) <= 0.2 * len(mine):
            return [(0, len(inside) - 1)]
        jump = max(4 * SHINGLE, len(mine) // 4)
        positions = where.tolist()
        cuts = [0]
        top = -1
        for k, w in enumerate(positions):
            # a jump back that the next few fingerprints confirm: one stray phrase does not start a copy
            if w < top - jump and sorted(positions[k : k + 5])[len(positions[k : k + 5]) // 2] < top - jump:
                cuts.append(k)
                top = w
            else:
                top = max(top, w)
        edges = [int(at[c]) for c in cuts[1:]]
        return list(zip([0, *edges], [*(e - 1 for e in edges), len(inside) - 1], strict=True))

    def _measure(
        self,
        ref: int,
        uid: np.ndarray,
        inside: np.ndarray,
        mine: np.ndarray,
        versions: np.ndarray,
        scratch: np.ndarray,
    ) -> _Region | None:
        """The densest stretch of ``inside``, if it covers enough of the reference and holds at least half of its
        version-number fingerprints (a one-word difference that changes the licence). It is ``modified`` when the
        reference explains too little of it, or leaves a long run of it unexplained: then it is never named, but it
        keeps a near-variant or a licence quoted inside it from being named in its place.
        """
        size = int(self._sizes[ref])
        first, last = _bridged(inside, *_densest(inside))
        at = np.flatnonzero(inside[first : last + 1])
        ids = uid[first : last + 1][at]
        scratch[ids] = True
        covered = int(np.count_nonzero(scratch[mine]))
        versions_found = int(np.count_nonzero(scratch[versions]))
        scratch[ids] = False
        if versions_found * 2 < len(versions):
            return None
        length = last - first + 1
        explained = len(at) / length
        if covered < self._min_coverage[ref] * size:
            return None
        gaps = np.diff(at) - 1
        widest = int(np.argmax(gaps)) if len(gaps) else 0
        gap = (first + int(at[widest]) + 1, first + int(at[widest + 1]) - 1) if len(gaps) else (first, first - 1)
        # the licence is there but with text it does not explain: an added clause, or several -- not nameable
        modified = gap[1] - gap[0] + 1 > MAX_INSERTION or explained < MIN_EXPLAINED
        rank = covered - (size - covered) - (length - len(at))
        return _Region(ref, first, last, covered / size, explained, float(rank), modified, gap)

    def _resolve(self, regions: list[_Region]) -> list[_Region]:
        """Best-explaining reference per stretch of text, best first: a region mostly inside a better one is dropped,
        and so is one spanning the added clause of a better-ranked modified licence. A modified region claims only
        its added clause: a clean copy of another text beside it (a history preamble, then the PSF licence) stands.
        Modified regions are left out of the answer once they have blocked what they should."""
        order = sorted(regions, key=lambda r: (-r.rank, bool(self._licenseref[r.ref]), self.references[r.ref].key))
        chosen: list[_Region] = []
        for region in order:
            length = region.last - region.first + 1
            if any(_blocks(c, region, length) for c in chosen):
                continue
            chosen.append(region)
        return [r for r in chosen if not r.modified]

    def _to_match(self, region: _Region, starts: np.ndarray, ends: np.ndarray) -> LicenseMatch:
        ref = self.references[region.ref]
        last_word = min(region.last + SHINGLE - 1, len(ends) - 1)
        return LicenseMatch(
            spdx=ref.spdx,
            scancode_key=ref.key,
            name=ref.name,
            kind=ref.kind,
            start=int(starts[region.first]),
            end=int(ends[last_word]),
            coverage=round(region.coverage, 4),
            explained=round(region.explained, 4),
            score=round(region.coverage * region.explained, 4),
        )


def _members(sorted_values: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Which of ``sorted_values`` (ascending, unique) occur in ``wanted``."""
    out = np.zeros(len(sorted_values), dtype=bool)
    if len(sorted_values) and len(wanted):
        at = np.minimum(np.searchsorted(sorted_values, wanted), len(sorted_values) - 1)
        out[at[sorted_values[at] == wanted]] = True
    return out


def _blocks(better: _Region, region: _Region, length: int) -> bool:
    """Whether a better-ranked region keeps ``region`` (``length`` positions) from being named."""
    overlap = min(region.last, better.last) - max(region.first, better.first) + 1
    if not better.modified:
        return overlap > 0.3 * length
    spans_insertion = region.first <= better.gap[0] and better.gap[1] <= region.last
    # a fragment of the modified text (a warranty clause that is also a small licence) is not named either
    fragment = overlap > 0.3 * length and length < 0.5 * (better.last - better.first + 1)
    return spans_insertion or fragment


def _bridged(inside: np.ndarray, first: int, last: int) -> tuple[int, int]:
    """The region widened over gaps of at most ``BRIDGE`` misses on either side. The densest stretch drops an edge
    whose matches are fewer than the misses before them -- a title line "Version 2" cut off by a filled-in
    copyright line -- and the version number is exactly what must stay in."""
    hits = np.flatnonzero(inside)
    k = int(np.searchsorted(hits, first))
    while k > 0 and first - hits[k - 1] <= BRIDGE:
        k -= 1
        first = int(hits[k])
    k = int(np.searchsorted(hits, last, side="right"))
    while k < len(hits) and hits[k] - last <= BRIDGE:
        last = int(hits[k])
        k += 1
    return first, last


def _densest(inside: np.ndarray) -> tuple[int, int]:
    """Inclusive bounds of the maximum-sum segment, counting a match +1 and a miss -GAP_PENALTY."""
    gains = np.where(inside, 1.0, -GAP_PENALTY)
    running = np.concatenate(([0.0], np.cumsum(gains)))
    lowest = np.minimum.accumulate(running)
    end = int(np.argmax(running - lowest))  # segment is [start, end)
    start = end - int(np.argmin(running[end::-1]))  # the last lowest point before end: no leading misses
    return start, max(start, end - 1)


def identify(text: str, *, notices: bool = True) -> list[LicenseMatch]:
    """``LicenseIndex.identify`` with the process-wide index (built on first call)."""
    return LicenseIndex.get().identify(text, notices=notices)

"""What people write as a licence, read as SPDX, with a record of how it was read.

Sources manifests, dataset cards and audits write licences every way: SPDX ids in any case, Hugging Face ids
(``cc-by-nc-sa-4.0``, ``llama3``), names ("Apache License, Version 2.0", "GNU GPLv3"), abbreviations ("CC BY-SA 3.0"),
URLs, paraphrases ("Research Only") and free text. :func:`resolve_license` tries, in order, readings that cannot
be wrong (SPDX, a Hugging Face id, a URL whose path names the licence) and then readings from indexes (ScanCode's
names, the Creative Commons grammar, DPI's paraphrases); an expression such as "Apache 2 OR MIT" is read part by part.
The :class:`Resolution` says which reading answered, so a report can show it.

Nothing is guessed silently. Free text that no index reads becomes ``LicenseRef-custom-<slug>-<hash>`` with the
text kept; a missing version stays missing ("CC BY-SA" is ``LicenseRef-CC-BY-SA``). One thing is an error rather
than custom terms: a single token shaped like an id that is none (``Apache-2``, ``MTI``, ``MIT-ish``), or a broken
expression (``MIT OR``). In a sources manifest those are typos the user must fix, so the error suggests the fix.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from .cc import cc_from_text
from .hf import HF_LICENSES, hf_license
from .names import name_index, name_key
from .spdx import UNKNOWN, LicenseParseError, known_ids, spdx_expression, spdx_id
from .urls import looks_like_url, resolve_url

__all__ = ["HOW", "Resolution", "custom_ref", "resolve_license"]

# how a string was read, most direct first (an expression reports the least direct of its parts)
HOW = ("spdx", "hf-id", "url", "name", "paraphrase", "unknown", "custom")
CUSTOM_PREFIX = "LicenseRef-custom-"
_SLUG_MAX = 40
_NO_LICENCE = "no licence stated"
_UNKNOWN_WORDS = {
    **dict.fromkeys(
        ("unknown", "noassertion", "unspecified", "not specified", "unstated", "not stated", "?", "n/a", "none"),
        _NO_LICENCE,
    ),
    **dict.fromkeys(("unclear", "not clear", "license unknown", "license not specified"), _NO_LICENCE),
    **dict.fromkeys(("no license", "no license file"), "no licence stated (by default all rights are reserved)"),
    **dict.fromkeys(
        ("various", "multiple", "mixed", "various licenses", "multiple licenses", "mixed licenses"),
        "several licences, each for a part: none can be stated for the whole",
    ),
}
_UNDER = re.compile(
    r"(?i)\b(?:licen[cs]ed|released|distributed|made\s+available|available|provided|published)\s+under\s+"
    r"(?:the\s+terms\s+of\s+)?(?:the\s+|a\s+|an\s+)?(?P<name>.+?)[\s.]*$"
)
_URL_IN_TEXT = re.compile(r"(?i)\b(?:https?://|www\.)[^\s()<>\"']+")
_ID_SHAPED = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+]*")
_HYPHENATED_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9.]*(?:-[A-Za-z0-9.]+)+")
_OPERATORS = {"and": "AND", "or": "OR", "with": "WITH"}


@dataclass(frozen=True)
class Resolution:
    """How a licence string was read: the SPDX form, the string as written, which reading answered, and a note a
    report can print ("Hugging Face licence id 'llama3'", "only version of ODC-By", ...)."""

    spdx: str
    raw: str
    how: str  # one of HOW
    note: str = ""

    @property
    def custom(self) -> bool:
        return self.spdx.startswith(CUSTOM_PREFIX)


@dataclass(frozen=True)
class _Found:
    spdx: str
    how: str
    note: str = ""


def custom_ref(text: str) -> str:
    """The ``LicenseRef-custom-`` id of free text: a readable slug plus a hash of the whole (whitespace-collapsed)
    text, so two different texts never share an id however their slugs are cut."""
    norm = " ".join(text.split())
    ascii_text = unicodedata.normalize("NFKD", norm).encode("ascii", "ignore").decode().lower()
    slug = "-".join(re.findall(r"[a-z0-9]+", ascii_text))
    if len(slug) > _SLUG_MAX:
        slug = slug[:_SLUG_MAX].rsplit("-", 1)[0] if "-" in slug[:_SLUG_MAX] else slug[:_SLUG_MAX]
    digest = hashlib.sha256(norm.encode("utf-8")).hexdigest()[:12]
    return f"{CUSTOM_PREFIX}{slug}-{digest}" if slug else f"{CUSTOM_PREFIX}{digest}"


@lru_cache(maxsize=1)
def paraphrases() -> dict[str, str]:
    """name key -> id, from the packaged facts (spellings from the Data Provenance Collection, Apache-2.0)."""
    data = json.loads(resources.files("provenance").joinpath("data/license_paraphrases.json").read_text("utf-8"))
    return {name_key(spelling): spdx for spelling, spdx in data["paraphrases"].items()}


def _unknown_note(text: str) -> str | None:
    low = re.sub(r"[\s.!;:,]+$", "", " ".join(text.casefold().replace("licence", "license").split()))
    return _UNKNOWN_WORDS.get(low)


# ---- one licence --------------------------------------------------------------------------------------------------
def _read(text: str, loose: bool = True) -> _Found | None:
    """One licence (no operators), or None. ``loose`` also tries parts of the text: without its brackets, the name
    after "licensed under", the text beside a URL, an abbreviation in brackets."""
    text = " ".join(text.split())
    if not text:
        return None
    if (note := _unknown_note(text)) is not None:
        return _Found(UNKNOWN, "unknown", note)
    hf = hf_license(text)
    if hf and hf.startswith("LicenseRef-"):  # "gpl" is the GPL family on the Hub, not license-expression's GPL-1.0+
        return _Found(hf, "hf-id", f"Hugging Face licence id '{text.lower()}'")
    if found := spdx_expression(text):
        return _Found(found, "spdx", _deprecated_note(text, found))
    if hf:
        return _Found(hf, "hf-id", f"Hugging Face licence id '{text.lower()}'")
    if looks_like_url(text):
        found = resolve_url(text)
        return _Found(found, "url", "licence URL") if found else None
    single = " " not in text
    index = name_index()
    if single and ("-" in text or any(c.isdigit() for c in text)) and (found := index.keys.get(text.lower())):
        return _Found(found, "name", f"ScanCode LicenseDB key '{text.lower()}'")
    if "(" not in text and "[" not in text and (found := cc_from_text(text)):  # brackets: see _read_bracketless
        return _Found(
            found, "name", "Creative Commons name" + (", version not stated" if "LicenseRef" in found else "")
        )
    if single and _HYPHENATED_ID.fullmatch(text):
        return None  # written as an SPDX id, and not one: a typo to report, not a name to read loosely
    key = name_key(text)
    if found := index.names.get(key):
        return _Found(found, "name", "licence name (ScanCode LicenseDB, SPDX, Hugging Face)")
    if found := paraphrases().get(key):
        return _Found(found, "paraphrase", "a spelling recorded by the Data Provenance Initiative")
    return _read_parts(text) if loose else None


def _read_parts(text: str) -> _Found | None:
    """Readings of a part of the text that stands for the whole; each must be unambiguous on its own."""
    if found := _read_bracketless(text):
        return found
    if (m := _UNDER.search(text)) and (found := _read(m["name"], loose=False) or _read_bracketless(m["name"])):
        return _with_note(found, f"read from '{m['name']}'")
    urls = _URL_IN_TEXT.findall(text)
    if urls and not looks_like_url(text):
        rest = " ".join(_URL_IN_TEXT.sub(" ", text).split())
        by_url = {u for u in map(resolve_url, urls) if u}
        found = _read(rest, loose=False) if name_key(rest) else None
        if found and by_url <= {found.spdx}:
            return _with_note(found, f"read from '{rest}'" + (", and its URL agrees" if by_url else ""))
        if not found and not name_key(rest) and len(by_url) == 1:
            return _Found(by_url.pop(), "url", "licence URL in the text")
    for inner in re.findall(r"\(([^()]+)\)", text):
        outside = text.replace(f"({inner})", " ")
        if _initials(outside) == re.sub(r"[^a-z]", "", inner.lower()) and (found := _read(inner, loose=False)):
            return _with_note(found, f"read from the abbreviation '{inner}'")
    return None


def _read_bracketless(text: str) -> _Found | None:
    """The text without what is in brackets ("MIT License (MIT)", "CC-BY-NC 4.0 (Attr Non-Commercial Inter.)"),
    if every bracket only restates the licence: one that qualifies it ("(non-commercial use)" beside MIT,
    "(except images)") makes the text custom terms, not the licence outside the bracket."""
    inner = re.findall(r"\(([^()]*)\)|\[([^\[\]]*)\]", text)
    bare = " ".join(re.sub(r"\([^()]*\)|\[[^\[\]]*\]", " ", text).split())
    if not inner or not bare:
        return None
    found = _read(bare, loose=False)
    if found is None or not all(_restates(a or b, found.spdx) for a, b in inner):
        return None
    return _with_note(found, f"read from '{bare}'")


_QUALIFIERS = re.compile(
    r"(?i)\b(?:except\w*|exclud\w*|modified|modification\w*|not|without|but|however|plus|additional|unless|"
    r"prohibit\w*|restrict\w*|forbid\w*|must|may|terms|conditions?)\b"
)
# a restriction a bracket may restate, and what the licence read outside it must then be
_RESTATED = [
    (re.compile(r"(?i)\bnon[\s-]*commercial|\bnc\b"), re.compile(r"-NC\b|NonCommercial|AcademicResearchOnly")),
    (re.compile(r"(?i)\b(?:research|academic|educational)"), re.compile(r"AcademicResearchOnly")),
    (re.compile(r"(?i)\bshare[\s-]*alike|\bsa\b"), re.compile(r"-SA\b")),
    (re.compile(r"(?i)\bno[\s-]*deriv\w*|\bnd\b"), re.compile(r"-ND\b")),
]


def _restates(inner: str, spdx: str) -> bool:
    """Whether bracketed words only restate the licence (a URL, its abbreviation, words its terms already imply)."""
    inner = inner.strip()
    if not inner or looks_like_url(inner) or (_read(inner, loose=False) or _Found("", "")).spdx == spdx:
        return True
    for restriction, licence in _RESTATED:
        if restriction.search(inner):
            if not licence.search(spdx):
                return False
            inner = restriction.sub(" ", inner)
    return not _QUALIFIERS.search(inner)


def _initials(text: str) -> str:
    words = re.findall(r"[A-Za-z]+", text)
    return "".join(w[0].lower() for w in words if w.lower() not in {"of", "the", "and", "for", "license", "licence"})


def _with_note(found: _Found, note: str) -> _Found:
    """A reading of part of the text: at least a "name" reading, whatever read the part."""
    how = max(found.how, "name", key=HOW.index)
    return _Found(found.spdx, how, f"{found.note}; {note}" if found.note else note)


def _deprecated_note(text: str, spdx: str) -> str:
    written = " ".join(text.split())
    if written.lower() == spdx.lower() or " " in written:
        return ""
    return f"deprecated id '{written}' read as {spdx}"


# ---- expressions --------------------------------------------------------------------------------------------------
class _Malformed(Exception):
    pass


def _parse(tokens: list[str]) -> object:
    """SPDX precedence (WITH > AND > OR) over words; consecutive words are one licence name ("Apache 2")."""
    pos = 0

    def peek() -> str | None:
        return tokens[pos] if pos < len(tokens) else None

    def op() -> str | None:
        word = peek()
        return _OPERATORS.get(word.lower()) if word else None

    def name() -> str:
        nonlocal pos
        words = []
        while (word := peek()) is not None and word not in "()" and not op():
            words.append(word)
            pos += 1
        if not words:
            raise _Malformed
        return " ".join(words)

    def factor() -> object:
        nonlocal pos
        if peek() == "(":
            pos += 1
            inner = expression()
            if peek() != ")":
                raise _Malformed
            pos += 1
            return inner
        licence = name()
        if op() == "WITH":
            pos += 1
            return ("WITH", licence, name())
        return licence

    def chain(kind: str, part: Callable[[], object]) -> object:
        nonlocal pos
        parts = [part()]
        while op() == kind:
            pos += 1
            parts.append(part())
        return parts[0] if len(parts) == 1 else (kind, *parts)

    def term() -> object:
        return chain("AND", factor)

    def expression() -> object:
        return chain("OR", term)

    tree = expression()
    if pos != len(tokens):
        raise _Malformed
    return tree


def _names_in(tree: object) -> list[str]:
    if isinstance(tree, str):
        return [tree]
    assert isinstance(tree, tuple)
    if tree[0] == "WITH":
        return [tree[1]]
    return [n for part in tree[1:] for n in _names_in(part)]


def _render(tree: object, read: dict[str, _Found], top: bool = True) -> str | None:
    if isinstance(tree, str):
        return read[tree].spdx
    assert isinstance(tree, tuple)
    if tree[0] == "WITH":
        exception = spdx_id(tree[2]) or name_index().exceptions.get(name_key(tree[2]))
        return f"{read[tree[1]].spdx} WITH {exception}" if exception else None
    parts = [_render(part, read, top=False) for part in tree[1:]]
    if None in parts:
        return None
    joined = f" {tree[0]} ".join(p for p in parts if p)
    return joined if top else f"({joined})"


def _expression_like(tokens: list[str]) -> bool:
    """Every word an id or id-like: what an SPDX expression is made of, as opposed to prose."""
    words = [t for t in tokens if t not in "()" and t.lower() not in _OPERATORS]
    return all(_looks_like_id(w) or spdx_id(w) for w in words)


def _read_expression(text: str) -> _Found | None:
    tokens = re.findall(r"[()]|[^\s()]+", text)
    try:
        tree = _parse(tokens)
    except _Malformed:
        if _expression_like(tokens):
            raise LicenseParseError(f"'{text}' is not a valid licence expression") from None
        return None
    if isinstance(tree, str):
        return None  # a single licence, which _read could not read
    read = {name: found for name in _names_in(tree) if (found := _read(name)) and found.spdx != UNKNOWN}
    missing = [name for name in _names_in(tree) if name not in read]
    typos = [name for name in missing if " " not in name and _looks_like_id(name)]
    if typos:
        raise LicenseParseError(_unknown_id_message(typos))
    if missing:
        return None
    rendered = _render(tree, read)
    spdx = spdx_expression(rendered) if rendered else None
    if spdx is None:
        return None
    how = max((found.how for found in read.values()), key=HOW.index)
    parts = "; ".join(f"'{name}' as {found.spdx} ({found.how})" for name, found in read.items())
    return _Found(spdx, how, f"read part by part: {parts}")


# ---- typos --------------------------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _candidates() -> dict[str, str]:
    """Lower-cased ids a typo is compared with -> the id to suggest: SPDX ids, the ids they were once known by,
    and the Hugging Face ids that are not SPDX ids."""
    ids = known_ids()
    canonical = {spdx.lower(): spdx for spdx in ids.values()}
    return {**ids, **{hf: hf for hf in HF_LICENSES if hf not in ids}, **canonical}


@lru_cache(maxsize=1)
def _plain_candidates() -> dict[str, str]:
    """The ids that are plain words (MIT, Zlib, Unlicense): what a plain word can be a typo of."""
    return {low: spdx for low, spdx in _candidates().items() if re.fullmatch(r"[a-z]+", low)}


def _close(a: str, b: str) -> bool:
    """At most one edit apart, counting a swap of neighbours as one (MTI/MIT)."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) <= 1 or (len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]])
    short, long = sorted((a, b), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def suggestions(token: str, n: int = 3) -> list[str]:
    """Known ids the token is probably a typo of, best first."""
    low = token.lower()
    candidates = _candidates()
    family = sorted((c for c in candidates if c.startswith(low + "-")), reverse=True)  # newest version first
    # a plain word is compared with plain ids only: "research" is not a typo of "h-research"
    pool = candidates if re.search(r"[\d-]", low) else _plain_candidates()
    close = [c for c in pool if _close(low, c)] if len(low) <= 6 else []
    fuzzy = difflib.get_close_matches(low, pool, n=n, cutoff=0.8)
    ordered = [candidates[c] for c in [*family, *close, *fuzzy]]
    return list(dict.fromkeys(ordered))[:n]


def _looks_like_id(token: str) -> bool:
    """Shaped like an SPDX id (a hyphen or a digit), or a near miss of one ('MTI'), or a family without its
    version ('Apache'): the kind of token that is a mistyped id rather than a word of free text."""
    if not (_ID_SHAPED.fullmatch(token) or _HYPHENATED_ID.fullmatch(token)):
        return False
    if "-" in token or any(c.isdigit() for c in token):
        return True
    return bool(suggestions(token))


def _unknown_id_message(tokens: list[str]) -> str:
    parts = []
    for token in tokens:
        found = suggestions(token)
        parts.append(f"'{token}'" + (f" (did you mean {' or '.join(found)}?)" if found else ""))
    return f"unknown licence id {', '.join(parts)}"


# ---- the entry point ----------------------------------------------------------------------------------------------
@lru_cache(maxsize=8192)
def resolve_license(raw: str) -> Resolution:
    """Read ``raw`` as SPDX and say how (see the module docstring for the order). Raises
    :class:`~.spdx.LicenseParseError` for an empty string, a broken expression, or a mistyped id."""
    raw = str(raw)
    text = " ".join(raw.split())
    if not text:
        raise LicenseParseError("the licence is empty; write 'unknown' if nobody knows it")
    if text.count("(") != text.count(")") and _expression_like(re.findall(r"[()]|[^\s()]+", text)):
        raise LicenseParseError(f"'{text}' is not a valid licence expression (unbalanced brackets)")
    found = _read(text)
    if found is None and not looks_like_url(text):
        found = _read_expression(text)
    if found is None and " " not in text and _looks_like_id(text) and not looks_like_url(text):
        raise LicenseParseError(_unknown_id_message([text]))
    if found is None:
        return Resolution(
            custom_ref(text), raw, "custom", "not a licence the toolkit knows: kept as custom terms with the text"
        )
    return Resolution(found.spdx, raw, found.how, found.note)

"""SPDX expressions: the strict reading, and the public ``normalize_license`` built on :mod:`.resolve`.

`license-expression` carries the SPDX list offline and parses the boolean grammar (case-insensitively, mapping
deprecated ids to today's, e.g. ``GPL-3.0`` to ``GPL-3.0-only``). Here it is used strictly: an expression counts
only if every id in it is a known SPDX id or a ``LicenseRef-``. Everything people write that is not already SPDX
(names, Hugging Face ids, URLs, paraphrases, free text) is read by :func:`.resolve.resolve_license`, which says how.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pyarrow as pa
import pyarrow.compute as pc
from license_expression import Licensing, get_spdx_licensing

from ..models import License
from .refs import DOCUMENTED_REFS

UNKNOWN = "NOASSERTION"
LICENSE_REF = re.compile(r"^(?:DocumentRef-[A-Za-z0-9.-]+:)?LicenseRef-[A-Za-z0-9.+-]+$", re.IGNORECASE)
_REF_IN_EXPRESSION = re.compile(r"(?i)(?:DocumentRef-[A-Za-z0-9.-]+:)?LicenseRef-[A-Za-z0-9.+-]+")
_REFS_BY_LOWER = {ref.lower(): ref for ref in DOCUMENTED_REFS}


class LicenseParseError(ValueError):
    """The string is not a licence we can vouch for, and looks like a mistake the user should fix."""


@lru_cache(maxsize=1)
def _licensing() -> Licensing:
    return get_spdx_licensing()


def license_ref(text: str) -> str | None:
    """A ``LicenseRef-`` as written (prefix case fixed; a documented ref in its own case), or None."""
    if not LICENSE_REF.match(text):
        return None
    return _REFS_BY_LOWER.get(text.lower()) or _fix_license_ref_case(text)


@lru_cache(maxsize=8192)
def spdx_expression(text: str) -> str | None:
    """The canonical form of an SPDX expression whose every id is known (or a LicenseRef); None otherwise.

    LicenseRefs are kept as written (a documented one in its own case). license-expression would otherwise rewrite
    some (``LicenseRef-PublicDomain``, ``LicenseRef-GPL``) to ScanCode's ids, so they are hidden from it while it
    parses and put back after."""
    if ref := license_ref(text):
        return ref
    refs: list[str] = []

    def hide(m: re.Match[str]) -> str:
        refs.append(license_ref(m[0]) or m[0])
        return f"LicenseRef-provenance-kept-{len(refs) - 1}"

    hidden = _REF_IN_EXPRESSION.sub(hide, text)
    licensing = _licensing()
    try:
        parsed = licensing.parse(hidden, validate=False)
        if parsed is None:
            return None
        for symbol in licensing.license_symbols(parsed, decompose=True):
            if not (symbol.key.startswith("LicenseRef-") or symbol.key in licensing.known_symbols):
                return None
        # validate() maps every known id to its canonical case (and a deprecated one to today's)
        rendered = licensing.validate(parsed.render()).normalized_expression or parsed.render()
    except Exception:  # ExpressionError, and odd internal errors on some malformed input
        return None
    return re.sub(r"LicenseRef-provenance-kept-(\d+)", lambda m: refs[int(m[1])], rendered)


def spdx_id(text: str) -> str | None:
    """The canonical form of a single SPDX id (or LicenseRef), in any case; None if it is not one."""
    text = text.strip()
    if not text or any(c.isspace() for c in text):
        return None
    return spdx_expression(text)


@lru_cache(maxsize=1)
def known_ids() -> dict[str, str]:
    """Lower-cased SPDX ids (and the ids they were once known by) -> canonical id: what a typo is compared with."""
    out: dict[str, str] = {}
    for key, symbol in _licensing().known_symbols.items():
        if key.startswith("LicenseRef-"):
            continue
        for name in (key, *symbol.aliases):
            if not name.startswith("LicenseRef-"):
                out.setdefault(name.lower(), key)
    return out


def _fix_license_ref_case(expression: str) -> str:
    return re.sub(r"(?i)licenseref-", "LicenseRef-", re.sub(r"(?i)documentref-", "DocumentRef-", expression))


@lru_cache(maxsize=4096)
def normalize_license(raw: str) -> License:
    """The SPDX form of ``raw`` (see :func:`.resolve.resolve_license` for what is accepted and how); raises
    :class:`LicenseParseError` for an empty string, a malformed expression or a mistyped id, with a suggestion."""
    from .resolve import resolve_license

    return License(spdx=resolve_license(str(raw)).spdx, raw=str(raw))


def normalize_column(raw: pa.Array | pa.ChunkedArray) -> pa.Array:
    """SPDX forms of a column of licence strings: each distinct value is parsed once, unparseable ones become
    NOASSERTION (callers keep the raw column beside it), nulls stay null."""
    if raw.null_count == len(raw):
        return pa.nulls(len(raw), pa.string())
    encoded = pc.dictionary_encode(raw.combine_chunks() if isinstance(raw, pa.ChunkedArray) else raw)
    values = []
    for value in encoded.dictionary.to_pylist():
        try:
            values.append(normalize_license(value).spdx)
        except LicenseParseError:
            values.append(UNKNOWN)
    return pc.take(pa.array(values, pa.string()), encoded.indices)

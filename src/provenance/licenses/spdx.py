"""Turn a licence string into an SPDX expression, or say plainly that we cannot.

`license-expression` carries the SPDX list offline and parses the boolean grammar; we add the two things it does not:
``LicenseRef-`` ids for custom terms, and ``unknown`` for sources whose licence nobody knows. Nothing is guessed:
an unrecognised id is an error the caller reports with its location. (Names, URLs and Hugging Face ids come with
the licence issue.)
"""

from __future__ import annotations

import re
from functools import lru_cache

import pyarrow as pa
import pyarrow.compute as pc
from license_expression import ExpressionError, Licensing, get_spdx_licensing

from ..models import License

UNKNOWN = "NOASSERTION"
_UNKNOWN_WORDS = {"unknown", "noassertion", "unspecified", "not specified", "?"}
_LICENSE_REF = re.compile(r"^(?:DocumentRef-[A-Za-z0-9.-]+:)?LicenseRef-[A-Za-z0-9.-]+$", re.IGNORECASE)


class LicenseParseError(ValueError):
    """The string is not an SPDX expression we can vouch for."""


@lru_cache(maxsize=1)
def _licensing() -> Licensing:
    return get_spdx_licensing()


@lru_cache(maxsize=4096)
def normalize_license(raw: str) -> License:
    """Return the canonical SPDX form of ``raw``; raise :class:`LicenseParseError` saying which id is unknown."""
    text = " ".join(str(raw).split())
    if text.lower() in _UNKNOWN_WORDS:
        return License(spdx=UNKNOWN, raw=str(raw))
    if not text:
        raise LicenseParseError("the licence is empty; write 'unknown' if nobody knows it")
    licensing = _licensing()
    try:
        parsed = licensing.parse(text, validate=False)
    except ExpressionError as exc:
        raise LicenseParseError(f"'{raw}' is not a valid licence expression ({exc})") from None
    except Exception:  # the parser raises odd internal errors on some malformed input
        raise LicenseParseError(f"'{raw}' is not a valid licence expression") from None
    if parsed is None:
        raise LicenseParseError("the licence is empty; write 'unknown' if nobody knows it")
    unknown = []
    for symbol in licensing.license_symbols(parsed):
        key = symbol.key
        if _LICENSE_REF.match(key) or key in licensing.known_symbols:
            continue
        unknown.append(key)
    if unknown:
        raise LicenseParseError(f"unknown licence id(s): {', '.join(unknown)}")
    # validate() maps every known id to its canonical case; LicenseRef ids are kept as written.
    rendered = licensing.validate(parsed.render()).normalized_expression or parsed.render()
    return License(spdx=_fix_license_ref_case(rendered), raw=str(raw))


def _fix_license_ref_case(expression: str) -> str:
    return re.sub(r"(?i)licenseref-", "LicenseRef-", re.sub(r"(?i)documentref-", "DocumentRef-", expression))


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

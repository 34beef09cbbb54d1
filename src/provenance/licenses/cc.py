"""Creative Commons licences, however they are spelt: a small grammar instead of a list of spellings.

A CC licence is a set of elements (BY, NC, SA, ND), a version and sometimes a port (3.0 DE, 3.0 IGO), written as
"CC BY-NC-SA 4.0", "cc-by-nc-sa-4.0", "Creative Commons Attribution-NonCommercial-ShareAlike 4.0 International",
"Attribution-NonCommercial-ShareAlike 4.0 International" (the legal code's own title) or a creativecommons.org URL.
Every spelling is reduced to (elements, version, port) and accepted only if SPDX lists that licence. A missing
version gives the documented ``LicenseRef-CC-<elements>`` ("version not stated"), never a guessed one.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from license_expression import get_spdx_licensing

ELEMENT_NAMES = {"BY": "Attribution", "NC": "NonCommercial", "SA": "ShareAlike", "ND": "NoDerivatives"}
_ORDER = ("BY", "NC", "ND", "SA")
# multi-word spellings first, so "share alike" is one element and not an unknown word
_PHRASES = [
    (r"creative[\s-]*commons?", " cc "),
    (r"\bcc[\s-]*(?:0|zero)\b", " cc0 "),
    (r"\bshare[\s-]*alike\b", " sa "),
    (r"\bnon[\s-]*commercial\b", " nc "),
    (r"\bno[\s-]*deriv(?:ative|atives|s)?(?:[\s-]*works)?\b", " nd "),
    (r"\bpublic[\s-]*domain[\s-]*mark\b", " pdm "),
    (r"\bpublic[\s-]*domain[\s-]*dedication\b", " dedication "),
    (r"\b(?:united[\s-]*states|u\.s\.)", " us "),
    (r"\bengland(?:\s*(?:&|and)\s*wales)?\b|\bunited[\s-]*kingdom\b", " uk "),
]
_ELEMENT_WORDS = {"by": "BY", "attribution": "BY", "nc": "NC", "sa": "SA", "nd": "ND"}
_DECORATION = frozenset(
    {"international", "unported", "generic", "intl", "public", "license", "licence", "licensed", "legal", "code"}
    | {"legalcode", "deed", "the", "universal", "v", "version", "dedication", "unported"}
)
_PORTS = {"de": "DE", "germany": "DE", "at": "AT", "austria": "AT", "igo": "IGO", "nl": "NL", "netherlands": "NL"}
_PORTS |= {"us": "US", "au": "AU", "australia": "AU", "fr": "FR", "france": "FR", "uk": "UK", "jp": "JP"}
_PORTS |= {"japan": "JP", "es": "ES", "spain": "ES", "it": "IT", "italy": "IT", "ca": "CA", "canada": "CA"}
_CC_URL = re.compile(
    r"^creativecommons\.org/licen[cs]es/(?P<elements>[a-z-]+)(?:/(?P<version>\d(?:\.\d)?))?(?:/(?P<port>[a-z]{2,3}))?"
    r"(?:/(?:legalcode|deed)(?:\.[a-z_-]+)?)?$"
)


@lru_cache(maxsize=1)
def _spdx_ids() -> frozenset[str]:
    return frozenset(get_spdx_licensing().known_symbols)


def cc_id(elements: set[str], version: str | None, port: str | None = None) -> str | None:
    """The SPDX id (or the documented unversioned ref) of a CC licence; None if there is no such licence."""
    if not elements or ("SA" in elements and "ND" in elements):
        return None
    kind = "-".join(e for e in _ORDER if e in elements)
    if version is None:
        return f"LicenseRef-CC-{kind}" if "BY" in elements and port is None else None
    version = version if "." in version else f"{version}.0"
    spdx = f"CC-{kind}-{version}" + (f"-{port}" if port else "")
    return spdx if spdx in _spdx_ids() else None


def cc_from_text(text: str) -> str | None:
    """The CC licence a name or abbreviation spells; None unless every word is part of the grammar."""
    t = unicodedata.normalize("NFKC", text).casefold().replace("licence", "license")
    for pattern, replacement in _PHRASES:
        t = re.sub(pattern, replacement, t)
    t = re.sub(r"(?<!\d)\.|\.(?!\d)", " ", re.sub(r"[^a-z0-9.]+", " ", t))  # dots only inside versions
    words = t.split()
    cc = zero = pdm = False
    elements: set[str] = set()
    version: str | None = None
    port: str | None = None
    for word in words:
        if word == "cc":
            cc = True
        elif word == "cc0":
            zero = True
        elif word == "pdm":
            pdm = True
        elif word in _ELEMENT_WORDS:
            elements.add(_ELEMENT_WORDS[word])
        elif m := re.fullmatch(r"v?(\d)(\.\d)?", word):
            if version not in (None, m[1] + (m[2] or ".0")):
                return None
            version = m[1] + (m[2] or ".0")
        elif word in _PORTS and version is not None:
            port = _PORTS[word]
        elif word not in _DECORATION:
            return None
    if zero or pdm:
        if elements or port or version not in (None, "1.0"):
            return None
        return "CC0-1.0" if zero else "CC-PDM-1.0"  # each has a single version
    if not cc:
        # the legal code's own title, "Attribution-ShareAlike 4.0 International": only with the word and a version
        if "attribution" not in t or version is None:
            return None
    if not elements:
        return "LicenseRef-CC-unspecified" if version is None and port is None else None
    return cc_id(elements, version, port)


def cc_from_url(key: str) -> str | None:
    """The CC licence a creativecommons.org URL (as :func:`names.url_key` writes it) points at."""
    if not key.startswith("creativecommons.org/"):
        return None
    if m := _CC_URL.match(key):
        elements = {_ELEMENT_WORDS.get(e) for e in m["elements"].split("-")}
        if None in elements:
            return None
        port = m["port"].upper() if m["port"] else None
        return cc_id({e for e in elements if e}, m["version"], port)
    path = key.removeprefix("creativecommons.org/")
    if re.fullmatch(r"publicdomain/zero/1\.0(?:/(?:legalcode|deed)(?:\.[a-z_-]+)?)?", path):
        return "CC0-1.0"
    if re.fullmatch(r"publicdomain/mark/1\.0(?:/(?:deed)(?:\.[a-z_-]+)?)?", path):
        return "CC-PDM-1.0"
    if path in ("share-your-work/public-domain/cc0", "publicdomain/zero"):
        return "CC0-1.0"
    return None


def cc_name(spdx: str) -> str:
    """The licence's long name ("Creative Commons Attribution-ShareAlike 4.0 International"), for round trips."""
    m = re.fullmatch(r"CC-(?P<kind>[A-Z-]+?)-(?P<version>\d\.\d)(?:-(?P<port>[A-Z]+))?", spdx)
    if not m:
        raise ValueError(f"not a Creative Commons SPDX id: {spdx}")
    words = "-".join(ELEMENT_NAMES[e] for e in m["kind"].split("-"))
    where = m["port"] or {"4.0": "International", "3.0": "Unported"}.get(m["version"], "Generic")
    return f"Creative Commons {words} {m['version']} {where}"

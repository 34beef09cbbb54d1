"""Licence URLs: the sites whose paths spell the licence, then every URL ScanCode lists for a licence.

A URL is compared in the form :func:`names.url_key` gives it (no scheme, no ``www.``, no fragment or trailing slash,
no ``.html``/``.txt``), so ``http://www.gnu.org/licenses/gpl-3.0.html`` and ``gnu.org/licenses/gpl-3.0`` agree.
A URL ScanCode records for exactly one licence is that licence. Beyond those, Creative Commons, Open Data Commons,
CDLA, opensource.org, spdx.org, choosealicense.com, gnu.org and apache.org put the licence in the path, so a rule
reads it there. A URL that matches nothing (a repository's LICENSE file, a terms page) is not resolved here: the caller
treats it as custom terms.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .cc import cc_from_url
from .hf import hf_license
from .names import name_index, url_key
from .spdx import spdx_id

_ODC = {"by": "ODC-By-1.0", "odbl": "ODbL-1.0", "pddl": "PDDL-1.0"}  # each published in one version, 1.0


def looks_like_url(text: str) -> bool:
    """A single token with a scheme, or a host name followed by a path (``opensource.org/licenses/MIT``)."""
    if any(c.isspace() for c in text.strip()):
        return False
    if re.match(r"(?i)^(?:https?|ftp)://", text.strip()):
        return True
    key = url_key(text)
    return key is not None and ("/" in key or text.strip().lower().startswith("www."))


def _odc(m: re.Match[str]) -> str | None:
    return _ODC.get(m["kind"]) if m["version"] in (None, "1-0", "1.0") else None


def _gnu(m: re.Match[str]) -> str | None:
    name = m["name"].replace("fdl-", "gfdl-")
    return spdx_id(name) or name_index().keys.get(name)


_RULES: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str | None]]] = [
    (re.compile(r"^opendatacommons\.org/licenses/(?P<kind>by|odbl|pddl)(?:/(?P<version>1[-.]0))?(?:/.*)?$"), _odc),
    (
        re.compile(r"^cdla\.(?:dev|io)/(?P<kind>permissive|sharing)-(?P<major>\d)[-.](?P<minor>\d)$"),
        lambda m: spdx_id(f"CDLA-{m['kind']}-{m['major']}.{m['minor']}"),
    ),
    (
        re.compile(r"^(?:opensource\.org|spdx\.org|choosealicense\.com)/licen[cs]es?/(?P<id>[a-z0-9.+-]+)$"),
        lambda m: spdx_id(re.sub(r"(?:-license)?(?:\.json)?$", "", m["id"])),
    ),
    (re.compile(r"^gnu\.org/(?:licenses|copyleft)/(?:old-licenses/)?(?P<name>[a-z]+-\d\.\d)(?:-standalone)?$"), _gnu),
    (re.compile(r"^apache\.org/licenses/license-(?P<v>\d\.\d)$"), lambda m: spdx_id(f"Apache-{m['v']}")),
    (  # the Hub's licence filter: huggingface.co/datasets?license=license:cc-by-4.0
        re.compile(r"^huggingface\.co/(?:datasets|models|spaces)?\?(?:.*&)?license=license:(?P<id>[a-z0-9.+-]+)"),
        lambda m: hf_license(m["id"]),
    ),
]


def resolve_url(text: str) -> str | None:
    """The licence a URL names, or None."""
    key = url_key(text)
    if key is None:
        return None
    if found := name_index().urls.get(key):  # ScanCode's exact URL knows more (creativecommons.org/...legalcode.au)
        return found
    if found := cc_from_url(key):
        return found
    for pattern, read in _RULES:
        m = pattern.match(key)
        if m and (found := read(m)):
            return found
    return None

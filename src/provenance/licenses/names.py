"""Licence names, ids and URLs people write, indexed to SPDX from the installed ScanCode LicenseDB.

``licensedcode-data`` ships the front matter of 2,300 licences: the key, names, SPDX key and URLs of each. We read
only the front matter (the texts are the identifier's business), once per process, and index it three ways: by a
*name key* (case, punctuation, "licence"/"license", "v3"/"version 3.0" and "or later"/"+" folded, so "GNU GPLv3"
and "GNU General Public License 3.0" meet), by ScanCode key, and by URL. A key that names two different licences is
kept out: we would rather say "not resolved" than pick one.

Names come in tiers, and a lower tier cannot override a higher one: the toolkit's documented refs and the Hugging
Face list first (so "Llama 2" is our ``LicenseRef-Llama2``, not ScanCode's id for the same text), then SPDX ids,
then ScanCode's names. Unversioned names resolve only for licences that have exactly one version (ODC-By, ODbL,
PDDL, ...): for every other family a missing version is left unresolved, never filled in.
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote

from license_expression import get_spdx_licensing

from .hf import HF_LICENSES
from .refs import DOCUMENTED_REFS

# ScanCode licences that are the same terms as a documented ref of ours: the ref wins, so reports use one id.
SCANCODE_TO_REF = {
    "public-domain": "LicenseRef-PublicDomain",
    "llama-2-license-2023": "LicenseRef-Llama2",
    "bigscience-open-rail-m": "LicenseRef-BigScience-OpenRAIL-M",
    "bigcode-open-rail-m-v1": "LicenseRef-BigCode-OpenRAIL-M",
    "bigscience-rail-1.0": "LicenseRef-BigScience-BLOOM-RAIL-1.0",
}
# Licences published in exactly one version: their unversioned names are not ambiguous.
SINGLE_VERSION = frozenset(
    {"ODC-By-1.0", "ODbL-1.0", "PDDL-1.0", "C-UDA-1.0", "O-UDA-1.0", "CC0-1.0", "CDLA-Sharing-1.0", "BSL-1.0"}
)
# What people write for the documented refs, beyond the refs' own descriptions.
REF_NAMES: dict[str, tuple[str, ...]] = {
    "LicenseRef-PublicDomain": ("public domain", "in the public domain", "public domain work"),
    "LicenseRef-OpenRAIL++": ("OpenRAIL++-M", "Open RAIL++-M"),
    "LicenseRef-TermsOfService": ("terms of service", "terms of use"),
}
_SKIPPED_FLAGS = ("is_deprecated", "is_unknown", "is_generic")
_URL_FIELDS = ("text_urls", "other_urls", "homepage_url", "osi_url", "faq_url")
_STOP = frozenset({"the", "license", "licenses", "licensed", "version", "ver"})


# ---- keys -------------------------------------------------------------------------------------------------------
def name_key(text: str) -> str:
    """The form two spellings of one licence name share: 'GNU GPLv3' and 'GNU General Public License 3.0' differ
    only in words this drops, so both become 'gnu gpl 3.0' / 'gnu general public 3.0' and meet their index entries."""
    t = unicodedata.normalize("NFKC", text).casefold().replace("licence", "license").replace("++", " plusplus ")
    t = re.sub(r"\bor[\s-]+(?:any\s+)?later(?:\s+version)?\b|(?<=\d)\s*\+", " orlater ", t)
    t = re.sub(r"(?<=[a-z])v\.?(?=\d)|\bv(?:ersion)?\.?\s*(?=\d)", " ", t)  # gplv3, v3, version 3 -> 3
    t = re.sub(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z]{2})", " ", t)  # gpl3 -> gpl 3, 3clause -> 3 clause
    t = re.sub(r"(?<!\d)\.|\.(?!\d)", " ", t)  # keep dots only inside version numbers
    words = []
    for word in re.split(r"[^a-z0-9.]+", t):
        if not word or word in _STOP:
            continue
        if word.isdigit() and int(word) < 100:
            word += ".0"  # "Apache 2" is "Apache 2.0"; years (2023) stay as they are
        words.append(word)
    return " ".join(words)


def url_key(url: str) -> str | None:
    """The form two spellings of one URL share: %-escapes decoded, no scheme, no ``www.``, no fragment, no trailing
    slash or ``.html``/``.txt``, lower case, raw GitHub files as their ``blob`` page. None if it is not a URL."""
    u = unquote(url.strip().strip("<>\"'()[]")).casefold()
    u = re.sub(r"^[a-z][a-z0-9+.-]*://", "", u).split("#", 1)[0]
    u = re.sub(r"^www\d?\.", "", u)
    host, rest = re.match(r"([^/?]*)/?(.*)", u).groups()  # type: ignore[union-attr]
    host = host.rsplit("@", 1)[-1].split(":", 1)[0]
    if not re.fullmatch(r"(?:[a-z0-9-]+\.)+[a-z]{2,}", host):
        return None
    path, _, query = rest.partition("?")
    path = re.sub(r"(?:^|/)index\.(?:html?|php)$", "", path)
    path = re.sub(r"\.(?:html?|txt|php|shtml)$", "", path).strip("/")
    if host == "raw.githubusercontent.com":
        parts = path.split("/")
        if len(parts) >= 3:
            host, path = "github.com", "/".join([*parts[:2], "blob", *parts[2:]])
    return host + ("/" + path if path else "") + ("?" + query if query else "")


# ---- the ScanCode LicenseDB front matter --------------------------------------------------------------------------
def licensedcode_licenses() -> Path:
    import licensedcode

    return Path(next(iter(licensedcode.__path__))) / "data" / "licenses"


def front_matter(path: Path) -> dict[str, str | list[str]]:
    """The scalar and list fields of one ``.LICENSE`` file's YAML header. The header is flat (``key: value`` and
    ``- item`` lists), so a line reader is exact and ~10x faster than a YAML parser over 2,300 files."""
    fields: dict[str, str | list[str]] = {}
    current: list[str] | None = None
    with path.open(encoding="utf-8") as fh:
        if not fh.readline().startswith("---"):
            return fields
        for line in fh:
            if line.startswith("---"):
                break
            m = re.match(r"([a-z_]+):\s*(.*?)\s*$", line)
            if m:
                value = m[2].strip("'\"")
                if value:
                    fields[m[1]] = value
                    current = None
                else:
                    current = fields.setdefault(m[1], [])  # type: ignore[assignment]
            elif current is not None and line.lstrip().startswith("- "):
                current.append(line.strip()[2:].strip().strip("'\""))
    return fields


@dataclass(frozen=True)
class Entry:
    key: str
    spdx: str
    names: tuple[str, ...]
    spdx_keys: tuple[str, ...]
    urls: tuple[str, ...]
    exception: bool


def scancode_entries(folder: Path | None = None) -> Iterator[Entry]:
    """Every current (not deprecated, not a placeholder) ScanCode licence with an SPDX or LicenseRef key. A
    ``LicenseRef-scancode-`` key that SPDX has since listed is given as the SPDX id (license-expression knows)."""
    promoted = {
        alias: key
        for key, symbol in get_spdx_licensing().known_symbols.items()
        for alias in symbol.aliases
        if alias.startswith("LicenseRef-scancode-") and not key.startswith("LicenseRef-")
    }
    for path in sorted((folder or licensedcode_licenses()).glob("*.LICENSE")):
        f = front_matter(path)
        key, spdx = f.get("key"), f.get("spdx_license_key")
        if not isinstance(key, str) or not isinstance(spdx, str):
            continue
        if any(f.get(flag) == "yes" for flag in _SKIPPED_FLAGS) and key not in SCANCODE_TO_REF:
            continue
        names = tuple(v for k in ("name", "short_name") if isinstance(v := f.get(k), str))
        others = f.get("other_spdx_license_keys", [])
        others = [others] if isinstance(others, str) else others
        urls: list[str] = []
        for k in _URL_FIELDS:
            value = f.get(k)
            urls += [value] if isinstance(value, str) else list(value or [])
        yield Entry(
            key=key,
            spdx=SCANCODE_TO_REF.get(key, promoted.get(spdx, spdx)),
            names=names,
            spdx_keys=(spdx, *(o for o in others if not o.startswith("LicenseRef-"))),
            urls=tuple(urls),
            exception=f.get("is_exception") == "yes",
        )


# ---- the index ----------------------------------------------------------------------------------------------------
@dataclass
class _Tiered:
    """key -> id, where a key once claimed by a higher tier stays with it and a key two ids claim in one tier is
    dropped (and remembered as ambiguous)."""

    found: dict[str, str] = field(default_factory=dict)
    ambiguous: dict[str, set[str]] = field(default_factory=dict)

    def add_tier(self, pairs: Iterable[tuple[str, str]]) -> None:
        tier: dict[str, set[str]] = defaultdict(set)
        for key, spdx in pairs:
            if key and key not in self.found and key not in self.ambiguous:
                tier[key].add(spdx)
        for key, ids in tier.items():
            if len(ids) == 1:
                self.found[key] = next(iter(ids))
            else:
                self.ambiguous[key] = ids


@dataclass(frozen=True)
class NameIndex:
    names: dict[str, str]  # name key -> id
    keys: dict[str, str]  # ScanCode key (lower case) -> id
    urls: dict[str, str]  # url key -> id
    exceptions: dict[str, str]  # name key of a licence exception -> its SPDX id
    ambiguous: dict[str, tuple[str, ...]]  # name key -> the ids it could be (so never resolved)
    licences: int  # ScanCode licences read
    build_seconds: float


def _ref_names() -> Iterator[tuple[str, str]]:
    for ref, description in DOCUMENTED_REFS.items():
        yield name_key(ref.removeprefix("LicenseRef-")), ref
        yield name_key(re.split(r"[,(]", description, maxsplit=1)[0]), ref
        for name in REF_NAMES.get(ref, ()):
            yield name_key(name), ref
    for spdx, full_name in HF_LICENSES.values():
        if spdx != "NOASSERTION":
            yield name_key(full_name), spdx
            yield name_key(full_name.replace(" family", "")), spdx


def _spdx_names(known: Iterable[str]) -> Iterator[tuple[str, str]]:
    licensing = get_spdx_licensing()
    for spdx in known:
        symbol = licensing.known_symbols[spdx]
        for alias in (spdx, *symbol.aliases):
            if not alias.startswith("LicenseRef-"):
                yield name_key(alias), spdx


def _stems(pairs: Iterable[tuple[str, str]]) -> Iterator[tuple[str, str]]:
    for key, spdx in pairs:
        if spdx in SINGLE_VERSION:
            stem = re.sub(r" \d+\.\d+$", "", key)
            if stem != key:
                yield stem, spdx


def _names_licence(key: str, entry: Entry) -> bool:
    """Whether a URL ScanCode lists for a licence names that licence. A bare domain is a vendor's home page; an
    undated terms page (openai.com/policies/terms-of-use) is whatever the terms are today, not the dated snapshot
    ScanCode keeps (openai-tou-20230314)."""
    if "/" not in key:
        return False
    dated = re.search(r"-((?:19|20)\d\d)(?:-?\d\d){0,2}$", entry.key)
    return not (dated and entry.spdx.startswith("LicenseRef-scancode-") and dated[1] not in key)


@lru_cache(maxsize=1)
def name_index() -> NameIndex:
    """The process-wide index (built on first use, ~0.3 s)."""
    start = time.perf_counter()
    licensing = get_spdx_licensing()
    entries = list(scancode_entries())
    spdx_ids = [k for k, s in licensing.known_symbols.items() if not k.startswith("LicenseRef-") and not s.is_exception]
    licences = [e for e in entries if not e.exception]
    # (ScanCode keys are not names: "attribution" and "python" are keys, and words people write as free text)
    scancode = [(name_key(n), e.spdx) for e in licences for n in (*e.names, *e.spdx_keys)]
    names = _Tiered()
    names.add_tier(_ref_names())
    names.add_tier(_spdx_names(spdx_ids))
    names.add_tier(scancode)
    names.add_tier(_stems([*names.found.items(), *scancode]))
    exceptions = _Tiered()
    exceptions.add_tier((name_key(n), e.spdx) for e in entries if e.exception for n in (*e.names, *e.spdx_keys))
    exceptions.add_tier(_stems(exceptions.found.items()))
    urls = _Tiered()
    urls.add_tier((k, e.spdx) for e in licences for u in e.urls if (k := url_key(u)) and _names_licence(k, e))
    return NameIndex(
        names=names.found,
        keys={e.key.lower(): e.spdx for e in licences},
        urls=urls.found,
        exceptions=exceptions.found,
        ambiguous={k: tuple(sorted(v)) for k, v in names.ambiguous.items()},
        licences=len(entries),
        build_seconds=time.perf_counter() - start,
    )

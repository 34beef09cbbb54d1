"""Licences of known Hugging Face datasets, from the Data Provenance Collection.

The toolkit ships ``provenance/data/known_datasets.json.gz``, built by ``scripts/build_known_datasets.py`` from the
Data Provenance Collection (DPI, Apache-2.0): for every DPI entry that names a Hugging Face dataset, the licence
claims DPI recorded, the languages, the creator names and the URLs. It holds facts only, never DPI's prose.

A hub repository may be described by several DPI entries (``bigcode/commitpackft`` by 277, one per language;
``squad_v2`` by entries of three collections). :func:`lookup` returns one :class:`KnownDataset` for the repository
whose ``claims`` are every claim of every entry, each with ``where`` saying which DPI file, entry and field it came
from; the per-entry views are in ``KnownDataset.entries``. Nothing is merged away: when the sources disagree, every
claim stays available and :func:`most_restrictive` picks the one to honour.

Claims come from two places in DPI:

* ``audited``: the entry's ``Licenses`` list, checked by DPI's annotators (an ``Unspecified`` there is a claim:
  the annotators found no licence);
* ``inferred``: the licences DPI read off the Hugging Face card (``HF Yaml License``, ``HF Config License``), the GitHub
  repository (``GitHub License``) and Papers with Code (``PwC License Name``). An empty or ``Unspecified`` value there
  means that source states no licence, so it is not recorded as a claim.

``use`` is DPI's use category for the licence (``constants/license_classes.json``, or for ``Custom`` licences
``constants/custom_license_classes.json`` by the licence URL): ``commercial``, ``non-commercial``, ``academic-only``,
``unspecified`` (DPI found no licence) or ``unknown`` (DPI marks the use '?', or the licence is not in its taxonomy).

Nothing here downloads; the file is read lazily on the first lookup.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

__all__ = [
    "ATTRIBUTION",
    "DPI_REPOSITORY",
    "USE_ORDER",
    "KnownDataset",
    "LicenseClaim",
    "known_repo_ids",
    "lookup",
    "most_restrictive",
    "parse_repo_id",
    "registry_info",
    "restriction_key",
]

DATA_FILE = "data/known_datasets.json.gz"
DPI_REPOSITORY = "https://github.com/Data-Provenance-Initiative/Data-Provenance-Collection"

ATTRIBUTION = (
    "Known-dataset licence records are derived from the Data Provenance Collection by the Data Provenance "
    "Initiative (Longpre et al., 2023, 'The Data Provenance Initiative: A Large Scale Audit of Dataset Licensing & "
    f"Attribution in AI', arXiv:2310.16787), {DPI_REPOSITORY}, licensed under Apache-2.0. The registry keeps facts "
    "only (licence names, ids, languages, creator names, URLs). These are recorded licence claims, not legal advice."
)

# Use categories, most restrictive first. Unknown and unspecified come first on purpose: a licence nobody can name
# permits nothing we can rely on. Within a category, a claim that requires share-alike (or may: DPI's '?') is more
# restrictive than one that only requires attribution, which is more restrictive than one with no conditions, so
# among commercial claims the order is: share-alike > attribution-only > no conditions (public domain, CC0).
USE_ORDER: tuple[str, ...] = ("unknown", "unspecified", "academic-only", "non-commercial", "commercial")
_USE_RANK = {use: len(USE_ORDER) - i for i, use in enumerate(USE_ORDER)}

_HF_HOSTS = {"huggingface.co", "www.huggingface.co", "hf.co"}
# Path segments that follow <name> (not <org>/<name>) in a Hugging Face dataset URL.
_HF_SUBPAGES = {"viewer", "blob", "tree", "resolve", "raw", "discussions", "commits", "commit", "edit", "discussion"}
_REPO_PART = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


@dataclass(frozen=True)
class LicenseClaim:
    """One licence claim about a dataset, and where it was read."""

    license_spdx: str  # SPDX id, NOASSERTION, or LicenseRef-dpi-<slug> for names with no SPDX id
    license_raw: str  # the licence as DPI wrote it
    use: str  # one of USE_ORDER
    where: str  # e.g. "dpi data_summaries/Alpaca.json: alpaca Licenses[1] (source: GitHub)"
    attribution: bool | None = None  # DPI's attribution flag; None where DPI marks it '?' or has no class
    share_alike: bool | None = None  # DPI's share-alike flag; None likewise
    url: str | None = None  # the licence URL DPI recorded with an audited claim
    dpi_id: str = ""  # the DPI entry ("Unique Dataset Identifier") the claim belongs to
    kind: str = "audited"  # "audited" (Licenses) or "inferred" (HF card, GitHub, Papers with Code)
    spdx_via: str = ""  # how license_spdx was found: normalize_license, table, unmapped (LicenseRef), empty
    taxonomy: str | None = None  # the DPI constants file that gave `use` and the flags; None if none did

    @property
    def is_spdx(self) -> bool:
        """True when ``license_spdx`` is a real SPDX id (not NOASSERTION, not a LicenseRef)."""
        return self.license_spdx != "NOASSERTION" and "LicenseRef-" not in self.license_spdx


@dataclass(frozen=True)
class KnownDataset:
    """What DPI knows about one Hugging Face dataset repository.

    ``dpi_id`` and ``collection`` are set when one DPI entry (or one collection) describes the repository, and are
    None when several do; ``dpi_ids``, ``collections`` and ``entries`` always list all of them.
    """

    repo_ids: tuple[str, ...]
    name: str
    dpi_id: str | None
    collection: str | None
    claims: tuple[LicenseClaim, ...]
    languages: tuple[str, ...]
    creators: tuple[str, ...]
    urls: tuple[tuple[str, str], ...]  # (kind, url): dataset, github, huggingface, paperswithcode, arxiv, collection
    dpi_ids: tuple[str, ...] = ()
    collections: tuple[str, ...] = ()
    entries: tuple[KnownDataset, ...] = ()  # one view per DPI entry (each with entries=())

    def most_restrictive(self) -> LicenseClaim:
        """The claim to honour: :func:`most_restrictive` of all the claims."""
        return most_restrictive(self.claims)

    def url(self, kind: str) -> str | None:
        """The first URL of a kind ('github', 'huggingface', 'arxiv', ...), or None."""
        return next((u for k, u in self.urls if k == kind), None)


def restriction_key(claim: LicenseClaim) -> tuple[int, int, int]:
    """Sort key, larger = more restrictive: (use category, share-alike, attribution); unknown flags count as set."""
    return (
        _USE_RANK.get(claim.use, _USE_RANK["unknown"]),  # a category we do not know is treated as unknown
        0 if claim.share_alike is False else 1,
        0 if claim.attribution is False else 1,
    )


def most_restrictive(claims: Iterable[LicenseClaim]) -> LicenseClaim:
    """The most restrictive claim by :data:`USE_ORDER` and then the share-alike/attribution flags.

    Ties go to the earliest claim (audited claims come before inferred ones). Raises ValueError when empty.
    """
    best: LicenseClaim | None = None
    best_key: tuple[int, int, int] | None = None
    for claim in claims:
        key = restriction_key(claim)
        if best_key is None or key > best_key:
            best, best_key = claim, key
    if best is None:
        raise ValueError("no licence claims to choose from")
    return best


def parse_repo_id(text: str) -> str | None:
    """The dataset repo id in ``text`` ('org/name', 'name', a huggingface.co/datasets URL, 'hf://datasets/...').

    Returns None for anything else (a model or organisation URL, another host, an empty string). Case is kept.
    """
    text = str(text).strip()
    if not text:
        return None
    if "://" in text or text.lower().startswith(("huggingface.co/", "www.huggingface.co/", "hf.co/")):
        parts = urlsplit(text if "://" in text else f"https://{text}")
        if parts.scheme.lower() == "hf":
            segments = [parts.netloc, *parts.path.split("/")]
        elif parts.hostname in _HF_HOSTS:
            segments = parts.path.split("/")
        else:
            return None
        segments = [s for s in segments if s]
        if not segments or segments[0] != "datasets":
            return None
        segments = segments[1:]
    else:
        segments = [s for s in text.split("/") if s]
        if segments and segments[0] == "datasets" and len(segments) > 1:
            segments = segments[1:]
        if len(segments) > 2:
            return None
    if not segments or not _REPO_PART.match(segments[0]):
        return None
    if len(segments) == 1 or segments[1] in _HF_SUBPAGES or not _REPO_PART.match(segments[1]):
        return segments[0]
    return f"{segments[0]}/{segments[1]}"


@lru_cache(maxsize=1)
def _registry() -> dict[str, Any]:
    raw = resources.files("provenance").joinpath(DATA_FILE).read_bytes()
    return json.loads(gzip.decompress(raw))


def registry_info() -> dict[str, Any]:
    """Where the shipped registry came from: source name, repository, licence, content hash, counts."""
    return dict(_registry()["source"])


def known_repo_ids() -> list[str]:
    """Every Hugging Face repo id in the registry, as DPI wrote it, sorted."""
    entries = _registry()["entries"]
    return sorted({rid for entry in entries.values() for rid in entry["repo_ids"]})


def lookup(repo_id: str) -> KnownDataset | None:
    """The registry's record of a Hugging Face dataset, or None when DPI does not describe it.

    Case-insensitive; accepts 'org/name', 'name' (un-namespaced hub ids such as 'squad_v2') and dataset URLs.
    Matching is exact: 'rajpurkar/squad_v2' does not match DPI's 'squad_v2', since nothing here can tell a renamed
    repository from an unrelated one of the same name.
    """
    parsed = parse_repo_id(repo_id)
    return None if parsed is None else _lookup_key(parsed.lower())


@lru_cache(maxsize=1024)
def _lookup_key(key: str) -> KnownDataset | None:
    registry = _registry()
    ids = registry["index"].get(key)
    if not ids:
        return None
    views = tuple(_entry_view(i, registry["entries"][i]) for i in ids)
    if len(views) == 1:
        return replace(views[0], entries=views)
    collections = tuple(sorted({v.collection for v in views if v.collection}))
    names = {v.name for v in views}
    repo_ids = _unique(r for v in views for r in v.repo_ids if r.lower() == key)
    return KnownDataset(
        repo_ids=repo_ids,
        name=names.pop() if len(names) == 1 else repo_ids[0],
        dpi_id=None,
        collection=collections[0] if len(collections) == 1 else None,
        claims=tuple(c for v in views for c in v.claims),
        languages=_unique(x for v in views for x in v.languages),
        creators=_unique(x for v in views for x in v.creators),
        urls=_unique(x for v in views for x in v.urls),
        dpi_ids=tuple(v.dpi_id for v in views if v.dpi_id),
        collections=collections,
        entries=views,
    )


def _entry_view(dpi_id: str, entry: dict[str, Any]) -> KnownDataset:
    claims = tuple(
        LicenseClaim(
            license_spdx=c["spdx"],
            license_raw=c["license"],
            use=c["use"],
            where=c["where"],
            attribution=c.get("attribution"),
            share_alike=c.get("share_alike"),
            url=c.get("url"),
            dpi_id=dpi_id,
            kind=c["kind"],
            spdx_via=c["spdx_via"],
            taxonomy=c.get("taxonomy"),
        )
        for c in entry["claims"]
    )
    return KnownDataset(
        repo_ids=tuple(entry["repo_ids"]),
        name=entry["name"],
        dpi_id=dpi_id,
        collection=entry["collection"],
        claims=claims,
        languages=tuple(entry["languages"]),
        creators=tuple(entry["creators"]),
        urls=tuple(sorted(entry["urls"].items())),
        dpi_ids=(dpi_id,),
        collections=(entry["collection"],),
    )


def _unique(items: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(dict.fromkeys(items))

"""Licence claims about a wrapped hub dataset: what the caller declared, what the dataset's own info says, and what
the Data Provenance Collection audited. All are kept; the most restrictive one applies."""

from __future__ import annotations

import logging
import re
from typing import Any

from ..licenses import UNKNOWN, LicenseParseError, normalize_license, terms_of_expression
from ..licenses.known_datasets import LicenseClaim, lookup, most_restrictive
from ..models import License, Source

log = logging.getLogger("provenance")


def repo_candidates(data: Any) -> list[str]:
    """Hub repository ids a `datasets` object may have come from: its info, and its cache folder (org___name)."""
    info = getattr(data, "info", None)
    found: list[str] = []
    for cache in getattr(data, "cache_files", None) or []:
        match = re.search(r"/([^/]+)___([^/]+)/", str(cache.get("filename", "")))
        if match:
            found.append(f"{match.group(1)}/{match.group(2)}")
    if info is not None:
        found += [n for n in (info.dataset_name, info.builder_name) if n]
    return list(dict.fromkeys(found))


def _use_of(spdx: str) -> str:
    """The use a licence allows, from the taxonomy; custom and undocumented terms are "unknown", never guessed."""
    if spdx == UNKNOWN:
        return "unspecified"
    return {"research-only": "academic-only"}.get(use := terms_of_expression(spdx).use.value, use)


def _claim(license: License, where: str) -> LicenseClaim:
    return LicenseClaim(license_spdx=license.spdx, license_raw=license.raw, use=_use_of(license.spdx), where=where)


def settle_license(source: Source, data: Any, declared_where: str) -> tuple[Source, list[dict[str, Any]]]:
    """The source with its licence set to the most restrictive claim, and every claim for the ledger."""
    claims = [(_claim(source.license, declared_where), "declared")]
    info = getattr(data, "info", None)
    if info is not None and info.license:
        try:
            own = normalize_license(info.license)
        except LicenseParseError:
            own = License(spdx=UNKNOWN, raw=info.license)
        claims.append((_claim(own, "the dataset's own info (DatasetInfo.license)"), "dataset info"))
    for repo in repo_candidates(data):
        known = lookup(repo)
        if known is not None:
            claims += [(c, "data provenance collection") for c in known.claims]
            break
    chosen = most_restrictive(c for c, _ in claims)
    rows = [
        {
            "license": c.license_spdx,
            "license_raw": c.license_raw,
            "use": c.use,
            "claimed_by": by,
            "claim_where": c.where,
            "chosen": c is chosen,
        }
        for c, by in claims
    ]
    if chosen.license_spdx != source.license.spdx:
        log.warning(
            "source %s: declared licence %s, but %s says %s (%s); the more restrictive %s applies",
            source.id,
            source.license.spdx,
            chosen.where,
            chosen.license_raw,
            chosen.use,
            chosen.license_spdx,
        )
        source = source.model_copy(update={"license": License(spdx=chosen.license_spdx, raw=chosen.license_raw)})
    return source, rows

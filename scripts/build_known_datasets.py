#!/usr/bin/env python3
"""Rebuild ``src/provenance/data/known_datasets.json.gz`` from the Data Provenance Collection.

    python scripts/build_known_datasets.py [--dpi ../shared/data/dpi] [--out src/provenance/data/known_datasets.json.gz]

Reads ``data_summaries/*.json`` (the text collections) and ``constants/license_classes.json`` /
``constants/custom_license_classes.json`` of a Data Provenance Collection checkout (Apache-2.0,
https://github.com/Data-Provenance-Initiative/Data-Provenance-Collection) and writes, for every entry that names a
Hugging Face dataset, facts only: repo ids, DPI id and collection, dataset name, licence claims, languages, creator
names and URLs. No descriptions, notes, bibtex or other prose are copied. The output is deterministic: sorted keys,
compact JSON, gzip without a timestamp, so the same input gives the same bytes.

Licence names go to SPDX in this order, and each claim records which step answered (``spdx_via``):
1. ``provenance.licenses.normalize_license`` (it knows SPDX ids and 'Unspecified' -> NOASSERTION);
2. ``SPDX_TABLE`` below, for DPI's own licence names. DPI's constants hold no SPDX mapping: ``license_classes.json``
   gives use/attribution/share-alike, and ``license_paraphrases.json`` maps variant spellings *to* DPI names and
   lumps distinct licences together (ms-pl under 'Microsoft Data Licensing Agreement', agpl-3.0 under GPL v3.0,
   cc-by-2.0 under 'CC BY 3.0'), so it is only used here as a cross-check, printed with the summary;
3. otherwise ``LicenseRef-dpi-<slug>`` with the original name kept (``spdx_via: unmapped``). Nothing is guessed.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DPI = REPO_ROOT.parent / "shared" / "data" / "dpi"
DEFAULT_OUT = REPO_ROOT / "src" / "provenance" / "data" / "known_datasets.json.gz"
FORMAT_VERSION = 1

try:  # the script runs from a checkout, with or without the package installed
    from provenance.licenses import LicenseParseError, normalize_license, resolve_license
    from provenance.licenses.known_datasets import DPI_REPOSITORY, parse_repo_id
except ImportError:  # pragma: no cover - only without an install
    sys.path.insert(0, str(REPO_ROOT / "src"))
    from provenance.licenses import LicenseParseError, normalize_license, resolve_license
    from provenance.licenses.known_datasets import DPI_REPOSITORY, parse_repo_id

# DPI licence name -> SPDX id, for names normalize_license cannot parse. Only names with exactly one SPDX reading.
# Left out on purpose (they become LicenseRef-dpi-*): unversioned CC names ('CC BY', 'CC BY-SA', 'CC BY SA',
# 'CC BY-NC-ND', 'CC BY-NC-SA'), terms of service ('OpenAI', 'Anthropic', 'Google Cloud Translation API'), DPI's
# categories ('Custom', 'Various', 'Non Commercial', 'Request Form', 'Unclear', 'No License', 'Public Domain',
# 'Open Access', 'All Uses-Attribution', 'Academic Research Purposes Only') and licences with no SPDX id (OANC,
# Llama 2, Meta Llama3, BigScience OpenRAIL-M, AI2 ImpACT, Skywork, LMSYS-Chat-1M, CSLU, LDC, Microsoft
# Data Licensing Agreement).
SPDX_TABLE: dict[str, str] = {
    "Academic Free License v3.0": "AFL-3.0",
    "Apache 2.0": "Apache-2.0",
    "Apache License 2.0": "Apache-2.0",
    "Artistic License 2.0": "Artistic-2.0",
    "BSD 2-Clause License": "BSD-2-Clause",
    "BSD 3-Clause License": "BSD-3-Clause",
    "C-UDA": "C-UDA-1.0",  # the Computational Use of Data Agreement has one version
    "CC BY 2.0": "CC-BY-2.0",
    "CC BY 2.5": "CC-BY-2.5",
    "CC BY 3.0": "CC-BY-3.0",
    "CC BY 4.0": "CC-BY-4.0",
    "CC BY-NC 2.0": "CC-BY-NC-2.0",
    "CC BY-NC 3.0": "CC-BY-NC-3.0",
    "CC BY-NC 4.0": "CC-BY-NC-4.0",
    "CC BY-NC-ND 3.0": "CC-BY-NC-ND-3.0",
    "CC BY-NC-ND 4.0": "CC-BY-NC-ND-4.0",
    "CC BY-NC-SA 3.0": "CC-BY-NC-SA-3.0",
    "CC BY-NC-SA 4.0": "CC-BY-NC-SA-4.0",
    "CC BY-ND 4.0": "CC-BY-ND-4.0",
    "CC BY-SA 2.0": "CC-BY-SA-2.0",
    "CC BY-SA 3.0": "CC-BY-SA-3.0",
    "CC BY-SA 4.0": "CC-BY-SA-4.0",
    "CC0": "CC0-1.0",  # CC0 has one version
    "CC0 1.0": "CC0-1.0",
    "CDLA Permissive 1.0": "CDLA-Permissive-1.0",
    "CDLA Permissive 2.0": "CDLA-Permissive-2.0",
    "CDLA Sharing 1.0": "CDLA-Sharing-1.0",
    "EPL 1.0": "EPL-1.0",
    # GitHub's licence names; they do not say "or later", so the grant is read as the version named.
    "GNU General Public License v2.0": "GPL-2.0-only",
    "GNU General Public License v3.0": "GPL-3.0-only",
    "LGPL 2.1": "LGPL-2.1-only",
    "LGPL 3.0": "LGPL-3.0-only",
    "ISC License": "ISC",
    "MIT License": "MIT",
    "MPL 2.0": "MPL-2.0",
    "ODC BY 1.0": "ODC-By-1.0",
    "OGL 3.0": "OGL-UK-3.0",  # every DPI use points at UK (nhs.uk) terms: the UK Open Government Licence v3.0
}

# DPI's use codes (constants/license_classes.json) -> our use categories.
USE_CODES = {"All": "commercial", "NC": "non-commercial", "Acad": "academic-only", "Unspecified": "unspecified"}
FLAG_CODES = {"1": True, "0": False}  # '?' -> None

# Inferred-metadata fields that name a licence, and the source each one read.
INFERRED_FIELDS = (
    ("HF Yaml License", "Hugging Face dataset card"),
    ("HF Config License", "Hugging Face dataset config"),
    ("GitHub License", "GitHub repository"),
    ("PwC License Name", "Papers with Code"),
)
URL_FIELDS = {
    "Dataset URL": "dataset",
    "GitHub URL": "github",
    "Hugging Face URL": "huggingface",
    "Papers with Code URL": "paperswithcode",
    "ArXiv URL": "arxiv",
    "Collection URL": "collection",
}
_SOURCE_HOSTS = {
    "github.com": "GitHub",
    "raw.githubusercontent.com": "GitHub",
    "gist.github.com": "GitHub",
    "huggingface.co": "Hugging Face",
    "hf.co": "Hugging Face",
    "arxiv.org": "arXiv",
    "aclanthology.org": "ACL Anthology",
    "paperswithcode.com": "Papers with Code",
    "creativecommons.org": "Creative Commons",
}


def slug(text: str) -> str:
    return "-".join(re.findall(r"[a-z0-9]+(?:\.[a-z0-9]+)*", text.lower())) or "empty"


def source_label(url: Any) -> str:
    """Where an audited claim was found, from its licence URL."""
    if not url or not isinstance(url, str):
        return "no licence URL recorded"
    if not url.startswith(("http://", "https://")):
        return f"licence URL given as {url!r}"
    host = (urlsplit(url.split()[0]).hostname or "").lower()
    host = host.removeprefix("www.")
    return _SOURCE_HOSTS.get(host, host or url)


class Classifier:
    """Maps a DPI licence name to SPDX and to DPI's use category, counting what it could not map."""

    def __init__(self, dpi: Path) -> None:
        self.classes: dict[str, list[str]] = json.loads((dpi / "constants" / "license_classes.json").read_text())
        self.custom: dict[str, list[str]] = json.loads((dpi / "constants" / "custom_license_classes.json").read_text())
        self.unmapped_spdx: Counter[str] = Counter()
        self.unclassified: Counter[str] = Counter()

    def spdx(self, name: str, url: Any) -> tuple[str, str]:
        try:
            reading = resolve_license(name)
            if not reading.spdx.startswith("LicenseRef-custom-"):
                return reading.spdx, "normalize_license"
        except LicenseParseError:
            pass
        if name in SPDX_TABLE:
            return normalize_license(SPDX_TABLE[name]).spdx, "table"
        self.unmapped_spdx[name] += 1
        ref = f"LicenseRef-dpi-{slug(name)}"
        if name == "Custom" and isinstance(url, str) and url:
            # one id per custom licence text, told apart by the URL DPI recorded for it
            ref += "-" + hashlib.sha256(url.encode()).hexdigest()[:8]
        return normalize_license(ref).spdx, "unmapped"

    def use(self, name: str, url: Any) -> tuple[str, bool | None, bool | None, str | None]:
        if name == "Custom" and isinstance(url, str) and url in self.custom:
            code, taxonomy = self.custom[url], "constants/custom_license_classes.json"
        elif name in self.classes:
            code, taxonomy = self.classes[name], "constants/license_classes.json"
        else:
            self.unclassified[name] += 1
            return "unknown", None, None, None
        use = USE_CODES.get(code[0], "unknown")
        return use, FLAG_CODES.get(code[1]), FLAG_CODES.get(code[2]), taxonomy

    def claim(self, name: str, url: Any, kind: str, where: str) -> dict[str, Any]:
        spdx, via = self.spdx(name, url) if name else ("NOASSERTION", "empty")
        use, attribution, share_alike, taxonomy = self.use(name, url) if name else ("unknown", None, None, None)
        claim = {
            "license": name,
            "spdx": spdx,
            "spdx_via": via,
            "use": use,
            "attribution": attribution,
            "share_alike": share_alike,
            "taxonomy": taxonomy,
            "kind": kind,
            "where": where,
        }
        if kind == "audited" and isinstance(url, str) and url.startswith(("http://", "https://")):
            claim["url"] = url
        return claim


def hf_repo_ids(entry: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(repo ids, HF URLs that name no dataset) of a DPI entry, from 'Hugging Face URL' and 'HF Dataset'."""
    ids: list[str] = []
    skipped: list[str] = []
    url = entry.get("Hugging Face URL") or ""
    for piece in re.split(r"[;,\s]+", url):
        if not piece:
            continue
        if "huggingface.co" not in piece and "hf.co" not in piece:
            skipped.append(piece)
            continue
        rid = parse_repo_id(piece)
        if rid is None:
            skipped.append(piece)
        elif rid not in ids:
            ids.append(rid)
    inferred = (entry.get("Inferred Metadata") or {}).get("HF Dataset")
    if isinstance(inferred, str) and inferred.strip():
        rid = parse_repo_id(inferred)
        if rid is not None and rid.lower() not in {i.lower() for i in ids}:
            ids.append(rid)
    return ids, skipped


def strings(values: Any) -> list[str]:
    out: list[str] = []
    for v in values or []:
        if isinstance(v, str) and v.strip() and v.strip() not in out:
            out.append(v.strip())
    return out


def content_sha256(dpi: Path, files: list[Path]) -> str:
    h = hashlib.sha256()
    for f in files:
        h.update(f.relative_to(dpi).as_posix().encode() + b"\0" + hashlib.sha256(f.read_bytes()).digest())
    return h.hexdigest()


def build(dpi: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """(registry, stats) built from a DPI checkout."""
    classifier = Classifier(dpi)
    summaries = sorted(p for p in (dpi / "data_summaries").glob("*.json") if not p.name.startswith("_"))
    if not summaries:
        raise SystemExit(f"no data_summaries/*.json under {dpi}: is --dpi a Data Provenance Collection checkout?")
    stats: Counter[str] = Counter()
    skipped_urls: Counter[str] = Counter()
    entries: dict[str, dict[str, Any]] = {}
    seen: dict[str, tuple[str, Any]] = {}
    for path in summaries:
        rel = path.relative_to(dpi).as_posix()
        for key, entry in json.loads(path.read_text(encoding="utf-8")).items():
            stats["entries"] += 1
            uid = entry.get("Unique Dataset Identifier") or key
            if uid in seen:
                if seen[uid][1] != entry:
                    raise SystemExit(f"{rel}: {uid} is also in {seen[uid][0]} with different content; resolve it")
                stats["duplicate entries skipped"] += 1
                continue
            seen[uid] = (rel, entry)
            repo_ids, skipped = hf_repo_ids(entry)
            for s in skipped:
                skipped_urls[s] += 1
            if not repo_ids:
                continue
            stats["entries with a HF repo id"] += 1
            claims = []
            for i, lic in enumerate(entry.get("Licenses") or []):
                name = str(lic.get("License") or "").strip()
                url = lic.get("License URL")
                where = f"dpi {rel}: {uid} Licenses[{i}] (source: {source_label(url)})"
                claims.append(classifier.claim(name, url, "audited", where))
            if not claims:
                stats["entries with no Licenses (recorded as unknown)"] += 1
                claims.append(classifier.claim("", None, "audited", f"dpi {rel}: {uid} Licenses (empty list)"))
            inferred = entry.get("Inferred Metadata") or {}
            for field, source in INFERRED_FIELDS:
                value = inferred.get(field)
                name = value.strip() if isinstance(value, str) else ""
                if not name:
                    continue
                if name == "Unspecified":  # the source states no licence: not a claim
                    stats["inferred 'Unspecified' not recorded"] += 1
                    continue
                where = f"dpi {rel}: {uid} Inferred Metadata.{field} (source: {source})"
                claims.append(classifier.claim(name, None, "inferred", where))
            urls = {}
            for field, kind in URL_FIELDS.items():
                value = entry.get(field)
                if isinstance(value, str) and value.strip().startswith(("http://", "https://")):
                    urls[kind] = value.strip()
            entries[uid] = {
                "collection": entry.get("Collection") or "",
                "file": rel,
                "name": entry.get("Dataset Name") or uid,
                "repo_ids": repo_ids,
                "languages": strings(entry.get("Languages")),
                "creators": strings(entry.get("Creators")),
                "urls": urls,
                "claims": claims,
            }
    index: dict[str, list[str]] = {}
    for uid in sorted(entries):
        for rid in entries[uid]["repo_ids"]:
            index.setdefault(rid.lower(), [])
            if uid not in index[rid.lower()]:
                index[rid.lower()].append(uid)
    read = [*summaries, dpi / "constants" / "license_classes.json", dpi / "constants" / "custom_license_classes.json"]
    registry = {
        "format": FORMAT_VERSION,
        "source": {
            "name": "Data Provenance Collection",
            "authors": "Longpre et al., The Data Provenance Initiative (arXiv:2310.16787)",
            "repository": DPI_REPOSITORY,
            "license": "Apache-2.0",
            "version": None,  # the copy read has no version or commit; content_sha256 identifies it
            "content_sha256": content_sha256(dpi, sorted(read)),
            "files_read": len(read),
            "entries": len(entries),
            "repo_ids": len(index),
        },
        "entries": entries,
        "index": index,
    }
    claims = [c for e in entries.values() for c in e["claims"]]
    stats["distinct HF repo ids"] = len(index)
    stats["claims"] = len(claims)
    stats["claims audited"] = sum(c["kind"] == "audited" for c in claims)
    stats["claims inferred"] = sum(c["kind"] == "inferred" for c in claims)
    spdx_ids = [c for c in claims if c["spdx_via"] in ("normalize_license", "table")]
    stats["claims mapped to an SPDX id"] = sum(c["spdx"] != "NOASSERTION" for c in spdx_ids)
    stats["claims NOASSERTION (Unspecified)"] = sum(c["spdx"] == "NOASSERTION" for c in spdx_ids)
    stats["claims LicenseRef-dpi-* (no SPDX id)"] = sum(c["spdx_via"] == "unmapped" for c in claims)
    for use, n in sorted(Counter(c["use"] for c in claims).items()):
        stats[f"claims use={use}"] = n
    extra = {
        "unmapped": classifier.unmapped_spdx,
        "unclassified": classifier.unclassified,
        "skipped_urls": skipped_urls,
        "paraphrase_notes": paraphrase_notes(dpi),
    }
    return registry, {"counts": stats, **extra}


def paraphrase_notes(dpi: Path) -> list[str]:
    """Where DPI's paraphrases of a name parse to SPDX ids other than the table's (a cross-check, nothing more)."""
    path = dpi / "constants" / "license_paraphrases.json"
    if not path.is_file():
        return []
    notes = []
    for name, variants in sorted(json.loads(path.read_text(encoding="utf-8")).items()):
        readings = set()
        for variant in variants:
            try:
                readings.add(normalize_license(variant).spdx)
            except LicenseParseError:
                continue
        readings.discard("NOASSERTION")
        ours = SPDX_TABLE.get(name)
        other = sorted(r for r in readings if r != ours)
        if other:
            notes.append(f"{name!r}: table {ours or '-'}; DPI paraphrases also parse as {', '.join(other)}")
    return notes


def encode(registry: dict[str, Any]) -> bytes:
    data = json.dumps(registry, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, compresslevel=9, mtime=0) as gz:
        gz.write(data)
    return buf.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dpi", type=Path, default=DEFAULT_DPI, help=f"DPI checkout (default: {DEFAULT_DPI})")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output file (default: {DEFAULT_OUT})")
    parser.add_argument("--quiet", action="store_true", help="print nothing but errors")
    args = parser.parse_args(argv)
    if not (args.dpi / "constants" / "license_classes.json").is_file():
        parser.error(f"{args.dpi} is not a Data Provenance Collection checkout (no constants/license_classes.json)")
    registry, stats = build(args.dpi)
    blob = encode(registry)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(blob)
    if args.quiet:
        return 0
    print(f"wrote {args.out} ({len(blob):,} bytes) from {args.dpi}")
    for key, n in stats["counts"].items():
        print(f"  {key}: {n:,}")
    if stats["unmapped"]:
        print("licence names with no SPDX id (kept as LicenseRef-dpi-*, original text kept):")
        for name, n in sorted(stats["unmapped"].items()):
            print(f"  {n:5d}  {name}")
    if stats["unclassified"]:
        print("licence names not in DPI's use taxonomy (use=unknown):")
        for name, n in sorted(stats["unclassified"].items()):
            print(f"  {n:5d}  {name}")
    if stats["skipped_urls"]:
        print("'Hugging Face URL' values that name no dataset (not indexed):")
        for url, n in sorted(stats["skipped_urls"].items()):
            print(f"  {n:5d}  {url}")
    if stats["paraphrase_notes"]:
        print("cross-check against constants/license_paraphrases.json:")
        for note in stats["paraphrase_notes"]:
            print(f"  {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Croissant 1.1 JSON-LD with the Responsible-AI (RAI) vocabulary, generated from the ledger.

``write_croissant(ledger, "card/")`` writes ``card/croissant.json``:

- **distribution**: one ``cr:FileObject`` per file the ledger read (``files`` table), with its size and the SHA-256
  of the file as it is on disk now, provided the file is still there with the size and modification time the
  ledger recorded. Files that are gone or changed cannot be given a checksum (Croissant requires one on every
  FileObject), so they are described by a ``cr:FileSet`` naming their paths, with a note saying why. A manifest data
  entry that is a glob over several files, or a folder written by ``datasets``' ``save_to_disk``, also becomes a
  ``cr:FileSet`` (its ``includes`` is the glob).
- **recordSet**: one ``cr:RecordSet`` per source (per source and format, when a source mixes formats), with a
  ``text`` field, the ``url`` field where the ledger holds URLs for the source, a per-record ``license`` field where
  one is declared, and the declared metadata columns; each field says where its values come from (``extract``:
  ``column`` for CSV, TSV, JSON Lines, Parquet and Arrow, as Croissant's own JSON Lines examples do; ``jsonPath`` for
  JSON arrays; ``fileProperty`` for text files). Per-source provenance uses PROV-O, as Croissant 1.1 recommends:
  ``prov:wasDerivedFrom`` (the source as declared), ``prov:wasGeneratedBy`` (its collection, with the declared
  period) and ``prov:wasAttributedTo`` (the declared collector).
- **RAI properties** (``rai:``), spelled as in the RAI vocabulary file (``croissant_rai.ttl``). Each statement is
  marked *[measured by STAMP]* (a scanner's name, version and config hash), *[measured by the ledger]* (counted at
  ingest) or *[declared in FILE]* (written by a person in the sources manifest); what nobody measured or declared is
  said to be "not known".

mlcroissant 1.1.1 spells two RAI properties differently from the vocabulary: it reads ``rai:dataCollectionTimeFrame``
(vocabulary: ``rai:dataCollectionTimeframe``) and ``rai:dataDataManipulationProtocol`` (vocabulary:
``rai:dataManipulationProtocol``). This module writes the vocabulary's spelling only; mlcroissant ignores properties
it does not know, so validation passes and those two values are simply not loaded by it.

Declared facts come from the ledger's ``sources`` table; which column holds the text, the URL and the metadata is
not in the ledger, so it is read from the sources manifest whose path the ledger recorded (or ``manifest=``). If
that file is gone, the fields are limited to what the ledger measured (metadata keys, URLs), and the card says so.
Nothing here touches the network.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import hashlib
import json
import os
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

import yaml

from .._version import __version__
from ..ledger import Ledger
from ..models import DataEntry, SourcesManifest
from .hf_readme import human_bytes, model_credits

CROISSANT_SPEC = "http://mlcommons.org/croissant/1.1"
RAI_SPEC = "http://mlcommons.org/croissant/RAI/1.0"
FILENAME = "croissant.json"

# The context of Croissant 1.1 (the spec's Appendix 1 and mlcroissant's own), plus PROV-O for provenance.
CONTEXT: dict[str, Any] = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "sc": "https://schema.org/",
    "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "dct": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "annotation": "cr:annotation",
    "arrayShape": "cr:arrayShape",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "containedIn": "cr:containedIn",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "equivalentProperty": "cr:equivalentProperty",
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "excludes": "cr:excludes",
    "extract": "cr:extract",
    "field": "cr:field",
    "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isArray": "cr:isArray",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "parentField": "cr:parentField",
    "path": "cr:path",
    "readLines": "cr:readLines",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "samplingRate": "cr:samplingRate",
    "sdVersion": "cr:sdVersion",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
    "unArchive": "cr:unArchive",
    "value": "cr:value",
}

# The RAI properties this module writes, in the vocabulary's spelling (croissant_rai.ttl).
RAI_PROPERTIES = (
    "rai:dataCollection",
    "rai:dataCollectionType",
    "rai:dataCollectionTimeframe",
    "rai:dataCollectionRawData",
    "rai:dataCollectionMissingData",
    "rai:dataPreprocessingProtocol",
    "rai:dataManipulationProtocol",
    "rai:dataAnnotationProtocol",
    "rai:machineAnnotationTools",
    "rai:personalSensitiveInformation",
    "rai:dataBiases",
    "rai:dataLimitations",
    "rai:dataUseCases",
    "rai:dataSocialImpact",
    "rai:dataReleaseMaintenancePlan",
)

_MIME = {
    "jsonl": "application/jsonlines",
    "json": "application/json",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "parquet": "application/x-parquet",
    "text": "text/plain",
    "text-lines": "text/plain",
    "hf-disk": "application/vnd.apache.arrow.stream",  # datasets' save_to_disk writes Arrow IPC streams
}
_EXTENSIONS = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".csv": "csv",
    ".tsv": "tsv",
    ".parquet": "parquet",
    ".txt": "text",
    ".md": "text",
    ".arrow": "hf-disk",
}
_COMPRESSION = {
    ".gz": "application/gzip",
    ".bz2": "application/x-bzip2",
    ".zst": "application/zstd",
    ".zstd": "application/zstd",
}
_COLUMNAR = ("csv", "tsv", "jsonl", "parquet", "hf-disk")

# The collection methods of the sources manifest, as the RAI vocabulary's recommended collection types.
_COLLECTION_TYPES = {
    "web_scraping": "Web Scraping",
    "api": "Web API",
    "user_generated": "User-generated content data",
    "annotation": "Manual Human Curator",
    "synthetic": "Others (synthetic data generated by software)",
    "licensed_purchase": "Others (licensed purchase)",
    "public_records": "Secondary Data analysis",
    "other": "Others",
}
_JSON_TYPES = {"BIGINT": "sc:Integer", "UBIGINT": "sc:Integer", "DOUBLE": "sc:Float", "BOOLEAN": "sc:Boolean"}
_JSON_NAMES = {
    "VARCHAR": "string",
    "BIGINT": "integer",
    "UBIGINT": "integer",
    "DOUBLE": "number",
    "BOOLEAN": "boolean",
    "OBJECT": "object",
    "ARRAY": "array",
}
_CHUNK = 1 << 20


def _type_names(types: set[str]) -> str:
    return ", ".join(sorted(_JSON_NAMES.get(t, t.lower()) for t in types))


# ---- what the ledger knows ----------------------------------------------------------------------------------------
@dataclass
class _File:
    path: str
    source_id: str
    size: int | None
    mtime_ns: int | None
    records: int
    bad_records: int
    sha256: str | None = None
    state: str = "ok"  # ok | touched (same size, other mtime) | changed | missing | folder | unchecked


@dataclass
class _Group:
    """Records of one source read the same way: one RecordSet."""

    source_id: str
    fmt: str
    entries: list[DataEntry]
    patterns: list[str]  # absolute globs (or dataset folder/split patterns)
    files: list[_File] = field(default_factory=list)
    rs_id: str = ""


def _rows(store: Ledger, sql: str, params: list | None = None) -> list[dict[str, Any]]:
    return store.sql(sql, params).to_pylist()


def _latest_stamp(store: Ledger, scanner: str) -> str | None:
    return store.scalar(
        "SELECT rs.stamp FROM record_scans rs JOIN scans s USING (scan_id) WHERE rs.stamp LIKE ? "
        "GROUP BY rs.stamp ORDER BY max(s.started_at) DESC LIMIT 1",
        [f"{scanner}@%"],
    )


def _facts(store: Ledger) -> dict[str, Any]:
    sources = _rows(
        store,
        """SELECT s.*, coalesce(r.records, 0) AS records, coalesce(r.bytes, 0) AS bytes,
                  coalesce(r.own_licence, 0) AS own_licence,
                  (SELECT count(*) FROM bad_records b WHERE b.source_id = s.source_id) AS bad,
                  (SELECT count(DISTINCT o.record_id) FROM origins o
                   WHERE o.source_id = s.source_id AND o.url IS NOT NULL) AS urls
           FROM sources s LEFT JOIN (
               SELECT source_id, count(DISTINCT record_id) AS records, sum(n_bytes) AS bytes,
                      count(DISTINCT record_id) FILTER (WHERE record_license IS NOT NULL) AS own_licence
               FROM records GROUP BY 1) r USING (source_id)
           ORDER BY s.source_id""",
    )
    files = [
        _File(r["path"], r["source_id"], r["size"], r["mtime_ns"], r["records"] or 0, r["bad_records"] or 0)
        for r in _rows(
            store, "SELECT path, source_id, size, mtime_ns, records, bad_records FROM files ORDER BY source_id, path"
        )
    ]
    meta_types: dict[str, dict[str, set[str]]] = defaultdict(dict)
    for r in _rows(
        store,
        """SELECT source_id, key, list(DISTINCT json_type(json_extract(meta, '$."' || replace(key, '"', '\\"') || '"')))
                  AS types
           FROM (SELECT source_id, meta, unnest(json_keys(meta)) AS key FROM records
                 WHERE meta IS NOT NULL AND json_type(meta) = 'OBJECT')
           GROUP BY ALL""",
    ):
        meta_types[r["source_id"]][r["key"]] = {t for t in r["types"] if t and t != "NULL"}
    scans = _rows(
        store,
        "SELECT scan_id, command, started_at, finished_at, scanners, toolkit_version, not_checked FROM scans "
        "WHERE status = 'finished' ORDER BY finished_at",
    )
    return {"sources": sources, "files": files, "meta_types": meta_types, "scans": scans}


# ---- the declared reading of each source's data (sources manifest) ------------------------------------------------
def _find_manifest(recorded: str | None, store: Ledger, override: str | Path | None) -> Path | None:
    if override is not None:
        path = Path(override)
        return path / "sources.yaml" if path.is_dir() else path
    if not recorded:
        return None
    path = Path(recorded)
    candidates = [path] if path.is_absolute() else [path, store.path.parent / path]
    return next((p for p in candidates if p.is_file()), None)


def _load_entries(path: Path | None) -> dict[str, list[DataEntry]] | None:
    if path is None or not path.is_file():
        return None
    try:
        model = SourcesManifest.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except Exception:  # a manifest that no longer parses: fall back to what the ledger measured
        return None
    return {s.id: list(s.data) for s in model.sources}


def _fmt_of(path: str) -> str | None:
    suffixes = [s.lower() for s in PurePosixPath(path.split("[")[0]).suffixes]
    while suffixes and suffixes[-1] in _COMPRESSION:
        suffixes.pop()
    return _EXTENSIONS.get(suffixes[-1]) if suffixes else None


def _compression(path: str) -> str | None:
    suffix = PurePosixPath(path).suffix.lower()
    return _COMPRESSION.get(suffix)


def _entry_fmt(entry: DataEntry, files: list[_File]) -> str:
    if entry.dataset is not None:
        return "hf-disk"
    if entry.format is not None:
        return entry.format.value
    found = {_fmt_of(f.path) for f in files} - {None}
    return found.pop() if len(found) == 1 else (_fmt_of(entry.path or "") or "text")


def _entry_patterns(entry: DataEntry, base: Path) -> list[str]:
    if entry.dataset is not None:
        folder = os.path.normpath(base / entry.dataset)
        return [f"{folder}[{entry.split}]"] if entry.split else [f"{folder}[*]"]
    return [os.path.normpath(base / entry.path)]


def _matches(path: str, entry: DataEntry, patterns: list[str]) -> bool:
    if entry.dataset is not None:  # the ledger names a saved dataset's split as FOLDER[SPLIT]
        folder = patterns[0].rpartition("[")[0]
        return path.startswith(folder + "[") and (entry.split is None or path == f"{folder}[{entry.split}]")
    return any(fnmatch.fnmatchcase(path, p) for p in patterns)


def _groups(
    sources: list[dict[str, Any]], files: list[_File], entries: dict[str, list[DataEntry]] | None, base: Path | None
) -> list[_Group]:
    by_source: dict[str, list[_File]] = defaultdict(list)
    for f in files:
        by_source[f.source_id].append(f)
    groups: list[_Group] = []
    for s in sources:
        sid = s["source_id"]
        own = by_source.get(sid, [])
        declared = (entries or {}).get(sid)
        if declared is None or base is None:
            # No manifest: one group per format the ledger's files show.
            per_fmt: dict[str, list[_File]] = defaultdict(list)
            for f in own:
                per_fmt["hf-disk" if f.path.endswith("]") else (_fmt_of(f.path) or "text")].append(f)
            groups += [_Group(sid, fmt, [], [], fs) for fmt, fs in sorted(per_fmt.items())]
            continue
        merged: dict[tuple, _Group] = {}
        taken: set[str] = set()
        for entry in declared:
            patterns = _entry_patterns(entry, base)
            matched = [f for f in own if f.path not in taken and _matches(f.path, entry, patterns)]
            taken |= {f.path for f in matched}
            fmt = _entry_fmt(entry, matched)
            key = (
                fmt,
                tuple(entry.text_fields),
                entry.url_field,
                entry.license_field,
                tuple(entry.metadata),
                entry.dataset,
            )
            group = merged.setdefault(key, _Group(sid, fmt, [], []))
            group.entries.append(entry)
            group.patterns += patterns
            group.files += matched
        rest = [f for f in own if f.path not in taken]  # read under an older manifest
        groups += list(merged.values())
        if rest:
            groups.append(_Group(sid, "unknown", [], [], rest))
    return groups


# ---- files on disk ------------------------------------------------------------------------------------------------
def _check_file(f: _File, checksums: bool) -> None:
    if f.path.endswith("]") and "[" in f.path:  # a saved dataset's split: a folder, not a file
        f.state = "folder"
        return
    path = Path(f.path)
    try:
        st = path.stat()
    except OSError:
        f.state = "missing"
        return
    if not path.is_file():
        f.state = "missing"
        return
    if f.size is not None and st.st_size != f.size:
        f.state = "changed"
        return
    if not checksums:
        f.state = "unchecked"
        return
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    f.sha256 = digest.hexdigest()
    f.state = "ok" if f.mtime_ns is None or st.st_mtime_ns == f.mtime_ns else "touched"


class _Paths:
    """How paths are written: relative to the folder of croissant.json (so mlcroissant finds local files), or under
    ``base_url`` (for a published copy), in both cases keeping the layout below the corpus root."""

    def __init__(self, root: Path, output_dir: Path, base_url: str | None) -> None:
        self.root = root
        self.output_dir = output_dir
        self.base_url = base_url.rstrip("/") if base_url else None

    def rel(self, path: str) -> str:
        try:
            return PurePosixPath(Path(os.path.relpath(path, self.root)).as_posix()).as_posix()
        except ValueError:  # another drive
            return Path(path).as_posix().lstrip("/")

    def url(self, path: str) -> str:
        if self.base_url:
            return f"{self.base_url}/{quote(self.rel(path))}"
        try:
            shared = os.path.commonpath([os.path.abspath(path), str(self.output_dir)])
        except ValueError:  # another drive
            return Path(path).as_posix()
        if shared == os.path.abspath(os.sep):  # nothing in common but the root: an absolute path reads better
            return Path(os.path.abspath(path)).as_posix()
        return Path(os.path.relpath(path, self.output_dir)).as_posix()

    def pattern(self, pattern: str) -> str:
        return self.rel(pattern) if self.base_url else self.url(pattern)


def _root(files: list[_File], manifest: Path | None) -> Path:
    paths = [f.path.split("[")[0] if f.path.endswith("]") else f.path for f in files]
    if manifest is not None:
        base = str(manifest.resolve().parent)
        if all(os.path.abspath(p).startswith(base + os.sep) for p in paths):
            return Path(base)
    if not paths:
        return Path.cwd()
    try:
        common = os.path.commonpath([os.path.abspath(p) for p in paths])
    except ValueError:
        return Path.cwd()
    return Path(common) if len(paths) > 1 or Path(common).is_dir() else Path(common).parent


# ---- statements ---------------------------------------------------------------------------------------------------
class _Say:
    def __init__(self, manifest_name: str | None) -> None:
        self.manifest_name = manifest_name or "the sources manifest"

    @property
    def declared(self) -> str:
        return f"[declared in {self.manifest_name}]"

    @staticmethod
    def measured(stamp: str | None = None) -> str:
        return f"[measured by {stamp}]" if stamp else "[measured by the ledger]"


def _pct(n: float, d: float) -> str:
    return f"{n / d:.1%}" if d else "0.0%"


def _license_value(spdx: str, terms_url: str | None = None) -> str | dict[str, Any]:
    """An SPDX id as its SPDX page; anything else (LicenseRef, expression, unknown) as a named CreativeWork."""
    if spdx == "NOASSERTION":
        return {"@type": "sc:CreativeWork", "name": "NOASSERTION", "description": "no licence is known"}
    if " " not in spdx and not spdx.startswith(("LicenseRef-", "DocumentRef-")):
        return f"https://spdx.org/licenses/{spdx}.html"
    work: dict[str, Any] = {"@type": "sc:CreativeWork", "name": spdx}
    ids = [t for t in re.split(r"[\s()]+", spdx) if t and t not in ("AND", "OR", "WITH")]
    if " " in spdx:
        work["description"] = "SPDX licence expression; " + ", ".join(
            t if t.startswith(("LicenseRef-", "DocumentRef-")) else f"{t}: https://spdx.org/licenses/{t}.html"
            for t in ids
        )
    else:
        work["description"] = "custom licence terms (SPDX LicenseRef)"
    if terms_url:
        work["url"] = terms_url
    return work


def _period(s: dict[str, Any]) -> str | None:
    start, end = s.get("period_start"), s.get("period_end")
    if not start and not end:
        return None
    return f"{start.isoformat() if start else '..'}/{end.isoformat() if end else '..'}"


class _Builder:
    def __init__(self, store: Ledger, output_dir: Path, opts: dict[str, Any]) -> None:
        self.store = store
        self.output_dir = output_dir
        self.opts = opts
        self.facts = _facts(store)
        recorded = next((s["manifest"] for s in self.facts["sources"] if s["manifest"]), None)
        self.manifest = _find_manifest(recorded, store, opts.get("manifest"))
        self.entries = _load_entries(self.manifest)
        self.say = _Say(self.manifest.name if self.manifest else (Path(recorded).name if recorded else None))
        self.ids: set[str] = set()
        for f in self.facts["files"]:
            _check_file(f, opts.get("checksums", True))
        self.paths = _Paths(_root(self.facts["files"], self.manifest), output_dir, opts.get("base_url"))
        base = self.manifest.resolve().parent if self.manifest and self.entries is not None else None
        self.groups = _groups(self.facts["sources"], self.facts["files"], self.entries, base)
        self.in_files = {f.source_id for f in self.facts["files"]}
        self.sources = {s["source_id"]: s for s in self.facts["sources"]}
        self.datasets: dict[str, list[str]] = defaultdict(list)
        for r in _rows(
            store,
            "SELECT DISTINCT source_id, dataset_repo, dataset_config, dataset_split, dataset_revision FROM origins "
            "WHERE kind = 'dataset' AND dataset_repo IS NOT NULL ORDER BY ALL",
        ):
            where = r["dataset_repo"] + "".join(
                f" {k}={r[c]}"
                for k, c in (("config", "dataset_config"), ("split", "dataset_split"), ("revision", "dataset_revision"))
                if r[c]
            )
            self.datasets[r["source_id"]].append(where)

    def _id(self, wanted: str) -> str:
        out, n = wanted, 2
        while out in self.ids:
            out, n = f"{wanted}~{n}", n + 1
        self.ids.add(out)
        return out

    # -- distribution ------------------------------------------------------------------------------------------
    def distribution(self) -> tuple[list[dict[str, Any]], dict[str, str], dict[int, str]]:
        """FileObjects for checksummed files; FileSets for globs, folders and files without a checksum. Returns the
        distribution, FileObject id per path, and the FileSet id of each group that needs one."""
        dist: list[dict[str, Any]] = []
        object_ids: dict[str, str] = {}
        seen: set[str] = set()
        for f in self.facts["files"]:
            if f.path in seen or f.sha256 is None:
                continue
            seen.add(f.path)
            fid = self._id(quote(self.paths.rel(f.path), safe="/._-~+"))
            object_ids[f.path] = fid
            fmt = _fmt_of(f.path)
            formats = [_MIME.get(fmt or "", "application/octet-stream")]
            if comp := _compression(f.path):
                formats.append(comp)
            note = (
                f"{self.say.measured()} {f.records:,} records read from this file, {f.bad_records:,} unreadable; "
                f"SHA-256 of the file as it is on disk when this card was written"
            )
            if f.state == "touched":
                note += " (its modification time differs from the one recorded at the scan, its size does not)"
            obj: dict[str, Any] = {
                "@type": "cr:FileObject",
                "@id": fid,
                "name": PurePosixPath(f.path).name,
                "description": note + ".",
                "contentUrl": self.paths.url(f.path),
                "contentSize": f"{f.size} B" if f.size is not None else None,
                "encodingFormat": formats[0] if len(formats) == 1 else formats,
                "sha256": f.sha256,
            }
            dist.append({k: v for k, v in obj.items() if v is not None})
        set_ids: dict[int, str] = {}
        for i, g in enumerate(self.groups):
            if len(g.files) == 1 and g.files[0].sha256 is not None and g.fmt != "hf-disk":
                continue  # one checksummed file: its FileObject is the record set's source
            set_ids[i] = self._id(f"{g.source_id}-files" if g.fmt != "unknown" else f"{g.source_id}-other-files")
            dist.append(self._file_set(g, set_ids[i]))
        return dist, object_ids, set_ids

    def _file_set(self, g: _Group, set_id: str) -> dict[str, Any]:
        includes: list[str] = []
        notes: list[str] = []
        if g.fmt == "hf-disk":
            for p in g.patterns or [f.path for f in g.files]:
                folder, _, split = p.rstrip("]").rpartition("[")
                sub = "*" if split in ("", "*") else split
                includes.append(self.paths.pattern(os.path.join(folder, sub, "*.arrow")))
            notes.append(
                "a folder written by datasets' save_to_disk; the ledger records its splits, not its files, so no "
                "checksum is given"
            )
        elif g.patterns:
            includes = [self.paths.pattern(p) for p in g.patterns]
        else:
            includes = [self.paths.pattern(f.path) for f in g.files]
        missing = [f for f in g.files if f.state in ("missing", "changed")]
        unchecked = [f for f in g.files if f.state == "unchecked"]
        if missing:
            names = ", ".join(self.paths.rel(f.path) for f in missing[:5]) + (" ..." if len(missing) > 5 else "")
            notes.append(
                f"{len(missing)} file(s) the ledger read are gone or have another size now ({names}); they have no "
                "checksum"
            )
            if not g.patterns:
                includes = [self.paths.pattern(f.path) for f in g.files]
        if unchecked:
            notes.append("checksums were not computed for this card")
        recs = sum(f.records for f in g.files)
        bad = sum(f.bad_records for f in g.files)
        desc = (
            f"{self.say.measured()} {len(g.files):,} file(s) or split(s) of source '{g.source_id}' read, "
            f"{recs:,} records, {bad:,} unreadable"
        )
        if notes:
            desc += "; " + "; ".join(notes)
        formats = [_MIME.get(g.fmt, "application/octet-stream")]
        formats += sorted({c for f in g.files if (c := _compression(f.path))})
        return {
            "@type": "cr:FileSet",
            "@id": set_id,
            "name": set_id,
            "description": desc + ".",
            "encodingFormat": formats[0] if len(formats) == 1 else formats,
            "includes": includes[0] if len(includes) == 1 else includes,
        }

    # -- record sets -----------------------------------------------------------------------------------------
    def record_sets(self, object_ids: dict[str, str], set_ids: dict[int, str]) -> list[dict[str, Any]]:
        per_source: dict[str, int] = defaultdict(int)
        for g in self.groups:
            per_source[g.source_id] += 1
        out = []
        for i, g in enumerate(self.groups):
            if not g.files and not g.entries:
                continue
            if i in set_ids:
                ref = {"fileSet": {"@id": set_ids[i]}}
            elif len(g.files) == 1 and g.files[0].path in object_ids:
                ref = {"fileObject": {"@id": object_ids[g.files[0].path]}}
            else:
                continue
            wanted = g.source_id if per_source[g.source_id] == 1 else f"{g.source_id}-{g.fmt}"
            g.rs_id = self._id(wanted)
            out.append(self._record_set(g, ref))
        return out

    def _extract(self, fmt: str, column: str) -> dict[str, Any]:
        if fmt == "json":
            key = f".{column}" if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", column) else f"['{column}']"
            return {"jsonPath": f"$[*]{key}"}
        return {"column": column}

    def _field(
        self, rs: str, name: str, data_type: str, ref: dict, extract: dict, description: str, transform=None
    ) -> dict[str, Any]:
        source = {**ref, "extract": extract}
        if transform:
            source["transform"] = transform
        return {
            "@type": "cr:Field",
            "@id": self._id(f"{rs}/{name}"),
            "name": name,
            "description": description,
            "dataType": data_type,
            "source": source,
        }

    def _record_set(self, g: _Group, ref: dict) -> dict[str, Any]:
        s = self.sources[g.source_id]
        rs = g.rs_id
        declared, measured = self.say.declared, self.say.measured()
        entry = g.entries[0] if g.entries else None
        fields: list[dict[str, Any]] = []
        if entry is None:
            fields.append(
                self._field(
                    rs,
                    "text",
                    "sc:Text",
                    ref,
                    {"fileProperty": "content"},
                    "The file's content. Which column holds each record's text is not known: the sources manifest "
                    "that declared it was not found.",
                )
            )
        elif g.fmt in ("text", "text-lines"):
            what = "content" if g.fmt == "text" else "lines"
            fields.append(
                self._field(
                    rs,
                    "text",
                    "sc:Text",
                    ref,
                    {"fileProperty": what},
                    f"{declared} The record text: "
                    + ("each file is one record." if g.fmt == "text" else "each line is one record."),
                )
            )
        else:
            cols = list(entry.text_fields)
            if len(cols) == 1:
                fields.append(
                    self._field(
                        rs,
                        "text",
                        "sc:Text",
                        ref,
                        self._extract(g.fmt, cols[0]),
                        f"{declared} The record text, from the column '{cols[0]}'.",
                    )
                )
            else:
                parent_id = self._id(f"{rs}/text")
                subs = [
                    {
                        "@type": "cr:Field",
                        "@id": self._id(f"{parent_id}/{c}"),
                        "name": c,
                        "description": f"{declared} Part {k + 1} of {len(cols)} of the record text.",
                        "dataType": "sc:Text",
                        "source": {**ref, "extract": self._extract(g.fmt, c)},
                    }
                    for k, c in enumerate(cols)
                ]
                fields.append(
                    {
                        "@type": "cr:Field",
                        "@id": parent_id,
                        "name": "text",
                        "description": f"{declared} The record text is the columns "
                        + ", ".join(f"'{c}'" for c in cols)
                        + " joined by a blank line (empty ones left out).",
                        "dataType": "sc:Text",
                        "subField": subs,
                    }
                )
        meta_types = self.facts["meta_types"].get(g.source_id, {})
        if entry is not None and g.fmt not in ("text", "text-lines"):
            if entry.url_field and s["urls"]:
                fields.append(
                    self._field(
                        rs,
                        "url",
                        "sc:URL",
                        ref,
                        self._extract(g.fmt, entry.url_field),
                        f"{declared} The record's URL, from the column '{entry.url_field}'; {measured} "
                        f"{s['urls']:,} records of the source have one.",
                    )
                )
            if entry.license_field:
                fields.append(
                    self._field(
                        rs,
                        "license",
                        "sc:Text",
                        ref,
                        self._extract(g.fmt, entry.license_field),
                        f"{declared} The record's own licence, which wins over the source's; {measured} "
                        f"{s['own_licence']:,} records carry one.",
                    )
                )
            reserved = {"text", "url", "license", "split"}
            for col in entry.metadata:
                types = meta_types.get(col, set())
                data_type = _JSON_TYPES.get(next(iter(types)), "sc:Text") if len(types) == 1 else "sc:Text"
                fields.append(
                    self._field(
                        rs,
                        col if col not in reserved else f"meta_{col}",
                        data_type,
                        ref,
                        self._extract(g.fmt, col),
                        f"{declared} Metadata column '{col}'"
                        + (f"; {measured} JSON types of its values: {_type_names(types)}." if types else "."),
                    )
                )
        elif entry is None:
            for col in sorted(meta_types):
                types = meta_types[col]
                data_type = _JSON_TYPES.get(next(iter(types)), "sc:Text") if len(types) == 1 else "sc:Text"
                fields.append(
                    self._field(
                        rs,
                        col,
                        data_type,
                        ref,
                        self._extract(g.fmt, col),
                        f"{measured} A metadata key found in the ledger's records.",
                    )
                )
        if g.fmt == "hf-disk":
            splits = sorted({p.rstrip("]").rpartition("[")[2] for p in g.patterns or [f.path for f in g.files]})
            if len(splits) > 1 or "*" in splits:
                alternatives = "|".join(re.escape(x) for x in splits if x != "*") or "[^/]+"
                fields.append(
                    self._field(
                        rs,
                        "split",
                        "sc:Text",
                        ref,
                        {"fileProperty": "fullpath"},
                        f"{declared} The split of the saved dataset the record is in.",
                        transform={"regex": f"(?:^|.*/)({alternatives})/[^/]+\\.arrow$"},
                    )
                )
        n_records = s["records"] if sum(1 for x in self.groups if x.source_id == g.source_id) == 1 else None
        counts = (
            f"{measured} {n_records:,} distinct records, {human_bytes(s['bytes'])} of normalised text, "
            f"{s['bad']:,} unreadable lines."
            if n_records is not None
            else f"{measured} {sum(f.records for f in g.files):,} records read from these files."
        )
        desc = (
            f"Source '{g.source_id}' ({s['name']}). {declared} licence {s['license']}, consent basis "
            f"{s['consent_basis']}, collection method {s['collection_method']}. {counts}"
        )
        out: dict[str, Any] = {
            "@type": "cr:RecordSet",
            "@id": rs,
            "name": rs,
            "description": desc,
            "field": fields,
            **self._provenance(s),
        }
        return out

    def _provenance(self, s: dict[str, Any]) -> dict[str, Any]:
        sid = s["source_id"]
        declared = self.say.declared
        entity: dict[str, Any] = {
            "@type": "prov:Entity",
            "@id": f"source:{sid}",
            "prov:label": s["name"],
            "description": f"{declared} source '{sid}', licence {s['license']} (written as '{s['license_raw']}'), "
            f"consent basis {s['consent_basis']}.",
        }
        if s.get("homepage"):
            entity["prov:atLocation"] = s["homepage"]
        if s.get("terms_url"):
            entity["usageInfo"] = s["terms_url"]
        activity: dict[str, Any] = {
            "@type": "prov:Activity",
            "@id": f"collection:{sid}",
            "prov:label": f"collection of '{sid}' by {s['collection_method']}",
            "description": f"{declared} collection method {s['collection_method']}"
            + (f", period {_period(s)}" if _period(s) else ", period not declared")
            + ".",
        }
        if s.get("period_start"):
            activity["prov:startedAtTime"] = s["period_start"].isoformat()
        if s.get("period_end"):
            activity["prov:endedAtTime"] = s["period_end"].isoformat()
        out: dict[str, Any] = {"prov:wasDerivedFrom": entity, "prov:wasGeneratedBy": activity}
        if s.get("collector"):
            agent = {"@type": "prov:Agent", "prov:label": s["collector"]}
            activity["prov:wasAssociatedWith"] = agent
            out["prov:wasAttributedTo"] = agent
        return out

    # -- RAI ---------------------------------------------------------------------------------------------------
    def rai(self) -> dict[str, Any]:
        from ..coverage import demographic_coverage, language_coverage

        sources = self.facts["sources"]
        declared, measured = self.say.declared, self.say.measured()
        out: dict[str, Any] = {}

        # collection
        collection = [
            f"{declared} Source '{s['source_id']}' ({s['name']}): collection method {s['collection_method']}"
            + (f", collector {s['collector']}" if s.get("collector") else ", collector not declared")
            + (f", period {_period(s)}" if _period(s) else ", period not declared")
            + f"; consent basis {s['consent_basis']}"
            + (f". {s['notes']}" if s.get("notes") else "")
            + (". " if not (s.get("notes") or "").endswith(".") else " ")
            + f"{measured} {s['records']:,} records."
            for s in sources
        ]
        out["rai:dataCollection"] = " ".join(
            [*collection, *self._consent()] if collection else ["Not known: the ledger has no sources."]
        )
        types = sorted({_COLLECTION_TYPES.get(s["collection_method"], "Others") for s in sources})
        out["rai:dataCollectionType"] = types or ["Not known"]
        periods = sorted({p for s in sources if (p := _period(s))})
        if periods:
            out["rai:dataCollectionTimeframe"] = periods
        raw = []
        for s in sources:
            bits = [f"{declared} '{s['source_id']}': {s['name']}"]
            if s.get("homepage"):
                bits.append(f"homepage {s['homepage']}")
            if s.get("terms_url"):
                bits.append(f"terms {s['terms_url']}")
            files = [f for f in self.facts["files"] if f.source_id == s["source_id"]]
            if files:
                bits.append(
                    f"{measured} read from {len(files):,} file(s) or split(s), {human_bytes(s['bytes'])} of text"
                )
            datasets = self.datasets.get(s["source_id"], [])
            if datasets and not files:
                bits.append(
                    f"{measured} {human_bytes(s['bytes'])} of text read through provenance.track from "
                    + ", ".join(datasets[:5])
                    + (" ..." if len(datasets) > 5 else "")
                )
            raw.append("; ".join(bits) + ".")
        out["rai:dataCollectionRawData"] = " ".join(raw) if raw else "Not known."
        out["rai:dataCollectionMissingData"] = " ".join(self._missing())  # cardinality ONE

        # what was done to the data
        out["rai:dataPreprocessingProtocol"] = [
            "Not known: neither the ledger nor the sources manifest records any preprocessing of the data files; "
            "they are described here as they were read.",
            f"{measured} For identification only (the files are unchanged), each record's text is normalised "
            "(Unicode NFC, line endings as \\n, outer whitespace stripped) and hashed; unreadable lines are skipped "
            "and counted (see dataCollectionMissingData).",
        ]
        out["rai:dataManipulationProtocol"] = "Not known: no manipulation of the data is recorded in the ledger."
        annotated = [s for s in sources if s["collection_method"] == "annotation"]
        out["rai:dataAnnotationProtocol"] = (
            f"{declared} Collected by annotation: "
            + ", ".join(f"'{s['source_id']}'" for s in annotated)
            + ". Not known: the annotation protocol, platform and annotators' demographics are not declared."
            if annotated
            else "Not known: no source is declared as collected by annotation, and no annotation protocol is declared."
        )
        out["rai:machineAnnotationTools"] = self._tools()

        # what the text contains
        out["rai:personalSensitiveInformation"] = self._pii()
        lang = language_coverage(self.store)
        demo = demographic_coverage(self.store)
        out["rai:personalSensitiveInformation"] += self._sensitive_attributes(demo)
        out["rai:dataBiases"] = self._biases(lang, demo)
        out["rai:dataLimitations"] = self._limitations()
        out["rai:dataUseCases"] = self._use_cases()
        out["rai:dataSocialImpact"] = (
            "Not known: neither the ledger nor the sources manifest declares an assessment of social impact."
        )
        # MANY in the vocabulary, ONE in mlcroissant: one text satisfies both
        out["rai:dataReleaseMaintenancePlan"] = " ".join(self._maintenance())
        self.lang = lang
        return out

    def _consent(self) -> list[str]:
        """Consent as the ledger measures it now: states per source, the consent scanner's signals, the opt-out
        registries applied (counts only: a signal's value or a registry's entry may name a person)."""
        from .hf_readme import CONSENT_STATES, SIGNAL_KINDS, STATE_WORDS, consent_facts

        now = consent_facts(self.store)
        measured = self.say.measured()
        per_source = []
        for s in self.facts["sources"]:
            counts = now["states"].get(s["source_id"], {})
            shown = ", ".join(f"{STATE_WORDS[k]} {counts[k]:,}" for k in CONSENT_STATES if counts.get(k))
            per_source.append(f"'{s['source_id']}' {shown or 'no records'}")
        opted = now["opted_out"]
        out = [
            f"{measured} Consent of the records now (a revocation outranks an opt-out by an opt-out registry or a "
            f"consent signal, which outranks the consent basis {self.say.declared}): "
            + "; ".join(per_source)
            + "."
            + (
                f" Of the {opted['records']:,} opted-out records, {opted['by_registry']:,} are matched by an opt-out "
                f"registry and {opted['by_signal']:,} carry an opt-out signal."
                if opted["records"]
                else ""
            )
        ]
        if now["stamp"] is None:
            out.append(
                "Consent signals (robots.txt, ai.txt, TDMRep, X-Robots-Tag, HTML meta) were not looked for: no consent "
                "scan is recorded in the ledger, so opt-outs are counted from opt-out registries only."
            )
        else:
            kinds = list(SIGNAL_KINDS) + sorted(set(now["signals"]) - set(SIGNAL_KINDS))
            per_kind = []
            for kind in kinds:
                row = now["signals"].get(kind, {})
                per_kind.append(
                    f"{kind} {row.get('opted_out', 0):,}/{row.get('allowing', 0):,}/{row.get('silent', 0):,}/"
                    f"{row.get('unreadable', 0):,}"
                )
            out.append(
                f"{self.say.measured(now['stamp'])} Consent signals of the records' pages (HTTP headers, HTML meta) "
                f"and sites (robots.txt, ai.txt, tdmrep.json as snapshotted), over {now['scanned']:,} records read: "
                f"{now['signal_records']:,} records carry a signal, {now['signal_opted_out']:,} an opt-out. Records "
                "per kind, opted out/allowing/no AI directive/unreadable: " + "; ".join(per_kind) + "."
            )
        current = [r for r in now["registries"] if r["current"]]
        if current:
            out.append(
                f"{measured} Opt-out registries applied: "
                + "; ".join(
                    f"{r['name']} version {r['version']} ({r['entries'] or 0:,} entries, {r['matched']:,} records "
                    f"matched, loaded {r['loaded']})"
                    for r in current
                )
                + "."
            )
        else:
            out.append(f"{measured} No opt-out registry has been applied.")
        return out

    def _missing(self) -> list[str]:
        rows = _rows(
            self.store,
            'SELECT source_id, path, reason, count(*) AS n, list(coalesce(line, "row") ORDER BY coalesce(line, '
            '"row"))[1:5] AS lines FROM bad_records GROUP BY ALL ORDER BY source_id, path, lines, reason',
        )
        if not rows:
            return [f"{self.say.measured()} Every line or row of the files read held a usable record."]
        total = sum(r["n"] for r in rows)
        parts = []
        for r in rows[:40]:
            where = ", ".join(str(x) for x in r["lines"] if x is not None)
            short = re.sub(r"\s+", " ", r["reason"] or "")[:160]
            parts.append(
                f"'{r['source_id']}' {self.paths.rel(r['path']) if r['path'] else ''}"
                + (f" line/row {where}" + (" ..." if r["n"] > 5 else "") if where else "")
                + f" ({r['n']:,}: {short})"
            )
        if len(rows) > 40:
            parts.append(f"and {len(rows) - 40} more (see the ledger's bad_records table)")
        out = [
            f"{self.say.measured()} {total:,} lines or rows could not be read as records and are not in the ledger, "
            "nor in any figure of this card: " + "; ".join(parts) + "."
        ]
        quality = _rows(
            self.store,
            "SELECT label, count(DISTINCT record_id) AS n, max(stamp) AS stamp FROM findings "
            "WHERE kind = 'quality' GROUP BY 1 ORDER BY 1",
        )
        out += [f"{self.say.measured(q['stamp'])} {q['n']:,} records flagged '{q['label']}'." for q in quality]
        return out

    def _tools(self) -> list[str]:
        stamps: dict[str, str] = {}
        for scan in self.facts["scans"]:
            for stamp in scan["scanners"] or []:
                stamps[stamp.split("@")[0]] = stamp
        if not stamps:
            return ["Not known: no scanner has been run over the records (ingest only)."]
        recognisers = self.store.scalar(
            "SELECT string_agg(DISTINCT detail, ', ' ORDER BY detail) FROM findings WHERE scanner = 'pii'"
        )
        out = []
        for name, stamp in sorted(stamps.items()):
            line = f"{stamp}: the provenance-toolkit '{name}' scanner (name@version#config-hash)"
            if name == "pii" and recognisers:
                line += f"; recognisers that found something: {recognisers}"
            out.append(line + ".")
        out += model_credits(self.store)
        return out

    def _pii(self) -> list[str]:
        stamp = _latest_stamp(self.store, "pii")
        if stamp is None:
            return [
                "Not measured: no PII scan is recorded in the ledger, so nothing is claimed about personal data in "
                "the text."
            ]
        scanned = self.store.scalar("SELECT count(DISTINCT record_id) FROM record_scans WHERE stamp = ?", [stamp])
        rows = _rows(
            self.store,
            "SELECT label, count(DISTINCT record_id) AS n FROM findings WHERE scanner = 'pii' AND stamp = ? "
            "GROUP BY 1 ORDER BY 2 DESC, 1",
            [stamp],
        )
        say = self.say.measured(stamp)
        if rows:
            types = "; ".join(f"{r['label']} {r['n']:,} ({_pct(r['n'], scanned)})" for r in rows)
            out = [
                f"{say} {scanned:,} records scanned for personal data (values are never stored; the ledger keeps "
                f"keyed hashes). Records with at least one finding, by type: {types}."
            ]
            per_source = _rows(
                self.store,
                "SELECT r.source_id, string_agg(DISTINCT f.label, ', ' ORDER BY f.label) AS labels, "
                "count(DISTINCT f.record_id) AS n FROM findings f JOIN records r USING (record_id) "
                "WHERE f.scanner = 'pii' AND f.stamp = ? GROUP BY 1 ORDER BY 1",
                [stamp],
            )
            out.append(
                f"{say} By source: "
                + "; ".join(f"'{p['source_id']}' {p['n']:,} records ({p['labels']})" for p in per_source)
                + "."
            )
        else:
            out = [f"{say} {scanned:,} records scanned for personal data; no finding."]
        gaps = self._not_checked("pii")
        out.append(
            "Not looked for: " + "; ".join(gaps) + "."
            if gaps
            else "Names of people, places and organisations were looked for (NER tier)."
        )
        return out

    def _not_checked(self, scanner: str | None = None) -> list[str]:
        for scan in reversed(self.facts["scans"]):
            names = [s.split("@")[0] for s in scan["scanners"] or []]
            if scanner is None or scanner in names:
                gaps = list(scan["not_checked"] or [])
                if scanner == "pii":
                    gaps = [g for g in gaps if "pii" in g or "names" in g]
                return gaps
        return []

    def _sensitive_attributes(self, demo) -> list[str]:
        if demo.scanner is None:
            return [
                "Sensitive human attributes (gender, religion, age, ...): not measured (no demographics scan is "
                "recorded in the ledger)."
            ]
        k = demo.min_cell_count
        shown = [
            f"{a.axis} {a.records_mentioning:,}" if a.records_mentioning is not None else f"{a.axis} <{k}"
            for a in demo.axes
        ]
        return [
            f"{self.say.measured(demo.scanner)} Mentions of sensitive human attributes in the text (records "
            f"mentioning each axis; counts under {k} are not shown): " + ", ".join(shown) + ". Mentions measure what "
            "the text talks about, not who wrote it."
        ]

    def _biases(self, lang, demo) -> list[str]:
        out = []
        sources = self.facts["sources"]
        total = sum(s["records"] for s in sources)
        if total:
            out.append(
                f"{self.say.measured()} Records by source: "
                + ", ".join(
                    f"'{s['source_id']}' {_pct(s['records'], total)}"
                    for s in sorted(sources, key=lambda s: -s["records"])
                )
                + "."
            )
        if lang.scanner is None:
            out.append("Languages: not measured (no language scan is recorded in the ledger).")
        else:
            top = ", ".join(f"{r.language} {r.char_share or 0:.1%}" for r in lang.languages[:12])
            out.append(
                f"{self.say.measured(lang.scanner)} Languages, by share of characters over {lang.records:,} records: "
                f"{top}. Effective number of languages {lang.effective_languages:.2f}; "
                f"{lang.low_resource_share:.1%} of characters in low-resource languages; {lang.mixed_records:,} "
                f"mixed-language and {lang.unknown_records:,} unidentified ('und') records."
            )
            for d in lang.declared_vs_measured:
                if d.declared_not_found or d.found_not_declared:
                    out.append(
                        f"'{d.source}': {self.say.declared} languages {', '.join(d.declared) or 'none'}; "
                        f"{self.say.measured(lang.scanner)} {', '.join(d.measured) or 'none'} (at least 5% of its "
                        "characters)."
                    )
        if demo.scanner is None:
            out.append("Demographic mentions: not measured (no demographics scan is recorded in the ledger).")
        else:
            k = demo.min_cell_count
            parts = []
            for axis in demo.axes:
                groups = sorted((g for g in axis.groups if g.records is not None), key=lambda g: -(g.records or 0))
                n = f"{axis.records_mentioning:,}" if axis.records_mentioning is not None else f"<{k}"
                text = f"{axis.axis} {n} records"
                if groups:
                    text += " (" + ", ".join(f"{g.group} {g.records:,}" for g in groups[:4]) + ")"
                if axis.normalised_entropy is not None and axis.records_mentioning is not None:
                    text += f", evenness {axis.normalised_entropy:.2f}"
                parts.append(text)
            line = (
                f"{self.say.measured(demo.scanner)} Records mentioning demographic groups, per axis, from the "
                f"HolisticBias and Gender-GAP lexicons (cells under {k} records are not shown): "
                + "; ".join(parts)
                + "."
            )
            if demo.female_male_ratio is not None:
                line += f" Gendered words: {demo.female_male_ratio:.2f} feminine per masculine mention."
            out.append(line)
        return out

    def _limitations(self) -> list[str]:
        out = []
        bad = sum(s["bad"] for s in self.facts["sources"])
        if bad:
            where = ", ".join(f"'{s['source_id']}' {s['bad']:,}" for s in self.facts["sources"] if s["bad"])
            out.append(
                f"{self.say.measured()} {bad:,} unreadable lines or rows are left out ({where}); see "
                "dataCollectionMissingData."
            )
        unknown = _rows(
            self.store,
            "SELECT r.source_id, count(DISTINCT r.record_id) AS n FROM records r JOIN sources s USING (source_id) "
            "WHERE coalesce(r.record_license, s.license) = 'NOASSERTION' GROUP BY 1 ORDER BY 1",
        )
        if unknown:
            out.append(
                f"{self.say.measured()} No licence is known for "
                + ", ".join(f"{u['n']:,} records of '{u['source_id']}'" for u in unknown)
                + f" ({self.say.declared} 'unknown', and no per-record licence): all rights may be reserved."
            )
        custom = _rows(
            self.store,
            "SELECT coalesce(r.record_license, s.license) AS lic, count(DISTINCT r.record_id) AS n "
            "FROM records r JOIN sources s USING (source_id) "
            "WHERE coalesce(r.record_license, s.license) LIKE '%LicenseRef-%' GROUP BY 1 ORDER BY 1",
        )
        if custom:
            out.append(
                f"{self.say.measured()} Records under custom terms the toolkit cannot judge: "
                + ", ".join(f"{c['lic']} ({c['n']:,} records)" for c in custom)
                + "; read those terms."
            )
        from .hf_readme import consent_facts

        states: dict[str, int] = defaultdict(int)
        for counts in consent_facts(self.store)["states"].values():
            for state, n in counts.items():
                states[state] += n
        if states["opted_out"] or states["revoked"] or states["unknown"]:
            out.append(
                f"{self.say.measured()} Consent: {states['opted_out']:,} records are opted out and "
                f"{states['revoked']:,} revoked (provenance's load-time policy drops both by default); "
                f"{states['unknown']:,} records have no known consent basis and no consent signal. See "
                "dataCollection."
            )
        gaps = self._not_checked()
        if gaps:
            out.append("Not looked for by the last scan: " + "; ".join(gaps) + ".")
        fileless = [
            s["source_id"] for s in self.facts["sources"] if s["records"] and s["source_id"] not in self.in_files
        ]
        if fileless:
            out.append(
                f"{self.say.measured()} Records of "
                + ", ".join(f"'{x}'" for x in fileless)
                + " were not read from files (provenance.track on in-memory or hub datasets): no file or record set "
                "describes them here."
            )
        gone = [f for f in self.facts["files"] if f.state in ("missing", "changed")]
        if gone:
            out.append(
                f"{len(gone):,} file(s) the ledger read are gone or have changed size since the scan: the figures "
                "describe the data as it was read."
            )
        if not self.facts["scans"]:
            out.append("No scan is recorded in the ledger: no content figure is measured.")
        return out or ["Not known: the ledger records no limitation."]

    def _use_cases(self) -> list[str]:
        from ..licenses import check_licenses
        from ..models import Purpose

        out = ["Not known: no intended use is declared in the sources manifest."]
        if self.store.scalar("SELECT count(*) FROM records"):
            for purpose in (
                Purpose(commercial=True, train=True),
                Purpose(commercial=False, train=True),
                Purpose(commercial=False, train=True, release=True),
            ):
                report = check_licenses(self.store, purpose)
                blockers = [c.rule for c in report.conclusions if c.severity.value == "blocker"]
                out.append(
                    f"[measured from the declared and per-record licences, provenance-toolkit {__version__} licence "
                    f"rules] {report.verdict[0].upper()}{report.verdict[1:]}"
                    + (f" ({', '.join(sorted(set(blockers)))})" if blockers else "")
                    + ". An audit aid, not legal advice."
                )
        runs = _rows(
            self.store,
            "SELECT r.name, r.run_id, count(DISTINCT rr.record_id) AS n FROM runs r "
            "LEFT JOIN run_records rr USING (run_id) GROUP BY ALL ORDER BY min(r.started_at), r.name",
        )
        if runs:
            out.append(
                f"{self.say.measured()} Used by training runs: "
                + ", ".join(f"{r['name']} ({r['n']:,} records)" for r in runs[:20])
                + (" ..." if len(runs) > 20 else "")
                + "."
            )
        return out

    def _maintenance(self) -> list[str]:
        out = ["Not known: no release or maintenance plan is declared in the sources manifest."]
        events = _rows(
            self.store,
            "SELECT e.action, count(DISTINCT e.event_id) AS n, count(DISTINCT x.record_id) AS records "
            "FROM consent_events e LEFT JOIN exclusions x USING (event_id) GROUP BY 1 ORDER BY 1",
        )
        if events:
            out.append(
                f"{self.say.measured()} Consent events recorded in the ledger's revocation log: "
                + ", ".join(f"{e['action']} {e['n']:,} ({e['records']:,} records covered now)" for e in events)
                + "."
            )
        else:
            out.append(f"{self.say.measured()} No revocation is recorded in the ledger.")
        out.append(
            "Consent can be revoked with provenance-toolkit: 'provenance consent revoke' (a record, source, domain, "
            "URL prefix, author or content hash) and 'provenance forget' (a person's removal request) exclude the "
            "records from later loads and name the training runs and card releases that used them."
        )
        if self.facts["scans"]:
            last = self.facts["scans"][-1]
            out.append(
                f"{self.say.measured()} Last finished scan {last['scan_id']} ({last['command']}), "
                f"provenance-toolkit {last['toolkit_version']}."
            )
        return out

    # -- the dataset ---------------------------------------------------------------------------------------------
    def licences(self) -> list[Any]:
        rows = _rows(
            self.store,
            "SELECT coalesce(r.record_license, s.license) AS lic, count(DISTINCT r.record_id) AS n, "
            "min(s.terms_url) AS terms FROM records r JOIN sources s USING (source_id) GROUP BY 1 "
            "ORDER BY n DESC, lic",
        )
        if not rows:
            rows = [{"lic": s["license"], "n": 0, "terms": s.get("terms_url")} for s in self.facts["sources"]]
        seen, out = set(), []
        for r in rows:
            if r["lic"] in seen:
                continue
            seen.add(r["lic"])
            out.append(_license_value(r["lic"], r["terms"] if "LicenseRef-" in r["lic"] else None))
        return out

    def build(self) -> dict[str, Any]:
        opts = self.opts
        dist, object_ids, set_ids = self.distribution()
        record_sets = self.record_sets(object_ids, set_ids)
        rai = self.rai()
        sources = self.facts["sources"]
        total = sum(s["records"] for s in sources)
        total_bytes = sum(s["bytes"] for s in sources)
        summary = (
            f"{self.say.measured()} {total:,} distinct records, {human_bytes(total_bytes)} of normalised text, from "
            f"{len(sources)} source(s): " + ", ".join(f"{s['source_id']} ({s['name']})" for s in sources) + ". "
            "Statements are marked [measured by STAMP] (a scanner, by name@version#config-hash), [measured by the "
            "ledger] (counted when the data was read) or [declared in FILE] (written by the curators in the sources "
            "manifest)."
        )
        if self.entries is None:
            summary += (
                " The sources manifest was not found, so which column holds the text is not known and the record "
                "sets list only what the ledger measured."
            )
        description = f"{opts['description'].rstrip()}\n\n{summary}" if opts.get("description") else summary
        published = opts.get("date_published") or dt.date.today()
        if isinstance(published, dt.datetime):
            published = published.date()
        creators = opts.get("creator")
        if creators is None:
            collectors = sorted({s["collector"] for s in sources if s.get("collector")})
            creators = [
                {"@type": "sc:Organization", "name": c, "description": f"{self.say.declared} collector of the data"}
                for c in collectors
            ]
        elif isinstance(creators, str):
            creators = [{"@type": "sc:Organization", "name": creators}]
        elif isinstance(creators, dict):
            creators = [creators]
        languages = [r.language for r in self.lang.languages if r.language != "und" and (r.records or 0) > 0]
        if not languages:
            languages = sorted({lang for s in sources for lang in (s.get("languages") or [])})
        name = opts["name"]
        year = published.isoformat()[:4] if hasattr(published, "isoformat") else str(published)[:4]
        cite = opts.get("cite_as") or (
            f"@misc{{{re.sub(r'[^A-Za-z0-9]+', '_', name).strip('_').lower() or 'dataset'}_{year},\n"
            f"  title = {{{name}}},\n"
            + (f"  author = {{{' and '.join(c['name'] for c in creators if c.get('name'))}}},\n" if creators else "")
            + f"  year = {{{year}}},\n"
            + (f"  url = {{{opts['url']}}},\n" if opts.get("url") else "")
            + f"  note = {{Croissant metadata generated by provenance-toolkit {__version__}}}\n}}"
        )
        doc: dict[str, Any] = {
            "@context": CONTEXT,
            "@type": "sc:Dataset",
            "name": name,
            "description": description,
            "conformsTo": [CROISSANT_SPEC, RAI_SPEC],
            "citeAs": cite,
            "creator": creators[0] if len(creators) == 1 else creators,
            "datePublished": published.isoformat() if hasattr(published, "isoformat") else str(published),
            "license": self.licences(),
            "url": opts.get("url"),
            "version": opts.get("version"),
            "inLanguage": languages or None,
            "keywords": opts.get("keywords"),
            "prov:wasDerivedFrom": [rs["prov:wasDerivedFrom"] for rs in record_sets if "prov:wasDerivedFrom" in rs]
            or None,
            **rai,
            "distribution": dist,
            "recordSet": record_sets,
        }
        # Per-source entities are described in full on their record set; the dataset refers to them by id.
        if doc["prov:wasDerivedFrom"]:
            unique = list(dict.fromkeys(e["@id"] for e in doc["prov:wasDerivedFrom"]))
            doc["prov:wasDerivedFrom"] = [{"@id": i} for i in unique]
        if not creators:
            doc.pop("creator")
        return {k: v for k, v in doc.items() if v not in (None, [], "")}


def render_croissant(
    store: Ledger,
    output_dir: str | Path = ".",
    *,
    name: str = "Dataset",
    description: str | None = None,
    url: str | None = None,
    version: str | None = None,
    date_published: dt.date | str | None = None,
    creator: str | dict | list[dict] | None = None,
    cite_as: str | None = None,
    keywords: list[str] | None = None,
    base_url: str | None = None,
    manifest: str | Path | None = None,
    checksums: bool = True,
) -> dict[str, Any]:
    """The Croissant JSON-LD document (a dict) for an open ledger; see :func:`write_croissant`."""
    if isinstance(date_published, str):
        date_published = dt.date.fromisoformat(date_published[:10])
    opts = {
        "name": name,
        "description": description,
        "url": url,
        "version": version,
        "date_published": date_published,
        "creator": creator,
        "cite_as": cite_as,
        "keywords": keywords,
        "base_url": base_url,
        "manifest": manifest,
        "checksums": checksums,
    }
    return _Builder(store, Path(output_dir).resolve(), opts).build()


def write_croissant(
    ledger: str | Path | Ledger,
    output_dir: str | Path,
    *,
    name: str = "Dataset",
    description: str | None = None,
    url: str | None = None,
    version: str | None = None,
    date_published: dt.date | str | None = None,
    creator: str | dict | list[dict] | None = None,
    cite_as: str | None = None,
    keywords: list[str] | None = None,
    base_url: str | None = None,
    manifest: str | Path | None = None,
    checksums: bool = True,
) -> Path:
    """Write ``croissant.json`` (Croissant 1.1 with the RAI vocabulary) into the folder ``output_dir``; return its path.

    ``name``, ``description`` (put before the measured summary), ``url``, ``version``, ``date_published`` (default:
    today), ``creator`` (default: the declared collectors), ``cite_as`` (default: a generated BibTeX entry) and
    ``keywords`` are what a person says about the release. File locations are written relative to ``output_dir`` so
    that mlcroissant can read the local files, or under ``base_url`` (keeping the layout below the corpus root) for
    a published copy. ``manifest`` overrides the sources manifest path the ledger recorded. ``checksums=False`` skips
    hashing the files (then they are described as FileSets, without checksums).
    """
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    kwargs = dict(
        name=name,
        description=description,
        url=url,
        version=version,
        date_published=date_published,
        creator=creator,
        cite_as=cite_as,
        keywords=keywords,
        base_url=base_url,
        manifest=manifest,
        checksums=checksums,
    )
    if isinstance(ledger, Ledger):
        doc = render_croissant(ledger, out, **kwargs)
    else:
        with Ledger(ledger, read_only=True) as store:
            doc = render_croissant(store, out, **kwargs)
    target = out / FILENAME
    target.write_text(to_json_ld(doc) + "\n", encoding="utf-8")
    return target


# '<', '>' and '&' as JSON escapes: the same data, but a page that embeds the JSON-LD in a <script> element (as
# dataset pages do) cannot have it closed early by a declared name or a file name holding '</script>'
_JSON_IN_HTML = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def to_json_ld(doc: dict) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False, default=str).translate(_JSON_IN_HTML)

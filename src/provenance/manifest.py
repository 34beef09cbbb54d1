"""Load ``sources.yaml``: validate it, normalise licences, resolve globs, and report errors by file, line and field."""

from __future__ import annotations

import glob
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from .errors import ManifestError
from .licenses import LicenseParseError, normalize_license
from .models import DataEntry, DataFormat, Source, SourceEntry, SourcesManifest
from .readers.remote import glob_uri, is_uri, uri_name

_EXTENSION_FORMATS = {
    ".jsonl": DataFormat.jsonl,
    ".ndjson": DataFormat.jsonl,
    ".json": DataFormat.json,
    ".csv": DataFormat.csv,
    ".tsv": DataFormat.tsv,
    ".parquet": DataFormat.parquet,
    ".txt": DataFormat.text,
    ".md": DataFormat.text,
    ".warc": DataFormat.warc,
}
COMPRESSION_SUFFIXES = (".gz", ".zst", ".zstd", ".bz2")


@dataclass(frozen=True)
class ResolvedEntry:
    """A manifest data entry with its glob expanded: the files (or dataset folder) one source contributes."""

    source_id: str
    entry: DataEntry
    paths: list[Path | str]  # a str is a URI (s3://..., file://...)
    format: DataFormat


@dataclass
class Manifest:
    path: Path
    sources: list[Source]
    entries: list[ResolvedEntry] = field(default_factory=list)
    snapshots: list[tuple[Path, str | None]] = field(default_factory=list)  # (folder, observed_at)
    registries: list[tuple[str, Path, str | None]] = field(default_factory=list)  # (name, file, description)

    def source(self, source_id: str) -> Source:
        return next(s for s in self.sources if s.id == source_id)


def infer_format(path: Path) -> DataFormat | None:
    suffixes = [s.lower() for s in path.suffixes]
    while suffixes and suffixes[-1] in COMPRESSION_SUFFIXES:
        suffixes.pop()
    return _EXTENSION_FORMATS.get(suffixes[-1]) if suffixes else None


def load_manifest(path: str | Path) -> Manifest:
    """Read and check a sources manifest; every problem is a :class:`ManifestError` naming file:line and field."""
    path = Path(path)
    if path.is_dir():
        path = path / "sources.yaml"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ManifestError(
            f"{path}: no such sources manifest", hint="pass --sources with the path of your sources.yaml"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ManifestError(f"{path}: cannot read the sources manifest ({exc})") from None
    data, lines = _parse_yaml(path, text)
    _check_unique_ids(path, data, lines)
    try:
        model = SourcesManifest.model_validate(data)
    except ValidationError as exc:
        raise ManifestError(_describe_validation(path, exc, lines), hint=_MANIFEST_HINT) from None
    base = path.parent
    sources, entries = [], []
    for i, entry in enumerate(model.sources):
        sources.append(_to_source(path, i, entry, lines))
        for j, data_entry in enumerate(entry.data):
            entries.append(_resolve(path, base, (i, j), entry.id, data_entry, lines))
    snapshots = [
        (base / snap.path, snap.observed_at.isoformat() if snap.observed_at else None)
        for entry in model.sources
        for snap in entry.consent_snapshots
    ]
    registries = [(r.name, base / r.path, r.description) for r in model.registries]
    return Manifest(path=path, sources=sources, entries=entries, snapshots=snapshots, registries=registries)


_MANIFEST_HINT = "see the 'Sources manifest' section of the README, or schemas/sources-manifest.schema.json"


def _parse_yaml(path: Path, text: str) -> tuple[Any, dict[tuple, int]]:
    """Parse with the safe loader (no Python objects), keeping the line of every mapping key and list item."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        raise ManifestError(_yaml_problem(path, text, exc), hint=_MANIFEST_HINT) from None
    except yaml.YAMLError as exc:
        raise ManifestError(f"{path}: not valid YAML: {exc}", hint=_MANIFEST_HINT) from None
    if node is None:
        raise ManifestError(f"{path}: the sources manifest is empty", hint=_MANIFEST_HINT)
    lines: dict[tuple, int] = {}
    _index_lines(node, (), lines)
    try:
        return yaml.SafeLoader(text).construct_document(node), lines
    except yaml.MarkedYAMLError as exc:  # e.g. a !!python/object tag: the safe loader refuses to build objects
        mark = exc.problem_mark or exc.context_mark
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise ManifestError(f"{where}: not allowed in a sources manifest: {exc.problem}", hint=_MANIFEST_HINT) from None


def _yaml_problem(path: Path, text: str, exc: yaml.MarkedYAMLError) -> str:
    """Name the line where the problem starts: an unclosed quote is noticed only at the end of the file."""
    last_line = text.count("\n") + (0 if text.endswith("\n") else 1)
    problem, context = exc.problem_mark, exc.context_mark
    if context is not None and (problem is None or problem.line + 1 > last_line):
        detail = f"{exc.context} here, and {exc.problem}" if exc.context else str(exc.problem)
        return f"{path}:{context.line + 1}: not valid YAML: {detail}"
    line = min(problem.line + 1, last_line) if problem is not None else 1
    return f"{path}:{line}: not valid YAML: {exc.problem}"


def _check_unique_ids(path: Path, data: Any, lines: dict[tuple, int]) -> None:
    if not isinstance(data, dict) or not isinstance(data.get("sources"), list):
        return
    first: dict[str, int] = {}
    for i, source in enumerate(data["sources"]):
        sid = source.get("id") if isinstance(source, dict) else None
        if not isinstance(sid, str):
            continue
        if sid in first:
            loc = ("sources", i, "id")
            raise ManifestError(
                f"{path}:{_line_of(loc, lines)}: {_field_name(loc)}: source id '{sid}' is already used by "
                f"sources[{first[sid]}] (line {_line_of(('sources', first[sid], 'id'), lines)})",
                hint="give every source its own id",
            )
        first[sid] = i


def _index_lines(node: yaml.Node, at: tuple, lines: dict[tuple, int]) -> None:
    lines[at] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            here = (*at, key.value)
            _index_lines(value, here, lines)
            lines[here] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index_lines(item, (*at, i), lines)


def _line_of(loc: tuple, lines: dict[tuple, int]) -> int:
    for n in range(len(loc), -1, -1):
        if loc[:n] in lines:
            return lines[loc[:n]]
    return 1


def _field_name(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _describe_validation(path: Path, exc: ValidationError, lines: dict[tuple, int]) -> str:
    problems = []
    for err in exc.errors()[:10]:
        # pydantic appends the union member it tried ("str", "list[str]") to loc; keep only the path in the file
        loc = tuple(p for p in err["loc"] if isinstance(p, int) or p in _known_keys(lines))
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown field (misspelt?)"
        problems.append(f"{path}:{_line_of(loc, lines)}: {_field_name(loc)}: {msg}")
    more = len(exc.errors()) - 10
    if more > 0:
        problems.append(f"... and {more} more")
    return "invalid sources manifest:\n  " + "\n  ".join(problems)


def _known_keys(lines: dict[tuple, int]) -> set:
    return (
        {p for key in lines for p in key if isinstance(p, str)}
        | set(SourceEntry.model_fields)
        | set(DataEntry.model_fields)
    )


def _to_source(path: Path, i: int, entry: SourceEntry, lines: dict[tuple, int]) -> Source:
    try:
        license = normalize_license(entry.license)
    except LicenseParseError as exc:
        loc = ("sources", i, "license")
        raise ManifestError(
            f"{path}:{_line_of(loc, lines)}: {_field_name(loc)} of source '{entry.id}': {exc}",
            hint="use an SPDX id (e.g. Apache-2.0, CC-BY-SA-4.0), an expression such as 'MIT OR Apache-2.0', "
            "LicenseRef-<name> for custom terms, or 'unknown'",
        ) from None
    fields = entry.model_dump(exclude={"license", "data", "consent_snapshots"})
    return Source(license=license, **fields)


def _resolve(
    path: Path, base: Path, at: tuple[int, int], source_id: str, entry: DataEntry, lines: dict[tuple, int]
) -> ResolvedEntry:
    i, j = at
    if entry.dataset is not None:
        folder = (base / entry.dataset).resolve()
        loc = ("sources", i, "data", j, "dataset")
        if not folder.is_dir():
            raise ManifestError(
                f"{path}:{_line_of(loc, lines)}: {_field_name(loc)}: no dataset folder at {folder}",
                hint="point 'dataset' at a folder written by datasets' save_to_disk, relative to the manifest",
            )
        return ResolvedEntry(source_id, entry, [folder], DataFormat.hf_disk)
    assert entry.path is not None
    loc = ("sources", i, "data", j, "path")
    if is_uri(entry.path):  # object storage and any other fsspec location: files stay where they are
        pattern = entry.path
        uris = glob_uri(pattern)
        if not uris:
            raise ManifestError(
                f"{path}:{_line_of(loc, lines)}: {_field_name(loc)}: '{entry.path}' matches no file",
                hint="check the URI, the fsspec driver for its scheme (s3fs, gcsfs, adlfs) and your credentials",
            )
        fmt = entry.format or infer_format(Path(uri_name(uris[0])))
        if fmt is None:
            raise ManifestError(
                f"{path}:{_line_of(loc, lines)}: {_field_name(loc)}: cannot tell the format of {uris[0]}",
                hint="add 'format:' to this data entry",
            )
        return ResolvedEntry(source_id, entry, list(uris), fmt)
    pattern = str(base / entry.path)
    matches = sorted(Path(p) for p in glob.glob(pattern, recursive=True) if Path(p).is_file())
    if not matches:
        raise ManifestError(
            f"{path}:{_line_of(loc, lines)}: {_field_name(loc)}: '{entry.path}' matches no file (looked for {pattern})",
            hint="check the path; it is relative to the folder of the manifest",
        )
    fmt = entry.format
    if fmt is None:
        formats = {infer_format(p) for p in matches}
        if None in formats or len(formats) != 1:
            raise ManifestError(
                f"{path}:{_line_of(loc, lines)}: {_field_name(loc)}: cannot tell the format of "
                f"{', '.join(p.name for p in matches[:3])} from the extension",
                hint="add 'format:' (jsonl, json, csv, tsv, parquet, text, text-lines, warc) to this data entry",
            )
        fmt = formats.pop()
    return ResolvedEntry(source_id, entry, [p.resolve() for p in matches], fmt)

"""Load ``sources.yaml``: validate it, normalise licences, resolve globs, and report errors by file, line and field."""

from __future__ import annotations

import glob
import os
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
# A manifest is a page of declarations: these bounds are far above any real one, and stop a hostile file (a huge
# file, YAML aliases that expand exponentially, nesting deep enough to exhaust the stack) before it costs anything.
MAX_MANIFEST_BYTES = 16 * 1024 * 1024
MAX_MANIFEST_VALUES = 500_000


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
        if path.stat().st_size > MAX_MANIFEST_BYTES:
            raise ManifestError(
                f"{path}: the sources manifest is {path.stat().st_size:,} bytes, more than the "
                f"{MAX_MANIFEST_BYTES:,} a manifest may have",
                hint="a manifest declares sources; list data files with globs rather than one by one",
            )
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ManifestError(
            f"{path}: no such sources manifest", hint="pass --sources with the path of your sources.yaml"
        ) from None
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        raise ManifestError(
            f"{path}:{line}: not UTF-8 (byte 0x{exc.object[exc.start]:02x})",
            hint="save the manifest as UTF-8 (e.g. iconv -f latin1 -t utf-8)",
        ) from None
    except OSError as exc:
        raise ManifestError(f"{path}: cannot read the sources manifest ({exc})") from None
    data, lines = _parse_yaml(path, text)
    _check_unique_ids(path, data, lines)
    try:
        model = SourcesManifest.model_validate(data)
    except ValidationError as exc:
        raise ManifestError(_describe_validation(path, exc, lines), hint=_MANIFEST_HINT) from None
    base = path.parent
    roots = _roots(path, base, model.roots, lines)
    sources, entries = [], []
    for i, entry in enumerate(model.sources):
        sources.append(_to_source(path, i, entry, lines))
        for j, data_entry in enumerate(entry.data):
            entries.append(_resolve(path, base, (i, j), entry.id, data_entry, lines, roots))
    snapshots = []
    for i, entry in enumerate(model.sources):
        for k, snap in enumerate(entry.consent_snapshots):
            folder = base / snap.path
            _confine(
                path, ("sources", i, "consent_snapshots", k, "path"), lines, f"'{snap.path}'", folder, roots, tree=True
            )
            snapshots.append((folder, snap.observed_at.isoformat() if snap.observed_at else None))
    registries = []
    for k, r in enumerate(model.registries):
        _confine(path, ("registries", k, "path"), lines, f"'{r.path}'", base / r.path, roots)
        registries.append((r.name, base / r.path, r.description))
    return Manifest(path=path, sources=sources, entries=entries, snapshots=snapshots, registries=registries)


_OUTSIDE_HINT = (
    "keep the data in the manifest's folder, or allow the folder it is in with a top-level list "
    "'roots: [/data/corpora]' (absolute, or relative to the manifest); a URI such as file:///data/x.jsonl is "
    "explicit and allowed as it is"
)


def _roots(path: Path, base: Path, declared: list[str], lines: dict[tuple, int]) -> list[Path]:
    """The folders paths may lead into: the manifest's own, and the ``roots:`` it declares (which must exist)."""
    roots = [base.resolve()]
    for k, root in enumerate(declared):
        loc = ("roots", k)
        if is_uri(root):
            raise ManifestError(
                f"{path}:{_line_of(loc, lines)}: {_field_name(loc)}: '{root}' is a URI; roots are local folders",
                hint="data named by a URI (s3://, file://...) needs no root: it is allowed as it is",
            )
        folder = (base / Path(root).expanduser()).resolve()
        if not folder.is_dir():
            raise ManifestError(
                f"{path}:{_line_of(loc, lines)}: {_field_name(loc)}: no folder at {folder}",
                hint="a root is a folder (absolute, or relative to the manifest) that data may come from",
            )
        roots.append(folder)
    return roots


def _outside(target: Path, roots: list[Path]) -> Path | None:
    """Where ``target`` really is (symbolic links followed) when that is under none of ``roots``, else None."""
    real = target.resolve()
    return None if any(real.is_relative_to(root) for root in roots) else real


def _confine(
    path: Path, loc: tuple, lines: dict[tuple, int], written: str, target: Path, roots: list[Path], tree: bool = False
) -> None:
    """Refuse a path that leads outside the allowed folders; with ``tree``, also any link inside the folder.
    ``written`` is how the manifest wrote it, quoted."""
    real = _outside(target, roots)
    if real is None and tree and target.is_dir():
        for folder, dirs, files in os.walk(target):  # links are not followed: each is checked instead
            for name in dirs + files:
                item = Path(folder) / name
                if item.is_symlink() and _outside(item, roots) is not None:
                    real = item.resolve()
                    written = f"{written} (its link {item.relative_to(target)})"
                    break
            if real is not None:
                break
    if real is None:
        return
    allowed = " or ".join(str(r) for r in roots)
    raise ManifestError(
        f"{path}:{_line_of(loc, lines)}: {_field_name(loc)}: {written} leads outside the folders data may come "
        f"from: {real} is not under {allowed}",
        hint=_OUTSIDE_HINT,
    )


_MANIFEST_HINT = "see the 'Sources manifest' section of the README, or schemas/sources-manifest.schema.json"


def _parse_yaml(path: Path, text: str) -> tuple[Any, dict[tuple, int]]:
    """Parse with the safe loader (no Python objects), keeping the line of every mapping key and list item."""
    too_deep = ManifestError(f"{path}: the YAML is nested too deeply to be a sources manifest", hint=_MANIFEST_HINT)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        raise ManifestError(_yaml_problem(path, text, exc), hint=_MANIFEST_HINT) from None
    except yaml.YAMLError as exc:
        raise ManifestError(f"{path}: not valid YAML: {exc}", hint=_MANIFEST_HINT) from None
    except RecursionError:
        raise too_deep from None
    if node is None:
        raise ManifestError(f"{path}: the sources manifest is empty", hint=_MANIFEST_HINT)
    lines: dict[tuple, int] = {}
    try:
        _index_lines(node, (), lines, [MAX_MANIFEST_VALUES])
    except RecursionError:
        raise too_deep from None
    except _TooManyValues as exc:
        raise ManifestError(
            f"{path}:{exc.args[0]}: the manifest expands to more than {MAX_MANIFEST_VALUES:,} values "
            "(YAML aliases repeating aliases?)",
            hint="write the values out, or keep anchors for small shared blocks such as common source fields",
        ) from None
    try:
        return yaml.SafeLoader(text).construct_document(node), lines
    except yaml.MarkedYAMLError as exc:  # e.g. a !!python/object tag: the safe loader refuses to build objects
        mark = exc.problem_mark or exc.context_mark
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise ManifestError(f"{where}: not allowed in a sources manifest: {exc.problem}", hint=_MANIFEST_HINT) from None
    except RecursionError:
        raise too_deep from None


class _TooManyValues(Exception):
    """Raised with the line where the walk of the YAML ran out of its budget of values."""


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


def _index_lines(node: yaml.Node, at: tuple, lines: dict[tuple, int], budget: list[int]) -> None:
    """The line of every value, by its path. ``budget`` counts values down: aliases share nodes, so a few lines of
    anchors can stand for billions of values ("billion laughs"); the walk stops long before that."""
    budget[0] -= 1
    if budget[0] < 0:
        raise _TooManyValues(node.start_mark.line + 1)
    lines[at] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            here = (*at, key.value)
            _index_lines(value, here, lines, budget)
            lines[here] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index_lines(item, (*at, i), lines, budget)


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
    path: Path,
    base: Path,
    at: tuple[int, int],
    source_id: str,
    entry: DataEntry,
    lines: dict[tuple, int],
    roots: list[Path],
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
        _confine(path, loc, lines, f"'{entry.dataset}'", base / entry.dataset, roots, tree=True)
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
    found = [Path(p) for p in glob.glob(pattern, recursive=True)]
    matches = sorted(p for p in found if p.is_file())
    # a dangling link beside real files is kept, so the reader reports it by name instead of it vanishing
    dangling = sorted(p.absolute() for p in found if p.is_symlink() and not p.exists()) if matches else []
    if not matches:
        raise ManifestError(
            f"{path}:{_line_of(loc, lines)}: {_field_name(loc)}: '{entry.path}' matches no file (looked for {pattern})",
            hint="check the path; it is relative to the folder of the manifest",
        )
    for match in matches:  # '..', an absolute path or a symbolic link may lead anywhere: only allowed folders
        _confine(path, loc, lines, f"'{entry.path}'" + ("" if len(matches) == 1 else f" ({match.name})"), match, roots)
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
    return ResolvedEntry(source_id, entry, [p.resolve() for p in matches] + list(dangling), fmt)

"""Opt-out registries: files listing the domains, URL prefixes, authors and content hashes that opted out of AI use.

A registry is a *versioned fact* a release is checked against, so it must load exactly or not at all: one bad entry
fails the whole file with one error that names every bad line (up to five), rather than silently dropping the
entry someone asked us to honour. Entries are normalised to the forms the ledger and the scanners compare on
(punycode host names, scheme-less URL prefixes, case-folded authors, 32-hex content hashes), so two spellings of
the same opt-out are one entry and ``registry_digest`` identifies the version whatever order or comments it has.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from provenance.errors import InputError

__all__ = [
    "ENTRY_KINDS",
    "EntryKind",
    "RegistryEntry",
    "infer_kind",
    "normalise_entry",
    "parse_registry",
    "parse_registry_text",
    "registry_digest",
]

EntryKind = Literal["domain", "url_prefix", "author", "content_hash"]
ENTRY_KINDS: tuple[str, ...] = ("domain", "url_prefix", "author", "content_hash")

# Spellings of the kinds people use in typed lines, "kind" cells and CSV headers.
_KIND_ALIASES = {
    "domain": "domain",
    "host": "domain",
    "url": "url_prefix",
    "url_prefix": "url_prefix",
    "author": "author",
    "account": "author",
    "username": "author",
    "hash": "content_hash",
    "content_hash": "content_hash",
    "sha256": "content_hash",
}
_JSON_KEYS = {"domains": "domain", "url_prefixes": "url_prefix", "authors": "author", "content_hashes": "content_hash"}
_CSV_COLUMNS = {k: v for k, v in _KIND_ALIASES.items() if k != "host"}

_MAX_AUTHOR = 200
_MAX_LISTED = 5
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_DOMAIN_RE = re.compile(rf"(?=.{{1,253}}\Z)(?:{_LABEL}\.)+{_LABEL}")
_LABEL_RE = re.compile(_LABEL)
_HASH_RE = re.compile(r"[0-9a-f]{32}(?:[0-9a-f]{32})?")
_SCHEME_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://")
_AUTHORITY_END_RE = re.compile(r"[/?]")
_TRAILING_COMMENT_RE = re.compile(r"\s#")

_HINT_ENTRIES = (
    "entries look like 'domain:example.com', 'url:https://example.com/blog/', 'author:@jdoe' or "
    "'sha256:<64 or 32 hex digits>'; an untyped value is read as a URL prefix (http:// or https://), a content "
    "hash (32 or 64 hex digits), an author (@name) or a domain name"
)
_HINT_CSV = (
    "the header row needs 'kind' and 'value' columns, or any of the columns domain, url, url_prefix, author, "
    "account, username, content_hash, sha256, hash (other columns are ignored)"
)
_HINT_JSON = (
    'use an array of strings, an array of {"kind": ..., "value": ...} objects, or an object with arrays under '
    '"domains", "url_prefixes", "authors" and "content_hashes"'
)


@dataclass(frozen=True, slots=True)
class RegistryEntry:
    """One normalised opt-out; ``line`` (or JSON item number) points back into the file for messages."""

    kind: str
    value: str
    line: int


# ---- normalisation --------------------------------------------------------------------------------------------------


def _show(value: str) -> str:
    return repr(value if len(value) <= 60 else value[:57] + "...")


@lru_cache(maxsize=65_536)
def _idna(host: str) -> str:
    """Punycode of a non-ASCII host (IDNA 2003, the stdlib codec: no download, no extra dependency)."""
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise ValueError(f"{_show(host)} is not a valid international domain name ({exc})") from None


def _host(host: str, original: str) -> str:
    """Lower-case, punycode and validate a host name; ``original`` is shown in the error."""
    host = host.lower()
    if host.endswith("."):
        host = host[:-1]
    if not host.isascii():
        host = _idna(host)
    if _DOMAIN_RE.fullmatch(host):
        return host
    raise ValueError(f"{_show(original)} is not a domain name: {_domain_problem(host)}")


def _domain_problem(host: str) -> str:
    """Why a host failed validation; only computed on the error path, so the fast path stays one regex."""
    if not host:
        return "it is empty"
    if len(host) > 253:
        return f"it has {len(host)} characters (at most 253)"
    labels = host.split(".")
    if len(labels) < 2:
        return "it needs at least two labels (example.com)"
    for label in labels:
        if not label:
            return "it has an empty label"
        if len(label) > 63:
            return f"label {_show(label)} is longer than 63 characters"
        if not _LABEL_RE.fullmatch(label):
            return f"label {_show(label)} may only hold a-z, 0-9 and '-', and not start or end with '-'"
    return "it is not a host name"  # pragma: no cover - every failure above is covered


def _split_port(authority: str, original: str) -> tuple[str, int | None]:
    host, colon, port = authority.rpartition(":")
    if not colon:
        return authority, None
    if not port.isascii() or not port.isdigit() or int(port) > 65535:
        raise ValueError(f"{_show(original)} has an invalid port {_show(port)}")
    return host, int(port)


def _authority(rest: str, original: str) -> tuple[str, str]:
    """Split ``host[:port]/path?query`` (scheme already gone) into the authority, without userinfo, and the rest."""
    match = _AUTHORITY_END_RE.search(rest)
    cut = match.start() if match else len(rest)
    authority, tail = rest[:cut], rest[cut:]
    authority = authority.rpartition("@")[2]
    if authority.startswith("["):
        raise ValueError(f"{_show(original)} has an IP literal host; registries name hosts")
    return authority, tail


def _normalise_domain(value: str) -> str:
    text = value.strip()
    if "://" in text:  # a full URL given as a domain: its host is meant
        if not _SCHEME_RE.match(text):
            raise ValueError(f"{_show(value)} is not a domain name or URL")
        text = _authority(text.split("://", 1)[1].split("#", 1)[0], value)[0]
    elif "/" in text:
        raise ValueError(f"{_show(value)} has a path; a domain is a host name (use url: for a URL prefix)")
    if text.startswith("*."):
        text = text[2:]
    elif text.startswith("."):
        text = text[1:]
    text = _split_port(text, value)[0]
    return _host(text, value)


def _normalise_url_prefix(value: str) -> str:
    text = value.strip()
    scheme = _SCHEME_RE.match(text)
    if scheme:
        if scheme.group(0).lower() not in ("http://", "https://"):
            raise ValueError(f"{_show(value)} is not an http(s) URL")
        text = text[scheme.end() :]
    elif text.startswith("//"):
        text = text[2:]
    text = text.split("#", 1)[0]
    if any(c.isspace() for c in text):
        raise ValueError(f"{_show(value)} contains whitespace; percent-encode it (%20)")
    authority, tail = _authority(text, value)
    host, port = _split_port(authority, value)
    if not host:
        raise ValueError(f"{_show(value)} has no host name")
    host = _host(host, value)
    if port is not None and port not in (80, 443):
        host = f"{host}:{port}"
    if not tail.startswith("/"):
        tail = "/" + tail
    return host + tail


def _normalise_author(value: str) -> str:
    # Collapse first, then drop every leading '@' and space: "@ @jdoe" and "jdoe" are one author, and a second
    # normalisation finds nothing more to strip (idempotent).
    text = " ".join(value.split()).lstrip("@ ").casefold()
    if not text:
        raise ValueError(f"{_show(value)} is an empty author name")
    if len(text) > _MAX_AUTHOR:
        raise ValueError(f"author {_show(value)} is longer than {_MAX_AUTHOR} characters")
    return text


def _normalise_hash(value: str) -> str:
    text = value.strip().lower()
    if text.startswith("sha256:"):
        text = text[7:].strip()
    if _HASH_RE.fullmatch(text):
        return text[:32]  # the ledger's content_hash is sha256(normalised text)[:32]
    raise ValueError(f"{_show(value)} is not a content hash (32 or 64 hex digits, optionally 'sha256:')")


_NORMALISERS = {
    "domain": _normalise_domain,
    "url_prefix": _normalise_url_prefix,
    "author": _normalise_author,
    "content_hash": _normalise_hash,
}


def normalise_entry(kind: str, value: str) -> str:
    """The comparable form of one entry (aliases such as ``url`` or ``sha256`` accepted for ``kind``).

    Raises ``ValueError`` whose message says, for a person, what is wrong with the value.
    """
    canonical = _KIND_ALIASES.get(kind.strip().lower()) if isinstance(kind, str) else None
    if canonical is None:
        raise ValueError(f"unknown entry kind {_show(str(kind))} (expected one of {', '.join(ENTRY_KINDS)})")
    if not isinstance(value, str):
        raise ValueError(f"the value must be text, not {type(value).__name__}")
    return _NORMALISERS[canonical](value)


def infer_kind(value: str) -> tuple[str, str]:
    """(kind, normalised value) of an untyped entry: http(s) URL, 32/64 hex hash, ``@author``, else a domain.

    Raises ``ValueError`` when the value is none of these.
    """
    text = value.strip()
    head = text[:8].lower()
    if head.startswith(("http://", "https://")):
        return "url_prefix", _normalise_url_prefix(text)
    if len(text) in (32, 64) and _HASH_RE.fullmatch(text.lower()):
        return "content_hash", text.lower()[:32]
    if head.startswith("sha256:"):
        return "content_hash", _normalise_hash(text)
    if text.startswith("@"):
        return "author", _normalise_author(text)
    try:
        return "domain", _normalise_domain(text)
    except ValueError:
        if "." in text and not any(c.isspace() for c in text):
            raise  # it was meant as a domain: say what is wrong with it
        raise ValueError(
            f"{_show(value)} is not a URL (http:// or https://), a content hash, an @author or a domain name"
        ) from None


# ---- parsing --------------------------------------------------------------------------------------------------------


class _Collector:
    """Keeps the first of each (kind, value) and every error, so one InputError can list all bad lines."""

    def __init__(self) -> None:
        self.entries: list[RegistryEntry] = []
        self.seen: set[tuple[str, str]] = set()
        self.errors: list[str] = []

    def add(self, kind: str, value: str, line: int) -> None:
        key = (kind, value)
        if key not in self.seen:
            self.seen.add(key)
            self.entries.append(RegistryEntry(kind, value, line))

    def typed(self, kind: str, value: object, line: int, where: str) -> None:
        try:
            if not isinstance(value, str):
                raise ValueError(f"the value must be text, not {type(value).__name__}")
            self.add(_KIND_ALIASES[kind], normalise_entry(kind, value), line)
        except ValueError as exc:
            self.errors.append(f"{where}: {exc}")

    def untyped(self, value: object, line: int, where: str) -> None:
        try:
            if not isinstance(value, str):
                raise ValueError(f"expected a string, found {type(value).__name__}")
            self.add(*infer_kind(value), line)
        except ValueError as exc:
            self.errors.append(f"{where}: {exc}")

    def finish(self, name: str, hint: str) -> list[RegistryEntry]:
        if self.errors:
            listed = "\n  ".join(self.errors[:_MAX_LISTED])
            more = len(self.errors) - _MAX_LISTED
            tail = f"\n  and {more} more" if more > 0 else ""
            count = "1 invalid entry" if len(self.errors) == 1 else f"{len(self.errors)} invalid entries"
            raise InputError(
                f"{name}: {count} (a registry loads completely or not at all):\n  {listed}{tail}", hint=hint
            )
        if not self.entries:
            raise InputError(f"{name}: the registry has no entries", hint=hint)
        return self.entries


def _parse_txt(text: str, name: str) -> list[RegistryEntry]:
    out = _Collector()
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if not line or line[0] == "#":
            continue
        if "#" in line:
            comment = _TRAILING_COMMENT_RE.search(line)
            if comment:
                line = line[: comment.start()].rstrip()
        head, colon, tail = line.partition(":")
        kind = _KIND_ALIASES.get(head.strip().lower()) if colon else None
        if kind is not None:
            out.typed(kind, tail, number, f"line {number}")
        else:
            out.untyped(line, number, f"line {number}")
    return out.finish(name, _HINT_ENTRIES)


def _parse_csv(text: str, name: str, delimiter: str) -> list[RegistryEntry]:
    out = _Collector()
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    columns: list[tuple[int, str]] | None = None
    kind_value: tuple[int, int] | None = None
    try:
        for row in reader:
            number = reader.line_num
            cells = [cell.strip() for cell in row]
            if not any(cells) or cells[0].startswith("#"):
                continue
            if columns is None and kind_value is None:
                header = [cell.lower() for cell in cells]
                if "kind" in header and "value" in header:
                    kind_value = (header.index("kind"), header.index("value"))
                    continue
                columns = [(i, _CSV_COLUMNS[h]) for i, h in enumerate(header) if h in _CSV_COLUMNS]
                if not columns:
                    raise InputError(
                        f"{name}: line {number}: no recognised column in the header {', '.join(row)}", hint=_HINT_CSV
                    )
                continue
            if kind_value is not None:
                k, v = kind_value
                kind = cells[k] if k < len(cells) else ""
                value = cells[v] if v < len(cells) else ""
                if kind.lower() not in _KIND_ALIASES:
                    out.errors.append(
                        f"line {number}: unknown kind {_show(kind)} (expected one of {', '.join(ENTRY_KINDS)})"
                    )
                else:
                    out.typed(kind.lower(), value, number, f"line {number}")
                continue
            for index, kind in columns or ():
                if index < len(cells) and cells[index]:
                    out.typed(kind, cells[index], number, f"line {number}")
    except csv.Error as exc:
        raise InputError(f"{name}: line {reader.line_num}: not readable as CSV ({exc})", hint=_HINT_CSV) from None
    if columns is None and kind_value is None:
        raise InputError(f"{name}: the registry has no entries (not even a header row)", hint=_HINT_CSV)
    return out.finish(name, _HINT_CSV + "; " + _HINT_ENTRIES)


def _parse_json(text: str, name: str) -> list[RegistryEntry]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{name}: line {exc.lineno} column {exc.colno}: invalid JSON ({exc.msg})", hint=_HINT_JSON
        ) from None
    except (ValueError, RecursionError) as exc:
        raise InputError(f"{name}: invalid JSON ({type(exc).__name__})", hint=_HINT_JSON) from None
    out = _Collector()
    if isinstance(data, list):
        for index, item in enumerate(data, start=1):
            where = f"item {index}"
            if isinstance(item, dict):
                kind, value = item.get("kind"), item.get("value")
                if not isinstance(kind, str) or kind.strip().lower() not in _KIND_ALIASES:
                    out.errors.append(f"{where}: 'kind' must be one of {', '.join(ENTRY_KINDS)}, found {kind!r:.60}")
                else:
                    out.typed(kind.strip().lower(), value, index, where)
            else:
                out.untyped(item, index, where)
    elif isinstance(data, dict):
        known = [key for key in data if key in _JSON_KEYS]
        unknown = [key for key, value in data.items() if key not in _JSON_KEYS and isinstance(value, list)]
        if not known or unknown:
            found = f"unknown list(s) {', '.join(map(_show, unknown))}" if unknown else "none of the known keys"
            raise InputError(f"{name}: the JSON object has {found}", hint=_HINT_JSON)
        for key in known:
            items = data[key]
            if not isinstance(items, list):
                out.errors.append(f"{key!r}: expected an array, found {type(items).__name__}")
                continue
            for index, item in enumerate(items, start=1):
                out.typed(_JSON_KEYS[key], item, index, f"{key!r} item {index}")
    else:
        raise InputError(f"{name}: expected a JSON array or object, found {type(data).__name__}", hint=_HINT_JSON)
    return out.finish(name, _HINT_JSON + "; " + _HINT_ENTRIES)


_FORMATS = {"txt": "txt", "lst": "txt", "text": "txt", "csv": "csv", "tsv": "tsv", "json": "json"}


def parse_registry_text(text: str, fmt: str, *, name: str = "<text>") -> list[RegistryEntry]:
    """Entries of a registry held in memory; ``fmt`` is ``txt``, ``csv``, ``tsv`` or ``json``.

    Raises one ``InputError`` naming ``name`` and the bad lines when anything is wrong.
    """
    kind = _FORMATS.get(fmt.lower().lstrip("."))
    if kind is None:
        raise InputError(f"{name}: unknown registry format {fmt!r}", hint="use txt, lst, csv, tsv or json")
    if text.startswith("\ufeff"):
        text = text[1:]
    if kind == "txt":
        return _parse_txt(text, name)
    if kind == "json":
        return _parse_json(text, name)
    return _parse_csv(text, name, "\t" if kind == "tsv" else ",")


def parse_registry(path: str | Path) -> list[RegistryEntry]:
    """Read a registry file, choosing the format by suffix (``.csv``, ``.tsv``, ``.json``, ``.txt``/``.lst``/none),
    optionally gzipped (``.gz``). The file must be UTF-8."""
    path = Path(path)
    name = str(path)
    suffixes = [s.lower() for s in path.suffixes]
    gzipped = bool(suffixes) and suffixes[-1] == ".gz"
    if gzipped:
        suffixes.pop()
    suffix = suffixes[-1] if suffixes else ""
    fmt = "txt" if suffix == "" else _FORMATS.get(suffix[1:])
    if fmt is None:
        raise InputError(
            f"{name}: cannot tell the registry format from the suffix {suffix!r}",
            hint="name the file .txt, .lst, .csv, .tsv or .json (optionally .gz), or leave out the suffix",
        )
    try:
        data = path.read_bytes()
        if gzipped:
            data = gzip.decompress(data)
    except FileNotFoundError:
        raise InputError(f"{name}: no such registry file", hint="check the path") from None
    except IsADirectoryError:
        raise InputError(f"{name}: is a folder, not a registry file", hint="pass the registry file itself") from None
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(f"{name}: cannot be read ({exc})", hint="check the file and its permissions") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        where = " of the decompressed data" if gzipped else ""
        raise InputError(
            f"{name}: not valid UTF-8 at byte {exc.start}{where} (line {line})",
            hint="save the registry as UTF-8",
        ) from None
    return parse_registry_text(text, fmt, name=name)


def registry_digest(entries: Iterable[RegistryEntry]) -> str:
    """sha256 (hex) of the sorted, de-duplicated entries: the registry's version, blind to order, duplicates and
    comments, so a policy can pin it and a card can cite it."""
    lines = sorted({f"{e.kind}\t{e.value}\n" for e in entries})
    digest = hashlib.sha256()
    for line in lines:
        digest.update(line.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()

"""Site snapshots: the robots.txt, ai.txt and tdmrep.json a crawl saw for each host, loaded once before a scan.

Consent must be judged against what the publisher said *when the content was collected*, not against today's file,
so a scan reads these from the crawl's own captures (WARC ``response`` records) or from folders a crawler saved,
never from the network. A snapshot is a frozen pydantic model because it becomes part of a scanner's config and so
of its config hash: the same snapshots give the same findings.

HTTP outcomes follow RFC 9309 for robots.txt: a 4xx means "no restrictions", a 5xx means "assume a complete
disallow", and redirects are not followed (the target is another capture, if the crawl kept it). The reason is kept
in ``notes`` so a card can say why a host counts as opted out. Reading never fails on file content: bad bytes
become replacement characters and the signal parsers report malformed files later.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

from pydantic import ConfigDict, Field

from provenance.consent.signals import ROBOTS_MAX_CHARS
from provenance.errors import InputError
from provenance.models.common import Model

__all__ = ["SiteSnapshot", "host_of", "load_snapshots", "path_of"]

_FIELDS = {"robots.txt": "robots_txt", "ai.txt": "ai_txt", "tdmrep.json": "tdmrep_json"}
_WARC_PATHS = {"/robots.txt": "robots.txt", "/ai.txt": "ai.txt", "/.well-known/tdmrep.json": "tdmrep.json"}
# Where each file may sit inside a host folder, preferred first.
_FOLDER_FILES = (
    ("robots.txt", ("robots.txt",)),
    ("ai.txt", ("ai.txt",)),
    ("tdmrep.json", (".well-known/tdmrep.json", "tdmrep.json")),
)
_DISALLOW_ALL = "User-agent: *\nDisallow: /\n"
# Enough bytes for ROBOTS_MAX_CHARS characters of UTF-8 (plus a BOM): bigger files are read only that far.
_MAX_BYTES = ROBOTS_MAX_CHARS * 4 + 3

_SCHEME_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://")
_AUTHORITY_RE = re.compile(r"[^/?#]*")
_ASCII_HOST_RE = re.compile(r"[a-z0-9_](?:[a-z0-9_.-]*[a-z0-9_])?")
_EPOCH = dt.datetime.min.replace(tzinfo=dt.timezone.utc)


class SiteSnapshot(Model):
    """What one host published about AI use at crawl time; ``None`` means the file was not captured.

    ``robots_txt=""`` is different from ``None``: the file was fetched and said nothing (or HTTP 4xx, which RFC 9309
    reads the same way). ``where`` says where each file came from, ``observed_at`` is the latest capture time.
    """

    model_config = ConfigDict(frozen=True)

    host: str
    robots_txt: str | None = None
    ai_txt: str | None = None
    tdmrep_json: str | None = None
    observed_at: str | None = None
    where: dict[str, str] = Field(default_factory=dict)
    notes: list[str] = Field(default_factory=list)


# ---- URL helpers, called once per record by the consent scanner: no urllib, no exceptions -------------------------


@lru_cache(maxsize=65_536)
def _idna_host(host: str) -> str | None:
    try:
        return host.encode("idna").decode("ascii")
    except (UnicodeError, ValueError):
        return None


def _clean_host(host: str) -> str | None:
    """Lower-cased, punycoded host without a trailing dot, or None when it cannot be a host name."""
    host = host.lower()
    if host.endswith("."):
        host = host[:-1]
    if not host.isascii():
        host = _idna_host(host) or ""
    return host if _ASCII_HOST_RE.fullmatch(host) else None


def host_of(url: str) -> str | None:
    """The host of an http(s) URL: lower-cased, no port or userinfo, IDNA-encoded; None for anything else."""
    if not isinstance(url, str):
        return None
    url = url.strip()
    scheme = _SCHEME_RE.match(url)
    if scheme is None or scheme.group(0).lower() not in ("http://", "https://"):
        return None
    authority = _AUTHORITY_RE.match(url, scheme.end())
    host = authority.group(0).rpartition("@")[2] if authority else ""
    if host.startswith("["):  # an IPv6 literal: keep it whole, as robots.txt is fetched from it
        end = host.find("]")
        return host[: end + 1].lower() if end > 1 else None
    return _clean_host(host.partition(":")[0])


def path_of(url: str) -> str:
    """Path and query of a URL (or of a path given alone), always starting with ``/``; robots rules match on it."""
    if not isinstance(url, str):
        return "/"
    url = url.strip()
    scheme = _SCHEME_RE.match(url)
    if scheme is not None:
        authority = _AUTHORITY_RE.match(url, scheme.end())
        url = url[authority.end() if authority else scheme.end() :]
    url = url.split("#", 1)[0]
    return url if url.startswith("/") else "/" + url


# ---- loading --------------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Capture:
    """One sighting of one file; the latest sighting (then the last read) of each file of a host wins."""

    text: str | None
    observed_at: str | None
    when: dt.datetime
    order: int
    where: str
    notes: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Host:
    captures: dict[str, list[_Capture]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # about captures that were not usable (redirects)


def _instant(value: str | None) -> dt.datetime:
    """A sortable UTC instant from an ISO 8601 string; unreadable dates sort first rather than fail."""
    if not value:
        return _EPOCH
    try:
        parsed = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return _EPOCH
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)


def _iso(value: str | dt.date | dt.datetime) -> str:
    """The ``observed_at`` argument as ISO 8601 text (UTC datetimes spelt with ``Z``)."""
    if isinstance(value, dt.datetime):
        text = value.isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and value.strip():
        try:
            dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            pass
        else:
            return value.strip()
    raise InputError(
        f"observed_at {value!r} is not an ISO 8601 date or time", hint="write it like 2025-04-02 or 2025-04-02T10:00Z"
    )


def _decode(data: bytes) -> tuple[str, bool]:
    """UTF-8 with replacement, BOM stripped, cut to ROBOTS_MAX_CHARS; (text, whether it was cut)."""
    text = data.decode("utf-8", "replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    if len(text) > ROBOTS_MAX_CHARS:
        return text[:ROBOTS_MAX_CHARS], True
    return text, False


def _shown(path: Path, relative_to: Path | None) -> str:
    if relative_to is not None:
        try:
            return Path(os.path.relpath(path, relative_to)).as_posix()
        except ValueError:  # another drive on Windows
            pass
    return path.as_posix()


class _Loader:
    def __init__(self, observed_at: str | None, relative_to: Path | None, problems: list[str] | None) -> None:
        self.observed_at = observed_at
        self.relative_to = relative_to
        self.problems = problems if problems is not None else []
        self.hosts: dict[str, _Host] = {}
        self.order = 0

    def add(self, host: str, name: str, capture: _Capture) -> None:
        self.order += 1
        capture.order = self.order
        self.hosts.setdefault(host, _Host()).captures.setdefault(name, []).append(capture)

    # -- folders of files

    def folder(self, folder: Path) -> None:
        try:
            children = sorted(folder.iterdir())
        except OSError as exc:
            self.problems.append(f"{_shown(folder, self.relative_to)}: cannot be listed ({exc.strerror or exc})")
            return
        for child in children:
            if child.is_dir():
                self.host_folder(child)
        for warc in self._warcs(folder):
            self.warc(warc)

    def host_folder(self, folder: Path) -> None:
        found = [(name, folder / rel) for name, rels in _FOLDER_FILES for rel in rels if (folder / rel).is_file()]
        if not found:
            return
        host = _clean_host(folder.name.partition(":")[0])  # wget names a folder host:port
        if host is None:
            host = folder.name.lower()
            self.problems.append(f"{_shown(folder, self.relative_to)}: folder name is not a host name; used as is")
        taken: set[str] = set()
        for name, path in found:
            if name in taken:
                continue  # .well-known/tdmrep.json wins over tdmrep.json
            taken.add(name)
            self.file(host, name, path)

    def file(self, host: str, name: str, path: Path) -> None:
        shown = _shown(path, self.relative_to)
        try:
            with open(path, "rb") as handle:
                data = handle.read(_MAX_BYTES)
            mtime = path.stat().st_mtime
        except OSError as exc:
            self.problems.append(f"{shown}: cannot be read ({exc.strerror or exc})")
            return
        text, cut = _decode(data)
        observed = self.observed_at
        if observed is None:
            stamp = dt.datetime.fromtimestamp(mtime, tz=dt.timezone.utc).replace(microsecond=0)
            observed = stamp.isoformat().replace("+00:00", "Z")
        notes = [f"{name} truncated to {ROBOTS_MAX_CHARS} characters"] if cut else []
        self.add(host, name, _Capture(text, observed, _instant(observed), 0, shown, notes))

    # -- WARC captures

    @staticmethod
    def _warcs(folder: Path) -> list[Path]:
        found = []
        for root, dirs, files in os.walk(folder):
            dirs.sort()
            found.extend(Path(root) / f for f in sorted(files) if f.lower().endswith((".warc", ".warc.gz")))
        return found

    def warc(self, path: Path) -> None:
        shown = _shown(path, self.relative_to)
        try:
            with open(path, "rb") as raw:
                self._read_warc(raw, shown)
        except OSError as exc:
            self.problems.append(f"{shown}: cannot be read ({exc.strerror or exc})")

    def _read_warc(self, raw: BinaryIO, shown: str) -> None:
        # Imported here: only loading WARC snapshots needs the reader (and with it pyarrow), not the URL helpers.
        from provenance.readers.warc import _target_uri, iter_warc, parse_http_response

        for item in iter_warc(raw):
            if isinstance(item, tuple):
                self.problems.append(f"{shown}: damaged WARC record at byte {item[0]}: {item[1]}")
                continue
            if item.type != "response":
                continue
            uri = _target_uri(item.headers) or ""
            name = _WARC_PATHS.get(path_of(uri).split("?", 1)[0])
            host = host_of(uri) if name else None
            if name is None or host is None:
                continue
            where = f"{shown}@{item.offset}"
            try:
                response = parse_http_response(item.block)
            except ValueError as exc:  # WarcError is a ValueError
                self.problems.append(f"{shown}: WARC record at byte {item.offset} ({uri}): {exc}")
                continue
            observed = item.headers.get("warc-date") or None
            self._response(host, name, response.status, response.body, response.header("location"), observed, where)

    def _response(
        self, host: str, name: str, status: int, body: bytes, location: str | None, observed: str | None, where: str
    ) -> None:
        text: str | None
        notes: list[str] = []
        if 200 <= status < 300:
            text, cut = _decode(body)
            if cut:
                notes.append(f"{name} truncated to {ROBOTS_MAX_CHARS} characters")
        elif not 400 <= status < 600:
            if 300 <= status < 400:
                target = f" to {location}" if location else ""
                why = "redirects are not followed; the target counts only if the crawl captured it"
                note = f"{name} HTTP {status}{target} at {where}: ignored ({why})"
            else:
                note = f"{name} HTTP {status} at {where}: ignored (not a final response)"
            self.hosts.setdefault(host, _Host()).notes.append(note)
            return
        elif name != "robots.txt":
            text = None
            notes.append(f"{name} HTTP {status} at {where}: treated as absent")
        elif status < 500:
            text = ""
            notes.append(f"robots.txt HTTP {status}: treated as no restrictions (RFC 9309 2.3.1.3)")
        else:
            text = _DISALLOW_ALL
            notes.append(f"robots.txt HTTP {status}: treated as a complete disallow (RFC 9309 2.3.1.4)")
        self.add(host, name, _Capture(text, observed, _instant(observed), 0, where, notes))

    # -- result

    def snapshots(self) -> dict[str, SiteSnapshot]:
        out: dict[str, SiteSnapshot] = {}
        for host in sorted(self.hosts):
            state = self.hosts[host]
            values: dict[str, str | None] = {}
            where: dict[str, str] = {}
            notes = list(state.notes)
            latest: _Capture | None = None
            for name in _FIELDS:
                captures = state.captures.get(name)
                if not captures:
                    continue
                best = max(captures, key=lambda c: (c.when, c.order))
                values[_FIELDS[name]] = best.text
                where[name] = best.where
                notes.extend(best.notes)
                if len(captures) > 1:
                    notes.append(f"{name}: kept the latest of {len(captures)} captures ({best.where})")
                if latest is None or best.when > latest.when:
                    latest = best
            out[host] = SiteSnapshot(
                host=host,
                observed_at=latest.observed_at if latest else None,
                where=where,
                notes=notes,
                **values,
            )
        return out


def load_snapshots(
    folders: Sequence[str | Path],
    *,
    observed_at: str | dt.date | dt.datetime | None = None,
    relative_to: Path | None = None,
    problems: list[str] | None = None,
) -> dict[str, SiteSnapshot]:
    """Snapshots by host from folders of ``<host>/robots.txt``, ``<host>/ai.txt``, ``<host>/.well-known/tdmrep.json``
    and from every ``*.warc``/``*.warc.gz`` under them (a WARC file may also be given directly).

    ``observed_at`` dates files saved in folders (WARC captures carry their own WARC-Date); without it a file's
    modification time is used. Damaged WARC records and unreadable files are skipped and described in ``problems``.
    Raises ``InputError`` only for a folder that does not exist or a bad ``observed_at``.
    """
    if isinstance(folders, (str, Path)):
        folders = [folders]
    loader = _Loader(None if observed_at is None else _iso(observed_at), relative_to, problems)
    for folder in folders:
        path = Path(folder)
        if path.is_dir():
            loader.folder(path)
        elif path.is_file() and path.name.lower().endswith((".warc", ".warc.gz")):
            loader.warc(path)
        else:
            what = "is not a folder" if path.exists() else "does not exist"
            raise InputError(
                f"snapshot folder {path} {what}",
                hint="pass folders holding <host>/robots.txt, <host>/ai.txt, <host>/.well-known/tdmrep.json "
                "or *.warc(.gz) captures of them",
            )
    return loader.snapshots()

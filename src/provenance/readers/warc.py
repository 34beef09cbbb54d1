"""WARC files (1.0 and 1.1, plain or gzipped one member per record): one record per HTTP ``response``.

A small parser of our own rather than warcio/fastwarc: we need the raw byte offset of every record (of its gzip
member, as CDX indexes give it) for origins, and a damaged record or a truncated gzip member must become a bad
record while the records around it are kept; both libraries stop at the first damage with an exception and hide
the member offsets. WARC itself is simple: a ``WARC/1.x`` line, header lines, a blank line, ``Content-Length``
bytes of block, two CRLFs.

Each kept record's ``meta`` keeps what consent checks need later: every HTTP response header (``X-Robots-Tag``,
``tdm-reservation``, ``tdm-policy``, ``Link``...) in order, and the page's robots/TDM ``<meta>`` tags.
"""

from __future__ import annotations

import codecs
import os
import re
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import BinaryIO

import orjson

from ..models import Origin, OriginKind
from .batch import BatchBuilder, RecordBatch
from .compression import (
    EXPANSION_FLOOR_BYTES,
    NO_LIMIT,
    RATIO_VARIABLE,
    DecompressionLimitError,
    cannot_open,
    expansion_allowance,
    max_expansion_ratio,
    max_record_bytes,
    record_too_long,
)
from .fields import FieldSpec

_CHUNK = 1 << 20
_CHUNK_HEAD = 1 << 16  # what is read of a block too large to read: enough for its HTTP headers
_MAX_HEADER_LINE = 1 << 16
_MAX_HEADER_LINES = 1_000
# Record types that carry no page of their own; they are counted, not read.
SKIPPED_TYPES = frozenset({"warcinfo", "request", "metadata", "revisit", "resource", "conversion", "continuation"})


@dataclass
class WarcStats:
    """What a read skipped and why, so a report can say how many WARC records did not become records."""

    skipped: Counter[str] = field(default_factory=Counter)


class WarcError(ValueError):
    """One WARC record cannot be used; the message says why (it becomes a bad record, never stops the read)."""


# ---- bytes: a WARC stream that knows the raw offset of each gzip member ---------------------------------------------


class _Stream:
    """Decompressed WARC bytes with ``readline``/``read``, and the raw file offset at which each record starts.

    Gzipped WARCs hold one gzip member per record; the offset of a record is the offset of its member in the file,
    which is what ``zcat``-free tools (CDX indexes, range requests) use. For a plain WARC both offsets agree.
    A damaged or truncated member raises only after every byte before it was handed out, so no record is lost.
    Each step of decompression produces at most ``_CHUNK`` bytes, and the whole file at most its expansion
    allowance (see compression.py), so a decompression bomb stops with a report.
    """

    def __init__(self, raw: BinaryIO, start: int = 0) -> None:
        self.raw = raw
        raw.seek(start)
        head = raw.read(2)
        raw.seek(start)
        self.base = start
        self.gzipped = head == b"\x1f\x8b"
        self.buf = bytearray()
        self.pos = 0  # decompressed offset of buf[0]
        self.total = 0  # decompressed bytes produced so far
        self.members: list[tuple[int, int]] = [(0, start)]  # (decompressed start, raw start) of recent gzip members
        self.raw_consumed = start
        self.inflate = zlib.decompressobj(31)
        self.member_started = False
        self.pending = b""  # compressed input not consumed yet
        self.eof = False
        self.failed: BaseException | None = None  # raised by the next _fill, once the bytes before it are out
        self.produced_now = 0
        self.allowance = expansion_allowance(_size(raw)) if self.gzipped else NO_LIMIT

    @property
    def offset(self) -> int:
        return self.pos

    @property
    def member_start(self) -> int:
        """Raw offset of the gzip member being decompressed."""
        return self.members[-1][1]

    def raw_offset(self, decompressed: int) -> int:
        """Raw file offset of the gzip member holding this decompressed offset (the offset itself when plain)."""
        if not self.gzipped:
            return self.base + decompressed
        best = self.members[0][1]
        for start, raw_start in self.members:
            if start > decompressed:
                break
            best = raw_start
        # members before the one in use can no longer be asked about
        while len(self.members) > 1 and self.members[1][0] <= decompressed:
            self.members.pop(0)
        return best

    def _fill(self) -> bool:
        """Append more decompressed bytes to the buffer; False at the end of the file."""
        if self.failed is not None:
            raise self.failed
        while not self.eof:
            if not self.pending:
                chunk = self.raw.read(_CHUNK)
                if not chunk:
                    self.eof = True
                    if self.gzipped and self.member_started:
                        raise EOFError(f"the gzip member starting at byte {self.member_start} is truncated")
                    return False
                if not self.gzipped:
                    self.raw_consumed += len(chunk)
                    self.buf += chunk
                    self.total += len(chunk)
                    return True
                self.pending = chunk
            if self._inflate():
                return True
        return False

    def _inflate(self) -> int:
        """Decompress pending input into the buffer; a failure after some output waits for the next call, so the
        bytes before it are handed out first."""
        produced = 0
        try:
            produced = self._inflate_some()
        except (zlib.error, DecompressionLimitError) as exc:
            if not self.produced_now:
                raise
            self.failed = exc
            return self.produced_now
        return produced

    def _inflate_some(self) -> int:
        produced = self.produced_now = 0
        data, self.pending = self.pending, b""
        while data:
            self.member_started = True
            out = self.inflate.decompress(data, _CHUNK)
            tail = self.inflate.unconsumed_tail
            self.raw_consumed += len(data) - len(tail) - len(self.inflate.unused_data)
            self.buf += out
            self.total += len(out)
            produced += len(out)
            self.produced_now = produced
            if self.total > self.allowance:
                raise DecompressionLimitError(
                    f"the gzip file expands to more than {self.allowance:,} bytes ({max_expansion_ratio():g} times "
                    f"its size, counting at least {EXPANSION_FLOOR_BYTES >> 20} MiB): a decompression bomb? "
                    f"(raise {RATIO_VARIABLE} to read it)"
                )
            if tail:
                self.pending = tail  # more output waits for the next call
                break
            if not self.inflate.eof:
                break
            data = self.inflate.unused_data
            self.inflate = zlib.decompressobj(31)
            self.member_started = False
            self.members.append((self.total, self.raw_consumed))
            if data and not data.startswith(b"\x1f\x8b"):
                if data.strip(b"\x00"):
                    raise zlib.error(f"bytes at offset {self.raw_consumed} are not a gzip member")
                break  # zero padding after the last member
            if produced >= _CHUNK:
                self.pending = data
                break
        return produced

    def readline(self) -> bytes:
        while True:
            end = self.buf.find(b"\n", 0, _MAX_HEADER_LINE)
            if end >= 0 or len(self.buf) >= _MAX_HEADER_LINE or not self._fill():
                n = end + 1 if end >= 0 else min(len(self.buf), _MAX_HEADER_LINE)
                return self._take(n)

    def read(self, n: int) -> bytes:
        while len(self.buf) < n and self._fill():
            pass
        return self._take(min(n, len(self.buf)))

    def skip(self, n: int) -> int:
        """Drop the next ``n`` bytes without keeping them; returns how many there were."""
        dropped = 0
        while dropped < n:
            if not self.buf and not self._fill():
                break
            step = min(n - dropped, len(self.buf))
            del self.buf[:step]
            self.pos += step
            dropped += step
        return dropped

    def _take(self, n: int) -> bytes:
        out = bytes(self.buf[:n])
        del self.buf[:n]
        self.pos += n
        return out


def _size(raw: BinaryIO) -> int:
    try:
        return os.fstat(raw.fileno()).st_size
    except (OSError, AttributeError, ValueError):  # an in-memory stream
        here = raw.tell()
        size = raw.seek(0, os.SEEK_END)
        raw.seek(here)
        return size


def _next_member(raw: BinaryIO, after: int) -> int | None:
    """Raw offset of the next gzip member header after ``after``, or None."""
    raw.seek(after)
    carry = b""
    base = after
    while True:
        chunk = raw.read(_CHUNK)
        if not chunk:
            return None
        data = carry + chunk
        at = data.find(b"\x1f\x8b\x08")
        while at >= 0:
            if at + 3 < len(data) and data[at + 3] & 0xE0 == 0:  # reserved flag bits clear
                return base + at
            if at + 3 >= len(data):
                break
            at = data.find(b"\x1f\x8b\x08", at + 1)
        carry = data[-3:]
        base += len(data) - len(carry)


# ---- records --------------------------------------------------------------------------------------------------------


@dataclass
class WarcRecord:
    offset: int  # raw byte offset of the record (of its gzip member when gzipped)
    headers: dict[str, str]  # WARC headers, names lower-cased
    block: bytes
    size: int = -1  # Content-Length; more than len(block) when the block was too large to read (see iter_warc)

    @property
    def type(self) -> str:
        return self.headers.get("warc-type", "").lower()

    @property
    def complete(self) -> bool:
        return self.size < 0 or self.size == len(self.block)


def iter_warc(raw: BinaryIO, max_block: int | None = None) -> Iterator[WarcRecord | tuple[int, str]]:
    """WARC records in file order; an unusable one comes as (raw byte offset, reason) and reading goes on.

    A block longer than ``max_block`` is skipped unread: its record comes with only the first 64 KiB of its block
    (``complete`` is False). A damaged gzip member is reported and reading resumes at the next member.
    """
    start_at: int | None = 0
    while start_at is not None:
        start_at = yield from _records(_Stream(raw, start_at), max_block)


def _records(stream: _Stream, max_block: int | None):
    """Records of one stretch of the file; returns the raw offset to resume at after a damaged member, or None."""
    pending: bytes | None = None
    start = 0
    try:
        while True:
            if pending is None:
                start = stream.offset
                line = stream.readline()
            else:
                line, pending = pending, None
            if not line:
                return None
            if not line.strip():
                continue
            offset = stream.raw_offset(start)
            if not line.startswith(b"WARC/"):
                found = f"found {len(line)} other bytes"
                yield offset, f"expected a 'WARC/1.x' version line, {found}; skipped to the next record"
                start, pending = _resync(stream)
                continue
            try:
                headers = _read_headers(stream)
                length = _content_length(headers)
            except WarcError as exc:
                yield offset, f"{exc}; skipped to the next record"
                start, pending = _resync(stream)
                continue
            if max_block is not None and length > max_block:
                head = stream.read(min(length, _CHUNK_HEAD))
                present = len(head) + stream.skip(length - len(head))
                if present < length:
                    yield offset, f"the record is truncated: {present} of {length} bytes of its block are present"
                    return None
                yield WarcRecord(offset, headers, head, length)
                continue
            block = stream.read(length)
            if len(block) < length:
                yield offset, f"the record is truncated: {len(block)} of {length} bytes of its block are present"
                return None
            yield WarcRecord(offset, headers, block)
    except DecompressionLimitError as exc:
        yield stream.raw_offset(start), f"reading stopped: {exc}; the records before it were kept"
        return None
    except (EOFError, zlib.error) as exc:
        failed = stream.member_start
        resume = _next_member(stream.raw, failed + 1) if stream.gzipped and isinstance(exc, zlib.error) else None
        then = (
            f"reading resumed at the next gzip member, at byte {resume}"
            if resume is not None
            else "the records before it were kept"
        )
        yield stream.raw_offset(start), f"the gzip stream is truncated or corrupt ({exc}); {then}"
        return resume


def _read_headers(stream: _Stream) -> dict[str, str]:
    headers: dict[str, str] = {}
    last = ""
    for _ in range(_MAX_HEADER_LINES):
        line = stream.readline()
        if not line:
            raise WarcError("the file ends inside the record's WARC headers")
        if not line.strip():
            return headers
        text = line.decode("utf-8", "replace").rstrip("\r\n")
        if text[:1] in (" ", "\t") and last:  # continuation of the previous header
            headers[last] += " " + text.strip()
            continue
        name, sep, value = text.partition(":")
        if not sep:
            raise WarcError(f"malformed WARC header line ({len(text)} characters, no 'name: value')")
        last = name.strip().lower()
        headers[last] = value.strip()
    raise WarcError(f"more than {_MAX_HEADER_LINES} WARC header lines")


def _content_length(headers: dict[str, str]) -> int:
    value = headers.get("content-length")
    if value is None:
        raise WarcError("the record has no Content-Length header")
    if not value.isdigit():
        raise WarcError("invalid Content-Length (not a number)")
    return int(value)


def _resync(stream: _Stream) -> tuple[int, bytes]:
    """Skip to the next line that starts a WARC record; (its decompressed offset, the line), or (offset, b"")."""
    while True:
        start = stream.offset
        line = stream.readline()
        if not line or line.startswith(b"WARC/"):
            return start, line


# ---- HTTP and HTML --------------------------------------------------------------------------------------------------


@dataclass
class HttpResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        name = name.lower()
        return next((v for k, v in self.headers if k.lower() == name), None)


def parse_http_response(block: bytes, max_body: int | None = None) -> HttpResponse:
    """Status, headers (in order, repeated ones kept) and body; the body is de-chunked and gunzipped if need be.

    A compressed body may expand to at most ``max_body`` bytes (default: the record limit), else WarcError.
    """
    end = block.find(b"\r\n\r\n")
    sep = 4
    if end < 0:
        end, sep = block.find(b"\n\n"), 2
    if end < 0:
        end, sep = len(block), 0
    head = block[:end].decode("iso-8859-1").splitlines()
    body = block[end + sep :]
    if not head or not head[0].startswith("HTTP/"):
        raise WarcError("the response block does not start with an HTTP status line")
    parts = head[0].split(None, 2)
    if len(parts) < 2 or not parts[1].isdigit():
        raise WarcError("malformed HTTP status line (no 'HTTP/x.y NNN')")
    headers: list[tuple[str, str]] = []
    for line in head[1:]:
        if line[:1] in (" ", "\t") and headers:
            name, value = headers[-1]
            headers[-1] = (name, f"{value} {line.strip()}")
            continue
        name, colon, value = line.partition(":")
        if colon:
            headers.append((name.strip(), value.strip()))
    response = HttpResponse(int(parts[1]), headers, body)
    if (response.header("transfer-encoding") or "").lower().strip() == "chunked":
        response.body = _dechunk(body)
    encoding = (response.header("content-encoding") or "").lower().strip()
    if encoding in ("gzip", "x-gzip", "deflate"):
        limit = max_record_bytes() if max_body is None else max_body
        try:
            response.body = _inflate_body(response.body, 47 if encoding != "deflate" else 15, limit)
        except zlib.error:
            try:
                response.body = _inflate_body(response.body, -15, limit)
            except zlib.error as exc:
                raise WarcError(f"the {encoding} response body cannot be decoded ({exc})") from None
    elif encoding not in ("", "identity"):
        raise WarcError(f"the response body has Content-Encoding {encoding!r}, which we cannot decode")
    return response


def _inflate_body(body: bytes, wbits: int, limit: int) -> bytes:
    inflater = zlib.decompressobj(wbits)
    out = inflater.decompress(body, min(limit, NO_LIMIT) + 1)
    if len(out) > limit:
        raise WarcError(
            "the compressed response body expands to more than the limit of "
            f"{limit:,} bytes per record (a decompression bomb?); raise PROVENANCE_MAX_RECORD_BYTES to read it"
        )
    return out


def _dechunk(body: bytes) -> bytes:
    """Undo chunked transfer coding; a body that is not chunked after all (crawlers differ) is kept as it is."""
    out, pos = bytearray(), 0
    while True:
        end = body.find(b"\r\n", pos)
        size = body[pos:end].split(b";")[0].strip() if end >= 0 else b""
        try:
            n = int(size, 16)
        except ValueError:
            return body
        if n == 0:
            return bytes(out)
        out += body[end + 2 : end + 2 + n]
        pos = end + 2 + n + 2


_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def _charset(content_type: str, body: bytes, html: bool) -> str:
    """The Content-Type charset, else (for HTML) a <meta> charset near the top, else UTF-8; unknown names too."""
    for param in content_type.split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            name = value.strip().strip("\"'")
            break
    else:
        match = _CHARSET.search(body[:4096]) if html else None
        name = match.group(1).decode("ascii") if match else "utf-8"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return "utf-8"


_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "head", "svg", "iframe", "object"})
_BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "fieldset", "figcaption",
        "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol",
        "p", "pre", "section", "table", "td", "th", "tr", "ul", "title", "body",
    }
)  # fmt: skip


def _kept_meta(name: str) -> bool:
    """Robots and TDM signals: robots, per-crawler robots (googlebot, GPTBot, CCBot...), tdm-reservation/policy."""
    return name == "robots" or name.endswith("bot") or name.startswith("tdm-")


class _TextExtractor(HTMLParser):
    """Visible text with a paragraph break per block element; script, style and the head are dropped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.meta: list[list[str]] = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "meta":
            values = {k.lower(): v or "" for k, v in attrs}
            name = values.get("name", "").strip().lower()
            if name and _kept_meta(name):
                self.meta.append([name, values.get("content", "")])
            return
        if tag == "title":
            self._in_title = True
        if tag in _SKIP_TAGS:
            self.skip += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in _SKIP_TAGS:
            self.skip = max(self.skip - 1, 0)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if tag in _SKIP_TAGS:
            self.skip = max(self.skip - 1, 0)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        if not self.skip:
            self.parts.append(data)

    def text(self) -> str:
        paragraphs = []
        for block in "".join(self.parts).split("\n\n"):
            words = " ".join(block.split())
            if words:
                paragraphs.append(words)
        return "\n\n".join(paragraphs)


def html_text(html: str) -> tuple[str, list[list[str]]]:
    """(visible text, robots/TDM <meta> tags as [name, content]) of an HTML page."""
    parser = _TextExtractor()
    try:
        parser.feed(html)
        parser.close()
    except (AssertionError, ValueError):  # pragma: no cover - html.parser is lenient; keep what it got
        pass
    return parser.text(), parser.meta


_HTML_TYPES = ("text/html", "application/xhtml+xml")


def response_record(record: WarcRecord) -> tuple[str, str] | None:
    """(text, meta JSON) of one HTTP response record; None when it holds no text (images, PDFs, empty pages)."""
    response = parse_http_response(record.block)
    content_type = response.header("content-type") or ""
    mime = content_type.split(";")[0].strip().lower()
    sniffed = response.body[:512].lstrip().lower()
    is_html = mime in _HTML_TYPES or (not mime and sniffed.startswith((b"<!doctype html", b"<html")))
    if not is_html and mime != "text/plain":
        return None
    charset = _charset(content_type, response.body, is_html)
    decoded = response.body.decode(charset, "replace")
    html_meta: list[list[str]] = []
    if is_html:
        text, html_meta = html_text(decoded)
    else:
        text = decoded
    if not text.strip():
        return None
    meta = {
        "warc_record_id": record.headers.get("warc-record-id"),
        "warc_date": record.headers.get("warc-date"),
        "http_status": response.status,
        "content_type": content_type or None,
        "charset": charset,
        "http_headers": [[k, v] for k, v in response.headers],
        "html_meta": html_meta,
    }
    return text, orjson.dumps(meta).decode()


def _target_uri(headers: dict[str, str]) -> str | None:
    uri = headers.get("warc-target-uri")
    if uri and uri.startswith("<") and uri.endswith(">"):  # WARC 1.0 drafts (and wget) wrap it in <>
        uri = uri[1:-1]
    return uri or None


def read_warc(
    path: Path, source_id: str, spec: FieldSpec, batch_size: int, stats: WarcStats | None = None
) -> Iterator[RecordBatch]:
    """One record per HTTP response with text; other record types are counted in ``stats.skipped``.

    A record whose block is larger than the record limit is not read: a text response that large is reported,
    anything else (video, archives) is counted as skipped.
    """
    stats = stats if stats is not None else WarcStats()
    builder = BatchBuilder(source_id, Origin(kind=OriginKind.file, path=str(path)))
    consumed = 0
    limit = max_record_bytes()
    try:
        raw = open(path, "rb")
    except OSError as exc:
        builder.reject(cannot_open(exc))
        yield builder.flush(0)
        return
    with raw:
        for item in iter_warc(raw, limit):
            if isinstance(item, tuple):
                offset, reason = item
                builder.reject(f"WARC record at byte {offset}: {reason}", row=offset)
                continue
            kind = item.type
            if kind != "response":
                stats.skipped[kind or "untyped"] += 1
                continue
            block_type = item.headers.get("content-type", "").lower()
            if block_type and not block_type.startswith("application/http") and not item.block.startswith(b"HTTP/"):
                stats.skipped["non-http response"] += 1  # dns:, ftp: and the like
                continue
            if not item.complete:
                if _text_response(item.block):
                    reason = record_too_long(item.size, limit, "its block")
                    builder.reject(f"WARC record at byte {item.offset}: {reason}", row=item.offset)
                else:
                    stats.skipped["larger than the record limit"] += 1
                continue
            try:
                got = response_record(item)
            except WarcError as exc:
                builder.reject(f"WARC record at byte {item.offset}: {exc}", row=item.offset)
                continue
            if got is None:
                stats.skipped["response without text"] += 1
                continue
            text, meta = got
            builder.add(
                text,
                byte_offset=item.offset,
                url=_target_uri(item.headers),
                meta=meta if spec.with_meta else None,
            )
            if len(builder) >= batch_size:
                position = raw.tell()
                yield builder.flush(position - consumed)
                consumed = position
        position = raw.tell()
    yield builder.flush(max(position - consumed, 0))


def _text_response(head: bytes) -> bool:
    """Whether the first bytes of a response block announce a page we would read (HTML or plain text)."""
    end = head.find(b"\r\n\r\n")
    http_head = head[: end if end >= 0 else len(head)].decode("iso-8859-1").lower()
    for line in http_head.splitlines()[1:]:
        name, _, value = line.partition(":")
        if name.strip() == "content-type":
            mime = value.split(";")[0].strip()
            return mime in _HTML_TYPES or mime == "text/plain"
    return True  # no type: we would have sniffed the body

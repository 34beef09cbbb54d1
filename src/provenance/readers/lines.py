"""Line-oriented formats: JSON Lines and plain text with one record per line.

Each line is parsed on its own, so a broken line costs only itself: it is reported with file:line and the good lines
around it are all kept. A line longer than the record limit (``PROVENANCE_MAX_RECORD_BYTES``) is skipped without
being held in memory. A file that is not UTF-8 text at all (binary, UTF-16, compressed under a plain name) is
reported once, by its first line. A damaged compressed stream ends the file with a report of the line it broke at.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

import orjson

from ..models import BadRecord, Origin, OriginKind
from .batch import BatchBuilder, RecordBatch, build_batch
from .compression import (
    CORRUPTION_ERRORS,
    cannot_open,
    max_record_bytes,
    not_text,
    open_binary,
    record_too_long,
    stream_failure,
)
from .fields import FieldError, FieldSpec, kind_of, scalar_text, text_of

BOM = b"\xef\xbb\xbf"


class TooLong:
    """Stands for a line longer than the record limit, which was skipped unread."""

    __slots__ = ("size",)

    def __init__(self, size: int) -> None:
        self.size = size  # bytes, without the line end


def read_jsonl(path: Path, source_id: str, spec: FieldSpec, batch_size: int) -> Iterator[RecordBatch]:
    """The hot path of most ingests, so it keeps its own tight loop: columns are plain lists, the record's own
    JSON line becomes its ``meta`` as is (no re-serialisation), and only the fields we need are looked up."""
    origin = Origin(kind=OriginKind.file, path=str(path))
    single = spec.text_fields[0] if len(spec.text_fields) == 1 else None
    url_field, license_field = spec.url_field, spec.license_field
    loads, decode_error = orjson.loads, orjson.JSONDecodeError
    texts: list[str] = []
    lines: list[int] = []
    offsets: list[int] = []
    urls: list[str | None] = []
    licenses: list[str | None] = []
    metas: list[bytes] = []
    bad: list[BadRecord] = []
    where = str(path)

    def flush(nbytes: int) -> RecordBatch:
        batch = build_batch(
            source_id,
            origin,
            texts,
            line=lines,
            byte_offset=offsets,
            url=urls if url_field else None,
            record_license=licenses if license_field else None,
            meta=metas if spec.with_meta else None,
            bad=bad,
            keep_text=spec.with_text,
            bytes_read=nbytes,
        )
        for column in (texts, lines, offsets, urls, licenses, metas, bad):
            column.clear()
        return batch

    def reject(reason: str, line_no: int | None) -> None:
        bad.append(BadRecord(source_id=source_id, path=where, line=line_no, reason=reason))

    try:
        stream, raw = open_binary(path)
    except OSError as exc:
        reject(cannot_open(exc), None)
        yield flush(0)
        return
    limit = max_record_bytes()
    line_no = consumed = offset = 0
    with raw, stream:
        problem = not_text(stream, path)
        if problem:
            reject(problem, None)
            yield flush(raw.tell())
            return
        readline = stream.readline
        try:
            # numbered_lines() inlined: this loop runs once per record of most corpora
            for line_no, raw_line in enumerate(iter(partial(readline, limit + 1), b""), 1):
                start = offset
                offset += len(raw_line)
                if len(raw_line) > limit and raw_line[-1] != 10:
                    rest, size = _skip_line(readline)
                    offset += rest
                    reject(record_too_long(len(raw_line) + size, limit), line_no)
                    continue
                if line_no == 1 and raw_line.startswith(BOM):
                    raw_line = raw_line[3:]
                try:
                    obj = loads(raw_line)
                except decode_error as exc:
                    obj = _parse_again(raw_line, exc, line_no, reject)
                    if obj is _SKIP:
                        continue
                if type(obj) is not dict:
                    reject(f"expected a JSON object, found {kind_of(obj)}", line_no)
                    continue
                text = obj.get(single) if single else None
                if type(text) is not str:
                    try:
                        text = text_of(obj, spec)
                    except FieldError as exc:
                        reject(str(exc), line_no)
                        continue
                texts.append(text)
                lines.append(line_no)
                offsets.append(start)
                if url_field:
                    url = obj.get(url_field)
                    urls.append(url if type(url) is str else scalar_text(url))
                if license_field:
                    licenses.append(scalar_text(obj.get(license_field)))
                if spec.with_meta:
                    metas.append(raw_line)
                if len(texts) >= batch_size:
                    position = raw.tell()
                    yield flush(position - consumed)
                    consumed = position
        except CORRUPTION_ERRORS as exc:
            reject(stream_failure(path, exc, f"line {line_no}"), line_no + 1)
        position = raw.tell()
    yield flush(max(position - consumed, 0))


def _skip_line(readline: Callable[[int], bytes]) -> tuple[int, int]:
    """Read past the rest of an over-long line: (bytes consumed, bytes of it that are not the line end)."""
    consumed = 0
    while True:
        chunk = readline(1 << 20)
        consumed += len(chunk)
        if not chunk:
            return consumed, consumed
        if chunk.endswith(b"\n"):
            return consumed, consumed - (2 if chunk.endswith(b"\r\n") else 1)


_SKIP = object()


def _parse_again(raw_line: bytes, exc: orjson.JSONDecodeError, line_no: int, reject) -> object:
    """A line orjson refused: blank (skipped), a JSON line behind a byte-order mark (as ``cat`` of files with one
    leaves them), or a bad line (reported). Returns the parsed value, or _SKIP."""
    if not raw_line.strip():
        return _SKIP
    if raw_line.startswith(BOM):
        try:
            return orjson.loads(raw_line[3:])
        except orjson.JSONDecodeError as again:
            raw_line, exc = raw_line[3:], again
    reject(_json_reason(raw_line, exc), line_no)
    return _SKIP


def read_text_lines(path: Path, source_id: str, spec: FieldSpec, batch_size: int) -> Iterator[RecordBatch]:
    def parse(raw_line: bytes, builder: BatchBuilder, line_no: int, offset: int) -> None:
        try:
            text = raw_line.decode("utf-8")
        except UnicodeDecodeError as exc:
            builder.reject(f"invalid UTF-8 at byte {exc.start} of the line", line=line_no)
            return
        if "\x00" in text:
            builder.reject(
                f"the line contains a NUL byte at byte {raw_line.index(0)}: binary data, not text; line skipped",
                line=line_no,
            )
            return
        builder.add(text, line=line_no, byte_offset=offset)

    yield from _read_lines(path, source_id, batch_size, parse)


def numbered_lines(stream, limit: int | None = None) -> Iterator[tuple[int, int, bytes | TooLong]]:
    """(line number from 1, byte offset of the line, the line) with a leading UTF-8 byte-order mark removed.

    A line longer than ``limit`` bytes (default: the record limit) comes as a :class:`TooLong`, unread.
    """
    limit = max_record_bytes() if limit is None else limit
    readline = stream.readline
    offset = 0
    for line_no, raw_line in enumerate(iter(partial(readline, limit + 1), b""), 1):
        start = offset
        offset += len(raw_line)
        if len(raw_line) > limit and raw_line[-1] != 10:
            rest, size = _skip_line(readline)
            offset += rest
            yield line_no, start, TooLong(len(raw_line) + size)
            continue
        if line_no == 1 and raw_line.startswith(BOM):
            raw_line = raw_line[3:]
        yield line_no, start, raw_line


def _json_reason(raw_line: bytes, exc: orjson.JSONDecodeError) -> str:
    try:
        raw_line.decode("utf-8")
    except UnicodeDecodeError as bad:
        return f"invalid UTF-8 at byte {bad.start} of the line"
    nul = raw_line.find(0)
    if nul >= 0:
        return f"invalid JSON: the line contains a NUL byte at byte {nul} (binary data?)"
    return f"invalid JSON: {exc.msg} at column {exc.colno}"


def _read_lines(path: Path, source_id: str, batch_size: int, parse) -> Iterator[RecordBatch]:
    builder = BatchBuilder(source_id, Origin(kind=OriginKind.file, path=str(path)))
    try:
        stream, raw = open_binary(path)
    except OSError as exc:
        builder.reject(cannot_open(exc))
        yield builder.flush(0)
        return
    limit = max_record_bytes()
    line_no = consumed = 0
    with raw, stream:
        problem = not_text(stream, path)
        if problem:
            builder.reject(problem)
            yield builder.flush(raw.tell())
            return
        try:
            for line_no, start, raw_line in numbered_lines(stream, limit):
                if type(raw_line) is TooLong:
                    builder.reject(record_too_long(raw_line.size, limit), line=line_no)
                    continue
                if not raw_line.strip():
                    continue
                parse(raw_line.rstrip(b"\r\n"), builder, line_no, start)
                if len(builder) >= batch_size:
                    position = raw.tell()
                    yield builder.flush(position - consumed)
                    consumed = position
        except CORRUPTION_ERRORS as exc:
            builder.reject(stream_failure(path, exc, f"line {line_no}"), line=line_no + 1)
        position = raw.tell()
    yield builder.flush(max(position - consumed, 0))

"""Plain text where each file is one record (books, articles, LICENSE files).

A file larger than the record limit (``PROVENANCE_MAX_RECORD_BYTES``) is reported instead of read into memory; so
is a file that is not UTF-8 text (the message says where the first bad byte is, and how to convert it).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ..models import Origin, OriginKind
from .batch import BatchBuilder, RecordBatch
from .compression import (
    CORRUPTION_ERRORS,
    cannot_open,
    max_record_bytes,
    not_text,
    open_binary,
    record_too_long,
    stream_failure,
)
from .fields import FieldSpec


def read_text_file(path: Path, source_id: str, spec: FieldSpec, batch_size: int) -> Iterator[RecordBatch]:
    builder = BatchBuilder(source_id, Origin(kind=OriginKind.file, path=str(path)))
    try:
        stream, raw = open_binary(path)
    except OSError as exc:
        builder.reject(cannot_open(exc))
        yield builder.flush(0)
        return
    limit = max_record_bytes()
    with raw, stream:
        problem = not_text(stream, path)
        if problem:
            builder.reject(problem)
            yield builder.flush(raw.tell())
            return
        try:
            data = _read_up_to(stream, limit + 1)
            if len(data) > limit:
                size = len(data)
                data = b""
                while chunk := stream.read(1 << 20):
                    size += len(chunk)
                builder.reject(record_too_long(size, limit, "the file (one record)"))
                yield builder.flush(raw.tell())
                return
        except CORRUPTION_ERRORS as exc:
            builder.reject(stream_failure(path, exc, None, "the file is one record, so it was skipped"))
            yield builder.flush(raw.tell())
            return
        size = raw.tell()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1)
        builder.reject(
            f"invalid UTF-8 at byte {exc.start} (byte {column} of the line); the file is one record, so it was "
            "skipped (if it is Latin-1 or Windows-1252, convert it: iconv -f CP1252 -t UTF-8)",
            line=line,
        )
    else:
        if "\x00" in text:
            builder.reject(
                "the file contains NUL bytes: it looks binary, not text",
                line=text.count("\n", 0, text.index("\x00")) + 1,
            )
        else:
            builder.add(text, line=1, row=0, byte_offset=0)
    yield builder.flush(size)


def _read_up_to(stream, n: int) -> bytes:
    """Up to ``n`` bytes, fewer only at the end of the stream (a decompressing stream returns short reads)."""
    parts = []
    while n > 0:
        chunk = stream.read(min(n, 1 << 20))
        if not chunk:
            break
        parts.append(chunk)
        n -= len(chunk)
    return b"".join(parts)

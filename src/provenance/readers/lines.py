"""Line-oriented formats: JSON Lines and plain text with one record per line.

Each line is parsed on its own, so a broken line costs only itself: it is reported with file:line and the good lines
around it are all kept. A damaged compressed stream ends the file with a report of the line it broke at.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import orjson

from ..models import BadRecord, Origin, OriginKind
from .batch import BatchBuilder, RecordBatch, build_batch
from .compression import CORRUPTION_ERRORS, codec_of, open_binary
from .fields import FieldError, FieldSpec, scalar_text, text_of


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

    def reject(reason: str, line_no: int) -> None:
        bad.append(BadRecord(source_id=source_id, path=where, line=line_no, reason=reason))

    stream, raw = open_binary(path)
    line_no = consumed = offset = 0
    with raw, stream:
        try:
            # numbered_lines() inlined: this loop runs once per record of most corpora
            for line_no, raw_line in enumerate(stream, 1):
                start = offset
                offset += len(raw_line)
                if line_no == 1 and raw_line.startswith(b"\xef\xbb\xbf"):
                    raw_line = raw_line[3:]
                try:
                    obj = loads(raw_line)
                except decode_error as exc:
                    if raw_line.strip():
                        reject(_json_reason(raw_line, exc), line_no)
                    continue
                if type(obj) is not dict:
                    reject(f"expected a JSON object, found a {type(obj).__name__}", line_no)
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
            reject(
                f"the {codec_of(path) or 'file'} stream is truncated or corrupt after line {line_no} ({exc}); "
                "the lines before it were kept",
                line_no + 1,
            )
        position = raw.tell()
    yield flush(max(position - consumed, 0))


def read_text_lines(path: Path, source_id: str, spec: FieldSpec, batch_size: int) -> Iterator[RecordBatch]:
    def parse(raw_line: bytes, builder: BatchBuilder, line_no: int, offset: int) -> None:
        try:
            text = raw_line.decode("utf-8")
        except UnicodeDecodeError as exc:
            builder.reject(f"invalid UTF-8 at byte {exc.start} of the line", line=line_no)
            return
        builder.add(text, line=line_no, byte_offset=offset)

    yield from _read_lines(path, source_id, batch_size, parse)


def numbered_lines(stream) -> Iterator[tuple[int, int, bytes]]:
    """(line number from 1, byte offset of the line, the line) with a leading UTF-8 byte-order mark removed."""
    offset = 0
    for line_no, raw_line in enumerate(stream, 1):
        start = offset
        offset += len(raw_line)
        if line_no == 1 and raw_line.startswith(b"\xef\xbb\xbf"):
            raw_line = raw_line[3:]
        yield line_no, start, raw_line


def _json_reason(raw_line: bytes, exc: orjson.JSONDecodeError) -> str:
    try:
        raw_line.decode("utf-8")
    except UnicodeDecodeError as bad:
        return f"invalid UTF-8 at byte {bad.start} of the line"
    return f"invalid JSON: {exc.msg} at column {exc.colno}"


def _read_lines(path: Path, source_id: str, batch_size: int, parse) -> Iterator[RecordBatch]:
    builder = BatchBuilder(source_id, Origin(kind=OriginKind.file, path=str(path)))
    stream, raw = open_binary(path)
    line_no = consumed = 0
    try:
        with raw, stream:
            try:
                for line_no, start, raw_line in numbered_lines(stream):
                    if not raw_line.strip():
                        continue
                    parse(raw_line.rstrip(b"\r\n"), builder, line_no, start)
                    if len(builder) >= batch_size:
                        position = raw.tell()
                        yield builder.flush(position - consumed)
                        consumed = position
            except CORRUPTION_ERRORS as exc:
                codec = codec_of(path) or "file"
                builder.reject(
                    f"the {codec} stream is truncated or corrupt after line {line_no} ({exc}); "
                    "the lines before it were kept",
                    line=line_no + 1,
                )
            position = raw.tell() if not raw.closed else consumed
    except OSError as exc:  # pragma: no cover - unreadable file
        builder.reject(f"cannot read the file: {exc}")
        position = consumed
    yield builder.flush(max(position - consumed, 0))

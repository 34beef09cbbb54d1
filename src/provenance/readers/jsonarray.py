"""A JSON file holding an array of objects, streamed item by item (ijson) so it never has to fit in memory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import ijson

from ..models import Origin, OriginKind
from .batch import BatchBuilder, RecordBatch
from .compression import CORRUPTION_ERRORS, open_binary
from .fields import FieldError, FieldSpec, extras_of, text_of


def read_json_array(path: Path, source_id: str, spec: FieldSpec, batch_size: int) -> Iterator[RecordBatch]:
    builder = BatchBuilder(source_id, Origin(kind=OriginKind.file, path=str(path)))
    stream, raw = open_binary(path)
    consumed = 0
    row = -1
    with raw, stream:
        if hasattr(stream, "peek") and stream.peek(3)[:3] == b"\xef\xbb\xbf":
            stream.read(3)
        top = _top_level(stream)
        if top != "[":
            kind = {"{": "an object", "": "empty"}.get(top, "a single value")
            builder.reject(
                f"the top level of the file is {kind}, not an array of records; "
                "for one JSON object per line use format: jsonl",
                row=None,
            )
            yield builder.flush(raw.tell())
            return
        try:
            for row, obj in enumerate(ijson.items(stream, "item", use_float=True)):
                if not isinstance(obj, dict):
                    builder.reject(f"item {row} is a {type(obj).__name__}, expected a JSON object", row=row)
                    continue
                try:
                    text = text_of(obj, spec)
                except FieldError as exc:
                    builder.reject(f"item {row}: {exc}", row=row)
                    continue
                url, lic, meta = extras_of(obj, spec)
                builder.add(text, row=row, url=url, license=lic, meta=meta)
                if len(builder) >= batch_size:
                    position = raw.tell()
                    yield builder.flush(position - consumed)
                    consumed = position
        except (ijson.JSONError, UnicodeDecodeError, *CORRUPTION_ERRORS) as exc:
            builder.reject(
                f"the JSON array breaks after item {row} ({exc}); the items before it were kept "
                "(for one object per line, use format: jsonl)",
                row=row + 1,
            )
        position = raw.tell()
    yield builder.flush(max(position - consumed, 0))


def _top_level(stream) -> str:
    """The first significant character of the file, without consuming it."""
    head = stream.peek(1 << 16)[: 1 << 16] if hasattr(stream, "peek") else b"["
    head = head.lstrip(b" \t\r\n")
    return head[:1].decode("ascii", "replace") if head else ""

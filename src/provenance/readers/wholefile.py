"""Plain text where each file is one record (books, articles, LICENSE files)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ..models import Origin, OriginKind
from .batch import BatchBuilder, RecordBatch
from .compression import CORRUPTION_ERRORS, open_binary
from .fields import FieldSpec


def read_text_file(path: Path, source_id: str, spec: FieldSpec, batch_size: int) -> Iterator[RecordBatch]:
    builder = BatchBuilder(source_id, Origin(kind=OriginKind.file, path=str(path)))
    stream, raw = open_binary(path)
    with raw, stream:
        try:
            data = stream.read()
        except CORRUPTION_ERRORS as exc:
            builder.reject(f"the compressed stream is truncated or corrupt ({exc})")
            yield builder.flush(raw.tell())
            return
        size = raw.tell()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        builder.reject(f"invalid UTF-8 at byte {exc.start}; the file is one record, so it was skipped", line=line)
    else:
        if "\x00" in text:
            builder.reject(
                "the file contains NUL bytes: it looks binary, not text",
                line=text.count("\n", 0, text.index("\x00")) + 1,
            )
        else:
            builder.add(text, line=1, row=0, byte_offset=0)
    yield builder.flush(size)

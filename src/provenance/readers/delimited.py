"""CSV and TSV with a header row. Rows may span lines (quoted newlines); each row is reported by its first line."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from ..models import Origin, OriginKind
from .batch import BatchBuilder, RecordBatch
from .compression import CORRUPTION_ERRORS, open_binary
from .fields import FieldError, FieldSpec, extras_of, text_of

csv.field_size_limit(2**31 - 1)


def read_delimited(
    path: Path, source_id: str, spec: FieldSpec, batch_size: int, delimiter: str
) -> Iterator[RecordBatch]:
    builder = BatchBuilder(source_id, Origin(kind=OriginKind.file, path=str(path)))
    stream, raw = open_binary(path)
    state = {"line": 0, "row_start": None}

    def decoded_lines() -> Iterator[str]:
        for raw_line in stream:
            state["line"] += 1
            if state["line"] == 1 and raw_line.startswith(b"\xef\xbb\xbf"):
                raw_line = raw_line[3:]
            try:
                text = raw_line.decode("utf-8")
            except UnicodeDecodeError as exc:
                builder.reject(f"invalid UTF-8 at byte {exc.start} of the line; line skipped", line=state["line"])
                continue
            if state["row_start"] is None:
                state["row_start"] = state["line"]
            yield text

    consumed = 0
    row_index = 0
    with raw, stream:
        reader = csv.reader(decoded_lines(), delimiter=delimiter)
        try:
            header = next(reader, None)
            state["row_start"] = None
            if header is None:
                builder.reject("the file is empty: no header row")
                yield builder.flush(raw.tell())
                return
            header = [h.strip() for h in header]
            while True:
                try:
                    values = next(reader)
                except StopIteration:
                    break
                except csv.Error as exc:
                    builder.reject(f"unreadable row: {exc}", line=state["row_start"] or state["line"])
                    state["row_start"] = None
                    continue
                line, state["row_start"] = state["row_start"], None
                if not values or values == [""]:
                    continue
                if len(values) != len(header):
                    builder.reject(
                        f"row has {len(values)} fields but the header has {len(header)}; row skipped", line=line
                    )
                    continue
                obj = dict(zip(header, values, strict=True))
                try:
                    text = text_of(obj, spec)
                except FieldError as exc:
                    builder.reject(str(exc), line=line)
                    continue
                url, lic, meta = extras_of(obj, spec)
                builder.add(text, line=line, row=row_index, url=url or None, license=lic or None, meta=meta)
                row_index += 1
                if len(builder) >= batch_size:
                    position = raw.tell()
                    yield builder.flush(position - consumed)
                    consumed = position
        except CORRUPTION_ERRORS as exc:
            builder.reject(
                f"the stream is truncated or corrupt after line {state['line']} ({exc})", line=state["line"] + 1
            )
        position = raw.tell()
    yield builder.flush(max(position - consumed, 0))

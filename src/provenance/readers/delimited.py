"""CSV and TSV with a header row. Rows may span lines (quoted newlines); each row is reported by its first line.

``row`` counts every data row, kept or not, so it locates a record the way a spreadsheet would. An unclosed quote
would otherwise swallow the rest of the file into one field: it is reported, and the lines after it are read again.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from pathlib import Path

from ..models import Origin, OriginKind
from .batch import BatchBuilder, RecordBatch
from .compression import CORRUPTION_ERRORS, open_binary
from .fields import FieldError, FieldSpec, extras_of, text_of
from .lines import numbered_lines

csv.field_size_limit(2**31 - 1)
RECOVERY_LINES = 100_000  # how far back an unclosed quote can be recovered from


def _rows(
    lines: Iterator[tuple[int, str]], delimiter: str, reject: Callable[[str, int | None], None]
) -> Iterator[tuple[int, list[str]]]:
    """(first line, fields) of every row; unreadable rows go to ``reject``."""
    current: list[tuple[int, str]] = []  # the lines of the row being read, for locating and recovering it

    def feed() -> Iterator[str]:
        for item in lines:
            if len(current) < RECOVERY_LINES:
                current.append(item)
            yield item[1]

    reader = csv.reader(feed(), delimiter=delimiter, strict=True)
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            start = current[0][0] if current else None
            if "unexpected end of data" in str(exc) and len(current) > 1:
                reject(
                    f"a quoted field opened on this line never closes; the {len(current) - 1:,} line(s) after it "
                    "were read again as rows",
                    start,
                )
                yield from _rows(iter(current[1:]), delimiter, reject)
                return
            reject(f"unreadable row: {exc}", start)
            current.clear()
            continue
        start = current[0][0] if current else 0
        current.clear()
        yield start, values


def read_delimited(
    path: Path, source_id: str, spec: FieldSpec, batch_size: int, delimiter: str
) -> Iterator[RecordBatch]:
    builder = BatchBuilder(source_id, Origin(kind=OriginKind.file, path=str(path)))
    stream, raw = open_binary(path)
    last_line = 0

    def decoded_lines() -> Iterator[tuple[int, str]]:
        nonlocal last_line
        for number, _, raw_line in numbered_lines(stream):
            last_line = number
            try:
                yield number, raw_line.decode("utf-8")
            except UnicodeDecodeError as exc:
                builder.reject(f"invalid UTF-8 at byte {exc.start} of the line; line skipped", line=number)

    def reject(reason: str, line: int | None) -> None:
        builder.reject(reason, line=line)

    consumed = 0
    with raw, stream:
        rows = _rows(decoded_lines(), delimiter, reject)
        try:
            first = next(rows, None)
            if first is None:
                builder.reject("the file is empty: no header row")
                yield builder.flush(raw.tell())
                return
            header = [h.strip() for h in first[1]]
            for row_index, (line, values) in enumerate(rows):
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
                if len(builder) >= batch_size:
                    position = raw.tell()
                    yield builder.flush(position - consumed)
                    consumed = position
        except CORRUPTION_ERRORS as exc:
            builder.reject(f"the stream is truncated or corrupt after line {last_line} ({exc})", line=last_line + 1)
        position = raw.tell()
    yield builder.flush(max(position - consumed, 0))

"""CSV and TSV with a header row. Rows may span lines (quoted newlines); each row is reported by its first line.

``row`` counts every data row, kept or not, so it locates a record the way a spreadsheet would. An unclosed quote
would otherwise swallow the rest of the file into one field: it is reported, and the lines after it are read again.
A header that repeats a column we read (the text, URL or licence column) is ambiguous and the file is reported;
other repeated names are numbered as pandas does (``id``, ``id.1``). A field longer than the record limit, a line
that is not UTF-8 and a text holding a NUL byte are reported by line, and the rows around them are kept.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
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
from .fields import FieldError, FieldSpec, extras_of, text_of
from .lines import TooLong, numbered_lines

csv.field_size_limit(2**31 - 1)  # each read lowers it to the record limit
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
            detail = str(exc).replace("'\t'", "a tab")
            reject(
                f"unreadable row: {detail} (a field that starts with a quote must end with one; "
                'write a quote inside a quoted field as "")',
                start,
            )
            current.clear()
            continue
        start = current[0][0] if current else 0
        current.clear()
        yield start, values


def read_delimited(
    path: Path, source_id: str, spec: FieldSpec, batch_size: int, delimiter: str
) -> Iterator[RecordBatch]:
    builder = BatchBuilder(source_id, Origin(kind=OriginKind.file, path=str(path)))
    try:
        stream, raw = open_binary(path)
    except OSError as exc:
        builder.reject(cannot_open(exc))
        yield builder.flush(0)
        return
    limit = max_record_bytes()
    csv.field_size_limit(min(limit, 2**31 - 1))  # a quoted field may span lines: bound the whole field
    last_line = 0

    def decoded_lines() -> Iterator[tuple[int, str]]:
        nonlocal last_line
        for number, _, raw_line in numbered_lines(stream, limit):
            last_line = number
            if type(raw_line) is TooLong:
                builder.reject(record_too_long(raw_line.size, limit), line=number)
                continue
            try:
                yield number, raw_line.decode("utf-8")
            except UnicodeDecodeError as exc:
                builder.reject(f"invalid UTF-8 at byte {exc.start} of the line; line skipped", line=number)

    def reject(reason: str, line: int | None) -> None:
        builder.reject(reason, line=line)

    consumed = 0
    with raw, stream:
        problem = not_text(stream, path)
        if problem:
            builder.reject(problem)
            yield builder.flush(raw.tell())
            return
        rows = _rows(decoded_lines(), delimiter, reject)
        try:
            first = next(rows, None)
            if first is None:
                builder.reject("the file is empty: no header row")
                yield builder.flush(raw.tell())
                return
            header, clash = _header(first[1], spec)
            if clash:
                builder.reject(clash, line=first[0])
                yield builder.flush(raw.tell())
                return
            for row_index, (line, values) in enumerate(rows):
                if not values or values == [""]:
                    continue
                if len(values) != len(header):
                    builder.reject(
                        f"row has {len(values)} field{'s' if len(values) != 1 else ''} but the header has "
                        f"{len(header)}; row skipped",
                        line=line,
                    )
                    continue
                obj = dict(zip(header, values, strict=True))
                try:
                    text = text_of(obj, spec)
                    if "\x00" in text:
                        raise FieldError("the text holds a NUL byte: binary data, not text; row skipped")
                    url, lic, meta = extras_of(obj, spec)
                except FieldError as exc:
                    builder.reject(str(exc), line=line)
                    continue
                builder.add(text, line=line, row=row_index, url=url or None, license=lic or None, meta=meta)
                if len(builder) >= batch_size:
                    position = raw.tell()
                    yield builder.flush(position - consumed)
                    consumed = position
        except CORRUPTION_ERRORS as exc:
            builder.reject(stream_failure(path, exc, f"line {last_line}"), line=last_line + 1)
        position = raw.tell()
    yield builder.flush(max(position - consumed, 0))


def _header(names: list[str], spec: FieldSpec) -> tuple[list[str], str | None]:
    """Column names; a repeated name is numbered (``id``, ``id.1``) unless a column we read is repeated, which
    makes the file ambiguous: then (names, reason)."""
    header = [h.strip() for h in names]
    used = {*spec.text_fields, spec.url_field, spec.license_field}
    seen: dict[str, list[int]] = {}
    for i, name in enumerate(header):
        seen.setdefault(name, []).append(i)
    for name, places in seen.items():
        if len(places) > 1 and name in used:
            columns = " and ".join(str(p + 1) for p in places)
            return header, (
                f"the header names column '{name}' more than once (columns {columns}), so which one to read is "
                "ambiguous; rename the others. File skipped"
            )
    out = []
    counts: dict[str, int] = {}
    for name in header:
        n = counts.get(name, 0)
        counts[name] = n + 1
        out.append(name if n == 0 else f"{name}.{n}")
    return out, None

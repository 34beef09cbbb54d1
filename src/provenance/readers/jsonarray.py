"""A JSON file holding an array of objects, streamed item by item (ijson) so it never has to fit in memory.

The fast C parser stops at integers beyond 64 bits and at invalid UTF-8 inside a string; when it does, the file is
read again from the start with ijson's Python parser (arbitrary integers) over a stream in which invalid UTF-8 is
marked, the items already read are skipped, and only the item holding invalid UTF-8 is reported. Anything else
that breaks the array (a truncated file, a syntax error) ends the read there: the items before it are kept and the
break is reported by item index.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ijson
from ijson.backends import python as ijson_python

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
from .fields import FieldError, FieldSpec, encodable, extras_of, kind_of, text_of

_MARK = "\ufdd0"  # a Unicode noncharacter: stands for invalid UTF-8 in the second reading
codecs.register_error("provenance-mark-invalid", lambda exc: (_MARK, exc.end))  # type: ignore[arg-type, return-value]


def read_json_array(path: Path, source_id: str, spec: FieldSpec, batch_size: int) -> Iterator[RecordBatch]:
    builder = BatchBuilder(source_id, Origin(kind=OriginKind.file, path=str(path)))
    try:
        stream, raw = open_binary(path)
    except OSError as exc:
        builder.reject(cannot_open(exc))
        yield builder.flush(0)
        return
    limit = max_record_bytes()
    consumed = 0
    last = -1  # index of the last item handled
    failure: BaseException | None = None
    with raw, stream:
        problem = _top_level_problem(stream, path)
        if problem:
            builder.reject(problem)
            yield builder.flush(raw.tell())
            return
        try:
            for row, obj in enumerate(ijson.items(stream, "item", use_float=True)):
                last = row
                _add(builder, row, obj, spec, limit, marked=False)
                if len(builder) >= batch_size:
                    position = raw.tell()
                    yield builder.flush(position - consumed)
                    consumed = position
        except (ijson.JSONError, UnicodeDecodeError, *CORRUPTION_ERRORS) as exc:
            failure = exc
        position = raw.tell()
    if failure is not None and _read_again(failure):
        second = _second_reading(path, builder, spec, limit, batch_size, last)
        while True:
            try:
                batch = next(second)
            except StopIteration as done:
                last, failure = done.value
                break
            yield batch
    if failure is not None:
        builder.reject(_failure(path, failure, last), row=last + 1)
    yield builder.flush(max(position - consumed, 0))


def _failure(path: Path, exc: BaseException, last: int) -> str:
    if isinstance(exc, ijson.JSONError | UnicodeDecodeError | RecursionError):
        return (
            f"the JSON array breaks after item {last} ({_one_line(exc)}); the items before it were kept "
            "(for one object per line, use format: jsonl)"
        )
    return stream_failure(path, exc, f"item {last}", kept="items")


def _one_line(error: BaseException) -> str:
    """ijson's messages quote the input over several lines: keep the first."""
    message = str(error)
    if message[:2] in ("b'", 'b"'):
        message = message[2:]
    lines = message.replace("\\n", "\n").strip().splitlines()
    return lines[0].strip().rstrip(".") if lines else type(error).__name__


def _add(builder: BatchBuilder, row: int, obj: Any, spec: FieldSpec, limit: int, *, marked: bool) -> None:
    if not isinstance(obj, dict):
        builder.reject(f"item {row} is {kind_of(obj)}, expected a JSON object", row=row)
        return
    if marked and _holds_mark(obj):
        builder.reject(f"item {row} holds invalid UTF-8; item skipped", row=row)
        return
    try:
        text = text_of(obj, spec)
        if len(text) > limit // 4 and len(text.encode("utf-8", "surrogatepass")) > limit:
            builder.reject(f"item {row}: " + record_too_long(len(text.encode("utf-8", "surrogatepass")), limit,
                                                             "its text"), row=row)  # fmt: skip
            return
        if marked and not encodable(text):
            raise FieldError(f"field(s) {', '.join(spec.text_fields)} hold an unpaired surrogate escape (\\ud800...)")
        url, lic, meta = extras_of(obj, spec)
    except FieldError as exc:
        builder.reject(f"item {row}: {exc}", row=row)
        return
    builder.add(text, row=row, url=url, license=lic, meta=meta)


def _holds_mark(obj: Any) -> bool:
    todo = [obj]
    while todo:
        value = todo.pop()
        if isinstance(value, str):
            if _MARK in value:
                return True
        elif isinstance(value, dict):
            todo.extend(value.keys())
            todo.extend(value.values())
        elif isinstance(value, list):
            todo.extend(value)
    return False


def _read_again(exc: BaseException) -> bool:
    """Errors of the C parser that its Python sibling, over a marked stream, gets past."""
    if isinstance(exc, UnicodeDecodeError):
        return True
    message = str(exc).lower()
    return isinstance(exc, ijson.JSONError) and ("overflow" in message or "utf8" in message or "utf-8" in message)


def _second_reading(path: Path, builder: BatchBuilder, spec: FieldSpec, limit: int, batch_size: int, last: int):
    """Read the file again with the Python parser, skipping items up to ``last``; returns (last, failure)."""
    failure: BaseException | None = None
    try:
        stream, raw = open_binary(path)
    except OSError as exc:
        return last, exc
    with raw, stream:
        if stream.peek(3)[:3] == b"\xef\xbb\xbf":
            stream.read(3)
        marked = _Marked(stream)
        try:
            for row, obj in enumerate(ijson_python.items(marked, "item", use_float=True)):
                if row <= last:
                    continue
                last = row
                _add(builder, row, obj, spec, limit, marked=True)
                if len(builder) >= batch_size:
                    yield builder.flush(0)
        except (ijson.JSONError, UnicodeDecodeError, RecursionError, *CORRUPTION_ERRORS) as exc:
            failure = marked.error or exc
    return last, failure


class _Marked:
    """A binary stream with every invalid UTF-8 sequence replaced by the encoded mark character; a failing read
    ends the stream and is kept in ``error``."""

    def __init__(self, stream) -> None:
        self.stream = stream
        self.decoder = codecs.getincrementaldecoder("utf-8")(errors="provenance-mark-invalid")
        self.error: BaseException | None = None

    def read(self, size: int = -1) -> bytes:
        if size == 0:  # ijson asks for nothing first, to learn whether the stream gives bytes
            return b""
        while True:
            try:
                chunk = self.stream.read(size if size and size > 0 else 1 << 16)
            except CORRUPTION_ERRORS as exc:
                # ends the JSON text here; raising inside ijson's Python parser would leave its coroutines to
                # print a traceback when they are collected
                self.error, chunk = exc, b""
            text = self.decoder.decode(chunk, final=not chunk)
            if text or not chunk:
                return text.encode("utf-8")


def _top_level_problem(stream, path: Path) -> str | None:
    if hasattr(stream, "peek") and stream.peek(3)[:3] == b"\xef\xbb\xbf":
        stream.read(3)
    problem = not_text(stream, path)
    if problem:
        return problem
    top = _top_level(stream)
    if top == "[":
        return None
    kind = {"{": "an object", "": "empty"}.get(top, "a single value")
    return (
        f"the top level of the file is {kind}, not an array of records; for one JSON object per line use format: jsonl"
    )


def _top_level(stream) -> str:
    """The first significant character of the file, without consuming it."""
    try:
        head = stream.peek(1 << 16)[: 1 << 16] if hasattr(stream, "peek") else b"["
    except CORRUPTION_ERRORS:
        return "["  # the read itself reports the damage
    head = head.lstrip(b" \t\r\n")
    return head[:1].decode("ascii", "replace") if head else ""

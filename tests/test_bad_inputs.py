"""A corpus of bad inputs, generated here (nothing large is stored): every kind ends with a clear message naming the
file and the line, row or byte offset, no traceback, the documented exit code, and every good record around the
bad one in the ledger.

Each kind builds its files in a folder of its own and declares what must come out: the texts that must become
records of its source, and the bad records (file, line/row/offset, words of the reason) that must be reported.
Corpus kinds are scanned through the command line together, several sources per manifest and at most 20 bad
records per run (the scan summary lists 20), in parallel; each manifest kind is a run of its own and must exit
with 3 (bad input) before writing anything.

Limits (see src/provenance/readers/compression.py): a record (line, text file, JSON item, WARC block) holds at
most PROVENANCE_MAX_RECORD_BYTES (32 MiB); a compressed file expands to at most PROVENANCE_MAX_EXPANSION_RATIO
(100) times its size, counting at least 1 MiB. The ``small-limit`` runs set the record limit to 1 MiB.
"""

from __future__ import annotations

import bz2
import gzip
import io
import json
import os
import random
import re
import time
import traceback
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zstandard

import provenance
from conftest import expected_record_id, run_cli_in, source_entry, write_manifest_file
from provenance import Ledger
from provenance.models import DataFormat
from provenance.readers import FieldSpec, read_path

MiB = 1 << 20
RECORD_LIMIT = 32 * MiB  # the documented default of PROVENANCE_MAX_RECORD_BYTES
RATIO = 100  # the documented default of PROVENANCE_MAX_EXPANSION_RATIO
SMALL_LIMIT = MiB  # PROVENANCE_MAX_RECORD_BYTES in the "small-limit" runs
MAX_BAD_PER_RUN = 20  # the scan summary prints the first 20 bad records


# ---- what a kind declares --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Bad:
    file: str  # relative to the kind's folder
    at: int | None  # line, row or byte offset as the report shows it; None for the whole file
    needles: tuple[str, ...]  # words the reason must contain


def bad(file: str, at: int | None, *needles: str) -> Bad:
    return Bad(file, at, needles)


@dataclass
class Case:
    """A corpus kind: data entries (paths relative to the kind's folder), the texts that must become records, and
    the bad records that must be reported."""

    data: list[dict[str, Any]]
    good: list[str] = field(default_factory=list)
    bad: list[Bad] = field(default_factory=list)
    check: Callable[[Ledger, str, Path], None] | None = None  # (ledger, source id, kind folder)


@dataclass
class ManifestCase:
    """A manifest kind: the whole scan is refused with exit code 3 and ``error: <location>: ...``."""

    location: str  # e.g. "sources.yaml:5"
    needles: tuple[str, ...]
    check: Callable[[Path], None] | None = None
    pattern: str | None = None  # a regular expression the error line must match, when the line may vary


@dataclass(frozen=True)
class Kind:
    id: str
    build: Callable[[Path], Case | ManifestCase]
    run: str = "corpus"  # corpus kinds with the same run name (and so the same environment) share CLI runs
    env: tuple[tuple[str, str], ...] = ()
    xfail: str | None = None
    timeout: float = 120
    cli: bool = True  # manifest kinds run in process unless they need the command line (or may hang)


KINDS: dict[str, Kind] = {}


def kind(
    kind_id: str,
    *,
    run: str = "corpus",
    env: dict[str, str] | None = None,
    xfail: str | None = None,
    timeout: float = 120,
    cli: bool = True,
):
    def register(build: Callable[[Path], Case | ManifestCase]) -> Callable[[Path], Case | ManifestCase]:
        assert kind_id not in KINDS, kind_id
        KINDS[kind_id] = Kind(kind_id, build, run, tuple(sorted((env or {}).items())), xfail, timeout, cli)
        return build

    return register


SMALL = {"PROVENANCE_MAX_RECORD_BYTES": str(SMALL_LIMIT)}


# ---- helpers to write inputs -----------------------------------------------------------------------------------------
def jl(*objs: Any) -> bytes:
    return b"".join(json.dumps(o, ensure_ascii=False).encode() + b"\n" for o in objs)


def texts(prefix: str, n: int) -> list[str]:
    return [f"{prefix} record {i}" for i in range(n)]


def records(items: list[str]) -> bytes:
    return jl(*({"text": t} for t in items))


def garbage(n: int, seed: int) -> bytes:
    """Random bytes whose first 2 KiB hold no newline (so the first line is long enough to tell it is binary)."""
    data = bytearray(random.Random(seed).randbytes(n))
    for i in range(min(n, 2048)):
        if data[i] == 10:
            data[i] = 11 if i % 2 else 0
    return bytes(data)


def sandwich(d: Path, name: str, bad_line: bytes, prefix: str) -> Case:
    """A JSONL file: two good lines, the bad line (line 3), two good lines."""
    before, after = texts(f"{prefix} before", 2), texts(f"{prefix} after", 2)
    (d / name).write_bytes(records(before) + bad_line.rstrip(b"\n") + b"\n" + records(after))
    return Case([{"path": name}], before + after)


def csv_bytes(*rows: str) -> bytes:
    return "".join(rows).encode()


def parquet(path: Path, table: pa.Table, **kw: Any) -> None:
    pq.write_table(table, path, **kw)


def warc_record(warc_type: str, block: bytes, uri: str = "https://example.org/", length: str | None = None) -> bytes:
    head = (
        f"WARC/1.1\r\nWARC-Type: {warc_type}\r\nWARC-Date: 2024-05-01T00:00:00Z\r\nWARC-Target-URI: {uri}\r\n"
        f"Content-Type: application/http;msgtype={warc_type}\r\nContent-Length: {length or len(block)}\r\n\r\n"
    )
    return head.encode() + block + b"\r\n\r\n"


def page(
    text: str,
    uri: str,
    *,
    mime: str = "text/plain; charset=utf-8",
    body: bytes | None = None,
    headers: tuple[tuple[str, str], ...] = (),
) -> bytes:
    lines = ["HTTP/1.1 200 OK", f"Content-Type: {mime}", *(f"{k}: {v}" for k, v in headers)]
    block = ("\r\n".join(lines) + "\r\n\r\n").encode() + (text.encode() if body is None else body)
    return warc_record("response", block, uri)


def members(*blocks: bytes, codec: str) -> list[bytes]:
    """Each block compressed on its own (gzip member, bzip2 stream, zstd frame)."""
    if codec == "gzip":
        return [gzip.compress(b, mtime=0) for b in blocks]
    if codec == "bz2":
        return [bz2.compress(b) for b in blocks]
    return [zstandard.ZstdCompressor().compress(b) for b in blocks]


def decodable(codec: str, data: bytes) -> bytes:
    """What an independent decoder gets out of one damaged member before it stops."""
    if codec == "gzip":
        return zlib.decompressobj(31).decompress(data)
    if codec == "bz2":
        return bz2.BZ2Decompressor().decompress(data)
    return zstandard.ZstdDecompressor().decompressobj().decompress(data)


SUFFIX = {"gzip": "gz", "bz2": "bz2", "zstd": "zst"}


# ==== JSON Lines ======================================================================================================
@kind("jsonl-invalid-json")
def _(d: Path) -> Case:
    case = sandwich(d, "a.jsonl", b'{"text": "never closed', "invalid json")
    case.bad = [bad("a.jsonl", 3, "invalid JSON", "column")]
    return case


@kind("jsonl-trailing-garbage")
def _(d: Path) -> Case:
    case = sandwich(d, "a.jsonl", b'{"text": "one"} {"text": "two"}', "trailing")
    case.bad = [bad("a.jsonl", 3, "invalid JSON", "unexpected content after document")]
    return case


@kind("jsonl-truncated-last-line")
def _(d: Path) -> Case:
    good = texts("truncated", 4)
    (d / "a.jsonl").write_bytes(records(good) + b'{"text": "cut in the mid')
    return Case([{"path": "a.jsonl"}], good, [bad("a.jsonl", 5, "invalid JSON")])


@kind("jsonl-invalid-utf8")
def _(d: Path) -> Case:
    case = sandwich(d, "a.jsonl", b'{"text": "K\xe4sefondue"}', "invalid utf8")
    case.bad = [bad("a.jsonl", 3, "invalid UTF-8 at byte 11")]
    return case


@kind("jsonl-mixed-encodings")
def _(d: Path) -> Case:
    good = ["plain ascii", "caf\u00e9 in UTF-8", "\u65e5\u672c\u8a9e"]
    lines = [
        jl({"text": good[0]}),
        '{"text": "caf\u00e9 in Latin-1"}\n'.encode("latin-1"),
        jl({"text": good[1]}),
        '{"text": "\u201csmart quotes\u201d in cp1252"}\n'.encode("cp1252"),
        jl({"text": good[2]}),
        '{"text": "UTF-16 line"}\n'.encode("utf-16-le"),
    ]
    (d / "a.jsonl").write_bytes(b"".join(lines))
    # the UTF-16 line ends in "\n\0": its NUL is the start of a line 7
    return Case(
        [{"path": "a.jsonl"}],
        good,
        [
            bad("a.jsonl", 2, "invalid UTF-8 at byte 13"),
            bad("a.jsonl", 4, "invalid UTF-8 at byte 10"),
            bad("a.jsonl", 6, "NUL byte at byte 1"),
            bad("a.jsonl", 7, "NUL byte at byte 0"),
        ],
    )


@kind("jsonl-latin1-file")
def _(d: Path) -> Case:
    good = ["only ascii here", "and here"]
    body = [
        f'{{"text": "{good[0]}"}}',
        '{"text": "na\u00efve"}',
        f'{{"text": "{good[1]}"}}',
        '{"text": "\u00e9t\u00e9"}',
    ]
    (d / "a.jsonl").write_bytes("\n".join(body).encode("latin-1") + b"\n")
    return Case([{"path": "a.jsonl"}], good, [bad("a.jsonl", 2, "invalid UTF-8"), bad("a.jsonl", 4, "invalid UTF-8")])


@kind("jsonl-utf8-bom")
def _(d: Path) -> Case:
    good = texts("bom", 3)
    (d / "a.jsonl").write_bytes(b"\xef\xbb\xbf" + records(good))
    return Case([{"path": "a.jsonl"}], good)


@kind("jsonl-bom-mid-file")
def _(d: Path) -> Case:
    """Two files with byte-order marks joined by cat: the second mark sits at the start of line 3."""
    first, second = texts("first file", 2), texts("second file", 2)
    (d / "a.jsonl").write_bytes(b"\xef\xbb\xbf" + records(first) + b"\xef\xbb\xbf" + records(second))
    return Case([{"path": "a.jsonl"}], first + second)


@kind("jsonl-utf16-bom")
def _(d: Path) -> Case:
    good = texts("utf16 neighbour", 2)
    (d / "good.jsonl").write_bytes(records(good))
    (d / "utf16.jsonl").write_bytes(records(texts("utf16", 3)).decode().encode("utf-16"))
    return Case([{"path": "*.jsonl"}], good, [bad("utf16.jsonl", None, "UTF-16", "iconv")])


@kind("jsonl-utf16-no-bom")
def _(d: Path) -> Case:
    (d / "a.jsonl").write_bytes(records(texts("utf16le", 3)).decode().encode("utf-16-le"))
    return Case([{"path": "a.jsonl"}], [], [bad("a.jsonl", None, "UTF-16", "without a byte-order mark")])


@kind("jsonl-utf32-bom")
def _(d: Path) -> Case:
    (d / "a.jsonl").write_bytes(records(texts("utf32", 2)).decode().encode("utf-32"))
    return Case([{"path": "a.jsonl"}], [], [bad("a.jsonl", None, "UTF-32")])


@kind("jsonl-nul-in-line")
def _(d: Path) -> Case:
    case = sandwich(d, "a.jsonl", b'{"text": "nul\x00inside"}', "nul")
    case.bad = [bad("a.jsonl", 3, "NUL byte at byte 13")]
    return case


@kind("jsonl-nul-padded-tail")
def _(d: Path) -> Case:
    """A writer that crashed leaves the end of the file filled with NUL bytes."""
    good = texts("before the nul tail", 3)
    (d / "a.jsonl").write_bytes(records(good) + b"\x00" * 4096)
    return Case([{"path": "a.jsonl"}], good, [bad("a.jsonl", 4, "NUL byte at byte 0")])


@kind("jsonl-binary-garbage")
def _(d: Path) -> Case:
    good = texts("binary neighbour", 2)
    (d / "good.jsonl").write_bytes(records(good))
    (d / "garbage.jsonl").write_bytes(garbage(64 * 1024, seed=1))
    return Case([{"path": "*.jsonl"}], good, [bad("garbage.jsonl", None, "looks binary")])


@kind("jsonl-gzip-without-suffix")
def _(d: Path) -> Case:
    (d / "a.jsonl").write_bytes(gzip.compress(records(texts("hidden gzip", 3)), mtime=0))
    return Case([{"path": "a.jsonl"}], [], [bad("a.jsonl", None, "gzip-compressed", "rename it to end in .gz")])


@kind("jsonl-parquet-named-jsonl")
def _(d: Path) -> Case:
    parquet(d / "a.jsonl", pa.table({"text": texts("parquet", 3)}))
    return Case([{"path": "a.jsonl"}], [], [bad("a.jsonl", None, "is a Parquet file", "format: parquet")])


@kind("jsonl-empty-file")
def _(d: Path) -> Case:
    good = texts("empty neighbour", 2)
    (d / "good.jsonl").write_bytes(records(good))
    (d / "empty.jsonl").write_bytes(b"")
    return Case([{"path": "*.jsonl"}], good)  # nothing to read is not an error


@kind("jsonl-only-blank-lines")
def _(d: Path) -> Case:
    (d / "a.jsonl").write_bytes(b"\n\n   \n\t\r\n")
    return Case([{"path": "a.jsonl"}])


@kind("jsonl-crlf")
def _(d: Path) -> Case:
    good = texts("crlf", 3)
    (d / "a.jsonl").write_bytes(records(good).replace(b"\n", b"\r\n"))
    return Case([{"path": "a.jsonl"}], good)


@kind("jsonl-not-objects")
def _(d: Path) -> Case:
    good = texts("between non-objects", 2)
    lines = [jl({"text": good[0]}), b'["a", "list"]\n', b'"a string"\n', b"42\n", b"null\n", b"true\n"]
    (d / "a.jsonl").write_bytes(b"".join(lines) + jl({"text": good[1]}))
    return Case(
        [{"path": "a.jsonl"}],
        good,
        [
            bad("a.jsonl", 2, "expected a JSON object, found a list"),
            bad("a.jsonl", 3, "found a string"),
            bad("a.jsonl", 4, "found a number"),
            bad("a.jsonl", 5, "found null"),
            bad("a.jsonl", 6, "found a boolean"),
        ],
    )


def _text_field(value: Any, *needles: str) -> Callable[[Path], Case]:
    def build(d: Path) -> Case:
        case = sandwich(d, "a.jsonl", jl({"text": value, "id": 1}), "text field")
        case.bad = [bad("a.jsonl", 3, *needles)]
        return case

    return build


kind("jsonl-text-number")(_text_field(42, "field 'text' is a number, expected a string"))
kind("jsonl-text-float")(_text_field(4.5, "field 'text' is a number"))
kind("jsonl-text-list")(_text_field(["a", "b"], "field 'text' is a list"))
kind("jsonl-text-object")(_text_field({"a": 1}, "field 'text' is an object"))
kind("jsonl-text-bool")(_text_field(True, "field 'text' is a boolean"))
kind("jsonl-text-null")(_text_field(None, "no text: field 'text' is null"))


@kind("jsonl-text-missing")
def _(d: Path) -> Case:
    case = sandwich(d, "a.jsonl", jl({"body": "not in text", "id": 1}), "missing")
    case.bad = [bad("a.jsonl", 3, "no text: field 'text' is missing", "the record has 2 other field(s)")]
    return case


@kind("jsonl-deeply-nested")
def _(d: Path) -> Case:
    deep = b'{"text": "deep", "x": ' + b"[" * 10_000 + b"]" * 10_000 + b"}"
    case = sandwich(d, "a.jsonl", deep, "nested")
    case.bad = [bad("a.jsonl", 3, "invalid JSON", "depth")]
    return case


@kind("jsonl-huge-numbers")
def _(d: Path) -> Case:
    """A 30-digit integer is read (as a float); a number beyond any float is reported."""
    good = ["before big numbers", "with a 30-digit integer", "after big numbers"]
    lines = [
        jl({"text": good[0]}),
        f'{{"text": "{good[1]}", "n": {10**30}}}\n'.encode(),
        f'{{"text": "beyond floats", "n": 1{"0" * 400}}}\n'.encode(),
        jl({"text": good[2]}),
    ]
    (d / "a.jsonl").write_bytes(b"".join(lines))
    return Case([{"path": "a.jsonl", "metadata": ["n"]}], good, [bad("a.jsonl", 3, "invalid JSON", "infinity")])


@kind("jsonl-duplicate-keys")
def _(d: Path) -> Case:
    """The last value of a repeated key wins, as in Python's json module."""
    (d / "a.jsonl").write_bytes(b'{"text": "first value", "text": "last value wins"}\n')
    return Case([{"path": "a.jsonl"}], ["last value wins"])


@kind("jsonl-duplicate-records")
def _(d: Path) -> Case:
    """The same text twice in a file and once more in another: one record, three origins."""
    (d / "a.jsonl").write_bytes(records(["the same text", "another text", "the same text"]))
    (d / "b.jsonl").write_bytes(records(["the same text"]))

    def check(store: Ledger, sid: str, folder: Path) -> None:
        rid = expected_record_id(sid, "the same text")
        places = store.execute("SELECT path, line FROM origins WHERE record_id = ? ORDER BY path, line", [rid])
        assert [(Path(p).name, n) for p, n in places] == [("a.jsonl", 1), ("a.jsonl", 3), ("b.jsonl", 1)]

    return Case([{"path": "*.jsonl"}], ["the same text", "another text"], check=check)


@kind("jsonl-100mb-line")
def _(d: Path) -> Case:
    """One line of 100 MiB: longer than the record limit (32 MiB), so it is skipped without being held, and the
    lines around it are read."""
    head = b'{"text": "'
    with open(d / "big.jsonl", "wb") as fh:
        fh.write(records(["before the 100 MB line"]))
        fh.write(head)
        chunk = b"a" * MiB
        for _ in range(100):
            fh.write(chunk)
        fh.write(b'"}\r\n')
        fh.write(records(["after the 100 MB line"]))
    size = len(head) + 100 * MiB + 2
    return Case(
        [{"path": "big.jsonl"}],
        ["before the 100 MB line", "after the 100 MB line"],
        [
            bad(
                "big.jsonl",
                2,
                f"the line is {size:,} bytes long",
                f"limit of {RECORD_LIMIT:,} bytes",
                "PROVENANCE_MAX_RECORD_BYTES",
            )
        ],
    )


# ==== compressed JSON Lines ===========================================================================================
def _truncated(codec: str) -> Callable[[Path], Case]:
    def build(d: Path) -> Case:
        first, second = texts(f"{codec} whole member", 3), texts(f"{codec} cut member", 40)
        one, two = members(records(first), records(second), codec=codec)
        cut = two[: len(two) // 2]
        name = f"a.jsonl.{SUFFIX[codec]}"
        (d / name).write_bytes(one + cut)
        survivors = decodable(codec, cut).count(b"\n")
        good = first + second[:survivors]
        return Case([{"path": name}], good, [bad(name, len(good) + 1, f"after line {len(good)}", "truncated")])

    return build


def _corrupt(codec: str) -> Callable[[Path], Case]:
    """A damaged second member: gzip's first deflate byte becomes an invalid block type; bzip2's and zstd's magic
    number is broken (Python's bz2 module would take it for trailing junk and drop it silently)."""

    def build(d: Path) -> Case:
        first, second, third = texts(f"{codec} ok", 3), texts(f"{codec} damaged", 3), texts(f"{codec} after", 2)
        one, two, three = members(records(first), records(second), records(third), codec=codec)
        two = bytearray(two)
        if codec == "gzip":
            two[10] = 0xFF
            needles: tuple[str, ...] = ("damaged gzip data", f"starting at byte {len(one):,}")
        else:
            two[2] ^= 0xFF
            needles = (f"the bytes at offset {len(one):,} are not {codec} data",)
        name = f"a.jsonl.{SUFFIX[codec]}"
        (d / name).write_bytes(one + bytes(two) + three)
        return Case([{"path": name}], first, [bad(name, 4, "truncated or corrupt after line 3", *needles)])

    return build


for _codec in ("gzip", "bz2", "zstd"):
    kind(f"jsonl-{SUFFIX[_codec]}-truncated")(_truncated(_codec))
    kind(f"jsonl-{SUFFIX[_codec]}-corrupt")(_corrupt(_codec))


@kind("jsonl-gz-crc-mismatch")
def _(d: Path) -> Case:
    """The data decodes but its checksum does not match: the lines are kept and the damage is reported."""
    first, second = texts("crc ok", 2), texts("crc bad", 2)
    one, two = members(records(first), records(second), codec="gzip")
    two = bytearray(two)
    two[-8] ^= 0xFF  # the CRC-32 in the member's trailer
    (d / "a.jsonl.gz").write_bytes(one + bytes(two))
    return Case(
        [{"path": "a.jsonl.gz"}], first + second, [bad("a.jsonl.gz", 5, "after line 4", "incorrect data check")]
    )


@kind("jsonl-gz-trailing-junk")
def _(d: Path) -> Case:
    good = texts("before junk", 3)
    data = gzip.compress(records(good), mtime=0)
    (d / "a.jsonl.gz").write_bytes(data + b"this is not gzip")
    return Case(
        [{"path": "a.jsonl.gz"}],
        good,
        [bad("a.jsonl.gz", 4, f"the bytes at offset {len(data):,}", "are not gzip data")],
    )


@kind("jsonl-gz-zero-padding")
def _(d: Path) -> Case:
    good = texts("zero padded gzip", 3)
    (d / "a.jsonl.gz").write_bytes(gzip.compress(records(good), mtime=0) + b"\x00" * 512)
    return Case([{"path": "a.jsonl.gz"}], good)


def _bomb(codec: str) -> Callable[[Path], Case]:
    """A small file that expands past the limit: 3 good lines, then 120 members of 1 MiB of blank 1 KiB lines."""

    def build(d: Path) -> Case:
        good = texts(f"{codec} bomb neighbour", 3)
        head = records(good)
        blank = (b" " * 1023 + b"\n") * 1024
        one, filler, tail = members(head, blank, records(["never reached"]), codec=codec)
        data = one + filler * 120 + tail
        name = f"bomb.jsonl.{SUFFIX[codec]}"
        (d / name).write_bytes(data)
        allowance = RATIO * max(len(data), MiB)
        assert len(data) < MiB and 120 * MiB > allowance
        lines_before = len(good) + (allowance - len(head)) // 1024
        return Case(
            [{"path": name}],
            good,
            [
                bad(
                    name,
                    lines_before + 1,
                    f"reading stopped after line {lines_before}",
                    f"{allowance:,} bytes",
                    "decompression bomb",
                    "PROVENANCE_MAX_EXPANSION_RATIO",
                )
            ],
        )

    return build


kind("jsonl-gz-bomb")(_bomb("gzip"))
kind("jsonl-zst-bomb")(_bomb("zstd"))


@kind("jsonl-gz-long-line", run="small-limit", env=SMALL)
def _(d: Path) -> Case:
    good = ["short before", "short after"]
    body = records(good[:1]) + b'{"text": "' + b"x" * (2 * MiB) + b'"}\n' + records(good[1:])
    (d / "a.jsonl.gz").write_bytes(gzip.compress(body, mtime=0))
    return Case(
        [{"path": "a.jsonl.gz"}],
        good,
        [bad("a.jsonl.gz", 2, f"{2 * MiB + 12:,} bytes long", f"limit of {SMALL_LIMIT:,}")],
    )


# ==== JSON arrays =====================================================================================================
def array(d: Path, name: str, raw: bytes) -> None:
    (d / name).write_bytes(raw)


@kind("json-truncated")
def _(d: Path) -> Case:
    good = texts("array", 3)
    full = json.dumps([{"text": t} for t in [*good, "cut item", "lost item"]]).encode()
    (d / "a.json").write_bytes(full[: full.index(b'"cut item"') + 5])
    return Case([{"path": "a.json"}], good, [bad("a.json", 3, "the JSON array breaks after item 2", "items before")])


@kind("json-top-level-object")
def _(d: Path) -> Case:
    (d / "a.json").write_text(json.dumps({"data": [{"text": "wrapped"}]}))
    return Case([{"path": "a.json"}], [], [bad("a.json", None, "top level of the file is an object", "format: jsonl")])


@kind("json-top-level-scalar")
def _(d: Path) -> Case:
    (d / "a.json").write_text("42")
    return Case([{"path": "a.json"}], [], [bad("a.json", None, "top level of the file is a single value")])


@kind("json-empty-file")
def _(d: Path) -> Case:
    (d / "a.json").write_bytes(b"")
    return Case([{"path": "a.json"}], [], [bad("a.json", None, "top level of the file is empty")])


@kind("json-empty-array")
def _(d: Path) -> Case:
    (d / "a.json").write_text("[]")
    return Case([{"path": "a.json"}])


@kind("json-items-not-objects")
def _(d: Path) -> Case:
    (d / "a.json").write_text(json.dumps([1, "two", None, [3], {"text": "the one object"}]))
    return Case(
        [{"path": "a.json"}],
        ["the one object"],
        [
            bad("a.json", 0, "item 0 is a number, expected a JSON object"),
            bad("a.json", 1, "item 1 is a string"),
            bad("a.json", 2, "item 2 is null"),
            bad("a.json", 3, "item 3 is a list"),
        ],
    )


@kind("json-text-types")
def _(d: Path) -> Case:
    items = [{"text": 1}, {"text": ["a"]}, {"text": None}, {"text": {"a": 1}}, {"text": False}, {"text": "fine"}]
    (d / "a.json").write_text(json.dumps(items))
    return Case(
        [{"path": "a.json"}],
        ["fine"],
        [
            bad("a.json", 0, "item 0: field 'text' is a number"),
            bad("a.json", 1, "item 1: field 'text' is a list"),
            bad("a.json", 2, "item 2: no text: field 'text' is null"),
            bad("a.json", 3, "item 3: field 'text' is an object"),
            bad("a.json", 4, "item 4: field 'text' is a boolean"),
        ],
    )


@kind("json-deeply-nested")
def _(d: Path) -> Case:
    deep = b'{"text": "deep", "x": ' + b"[" * 10_000 + b"]" * 10_000 + b"}"
    (d / "a.json").write_bytes(b'[{"text": "shallow one"}, ' + deep + b', {"text": "shallow two"}]')
    return Case(
        [{"path": "a.json"}],
        ["shallow one", "shallow two"],
        [bad("a.json", 1, "item 1", "cannot be kept as metadata", "nested more than 255 levels deep")],
    )


@kind("json-huge-integer")
def _(d: Path) -> Case:
    """Beyond 64 bits the C parser stops; the file is read again with the Python parser and nothing is lost."""
    good = ["before the big integer", "holding a 30-digit integer", "after the big integer"]
    raw = f'[{{"text": "{good[0]}"}}, {{"text": "{good[1]}", "n": {10**30}}}, {{"text": "{good[2]}"}}]'
    (d / "a.json").write_text(raw)
    return Case([{"path": "a.json", "metadata": ["n"]}], good)


@kind("json-invalid-utf8-item")
def _(d: Path) -> Case:
    raw = b'[{"text": "good one"}, {"text": "K\xe4se"}, {"text": "good two"}, {"text": "good three"}]'
    (d / "a.json").write_bytes(raw)
    return Case(
        [{"path": "a.json"}], ["good one", "good two", "good three"], [bad("a.json", 1, "item 1 holds invalid UTF-8")]
    )


@kind("json-duplicate-keys")
def _(d: Path) -> Case:
    (d / "a.json").write_bytes(b'[{"text": "first value", "text": "last value wins"}]')
    return Case([{"path": "a.json"}], ["last value wins"])


@kind("json-bom-and-whitespace")
def _(d: Path) -> Case:
    good = texts("json bom", 2)
    (d / "a.json").write_bytes(b"\xef\xbb\xbf \r\n\t" + json.dumps([{"text": t} for t in good]).encode())
    return Case([{"path": "a.json"}], good)


@kind("json-utf16")
def _(d: Path) -> Case:
    (d / "a.json").write_bytes(json.dumps([{"text": "utf16 array"}]).encode("utf-16"))
    return Case([{"path": "a.json"}], [], [bad("a.json", None, "UTF-16")])


@kind("json-gz-truncated")
def _(d: Path) -> Case:
    good = texts("json gz", 3)
    one = gzip.compress(json.dumps([{"text": t} for t in good])[:-1].encode() + b", ", mtime=0)
    two = gzip.compress(json.dumps([{"text": f"lost {i}"} for i in range(50)])[1:].encode(), mtime=0)
    (d / "a.json.gz").write_bytes(one + two[:12])
    return Case(
        [{"path": "a.json.gz"}],
        good,
        [bad("a.json.gz", 3, "gzip stream is truncated or corrupt after item 2", "items before")],
    )


@kind("json-huge-item", run="small-limit", env=SMALL)
def _(d: Path) -> Case:
    items = [{"text": "small item"}, {"text": "y" * (2 * MiB)}, {"text": "another small item"}]
    (d / "a.json").write_text(json.dumps(items))
    return Case(
        [{"path": "a.json"}],
        ["small item", "another small item"],
        [bad("a.json", 1, f"item 1: its text is {2 * MiB:,} bytes long", f"{SMALL_LIMIT:,}")],
    )


# ==== CSV and TSV =====================================================================================================
@kind("csv-ragged-rows")
def _(d: Path) -> Case:
    (d / "a.csv").write_bytes(csv_bytes("id,text\n", "1,one\n", "2,two,extra\n", "3\n", "4,four\n"))
    return Case(
        [{"path": "a.csv"}],
        ["one", "four"],
        [bad("a.csv", 3, "row has 3 fields but the header has 2"), bad("a.csv", 4, "row has 1 field but")],
    )


@kind("csv-embedded-newlines")
def _(d: Path) -> Case:
    (d / "a.csv").write_bytes(csv_bytes("id,text\n", '1,"first\nsecond, with a comma"\n', '2,"say ""hi"""\n'))
    return Case([{"path": "a.csv"}], ["first\nsecond, with a comma", 'say "hi"'])


@kind("csv-unterminated-quote")
def _(d: Path) -> Case:
    (d / "a.csv").write_bytes(csv_bytes("id,text\n", "1,one\n", '2,"never closed\n', "3,three\n", "4,four\n"))
    return Case(
        [{"path": "a.csv"}],
        ["one", "three", "four"],
        [bad("a.csv", 3, "a quoted field opened on this line never closes")],
    )


@kind("csv-stray-quote")
def _(d: Path) -> Case:
    (d / "a.csv").write_bytes(csv_bytes("id,text\n", "1,one\n", '2,"quoted" then more\n', "3,three\n"))
    return Case([{"path": "a.csv"}], ["one", "three"], [bad("a.csv", 3, "unreadable row", "must end with one")])


@kind("csv-header-only")
def _(d: Path) -> Case:
    (d / "a.csv").write_bytes(b"id,text\n")
    return Case([{"path": "a.csv"}])


@kind("csv-empty-file")
def _(d: Path) -> Case:
    (d / "good.csv").write_bytes(b"id,text\n1,beside an empty csv\n")
    (d / "empty.csv").write_bytes(b"")
    return Case([{"path": "*.csv"}], ["beside an empty csv"], [bad("empty.csv", None, "the file is empty")])


@kind("csv-duplicate-text-column")
def _(d: Path) -> Case:
    (d / "dup.csv").write_bytes(b"text,id,text\nx,1,y\n")
    (d / "good.csv").write_bytes(b"id,text\n1,beside a duplicate header\n")
    return Case(
        [{"path": "*.csv"}],
        ["beside a duplicate header"],
        [bad("dup.csv", 1, "names column 'text' more than once (columns 1 and 3)")],
    )


@kind("csv-duplicate-other-column")
def _(d: Path) -> Case:
    """A repeated column that is not read is numbered as pandas does (id, id.1)."""
    (d / "a.csv").write_bytes(b"id,text,id\n1,kept despite the repeated id,2\n")

    def check(store: Ledger, sid: str, folder: Path) -> None:
        (meta,) = store.execute("SELECT CAST(meta AS VARCHAR) FROM records WHERE source_id = ?", [sid])[0]
        assert json.loads(meta) == {"id": "1", "id.1": "2"}

    return Case([{"path": "a.csv", "metadata": ["id", "id.1"]}], ["kept despite the repeated id"], check=check)


@kind("csv-invalid-utf8")
def _(d: Path) -> Case:
    (d / "a.csv").write_bytes(b"id,text\n1,one\n2,caf\xe9\n3,three\n")
    return Case([{"path": "a.csv"}], ["one", "three"], [bad("a.csv", 3, "invalid UTF-8 at byte 5")])


@kind("csv-nul-in-text")
def _(d: Path) -> Case:
    (d / "a.csv").write_bytes(b"id,text\n1,one\n2,n\x00ul\n3,three\n")
    return Case([{"path": "a.csv"}], ["one", "three"], [bad("a.csv", 3, "NUL byte")])


@kind("csv-binary-garbage")
def _(d: Path) -> Case:
    (d / "a.csv").write_bytes(garbage(16 * 1024, seed=2))
    return Case([{"path": "a.csv"}], [], [bad("a.csv", None, "looks binary")])


@kind("csv-utf16")
def _(d: Path) -> Case:
    (d / "a.csv").write_bytes("id,text\n1,utf16 csv\n".encode("utf-16"))
    return Case([{"path": "a.csv"}], [], [bad("a.csv", None, "UTF-16", "iconv")])


@kind("csv-bom-crlf")
def _(d: Path) -> Case:
    (d / "a.csv").write_bytes(b"\xef\xbb\xbfid,text\r\n1,bom and crlf\r\n2,second\r\n")
    return Case([{"path": "a.csv"}], ["bom and crlf", "second"])


@kind("csv-gz-truncated")
def _(d: Path) -> Case:
    one, two = members(b"id,text\n1,csv one\n2,csv two\n", b"3,csv three\n" * 200, codec="gzip")
    (d / "a.csv.gz").write_bytes(one + two[:10])
    return Case([{"path": "a.csv.gz"}], ["csv one", "csv two"], [bad("a.csv.gz", 4, "truncated", "after line 3")])


@kind("csv-long-line", run="small-limit", env=SMALL)
def _(d: Path) -> Case:
    body = b"id,text\n1,short one\n2," + b"z" * (2 * MiB) + b"\n3,short three\n"
    (d / "a.csv").write_bytes(body)
    return Case(
        [{"path": "a.csv"}], ["short one", "short three"], [bad("a.csv", 3, f"the line is {2 * MiB + 2:,} bytes long")]
    )


@kind("tsv-ragged-rows")
def _(d: Path) -> Case:
    (d / "a.tsv").write_bytes(b"id\ttext\n1\tone\n2\ttwo\textra\n3\tthree\n")
    return Case([{"path": "a.tsv"}], ["one", "three"], [bad("a.tsv", 3, "row has 3 fields but the header has 2")])


@kind("tsv-stray-quote")
def _(d: Path) -> Case:
    (d / "a.tsv").write_bytes(b'id\ttext\n1\tone\n2\t"quoted" word\n3\tthree\n')
    return Case([{"path": "a.tsv"}], ["one", "three"], [bad("a.tsv", 3, "unreadable row", "a tab expected after")])


# ==== Parquet =========================================================================================================
@kind("parquet-text-column-missing")
def _(d: Path) -> Case:
    parquet(d / "a.parquet", pa.table({"id": [1, 2], "body": ["x", "y"]}))
    return Case([{"path": "a.parquet"}], [], [bad("a.parquet", None, "no text column text", "columns: id, body")])


def _parquet_type(column: pa.Array, type_name: str) -> Callable[[Path], Case]:
    def build(d: Path) -> Case:
        parquet(d / "a.parquet", pa.table({"text": column}))
        parquet(d / "good.parquet", pa.table({"text": ["beside a wrong column type"]}))
        return Case(
            [{"path": "*.parquet"}],
            ["beside a wrong column type"],
            [bad("a.parquet", None, f"column 'text' holds {type_name}, expected text")],
        )

    return build


kind("parquet-text-int")(_parquet_type(pa.array([1, 2]), "int64"))
kind("parquet-text-list")(_parquet_type(pa.array([["a"], ["b"]]), "list<element: string>"))
kind("parquet-text-struct")(_parquet_type(pa.array([{"a": "x"}, {"a": "y"}]), "struct<a: string>"))


@kind("parquet-zero-rows")
def _(d: Path) -> Case:
    parquet(d / "a.parquet", pa.table({"text": pa.array([], pa.string())}))
    return Case([{"path": "a.parquet"}])


@kind("parquet-null-text")
def _(d: Path) -> Case:
    parquet(d / "a.parquet", pa.table({"text": ["first", None, "third"]}))
    return Case([{"path": "a.parquet"}], ["first", "third"], [bad("a.parquet", 1, "no text: column 'text' is null")])


@kind("parquet-corrupt-footer")
def _(d: Path) -> Case:
    buffer = io.BytesIO()
    pq.write_table(pa.table({"text": ["lost"]}), buffer)
    data = bytearray(buffer.getvalue())
    data[-8:-4] = (len(data) * 4).to_bytes(4, "little")  # a footer length past the start of the file
    (d / "a.parquet").write_bytes(bytes(data))
    return Case([{"path": "a.parquet"}], [], [bad("a.parquet", None, "not a readable Parquet file")])


@kind("parquet-truncated")
def _(d: Path) -> Case:
    buffer = io.BytesIO()
    pq.write_table(pa.table({"text": [f"row {i}" for i in range(100)]}), buffer)
    (d / "a.parquet").write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    return Case([{"path": "a.parquet"}], [], [bad("a.parquet", None, "not a readable Parquet file")])


@kind("parquet-corrupt-row-group")
def _(d: Path) -> Case:
    """The page header of the middle row group is overwritten: the other row groups are still read."""
    path = d / "a.parquet"
    rows = [f"row group text {i}" for i in range(6)]
    parquet(path, pa.table({"text": rows}), row_group_size=2, compression="NONE")
    offset = pq.ParquetFile(path).metadata.row_group(1).column(0).data_page_offset
    data = bytearray(path.read_bytes())
    data[offset : offset + 16] = b"\xff" * 16
    path.write_bytes(bytes(data))
    return Case([{"path": "a.parquet"}], rows[:2] + rows[4:], [bad("a.parquet", 2, "row group 1 cannot be read")])


# ==== plain text: one record per file, and one per line ===============================================================
@kind("text-invalid-utf8")
def _(d: Path) -> Case:
    (d / "good.txt").write_bytes(b"a good book\n")
    (d / "latin1.txt").write_bytes("line one\nline two\nline caf\u00e9\n".encode("latin-1"))
    return Case(
        [{"path": "*.txt"}],
        ["a good book"],
        [bad("latin1.txt", 3, "invalid UTF-8 at byte 26 (byte 8 of the line)", "iconv")],
    )


@kind("text-utf16-bom")
def _(d: Path) -> Case:
    (d / "good.txt").write_bytes(b"beside a UTF-16 file\n")
    (d / "utf16.txt").write_bytes("a UTF-16 book\n".encode("utf-16"))
    return Case([{"path": "*.txt"}], ["beside a UTF-16 file"], [bad("utf16.txt", None, "UTF-16")])


@kind("text-binary")
def _(d: Path) -> Case:
    (d / "good.txt").write_bytes(b"beside a PNG\n")
    (d / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + garbage(4096, seed=3))
    return Case([{"path": "*.txt"}], ["beside a PNG"], [bad("image.txt", None, "is a PNG image")])


@kind("text-nul")
def _(d: Path) -> Case:
    (d / "good.txt").write_bytes(b"beside a NUL\n")
    (d / "nul.txt").write_bytes(b"line one\nline\x00two\n")
    return Case([{"path": "*.txt"}], ["beside a NUL"], [bad("nul.txt", 2, "NUL bytes")])


@kind("text-empty-file")
def _(d: Path) -> Case:
    """An empty file is an empty record (kept, and flagged 'empty' by textstats), like an empty text field."""
    (d / "empty.txt").write_bytes(b"")
    (d / "good.txt").write_bytes(b"beside an empty file")
    return Case([{"path": "*.txt"}], ["", "beside an empty file"])


@kind("text-gz-truncated")
def _(d: Path) -> Case:
    (d / "good.txt.gz").write_bytes(gzip.compress(b"an intact compressed book", mtime=0))
    (d / "cut.txt.gz").write_bytes(gzip.compress(b"a cut book " * 1000, mtime=0)[:40])
    return Case(
        [{"path": "*.txt.gz"}],
        ["an intact compressed book"],
        [bad("cut.txt.gz", None, "gzip stream is truncated", "the file is one record")],
    )


@kind("text-too-large", run="small-limit", env=SMALL)
def _(d: Path) -> Case:
    (d / "good.txt").write_bytes(b"a small book")
    (d / "big.txt").write_bytes(b"w" * (2 * MiB))
    return Case(
        [{"path": "*.txt"}],
        ["a small book"],
        [bad("big.txt", None, f"the file (one record) is {2 * MiB:,} bytes long")],
    )


@kind("text-lines-invalid-utf8")
def _(d: Path) -> Case:
    (d / "a.txt").write_bytes(b"first line\ncaf\xe9\nthird line\n")
    return Case(
        [{"path": "a.txt", "format": "text-lines"}],
        ["first line", "third line"],
        [bad("a.txt", 2, "invalid UTF-8 at byte 3")],
    )


@kind("text-lines-nul")
def _(d: Path) -> Case:
    (d / "a.txt").write_bytes(b"first line\nnul\x00here\nthird line\n")
    return Case(
        [{"path": "a.txt", "format": "text-lines"}],
        ["first line", "third line"],
        [bad("a.txt", 2, "NUL byte at byte 3")],
    )


@kind("text-lines-binary")
def _(d: Path) -> Case:
    (d / "a.txt").write_bytes(garbage(8192, seed=4))
    return Case([{"path": "a.txt", "format": "text-lines"}], [], [bad("a.txt", None, "looks binary")])


@kind("text-lines-utf16-no-bom")
def _(d: Path) -> Case:
    (d / "a.txt").write_bytes("one line\nanother line\n".encode("utf-16-be"))
    return Case([{"path": "a.txt", "format": "text-lines"}], [], [bad("a.txt", None, "UTF-16", "UTF-16BE")])


@kind("text-lines-bz2-corrupt")
def _(d: Path) -> Case:
    one, two = members(b"bz2 line one\nbz2 line two\n", b"lost line\n", codec="bz2")
    (d / "a.txt.bz2").write_bytes(one + b"BZx" + two[3:])
    return Case(
        [{"path": "a.txt.bz2", "format": "text-lines"}],
        ["bz2 line one", "bz2 line two"],
        [bad("a.txt.bz2", 3, "are not bz2 data")],
    )


@kind("text-lines-long-line", run="small-limit", env=SMALL)
def _(d: Path) -> Case:
    (d / "a.txt").write_bytes(b"short line\n" + b"q" * (3 * MiB) + b"\nlast line")
    return Case(
        [{"path": "a.txt", "format": "text-lines"}],
        ["short line", "last line"],
        [bad("a.txt", 2, f"the line is {3 * MiB:,} bytes long")],
    )


# ==== WARC ============================================================================================================
def _warc_pages(prefix: str, n: int) -> tuple[list[str], list[bytes]]:
    got = [f"{prefix} page {i}" for i in range(n)]
    return got, [page(t, f"https://example.org/{prefix.replace(' ', '-')}/{i}") for i, t in enumerate(got)]


@kind("warc-truncated-record")
def _(d: Path) -> Case:
    good, pages = _warc_pages("warc truncated", 2)
    (d / "a.warc").write_bytes(pages[0] + pages[1] + page("cut page", "https://example.org/cut")[:-40])
    offset = len(pages[0]) + len(pages[1])
    return Case([{"path": "a.warc"}], good, [bad("a.warc", offset, f"WARC record at byte {offset}", "truncated")])


@kind("warc-bad-content-length")
def _(d: Path) -> Case:
    good, pages = _warc_pages("warc length", 2)
    broken = warc_record("response", b"HTTP/1.1 200 OK\r\n\r\nlost", length="12abc")
    (d / "a.warc").write_bytes(pages[0] + broken + pages[1])
    return Case(
        [{"path": "a.warc"}],
        good,
        [bad("a.warc", len(pages[0]), "invalid Content-Length (not a number)", "skipped to the next record")],
    )


@kind("warc-garbage-between-records")
def _(d: Path) -> Case:
    good, pages = _warc_pages("warc garbage", 2)
    (d / "a.warc").write_bytes(pages[0] + b"some junk that is not a record\r\n" + pages[1])
    return Case([{"path": "a.warc"}], good, [bad("a.warc", len(pages[0]), "expected a 'WARC/1.x' version line")])


@kind("warc-not-a-warc")
def _(d: Path) -> Case:
    (d / "a.warc").write_bytes(b"just some text\nin a file called .warc\n")
    return Case([{"path": "a.warc"}], [], [bad("a.warc", 0, "expected a 'WARC/1.x' version line")])


@kind("warc-gz-corrupt-member")
def _(d: Path) -> Case:
    """A damaged gzip member in the middle: reading resumes at the next member."""
    good, pages = _warc_pages("warc gz", 3)
    parts = [bytearray(gzip.compress(p, mtime=0)) for p in pages]
    parts[1][10] = 0xFF
    (d / "a.warc.gz").write_bytes(b"".join(parts))
    at, resume = len(parts[0]), len(parts[0]) + len(parts[1])
    return Case(
        [{"path": "a.warc.gz"}],
        [good[0], good[2]],
        [bad("a.warc.gz", at, "truncated or corrupt", f"resumed at the next gzip member, at byte {resume}")],
    )


@kind("warc-gz-truncated-member")
def _(d: Path) -> Case:
    good, pages = _warc_pages("warc gz cut", 3)
    parts = [gzip.compress(p, mtime=0) for p in pages]
    (d / "a.warc.gz").write_bytes(parts[0] + parts[1] + parts[2][: len(parts[2]) // 2])
    at = len(parts[0]) + len(parts[1])
    return Case([{"path": "a.warc.gz"}], good[:2], [bad("a.warc.gz", at, "truncated")])


@kind("warc-text-block-too-large", run="small-limit", env=SMALL)
def _(d: Path) -> Case:
    good, pages = _warc_pages("warc large", 2)
    big = page("", "https://example.org/big", body=b"v " * MiB)
    (d / "a.warc").write_bytes(pages[0] + big + pages[1])
    size = len(big) - len(b"\r\n\r\n") - big.index(b"\r\n\r\n") - 4
    return Case(
        [{"path": "a.warc"}],
        good,
        [bad("a.warc", len(pages[0]), f"its block is {size:,} bytes long", f"{SMALL_LIMIT:,}")],
    )


@kind("warc-video-too-large", run="small-limit", env=SMALL)
def _(d: Path) -> Case:
    """A response larger than the limit that is not text (a video) is skipped without a report."""
    good, pages = _warc_pages("warc video", 2)
    video = page("", "https://example.org/video.mp4", mime="video/mp4", body=os.urandom(2 * MiB))
    (d / "a.warc").write_bytes(pages[0] + video + pages[1])
    return Case([{"path": "a.warc"}], good)


@kind("warc-gzip-body-bomb", run="small-limit", env=SMALL)
def _(d: Path) -> Case:
    good, pages = _warc_pages("warc body bomb", 2)
    bomb = page(
        "", "https://example.org/bomb", body=gzip.compress(b"a" * (8 * MiB)), headers=(("Content-Encoding", "gzip"),)
    )
    (d / "a.warc").write_bytes(pages[0] + bomb + pages[1])
    return Case(
        [{"path": "a.warc"}],
        good,
        [bad("a.warc", len(pages[0]), "the compressed response body expands to more than the limit")],
    )


# ==== saved Hugging Face datasets =====================================================================================
def save_dataset(columns: dict[str, list[Any]], folder: Path) -> None:
    import datasets

    was_enabled = datasets.is_progress_bar_enabled()
    datasets.disable_progress_bars()
    try:
        datasets.Dataset.from_dict(columns).save_to_disk(str(folder))
    finally:
        if was_enabled:
            datasets.enable_progress_bars()


@kind("hf-text-column-missing", run="hf")
def _(d: Path) -> Case:
    save_dataset({"body": ["x", "y"]}, d / "ds")
    return Case([{"dataset": "ds"}], [], [bad("ds", None, "no text column text", "columns: body")])


@kind("hf-null-text", run="hf")
def _(d: Path) -> Case:
    save_dataset({"text": ["first", None, "third"]}, d / "ds")
    return Case([{"dataset": "ds"}], ["first", "third"], [bad("ds", 1, "no text: column 'text' is null")])


@kind("hf-not-a-dataset", run="hf")
def _(d: Path) -> Case:
    (d / "ds").mkdir()
    (d / "ds" / "data.arrow").write_bytes(b"not arrow at all")
    return Case([{"dataset": "ds"}], [], [bad("ds", None, "not a saved dataset", "save_to_disk")])


# ==== files that are not there ========================================================================================
@kind(
    "glob-matches-dangling-symlink",
    run="dangling",
)
def _(d: Path) -> Case:
    good = texts("beside a dangling link", 2)
    (d / "good.jsonl").write_bytes(records(good))
    (d / "broken.jsonl").symlink_to("gone.jsonl")
    return Case([{"path": "*.jsonl"}], good, [bad("broken.jsonl", None, "cannot read the file")])


# ==== the sources manifest ============================================================================================
SOURCE = """\
version: 1
sources:
  - id: a
    name: A
    license: {license}
    consent_basis: {consent}
    collection_method: synthetic
    data:
      - path: {path}
{extra}"""


def manifest(
    d: Path,
    *,
    license: str = "MIT",
    consent: str = "licence_grant",
    path: str = "a.jsonl",
    extra: str = "",
    text: str | None = None,
) -> None:
    (d / "a.jsonl").write_bytes(records(["a record that is never read"]))
    body = text if text is not None else SOURCE.format(license=license, consent=consent, path=path, extra=extra)
    (d / "sources.yaml").write_text(body, encoding="utf-8")


def manifest_kind(
    kind_id: str,
    *,
    xfail: str | None = None,
    timeout: float = 120,
    env: dict[str, str] | None = None,
    cli: bool = False,
):
    """A manifest kind: checked in process (the CLI prints the error's message and hint as they are), or through
    the command line when it needs its own environment, may hang, or stands for the others."""
    return kind(kind_id, run="manifest", xfail=xfail, timeout=timeout, env=env, cli=cli or bool(env) or bool(xfail))


@manifest_kind("manifest-unknown-licence", cli=True)
def _(d: Path) -> ManifestCase:
    """An id that looks like SPDX but is none (a free-text name becomes a LicenseRef-custom-... on purpose)."""
    manifest(d, license="Apache-2")
    return ManifestCase(
        "sources.yaml:5",
        ("sources[0].license of source 'a'", "unknown licence id 'Apache-2'", "did you mean Apache-2.0?"),
    )


@manifest_kind("manifest-glob-matches-nothing")
def _(d: Path) -> ManifestCase:
    manifest(d, path="nothing/*.jsonl")
    return ManifestCase("sources.yaml:9", ("sources[0].data[0].path", "'nothing/*.jsonl' matches no file"))


@manifest_kind("manifest-path-is-a-folder")
def _(d: Path) -> ManifestCase:
    manifest(d, path="folder")
    (d / "folder").mkdir()
    (d / "folder" / "x.jsonl").write_bytes(records(["in a folder"]))
    return ManifestCase("sources.yaml:9", ("sources[0].data[0].path", "'folder' matches no file"))


@manifest_kind("manifest-only-a-dangling-symlink")
def _(d: Path) -> ManifestCase:
    manifest(d, path="link.jsonl")
    (d / "link.jsonl").symlink_to("gone.jsonl")
    return ManifestCase("sources.yaml:9", ("'link.jsonl' matches no file",))


@manifest_kind("manifest-duplicate-source-ids")
def _(d: Path) -> ManifestCase:
    second = "  - id: a\n    name: B\n    license: MIT\n    consent_basis: licence_grant\n"
    manifest(d, extra=second + "    collection_method: synthetic\n    data:\n      - path: a.jsonl\n")
    return ManifestCase("sources.yaml:10", ("sources[1].id", "source id 'a' is already used by sources[0] (line 3)"))


@manifest_kind("manifest-python-object-tag", cli=True)
def _(d: Path) -> ManifestCase:
    manifest(d, extra='    notes: !!python/object/apply:os.system ["touch pwned"]\n')

    def check(folder: Path) -> None:
        assert not (folder / "pwned").exists()

    return ManifestCase("sources.yaml:10", ("not allowed in a sources manifest", "python/object/apply"), check)


@manifest_kind("manifest-billion-laughs", cli=True, timeout=8)
def _(d: Path) -> ManifestCase:
    """Ten lines of nested YAML anchors stand for 9**10 values: refused at once, not expanded (through the CLI,
    with a timeout, so that a regression cannot hang the test run)."""
    levels = ["x0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    levels += [f"x{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    laughs = "version: 1\n" + "\n".join(levels) + "\n"  # lines 2-11
    rest = SOURCE.format(license="MIT", consent="licence_grant", path="a.jsonl", extra="    notes: *a9\n")
    manifest(d, text=laughs + rest.removeprefix("version: 1\n"))
    return ManifestCase("sources.yaml:", ("alias",), pattern=r"error: sources\.yaml:([2-9]|1[0-9]): ")


@manifest_kind("manifest-missing-licence")
def _(d: Path) -> ManifestCase:
    manifest(
        d,
        text=SOURCE.format(license="MIT", consent="licence_grant", path="a.jsonl", extra="").replace(
            "    license: MIT\n", ""
        ),
    )
    return ManifestCase("sources.yaml:3", ("sources[0].license", "Field required"))


@manifest_kind("manifest-data-not-a-list")
def _(d: Path) -> ManifestCase:
    text = SOURCE.format(license="MIT", consent="licence_grant", path="a.jsonl", extra="")
    manifest(d, text=text.replace("    data:\n      - path: a.jsonl\n", "    data: a.jsonl\n"))
    return ManifestCase("sources.yaml:8", ("sources[0].data", "valid list"))


@manifest_kind("manifest-languages-not-a-list")
def _(d: Path) -> ManifestCase:
    manifest(d, extra="    languages: 5\n")
    return ManifestCase("sources.yaml:10", ("sources[0].languages", "Input should be a valid list"))


@manifest_kind("manifest-path-and-dataset")
def _(d: Path) -> ManifestCase:
    manifest(d, extra="        dataset: ds\n")
    return ManifestCase("sources.yaml:9", ("sources[0].data[0]", "give exactly one of 'path'"))


@manifest_kind("manifest-unknown-format")
def _(d: Path) -> ManifestCase:
    manifest(d, extra="        format: xml\n")
    return ManifestCase("sources.yaml:10", ("sources[0].data[0].format", "'jsonl'"))


@manifest_kind("manifest-unknown-extension")
def _(d: Path) -> ManifestCase:
    manifest(d, path="a.xyz")
    (d / "a.xyz").write_bytes(b"?")
    return ManifestCase("sources.yaml:9", ("cannot tell the format of a.xyz", "add 'format:'"))


@manifest_kind("manifest-dataset-folder-missing")
def _(d: Path) -> ManifestCase:
    text = SOURCE.format(license="MIT", consent="licence_grant", path="a.jsonl", extra="")
    manifest(d, text=text.replace("      - path: a.jsonl", "      - dataset: nowhere"))
    return ManifestCase("sources.yaml:9", ("sources[0].data[0].dataset", "no dataset folder"))


@manifest_kind("manifest-unknown-consent-basis")
def _(d: Path) -> ManifestCase:
    manifest(d, consent="we_asked_nicely")
    return ManifestCase("sources.yaml:6", ("sources[0].consent_basis", "Input should be 'explicit_opt_in'"))


@manifest_kind("manifest-misspelt-field")
def _(d: Path) -> ManifestCase:
    text = SOURCE.format(license="MIT", consent="licence_grant", path="a.jsonl", extra="")
    manifest(d, text=text.replace("    license: MIT", "    licence: MIT"))
    return ManifestCase("sources.yaml:5", ("sources[0].licence", "unknown field (misspelt?)"))


@manifest_kind("manifest-bad-source-id")
def _(d: Path) -> ManifestCase:
    text = SOURCE.format(license="MIT", consent="licence_grant", path="a.jsonl", extra="")
    manifest(d, text=text.replace("  - id: a", "  - id: Not An Id"))
    return ManifestCase("sources.yaml:3", ("sources[0].id", "should match pattern"))


@manifest_kind("manifest-version-2")
def _(d: Path) -> ManifestCase:
    text = SOURCE.format(license="MIT", consent="licence_grant", path="a.jsonl", extra="")
    manifest(d, text=text.replace("version: 1", "version: 2"))
    return ManifestCase("sources.yaml:1", ("version: Input should be 1",))


@manifest_kind("manifest-not-yaml")
def _(d: Path) -> ManifestCase:
    manifest(d, text="version: 1\nsources: [\n  {id: a, name: A\n")
    return ManifestCase("sources.yaml:3", ("not valid YAML", "flow mapping"))


@manifest_kind("manifest-empty")
def _(d: Path) -> ManifestCase:
    manifest(d, text="")
    return ManifestCase("sources.yaml", ("the sources manifest is empty",))


@manifest_kind("manifest-top-level-list")
def _(d: Path) -> ManifestCase:
    manifest(d, text="- id: a\n- id: b\n")
    return ManifestCase("sources.yaml:1", ("(top level): Input should be a valid dictionary",))


@manifest_kind(
    "manifest-invalid-utf8",
)
def _(d: Path) -> ManifestCase:
    manifest(d)
    (d / "sources.yaml").write_bytes((d / "sources.yaml").read_bytes().replace(b"name: A", b"name: \xe9"))
    return ManifestCase("sources.yaml:4", ("UTF-8",))


@manifest_kind("bad-limit-variable", env={"PROVENANCE_MAX_RECORD_BYTES": "lots"})
def _(d: Path) -> ManifestCase:
    """Not the manifest, but bad input all the same: a limit that is not a number."""
    manifest(d)
    return ManifestCase("PROVENANCE_MAX_RECORD_BYTES='lots'", ("is not a number",))


# ---- running the kinds -----------------------------------------------------------------------------------------------
@dataclass
class Outcome:
    returncode: int
    stderr: str
    root: Path  # where the CLI ran; report paths are relative to it
    ledger: Path
    folder: Path  # the kind's own folder
    case: Case | ManifestCase
    seconds: float
    records: set[str] = field(default_factory=set)  # record ids of the kind's source
    bad: list[tuple[str, int | None, int | None, str]] = field(default_factory=list)  # path, line, row, reason


def _ledger_rows(ledger: Path) -> tuple[dict[str, set[str]], dict[str, list[tuple[str, int | None, int | None, str]]]]:
    """Records and bad records of every source, read once per run."""
    records: dict[str, set[str]] = {}
    bad: dict[str, list[tuple[str, int | None, int | None, str]]] = {}
    if not ledger.exists():
        return records, bad
    with Ledger(ledger, read_only=True) as store:
        for source, rid in store.execute("SELECT source_id, record_id FROM records"):
            records.setdefault(source, set()).add(rid)
        for source, path, line, row, reason in store.execute(
            'SELECT source_id, path, line, "row", reason FROM bad_records'
        ):
            bad.setdefault(source, []).append((path, line, row, reason))
    return records, bad


def _run(root: Path, env: dict[str, str], timeout: float) -> tuple[int, str, float]:
    started = time.perf_counter()
    code, _, err = run_cli_in(root, "scan", ".", "--ledger", "ledger.duckdb", "-q", env=env, timeout=timeout)
    return code, err, time.perf_counter() - started


def _scan_in_process(root: Path) -> tuple[int, str, float]:
    """``provenance.scan`` in this process, with the outcome the CLI would print."""
    started = time.perf_counter()
    try:
        provenance.scan(root / "sources.yaml", root / "ledger.duckdb")
    except provenance.ProvenanceError as exc:
        message = exc.message.replace(f"{root}/", "")  # as the CLI, run in the folder, names the manifest
        err = f"error: {message}\n" + (f"hint: {exc.hint}\n" if exc.hint else "")
        return exc.exit_code, err, time.perf_counter() - started
    except Exception:  # what the CLI would call an internal error
        return 1, "internal error: " + traceback.format_exc(), time.perf_counter() - started
    return 0, "", time.perf_counter() - started


def _plan(root: Path, selected: list[Kind]) -> list[tuple[Path, dict[str, str], float, list[tuple[Kind, Path, Any]]]]:
    """Build every selected kind's files; group corpus kinds into runs of at most MAX_BAD_PER_RUN bad records."""
    runs: list[tuple[Path, dict[str, str], float, list[tuple[Kind, Path, Any]]]] = []
    open_runs: dict[str, tuple[list[tuple[Kind, Path, Any]], int]] = {}
    for k in selected:
        if k.run == "manifest":
            folder = root / k.id
            folder.mkdir(parents=True)
            runs.append((folder, dict(k.env), k.timeout, [(k, folder, k.build(folder))]))
            continue
        members_, count = open_runs.get(k.run, ([], 0))
        staging = root / "staging" / k.id
        staging.mkdir(parents=True)
        case = k.build(staging)
        if members_ and count + len(case.bad) > MAX_BAD_PER_RUN:
            runs.append(_corpus_run(root, k.run, len(runs), members_))
            members_, count = [], 0
        members_.append((k, staging, case))
        open_runs[k.run] = (members_, count + len(case.bad))
    for name, (members_, _) in open_runs.items():
        if members_:
            runs.append(_corpus_run(root, name, len(runs), members_))
    return runs


def _corpus_run(root: Path, name: str, n: int, members_: list[tuple[Kind, Path, Any]]):
    run_root = (root / f"run-{n:02d}-{name}").resolve()
    run_root.mkdir()
    placed, sources = [], []
    for k, staging, case in members_:
        folder = run_root / k.id
        staging.rename(folder)
        entries = [
            {**e, **({"path": f"{k.id}/{e['path']}"} if "path" in e else {"dataset": f"{k.id}/{e['dataset']}"})}
            for e in case.data
        ]
        sources.append(source_entry(k.id, entries))
        placed.append((k, folder, case))
    write_manifest_file(run_root, sources)
    return run_root, dict(members_[0][0].env), max(k.timeout for k, _, _ in members_), placed


@pytest.fixture(scope="module")
def outcomes(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Outcome]:
    """Every kind this session selected, built and scanned through the CLI (runs in parallel)."""
    wanted = {item.callspec.params["kind_id"] for item in request.session.items if _is_ours(item)}
    if not wanted:  # only test_the_runs_stay_fast was selected
        wanted = set(KINDS)
    root = tmp_path_factory.mktemp("bad_inputs").resolve()
    runs = _plan(root, [KINDS[k] for k in KINDS if k in wanted])
    runs.sort(key=lambda run: run[2] >= 120)  # a run that may time out starts first, beside the others

    def execute(run) -> list[tuple[str, Outcome]]:
        run_root, env, timeout, placed = run
        try:
            in_process = len(placed) == 1 and not placed[0][0].cli
            code, err, seconds = _scan_in_process(run_root) if in_process else _run(run_root, env, timeout)
        except Exception as exc:  # a hang: recorded for the kinds of this run, which then fail
            code, err, seconds = -1, f"the CLI did not finish: {exc}", timeout
        ledger = run_root / "ledger.duckdb"
        records, bad = _ledger_rows(ledger) if code == 0 else ({}, {})
        return [
            (
                k.id,
                Outcome(
                    code, err, run_root, ledger, folder, case, seconds, records.get(k.id, set()), bad.get(k.id, [])
                ),
            )
            for k, folder, case in placed
        ]

    with ThreadPoolExecutor(max_workers=max(2, min(4, os.cpu_count() or 2))) as pool:
        return {kid: outcome for result in pool.map(execute, runs) for kid, outcome in result}


def _is_ours(item: pytest.Item) -> bool:
    module = getattr(item, "module", None)
    return (
        module is not None
        and module.__name__ == __name__
        and "kind_id" in getattr(getattr(item, "callspec", None), "params", {})
    )


def _params() -> list[Any]:
    out = []
    for k in KINDS.values():
        marks = [pytest.mark.xfail(strict=True, reason=k.xfail)] if k.xfail else []
        out.append(pytest.param(k.id, id=k.id, marks=marks))
    return out


def test_there_are_at_least_50_kinds() -> None:
    assert len(KINDS) >= 50


@pytest.mark.parametrize("kind_id", _params())
def test_bad_input(kind_id: str, outcomes: dict[str, Outcome]) -> None:
    outcome = outcomes[kind_id]
    assert "Traceback" not in outcome.stderr, outcome.stderr
    assert "internal error" not in outcome.stderr, outcome.stderr
    if isinstance(outcome.case, ManifestCase):
        _check_refused(outcome, outcome.case)
    else:
        _check_scanned(kind_id, outcome, outcome.case)


def _check_refused(outcome: Outcome, case: ManifestCase) -> None:
    assert outcome.returncode == 3, outcome.stderr
    line = next((x for x in outcome.stderr.splitlines() if x.startswith("error: ")), "")
    assert line.startswith(f"error: {case.location}") or f"  {case.location}" in outcome.stderr, outcome.stderr
    for needle in case.needles:
        assert needle in outcome.stderr, (needle, outcome.stderr)
    assert "hint: " in outcome.stderr
    if case.pattern:
        assert re.match(case.pattern, line), line
    assert not outcome.ledger.exists() or "PROVENANCE_" in case.location, "a refused manifest must write nothing"
    if case.check:
        case.check(outcome.folder)


def _check_scanned(kind_id: str, outcome: Outcome, case: Case) -> None:
    assert outcome.returncode == 0, outcome.stderr
    want = {expected_record_id(kind_id, t) for t in case.good}
    got = outcome.records
    assert got == want, f"missing {len(want - got)} good record(s), {len(got - want)} unexpected"
    # the ledger keeps every bad record, with its place
    places = sorted(
        ((_relative(outcome, p), line if line is not None else row) for p, line, row, _ in outcome.bad),
        key=_place_order,
    )
    expected = sorted(((_relative(outcome, str(outcome.folder / b.file)), b.at) for b in case.bad), key=_place_order)
    assert places == expected, [r[3] for r in outcome.bad]
    if case.check:
        with Ledger(outcome.ledger, read_only=True) as store:
            case.check(store, kind_id, outcome.folder)
    # and the scan says it, as file:line: reason
    printed = [x.strip() for x in outcome.stderr.splitlines() if x.startswith("  ")]
    for b in case.bad:
        where = _relative(outcome, str(outcome.folder / b.file))
        prefix = f"{where}:{b.at}: " if b.at is not None else f"{where}: "
        lines = [x for x in printed if x.startswith(prefix)]
        assert lines, f"no message for {prefix!r} in:\n{outcome.stderr}"
        assert any(all(n in x for n in b.needles) for x in lines), (b.needles, lines)


def _place_order(place: tuple[str, int | None]) -> tuple[str, int]:
    return place[0], -1 if place[1] is None else place[1]


def _relative(outcome: Outcome, path: str) -> str:
    try:
        return str(Path(path).relative_to(outcome.root))
    except ValueError:
        return path


def test_the_runs_stay_fast(outcomes: dict[str, Outcome]) -> None:
    """The 100 MB line and the bombs are skipped, not read into memory: their runs finish in seconds."""
    slow = {k: round(o.seconds, 1) for k, o in outcomes.items() if o.seconds > 20 and not KINDS[k].xfail}
    assert not slow, slow


# ---- files that vanish between listing and reading -------------------------------------------------------------------
@pytest.mark.parametrize("fmt", [f for f in DataFormat if f is not DataFormat.hf_disk])
def test_a_file_that_is_gone_or_a_folder_is_reported(tmp_path: Path, fmt: DataFormat) -> None:
    """A file listed by the manifest but gone (or unreadable) when its turn comes is one bad record, no crash."""
    for path in (tmp_path / "gone.data", tmp_path):
        batches = list(read_path(path, fmt, "src", FieldSpec()))
        bad_records = [b for batch in batches for b in batch.bad]
        assert sum(batch.num_rows for batch in batches) == 0
        assert len(bad_records) == 1 and bad_records[0].path == str(path), bad_records
        assert bad_records[0].line is None

"""Properties of the readers and normalisers, for inputs Hypothesis makes up.

Reading never raises, whatever the bytes: it yields batches and bad records. In a line-oriented file every line
that is not blank is exactly one record or one bad record (or the whole file is one bad record, when its first
line shows it is not text at all). Valid input comes back exactly: the records are the texts, normalised as the
README documents (re-implemented in conftest.expected_normalize). Decompression hands out a prefix of the data
and says so when the file is cut short.
"""

from __future__ import annotations

import bz2
import gzip
import itertools
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
import zstandard
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from conftest import expected_content_hash, expected_normalize, expected_record_id
from provenance.models import BadRecord, DataFormat
from provenance.readers import FieldSpec, read_path
from provenance.readers.compression import CORRUPTION_ERRORS, open_binary, sniff
from provenance.readers.fields import FieldError, extras_of, text_of
from provenance.readers.identity import content_hash, identify, normalize_text, record_id

MODEST = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
BOM = b"\xef\xbb\xbf"


def read_all(path: Path, fmt: DataFormat, spec: FieldSpec | None = None, batch_size: int = 7):
    rows: list[dict[str, Any]] = []
    bad: list[BadRecord] = []
    for batch in read_path(path, fmt, "src", spec or FieldSpec(), batch_size=batch_size):
        assert batch.num_rows <= batch_size
        rows.extend(batch.table.to_pylist())
        bad.extend(batch.bad)
    return rows, bad


def nonblank_lines(data: bytes) -> set[int]:
    """Numbers of the lines a line-oriented reader must account for: not blank (after a first-line BOM)."""
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    out = set()
    for n, raw in enumerate(lines, 1):
        if n == 1 and raw.startswith(BOM):
            raw = raw[3:]
        if raw.strip():
            out.add(n)
    return out


def whole_file_rejected(rows: list[dict[str, Any]], bad: list[BadRecord]) -> bool:
    return not rows and len(bad) == 1 and bad[0].line is None and bad[0].row is None


# ---- arbitrary bytes -----------------------------------------------------------------------------------------------
JSON_LINE = st.builds(
    lambda obj: json.dumps(obj, ensure_ascii=False).encode(),
    st.fixed_dictionaries({"text": st.text(max_size=30)}, optional={"n": st.integers(), "url": st.text(max_size=10)}),
)
ODD_PIECES = st.sampled_from(
    [
        b"",
        b" ",
        b"\r",
        b"\t\x0c",
        BOM,
        b"\x00",
        b"\xff\xfe",
        b"\xe9",
        b"{",
        b"[]",
        b"null",
        b'"x"',
        b'{"text": 1}',
        BOM + b"null",
        BOM + b'{"text": "after a BOM"}',
        b"\x00" * 9,
    ]
)
LINE = st.one_of(JSON_LINE, ODD_PIECES, st.binary(max_size=40), st.text(max_size=20).map(str.encode))
LINES = st.lists(LINE, max_size=25).map(lambda lines: b"\n".join(lines))
ANY_BYTES = st.one_of(st.binary(max_size=600), LINES, LINES.map(lambda b: b + b"\n"))


def _write(tmp_path_factory: pytest.TempPathFactory, name: str, data: bytes) -> Path:
    path = tmp_path_factory.mktemp("prop") / name
    path.write_bytes(data)
    return path


@MODEST
@given(data=ANY_BYTES, gz=st.booleans(), batch_size=st.integers(1, 9))
def test_jsonl_every_line_is_a_record_or_a_bad_record(tmp_path_factory, data: bytes, gz: bool, batch_size: int):
    path = _write(tmp_path_factory, "a.jsonl.gz" if gz else "a.jsonl", gzip.compress(data) if gz else data)
    rows, bad = read_all(path, DataFormat.jsonl, batch_size=batch_size)
    if whole_file_rejected(rows, bad):
        return
    record_lines = [r["line"] for r in rows]
    bad_lines = [b.line for b in bad]
    assert None not in bad_lines
    assert len(set(record_lines + bad_lines)) == len(rows) + len(bad), "a line counted twice"
    assert set(record_lines) | set(bad_lines) == nonblank_lines(data)
    assert all(r["record_id"] == expected_record_id("src", r["text"]) for r in rows)


@MODEST
@given(data=ANY_BYTES, batch_size=st.integers(1, 9))
def test_text_lines_every_line_is_a_record_or_a_bad_record(tmp_path_factory, data: bytes, batch_size: int):
    path = _write(tmp_path_factory, "a.txt", data)
    rows, bad = read_all(path, DataFormat.text_lines, batch_size=batch_size)
    if whole_file_rejected(rows, bad):
        return
    lines = data.split(b"\n")
    record_lines, bad_lines = [r["line"] for r in rows], [b.line for b in bad]
    assert len(set(record_lines + bad_lines)) == len(rows) + len(bad)
    assert set(record_lines) | set(bad_lines) == nonblank_lines(data)
    for row in rows:  # a record is its line, decoded and normalised
        raw = lines[row["line"] - 1]
        raw = raw[3:] if row["line"] == 1 and raw.startswith(BOM) else raw
        assert row["text"] == expected_normalize(raw.rstrip(b"\r").decode("utf-8"))


@MODEST
@given(data=ANY_BYTES, fmt=st.sampled_from([DataFormat.csv, DataFormat.tsv, DataFormat.json, DataFormat.text]))
def test_other_formats_never_raise(tmp_path_factory, data: bytes, fmt: DataFormat):
    path = _write(tmp_path_factory, f"a.{fmt.value}", data)
    rows, bad = read_all(path, fmt)
    n_lines = data.count(b"\n") + 1
    for row in rows:
        assert row["line"] is None or 1 <= row["line"] <= n_lines
        assert isinstance(row["text"], str)
    for b in bad:
        assert b.path == str(path) and b.reason
        assert b.line is None or 1 <= b.line <= n_lines + 1
    if fmt in (DataFormat.csv, DataFormat.tsv):
        assert len({r["row"] for r in rows}) == len(rows)


@MODEST
@given(data=st.one_of(st.binary(max_size=600), LINES), gz=st.booleans())
def test_warc_never_raises(tmp_path_factory, data: bytes, gz: bool):
    path = _write(tmp_path_factory, "a.warc.gz" if gz else "a.warc", gzip.compress(data) if gz else data)
    rows, bad = read_all(path, DataFormat.warc)
    assert all(isinstance(r["text"], str) and r["byte_offset"] >= 0 for r in rows)
    assert all(b.row is not None and b.row >= 0 for b in bad)


@MODEST
@given(head=st.binary(max_size=300), compressed=st.booleans())
def test_sniff_never_raises_and_passes_text(head: bytes, compressed: bool):
    assert sniff(head, compressed) is None or isinstance(sniff(head, compressed), str)


@MODEST
@given(st.text(st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\ufeff\ufffe"), max_size=200))
def test_text_without_control_characters_is_never_taken_for_binary(text: str):
    assume(not text.startswith("%PDF-"))
    assert sniff(text.encode("utf-8"), compressed=False) is None


# ---- valid input comes back exactly --------------------------------------------------------------------------------
TEXTS = st.lists(st.text(max_size=40), max_size=30)


def _members(data: bytes, codec: str, members: int) -> list[bytes]:
    """``data`` compressed as ``members`` gzip members / bzip2 streams / zstd frames (as ``cat`` joins them)."""
    cuts = sorted({len(data) * i // members for i in range(members + 1)})
    pieces = [data[a:b] for a, b in itertools.pairwise(cuts)] or [b""]
    if codec == "gz":
        return [gzip.compress(p) for p in pieces]
    if codec == "bz2":
        return [bz2.compress(p) for p in pieces]
    return [zstandard.ZstdCompressor().compress(p) for p in pieces]


def _packed(data: bytes, codec: str, members: int) -> bytes:
    return b"".join(_members(data, codec, members))


@MODEST
@given(texts=TEXTS, codec=st.sampled_from(["", "gz", "bz2", "zst"]), members=st.integers(1, 4), batch=st.integers(1, 8))
def test_jsonl_records_are_the_texts(tmp_path_factory, texts: list[str], codec: str, members: int, batch: int):
    data = b"".join(json.dumps({"text": t, "i": i}).encode() + b"\n" for i, t in enumerate(texts))
    name = "a.jsonl" + (f".{codec}" if codec else "")
    path = _write(tmp_path_factory, name, _packed(data, codec, members) if codec else data)
    rows, bad = read_all(path, DataFormat.jsonl, batch_size=batch)
    assert bad == []
    assert [r["text"] for r in rows] == [expected_normalize(t) for t in texts]
    assert [r["line"] for r in rows] == list(range(1, len(texts) + 1))
    assert [r["content_hash"] for r in rows] == [expected_content_hash(t) for t in texts]


@MODEST
@given(texts=TEXTS, gz=st.booleans(), batch=st.integers(1, 8))
def test_json_array_records_are_the_texts(tmp_path_factory, texts: list[str], gz: bool, batch: int):
    data = json.dumps([{"text": t, "big": 10**25} for t in texts]).encode()
    path = _write(tmp_path_factory, "a.json.gz" if gz else "a.json", gzip.compress(data) if gz else data)
    rows, bad = read_all(path, DataFormat.json, batch_size=batch)
    assert bad == []
    assert [r["text"] for r in rows] == [expected_normalize(t) for t in texts]
    assert [r["row"] for r in rows] == list(range(len(texts)))


@MODEST
@given(texts=st.lists(st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30),
                      max_size=20))  # fmt: skip
def test_text_files_are_their_text(tmp_path_factory, texts: list[str]):
    folder = tmp_path_factory.mktemp("txt")
    for i, text in enumerate(texts):
        path = folder / f"{i}.txt"
        path.write_bytes(text.encode("utf-8"))
        rows, bad = read_all(path, DataFormat.text)
        if whole_file_rejected(rows, bad):  # only a first line that looks binary (e.g. mostly U+0001)
            assert sniff(text.encode().split(b"\n")[0], compressed=False)
            continue
        assert bad == [] and [r["text"] for r in rows] == [expected_normalize(text)]


# ---- decompression: a prefix of the data, and never a silent truncation --------------------------------------------
@MODEST
@given(
    data=st.binary(max_size=3000),
    codec=st.sampled_from(["gz", "bz2", "zst"]),
    members=st.integers(1, 3),
    cut=st.floats(0, 1),
    read_size=st.sampled_from([1, 7, 4096, -1]),
)
def test_decompression_gives_a_prefix_and_reports_truncation(tmp_path_factory, data, codec, members, cut, read_size):
    parts = _members(data, codec, members)
    packed = b"".join(parts)
    # where each member ends, in the compressed file: cutting there is indistinguishable from a shorter file
    boundaries = {sum(len(p) for p in parts[:i]) for i in range(len(parts) + 1)}
    keep = int(len(packed) * cut)
    path = _write(tmp_path_factory, f"a.bin.{codec}", packed[:keep])
    stream, raw = open_binary(path)
    got, failed = bytearray(), None
    with raw, stream:
        try:
            while chunk := stream.read(read_size):
                got += chunk
                if read_size < 0:
                    break
        except CORRUPTION_ERRORS as exc:
            failed = exc
    assert bytes(got) == data[: len(got)], "decompressed bytes differ from the data"
    if keep in boundaries:
        assert failed is None
    else:
        assert failed is not None, f"cut at {keep} of {len(packed)} went unnoticed"


# ---- normalisers and field pickers ---------------------------------------------------------------------------------
@MODEST
@given(st.lists(st.text(max_size=60), max_size=20), st.sampled_from(["a", "src", "x.y-z"]))
def test_identity_is_the_documented_recipe(texts: list[str], source: str):
    ids = identify(source, texts)
    for i, text in enumerate(texts):
        normalised = normalize_text(text)
        assert normalised == expected_normalize(text) == ids.texts[i]
        assert normalize_text(normalised) == normalised
        assert content_hash(normalised) == expected_content_hash(text) == ids.content_hashes[i]
        assert record_id(source, ids.content_hashes[i]) == expected_record_id(source, text) == ids.record_ids[i]
        assert ids.n_chars[i] == len(normalised) and ids.n_bytes[i] == len(normalised.encode("utf-8"))


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=12,
)


@MODEST
@given(
    obj=st.dictionaries(st.sampled_from(["text", "q", "a", "url", "lic", "x"]), JSON_VALUES, max_size=6),
    fields=st.sampled_from([("text",), ("q", "a")]),
)
def test_field_pickers_return_or_say_why(obj: dict, fields: tuple[str, ...]):
    spec = FieldSpec(fields, "url", "lic")
    try:
        text = text_of(obj, spec)
    except FieldError as exc:
        assert str(exc)
    else:
        assert isinstance(text, str)
    try:
        url, lic, meta = extras_of(obj, spec)
    except FieldError as exc:  # only other fields nested too deeply, or numbers too large to write
        assert "cannot be kept as metadata" in str(exc)
        return
    assert url is None or isinstance(url, str)
    assert lic is None or isinstance(lic, str)
    if meta is not None:
        assert json.loads(meta).keys() == {k for k in obj if k not in fields}
    pa.array([url, lic, meta], pa.string())  # storable


def test_open_binary_of_an_empty_compressed_file_is_empty(tmp_path: Path) -> None:
    for codec in ("gz", "bz2", "zst"):
        path = tmp_path / f"e.{codec}"
        path.write_bytes(b"")
        stream, raw = open_binary(path)
        with raw, stream:
            assert stream.read() == b""

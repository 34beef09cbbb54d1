"""Readers: every format yields the right texts, line/row numbers, origins and metadata, in bounded batches, and
reports broken input by line while keeping every good record around it."""

from __future__ import annotations

import bz2
import csv
import gzip
import io
import json
import os
import random
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zstandard
from hypothesis import given
from hypothesis import strategies as st

from conftest import expected_normalize
from provenance.models import BadRecord, DataFormat, Origin, OriginKind
from provenance.readers import FieldSpec, read_dataset, read_path


@dataclass
class Read:
    rows: list[dict[str, Any]] = field(default_factory=list)
    bad: list[BadRecord] = field(default_factory=list)
    batch_sizes: list[int] = field(default_factory=list)
    origins: list[Origin] = field(default_factory=list)

    @property
    def texts(self) -> list[str]:
        return [r["text"] for r in self.rows]

    @property
    def lines(self) -> list[int | None]:
        return [r["line"] for r in self.rows]

    @property
    def bad_lines(self) -> list[int | None]:
        return [b.line for b in self.bad]


def collect(batches) -> Read:
    out = Read()
    for batch in batches:
        out.batch_sizes.append(batch.num_rows)
        out.origins.append(batch.origin)
        for row in batch.table.to_pylist():
            row["origin"] = batch.origin
            out.rows.append(row)
        out.bad.extend(batch.bad)
    return out


def read(path: Path, fmt: DataFormat, spec: FieldSpec | None = None, batch_size: int = 1000, **kw) -> Read:
    return collect(read_path(path, fmt, "src", spec or FieldSpec(), batch_size=batch_size, **kw))


def write_jsonl(path: Path, objs: list[Any], *, opener=open) -> list[int]:
    """Write one JSON value per line; return the byte offset of each line."""
    offsets, pos = [], 0
    with opener(path, "wb") as fh:
        for obj in objs:
            line = (json.dumps(obj, ensure_ascii=False) + "\n").encode()
            offsets.append(pos)
            pos += len(line)
            fh.write(line)
    return offsets


RECORDS = [
    {"text": "First record.", "url": "https://example.com/1", "lic": "MIT", "title": "one", "n": 1},
    {"text": "  Second record, with spaces around.  ", "url": "https://example.com/2", "title": "two", "n": 2},
    {"text": "Third\r\nrecord\r\nwith CRLF", "lic": "Apache-2.0", "title": "three", "n": 3},
    {"text": "Caf\u0065\u0301 \u2014 fourth, in NFD", "url": None, "title": "four", "n": 4},
]
SPEC = FieldSpec(("text",), "url", "lic")


# ---- formats -------------------------------------------------------------------------------------------------------
def test_jsonl_texts_lines_origins_and_columns(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    offsets = write_jsonl(path, RECORDS)
    got = read(path, DataFormat.jsonl, SPEC)
    assert got.texts == [expected_normalize(r["text"]) for r in RECORDS]
    assert got.lines == [1, 2, 3, 4]
    assert [r["byte_offset"] for r in got.rows] == offsets
    assert [r["url"] for r in got.rows] == [r.get("url") for r in RECORDS]
    assert [r["record_license"] for r in got.rows] == [r.get("lic") for r in RECORDS]
    for row, rec in zip(got.rows, RECORDS, strict=True):
        meta = json.loads(row["meta"])
        assert meta["title"] == rec["title"] and meta["n"] == rec["n"]
        assert row["origin"] == Origin(kind=OriginKind.file, path=str(path))
    assert got.bad == []


def test_jsonl_blank_lines_are_skipped_but_counted(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text('{"text": "a"}\n\n   \n{"text": "b"}\r\n\n{"text": "c"}', encoding="utf-8")
    got = read(path, DataFormat.jsonl)
    assert got.texts == ["a", "b", "c"]
    assert got.lines == [1, 4, 6]
    assert got.bad == []


def test_utf8_bom_is_ignored(tmp_path: Path) -> None:
    bom = b"\xef\xbb\xbf"
    (tmp_path / "a.jsonl").write_bytes(bom + b'{"text": "a"}\n{"text": "b"}\n')
    (tmp_path / "a.csv").write_bytes(bom + b"text,id\na,1\nb,2\n")
    (tmp_path / "a.txt").write_bytes(bom + b"a\nb\n")
    for name, fmt in [("a.jsonl", DataFormat.jsonl), ("a.csv", DataFormat.csv), ("a.txt", DataFormat.text_lines)]:
        got = read(tmp_path / name, fmt)
        assert got.texts == ["a", "b"], name
        assert got.bad == [], name


def test_json_array(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text(json.dumps(RECORDS), encoding="utf-8")
    got = read(path, DataFormat.json, SPEC)
    assert got.texts == [expected_normalize(r["text"]) for r in RECORDS]
    assert [r["row"] for r in got.rows] == [0, 1, 2, 3]
    assert got.lines == [None] * 4
    assert [r["url"] for r in got.rows] == [r.get("url") for r in RECORDS]
    assert [r["record_license"] for r in got.rows] == [r.get("lic") for r in RECORDS]
    assert [json.loads(r["meta"])["title"] for r in got.rows] == [r["title"] for r in RECORDS]
    assert all(r["origin"] == Origin(kind=OriginKind.file, path=str(path)) for r in got.rows)


def test_json_array_bad_items_keep_their_index(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    items = [{"text": "a"}, 5, {"text": 3}, {"other": 1}, {"text": None}, {"text": "b"}]
    path.write_text(json.dumps(items), encoding="utf-8")
    got = read(path, DataFormat.json)
    assert got.texts == ["a", "b"]
    assert [r["row"] for r in got.rows] == [0, 5]
    assert sorted(b.row for b in got.bad) == [1, 2, 3, 4]


def test_truncated_json_array_keeps_the_items_before(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    full = json.dumps([{"text": f"item {i}"} for i in range(10)])
    path.write_text(full[: full.index('{"text": "item 7"}') + 5], encoding="utf-8")
    got = read(path, DataFormat.json)
    assert got.texts == [f"item {i}" for i in range(7)]
    assert [b.row for b in got.bad] == [7]


@pytest.mark.parametrize("content", [{"data": [{"text": "a"}]}, {"text": "a"}, 42], ids=["wrapped", "object", "scalar"])
def test_json_file_that_is_not_an_array_is_reported(tmp_path: Path, content: Any) -> None:
    path = tmp_path / "a.json"
    path.write_text(json.dumps(content), encoding="utf-8")
    got = read(path, DataFormat.json)
    assert got.rows == []
    assert len(got.bad) == 1


def write_csv(path: Path, header: list[str], rows: list[list[str]], delimiter: str = ",") -> list[int]:
    """Write with the csv module; return the first physical line of every data row."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter)  # RFC 4180: CRLF line ends, so CR and LF get quoted
    writer.writerow(header)
    firsts = []
    for row in rows:
        firsts.append(buffer.getvalue().count("\n") + 1)
        writer.writerow(row)
    path.write_text(buffer.getvalue(), encoding="utf-8", newline="")
    return firsts


CSV_HEADER = ["id", "text", "url", "lic", "author"]
CSV_ROWS = [
    ["r1", "plain review", "https://example.com/r1", "MIT", "Ann"],
    ["r2", "quoted, with commas, and\nan embedded\nnewline", "", "", 'Helen "Nell" Farrow'],
    ["r3", "third review", "https://example.com/r3", "", "Bo"],
    ["r4", "  \n  fourth, after a blank-looking line", "", "Apache-2.0", "Cy"],
]


@pytest.mark.parametrize(("fmt", "delimiter", "suffix"), [(DataFormat.csv, ",", "csv"), (DataFormat.tsv, "\t", "tsv")])
def test_delimited_texts_lines_rows_and_columns(tmp_path: Path, fmt: DataFormat, delimiter: str, suffix: str) -> None:
    path = tmp_path / f"a.{suffix}"
    firsts = write_csv(path, CSV_HEADER, CSV_ROWS, delimiter)
    got = read(path, fmt, SPEC)
    assert got.texts == [expected_normalize(r[1]) for r in CSV_ROWS]
    assert got.lines == firsts  # a multi-line row is reported by its first line
    assert firsts[2] > firsts[1] + 1  # (the fixture really has embedded newlines)
    assert [r["row"] for r in got.rows] == [0, 1, 2, 3]
    assert [r["url"] for r in got.rows] == [r[2] or None for r in CSV_ROWS]
    assert [r["record_license"] for r in got.rows] == [r[3] or None for r in CSV_ROWS]
    assert [json.loads(r["meta"])["author"] for r in got.rows] == [r[4] for r in CSV_ROWS]
    assert [json.loads(r["meta"])["id"] for r in got.rows] == [r[0] for r in CSV_ROWS]
    assert all(r["origin"] == Origin(kind=OriginKind.file, path=str(path)) for r in got.rows)


def test_sample_csv_multiline_row_gets_its_first_line(sample_data: Path) -> None:
    path = sample_data / "reviews" / "reviews.csv"
    got = read(path, DataFormat.csv, FieldSpec(("review_text",)))
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        expected, prev = {}, reader.line_num
        for values in reader:
            first, prev = prev + 1, reader.line_num
            if len(values) == len(header):
                expected[first] = expected_normalize(dict(zip(header, values, strict=True))["review_text"])
    assert dict(zip(got.lines, got.texts, strict=True)) == expected
    assert got.bad_lines == [20]


def test_ragged_csv_row_is_reported_and_neighbours_kept(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("id,text\n1,one\n2,two\n3,three, with an unquoted comma\n4,four\n5,five\n", encoding="utf-8")
    got = read(path, DataFormat.csv)
    assert got.texts == ["one", "two", "four", "five"]
    assert got.lines == [2, 3, 5, 6]
    assert got.bad_lines == [4]


def test_csv_row_numbers_count_every_data_row(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("id,text\n1,one\n2,two,extra\n3,three\n", encoding="utf-8")
    got = read(path, DataFormat.csv)
    assert got.texts == ["one", "three"]
    assert [r["row"] for r in got.rows] == [0, 2]


def test_unterminated_csv_quote_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text('id,text\n1,"never closed\n2,two\n3,three\n', encoding="utf-8")
    got = read(path, DataFormat.csv)
    assert 2 in got.bad_lines


def test_csv_invalid_utf8_line_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(b"id,text\n1,one\n2,caf\xe9\n3,three\n")
    got = read(path, DataFormat.csv)
    assert got.texts == ["one", "three"]
    assert got.lines == [2, 4]
    assert got.bad_lines == [3]


def test_csv_missing_text_column_is_reported_per_row(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("id,body\n1,x\n2,y\n", encoding="utf-8")
    got = read(path, DataFormat.csv)
    assert got.rows == []
    assert got.bad_lines == [2, 3]


def test_empty_csv_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("", encoding="utf-8")
    got = read(path, DataFormat.csv)
    assert got.rows == [] and len(got.bad) == 1


def test_parquet(tmp_path: Path) -> None:
    path = tmp_path / "a.parquet"
    table = pa.table(
        {
            "id": [1, 2, 3, 4],
            "text": [r["text"] for r in RECORDS],
            "url": [r.get("url") for r in RECORDS],
            "lic": [r.get("lic") for r in RECORDS],
            "title": [r["title"] for r in RECORDS],
        }
    )
    pq.write_table(table, path, row_group_size=3)
    got = read(path, DataFormat.parquet, SPEC)
    assert got.texts == [expected_normalize(r["text"]) for r in RECORDS]
    assert [r["row"] for r in got.rows] == [0, 1, 2, 3]
    assert [r["url"] for r in got.rows] == [r.get("url") for r in RECORDS]
    assert [r["record_license"] for r in got.rows] == [r.get("lic") for r in RECORDS]
    assert [json.loads(r["meta"])["title"] for r in got.rows] == [r["title"] for r in RECORDS]
    assert all(r["origin"] == Origin(kind=OriginKind.file, path=str(path)) for r in got.rows)


def test_parquet_null_text_is_reported_by_row(tmp_path: Path) -> None:
    path = tmp_path / "a.parquet"
    pq.write_table(pa.table({"text": ["a", None, "c", None, "e"]}), path)
    got = read(path, DataFormat.parquet, batch_size=2)
    assert got.texts == ["a", "c", "e"]
    assert [r["row"] for r in got.rows] == [0, 2, 4]
    assert sorted(b.row for b in got.bad) == [1, 3]


def test_parquet_non_text_column_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "a.parquet"
    pq.write_table(pa.table({"text": [1, 2]}), path)
    got = read(path, DataFormat.parquet)
    assert got.rows == [] and len(got.bad) >= 1


def test_text_whole_file(tmp_path: Path) -> None:
    path = tmp_path / "book.txt"
    body = "\ufeffChapter 1\r\n\r\nIt was a dark night.\r\n"
    path.write_bytes(body.encode("utf-8"))
    got = read(path, DataFormat.text)
    assert got.texts == [expected_normalize(body.lstrip("\ufeff"))]
    assert got.lines == [1]
    assert [r["row"] for r in got.rows] == [0]
    assert got.rows[0]["origin"] == Origin(kind=OriginKind.file, path=str(path))


def test_text_whole_file_invalid_utf8_is_reported_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "book.txt"
    path.write_bytes(b"line one\nline two\nline caf\xe9 three\n")
    got = read(path, DataFormat.text)
    assert got.rows == []
    assert got.bad_lines == [3]


def test_text_lines(tmp_path: Path) -> None:
    path = tmp_path / "lines.txt"
    raw = [b"first\r\n", b"\r\n", b"  second  \n", b"\xff\xfe broken\n", b"third\n", b"last without newline"]
    path.write_bytes(b"".join(raw))
    got = read(path, DataFormat.text_lines)
    assert got.texts == ["first", "second", "third", "last without newline"]
    assert got.lines == [1, 3, 5, 6]
    assert got.bad_lines == [4]
    starts = [sum(len(r) for r in raw[:i]) for i in range(len(raw))]
    assert [r["byte_offset"] for r in got.rows] == [starts[n - 1] for n in got.lines]


# ---- compressed input ----------------------------------------------------------------------------------------------
def _zstd_open(path: Path, mode: str):
    return zstandard.open(path, mode)


@pytest.mark.parametrize(
    ("suffix", "opener"),
    [("gz", gzip.open), ("bz2", bz2.open), ("zst", _zstd_open)],
    ids=["gzip", "bzip2", "zstd"],
)
def test_compressed_jsonl_reads_like_plain(tmp_path: Path, suffix: str, opener) -> None:
    objs = RECORDS + ["not an object"] + [{"text": f"record {i}", "url": f"https://example.com/{i}"} for i in range(50)]
    plain = tmp_path / "a.jsonl"
    write_jsonl(plain, objs)
    packed = tmp_path / f"a.jsonl.{suffix}"
    write_jsonl(packed, objs, opener=opener)
    want, got = read(plain, DataFormat.jsonl, SPEC), read(packed, DataFormat.jsonl, SPEC)
    strip = lambda rows: [{k: v for k, v in r.items() if k != "origin"} for r in rows]  # noqa: E731
    assert strip(got.rows) == strip(want.rows)
    assert got.bad_lines == want.bad_lines == [len(RECORDS) + 1]
    assert got.rows[0]["origin"].path == str(packed)


def _jsonl_bytes(n: int, seed: int = 7) -> bytes:
    rng = random.Random(seed)
    return b"".join(
        (json.dumps({"text": f"record {i} " + "".join(rng.choice("abcdef ") for _ in range(200))}) + "\n").encode()
        for i in range(n)
    )


def _complete_lines(prefix: bytes) -> int:
    return prefix.count(b"\n")


def test_truncated_gzip_keeps_the_lines_before_the_damage(tmp_path: Path) -> None:
    data = _jsonl_bytes(600)
    packed = gzip.compress(data, mtime=0)
    cut = packed[: len(packed) // 2]
    path = tmp_path / "a.jsonl.gz"
    path.write_bytes(cut)
    survivors = _complete_lines(zlib.decompressobj(31).decompress(cut))
    assert 0 < survivors < 600
    got = read(path, DataFormat.jsonl, batch_size=64)
    assert got.texts == [expected_normalize(json.loads(line)["text"]) for line in data.splitlines()[:survivors]]
    assert got.bad_lines == [survivors + 1]
    assert "truncated" in got.bad[0].reason


def test_truncated_bzip2_keeps_the_lines_before_the_damage(tmp_path: Path) -> None:
    # more than one 900 kB bzip2 block, so that the blocks before the cut still decompress
    data = b"".join((json.dumps({"text": os.urandom(300).hex()}) + "\n").encode() for _ in range(4000))
    packed = bz2.compress(data)
    cut = packed[: len(packed) * 2 // 3]
    path = tmp_path / "a.jsonl.bz2"
    path.write_bytes(cut)
    survivors = _complete_lines(bz2.BZ2Decompressor().decompress(cut))
    assert 0 < survivors < 4000
    got = read(path, DataFormat.jsonl)
    assert len(got.rows) == survivors
    assert got.bad_lines == [survivors + 1]


@pytest.mark.parametrize("cut", ["last-bytes", "second-frame"])
def test_truncated_zstd_is_reported(tmp_path: Path, cut: str) -> None:
    data = _jsonl_bytes(400)
    first, second = data[: len(data) // 2], data[len(data) // 2 :]
    first = first[: first.rindex(b"\n") + 1]
    second = data[len(first) :]
    c = zstandard.ZstdCompressor()
    if cut == "last-bytes":
        raw = c.compress(data)[:-3]
    else:  # a whole first frame, then only the header of the second
        raw = c.compress(first) + c.compress(second)[:8]
    path = tmp_path / "a.jsonl.zst"
    path.write_bytes(raw)
    got = read(path, DataFormat.jsonl)
    assert len(got.bad) >= 1, f"kept {len(got.rows)} of 400 records and reported nothing"


def test_compressed_csv_and_text_lines(tmp_path: Path) -> None:
    (tmp_path / "a.csv.gz").write_bytes(gzip.compress(b'id,text\n1,"multi\nline"\n2,two\n'))
    got = read(tmp_path / "a.csv.gz", DataFormat.csv)
    assert got.texts == ["multi\nline", "two"] and got.lines == [2, 4]
    (tmp_path / "a.txt.bz2").write_bytes(bz2.compress(b"one\n\ntwo\n"))
    got = read(tmp_path / "a.txt.bz2", DataFormat.text_lines)
    assert got.texts == ["one", "two"] and got.lines == [1, 3]


# ---- bad lines in JSONL --------------------------------------------------------------------------------------------
BAD_JSONL_LINES = {
    "invalid-json": b'{"text": "never closed}',
    "invalid-utf8": b'{"text": "K\xe4sefondue"}',
    "missing-text": b'{"title": "no text here"}',
    "null-text": b'{"text": null}',
    "number-text": b'{"text": 42}',
    "list-text": b'{"text": ["a", "b"]}',
    "object-text": b'{"text": {"a": 1}}',
    "not-an-object": b'["text", "in", "a", "list"]',
    "bare-string": b'"just a string"',
}


def test_bad_jsonl_lines_are_reported_and_good_ones_kept(tmp_path: Path) -> None:
    lines, expected_bad, expected_good = [], {}, []
    for i, (kind, bad) in enumerate(BAD_JSONL_LINES.items()):
        good = json.dumps({"text": f"good record {i}"}).encode()
        lines.append(good)
        expected_good.append((len(lines), f"good record {i}"))
        lines.append(bad)
        expected_bad[len(lines)] = kind
    lines.append(json.dumps({"text": "the last good record"}).encode())
    expected_good.append((len(lines), "the last good record"))
    path = tmp_path / "a.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")

    got = read(path, DataFormat.jsonl, batch_size=3)
    assert list(zip(got.lines, got.texts, strict=True)) == expected_good
    assert sorted(got.bad_lines) == sorted(expected_bad)
    assert all(b.path == str(path) for b in got.bad)
    by_line = {b.line: b.reason for b in got.bad}
    assert "UTF-8" in by_line[next(n for n, k in expected_bad.items() if k == "invalid-utf8")]
    assert "null" in by_line[next(n for n, k in expected_bad.items() if k == "null-text")]
    assert "missing" in by_line[next(n for n, k in expected_bad.items() if k == "missing-text")]


def test_sample_wiki_broken_lines(sample_data: Path) -> None:
    path = sample_data / "wiki" / "articles.jsonl"
    got = read(path, DataFormat.jsonl, FieldSpec(("text",), "url"))
    assert sorted(got.bad_lines) == [6, 12, 17, 22]
    good = []
    for n, raw in enumerate(path.read_bytes().split(b"\n"), start=1):
        try:
            obj = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            continue
        if isinstance(obj.get("text"), str):
            good.append((n, expected_normalize(obj["text"]), obj.get("url")))
    assert [(r["line"], r["text"], r["url"]) for r in got.rows] == good


def test_sample_scraped_invalid_utf8_line(sample_data: Path) -> None:
    got = read(sample_data / "scraped" / "lines.txt", DataFormat.text_lines)
    assert got.bad_lines == [12]
    assert 11 in got.lines and 13 in got.lines


# ---- several text fields -------------------------------------------------------------------------------------------
MULTI = FieldSpec(("q", "a"))


def test_jsonl_several_text_fields_join_with_a_blank_line(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    write_jsonl(path, [{"q": "Q1", "a": "A1"}, {"q": "Q2", "a": None}, {"a": "A3"}, {"q": None}, {"q": "Q5", "a": 5}])
    got = read(path, DataFormat.jsonl, MULTI)
    assert got.texts == ["Q1\n\nA1", "Q2", "A3"]
    assert got.lines == [1, 2, 3]
    assert sorted(got.bad_lines) == [4, 5]


def test_csv_several_text_fields(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("q,a,x\nQ1,A1,1\nQ2,A2,2\n", encoding="utf-8")
    got = read(path, DataFormat.csv, MULTI)
    assert got.texts == ["Q1\n\nA1", "Q2\n\nA2"]
    assert [json.loads(r["meta"]) for r in got.rows] == [{"x": "1"}, {"x": "2"}]


def test_parquet_several_text_fields(tmp_path: Path) -> None:
    path = tmp_path / "a.parquet"
    pq.write_table(pa.table({"q": ["Q1", "Q2"], "a": ["A1", "A2"], "lang": ["en", "de"]}), path)
    got = read(path, DataFormat.parquet, MULTI)
    assert got.texts == ["Q1\n\nA1", "Q2\n\nA2"]
    assert [json.loads(r["meta"]) for r in got.rows] == [{"lang": "en"}, {"lang": "de"}]


def test_parquet_several_text_fields_some_null(tmp_path: Path) -> None:
    path = tmp_path / "a.parquet"
    pq.write_table(pa.table({"q": ["Q1", None, "Q3"], "a": ["A1", "A2", None]}), path)
    got = read(path, DataFormat.parquet, MULTI)
    assert got.texts == ["Q1\n\nA1", "A2", "Q3"]
    assert [r["row"] for r in got.rows] == [0, 1, 2]


def test_parquet_several_text_fields_with_nulls(tmp_path: Path) -> None:
    path = tmp_path / "a.parquet"
    pq.write_table(pa.table({"q": ["Q1", None, None], "a": ["A1", "A2", None]}), path)
    got = read(path, DataFormat.parquet, MULTI)
    assert got.texts == ["Q1\n\nA1", "A2"]
    assert [b.row for b in got.bad] == [2]


# ---- Hugging Face datasets -----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def hf_folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    import datasets

    root = tmp_path_factory.mktemp("hf")
    single = datasets.Dataset.from_dict(
        {"text": ["alpha", "beta", "gamma", "delta", "epsilon"], "lang": ["en", "en", "el", "el", "el"]}
    )
    single.save_to_disk(str(root / "single"))
    splits = {
        "train": {"question": [f"q{i}" for i in range(7)], "answer": [f"a{i}" for i in range(7)], "k": list(range(7))},
        "test": {"question": ["tq0", "tq1"], "answer": ["ta0", "ta1"], "k": [100, 101]},
    }
    datasets.DatasetDict({k: datasets.Dataset.from_dict(v) for k, v in splits.items()}).save_to_disk(str(root / "dict"))
    return {"root": root, "single": single, "splits": splits}


def test_saved_dataset(hf_folders: dict[str, Any]) -> None:
    folder = hf_folders["root"] / "single"
    got = read(folder, DataFormat.hf_disk, batch_size=2)
    assert max(got.batch_sizes) <= 2
    assert got.texts == hf_folders["single"]["text"]
    assert [r["row"] for r in got.rows] == [0, 1, 2, 3, 4]
    assert [json.loads(r["meta"])["lang"] for r in got.rows] == hf_folders["single"]["lang"]
    for row in got.rows:
        assert row["origin"].kind is OriginKind.dataset
        assert row["origin"].dataset_repo == str(folder)


def test_saved_dataset_dict_reads_every_split(hf_folders: dict[str, Any]) -> None:
    folder = hf_folders["root"] / "dict"
    got = read(folder, DataFormat.hf_disk, FieldSpec(("question", "answer")), batch_size=3)
    expected = [
        (split, i, f"{q}\n\n{a}")
        for split, cols in hf_folders["splits"].items()
        for i, (q, a) in enumerate(zip(cols["question"], cols["answer"], strict=True))
    ]
    got_rows = [(r["origin"].dataset_split, r["row"], r["text"]) for r in got.rows]
    assert sorted(got_rows) == sorted(expected)
    assert all(r["origin"].dataset_repo == str(folder) for r in got.rows)
    assert all(json.loads(r["meta"]).keys() == {"k"} for r in got.rows)


def test_saved_dataset_dict_one_split(hf_folders: dict[str, Any]) -> None:
    folder = hf_folders["root"] / "dict"
    got = read(folder, DataFormat.hf_disk, FieldSpec(("question",)), split="test")
    assert got.texts == hf_folders["splits"]["test"]["question"]
    assert {r["origin"].dataset_split for r in got.rows} == {"test"}
    assert [r["row"] for r in got.rows] == [0, 1]


def test_saved_dataset_dict_unknown_split_is_reported(hf_folders: dict[str, Any]) -> None:
    got = read(hf_folders["root"] / "dict", DataFormat.hf_disk, split="validation")
    assert got.rows == []
    assert len(got.bad) == 1 and "validation" in got.bad[0].reason


def test_in_memory_dataset(hf_folders: dict[str, Any]) -> None:
    ds = hf_folders["single"]
    got = collect(read_dataset(ds, "src", FieldSpec(), 2))
    assert got.texts == ds["text"]
    assert got.batch_sizes == [2, 2, 1]


def test_sample_hf_dataset_dict(sample_data: Path) -> None:
    import datasets

    folder = sample_data / "hf_qa"
    loaded = datasets.load_from_disk(str(folder))
    for split in ("train", "test"):
        got = read(folder, DataFormat.hf_disk, FieldSpec(("question", "answer")), split=split)
        want = [expected_normalize(f"{r['question']}\n\n{r['answer']}") for r in loaded[split].to_list()]
        assert got.texts == want
        assert [r["row"] for r in got.rows] == list(range(len(want)))


def test_bad_dataset_row_location_is_readable(tmp_path: Path) -> None:
    import datasets

    datasets.DatasetDict({"train": datasets.Dataset.from_dict({"text": ["a", None]})}).save_to_disk(str(tmp_path / "d"))
    got = read(tmp_path / "d", DataFormat.hf_disk)
    assert [b.row for b in got.bad] == [1]
    assert "None" not in got.bad[0].where()


# ---- batches are bounded -------------------------------------------------------------------------------------------
def _corpus_files(folder: Path, n: int) -> dict[DataFormat, Path]:
    """The same n records (every 9th broken where the format allows) in every file format."""
    texts = [f"record number {i}" for i in range(n)]
    out = {}
    jl = folder / "a.jsonl"
    jl.write_text("".join((json.dumps({"text": t}) if i % 9 else "{broken") + "\n" for i, t in enumerate(texts)))
    out[DataFormat.jsonl] = jl
    js = folder / "a.json"
    js.write_text(json.dumps([{"text": t} if i % 9 else {"text": None} for i, t in enumerate(texts)]))
    out[DataFormat.json] = js
    cs = folder / "a.csv"
    cs.write_text("id,text\n" + "".join(f"{i},{t}\n" if i % 9 else f"{i},{t},extra\n" for i, t in enumerate(texts)))
    out[DataFormat.csv] = cs
    ts = folder / "a.tsv"
    ts.write_text("id\ttext\n" + "".join(f"{i}\t{t}\n" for i, t in enumerate(texts)))
    out[DataFormat.tsv] = ts
    tl = folder / "a.txt"
    tl.write_bytes(b"".join((t.encode() if i % 9 else b"\xff" + t.encode()) + b"\n" for i, t in enumerate(texts)))
    out[DataFormat.text_lines] = tl
    pqf = folder / "a.parquet"
    pq.write_table(pa.table({"text": [t if i % 9 else None for i, t in enumerate(texts)]}), pqf, row_group_size=50)
    out[DataFormat.parquet] = pqf
    return out


@pytest.mark.parametrize("batch_size", [1, 7, 64])
def test_batches_never_exceed_batch_size(tmp_path: Path, batch_size: int) -> None:
    n = 200
    broken = len(range(0, n, 9))
    for fmt, path in _corpus_files(tmp_path, n).items():
        got = read(path, fmt, batch_size=batch_size)
        assert got.batch_sizes and max(got.batch_sizes) <= batch_size, fmt
        expected = n if fmt is DataFormat.tsv else n - broken
        assert len(got.rows) == expected, fmt
        assert len(got.bad) == (0 if fmt is DataFormat.tsv else broken), fmt  # every bad line reported once
        assert len(got.batch_sizes) >= -(-expected // batch_size), fmt


# ---- round trips ---------------------------------------------------------------------------------------------------
json_scalars = st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=20)
records = st.fixed_dictionaries(
    {"text": st.text()}, optional={"title": json_scalars, "tags": st.lists(json_scalars, max_size=3), "url": st.text()}
)


@given(st.lists(records, max_size=25), st.integers(1, 10))
def test_jsonl_round_trip(tmp_path_factory: pytest.TempPathFactory, recs: list[dict], batch_size: int) -> None:
    path = tmp_path_factory.mktemp("rt") / "a.jsonl"
    write_jsonl(path, recs)
    got = read(path, DataFormat.jsonl, FieldSpec(("text",), "url"), batch_size=batch_size)
    assert got.bad == []
    assert got.texts == [expected_normalize(r["text"]) for r in recs]
    assert got.lines == list(range(1, len(recs) + 1))
    assert [r["url"] for r in got.rows] == [r.get("url") for r in recs]
    assert [json.loads(r["meta"]).get("title") for r in got.rows] == [r.get("title") for r in recs]


@given(
    st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")), max_size=20),
    st.integers(1, 6),
)
def test_csv_round_trip(tmp_path_factory: pytest.TempPathFactory, texts: list[str], batch_size: int) -> None:
    path = tmp_path_factory.mktemp("rt") / "a.csv"
    firsts = write_csv(path, ["id", "text"], [[str(i), t] for i, t in enumerate(texts)])
    got = read(path, DataFormat.csv, batch_size=batch_size)
    assert got.bad == []
    assert got.texts == [expected_normalize(t) for t in texts]
    assert got.lines == firsts
    assert [json.loads(r["meta"])["id"] for r in got.rows] == [str(i) for i in range(len(texts))]

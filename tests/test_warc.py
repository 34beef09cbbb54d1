"""The WARC reader: one record per HTTP response, with every HTTP header and robots/TDM <meta> tag kept in ``meta``
(consent checks read them later), and damaged records reported with their byte offset instead of stopping the read."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import duckdb
import pytest

import provenance
from provenance.manifest import infer_format
from provenance.models import DataFormat
from provenance.readers import FieldSpec, read_path
from provenance.readers.warc import WarcStats, read_warc

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
SAMPLES = SHARED / "webtext" / "dolma_cc_samples" / "tests" / "data" / "warc"


def warc_record(warc_type: str, block: bytes, uri: str = "https://example.org/", n: int = 0) -> bytes:
    head = (
        f"WARC/1.1\r\nWARC-Type: {warc_type}\r\nWARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-{n:012d}>\r\n"
        f"WARC-Date: 2024-05-01T00:00:00Z\r\nWARC-Target-URI: {uri}\r\n"
        f"Content-Type: application/http;msgtype={warc_type}\r\nContent-Length: {len(block)}\r\n\r\n"
    )
    return head.encode() + block + b"\r\n\r\n"


def http_response(body: bytes, headers: list[tuple[str, str]], status: str = "200 OK") -> bytes:
    lines = [f"HTTP/1.1 {status}"] + [f"{k}: {v}" for k, v in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def html_page(body: str, head: str = "") -> bytes:
    return f"<html><head><title>T</title>{head}<style>p {{}}</style></head><body>{body}</body></html>".encode()


def write_warc(path: Path, records: list[bytes], gz: bool = True) -> list[int]:
    """Write one gzip member per record (as crawlers do); return the raw offset of each record."""
    offsets, data = [], b""
    for record in records:
        offsets.append(len(data))
        data += gzip.compress(record) if gz else record
    path.write_bytes(data)
    return offsets


def read(path: Path, batch_size: int = 1000, stats: WarcStats | None = None):
    batches = list(read_warc(path, "src", FieldSpec(), batch_size, stats))
    rows = [r for b in batches for r in b.table.to_pylist()]
    bad = [b for batch in batches for b in batch.bad]
    return batches, rows, bad


ROBOTS_META = '<meta name="robots" content="noai, noimageai"><meta name="x" content="y">'


def three_pages() -> list[bytes]:
    return [
        warc_record("warcinfo", b"software: test\r\n", n=1),
        warc_record("request", b"GET / HTTP/1.1\r\nHost: example.org\r\n\r\n", n=2),
        warc_record(
            "response",
            http_response(
                html_page("<p>First paragraph.</p><script>var x = 1;</script><p>Second <b>one</b>.</p>"),
                [("Content-Type", "text/html; charset=utf-8"), ("X-Robots-Tag", "noai, noimageai")],
            ),
            "https://example.org/a",
            3,
        ),
        warc_record(
            "response",
            http_response(
                html_page("<div>Reserved</div>"),
                [("Content-Type", "text/html"), ("tdm-reservation", "1"), ("tdm-policy", "https://e.org/p.json")],
            ),
            "https://example.org/b",
            4,
        ),
        warc_record("metadata", b"fetchTimeMs: 12\r\n", n=5),
        warc_record(
            "response",
            http_response(
                html_page(
                    "<p>Meta tagged</p>", '<meta name="robots" content="noai, noimageai"><meta name="x" content="y">'
                ),
                [("Content-Type", "text/html"), ("Link", '<https://e.org/tdmrep.json>; rel="tdm-policy"')],
            ),
            "https://example.org/c",
            6,
        ),
    ]


def test_warc_and_warc_gz_are_inferred() -> None:
    assert infer_format(Path("crawl.warc.gz")) is DataFormat.warc
    assert infer_format(Path("crawl.warc")) is DataFormat.warc


@pytest.mark.parametrize("gz", [True, False])
def test_one_record_per_response_with_headers_and_meta(tmp_path: Path, gz: bool) -> None:
    path = tmp_path / ("c.warc.gz" if gz else "c.warc")
    offsets = write_warc(path, three_pages(), gz)
    stats = WarcStats()
    _, rows, bad = read(path, stats=stats)
    assert bad == []
    assert [r["url"] for r in rows] == ["https://example.org/a", "https://example.org/b", "https://example.org/c"]
    assert [r["byte_offset"] for r in rows] == [offsets[2], offsets[3], offsets[5]]
    assert rows[0]["text"] == "First paragraph.\n\nSecond one."  # script, style and title dropped
    assert dict(stats.skipped) == {"warcinfo": 1, "request": 1, "metadata": 1}

    metas = [json.loads(r["meta"]) for r in rows]
    assert metas[0]["http_status"] == 200
    assert metas[0]["warc_record_id"] == "<urn:uuid:00000000-0000-0000-0000-000000000003>"
    assert metas[0]["warc_date"] == "2024-05-01T00:00:00Z"
    assert metas[0]["content_type"] == "text/html; charset=utf-8"
    assert ["X-Robots-Tag", "noai, noimageai"] in metas[0]["http_headers"]
    assert ["tdm-reservation", "1"] in metas[1]["http_headers"]
    assert ["tdm-policy", "https://e.org/p.json"] in metas[1]["http_headers"]
    assert ["Link", '<https://e.org/tdmrep.json>; rel="tdm-policy"'] in metas[2]["http_headers"]
    assert metas[2]["html_meta"] == [["robots", "noai, noimageai"]]
    assert metas[0]["html_meta"] == []


def test_gzip_offsets_point_at_the_record_member(tmp_path: Path) -> None:
    path = tmp_path / "c.warc.gz"
    write_warc(path, three_pages())
    _, rows, _ = read(path)
    data = path.read_bytes()
    for row in rows:
        member = gzip.decompress(data[row["byte_offset"] :])
        assert member.startswith(b"WARC/1.1") and row["url"].encode() in member.split(b"\r\n\r\n")[0]


def test_truncated_final_gzip_member_is_reported_and_earlier_records_kept(tmp_path: Path) -> None:
    path = tmp_path / "c.warc.gz"
    offsets = write_warc(path, three_pages())
    data = path.read_bytes()
    path.write_bytes(data[: offsets[5] + (len(data) - offsets[5]) // 2])
    _, rows, bad = read(path)
    assert [r["url"] for r in rows] == ["https://example.org/a", "https://example.org/b"]
    assert len(bad) == 1 and bad[0].row == offsets[5]
    assert "truncated" in bad[0].reason and str(offsets[5]) in bad[0].reason


def test_truncated_final_record_in_a_plain_warc(tmp_path: Path) -> None:
    path = tmp_path / "c.warc"
    offsets = write_warc(path, three_pages(), gz=False)
    path.write_bytes(path.read_bytes()[:-40])
    _, rows, bad = read(path)
    assert len(rows) == 2
    assert len(bad) == 1 and bad[0].row == offsets[5] and "truncated" in bad[0].reason


def test_a_damaged_record_costs_only_itself(tmp_path: Path) -> None:
    records = three_pages()
    records[3] = records[3].replace(b"Content-Length: ", b"Content-Length: x", 1)
    path = tmp_path / "c.warc"
    offsets = write_warc(path, records, gz=False)
    _, rows, bad = read(path)
    assert [r["url"] for r in rows] == ["https://example.org/a", "https://example.org/c"]
    assert len(bad) == 1 and bad[0].row == offsets[3] and "Content-Length" in bad[0].reason


def test_non_utf8_charset_is_decoded(tmp_path: Path) -> None:
    body = "<p>Grüße aus Köln — €5</p>".encode("cp1252")
    latin = http_response(
        b"<html><body>" + body + b"</body></html>", [("Content-Type", "text/html; charset=windows-1252")]
    )
    meta_charset = http_response(
        b'<html><head><meta charset="iso-8859-1"></head><body><p>Caf\xe9</p></body></html>',
        [("Content-Type", "text/html")],
    )
    plain = http_response("Ünïcode plain".encode("utf-16"), [("Content-Type", "text/plain; charset=utf-16")])
    records = [warc_record("response", b, n=i) for i, b in enumerate([latin, meta_charset, plain])]
    path = tmp_path / "c.warc.gz"
    write_warc(path, records)
    _, rows, bad = read(path)
    assert bad == []
    assert [r["text"] for r in rows] == ["Grüße aus Köln — €5", "Café", "Ünïcode plain"]
    assert json.loads(rows[0]["meta"])["charset"] == "cp1252"


def test_non_text_and_non_response_records_are_skipped_and_counted(tmp_path: Path) -> None:
    png = http_response(b"\x89PNG\r\n\x1a\n....", [("Content-Type", "image/png")])
    records = [
        warc_record("revisit", b"HTTP/1.1 304 Not Modified\r\n\r\n"),
        warc_record("response", png),
        warc_record("request", b"GET / HTTP/1.1\r\n\r\n"),
    ]
    path = tmp_path / "c.warc.gz"
    write_warc(path, records)
    stats = WarcStats()
    _, rows, bad = read(path, stats=stats)
    assert rows == [] and bad == []
    assert dict(stats.skipped) == {"revisit": 1, "response without text": 1, "request": 1}


def test_batches_have_constant_size(tmp_path: Path) -> None:
    records = [
        warc_record("response", http_response(f"page {i}".encode(), [("Content-Type", "text/plain")]), n=i)
        for i in range(7)
    ]
    path = tmp_path / "c.warc.gz"
    write_warc(path, records)
    batches = list(read_path(path, DataFormat.warc, "src", batch_size=3))
    assert [b.num_rows for b in batches] == [3, 3, 1]
    assert sum(b.bytes_read for b in batches) == path.stat().st_size


@pytest.mark.skipif(not SAMPLES.is_dir(), reason=f"shared WARC samples not found at {SAMPLES}")
@pytest.mark.parametrize("name", ["sample-0000.warc.gz", "sample-0001.warc.gz"])
def test_real_warc_samples(name: str) -> None:
    path = SAMPLES / name
    stats = WarcStats()
    _, rows, bad = read(path, stats=stats)
    assert bad == []
    assert len(rows) >= 10
    assert stats.skipped["request"] >= len(rows)
    data = path.read_bytes()
    for row in rows:
        assert row["url"].startswith("http") and not row["url"].startswith("<")
        meta = json.loads(row["meta"])
        assert meta["http_status"] == 200 and meta["http_headers"]
        assert row["text"].strip() and "<script" not in row["text"]
        head = gzip.GzipFile(fileobj=io.BytesIO(data[row["byte_offset"] :])).read(4096)
        assert head.startswith(b"WARC/1.0") and b"WARC-Type: response" in head
    if name == "sample-0001.warc.gz":
        assert any(json.loads(r["meta"])["html_meta"] for r in rows)


def test_ingest_puts_warc_records_and_headers_in_the_ledger(tmp_path: Path) -> None:
    data = tmp_path / "crawl"
    data.mkdir()
    write_warc(data / "crawl-00000.warc.gz", three_pages())
    (tmp_path / "sources.yaml").write_text(
        "version: 1\n"
        "sources:\n"
        "  - id: crawl\n"
        "    name: Test crawl\n"
        "    license: unknown\n"
        "    consent_basis: legitimate_interest_opt_out\n"
        "    collection_method: web_scraping\n"
        "    data:\n"
        "      - path: crawl/*.warc.gz\n"
        "        metadata: [warc_record_id, http_status, http_headers, html_meta]\n"
    )
    ledger = tmp_path / "prov.duckdb"
    report = provenance.ingest(tmp_path, ledger)
    assert report is not None
    con = duckdb.connect(str(ledger), read_only=True)
    try:
        rows = con.execute("SELECT meta FROM records ORDER BY json_extract_string(meta, '$.warc_record_id')").fetchall()
    finally:
        con.close()
    metas = [json.loads(m) for (m,) in rows]
    assert len(metas) == 3
    assert ["X-Robots-Tag", "noai, noimageai"] in metas[0]["http_headers"]
    assert ["tdm-reservation", "1"] in metas[1]["http_headers"]
    assert metas[2]["html_meta"] == [["robots", "noai, noimageai"]]

"""Tests for provenance.consent.snapshots: folder and WARC snapshots, RFC 9309 status handling, latest capture wins,
damaged records reported, and the per-record URL helpers."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from provenance.consent.signals import ROBOTS_MAX_CHARS, evaluate_robots_txt
from provenance.consent.snapshots import SiteSnapshot, host_of, load_snapshots, path_of
from provenance.errors import InputError

DISALLOW_ALL = "User-agent: *\nDisallow: /\n"


def http(body: bytes, status: str = "200 OK", headers: tuple[tuple[str, str], ...] = ()) -> bytes:
    lines = [f"HTTP/1.1 {status}", "Content-Type: text/plain", *(f"{k}: {v}" for k, v in headers)]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def record(uri: str, block: bytes, date: str = "2025-04-02T10:00:00Z", warc_type: str = "response") -> bytes:
    head = (
        f"WARC/1.0\r\nWARC-Type: {warc_type}\r\nWARC-Target-URI: {uri}\r\nWARC-Date: {date}\r\n"
        f"Content-Type: application/http; msgtype={warc_type}\r\nContent-Length: {len(block)}\r\n\r\n"
    )
    return head.encode() + block + b"\r\n\r\n"


def write_warc(path: Path, records: list[bytes], gz: bool = True) -> list[int]:
    """One gzip member per record, as crawlers write them; returns each record's raw offset."""
    path.parent.mkdir(parents=True, exist_ok=True)
    offsets, data = [], b""
    for rec in records:
        offsets.append(len(data))
        data += gzip.compress(rec) if gz else rec
    path.write_bytes(data)
    return offsets


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return path


# ---- folders of files -----------------------------------------------------------------------------------------------


def test_folder_layout(tmp_path: Path) -> None:
    root = tmp_path / "snapshots"
    write(root / "Example.com" / "robots.txt", "\ufeffUser-agent: GPTBot\nDisallow: /\n")
    write(root / "Example.com" / "ai.txt", "User-agent: *\nDisallow: *.txt\n")
    write(root / "news.example" / ".well-known" / "tdmrep.json", '[{"location": "/", "tdm-reservation": 1}]')
    write(root / "other.example" / "tdmrep.json", "[]")
    write(root / "README.md", "not a host")
    (root / "empty.example").mkdir()
    snaps = load_snapshots([root], observed_at="2025-04-01", relative_to=tmp_path)
    assert set(snaps) == {"example.com", "news.example", "other.example"}
    ex = snaps["example.com"]
    assert ex.robots_txt == "User-agent: GPTBot\nDisallow: /\n"  # BOM stripped
    assert ex.ai_txt == "User-agent: *\nDisallow: *.txt\n"
    assert ex.tdmrep_json is None
    assert ex.observed_at == "2025-04-01"
    assert ex.where == {"robots.txt": "snapshots/Example.com/robots.txt", "ai.txt": "snapshots/Example.com/ai.txt"}
    assert snaps["news.example"].where == {"tdmrep.json": "snapshots/news.example/.well-known/tdmrep.json"}
    assert snaps["other.example"].tdmrep_json == "[]"
    signals = evaluate_robots_txt(ex.robots_txt, "/a", where=ex.where["robots.txt"], observed_at=ex.observed_at)
    assert signals[0].opted_out is True


def test_well_known_tdmrep_wins_over_top_level(tmp_path: Path) -> None:
    write(tmp_path / "a.example" / ".well-known" / "tdmrep.json", "[1]")
    write(tmp_path / "a.example" / "tdmrep.json", "[2]")
    assert load_snapshots([tmp_path], observed_at="2025-01-01")["a.example"].tdmrep_json == "[1]"


def test_idna_and_port_folder_names(tmp_path: Path) -> None:
    write(tmp_path / "bücher.example" / "robots.txt", "")
    write(tmp_path / "shop.example:8080" / "robots.txt", "")
    assert set(load_snapshots([tmp_path], observed_at="2025-01-01")) == {"xn--bcher-kva.example", "shop.example"}


def test_mtime_fallback(tmp_path: Path) -> None:
    path = write(tmp_path / "a.example" / "robots.txt", "User-agent: *\nAllow: /\n")
    stamp = dt.datetime(2024, 6, 1, 12, 30, 15, tzinfo=dt.timezone.utc).timestamp()
    os.utime(path, (stamp, stamp))
    snap = load_snapshots([tmp_path])["a.example"]
    assert snap.observed_at == "2024-06-01T12:30:15Z"


@pytest.mark.parametrize(
    ("given_", "expected"),
    [
        (dt.date(2025, 4, 1), "2025-04-01"),
        (dt.datetime(2025, 4, 1, 8, 0, tzinfo=dt.timezone.utc), "2025-04-01T08:00:00Z"),
        ("2025-04-01T08:00:00+02:00", "2025-04-01T08:00:00+02:00"),
    ],
)
def test_observed_at_argument(tmp_path: Path, given_: object, expected: str) -> None:
    write(tmp_path / "a.example" / "robots.txt", "")
    assert load_snapshots([tmp_path], observed_at=given_)["a.example"].observed_at == expected  # type: ignore[arg-type]


def test_bad_observed_at_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not an ISO 8601"):
        load_snapshots([tmp_path], observed_at="last tuesday")


def test_invalid_text_is_kept_with_replacement_characters(tmp_path: Path) -> None:
    write(tmp_path / "a.example" / "robots.txt", b"User-agent: *\nDisallow: /\xff\xfe\n\x00")
    snap = load_snapshots([tmp_path], observed_at="2025-01-01")["a.example"]
    assert snap.robots_txt == "User-agent: *\nDisallow: /\ufffd\ufffd\n\x00"


def test_big_files_are_truncated(tmp_path: Path) -> None:
    big = "User-agent: *\n" + "Disallow: /x\n" * 500_000  # ~6.5 MB
    write(tmp_path / "a.example" / "robots.txt", big)
    snap = load_snapshots([tmp_path], observed_at="2025-01-01")["a.example"]
    assert snap.robots_txt is not None and len(snap.robots_txt) == ROBOTS_MAX_CHARS
    assert snap.robots_txt == big[:ROBOTS_MAX_CHARS]
    assert any("truncated" in note for note in snap.notes)


def test_missing_folder_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        load_snapshots([tmp_path / "nope"])
    assert str(tmp_path / "nope") in info.value.message and "does not exist" in info.value.message
    assert "robots.txt" in (info.value.hint or "")
    write(tmp_path / "file.txt", "x")
    with pytest.raises(InputError, match="is not a folder"):
        load_snapshots([tmp_path / "file.txt"])


def test_a_single_path_is_accepted(tmp_path: Path) -> None:
    write(tmp_path / "a.example" / "robots.txt", "")
    assert set(load_snapshots(tmp_path, observed_at="2025-01-01")) == {"a.example"}  # type: ignore[arg-type]


def test_several_folders_merge_and_latest_wins(tmp_path: Path) -> None:
    old = write(tmp_path / "one" / "a.example" / "robots.txt", "old")
    new = write(tmp_path / "two" / "a.example" / "robots.txt", "new")
    write(tmp_path / "one" / "b.example" / "ai.txt", "b")
    os.utime(old, (2_000_000_000, 2_000_000_000))
    os.utime(new, (1_000_000_000, 1_000_000_000))
    snaps = load_snapshots([tmp_path / "two", tmp_path / "one"], relative_to=tmp_path)
    assert snaps["a.example"].robots_txt == "old"  # later mtime wins whatever the folder order
    assert snaps["a.example"].where["robots.txt"] == "one/a.example/robots.txt"
    assert "robots.txt: kept the latest of 2 captures (one/a.example/robots.txt)" in snaps["a.example"].notes
    assert set(snaps) == {"a.example", "b.example"}


def test_snapshot_is_frozen_and_serialisable(tmp_path: Path) -> None:
    write(tmp_path / "a.example" / "robots.txt", DISALLOW_ALL)
    snap = load_snapshots([tmp_path], observed_at="2025-01-01")["a.example"]
    with pytest.raises(Exception):  # noqa: B017 - pydantic's ValidationError for frozen instances
        snap.robots_txt = ""  # type: ignore[misc]
    data = json.loads(snap.model_dump_json())
    assert SiteSnapshot.model_validate(data) == snap
    with pytest.raises(Exception):  # noqa: B017 - extra="forbid" from the Model base
        SiteSnapshot.model_validate({**data, "robots": "x"})


# ---- WARC captures --------------------------------------------------------------------------------------------------


def test_warc_captures_become_snapshots(tmp_path: Path) -> None:
    offsets = write_warc(
        tmp_path / "crawl" / "crawl.warc.gz",
        [
            record("https://Example.com:443/robots.txt", http(b"\xef\xbb\xbfUser-agent: CCBot\nDisallow: /\n")),
            record("https://example.com/page", http(b"<html>not a consent file</html>")),
            record("https://example.com/robots.txt", b"GET /robots.txt HTTP/1.1\r\n\r\n", warc_type="request"),
            record("http://example.com/ai.txt", http(b"User-agent: *\nDisallow: /\n"), "2025-04-03T00:00:00Z"),
            record("<https://news.example/.well-known/tdmrep.json>", http(b"[]")),
            record("https://news.example/robots.txt?x=1", http(b"query form counts too")),
            record("dns:example.com", b"x"),
        ],
    )
    problems: list[str] = []
    snaps = load_snapshots([tmp_path], relative_to=tmp_path, problems=problems)
    assert problems == []
    ex = snaps["example.com"]
    assert ex.robots_txt == "User-agent: CCBot\nDisallow: /\n"
    assert ex.ai_txt == "User-agent: *\nDisallow: /\n"
    assert ex.where == {
        "robots.txt": f"crawl/crawl.warc.gz@{offsets[0]}",
        "ai.txt": f"crawl/crawl.warc.gz@{offsets[3]}",
    }
    assert ex.observed_at == "2025-04-03T00:00:00Z"  # the latest of its files
    assert snaps["news.example"].tdmrep_json == "[]"
    assert snaps["news.example"].robots_txt == "query form counts too"


def test_plain_warc_given_directly(tmp_path: Path) -> None:
    path = tmp_path / "c.warc"
    write_warc(path, [record("https://a.example/robots.txt", http(b"x"))], gz=False)
    snaps = load_snapshots([path])
    assert snaps["a.example"].robots_txt == "x"
    assert snaps["a.example"].where == {"robots.txt": f"{path.as_posix()}@0"}


@pytest.mark.parametrize(
    ("status", "robots", "note"),
    [
        ("404 Not Found", "", "robots.txt HTTP 404: treated as no restrictions (RFC 9309 2.3.1.3)"),
        ("429 Too Many Requests", "", "robots.txt HTTP 429: treated as no restrictions"),
        ("503 Service Unavailable", DISALLOW_ALL, "robots.txt HTTP 503: treated as a complete disallow (RFC 9309"),
        ("500 Internal Server Error", DISALLOW_ALL, "robots.txt HTTP 500: treated as a complete disallow"),
    ],
)
def test_robots_status_handling(tmp_path: Path, status: str, robots: str, note: str) -> None:
    write_warc(tmp_path / "c.warc.gz", [record("https://a.example/robots.txt", http(b"<h1>error</h1>", status))])
    snap = load_snapshots([tmp_path])["a.example"]
    assert snap.robots_txt == robots
    assert any(n.startswith(note) for n in snap.notes), snap.notes


def test_5xx_robots_reads_as_opt_out(tmp_path: Path) -> None:
    write_warc(tmp_path / "c.warc.gz", [record("https://a.example/robots.txt", http(b"", "503 Unavailable"))])
    snap = load_snapshots([tmp_path])["a.example"]
    assert evaluate_robots_txt(snap.robots_txt, "/any")[0].opted_out is True


def test_redirect_is_ignored_with_a_note(tmp_path: Path) -> None:
    write_warc(
        tmp_path / "c.warc.gz",
        [
            record(
                "https://a.example/robots.txt",
                http(b"", "301 Moved", (("Location", "https://www.a.example/robots.txt"),)),
            ),
            record("https://b.example/robots.txt", http(b"b rules"), "2025-01-01T00:00:00Z"),
            record("https://b.example/robots.txt", http(b"", "302 Found"), "2025-06-01T00:00:00Z"),
        ],
    )
    snaps = load_snapshots([tmp_path])
    a = snaps["a.example"]
    assert a.robots_txt is None and a.where == {} and a.observed_at is None
    assert a.notes[0].startswith("robots.txt HTTP 301 to https://www.a.example/robots.txt at ")
    assert "ignored" in a.notes[0]
    b = snaps["b.example"]
    assert b.robots_txt == "b rules"  # a later redirect does not replace the last real capture
    assert any("HTTP 302" in n for n in b.notes)


def test_non_2xx_ai_txt_and_tdmrep_are_absent(tmp_path: Path) -> None:
    write_warc(
        tmp_path / "c.warc.gz",
        [
            record("https://a.example/ai.txt", http(b"nope", "404 Not Found")),
            record("https://a.example/.well-known/tdmrep.json", http(b"", "500 Error")),
        ],
    )
    snap = load_snapshots([tmp_path])["a.example"]
    assert snap.ai_txt is None and snap.tdmrep_json is None
    assert set(snap.where) == {"ai.txt", "tdmrep.json"}
    assert any("ai.txt HTTP 404" in n and "absent" in n for n in snap.notes)


def test_latest_capture_wins_by_warc_date(tmp_path: Path) -> None:
    write_warc(
        tmp_path / "a.warc.gz",
        [
            record("https://a.example/robots.txt", http(b"middle"), "2025-02-01T00:00:00Z"),
            record("https://a.example/robots.txt", http(b"latest"), "2025-03-01T00:00:00+00:00"),
        ],
    )
    write_warc(
        tmp_path / "sub" / "b.warc",
        [
            record("https://a.example/robots.txt", http(b"oldest"), "2025-01-01T00:00:00Z"),
            record("https://a.example/robots.txt", http(b"", "404 Not Found"), "2025-02-15T00:00:00Z"),
        ],
        gz=False,
    )
    snap = load_snapshots([tmp_path])["a.example"]
    assert snap.robots_txt == "latest"
    assert snap.observed_at == "2025-03-01T00:00:00+00:00"
    assert snap.notes == [f"robots.txt: kept the latest of 4 captures ({snap.where['robots.txt']})"]


def test_warc_capture_and_folder_file_compete_by_date(tmp_path: Path) -> None:
    write(tmp_path / "a.example" / "robots.txt", "from folder")
    write_warc(tmp_path / "c.warc.gz", [record("https://a.example/robots.txt", http(b"from warc"), "2025-04-02")])
    assert load_snapshots([tmp_path], observed_at="2025-05-01")["a.example"].robots_txt == "from folder"
    assert load_snapshots([tmp_path], observed_at="2025-03-01")["a.example"].robots_txt == "from warc"


def test_damaged_records_are_reported_and_others_kept(tmp_path: Path) -> None:
    good1 = gzip.compress(record("https://a.example/robots.txt", http(b"a rules")))
    bad = gzip.compress(b"WARC/1.0\r\nWARC-Type: response\r\nno colon here\r\n\r\n")
    good2 = gzip.compress(record("https://b.example/robots.txt", http(b"b rules")))
    not_http = gzip.compress(record("https://c.example/robots.txt", b"garbage, no status line"))
    (tmp_path / "crawl.warc.gz").write_bytes(good1 + bad + good2 + not_http)
    problems: list[str] = []
    snaps = load_snapshots([tmp_path], relative_to=tmp_path, problems=problems)
    assert snaps["a.example"].robots_txt == "a rules"
    assert snaps["b.example"].robots_txt == "b rules"
    assert "c.example" not in snaps
    assert len(problems) == 2
    assert problems[0].startswith(f"crawl.warc.gz: damaged WARC record at byte {len(good1)}: malformed WARC header")
    assert problems[1].startswith(f"crawl.warc.gz: WARC record at byte {len(good1) + len(bad) + len(good2)} (https://c")


def test_truncated_gzip_keeps_earlier_records(tmp_path: Path) -> None:
    good = gzip.compress(record("https://a.example/robots.txt", http(b"a rules")))
    cut = gzip.compress(record("https://b.example/robots.txt", http(b"b rules")))[:30]
    (tmp_path / "crawl.warc.gz").write_bytes(good + cut)
    problems: list[str] = []
    snaps = load_snapshots([tmp_path], problems=problems)
    assert set(snaps) == {"a.example"}
    assert len(problems) == 1 and "truncated or corrupt" in problems[0]


def test_not_a_warc_at_all_is_only_a_problem(tmp_path: Path) -> None:
    (tmp_path / "junk.warc").write_bytes(b"\x00\x01 this is not a warc\n" * 10)
    problems: list[str] = []
    assert load_snapshots([tmp_path], problems=problems) == {}
    assert problems and all(p.startswith(f"{(tmp_path / 'junk.warc').as_posix()}: damaged") for p in problems)


def test_gzip_encoded_http_body(tmp_path: Path) -> None:
    body = gzip.compress(b"User-agent: *\nDisallow: /\n")
    block = http(body, headers=(("Content-Encoding", "gzip"),))
    write_warc(tmp_path / "c.warc.gz", [record("https://a.example/robots.txt", block)])
    assert load_snapshots([tmp_path])["a.example"].robots_txt == DISALLOW_ALL


# ---- URL helpers ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://Example.COM/a", "example.com"),
        ("http://user:pw@example.com:8080/x?y#z", "example.com"),
        ("HTTPS://example.com.", "example.com"),
        ("  https://example.com  ", "example.com"),
        ("https://bücher.example/", "xn--bcher-kva.example"),
        ("https://BÜCHER.example/", "xn--bcher-kva.example"),
        ("https://my_host.example/", "my_host.example"),
        ("https://[2001:DB8::1]:443/", "[2001:db8::1]"),
        ("https://example.com?q", "example.com"),
        ("ftp://example.com/", None),
        ("example.com/path", None),
        ("mailto:a@example.com", None),
        ("https://", None),
        ("https:///path", None),
        ("https://exa mple.com/", None),
        ("https://[/", None),
        ("", None),
        (None, None),
    ],
)
def test_host_of(url: str, host: str | None) -> None:
    assert host_of(url) == host


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("https://example.com", "/"),
        ("https://example.com/", "/"),
        ("https://example.com/a/b?x=1&y=2#frag", "/a/b?x=1&y=2"),
        ("https://example.com?x", "/?x"),
        ("https://example.com#top", "/"),
        ("http://u@example.com:81/A%20B", "/A%20B"),
        ("/already/a/path?q", "/already/a/path?q"),
        ("relative", "/relative"),
        ("", "/"),
        (None, "/"),
    ],
)
def test_path_of(url: str, path: str) -> None:
    assert path_of(url) == path


@given(st.text(max_size=200))
def test_url_helpers_are_total(text: str) -> None:
    for url in (text, "https://" + text, "http://a.example/" + text):
        host = host_of(url)
        assert host is None or (host == host.lower() and host.isascii() and host)
        assert path_of(url).startswith("/")


@given(st.from_regex(r"https?://[A-Za-z0-9.-]{1,30}(:[0-9]{1,5})?(/[A-Za-z0-9/._-]*)?", fullmatch=True))
def test_host_of_agrees_with_urllib_on_plain_urls(url: str) -> None:
    from urllib.parse import urlsplit

    hostname = urlsplit(url).hostname or ""
    host = host_of(url)
    assert host is None or host == hostname.removesuffix(".")

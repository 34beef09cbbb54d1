"""Tests for provenance.consent.registry: every file format, inference, normalisation, errors, digests, properties."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from provenance.consent.registry import (
    ENTRY_KINDS,
    RegistryEntry,
    infer_kind,
    normalise_entry,
    parse_registry,
    parse_registry_text,
    registry_digest,
)
from provenance.errors import InputError

H64 = hashlib.sha256(b"hello").hexdigest()
H32 = H64[:32]


def pairs(entries: list[RegistryEntry]) -> list[tuple[str, str]]:
    return [(e.kind, e.value) for e in entries]


# ---- normalisation --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        ("domain", "example.com", "example.com"),
        ("domain", "  Example.COM  ", "example.com"),
        ("domain", "*.Example.COM.", "example.com"),
        ("domain", ".example.com", "example.com"),
        ("domain", "example.com:8080", "example.com"),
        ("domain", "bücher.example", "xn--bcher-kva.example"),
        ("domain", "BÜCHER.example", "xn--bcher-kva.example"),
        ("domain", "xn--bcher-kva.example", "xn--bcher-kva.example"),
        ("domain", "https://user@Blog.Example.com:8443/path?q#f", "blog.example.com"),
        ("domain", "a-b.c0.example", "a-b.c0.example"),
        ("url_prefix", "https://Blog.Example.com/2024/", "blog.example.com/2024/"),
        ("url", "HTTP://Blog.Example.com:80/Case/Kept", "blog.example.com/Case/Kept"),
        ("url", "https://example.com:443", "example.com/"),
        ("url", "https://example.com:8443/a", "example.com:8443/a"),
        ("url", "https://example.com/a#section", "example.com/a"),
        ("url", "https://example.com?x=1", "example.com/?x=1"),
        ("url", "https://user:pw@example.com/a", "example.com/a"),
        ("url", "https://bücher.example/Ä", "xn--bcher-kva.example/Ä"),
        ("url", "blog.example.com/2024/", "blog.example.com/2024/"),
        ("url", "//example.com/a", "example.com/a"),
        ("author", "@JDoe", "jdoe"),
        ("author", "  Jane   Q\tDoe ", "jane q doe"),
        ("author", "@@Straße", "strasse"),
        ("account", "x", "x"),
        ("content_hash", H64.upper(), H32),
        ("content_hash", "sha256:" + H64, H32),
        ("hash", H32, H32),
        ("sha256", "SHA256:" + H32.upper(), H32),
    ],
)
def test_normalise_entry(kind: str, value: str, expected: str) -> None:
    assert normalise_entry(kind, value) == expected


@pytest.mark.parametrize(
    ("kind", "value", "reason"),
    [
        ("domain", "localhost", "at least two labels"),
        ("domain", "exa_mple.com", "may only hold"),
        ("domain", "-bad.example", "may only hold"),
        ("domain", "a..example", "empty label"),
        ("domain", "a" * 64 + ".example", "longer than 63"),
        ("domain", ".".join(["a" * 60] * 5), "at most 253"),
        ("domain", "example.com/path", "has a path"),
        ("domain", "example.com:http", "invalid port"),
        ("domain", "", "empty"),
        ("url_prefix", "ftp://example.com/", "not an http(s) URL"),
        ("url_prefix", "https:///path", "no host"),
        ("url_prefix", "https://example.com/a b", "whitespace"),
        ("url_prefix", "https://[::1]/", "IP literal"),
        ("url_prefix", "https://example.com:99999/", "invalid port"),
        ("author", " @ ", "empty author"),
        ("author", "x" * 201, "longer than 200"),
        ("content_hash", "abc", "not a content hash"),
        ("content_hash", "g" * 32, "not a content hash"),
        ("content_hash", "a" * 40, "not a content hash"),
        ("colour", "x", "unknown entry kind"),
    ],
)
def test_normalise_entry_rejects(kind: str, value: str, reason: str) -> None:
    with pytest.raises(ValueError, match=re.escape(reason)):
        normalise_entry(kind, value)


@pytest.mark.parametrize(
    ("value", "kind", "normalised"),
    [
        ("https://Example.com/a", "url_prefix", "example.com/a"),
        ("http://example.com", "url_prefix", "example.com/"),
        (H64, "content_hash", H32),
        (H32.upper(), "content_hash", H32),
        ("sha256:" + H64, "content_hash", H32),
        ("@Someone", "author", "someone"),
        ("Example.org", "domain", "example.org"),
        ("bücher.example", "domain", "xn--bcher-kva.example"),
    ],
)
def test_infer_kind(value: str, kind: str, normalised: str) -> None:
    assert infer_kind(value) == (kind, normalised)


def test_infer_kind_explains_what_it_accepts() -> None:
    with pytest.raises(ValueError, match=r"not a URL .* an @author or a domain name"):
        infer_kind("just words")
    with pytest.raises(ValueError, match="may only hold"):  # meant as a domain: the domain's own reason
        infer_kind("bad_host.example")


def test_entry_kinds() -> None:
    assert ENTRY_KINDS == ("domain", "url_prefix", "author", "content_hash")


# ---- TXT ------------------------------------------------------------------------------------------------------------

TXT = f"""\
# opt-out registry v3
domain:Example.com
url:https://Blog.example.org/2024/   # their blog
url_prefix:http://news.example.net
author:@JDoe
hash:{H64}
content_hash:{H32}
sha256:{H64.upper()}

https://shop.example.com/items/
{H32}
@Alice
*.example.co.uk
example.com
"""


def test_txt_typed_and_untyped_lines() -> None:
    entries = parse_registry_text(TXT, "txt", name="optout.txt")
    assert pairs(entries) == [
        ("domain", "example.com"),
        ("url_prefix", "blog.example.org/2024/"),
        ("url_prefix", "news.example.net/"),
        ("author", "jdoe"),
        ("content_hash", H32),
        ("url_prefix", "shop.example.com/items/"),
        ("author", "alice"),
        ("domain", "example.co.uk"),
    ]
    assert [e.line for e in entries] == [2, 3, 4, 5, 6, 10, 12, 13]  # duplicates: the first line wins


def test_txt_hash_in_url_is_not_a_comment() -> None:
    entries = parse_registry_text("https://example.com/page#frag\nexample.org # note\n", "txt")
    assert pairs(entries) == [("url_prefix", "example.com/page"), ("domain", "example.org")]


def test_txt_crlf_and_bom() -> None:
    entries = parse_registry_text("\ufeffexample.com\r\n# c\r\nexample.org\r\n", "txt")
    assert pairs(entries) == [("domain", "example.com"), ("domain", "example.org")]


def test_txt_errors_name_file_and_lines() -> None:
    text = "example.com\nnot a domain\nauthor:@\nhash:xyz\n"
    with pytest.raises(InputError) as info:
        parse_registry_text(text, "txt", name="reg.txt")
    message = info.value.message
    assert message.startswith("reg.txt: 3 invalid entries")
    assert "line 2: 'not a domain' is not a URL" in message
    assert "line 3: '@' is an empty author name" in message
    assert "line 4: 'xyz' is not a content hash" in message
    assert "line 1" not in message
    assert "domain:example.com" in (info.value.hint or "")


def test_txt_errors_list_five_then_count() -> None:
    text = "\n".join(f"bad entry {i}" for i in range(12))
    with pytest.raises(InputError) as info:
        parse_registry_text(text, "txt", name="big.txt")
    message = info.value.message
    assert "12 invalid entries" in message
    for line in range(1, 6):
        assert f"line {line}:" in message
    assert "line 6:" not in message
    assert "and 7 more" in message


def test_one_error_is_singular() -> None:
    with pytest.raises(InputError, match=r"x\.txt: 1 invalid entry \(") as info:
        parse_registry_text("example.com\nfoo\n", "txt", name="x.txt")
    assert "line 2" in info.value.message


@pytest.mark.parametrize("fmt", ["txt", "csv", "tsv", "json"])
@pytest.mark.parametrize("text", ["", "# only a comment\n\n", "   \n"])
def test_empty_registry_is_an_error(fmt: str, text: str) -> None:
    with pytest.raises(InputError, match="no entries"):
        parse_registry_text(text if fmt != "json" else "[]", fmt, name="empty")


def test_unknown_format() -> None:
    with pytest.raises(InputError, match="unknown registry format 'yaml'"):
        parse_registry_text("example.com", "yaml")


# ---- CSV / TSV ------------------------------------------------------------------------------------------------------


def test_csv_kind_value_columns() -> None:
    text = f"Kind,Value,added\ndomain,Example.com,2025-01-01\nurl,https://example.org/a,\nsha256,{H64},\n\n"
    entries = parse_registry_text(text, "csv", name="r.csv")
    assert pairs(entries) == [("domain", "example.com"), ("url_prefix", "example.org/a"), ("content_hash", H32)]
    assert [e.line for e in entries] == [2, 3, 4]


def test_csv_named_columns_each_cell_an_entry() -> None:
    text = (
        "domain,url_prefix,Account,sha256,note\n"
        "example.com,,,,first\n"
        ",https://example.org/x,@bob,,\n"
        f'example.net,,,{H64},"a, quoted note"\n'
    )
    entries = parse_registry_text(text, "csv", name="r.csv")
    assert pairs(entries) == [
        ("domain", "example.com"),
        ("url_prefix", "example.org/x"),
        ("author", "bob"),
        ("domain", "example.net"),
        ("content_hash", H32),
    ]


@pytest.mark.parametrize("header", ["url", "author", "username", "content_hash", "domain"])
def test_csv_accepted_headers(header: str) -> None:
    value = {"url": "https://example.com/", "content_hash": H32, "domain": "example.com"}.get(header, "someone")
    assert len(parse_registry_text(f"{header}\n{value}\n", "csv")) == 1


def test_tsv() -> None:
    entries = parse_registry_text("kind\tvalue\nauthor\tJane Doe\ndomain\texample.com\n", "tsv")
    assert pairs(entries) == [("author", "jane doe"), ("domain", "example.com")]


def test_csv_missing_header_names_file_and_accepted_headers() -> None:
    with pytest.raises(InputError) as info:
        parse_registry_text("site,comment\nexample.com,x\n", "csv", name="sites.csv")
    assert "sites.csv: line 1: no recognised column" in info.value.message
    assert "kind" in (info.value.hint or "") and "url_prefix" in (info.value.hint or "")


def test_csv_bad_cells_name_lines() -> None:
    text = "kind,value\ndomain,example.com\ncolour,red\ndomain,bad_host.example\n"
    with pytest.raises(InputError) as info:
        parse_registry_text(text, "csv", name="r.csv")
    message = info.value.message
    assert "r.csv: 2 invalid entries" in message
    assert "line 3: unknown kind 'colour'" in message
    assert "line 4: 'bad_host.example' is not a domain name" in message


# ---- JSON -----------------------------------------------------------------------------------------------------------


def test_json_array_of_strings_and_objects() -> None:
    data = ["Example.com", {"kind": "url", "value": "https://example.org/a"}, {"kind": "author", "value": "@X"}, H64]
    entries = parse_registry_text(json.dumps(data), "json")
    assert pairs(entries) == [
        ("domain", "example.com"),
        ("url_prefix", "example.org/a"),
        ("author", "x"),
        ("content_hash", H32),
    ]
    assert [e.line for e in entries] == [1, 2, 3, 4]


def test_json_object_of_arrays() -> None:
    data = {
        "version": "2025-04",
        "domains": ["example.com"],
        "url_prefixes": ["https://example.org/blog"],
        "authors": ["@jdoe"],
        "content_hashes": [H64],
    }
    entries = parse_registry_text(json.dumps(data), "json")
    assert pairs(entries) == [
        ("domain", "example.com"),
        ("url_prefix", "example.org/blog"),
        ("author", "jdoe"),
        ("content_hash", H32),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('["example.com", 5, "bad host"]', ["item 2: expected a string, found int", "item 3: 'bad host'"]),
        ('[{"kind": "nope", "value": "x"}]', ["item 1: 'kind' must be one of"]),
        ('{"domains": ["example.com", "-x.example"]}', ["'domains' item 2:"]),
        ('{"domains": "example.com"}', ["'domains': expected an array"]),
        ('{"domian": ["example.com"]}', ["unknown list(s) 'domian'"]),
        ('{"other": 1}', ["none of the known keys"]),
        ('"example.com"', ["expected a JSON array or object, found str"]),
        ('["example.com",\n  oops]', ["line 2 column 3: invalid JSON"]),
    ],
)
def test_json_errors(text: str, expected: list[str]) -> None:
    with pytest.raises(InputError) as info:
        parse_registry_text(text, "json", name="r.json")
    assert info.value.message.startswith("r.json")
    for part in expected:
        assert part in info.value.message


# ---- files ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("optout.txt", "example.com\n"),
        ("optout.lst", "example.com\n"),
        ("optout", "example.com\n"),
        ("optout.csv", "domain\nexample.com\n"),
        ("optout.tsv", "kind\tvalue\ndomain\texample.com\n"),
        ("optout.json", '["example.com"]'),
        ("optout.JSON", '{"domains": ["example.com"]}'),
    ],
)
@pytest.mark.parametrize("gz", [False, True])
def test_parse_registry_dispatches_on_suffix(tmp_path: Path, name: str, content: str, gz: bool) -> None:
    path = tmp_path / (name + ".gz" if gz else name)
    data = content.encode()
    path.write_bytes(gzip.compress(data) if gz else data)
    assert pairs(parse_registry(path)) == [("domain", "example.com")]
    assert pairs(parse_registry(str(path))) == [("domain", "example.com")]


def test_parse_registry_utf8_sig(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes("domain\nbücher.example\n".encode("utf-8-sig"))
    assert pairs(parse_registry(path)) == [("domain", "xn--bcher-kva.example")]


def test_parse_registry_error_names_the_path(tmp_path: Path) -> None:
    path = tmp_path / "r.txt"
    path.write_text("example.com\nexample.org\n???\n")
    with pytest.raises(InputError, match=r"r\.txt: 1 invalid entry") as info:
        parse_registry(path)
    assert str(path) in info.value.message and "line 3" in info.value.message


def test_invalid_utf8_names_byte_and_line(tmp_path: Path) -> None:
    path = tmp_path / "r.txt"
    path.write_bytes(b"example.com\nexample.org\nb\xfcad.example\n")
    with pytest.raises(InputError) as info:
        parse_registry(path)
    assert f"{path}: not valid UTF-8 at byte 25 (line 3)" in info.value.message
    assert "UTF-8" in (info.value.hint or "")


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("missing.txt", None, "no such registry file"),
        ("r.yaml", b"x", "cannot tell the registry format"),
        ("r.txt.gz", b"not gzip", "cannot be read"),
        ("r.txt", b"", "no entries"),
    ],
)
def test_parse_registry_file_errors(tmp_path: Path, name: str, data: bytes | None, message: str) -> None:
    path = tmp_path / name
    if data is not None:
        path.write_bytes(data)
    with pytest.raises(InputError, match=message):
        parse_registry(path)


def test_parse_registry_folder_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "reg").mkdir()
    with pytest.raises(InputError, match="is a folder"):
        parse_registry(tmp_path / "reg")


# ---- digest ---------------------------------------------------------------------------------------------------------


def test_digest_ignores_order_duplicates_comments_and_spelling() -> None:
    a = parse_registry_text(f"example.com\n@jdoe\nhttps://example.org/a\n{H64}\n", "txt")
    b = parse_registry_text(
        f"# reordered\n{H32}\n\nurl:http://EXAMPLE.org:80/a\nauthor:JDoe\n*.example.com\nexample.com # dup\n", "txt"
    )
    c = parse_registry_text(
        json.dumps(
            {"domains": ["example.com"], "authors": ["jdoe"], "url_prefixes": ["https://example.org/a"]}
        ).replace("]}", f'], "content_hashes": ["{H64}"]}}'),
        "json",
    )
    assert registry_digest(a) == registry_digest(b) == registry_digest(c)
    assert registry_digest(a) == registry_digest(a + a)
    assert len(registry_digest(a)) == 64


def test_digest_changes_with_content_and_kind() -> None:
    a = parse_registry_text("example.com\n", "txt")
    b = parse_registry_text("example.com\nexample.org\n", "txt")
    c = [RegistryEntry("author", "example.com", 1)]
    assert len({registry_digest(a), registry_digest(b), registry_digest(c)}) == 3


# ---- speed ----------------------------------------------------------------------------------------------------------


def test_hundred_thousand_entries_parse_fast() -> None:
    lines = []
    for i in range(100_000):
        lines.append(
            (
                f"domain:site{i}.example.com",
                f"https://site{i}.example.org/path/{i}",
                f"@user{i}",
                hashlib.sha256(str(i).encode()).hexdigest(),
            )[i % 4]
        )
    text = "\n".join(lines)
    start = time.perf_counter()
    entries = parse_registry_text(text, "txt")
    elapsed = time.perf_counter() - start
    assert len(entries) == 100_000
    assert elapsed < 2.0  # ~0.35 s here; the bound is loose so a busy CI machine does not flake


# ---- properties -----------------------------------------------------------------------------------------------------

_label = st.from_regex(r"[a-z0-9](?:[a-z0-9-]{0,20}[a-z0-9])?", fullmatch=True)
_unicode_label = st.text(alphabet="abcdeéüßøñж中ö", min_size=1, max_size=10)
_domains = st.lists(st.one_of(_label, _unicode_label), min_size=2, max_size=4).map(".".join)
_paths = st.from_regex(r"(/[A-Za-z0-9._~%!$&'()*+,;=:@-]{0,10}){0,4}(\?[A-Za-z0-9=&]{0,10})?", fullmatch=True)
_urls = st.builds(
    lambda scheme, host, port, path: f"{scheme}{host}{port}{path}",
    st.sampled_from(["http://", "https://", "HTTPS://", "", "//"]),
    _domains,
    st.sampled_from(["", ":80", ":443", ":8080"]),
    _paths,
)
_authors = st.text(min_size=1, max_size=50)
_hashes = st.builds(
    lambda prefix, digest: prefix + digest,
    st.sampled_from(["", "sha256:", "SHA256:"]),
    st.one_of(st.from_regex(r"[0-9a-fA-F]{32}", fullmatch=True), st.from_regex(r"[0-9a-fA-F]{64}", fullmatch=True)),
)


def _idempotent(kind: str, value: str) -> None:
    try:
        once = normalise_entry(kind, value)
    except ValueError:
        return  # not every generated value is valid (e.g. IDNA limits); validity is tested above
    assert normalise_entry(kind, once) == once


@given(_domains)
def test_domain_normalisation_is_idempotent(value: str) -> None:
    _idempotent("domain", value)


@given(_urls)
def test_url_prefix_normalisation_is_idempotent(value: str) -> None:
    _idempotent("url_prefix", value)


@given(_authors)
def test_author_normalisation_is_idempotent(value: str) -> None:
    _idempotent("author", value)


@given(_hashes)
def test_hash_normalisation_is_idempotent(value: str) -> None:
    once = normalise_entry("content_hash", value)
    assert len(once) == 32
    assert normalise_entry("content_hash", once) == once


@given(_label, _label)
def test_ascii_domains_are_always_valid(a: str, b: str) -> None:
    assert normalise_entry("domain", f"{a}.{b}") == f"{a}.{b}"


@given(st.sampled_from([*ENTRY_KINDS, "url", "hash", "nonsense"]), st.text(max_size=80))
def test_normalise_entry_raises_only_value_error(kind: str, value: str) -> None:
    try:
        normalise_entry(kind, value)
    except ValueError:
        pass


@given(st.text(max_size=80))
def test_infer_kind_raises_only_value_error(value: str) -> None:
    try:
        kind, normalised = infer_kind(value)
    except ValueError:
        return
    assert kind in ENTRY_KINDS
    assert normalise_entry(kind, normalised) == normalised


@given(st.sampled_from(["txt", "csv", "tsv", "json"]), st.text(max_size=300))
def test_parse_registry_text_raises_only_input_error(fmt: str, text: str) -> None:
    try:
        entries = parse_registry_text(text, fmt)
    except InputError:
        return
    assert entries and all(e.kind in ENTRY_KINDS for e in entries)


@given(st.lists(st.one_of(st.text(max_size=20), st.integers(), st.none(), st.dictionaries(st.text(), st.text()))))
def test_parse_json_array_raises_only_input_error(items: list[object]) -> None:
    try:
        parse_registry_text(json.dumps(items), "json")
    except InputError:
        pass

"""Record identity: ids are a documented, stable function of the normalised text and the source."""

from __future__ import annotations

import hashlib
import unicodedata

from hypothesis import assume, given
from hypothesis import strategies as st

from conftest import expected_normalize
from provenance.readers import content_hash, identify, normalize_text, record_id

# Every character Python's str.strip() removes (the highest is U+3000).
WHITESPACE = [chr(c) for c in range(0x3001) if chr(c).isspace()]

source_ids = st.from_regex(r"[a-z0-9][a-z0-9._-]{0,20}", fullmatch=True)
# Plain st.text() rarely produces text that NFC changes, so mix in letters, combining marks, singletons that NFC
# replaces (Angstrom sign, Ohm sign, Kelvin sign, the Greek question mark), Hangul jamo, and line ends.
TRICKY = "aeoucnAEOUCN\u0301\u0300\u0308\u0327\u0323\u0303\u212b\u2126\u212a\u037e\u1100\u1161\u11a8 \t\r\n"
texts = st.one_of(st.text(), st.text(alphabet=st.sampled_from(TRICKY)))
texts_without_cr = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r")),
    st.text(alphabet=st.sampled_from(TRICKY.replace("\r", ""))),
)


def one_id(source_id: str, text: str) -> str:
    return identify(source_id, [text]).record_ids[0]


@given(source_ids, st.lists(texts, max_size=20))
def test_identify_matches_the_reference_functions(source_id: str, batch: list[str]) -> None:
    ids = identify(source_id, batch)
    assert len(ids.record_ids) == len(batch)
    for i, text in enumerate(batch):
        normalised = normalize_text(text)
        digest = content_hash(normalised)
        assert ids.texts[i] == normalised
        assert ids.content_hashes[i] == digest
        assert ids.record_ids[i] == record_id(source_id, digest)
        assert ids.n_chars[i] == len(normalised)
        assert ids.n_bytes[i] == len(normalised.encode("utf-8"))


@given(source_ids, texts)
def test_ids_follow_the_documented_formula(source_id: str, text: str) -> None:
    """The docstring of provenance.readers.identity lets anyone recompute ids; hold the code to it."""
    normalised = expected_normalize(text)
    assert normalize_text(text) == normalised
    digest = hashlib.sha256(normalised.encode("utf-8")).hexdigest()[:32]
    assert content_hash(normalised) == digest
    assert one_id(source_id, text) == hashlib.sha256(f"{source_id}\x1f{digest}".encode()).hexdigest()[:32]


@given(source_ids, texts_without_cr)
def test_crlf_and_lf_give_the_same_id(source_id: str, text: str) -> None:
    crlf = text.replace("\n", "\r\n")
    cr = text.replace("\n", "\r")
    assert one_id(source_id, crlf) == one_id(source_id, text)
    assert one_id(source_id, cr) == one_id(source_id, text)


@given(source_ids, texts)
def test_nfc_and_nfd_give_the_same_id(source_id: str, text: str) -> None:
    nfc = unicodedata.normalize("NFC", text)
    nfd = unicodedata.normalize("NFD", text)
    assert one_id(source_id, nfc) == one_id(source_id, nfd) == one_id(source_id, text)


def test_nfc_and_nfd_example() -> None:
    composed, decomposed = "Caf\u00e9 cr\u00e8me", "Cafe\u0301 cre\u0300me"
    assert composed != decomposed
    assert one_id("s", composed) == one_id("s", decomposed)


@given(
    source_ids,
    texts,
    st.text(alphabet=st.sampled_from(WHITESPACE), max_size=8),
    st.text(alphabet=st.sampled_from(WHITESPACE), max_size=8),
)
def test_surrounding_whitespace_gives_the_same_id(source_id: str, text: str, before: str, after: str) -> None:
    assert one_id(source_id, before + text + after) == one_id(source_id, text)


@given(texts, source_ids, source_ids)
def test_different_sources_give_different_record_ids(text: str, a: str, b: str) -> None:
    assume(a != b)
    ids_a, ids_b = identify(a, [text]), identify(b, [text])
    assert ids_a.record_ids[0] != ids_b.record_ids[0]
    assert ids_a.content_hashes[0] == ids_b.content_hashes[0]  # the text itself still links them


@given(source_ids, texts, texts)
def test_different_texts_give_different_ids(source_id: str, a: str, b: str) -> None:
    assume(normalize_text(a) != normalize_text(b))
    assert one_id(source_id, a) != one_id(source_id, b)


@given(texts)
def test_normalize_text_is_idempotent(text: str) -> None:
    once = normalize_text(text)
    assert normalize_text(once) == once


@given(texts)
def test_normalised_text_has_no_cr_and_no_surrounding_whitespace(text: str) -> None:
    out = normalize_text(text)
    assert "\r" not in out
    assert out == out.strip()
    assert unicodedata.is_normalized("NFC", out)


def test_ids_are_32_lowercase_hex() -> None:
    ids = identify("src", ["hello world", ""])
    for value in ids.content_hashes + ids.record_ids:
        assert len(value) == 32
        assert set(value) <= set("0123456789abcdef")

"""The pii scanner's cheap tests never hide a match: each one is a superset of its recognizer's patterns.

The scanner only runs a recognizer on texts its cheap test (RE2, run by Arrow) accepts, so a cheap test that misses
a text its recognizer would match is lost recall. Texts here are a real match of each pattern, generated from the
pattern itself, inside arbitrary surroundings (Unicode digits, spaces and letters included, where Python's classes
and RE2's differ).
"""

from __future__ import annotations

import re

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from provenance.scanners.pii.recognizers import CATALOGUE

SURROUNDINGS = st.text(
    alphabet=st.sampled_from(list("aZé5٣３ \t\n\u00a0\u2003-./:@+_(),")) | st.characters(codec="utf-8"),
    max_size=12,
)


def _patterns(entry) -> list[re.Pattern[str]]:
    recognizer = entry.build()
    if not hasattr(recognizer, "patterns"):  # our own recognizers find candidates with one pattern, then check them
        return [recognizer.CANDIDATE]
    return [re.compile(p.regex, recognizer.global_regex_flags) for p in recognizer.patterns]


CASES = [(entry, pattern) for entry in CATALOGUE for pattern in _patterns(entry)]


def _cheap_test_accepts(could_match: str, text: str) -> bool:
    return bool(pc.match_substring_regex(pa.array([text]), could_match)[0].as_py())


@pytest.mark.parametrize(("entry", "pattern"), CASES, ids=[f"{e.entity}-{i}" for i, (e, _) in enumerate(CASES)])
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(data=st.data())
def test_cheap_test_accepts_every_text_the_recognizer_matches(entry, pattern, data) -> None:
    core = data.draw(st.from_regex(pattern, fullmatch=True), label="match")
    text = data.draw(SURROUNDINGS, label="before") + core + data.draw(SURROUNDINGS, label="after")
    if pattern.search(text):
        assert _cheap_test_accepts(entry.could_match, text), (entry.entity, text)


@pytest.mark.parametrize(
    ("entity", "text"),
    [
        ("PHONE_NUMBER", "call 555 - 123 - 4567 today"),  # several separators between digit groups
        ("IBAN_CODE", "DE89-3704-0044-0532-0130-00"),  # dashes, which presidio's pattern allows
        ("ES_NIF", "NIF 1234567-L"),  # seven digits
        ("AU_TFN", "TFN 123\t456\t782"),  # any whitespace between groups
        ("IN_AADHAAR", "2345:6789:0123"),  # colons
        ("IT_FISCAL_CODE", "MRTMTTVMDLUFNLRV"),  # omocodia: letters standing for every digit
        ("IP_ADDRESS", "bound to :: and ::1"),
    ],
)
def test_cheap_tests_accept_formats_an_earlier_version_skipped(entity, text) -> None:
    entry = next(e for e in CATALOGUE if e.entity == entity)
    assert any(p.search(text) for p in _patterns(entry)), "the recognizer itself must match this text"
    assert _cheap_test_accepts(entry.could_match, text)


def test_ordinary_prose_passes_no_cheap_test() -> None:
    prose = "The committee met on Tuesday and agreed, after a long discussion, to publish the minutes in spring."
    assert not [e.entity for e in CATALOGUE if _cheap_test_accepts(e.could_match, prose)]

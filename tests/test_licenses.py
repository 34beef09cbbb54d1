"""Licence normalisation of whole columns, as readers and hooks use it."""

from __future__ import annotations

import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st

from provenance.licenses import UNKNOWN, LicenseParseError, normalize_column, normalize_license

VALUES = ["mit", "MIT", "Apache-2.0", "cc-by-nc-4.0", "MIT or apache-2.0", "Apache 2", "", "unknown", "LicenseRef-X"]


def expected(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return normalize_license(value).spdx
    except LicenseParseError:
        return UNKNOWN


@given(st.lists(st.one_of(st.none(), st.sampled_from(VALUES)), max_size=40))
def test_a_column_normalises_like_each_of_its_values(values: list[str | None]) -> None:
    column = pa.array(values, pa.string())
    assert normalize_column(column).to_pylist() == [expected(v) for v in values]
    chunked = pa.chunked_array([column, column], pa.string())
    assert normalize_column(chunked).to_pylist() == [expected(v) for v in values * 2]


def test_unparseable_licences_become_noassertion_not_a_guess() -> None:
    assert normalize_column(pa.array(["Apache-2", "MIT"])).to_pylist() == [UNKNOWN, "MIT"]

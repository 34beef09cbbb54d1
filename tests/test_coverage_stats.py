"""Balance measures and suppression: the definitions cards and policies rely on."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from provenance.coverage import effective_number, entropy, normalised_entropy, suppressed

COUNTS = st.dictionaries(st.text(min_size=1, max_size=5), st.integers(min_value=0, max_value=10_000), max_size=12)


@given(COUNTS)
def test_effective_number_lies_between_one_and_the_groups_present(counts: dict[str, int]) -> None:
    present = sum(1 for v in counts.values() if v > 0)
    n = effective_number(counts)
    if present == 0:
        assert n == 0.0
    else:
        assert 1.0 - 1e-9 <= n <= present + 1e-9


@given(COUNTS)
def test_normalised_entropy_is_between_zero_and_one(counts: dict[str, int]) -> None:
    e = normalised_entropy(counts)
    present = sum(1 for v in counts.values() if v > 0)
    assert (e is None) == (present < 2)
    if e is not None:
        assert -1e-9 <= e <= 1 + 1e-9


@given(st.integers(min_value=2, max_value=50), st.integers(min_value=1, max_value=1000))
def test_even_groups_are_perfectly_balanced(groups: int, size: int) -> None:
    counts = {str(i): size for i in range(groups)}
    assert math.isclose(normalised_entropy(counts), 1.0)
    assert math.isclose(effective_number(counts), groups)


@given(COUNTS, st.integers(min_value=1, max_value=100))
def test_scaling_counts_changes_no_measure(counts: dict[str, int], factor: int) -> None:
    scaled = {k: v * factor for k, v in counts.items()}
    assert math.isclose(entropy(counts), entropy(scaled), abs_tol=1e-9)


def test_one_dominant_group_is_unbalanced() -> None:
    assert normalised_entropy({"a": 990, "b": 10}) < 0.1


@given(st.integers(min_value=0, max_value=100), st.integers(min_value=1, max_value=50))
def test_cells_below_the_minimum_are_suppressed(count: int, minimum: int) -> None:
    assert suppressed(count, minimum) == (count if count >= minimum else None)

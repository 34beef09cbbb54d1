"""Balance measures over counts: pure functions, so cards, policies and tests agree on one definition."""

from __future__ import annotations

import math
from collections.abc import Mapping


def entropy(counts: Mapping[str, float]) -> float:
    """Shannon entropy (natural log) of the distribution the counts make; 0 for one group or none."""
    total = sum(v for v in counts.values() if v > 0)
    if total <= 0:
        return 0.0
    return -sum((v / total) * math.log(v / total) for v in counts.values() if v > 0)


def effective_number(counts: Mapping[str, float]) -> float:
    """exp(entropy): how many equally common groups would be this diverse (1.0 for a single group)."""
    return math.exp(entropy(counts)) if any(v > 0 for v in counts.values()) else 0.0


def normalised_entropy(counts: Mapping[str, float]) -> float | None:
    """Entropy over its maximum for the groups present: 1 is perfectly even, 0 is one group; None below two."""
    present = [v for v in counts.values() if v > 0]
    if len(present) < 2:
        return None
    return entropy(counts) / math.log(len(present))


def suppressed(count: int | None, min_cell_count: int) -> int | None:
    """A count, or None when it is below the minimum a cell must hold to be shown."""
    return None if count is None or count < min_cell_count else count

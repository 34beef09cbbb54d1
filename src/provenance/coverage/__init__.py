"""Who and what the records represent: language and demographic coverage, measured from scanner findings."""

from .report import HIGH_RESOURCE, coverage, demographic_coverage, language_coverage, load_reference
from .stats import effective_number, entropy, normalised_entropy, suppressed

__all__ = [
    "HIGH_RESOURCE",
    "coverage",
    "demographic_coverage",
    "effective_number",
    "entropy",
    "language_coverage",
    "load_reference",
    "normalised_entropy",
    "suppressed",
]

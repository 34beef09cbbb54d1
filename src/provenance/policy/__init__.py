"""Release gates: ``check(ledger, policy)`` applies a policy's licence, consent, PII, quality and coverage rules to
a ledger and reports every violation with the records behind it (``provenance check``)."""

from ..models.check import CheckReport, CheckSeverity, Violation
from .check import MIXTURE_RULES, check, parse_expression, purpose_of, report_lines

__all__ = [
    "MIXTURE_RULES",
    "CheckReport",
    "CheckSeverity",
    "Violation",
    "check",
    "parse_expression",
    "purpose_of",
    "report_lines",
]

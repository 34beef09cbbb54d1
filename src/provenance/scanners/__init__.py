"""Scanners: one module each, pure functions of a batch. Importing this package registers them."""

from . import consent, demographics, ip, language, pii, textstats  # noqa: F401 - registers the scanners
from .base import FINDINGS_SCHEMA, FindingsBuilder, Scanner, ScannerConfig, ScanOutput, merge_sums
from .registry import available, create, register

__all__ = [
    "FINDINGS_SCHEMA",
    "FindingsBuilder",
    "ScanOutput",
    "Scanner",
    "ScannerConfig",
    "available",
    "create",
    "merge_sums",
    "register",
]

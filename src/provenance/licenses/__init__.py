"""Licences: SPDX normalisation, the taxonomy of obligations, and whether a mixture allows an intended use."""

from .mixture import check_licenses
from .spdx import UNKNOWN, LicenseParseError, normalize_column, normalize_license
from .taxonomy import terms_for, terms_of_expression

__all__ = [
    "UNKNOWN",
    "LicenseParseError",
    "check_licenses",
    "normalize_column",
    "normalize_license",
    "terms_for",
    "terms_of_expression",
]

"""Licences: what people write, read as SPDX (and how it was read); the taxonomy of obligations; and whether a
mixture allows an intended use."""

from .mixture import check_licenses
from .resolve import Resolution, resolve_license
from .spdx import UNKNOWN, LicenseParseError, normalize_column, normalize_license
from .taxonomy import terms_for, terms_of_expression

__all__ = [
    "UNKNOWN",
    "LicenseParseError",
    "Resolution",
    "check_licenses",
    "normalize_column",
    "normalize_license",
    "resolve_license",
    "terms_for",
    "terms_of_expression",
]

"""Licences: SPDX normalisation now; the taxonomy of obligations and mixture compatibility come next."""

from .spdx import UNKNOWN, LicenseParseError, normalize_column, normalize_license

__all__ = ["UNKNOWN", "LicenseParseError", "normalize_column", "normalize_license"]

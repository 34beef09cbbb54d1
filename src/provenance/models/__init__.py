"""Pydantic models of every concept and file format; the single source of ``schemas/``."""

from .card import CardMetadata
from .common import CollectionMethod, ConsentBasis
from .coverage import CoverageReport
from .diff import ReleaseDiff
from .licenses import Attribution, Conclusion, LicenseTerms, MixtureReport, Purpose, Restriction, Severity, Use
from .manifest import DataEntry, DataFormat, RegistryRef, SnapshotsEntry, SourceEntry, SourcesManifest
from .origin import Origin, OriginKind
from .policy import IntendedUse, Policy
from .records import BadRecord, Finding, RecordProvenance, ScannerStamp, ScanRun
from .report import ScannerTally, ScanReport, SourceTally
from .source import License, Period, Source

__all__ = [
    "Attribution",
    "BadRecord",
    "CardMetadata",
    "CollectionMethod",
    "Conclusion",
    "ConsentBasis",
    "CoverageReport",
    "DataEntry",
    "DataFormat",
    "Finding",
    "IntendedUse",
    "License",
    "LicenseTerms",
    "MixtureReport",
    "Origin",
    "OriginKind",
    "Period",
    "Policy",
    "Purpose",
    "RecordProvenance",
    "RegistryRef",
    "ReleaseDiff",
    "Restriction",
    "ScanReport",
    "ScanRun",
    "ScannerStamp",
    "ScannerTally",
    "Severity",
    "SnapshotsEntry",
    "Source",
    "SourceEntry",
    "SourceTally",
    "SourcesManifest",
    "Use",
]

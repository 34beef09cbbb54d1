"""Pydantic models of every concept and file format; the single source of ``schemas/``."""

from .card import CardMetadata
from .common import CollectionMethod, ConsentBasis
from .manifest import DataEntry, DataFormat, SourceEntry, SourcesManifest
from .origin import Origin, OriginKind
from .policy import IntendedUse, Policy
from .records import BadRecord, Finding, RecordProvenance, ScannerStamp, ScanRun
from .report import ScannerTally, ScanReport, SourceTally
from .source import License, Period, Source

__all__ = [
    "BadRecord",
    "CardMetadata",
    "CollectionMethod",
    "ConsentBasis",
    "DataEntry",
    "DataFormat",
    "Finding",
    "IntendedUse",
    "License",
    "Origin",
    "OriginKind",
    "Period",
    "Policy",
    "RecordProvenance",
    "ScanReport",
    "ScanRun",
    "ScannerStamp",
    "ScannerTally",
    "Source",
    "SourceEntry",
    "SourceTally",
    "SourcesManifest",
]

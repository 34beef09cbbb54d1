"""What the ledger knows about records, findings and scans, as the Python API hands them out."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from .common import Model
from .origin import Origin
from .source import License


class RecordProvenance(Model):
    """Everything the ledger holds about one record; never its text."""

    record_id: str
    source_id: str
    content_hash: str
    n_chars: int
    n_bytes: int
    source_license: License
    record_license: License | None = Field(None, description="the record's own licence; it wins over the source's")
    origins: list[Origin] = Field(default_factory=list)

    @property
    def effective_license(self) -> License:
        return self.record_license or self.source_license


class Finding(Model):
    """One thing a scanner noticed in a record. ``value_hash`` is a keyed hash, never the value itself."""

    record_id: str
    scanner: str
    kind: str
    label: str
    start: int | None = None
    end: int | None = None
    score: float | None = None
    value_hash: str | None = None


class BadRecord(Model):
    """A line or row that could not be read; counted and reported, never fatal."""

    source_id: str
    path: str
    line: int | None = None
    row: int | None = None
    reason: str

    def where(self) -> str:
        at = self.line if self.line is not None else self.row
        return f"{self.path}:{at}" if at is not None else self.path


class ScannerStamp(Model):
    """Identifies a scanner's results: the same stamp means the same answers, so the work can be skipped."""

    name: str
    version: str
    config_hash: str

    def __str__(self) -> str:
        return f"{self.name}@{self.version}#{self.config_hash}"


class ScanRun(Model):
    scan_id: str
    command: str
    started_at: dt.datetime
    finished_at: dt.datetime | None = None
    status: str = Field(description="running, finished, interrupted or failed")
    scanners: list[ScannerStamp] = Field(default_factory=list)
    workers: int = 1

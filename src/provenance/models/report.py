"""The scan report (``--report report.json``): what one ingest or scan did, for people and for CI."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import Field

from .common import Model
from .consent import RegistryApplied
from .records import BadRecord, ScannerStamp


class SourceTally(Model):
    source_id: str
    files: int = 0
    files_skipped: int = 0
    records_read: int = 0
    records_added: int = 0
    bytes_read: int = 0
    bad_records: int = 0


class FailedShard(Model):
    """A shard the Ray engine could not scan after retrying; rerunning the scan tries it again."""

    path: str
    source_id: str
    attempts: int
    reason: str


class ScannerTally(Model):
    stamp: ScannerStamp
    records_scanned: int = 0
    records_skipped: int = Field(0, description="already scanned with the same stamp")
    findings: int = 0
    summary: dict[str, Any] = Field(default_factory=dict)


class ScanReport(Model):
    scan_id: str
    ledger: str
    command: str
    started_at: dt.datetime
    finished_at: dt.datetime
    status: str
    workers: int
    sources: list[SourceTally]
    scanners: list[ScannerTally]
    bad_records: list[BadRecord] = Field(description="first 1000 bad lines; the ledger keeps them all")
    bad_records_total: int = 0
    not_checked: list[str] = Field(default_factory=list, description="what this scan did not look for")
    consent: dict[str, dict[str, int]] = Field(
        default_factory=dict, description="source -> consent state -> records, for the whole ledger after the scan"
    )
    registries: list[RegistryApplied] = Field(default_factory=list, description="opt-out registries applied")
    engine: str = Field("local", description="local (in-process or process pool) or ray")
    failed_shards: list[FailedShard] = Field(
        default_factory=list, description="shards that kept failing (Ray engine); the others were scanned"
    )

    @property
    def records_read(self) -> int:
        return sum(s.records_read for s in self.sources)

    @property
    def records_added(self) -> int:
        return sum(s.records_added for s in self.sources)


# What a complete audit looks for, and the scanner that does it: scan reports and cards list what was left out.
AUDIT_CHECKS: dict[str, str] = {
    "pii": "personal data (emails, phone numbers, ids, names)",
    "ip": "licence texts, copyright notices and licence conflicts in the text",
    "language": "languages of the text",
    "demographics": "mentions of demographic groups",
    "consent": "AI-use consent signals (robots.txt, ai.txt, TDMRep, X-Robots-Tag, HTML meta)",
}

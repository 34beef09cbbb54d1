"""Consent as the ledger records it: states, registry loads, revocations, removal evidence and re-checks.

These are the reports ``provenance consent ...`` and ``provenance forget`` write; none holds a personal value.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum

from pydantic import Field

from .common import Model


class ConsentState(str, Enum):
    """A record's consent, strongest first: a revocation beats an opt-out, which beats the declared basis."""

    revoked = "revoked"
    opted_out = "opted_out"
    granted = "granted"  # declared basis grants use: explicit opt-in, contract, licence grant, public domain
    no_objection = "no_objection"  # opt-out basis (or an explicit allowance) and no opt-out found
    unknown = "unknown"


class ScopeKind(str, Enum):
    record = "record"
    source = "source"
    domain = "domain"
    url_prefix = "url_prefix"
    author = "author"
    content_hash = "content_hash"


class RegistryApplied(Model):
    name: str
    version: int
    new_version: bool = Field(description="false when the file equals the latest version already in the ledger")
    path: str | None = None
    entries: int
    entries_by_kind: dict[str, int] = Field(default_factory=dict)
    records_matched: int


class AffectedRun(Model):
    run_id: str
    name: str
    started_at: dt.datetime | None = None
    status: str | None = None
    records: int = Field(description="records in scope that this run consumed")


class AffectedRelease(Model):
    release_id: str
    written_at: dt.datetime
    out_dir: str | None = None
    records: int = Field(description="records in scope that this card release described")


class RevocationReport(Model):
    event_id: str
    occurred_at: dt.datetime
    actor: str
    scope_kind: str
    scope_value: str
    reason: str | None = None
    records_excluded: int = Field(description="records this revocation excluded now (later ones are added on scan)")
    records_by_source: dict[str, int] = Field(default_factory=dict)
    sample_records: list[str] = Field(default_factory=list, description="the first record ids, for checking")
    runs: list[AffectedRun] = Field(default_factory=list, description="training runs that used records in scope")
    releases: list[AffectedRelease] = Field(default_factory=list, description="card releases that described them")
    exclusion_list: str | None = Field(None, description="the exclusion list file track(policy=...) honours")


class IdentifierSearch(Model):
    """One identifier of a removal request, named by kind and position only: the value is never kept."""

    identifier: str = Field(description="e.g. 'email #1'")
    searched_by: str = Field(description="which ledger facts answered it, e.g. 'pii findings EMAIL_ADDRESS'")
    fingerprint: str | None = Field(None, description="first 12 hex digits of the keyed hash, to match re-runs")
    records: int


class EvidenceRecord(Model):
    record_id: str
    source_id: str
    matched_by: list[str]
    path: str | None = None
    line: int | None = None
    row: int | None = None
    url: str | None = None
    dataset_repo: str | None = None
    dataset_split: str | None = None


class RemovalEvidence(Model):
    """What a removal request found and did, for the requester and the auditor; nobody else's data is in it."""

    request_id: str
    processed_at: dt.datetime
    actor: str
    reason: str | None = None
    ledger: str
    identifiers: list[IdentifierSearch]
    not_searched: list[str] = Field(default_factory=list, description="what could not be searched, and why")
    records_not_scanned_for_pii: int = Field(
        0, description="records the pii scanner never saw: a request cannot find identifiers in them"
    )
    records: list[EvidenceRecord] = Field(default_factory=list)
    records_excluded: int = 0
    event_id: str | None = Field(None, description="the revocation appended to the consent log, if any")
    runs: list[AffectedRun] = Field(default_factory=list)
    releases: list[AffectedRelease] = Field(default_factory=list)
    exclusion_list: str | None = None


class ConsentChange(Model):
    source_id: str
    collected_state: ConsentState
    state: ConsentState
    reason: str | None = None
    records: int
    sample_records: list[str] = Field(default_factory=list)


class RecheckReport(Model):
    """Consent now against consent at collection, for a run's records or the whole ledger."""

    checked_at: dt.datetime
    run_id: str | None = None
    run_name: str | None = None
    records_checked: int
    records_changed: int
    changes: list[ConsentChange] = Field(default_factory=list)


__all__ = [
    "AffectedRelease",
    "AffectedRun",
    "ConsentChange",
    "ConsentState",
    "EvidenceRecord",
    "IdentifierSearch",
    "RecheckReport",
    "RegistryApplied",
    "RemovalEvidence",
    "RevocationReport",
    "ScopeKind",
]

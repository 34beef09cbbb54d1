"""What changed between two releases of a dataset (``provenance diff OLD NEW``): two ledgers, or two cards."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import Field

from .common import Model
from .licenses import Use


class ReleaseSide(Model):
    """One of the two releases compared."""

    path: str
    kind: Literal["ledger", "card"]
    records: int | None = Field(None, description="distinct records (ledgers only)")
    sources: int | None = Field(None, description="sources (ledgers only)")
    bytes: int | None = Field(None, description="normalised UTF-8 text (ledgers only)")
    last_scan: str | None = Field(None, description="the last finished scan (ledgers only)")
    generated_by: str | None = Field(None, description="the toolkit that made the card (cards only)")


class SourceSummary(Model):
    source: str
    name: str | None = None
    license: str | None = None
    consent_basis: str | None = None
    collection_method: str | None = None
    records: int = 0


class FieldChange(Model):
    field: str
    old: str | None = None
    new: str | None = None


class SourceChange(Model):
    """A source in both releases whose declared facts changed."""

    source: str
    changes: list[FieldChange]


class CountDelta(Model):
    key: str
    old: int = 0
    new: int = 0
    delta: int = 0


class LicenseDelta(Model):
    """Records under one effective licence (the record's own, else its source's) in each release."""

    license: str
    use: Use
    share_alike: bool = False
    no_derivatives: bool = False
    unknown_terms: bool = False
    old_records: int = 0
    new_records: int = 0
    delta: int = 0
    sources: list[str] = Field(default_factory=list, description="sources with records under it in the new release")


class RestrictiveLicense(Model):
    """A licence the new release has and the old did not, which narrows what the data may be used for."""

    license: str
    reasons: list[str] = Field(description="non-commercial use only, research use only, share-alike, ...")
    sources: list[str] = Field(default_factory=list)
    records: int = 0


class Revocation(Model):
    """A consent revocation recorded in the new ledger and not in the old."""

    event_id: str
    occurred_at: dt.datetime | None = None
    actor: str | None = None
    scope_kind: str
    scope_value: str
    reason: str | None = None
    records: int | None = None


class RateDelta(Model):
    """A share in each release (PII records of one type over the records scanned; one language's characters)."""

    label: str
    old: float | None = None
    new: float | None = None
    delta: float | None = Field(None, description="new minus old; None where one release did not measure it")
    old_records: int | None = None
    new_records: int | None = None


class GroupShift(Model):
    """A demographic group's share of scanned records in each release; compared only where neither cell is
    suppressed."""

    axis: str
    group: str
    old_share: float
    new_share: float
    change: float
    old_records: int
    new_records: int


class StampChange(Model):
    scanner: str
    old: str | None = Field(None, description="the scanner's latest stamp in the old release")
    new: str | None = None


class CardChanges(Model):
    """What two cards' metadata say differently (all a comparison of cards can tell)."""

    pretty_name: FieldChange | None = None
    licenses_added: list[str] = Field(default_factory=list)
    licenses_removed: list[str] = Field(default_factory=list)
    languages_added: list[str] = Field(default_factory=list)
    languages_removed: list[str] = Field(default_factory=list)
    size_category: FieldChange | None = None
    source_datasets_added: list[str] = Field(default_factory=list)
    source_datasets_removed: list[str] = Field(default_factory=list)
    generated_by: FieldChange | None = None


class ReleaseDiff(Model):
    """``provenance diff``: what changed from the old release to the new one."""

    compared: Literal["ledgers", "cards"] = Field(description="ledgers compare everything; cards their metadata")
    old: ReleaseSide
    new: ReleaseSide
    sources_added: list[SourceSummary] = Field(default_factory=list)
    sources_removed: list[SourceSummary] = Field(default_factory=list)
    sources_changed: list[SourceChange] = Field(default_factory=list)
    records_per_source: list[CountDelta] = Field(default_factory=list)
    licenses: list[LicenseDelta] = Field(default_factory=list)
    new_restrictive_licenses: list[RestrictiveLicense] = Field(default_factory=list)
    consent_revocations: list[Revocation] = Field(default_factory=list)
    pii_scanned: CountDelta | None = Field(None, description="records the pii scanner read in each release")
    pii: list[RateDelta] = Field(default_factory=list)
    languages: list[RateDelta] = Field(
        default_factory=list, description="share of characters per language, largest change first"
    )
    demographics: list[GroupShift] = Field(default_factory=list, description="largest change first")
    demographics_not_compared: int = Field(0, description="groups left out: under min_cell_count in either release")
    min_cell_count: int = 10
    scanners: list[StampChange] = Field(default_factory=list, description="scanners whose latest stamp changed")
    card: CardChanges | None = None
    notes: list[str] = Field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    def to_json(self, indent: int | None = 2) -> str:
        return self.model_dump_json(indent=indent)

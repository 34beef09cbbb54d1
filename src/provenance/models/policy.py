"""A release policy (``policy.yaml``): the gates ``provenance check`` applies to a ledger."""

from __future__ import annotations

from enum import Enum

from pydantic import Field

from .common import ConsentBasis, Model


class IntendedUse(str, Enum):
    commercial = "commercial"
    non_commercial = "non_commercial"
    research = "research"


class Policy(Model):
    version: int = 1
    name: str = "default"
    intended_use: IntendedUse = IntendedUse.commercial
    release_dataset: bool = Field(False, description="the dataset itself will be redistributed, not only a model")
    deny_licenses: list[str] = Field(
        default_factory=list,
        description="SPDX ids (or glob patterns such as CC-BY-NC-*) that may not appear, also inside expressions",
    )
    allow_licenses: list[str] = Field(
        default_factory=list,
        description="if not empty, the only SPDX ids (or glob patterns) allowed; a licence listed here also counts "
        "as known for allow_unknown_license",
    )
    allow_unknown_license: bool = Field(
        False, description="accept NOASSERTION, LicenseRef-custom-*, LicenseRef-other and other terms nobody can judge"
    )
    license_rules_as_warnings: list[str] = Field(
        default_factory=list,
        description="licence-mixture rules (e.g. no-ai-training, no-derivatives) whose blockers the check reports "
        "as warnings instead of errors: a decision of the policy's owner, shown in every report",
    )
    allowed_consent_bases: list[ConsentBasis] = Field(default_factory=lambda: list(ConsentBasis))
    max_finding_rate: dict[str, float] = Field(
        default_factory=dict,
        description="finding label (EMAIL_ADDRESS, or scanner:label such as pii:EMAIL_ADDRESS or textstats:short) -> "
        "highest share of the records that scanner scanned allowed to carry it",
    )
    fail_on_revoked: bool = Field(
        False, description="records whose consent was revoked but which are still in the ledger fail the check"
    )
    language_targets: dict[str, float] = Field(default_factory=dict, description="language -> target share")
    min_language_share: dict[str, float] = Field(
        default_factory=dict, description="language -> lowest share of the characters allowed (a release gate)"
    )
    max_unknown_language_share: float | None = Field(
        None, ge=0, le=1, description="highest share of the characters in no identifiable language ('und')"
    )
    min_demographic_records: dict[str, int] = Field(
        default_factory=dict, description="'axis' or 'axis:group' -> fewest records that must mention it"
    )
    min_cell_count: int = Field(10, ge=1, description="demographic cells below this count are suppressed")
    drop_revoked: bool = Field(True, description="at load time, drop records whose consent was revoked")
    drop_opted_out: bool = Field(
        True,
        description="at load time, drop records opted out by a consent signal (robots.txt, TDMRep, X-Robots-Tag, "
        "ai.txt, HTML meta) or an opt-out registry",
    )
    exclusion_lists: list[str] = Field(
        default_factory=list,
        description="exclusion list files (CSV with record_id and/or content_hash columns, or one id per line) "
        "whose records are dropped at load time, e.g. another ledger's <ledger>.exclusions.csv",
    )
    drop_findings: list[str] = Field(
        default_factory=list, description="at load time, drop records carrying a finding with one of these labels"
    )

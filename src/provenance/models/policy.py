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
    deny_licenses: list[str] = Field(default_factory=list, description="SPDX ids that may not appear")
    allow_unknown_license: bool = False
    allowed_consent_bases: list[ConsentBasis] = Field(default_factory=lambda: list(ConsentBasis))
    max_finding_rate: dict[str, float] = Field(
        default_factory=dict, description="finding label -> highest share of records allowed to carry it"
    )
    language_targets: dict[str, float] = Field(default_factory=dict, description="language -> target share")
    min_cell_count: int = Field(10, ge=1, description="demographic cells below this count are suppressed")
    drop_revoked: bool = Field(True, description="at load time, drop records whose consent was revoked")
    drop_findings: list[str] = Field(
        default_factory=list, description="at load time, drop records carrying a finding with one of these labels"
    )

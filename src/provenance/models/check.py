"""The result of ``provenance check``: a policy's release gates applied to a ledger's facts."""

from __future__ import annotations

from enum import Enum

from pydantic import Field

from .common import Model


class CheckSeverity(str, Enum):
    error = "error"  # fails the gate
    warning = "warning"  # reported; does not fail the gate


class Violation(Model):
    """One way the ledger does not meet the policy, with the sources and records behind it."""

    rule: str = Field(
        description="the policy field that raised it: intended_use, deny_licenses, allow_licenses, "
        "allow_unknown_license, allowed_consent_bases, revoked_consent, max_finding_rate, min_language_share, "
        "language_targets, max_unknown_language_share, min_demographic_records; scanner_coverage warns that a scanner "
        "read only some of the records"
    )
    subject: str | None = Field(
        None, description="what in the rule: the licence-mixture rule, licence, consent basis, label, language, group"
    )
    severity: CheckSeverity
    message: str
    sources: list[str] = Field(default_factory=list, description="source ids concerned")
    licenses: list[str] = Field(default_factory=list, description="licence expressions concerned")
    records: int = Field(0, description="records concerned")
    example_records: list[str] = Field(default_factory=list, description="a few of their record ids")
    measured: float | int | None = Field(None, description="the measured value (a share or a count), if any")
    limit: float | int | None = Field(None, description="the policy's limit, if any")
    measured_by: str | None = Field(
        None, description="the scanner (name@version#config) that measured it; None for declared facts"
    )
    not_measured: bool = Field(False, description="the rule could not be evaluated: what it needs was never measured")


class CheckReport(Model):
    """``provenance check``: whether a ledger passes a release policy, and every violation with its records."""

    policy: str = Field(description="the policy's name")
    ledger: str | None = Field(None, description="the ledger checked")
    intended_use: str = Field(description="the use the licence rules were checked for")
    passed: bool = Field(description="no violation of severity error")
    records: int = Field(0, description="records in the ledger")
    violations: list[Violation] = Field(default_factory=list)
    checked: list[str] = Field(default_factory=list, description="the rules evaluated, as rule or rule:subject")
    not_measured: list[str] = Field(
        default_factory=list, description="rules that could not be evaluated because what they need was never measured"
    )

    @property
    def errors(self) -> list[Violation]:
        return [v for v in self.violations if v.severity is CheckSeverity.error]

    @property
    def warnings(self) -> list[Violation]:
        return [v for v in self.violations if v.severity is CheckSeverity.warning]

    @property
    def exit_code(self) -> int:
        """0 when the ledger passes the policy, 1 when an error-level violation fails it."""
        return 0 if self.passed else 1

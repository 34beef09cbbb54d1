"""Load-time policy: which records a training run may use, decided per record, and a report of what was dropped.

The licence rule here is deliberately small (non-commercial licences fail commercial use; unknown licences fail
unless allowed; denied ids fail); the licence taxonomy replaces it with full obligations.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import InputError
from ..ledger import Ledger
from ..licenses import UNKNOWN
from ..models import IntendedUse, Policy

log = logging.getLogger("provenance")


def load_policy(policy: Policy | Mapping[str, Any] | str | Path | None) -> Policy | None:
    if policy is None or isinstance(policy, Policy):
        return policy
    if isinstance(policy, Mapping):
        return Policy.model_validate(dict(policy))
    path = Path(policy)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return Policy.model_validate(data or {})
    except FileNotFoundError:
        raise InputError(f"{path}: no such policy file") from None
    except Exception as exc:  # yaml and pydantic errors: say which file
        raise InputError(f"{path}: invalid policy: {exc}", hint="see schemas/policy.schema.json") from None


def licence_refusal(spdx: str, policy: Policy) -> str | None:
    """Why this licence may not be used under the policy, or None when it may."""
    if spdx == UNKNOWN:
        return None if policy.allow_unknown_license else "licence unknown"
    alternatives = [a.strip(" ()") for a in re.split(r"\s+OR\s+", spdx)]
    reasons = [_refusal_of_all(a, policy) for a in alternatives]
    return None if any(r is None for r in reasons) else reasons[0]


def _refusal_of_all(expression: str, policy: Policy) -> str | None:
    for part in re.split(r"\s+(?:AND|WITH)\s+", expression):
        part = part.strip(" ()")
        if part in policy.deny_licenses:
            return f"licence {part} denied by the policy"
        if policy.intended_use is IntendedUse.commercial and "-NC" in part.upper():
            return f"licence {part} does not allow commercial use"
    return None


@dataclass
class Gate:
    """What a policy refuses, resolved against the ledger once, small enough to ship to DataLoader workers."""

    policy: Policy
    revoked_records: frozenset[str] = frozenset()
    revoked_sources: frozenset[str] = frozenset()
    flagged: Mapping[str, str] = field(default_factory=dict)  # record_id -> finding label
    source_refusal: str | None = None

    @classmethod
    def build(cls, policy: Policy, ledger: Ledger, source: Any) -> Gate:
        revoked_records: set[str] = set()
        revoked_sources: set[str] = set()
        if policy.drop_revoked:
            for kind, value in ledger.execute(
                "SELECT scope_kind, scope_value FROM consent_events WHERE action = 'revoke'"
            ):
                (revoked_records if kind == "record" else revoked_sources if kind == "source" else set()).add(value)
        flagged: dict[str, str] = {}
        if policy.drop_findings:
            marks = ", ".join("?" for _ in policy.drop_findings)
            for record_id, label in ledger.execute(
                f"SELECT record_id, min(label) FROM findings WHERE label IN ({marks}) GROUP BY 1", policy.drop_findings
            ):
                flagged[record_id] = label
        refusal = None
        if source.consent_basis not in policy.allowed_consent_bases:
            refusal = f"consent basis {source.consent_basis.value} not allowed"
        chosen = ledger.execute("SELECT license, use FROM license_claims WHERE source_id = ? AND chosen", [source.id])
        if chosen and refusal is None:  # an audited use category says more than an id we cannot classify
            license, use = chosen[0]
            commercial = policy.intended_use is IntendedUse.commercial
            if (commercial and use in ("non-commercial", "academic-only")) or (
                use in ("unknown", "unspecified") and not policy.allow_unknown_license
            ):
                refusal = f"licence {license} is {use}"
        return cls(policy, frozenset(revoked_records), frozenset(revoked_sources), flagged, refusal)

    def refusal(self, record_id: str, source_id: str, source_license: str, record_license: str | None) -> str | None:
        if source_id in self.revoked_sources or record_id in self.revoked_records:
            return "consent revoked"
        if self.source_refusal:
            return self.source_refusal
        reason = licence_refusal(record_license or source_license, self.policy)
        if reason:
            return reason
        label = self.flagged.get(record_id)
        return f"finding {label}" if label else None


@dataclass
class DropReport:
    counts: Counter = field(default_factory=Counter)  # (source_id, reason) -> records

    def add(self, source_id: str, reason: str, n: int = 1) -> None:
        self.counts[(source_id, reason)] += n

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def log(self) -> None:
        for (source_id, reason), n in sorted(self.counts.items()):
            log.warning("policy dropped %d record(s) of source %s: %s", n, source_id, reason)

    def store(self, ledger: Ledger, run_id: str | None) -> None:
        if not self.counts:
            return
        with ledger.transaction() as con:
            for (source_id, reason), n in sorted(self.counts.items()):
                con.execute("INSERT INTO run_drops VALUES (?, ?, ?, ?, now())", [run_id, source_id, reason, n])

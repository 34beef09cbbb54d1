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
    """What a policy refuses, resolved against the ledger once, small enough to ship to DataLoader workers.

    Records already in the ledger are refused by id; records it has not seen yet (a new page of a revoked domain,
    a copy of a forgotten text) by the scopes of revocations and registries: domain, URL prefix, content hash.
    """

    policy: Policy
    revoked_records: frozenset[str] = frozenset()
    revoked_sources: frozenset[str] = frozenset()
    flagged: Mapping[str, str] = field(default_factory=dict)  # record_id -> finding label
    source_refusal: str | None = None
    opted_out_records: frozenset[str] = frozenset()
    excluded_hashes: Mapping[str, str] = field(default_factory=dict)  # content_hash -> reason
    domains: Mapping[str, str] = field(default_factory=dict)  # domain -> reason
    url_prefixes: Mapping[str, str] = field(default_factory=dict)  # host/path prefix -> reason

    @classmethod
    def build(cls, policy: Policy, ledger: Ledger, source: Any) -> Gate:
        revoked_records: set[str] = set()
        revoked_sources: set[str] = set()
        hashes: dict[str, str] = {}
        domains: dict[str, str] = {}
        prefixes: dict[str, str] = {}
        scopes = {"content_hash": hashes, "domain": domains, "url_prefix": prefixes}
        if policy.drop_revoked:
            revoked_records |= {r[0] for r in ledger.execute("SELECT DISTINCT record_id FROM exclusions")}
            for kind, value in ledger.execute(
                "SELECT e.kind, e.value FROM event_entries e JOIN consent_events c USING (event_id) "
                "WHERE c.action = 'revoke'"
            ):
                if kind == "source":
                    revoked_sources.add(value)
                elif kind in scopes:
                    scopes[kind].setdefault(value, "consent revoked")
            for listed in policy.exclusion_lists:
                ids, listed_hashes = read_exclusion_list(listed)
                revoked_records |= ids
                for h in listed_hashes:
                    hashes.setdefault(h, "consent revoked")
        opted_out: set[str] = set()
        if policy.drop_opted_out:
            opted_out = {r[0] for r in ledger.execute("SELECT record_id FROM consent_state WHERE state = 'opted_out'")}
            for name, kind, value in ledger.execute(
                "SELECT e.name, e.kind, e.value FROM optout_entries e JOIN (SELECT name, max(version) AS version "
                "FROM optout_registries GROUP BY name) v USING (name, version)"
            ):
                if kind in scopes:
                    scopes[kind].setdefault(value, f"opted out (registry {name})")
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
        return cls(
            policy,
            frozenset(revoked_records),
            frozenset(revoked_sources),
            flagged,
            refusal,
            frozenset(opted_out - revoked_records),
            hashes,
            domains,
            prefixes,
        )

    def _scope_refusal(self, content_hash: str | None, url: str | None) -> str | None:
        if content_hash and content_hash in self.excluded_hashes:
            return self.excluded_hashes[content_hash]
        if url and (self.domains or self.url_prefixes):
            from ..consent.snapshots import host_of, path_of

            host = host_of(url)
            if host:
                labels = host.split(".")
                for i in range(len(labels)):
                    reason = self.domains.get(".".join(labels[i:]))
                    if reason:
                        return reason
                if self.url_prefixes:
                    key = host + path_of(url)
                    for prefix, reason in self.url_prefixes.items():
                        if key.startswith(prefix):
                            return reason
        return None

    def refusal(
        self,
        record_id: str,
        source_id: str,
        source_license: str,
        record_license: str | None,
        *,
        content_hash: str | None = None,
        url: str | None = None,
    ) -> str | None:
        if source_id in self.revoked_sources or record_id in self.revoked_records:
            return "consent revoked"
        if record_id in self.opted_out_records:
            return "opted out"
        scoped = self._scope_refusal(content_hash, url)
        if scoped:
            return scoped
        if self.source_refusal:
            return self.source_refusal
        reason = licence_refusal(record_license or source_license, self.policy)
        if reason:
            return reason
        label = self.flagged.get(record_id)
        return f"finding {label}" if label else None


def read_exclusion_list(path: str | Path) -> tuple[set[str], set[str]]:
    """(record ids, content hashes) of an exclusion list: a CSV with record_id and/or content_hash columns (as
    'provenance consent revoke' writes it), or plain text with one record id per line."""
    import csv

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"{path}: no such exclusion list", hint="check exclusion_lists in the policy") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the exclusion list ({exc})") from None
    lines = text.splitlines()
    ids: set[str] = set()
    hashes: set[str] = set()
    header = [h.strip().lower() for h in lines[0].split(",")] if lines else []
    if "record_id" in header or "content_hash" in header:
        for row in csv.DictReader(lines):
            if row.get("record_id"):
                ids.add(row["record_id"].strip())
            if row.get("content_hash"):
                hashes.add(row["content_hash"].strip().lower())
        return ids, hashes
    for number, line in enumerate(lines, 1):
        item = line.split("#", 1)[0].strip()
        if not item:
            continue
        if not re.fullmatch(r"[0-9a-fA-F]{32}", item):
            raise InputError(
                f"{path}:{number}: not a record id: expected 32 hex digits",
                hint="one record id per line, or a CSV with a record_id column",
            )
        ids.add(item.lower())
    return ids, hashes


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

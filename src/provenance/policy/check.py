"""Release gates: a policy (``policy.yaml``) applied to what a ledger knows, with the records behind every failure.

Each rule reads facts the toolkit already computes instead of working them out again: the licence mixture
(:func:`provenance.licenses.check_licenses`, for the use the policy intends), the declared consent bases and the
consent events, the scanners' findings over the records each scanner actually read (``record_scans``), and
language and demographic coverage (:mod:`provenance.coverage`). A violation of severity ``error`` fails the gate;
a ``warning`` is reported and does not. A rule whose measurement is missing (the scanner never ran) is an error
too: a gate must not pass because nobody looked.

This is an audit aid, not legal advice.
"""

from __future__ import annotations

import fnmatch
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..hooks.policy import load_policy
from ..ledger import DEFAULT_LEDGER, Ledger
from ..licenses import check_licenses, terms_for
from ..licenses.spdx import spdx_id
from ..models import IntendedUse, Policy, Purpose, Restriction
from ..models.check import CheckReport, CheckSeverity, Violation
from ..models.licenses import MixtureReport, Severity

EXAMPLES = 3
ERROR, WARNING = CheckSeverity.error, CheckSeverity.warning

# The rules of the licence mixture (provenance.licenses.mixture), for license_rules_as_warnings.
MIXTURE_RULES = (
    "use",
    "unknown-licence",
    "no-ai-training",
    "model-licence",
    "use-restrictions",
    "no-derivatives",
    "share-alike",
    "record-licence",
    "detected-licence",
    "rights-reserved",
    "protected-work",
)

# Which scanner reports a label, for labels the ledger holds no finding of (a limit on a label nobody found must
# still know whose scan measured it). Labels found in the ledger are attributed from the findings themselves.
KNOWN_SCANNERS = ("textstats", "pii", "ip", "language", "demographics")
_LABEL_SCANNER = {
    "empty": "textstats",
    "short": "textstats",
    "minhash_lsh": "textstats",
    **{
        label: "ip"
        for label in (
            "COPYRIGHT",
            "ALL_RIGHTS_RESERVED",
            "LICENSE_NOTICE",
            "LICENSE_TEXT",
            "SPDX_TAG",
            "NO_AI_TRAINING",
            "NO_REUSE",
            "PROTECTED_WORK",
        )
    },
}
_KIND_SCANNER = {"quality": "textstats", "signature": "textstats"}
_UPPER_LABEL = re.compile(r"^[A-Z][A-Z0-9_]*$")  # presidio-style entity names: the pii scanner's
_NER_LABELS = frozenset({"PERSON", "LOCATION", "ORGANIZATION"})  # only with the pii scanner's optional NER tier
_SHARE_RULES = frozenset({"max_finding_rate", "min_language_share", "language_targets", "max_unknown_language_share"})


def purpose_of(policy: Policy) -> Purpose:
    """The licence-mixture purpose a policy intends: training, commercial or not, releasing the dataset or not."""
    return Purpose(commercial=policy.intended_use is IntendedUse.commercial, train=True, release=policy.release_dataset)


def check(
    ledger: str | Path | Ledger = DEFAULT_LEDGER, policy: Policy | Mapping[str, Any] | str | Path | None = None
) -> CheckReport:
    """Apply ``policy`` (a :class:`Policy`, a dict, or a ``policy.yaml`` path; default: ``Policy()``) to the ledger.

    Returns a :class:`CheckReport`; ``report.passed`` is False (and ``report.exit_code`` 1) when any violation is
    an error. Nothing is written to the ledger.
    """
    rules = load_policy(policy) or Policy()
    _validate(rules)
    purpose = purpose_of(rules)
    store, owned = (ledger, False) if isinstance(ledger, Ledger) else (Ledger(ledger, read_only=True), True)
    try:
        run = _Check(store, rules)
        run.mixture(check_licenses(store, purpose))
        run.licences()
        run.consent()
        run.revoked()
        run.finding_rates()
        run.languages()
        run.demographics()
        total = run.total
    finally:
        if owned:
            store.close()
    order = {ERROR: 0, WARNING: 1}
    violations = sorted(run.violations, key=lambda v: order[v.severity])  # stable: rules keep their order
    return CheckReport(
        policy=rules.name,
        ledger=str(store.path),
        intended_use=purpose.describe(),
        passed=not any(v.severity is ERROR for v in violations),
        records=total,
        violations=violations,
        checked=run.checked,
        not_measured=run.not_measured,
    )


def _validate(policy: Policy) -> None:
    unknown = sorted(set(policy.license_rules_as_warnings) - set(MIXTURE_RULES))
    if unknown:
        raise InputError(
            f"policy '{policy.name}': license_rules_as_warnings names unknown rule(s) {', '.join(unknown)}",
            hint=f"the licence-mixture rules are {', '.join(MIXTURE_RULES)}",
        )
    for field in ("max_finding_rate", "min_language_share", "language_targets"):
        bad = {k: v for k, v in getattr(policy, field).items() if not 0 <= v <= 1}
        if bad:
            raise InputError(
                f"policy '{policy.name}': {field} must be shares between 0 and 1, not {bad}",
                hint="write 0.05 for 5%",
            )
    bad_counts = {k: v for k, v in policy.min_demographic_records.items() if v < 0}
    if bad_counts:
        raise InputError(f"policy '{policy.name}': min_demographic_records must be counts >= 0, not {bad_counts}")


# ---- licence expressions -------------------------------------------------------------------------------------------
_TOKEN = re.compile(r"\(|\)|[^\s()]+")
_Node = tuple  # ("id", licence, exception | None) | ("and", [nodes]) | ("or", [nodes])


def parse_expression(expression: str) -> _Node:
    """An SPDX expression as a small tree (OR binds loosest, then AND, then WITH); unparseable: one opaque id."""
    tokens = _TOKEN.findall(expression)
    pos = 0

    def peek() -> str | None:
        return tokens[pos] if pos < len(tokens) else None

    def take() -> str:
        nonlocal pos
        pos += 1
        return tokens[pos - 1]

    def parse_or() -> _Node:
        parts = [parse_and()]
        while (peek() or "").upper() == "OR":
            take()
            parts.append(parse_and())
        return parts[0] if len(parts) == 1 else ("or", parts)

    def parse_and() -> _Node:
        parts = [parse_with()]
        while (peek() or "").upper() == "AND":
            take()
            parts.append(parse_with())
        return parts[0] if len(parts) == 1 else ("and", parts)

    def parse_with() -> _Node:
        token = peek()
        if token is None or token == ")" or token.upper() in ("AND", "OR", "WITH"):
            raise ValueError(expression)
        if token == "(":
            take()
            node = parse_or()
            if take() != ")":
                raise ValueError(expression)
            return node
        take()
        if (peek() or "").upper() == "WITH":
            take()
            exception = take() if peek() not in (None, "(", ")") else None
            if exception is None:
                raise ValueError(expression)
            return ("id", token, exception)
        return ("id", token, None)

    try:
        node = parse_or()
        if pos != len(tokens):
            raise ValueError(expression)
        return node
    except (ValueError, IndexError):
        return ("id", expression, None)


def _holds(node: _Node, ok: Callable[[str, str | None], bool]) -> bool:
    """Whether the expression can be met using only licences ``ok`` accepts (an OR lets the user choose)."""
    kind = node[0]
    if kind == "id":
        return ok(node[1], node[2])
    results = [_holds(n, ok) for n in node[1]]
    return all(results) if kind == "and" else any(results)


def _symbols(node: _Node) -> Iterable[tuple[str, str | None]]:
    if node[0] == "id":
        yield node[1], node[2]
    else:
        for n in node[1]:
            yield from _symbols(n)


class _Patterns:
    """SPDX ids or glob patterns from a policy, matched case-insensitively; plain ids read as SPDX first."""

    def __init__(self, items: Sequence[str]) -> None:
        self.items = [self._canonical(i) for i in items]

    @staticmethod
    def _canonical(item: str) -> str:
        item = item.strip()
        if not any(c in item for c in "*?["):
            item = spdx_id(item) or item
        return item.lower()

    def __bool__(self) -> bool:
        return bool(self.items)

    def match(self, licence: str) -> bool:
        low = licence.lower()
        return any(fnmatch.fnmatchcase(low, p) for p in self.items)


def _unknown_terms(licence: str) -> bool:
    return Restriction.unknown_terms in terms_for(licence).restrictions


# ---- the checks ------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Group:
    """Records of one source under one effective licence (their own, or else their source's)."""

    licence: str
    source: str
    records: int
    examples: tuple[str, ...]


def _where(per_source: Mapping[str, int]) -> str:
    return ", ".join(f"{s} ({n:,} record{'s' * (n != 1)})" for s, n in sorted(per_source.items()))


def _pct(x: float) -> str:
    text = f"{100 * x:.2f}".rstrip("0").rstrip(".")
    return f"{text}%"


class _Check:
    def __init__(self, store: Ledger, policy: Policy) -> None:
        self.store = store
        self.policy = policy
        self.violations: list[Violation] = []
        self.checked: list[str] = []
        self.not_measured: list[str] = []
        self.total = store.scalar("SELECT count(*) FROM records")
        self._coverage_noted: set[str] = set()

    # ---- helpers ---------------------------------------------------------------------------------------------------
    def add(self, rule: str, subject: str | None, severity: CheckSeverity, message: str, **fields: Any) -> None:
        self.violations.append(Violation(rule=rule, subject=subject, severity=severity, message=message, **fields))

    def mark(self, rule: str, subject: str | None = None) -> None:
        self.checked.append(f"{rule}:{subject}" if subject else rule)

    def missing(
        self, rule: str, subject: str | None, message: str, severity: CheckSeverity = ERROR, limit: Any = None
    ) -> None:
        key = f"{rule}:{subject}" if subject else rule
        self.not_measured.append(key)
        self.add(rule, subject, severity, f"not measured: {message}", limit=limit, not_measured=True)

    def partial(self, scanner: str, stamps: str, scanned: int) -> None:
        """A scanner that read only some of the records: what it measured holds for those only (a warning)."""
        if scanned >= self.total or scanner in self._coverage_noted:
            return
        self._coverage_noted.add(scanner)
        self.add(
            "scanner_coverage",
            scanner,
            WARNING,
            f"the {scanner} scanner read {scanned:,} of the {self.total:,} records; the other "
            f"{self.total - scanned:,} are not measured (run provenance scan with --scanners {scanner})",
            measured=scanned,
            limit=self.total,
            measured_by=stamps,
        )

    @staticmethod
    def _behind(groups: Sequence[_Group]) -> dict[str, Any]:
        per_source: dict[str, int] = defaultdict(int)
        for g in groups:
            per_source[g.source] += g.records
        examples = sorted(r for g in groups for r in g.examples)[:EXAMPLES]
        return {
            "sources": sorted(per_source),
            "licenses": sorted({g.licence for g in groups}),
            "records": sum(per_source.values()),
            "example_records": examples,
            "where": _where(per_source),
        }

    # ---- licences --------------------------------------------------------------------------------------------------
    def mixture(self, report: MixtureReport) -> None:
        """The licence mixture's verdict for the intended use: blockers are errors, warnings stay warnings."""
        self.mark("intended_use")
        downgraded = set(self.policy.license_rules_as_warnings)
        for c in report.conclusions:
            if c.severity is Severity.obligation:
                continue
            note = ""
            if c.rule == "unknown-licence":
                if not self.policy.allow_unknown_license:
                    continue  # allow_unknown_license reports these, as errors
                severity = WARNING
                if c.severity is Severity.blocker:
                    note = " (a warning: the policy allows unknown licences)"
            elif c.severity is Severity.blocker and c.rule in downgraded:
                severity = WARNING
                note = " (a warning: the policy lists this rule in license_rules_as_warnings)"
            else:
                severity = ERROR if c.severity is Severity.blocker else WARNING
            self.add(
                "intended_use",
                c.rule,
                severity,
                c.message + note,
                sources=c.sources,
                licenses=c.licenses,
                records=c.records,
                example_records=c.example_records,
            )

    def licences(self) -> None:
        deny = _Patterns(self.policy.deny_licenses)
        allow = _Patterns(self.policy.allow_licenses)
        by_licence: dict[str, list[_Group]] = defaultdict(list)
        for licence, source, n, examples in self.store.execute(
            "SELECT coalesce(r.record_license, s.license), r.source_id, count(*), "
            f"  list(r.record_id ORDER BY r.record_id)[1:{EXAMPLES}] "
            "FROM records r JOIN sources s USING (source_id) GROUP BY ALL ORDER BY 1, 2"
        ):
            by_licence[licence].append(_Group(licence, source, n, tuple(examples or ())))
        if deny:
            self.mark("deny_licenses")
        if allow:
            self.mark("allow_licenses")
        if not self.policy.allow_unknown_license:
            self.mark("allow_unknown_license")

        def known(licence: str) -> bool:
            return not _unknown_terms(licence) or allow.match(licence)

        for licence, groups in sorted(by_licence.items()):
            tree = parse_expression(licence)
            symbols = list(_symbols(tree))
            if deny and not _holds(tree, lambda lic, exc: not deny.match(lic) and not (exc and deny.match(exc))):
                denied = sorted({s for lic, exc in symbols for s in (lic, exc) if s and deny.match(s)})
                b = self._behind(groups)
                self.add(
                    "deny_licenses",
                    ", ".join(denied),
                    ERROR,
                    (
                        f"{licence} includes {', '.join(denied)}, which the policy denies, and no alternative of "
                        "the expression avoids it"
                        if len(symbols) > 1
                        else f"{licence} is denied by the policy"
                    )
                    + f": {b.pop('where')}",
                    **b,
                )
            if allow and not _holds(tree, lambda lic, exc: allow.match(lic) or not known(lic)):
                others = sorted({lic for lic, _ in symbols if known(lic) and not allow.match(lic)})
                b = self._behind(groups)
                self.add(
                    "allow_licenses",
                    ", ".join(others),
                    ERROR,
                    f"{licence} is not among the licences the policy allows"
                    + (f" (not allowed: {', '.join(others)})" if len(symbols) > 1 else "")
                    + f": {b.pop('where')}",
                    **b,
                )
            if not self.policy.allow_unknown_license and not _holds(tree, lambda lic, exc: known(lic)):
                unknown = sorted({lic for lic, _ in symbols if not known(lic)})
                b = self._behind(groups)
                what = (
                    "no licence is known"
                    if licence == "NOASSERTION"
                    else f"{licence} has terms the toolkit cannot judge"
                    + (f" ({', '.join(unknown)})" if len(symbols) > 1 else "")
                )
                self.add(
                    "allow_unknown_license",
                    ", ".join(unknown),
                    ERROR,
                    f"{what}, and the policy does not allow unknown licences: {b.pop('where')}; find the terms "
                    "or leave these records out",
                    **b,
                )

    # ---- consent ---------------------------------------------------------------------------------------------------
    def consent(self) -> None:
        self.mark("allowed_consent_bases")
        allowed = {b.value for b in self.policy.allowed_consent_bases}
        per_basis: dict[str, list[_Group]] = defaultdict(list)
        for basis, source, n, examples in self.store.execute(
            "SELECT s.consent_basis, s.source_id, count(*), "
            f"  list(r.record_id ORDER BY r.record_id)[1:{EXAMPLES}] "
            "FROM records r JOIN sources s USING (source_id) GROUP BY ALL ORDER BY 1, 2"
        ):
            if basis not in allowed:
                per_basis[basis].append(_Group(basis, source, n, tuple(examples or ())))
        for basis, groups in sorted(per_basis.items()):
            b = self._behind(groups)
            b.pop("licenses")
            self.add(
                "allowed_consent_bases",
                basis,
                ERROR,
                f"consent basis {basis} is not one the policy allows ({', '.join(sorted(allowed)) or 'none'}): "
                f"{b.pop('where')}",
                **b,
            )

    def revoked(self) -> None:
        """Records whose consent was revoked (per record or for their whole source) that are still in the ledger."""
        self.mark("revoked_consent")
        rows = self.store.execute(
            "WITH revoked AS (SELECT r.record_id, r.source_id FROM records r "
            "  SEMI JOIN exclusions x ON x.record_id = r.record_id) "
            f"SELECT source_id, count(*), list(record_id ORDER BY record_id)[1:{EXAMPLES}] "
            "FROM revoked GROUP BY 1 ORDER BY 1"
        )
        if not rows:
            return
        b = self._behind([_Group("", s, n, tuple(e or ())) for s, n, e in rows])
        b.pop("licenses")
        fail = self.policy.fail_on_revoked
        self.add(
            "revoked_consent",
            None,
            ERROR if fail else WARNING,
            f"consent was revoked for {b['records']:,} record(s) still in the ledger: {b.pop('where')}; "
            "leave them out of the release" + ("" if fail else " (a warning: set fail_on_revoked to fail the check)"),
            **b,
        )

    # ---- findings: PII, quality and any other label ----------------------------------------------------------------
    def finding_rates(self) -> None:
        limits = self.policy.max_finding_rate
        if not limits:
            return
        scanned_stamps: dict[str, list[str]] = defaultdict(list)
        for (stamp,) in self.store.execute("SELECT DISTINCT stamp FROM record_scans ORDER BY 1"):
            scanned_stamps[stamp.split("@", 1)[0]].append(stamp)
        label_scanners: dict[str, set[str]] = defaultdict(set)
        kind_scanners: dict[str, set[str]] = defaultdict(set)
        for scanner, kind, label in self.store.execute("SELECT DISTINCT scanner, kind, label FROM findings"):
            label_scanners[label].add(scanner)
            kind_scanners[kind].add(scanner)
        for key, limit in limits.items():
            scanners, label = self._resolve(key, set(scanned_stamps), label_scanners, kind_scanners)
            self.mark("max_finding_rate", key)
            if not scanners:
                self.missing(
                    "max_finding_rate",
                    key,
                    f"no scanner that ran reports the label {label!r}, and the toolkit cannot tell which would "
                    "(write it as SCANNER:LABEL, e.g. pii:EMAIL_ADDRESS)",
                    limit=limit,
                )
                continue
            ran = [s for s in scanners if s in scanned_stamps]
            names = " or ".join(scanners)
            if not ran:
                self.missing(
                    "max_finding_rate",
                    key,
                    f"the {names} scanner never ran on this ledger, so nobody looked for {label}: run provenance "
                    f"scan CORPUS --scanners {','.join(scanners)}",
                    limit=limit,
                )
                continue
            stamps = [st for s in ran for st in scanned_stamps[s]]
            if label in _NER_LABELS and "pii" in ran and label not in label_scanners and self._ner_skipped():
                self.missing(
                    "max_finding_rate",
                    key,
                    f"{label} is found only by the pii scanner's NER tier, which did not run (it needs a spaCy "
                    "model: provenance scan --set pii.ner_model=en_core_web_sm)",
                    limit=limit,
                )
                continue
            self._rate(key, label, ran, stamps, limit)

    def _resolve(
        self,
        key: str,
        ran: set[str],
        label_scanners: Mapping[str, set[str]],
        kind_scanners: Mapping[str, set[str]],
    ) -> tuple[list[str], str]:
        prefix, sep, rest = key.partition(":")
        if sep and rest:
            if prefix in ran or prefix in KNOWN_SCANNERS:
                return [prefix], rest
            if prefix in kind_scanners:
                return sorted(kind_scanners[prefix]), rest
            if prefix in _KIND_SCANNER:
                return [_KIND_SCANNER[prefix]], rest
        if key in label_scanners:
            return sorted(label_scanners[key]), key
        if key in _LABEL_SCANNER:
            return [_LABEL_SCANNER[key]], key
        if sep and rest:  # axis:group
            return ["demographics"], key
        if _UPPER_LABEL.match(key):
            return ["pii"], key
        return [], key

    def _ner_skipped(self) -> bool:
        """Whether the latest scan that ran the pii scanner said it did not look for names (no NER model)."""
        for scanners, notes in self.store.execute(
            "SELECT scanners, not_checked FROM scans ORDER BY started_at DESC NULLS LAST"
        ):
            if any(s.startswith("pii@") for s in scanners or []):
                return any("NER" in note for note in notes or [])
        return False

    def _rate(self, key: str, label: str, scanners: list[str], stamps: list[str], limit: float) -> None:
        marks = ", ".join("?" for _ in stamps)
        smarks = ", ".join("?" for _ in scanners)
        scanned_sql = (
            f"SELECT DISTINCT record_id FROM record_scans WHERE stamp IN ({marks}) "
            "AND record_id IN (SELECT record_id FROM records)"
        )
        scanned = self.store.scalar(f"SELECT count(*) FROM ({scanned_sql})", stamps)
        self.partial(" and ".join(scanners), ", ".join(stamps), scanned)
        rows = self.store.execute(
            f"WITH hit AS (SELECT DISTINCT f.record_id FROM findings f WHERE f.scanner IN ({smarks}) "
            f"  AND f.label = ? AND f.record_id IN ({scanned_sql})) "
            f"SELECT r.source_id, count(*), list(r.record_id ORDER BY r.record_id)[1:{EXAMPLES}] "
            "FROM records r WHERE r.record_id IN (SELECT record_id FROM hit) GROUP BY 1 ORDER BY 1",
            [*scanners, label, *stamps],
        )
        hits = sum(n for _, n, _ in rows)
        rate = hits / scanned if scanned else 0.0
        by = ", ".join(stamps)
        if not scanned:
            self.missing("max_finding_rate", key, f"the {' or '.join(scanners)} scanner read no records", limit=limit)
            return
        if rate <= limit:
            return
        b = self._behind([_Group("", s, n, tuple(e or ())) for s, n, e in rows])
        b.pop("licenses")
        self.add(
            "max_finding_rate",
            key,
            ERROR,
            f"{hits:,} of the {scanned:,} records the {' and '.join(scanners)} scanner read ({_pct(rate)}) carry "
            f"{label}; the policy allows at most {_pct(limit)}: {b.pop('where')}",
            measured=round(rate, 6),
            limit=limit,
            measured_by=by,
            **b,
        )

    # ---- coverage: languages ---------------------------------------------------------------------------------------
    def languages(self) -> None:
        p = self.policy
        if not (p.min_language_share or p.language_targets or p.max_unknown_language_share is not None):
            return
        from ..coverage import language_coverage

        cov = language_coverage(self.store, None, p.language_targets or None)
        keys = [
            *(("min_language_share", k, v, ERROR) for k, v in p.min_language_share.items()),
            *(("language_targets", k, v, WARNING) for k, v in p.language_targets.items()),
        ]
        if p.max_unknown_language_share is not None:
            keys.append(("max_unknown_language_share", None, p.max_unknown_language_share, ERROR))
        for rule, lang, _limit, _severity in keys:
            self.mark(rule, lang)
        if cov.scanner is None or not cov.chars:
            for rule, lang, limit, severity in keys:
                self.missing(
                    rule,
                    lang,
                    "the language scanner never ran on this ledger (or read no text): run provenance scan CORPUS "
                    "--scanners language",
                    severity=severity,
                    limit=limit,
                )
            return
        self.partial("language", cov.scanner, cov.records)
        for rule, lang, limit, severity in keys:
            if lang is None:
                self._unknown_language(cov, limit)
                continue
            rows = [r for r in cov.languages if r.language != "und" and r.chars and _same_language(r, lang)]
            chars = sum(r.chars or 0 for r in rows)
            share = chars / cov.chars
            if share >= limit:
                continue
            n = sum(r.records or 0 for r in rows)
            gate = "asks for at least" if rule == "min_language_share" else "targets"
            self.add(
                rule,
                lang,
                severity,
                f"{lang} holds {_pct(share)} of the characters the language scanner read ({n:,} record(s) of "
                f"{cov.records:,}); the policy {gate} {_pct(limit)}"
                + ("" if rule == "min_language_share" else " (a target, not a gate: min_language_share is one)"),
                measured=round(share, 6),
                limit=limit,
                measured_by=cov.scanner,
            )

    def _unknown_language(self, cov, limit: float) -> None:
        und = sum(r.chars or 0 for r in cov.languages if r.language == "und")
        share = und / cov.chars
        if share <= limit:
            return
        rows = self.store.execute(
            "SELECT r.source_id, count(*), list(r.record_id ORDER BY r.record_id)[1:3] FROM records r "
            "WHERE r.record_id IN (SELECT record_id FROM findings WHERE scanner = 'language' AND stamp = ? "
            "  AND label = 'und') GROUP BY 1 ORDER BY 1",
            [cov.scanner],
        )
        b = self._behind([_Group("", s, n, tuple(e or ())) for s, n, e in rows])
        b.pop("licenses")
        self.add(
            "max_unknown_language_share",
            None,
            ERROR,
            f"{_pct(share)} of the characters the language scanner read are in no language it could tell; the "
            f"policy allows at most {_pct(limit)}: {b.pop('where') or 'no record'}",
            measured=round(share, 6),
            limit=limit,
            measured_by=cov.scanner,
            **b,
        )

    # ---- coverage: demographic groups ------------------------------------------------------------------------------
    def demographics(self) -> None:
        wanted = self.policy.min_demographic_records
        if not wanted:
            return
        from ..coverage import demographic_coverage

        for key in wanted:
            self.mark("min_demographic_records", key)
        cov = demographic_coverage(self.store, min_cell_count=1)  # raw counts; below min_cell_count never shown
        if cov.scanner is None or not cov.records:
            for key, minimum in wanted.items():
                self.missing(
                    "min_demographic_records",
                    key,
                    "the demographics scanner never ran on this ledger: run provenance scan CORPUS "
                    "--scanners demographics",
                    limit=minimum,
                )
            return
        self.partial("demographics", cov.scanner, cov.records)
        axes = {a.axis: a for a in cov.axes}
        hidden = self.policy.min_cell_count
        for key, minimum in wanted.items():
            axis, _, group = key.partition(":")
            found = axes.get(axis)
            if group:
                row = next((g for g in found.groups if g.group == group), None) if found else None
                n = (row.records or 0) if row else 0
            else:
                n = (found.records_mentioning or 0) if found else 0
            if n >= minimum:
                continue
            visible = n == 0 or n >= hidden  # counts from 1 to min_cell_count - 1 are never shown
            shown = f"{n:,} record(s)" if visible else f"fewer than {hidden} records (the count is suppressed)"
            hint = "" if found else f" (axes mentioned: {', '.join(sorted(axes)) or 'none'})"
            self.add(
                "min_demographic_records",
                key,
                ERROR,
                f"{shown} of the {cov.records:,} the demographics scanner read mention {key}{hint}; the policy "
                f"asks for at least {minimum:,}",
                measured=n if visible else None,
                limit=minimum,
                measured_by=cov.scanner,
            )


def _same_language(row, lang: str) -> bool:
    want = lang.lower()
    tag = row.language.lower()
    if "-" in want:
        return tag == want or tag.startswith(want + "-")
    return tag.split("-")[0] == want or (row.iso639_3 or "").lower() == want


# ---- rendering -------------------------------------------------------------------------------------------------------
def _value(rule: str, value: float | int | None) -> str:
    if value is None:
        return "-"
    return _pct(value) if rule in _SHARE_RULES else f"{value:,}"


def report_lines(report: CheckReport) -> list[str]:
    """The report as plain text lines (no colour, no markup): a verdict, then one entry per violation."""
    errors, warnings = len(report.errors), len(report.warnings)
    verdict = "PASSED" if report.passed else "FAILED"
    lines = [
        f"policy '{report.policy}' on {report.ledger} ({report.records:,} records): {verdict} "
        f"with {errors} error(s) and {warnings} warning(s)",
        f"intended use: {report.intended_use}",
    ]
    for v in report.violations:
        name = f"{v.rule} [{v.subject}]" if v.subject else v.rule
        lines.append(f"{v.severity.value.upper():<7}  {name}: {v.message}")
        details = []
        if v.measured is not None or v.limit is not None:
            details.append(f"measured {_value(v.rule, v.measured)}, limit {_value(v.rule, v.limit)}")
        if v.records:
            details.append(f"{v.records:,} record(s) in {', '.join(v.sources) or '-'}")
        if v.example_records:
            details.append(f"e.g. {', '.join(v.example_records)}")
        if v.measured_by:
            details.append(f"measured by {v.measured_by}")
        if details:
            lines.append(" " * 9 + "; ".join(details))
    if report.not_measured:
        lines.append(f"not measured: {', '.join(report.not_measured)}")
    lines.append(f"checked: {', '.join(report.checked)}")
    return lines


__all__ = ["MIXTURE_RULES", "check", "parse_expression", "purpose_of", "report_lines"]

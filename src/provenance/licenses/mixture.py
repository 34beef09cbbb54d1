"""Whether a ledger's mixture of licences allows what the user means to do, and why.

Every record has an effective licence: its own (a per-record licence column) or else its source's. Records are
grouped by source and effective licence, and each rule below looks at those groups, so every conclusion can name
the sources, the number of records and a few record ids behind it. The rules follow the licences' terms; where the
law is unsettled (is a trained model an adaptation of its data?) the conclusion is a warning that says so, not a
verdict. This is an audit aid, not legal advice.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from ..memo import memo_on_read_only
from ..models.licenses import (
    Attribution,
    Conclusion,
    LicenseTerms,
    MixtureReport,
    Purpose,
    Restriction,
    Severity,
    Use,
)
from .taxonomy import most_restrictive, terms_of_expression

EXAMPLES = 3


@dataclass(frozen=True)
class _Group:
    source: str
    source_name: str
    source_license: str
    record_license: str | None
    records: int
    examples: tuple[str, ...]

    @property
    def license(self) -> str:
        return self.record_license or self.source_license

    @property
    def terms(self) -> LicenseTerms:
        return terms_of_expression(self.license)


@memo_on_read_only
def _groups(ledger) -> tuple[list[_Group], dict[str, dict], list[_Detected]]:
    groups = [
        _Group(source, name, source_license, record_license, count, tuple(examples or ()))
        for source, name, source_license, record_license, count, examples in ledger.execute(
            "SELECT r.source_id, s.name, s.license, r.record_license, count(*), "
            f"  list(r.record_id ORDER BY r.record_id)[1:{EXAMPLES}] "
            "FROM records r JOIN sources s USING (source_id) GROUP BY ALL ORDER BY 1, 4 NULLS FIRST"
        )
    ]
    sources = {
        source: {"name": name, "attribution": attribution, "homepage": homepage}
        for source, name, attribution, homepage in ledger.execute(
            "SELECT source_id, name, attribution, homepage FROM sources ORDER BY 1"
        )
    }
    return groups, sources, _detected(ledger)


def _conclusion(severity: Severity, rule: str, message: str, groups: list[_Group]) -> Conclusion:
    examples = [r for g in groups for r in g.examples][:EXAMPLES]
    return Conclusion(
        severity=severity,
        rule=rule,
        message=message,
        licenses=sorted({g.license for g in groups}),
        sources=sorted({g.source for g in groups}),
        records=sum(g.records for g in groups),
        example_records=examples,
    )


def _where(groups: list[_Group]) -> str:
    per_source: dict[str, int] = defaultdict(int)
    for g in groups:
        per_source[g.source] += g.records
    return ", ".join(f"{s} ({n:,} record{'s' * (n != 1)})" for s, n in sorted(per_source.items()))


def _by_license(groups: list[_Group]) -> dict[str, list[_Group]]:
    out: dict[str, list[_Group]] = defaultdict(list)
    for g in groups:
        out[g.license].append(g)
    return dict(sorted(out.items()))


def assess(
    groups: list[_Group], sources: dict[str, dict], use: Purpose, detected: list[_Detected] = ()
) -> MixtureReport:
    conclusions: list[Conclusion] = []
    by_license = _by_license(groups)
    strict = use.commercial or use.release

    for license, members in by_license.items():
        terms = members[0].terms
        where = _where(members)
        if Restriction.unknown_terms in terms.restrictions:
            if license == "NOASSERTION":
                conclusions.append(
                    _conclusion(
                        Severity.blocker if strict else Severity.warning,
                        "unknown-licence",
                        f"no licence is known for {where}: without one all rights are reserved; find the terms or "
                        "leave these records out",
                        members,
                    )
                )
            else:
                conclusions.append(
                    _conclusion(
                        Severity.warning,
                        "unknown-licence",
                        f"{license} is a licence the toolkit cannot judge: read its terms for {where}",
                        members,
                    )
                )
        if use.commercial and terms.use in (Use.non_commercial, Use.research_only):
            conclusions.append(
                _conclusion(
                    Severity.blocker,
                    "use",
                    f"{license} allows {terms.use.value} use only, not commercial use: {where}",
                    members,
                )
            )
        if use.train and Restriction.no_ai_training in terms.restrictions:
            conclusions.append(
                _conclusion(Severity.blocker, "no-ai-training", f"{license} forbids AI training: {where}", members)
            )
        if use.train and Restriction.no_improving_other_models in terms.restrictions:
            conclusions.append(
                _conclusion(
                    Severity.warning,
                    "model-licence",
                    f"{license} forbids using the material to improve other large language models: allowed only "
                    f"if the model trained is a derivative of the licensed one ({where})",
                    members,
                )
            )
        if Restriction.use_restrictions in terms.restrictions:
            conclusions.append(
                _conclusion(
                    Severity.obligation,
                    "use-restrictions",
                    f"{license} carries use restrictions that must be passed on to users of the data and of models "
                    f"trained on it: {where}",
                    members,
                )
            )
        if terms.no_derivatives:
            conclusions.append(
                _conclusion(
                    Severity.blocker if use.release else Severity.warning,
                    "no-derivatives",
                    f"{license} forbids sharing adapted versions"
                    + (
                        "; a filtered, cleaned or mixed release is one"
                        if use.release
                        else "; whether a trained model is an adaptation is unsettled"
                    )
                    + f": {where}",
                    members,
                )
            )

    conclusions += _share_alike(by_license, use)
    conclusions += _record_licences(groups)
    conclusions += _content(list(detected), use)

    attributions = _attributions(groups, sources)
    if attributions:
        names = ", ".join(a.source for a in attributions)
        conclusions.append(
            Conclusion(
                severity=Severity.obligation,
                rule="attribution",
                message=f"credit {len(attributions)} source(s) wherever the data or its release is shown: {names}",
                licenses=sorted({a.license for a in attributions}),
                sources=[a.source for a in attributions],
                records=sum(a.records for a in attributions),
            )
        )
    blockers = [c for c in conclusions if c.severity is Severity.blocker]
    warnings = [c for c in conclusions if c.severity is Severity.warning]
    obligations = [c for c in conclusions if c.severity is Severity.obligation]
    if blockers:
        verdict = f"not usable for {use.describe()}: {len(blockers)} blocker(s)"
    else:
        verdict = f"usable for {use.describe()}"
        if obligations or warnings:
            verdict += f", with {len(obligations)} obligation(s) and {len(warnings)} warning(s) to check"
    order = {Severity.blocker: 0, Severity.warning: 1, Severity.obligation: 2}
    return MixtureReport(
        purpose=use,
        usable=not blockers,
        verdict=verdict,
        most_restrictive_use=most_restrictive([g.terms.use for g in groups]),
        licenses={k: sum(g.records for g in v) for k, v in by_license.items()},
        conclusions=sorted(conclusions, key=lambda c: (order[c.severity], c.rule, c.sources)),
        attributions=attributions,
    )


# Share-alike licences whose adaptations may be released under another share-alike licence (the first under the
# second): later versions of the same CC licence (each CC SA licence allows them), CC BY-SA 4.0 to GPLv3 (declared
# compatible by Creative Commons in 2015), GPL/LGPL "or later" to the later GPL, LGPL to GPL.
_SA_VERSIONS = ("1.0", "2.0", "2.5", "3.0", "4.0")
RELICENSABLE: frozenset[tuple[str, str]] = frozenset(
    {
        *(
            (f"CC-{kind}-{old}", f"CC-{kind}-{new}")
            for kind in ("BY-SA", "BY-NC-SA")
            for i, old in enumerate(_SA_VERSIONS)
            for new in _SA_VERSIONS[i + 1 :]
        ),
        ("CC-BY-SA-4.0", "GPL-3.0-only"),
        ("CC-BY-SA-4.0", "GPL-3.0-or-later"),
        ("GPL-2.0-or-later", "GPL-3.0-only"),
        ("GPL-2.0-or-later", "GPL-3.0-or-later"),
        ("GPL-3.0-or-later", "GPL-3.0-only"),
        ("LGPL-2.1-or-later", "GPL-3.0-only"),
        ("LGPL-3.0-only", "GPL-3.0-only"),
        ("LGPL-3.0-or-later", "GPL-3.0-only"),
        ("GPL-3.0-only", "AGPL-3.0-only"),
    }
)


def _share_alike(by_license: dict[str, list[_Group]], use: Purpose) -> list[Conclusion]:
    """Share-alike licences require adaptations under their own terms. Several can be met together only if one of
    them can take all the others; none can be met together with a licence that adds conditions it forbids
    (non-commercial, no-derivatives, use restrictions)."""
    share_alike = {k: v for k, v in by_license.items() if v[0].terms.share_alike}
    if not share_alike:
        return []
    every = [g for v in share_alike.values() for g in v]
    names = ", ".join(share_alike)
    if not use.release:
        return [
            _conclusion(
                Severity.warning,
                "share-alike",
                f"share-alike licences ({names}) bind adaptations that are shared; whether a trained model is one is "
                f"unsettled: {_where(every)}",
                every,
            )
        ]
    out = []
    targets = [t for t in share_alike if all(s == t or (s, t) in RELICENSABLE for s in share_alike)]
    if targets:
        target = targets[0]
        via = "" if len(share_alike) == 1 else f" (each of {names} allows adaptations under {target})"
        out.append(
            _conclusion(
                Severity.obligation,
                "share-alike",
                f"the released dataset (an adaptation) must be licensed under {target}{via}: {_where(every)}",
                every,
            )
        )
    else:
        out.append(
            _conclusion(
                Severity.blocker,
                "share-alike",
                f"share-alike licences conflict: {names} each require a released adaptation under their own terms, "
                f"and none of them can take the others: {_where(every)}",
                every,
            )
        )
    adds_conditions = [
        g
        for k, v in by_license.items()
        if k not in share_alike
        for g in v
        if Restriction.unknown_terms not in g.terms.restrictions  # reported as unknown licences already
        and (g.terms.use is not Use.commercial or g.terms.no_derivatives or g.terms.restrictions)
    ]
    if adds_conditions:
        extra = ", ".join(sorted({g.license for g in adds_conditions}))
        out.append(
            _conclusion(
                Severity.blocker,
                "share-alike",
                f"{names} forbid adding conditions to a released adaptation, but {extra} add some: "
                f"{_where(adds_conditions)} cannot be released together with {_where(every)}",
                adds_conditions + every,
            )
        )
    return out


def _stricter(own: LicenseTerms, declared: LicenseTerms) -> list[str]:
    """What ``own`` adds to ``declared``: a narrower use, share-alike, no-derivatives, or terms nobody can judge."""
    return [
        what
        for what, bad in (
            (
                f"{own.use.value} use only",
                own.use is not declared.use and own.use in (Use.non_commercial, Use.research_only),
            ),
            ("share-alike", own.share_alike and not declared.share_alike),
            ("no derivatives", own.no_derivatives and not declared.no_derivatives),
            ("terms the toolkit cannot judge", Restriction.unknown_terms in own.restrictions),
        )
        if bad
    ]


def _record_licences(groups: list[_Group]) -> list[Conclusion]:
    """Records whose own licence is stricter than, or unknown beside, their source's."""
    out = []
    for g in groups:
        if not g.record_license or g.record_license == g.source_license:
            continue
        stricter = _stricter(g.terms, terms_of_expression(g.source_license))
        if stricter:
            out.append(
                _conclusion(
                    Severity.warning,
                    "record-licence",
                    f"{g.records:,} record(s) of {g.source} declare {g.record_license} while the source is declared "
                    f"{g.source_license}: the record's own licence applies and adds {', '.join(stricter)}",
                    [g],
                )
            )
    return out


@dataclass(frozen=True)
class _Detected:
    """Records of one source, under one effective licence, in which the ip scanner found one kind of statement."""

    label: str
    detected: str | None
    source: str
    effective: str
    records: int
    examples: tuple[str, ...]

    def group(self) -> _Group:
        return _Group(self.source, self.source, self.effective, None, self.records, self.examples)


def _detected(ledger) -> list[_Detected]:
    return [
        _Detected(*row[:5], tuple(row[5] or ()))
        for row in ledger.execute(
            "SELECT CASE WHEN f.label IN ('SPDX_TAG', 'LICENSE_NOTICE', 'LICENSE_TEXT') THEN 'LICENCE' "
            "  ELSE f.label END, "
            "  json_extract_string(f.detail, '$.spdx'), r.source_id, "
            "  coalesce(r.record_license, s.license), count(DISTINCT r.record_id), "
            f"  list(DISTINCT r.record_id ORDER BY r.record_id)[1:{EXAMPLES}] "
            "FROM findings f JOIN records r USING (record_id) JOIN sources s USING (source_id) "
            "WHERE f.scanner = 'ip' GROUP BY ALL ORDER BY 3, 1, 2"
        )
    ]


def _content(detected: list[_Detected], use: Purpose) -> list[Conclusion]:
    """What the records say about themselves (ip scanner findings) against what they were declared under."""
    out = []
    for d in detected:
        where = _where([d.group()])
        if d.label == "LICENCE" and d.detected and d.detected != d.effective:
            stricter = _stricter(terms_of_expression(d.detected), terms_of_expression(d.effective))
            if d.effective == "NOASSERTION" or stricter:
                adds = f", which adds {', '.join(stricter)}" if stricter and d.effective != "NOASSERTION" else ""
                out.append(
                    _conclusion(
                        Severity.warning,
                        "detected-licence",
                        f"the text of {where} states {d.detected} while the record is declared under "
                        f"{d.effective}{adds}: check which applies",
                        [d.group()],
                    ).model_copy(update={"licenses": sorted({d.detected, d.effective})})
                )
        elif d.label == "NO_AI_TRAINING" and use.train:
            out.append(
                _conclusion(
                    Severity.blocker,
                    "no-ai-training",
                    f"the text of {where} says it may not be used to train AI or reserves text and data mining",
                    [d.group()],
                )
            )
        elif d.label == "ALL_RIGHTS_RESERVED" and terms_of_expression(d.effective).use is Use.commercial:
            out.append(
                _conclusion(
                    Severity.warning,
                    "rights-reserved",
                    f"the text of {where} says all rights are reserved while the record is declared under "
                    f"{d.effective}: check the declared licence",
                    [d.group()],
                )
            )
        elif d.label == "PROTECTED_WORK":
            out.append(
                _conclusion(
                    Severity.blocker,
                    "protected-work",
                    f"{where} reproduce long passages of protected works: leave them out",
                    [d.group()],
                )
            )
    return out


def _attributions(groups: list[_Group], sources: dict[str, dict]) -> list[Attribution]:
    per_source: dict[str, list[_Group]] = defaultdict(list)
    for g in groups:
        if g.terms.attribution:
            per_source[g.source].append(g)
    return [
        Attribution(
            source=source,
            name=sources.get(source, {}).get("name") or members[0].source_name,
            license=", ".join(sorted({g.license for g in members})),
            credit=sources.get(source, {}).get("attribution"),
            homepage=sources.get(source, {}).get("homepage"),
            records=sum(g.records for g in members),
        )
        for source, members in sorted(per_source.items())
    ]


def check_licenses(ledger, use: Purpose | None = None) -> MixtureReport:
    """The verdict on the ledger's mixture for ``use`` (default: commercial model training, no release). ``ledger``
    is a path, or a :class:`~provenance.ledger.Ledger` already open (cards reuse theirs)."""
    from ..ledger import Ledger

    if isinstance(ledger, Ledger):
        groups, sources, detected = _groups(ledger)
    else:
        with Ledger(ledger, read_only=True) as store:
            groups, sources, detected = _groups(store)
    return assess(groups, sources, use or Purpose(), detected)

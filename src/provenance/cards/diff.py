"""What changed between two releases: ``diff(old, new)`` over two ledgers, or over two cards' metadata.

Each side is a DuckDB ledger or a card: a Hugging Face README (its YAML front matter), a card-metadata YAML or JSON
file, a Croissant JSON-LD file, or a folder holding a README.md. The kind is told from the file's content, not its
name. Two ledgers compare everything the ledger measures; a card says only what its metadata holds (licence ids,
languages, size category, source datasets), so a comparison involving a card compares that and says so.
Demographic cells under ``min_cell_count`` records in either release are never compared, as they are never shown.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..ledger import Ledger
from ..models.diff import (
    CardChanges,
    CountDelta,
    FieldChange,
    GroupShift,
    LicenseDelta,
    RateDelta,
    ReleaseDiff,
    ReleaseSide,
    RestrictiveLicense,
    Revocation,
    SourceChange,
    SourceSummary,
    StampChange,
)
from ..models.licenses import Restriction, Use
from . import charts as ch

SOURCE_FIELDS = ("name", "license", "consent_basis", "collection_method", "languages", "attribution")
TOP_CHANGES = 10
_DUCKDB_MAGIC = b"DUCK"


# ---- reading either side ---------------------------------------------------------------------------------------------


def detect(path: str | Path) -> str:
    """'ledger' or 'card', from what the file holds."""
    path = Path(path)
    if path.is_dir():
        if (path / "README.md").is_file():
            return "card"
        raise InputError(f"{path}: a folder without a README.md card", hint="give a ledger file or a card")
    try:
        with path.open("rb") as fh:
            head = fh.read(16)
    except OSError as exc:
        raise InputError(f"{path}: cannot read it ({exc.strerror or exc})", hint="check the path") from None
    if head[8:12] == _DUCKDB_MAGIC:
        return "ledger"
    return "card"


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value if v is not None]
    return [str(value)]


def _croissant_license(value: str) -> str:
    """Croissant gives a licence as a URL or an id; keep the SPDX id where the URL names one."""
    value = value.strip().rstrip("/")
    if value.startswith(("http://", "https://")):
        tail = value.rsplit("/", 1)[-1]
        return (tail[:-5] if tail.endswith(".html") else tail).lower()
    return value.lower()


def read_card(path: str | Path) -> dict[str, Any]:
    """A card's metadata, normalised: pretty_name, licenses, languages, size_categories, source_datasets,
    generated_by. Reads README front matter, card-metadata YAML/JSON, or Croissant JSON-LD."""
    import yaml

    path = Path(path)
    if path.is_dir():
        path = path / "README.md"
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not a readable card ({exc})", hint="give a ledger file or a card") from None
    stripped = text.lstrip()
    data: Any
    try:
        if stripped.startswith("---"):
            parts = stripped.split("\n---", 1)
            if len(parts) < 2:
                raise InputError(f"{path}: the YAML front matter has no closing '---'", hint="close it with ---")
            data = yaml.safe_load(parts[0][3:])
        elif stripped.startswith(("{", "[")):
            data = json.loads(stripped)
        else:
            data = yaml.safe_load(stripped)
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: cannot read the card's metadata ({exc})", hint="give a ledger or a card") from None
    if isinstance(data, dict) and isinstance(data.get("metadata"), dict) and "license" in data["metadata"]:
        data = data["metadata"]
    if not isinstance(data, dict):
        raise InputError(
            f"{path}: neither a ledger nor a card (no metadata mapping found)",
            hint="give a DuckDB ledger, a README.md with YAML front matter, or card metadata as YAML/JSON",
        )
    if "@context" in data:  # Croissant JSON-LD
        return {
            "pretty_name": data.get("name"),
            "licenses": sorted({_croissant_license(v) for v in _as_list(data.get("license"))}),
            "languages": sorted(set(_as_list(data.get("inLanguage")))),
            "size_categories": [],
            "source_datasets": [],
            "generated_by": None,
        }
    return _normalise(data)


def _normalise(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "pretty_name": data.get("pretty_name"),
        "licenses": sorted({str(v).lower() for v in _as_list(data.get("license"))}),
        "languages": sorted(set(_as_list(data.get("language")))),
        "size_categories": _as_list(data.get("size_categories")),
        "source_datasets": sorted(set(_as_list(data.get("source_datasets")))),
        "generated_by": data.get("generated_by"),
    }


def card_of_ledger(store: Ledger) -> dict[str, Any]:
    """The metadata ``provenance card`` would write for the ledger, normalised like :func:`read_card`'s."""
    from .hf_readme import render_card

    _, meta = render_card(store)
    return {**_normalise(meta.model_dump()), "pretty_name": None, "generated_by": None}


@dataclass
class _Snapshot:
    side: ReleaseSide
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)
    licenses: dict[str, dict[str, Any]] = field(default_factory=dict)
    revocations: dict[str, Revocation] = field(default_factory=dict)
    pii_stamp: str | None = None
    pii_scanned: int = 0
    pii: dict[str, int] = field(default_factory=dict)
    language_stamp: str | None = None
    languages: dict[str, tuple[float, int]] = field(default_factory=dict)
    demographic_stamp: str | None = None
    demographics: dict[tuple[str, str], tuple[float, int] | None] = field(default_factory=dict)
    stamps: dict[str, str] = field(default_factory=dict)


def _snapshot(store: Ledger, path: Path, min_cell_count: int) -> _Snapshot:
    from ..coverage import demographic_coverage, language_coverage

    sources = {
        row["source_id"]: {
            "name": row["name"],
            "license": row["license"],
            "consent_basis": row["consent_basis"],
            "collection_method": row["collection_method"],
            "languages": ", ".join(sorted(row["languages"] or [])) or None,
            "attribution": row["attribution"],
            "records": row["records"],
        }
        for row in store.sql(
            """SELECT s.source_id, s.name, s.license, s.consent_basis, s.collection_method, s.languages,
                      s.attribution, count(r.record_id) AS records
               FROM sources s LEFT JOIN records r USING (source_id) GROUP BY ALL ORDER BY 1"""
        ).to_pylist()
    }
    total, size = store.execute("SELECT count(*), coalesce(sum(n_bytes), 0) FROM records")[0]
    last = store.execute("SELECT scan_id FROM scans WHERE status = 'finished' ORDER BY finished_at DESC LIMIT 1")
    snap = _Snapshot(
        ReleaseSide(
            path=str(path),
            kind="ledger",
            records=total,
            sources=len(sources),
            bytes=size,
            last_scan=last[0][0] if last else None,
        ),
        sources=sources,
    )
    snap.licenses = {m["license"]: m for m in ch.licence_mix(store)}
    for row in store.sql(
        "SELECT event_id, occurred_at, actor, scope_kind, scope_value, reason, records FROM consent_events "
        "WHERE action = 'revoke' ORDER BY occurred_at, event_id"
    ).to_pylist():
        snap.revocations[row["event_id"]] = Revocation(**row)
    pii = ch.pii_rates(store)
    snap.pii_stamp, snap.pii_scanned = pii["stamp"], pii["scanned"]
    snap.pii = {t["label"]: t["records"] for t in pii["types"]}
    lang = language_coverage(store)
    snap.language_stamp = lang.scanner
    snap.languages = {r.language: (r.char_share or 0.0, r.records or 0) for r in lang.languages}
    demo = demographic_coverage(store, min_cell_count=min_cell_count)
    snap.demographic_stamp = demo.scanner
    for axis in demo.axes:
        for g in axis.groups:
            snap.demographics[(axis.axis, g.group)] = (
                (g.record_share or 0.0, g.records) if g.records is not None else None
            )
    for (stamp,) in store.execute("SELECT DISTINCT stamp FROM record_scans ORDER BY 1"):
        name = stamp.split("@", 1)[0]
        if name not in snap.stamps:
            snap.stamps[name] = ch.latest_stamp(store, name) or stamp
    return snap


# ---- comparing -------------------------------------------------------------------------------------------------------


def _restrictive(m: dict[str, Any]) -> list[str]:
    from ..licenses.taxonomy import terms_of_expression

    terms = terms_of_expression(m["license"])
    reasons = {
        Use.non_commercial: ["non-commercial use only"],
        Use.research_only: ["research use only"],
        Use.unknown: ["terms unknown"],
    }.get(terms.use, [])
    if terms.share_alike:
        reasons.append("share-alike")
    if terms.no_derivatives:
        reasons.append("no derivatives")
    named = {
        Restriction.no_ai_training: "no AI training",
        Restriction.use_restrictions: "use restrictions that travel with the data",
        Restriction.no_improving_other_models: "may not improve other models",
        Restriction.computational_use_only: "computational use only",
    }
    reasons += [text for r, text in named.items() if r in terms.restrictions]
    return reasons


def _compare_ledgers(old: _Snapshot, new: _Snapshot, min_cell_count: int) -> ReleaseDiff:
    def summary(sid: str, s: dict[str, Any]) -> SourceSummary:
        return SourceSummary(
            source=sid,
            name=s["name"],
            license=s["license"],
            consent_basis=s["consent_basis"],
            collection_method=s["collection_method"],
            records=s["records"],
        )

    added = [summary(k, v) for k, v in new.sources.items() if k not in old.sources]
    removed = [summary(k, v) for k, v in old.sources.items() if k not in new.sources]
    changed = []
    for sid in sorted(set(old.sources) & set(new.sources)):
        changes = [
            FieldChange(field=f, old=old.sources[sid][f], new=new.sources[sid][f])
            for f in SOURCE_FIELDS
            if old.sources[sid][f] != new.sources[sid][f]
        ]
        if changes:
            changed.append(SourceChange(source=sid, changes=changes))
    per_source = [
        CountDelta(
            key=sid,
            old=(o := old.sources.get(sid, {}).get("records", 0)),
            new=(n := new.sources.get(sid, {}).get("records", 0)),
            delta=n - o,
        )
        for sid in sorted(set(old.sources) | set(new.sources))
    ]
    licenses = []
    for lic in set(old.licenses) | set(new.licenses):
        m = new.licenses.get(lic) or old.licenses[lic]
        o, n = old.licenses.get(lic, {}).get("records", 0), new.licenses.get(lic, {}).get("records", 0)
        licenses.append(
            LicenseDelta(
                license=lic,
                use=m["use"],
                share_alike=m["share_alike"],
                no_derivatives=m["no_derivatives"],
                unknown_terms=m["unknown_terms"],
                old_records=o,
                new_records=n,
                delta=n - o,
                sources=new.licenses.get(lic, {}).get("sources", []),
            )
        )
    licenses.sort(key=lambda d: (-d.new_records, -d.old_records, d.license))
    restrictive = [
        RestrictiveLicense(license=lic, reasons=reasons, sources=m["sources"], records=m["records"])
        for lic, m in sorted(new.licenses.items())
        if lic not in old.licenses and (reasons := _restrictive(m))
    ]
    revocations = [r for eid, r in new.revocations.items() if eid not in old.revocations]
    notes: list[str] = []

    pii: list[RateDelta] = []
    pii_scanned = None
    if old.pii_stamp or new.pii_stamp:
        pii_scanned = CountDelta(
            key="pii", old=old.pii_scanned, new=new.pii_scanned, delta=new.pii_scanned - old.pii_scanned
        )
        for label in sorted(set(old.pii) | set(new.pii)):
            o = old.pii.get(label, 0) / old.pii_scanned if old.pii_stamp and old.pii_scanned else None
            n = new.pii.get(label, 0) / new.pii_scanned if new.pii_stamp and new.pii_scanned else None
            pii.append(
                RateDelta(
                    label=label,
                    old=_r(o),
                    new=_r(n),
                    delta=_r(n - o) if o is not None and n is not None else None,
                    old_records=old.pii.get(label, 0) if old.pii_stamp else None,
                    new_records=new.pii.get(label, 0) if new.pii_stamp else None,
                )
            )
        pii.sort(key=lambda d: (-abs(d.delta or 0), d.label))
        notes += _one_sided("personal data", old.pii_stamp, new.pii_stamp)

    languages: list[RateDelta] = []
    if old.language_stamp or new.language_stamp:
        for lang in set(old.languages) | set(new.languages):
            o = old.languages.get(lang, (0.0, 0)) if old.language_stamp else None
            n = new.languages.get(lang, (0.0, 0)) if new.language_stamp else None
            languages.append(
                RateDelta(
                    label=lang,
                    old=_r(o[0]) if o else None,
                    new=_r(n[0]) if n else None,
                    delta=_r(n[0] - o[0]) if o and n else None,
                    old_records=o[1] if o else None,
                    new_records=n[1] if n else None,
                )
            )
        languages.sort(key=lambda d: (-abs(d.delta or 0), -(d.new or 0), d.label))
        notes += _one_sided("languages", old.language_stamp, new.language_stamp)

    shifts, not_compared = [], 0
    if old.demographic_stamp and new.demographic_stamp:
        for key in sorted(set(old.demographics) | set(new.demographics)):
            o, n = old.demographics.get(key), new.demographics.get(key)
            if o is None or n is None:
                not_compared += 1
                continue
            shifts.append(
                GroupShift(
                    axis=key[0],
                    group=key[1],
                    old_share=o[0],
                    new_share=n[0],
                    change=_r(n[0] - o[0]) or 0.0,
                    old_records=o[1],
                    new_records=n[1],
                )
            )
        shifts.sort(key=lambda s: (-abs(s.change), s.axis, s.group))
    else:
        notes += _one_sided("demographic mentions", old.demographic_stamp, new.demographic_stamp)

    scanners = [
        StampChange(scanner=name, old=old.stamps.get(name), new=new.stamps.get(name))
        for name in sorted(set(old.stamps) | set(new.stamps))
        if old.stamps.get(name) != new.stamps.get(name)
    ]
    if any(s.old and s.new for s in scanners):
        notes.append(
            "Some scanners changed version or configuration between the releases: part of a measured change may "
            "come from the scanner, not the data."
        )
    return ReleaseDiff(
        compared="ledgers",
        old=old.side,
        new=new.side,
        sources_added=added,
        sources_removed=removed,
        sources_changed=changed,
        records_per_source=per_source,
        licenses=licenses,
        new_restrictive_licenses=restrictive,
        consent_revocations=revocations,
        pii_scanned=pii_scanned,
        pii=pii,
        languages=languages,
        demographics=shifts,
        demographics_not_compared=not_compared,
        min_cell_count=min_cell_count,
        scanners=scanners,
        notes=notes,
    )


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 6)


def _one_sided(what: str, old: str | None, new: str | None) -> list[str]:
    if old and not new:
        return [f"{what.capitalize()}: measured in the old release only, so not compared."]
    if new and not old:
        return [f"{what.capitalize()}: measured in the new release only, so not compared."]
    if not old and not new:
        return [f"{what.capitalize()}: measured in neither release."]
    return []


def _compare_cards(old: dict[str, Any], new: dict[str, Any]) -> CardChanges:
    def change(name: str, a: Any, b: Any) -> FieldChange | None:
        return None if a == b else FieldChange(field=name, old=a, new=b)

    def added(key: str) -> list[str]:
        return sorted(set(new[key]) - set(old[key]))

    def removed(key: str) -> list[str]:
        return sorted(set(old[key]) - set(new[key]))

    size = change(
        "size_categories", ", ".join(old["size_categories"]) or None, ", ".join(new["size_categories"]) or None
    )
    return CardChanges(
        pretty_name=change("pretty_name", old["pretty_name"], new["pretty_name"])
        if old["pretty_name"] and new["pretty_name"]
        else None,
        licenses_added=added("licenses"),
        licenses_removed=removed("licenses"),
        languages_added=added("languages"),
        languages_removed=removed("languages"),
        size_category=size if old["size_categories"] and new["size_categories"] else None,
        source_datasets_added=added("source_datasets"),
        source_datasets_removed=removed("source_datasets"),
        generated_by=change("generated_by", old["generated_by"], new["generated_by"])
        if old["generated_by"] and new["generated_by"]
        else None,
    )


CARD_NOTE = (
    "Only card metadata was compared (licence ids, languages, size category, source datasets). Sources, records "
    "per source, consent, licence mix, personal data, language shares, demographic mentions and scanner versions "
    "need the two releases' ledgers: provenance diff OLD.duckdb NEW.duckdb."
)


def diff(old: str | Path, new: str | Path, *, min_cell_count: int = 10) -> ReleaseDiff:
    """What changed from release ``old`` to release ``new``; each is a ledger or a card (told by content)."""
    old, new = Path(old), Path(new)
    kinds = (detect(old), detect(new))
    if kinds == ("ledger", "ledger"):
        with Ledger(old, read_only=True) as a:
            before = _snapshot(a, old, min_cell_count)
        with Ledger(new, read_only=True) as b:
            after = _snapshot(b, new, min_cell_count)
        return _compare_ledgers(before, after, min_cell_count)
    sides, cards = [], []
    for path, kind in zip((old, new), kinds, strict=True):
        if kind == "ledger":
            with Ledger(path, read_only=True) as store:
                snap = _snapshot(store, path, min_cell_count)
                cards.append(card_of_ledger(store))
            sides.append(snap.side)
        else:
            card = read_card(path)
            sides.append(ReleaseSide(path=str(path), kind="card", generated_by=card["generated_by"]))
            cards.append(card)
    notes = [CARD_NOTE]
    if "ledger" in kinds:
        notes.insert(0, "One side is a ledger: its card metadata was derived from it the way provenance card does.")
    return ReleaseDiff(
        compared="cards",
        old=sides[0],
        new=sides[1],
        card=_compare_cards(cards[0], cards[1]),
        min_cell_count=min_cell_count,
        notes=notes,
    )


# ---- the changelog ---------------------------------------------------------------------------------------------------


def _md(value: Any) -> str:
    """Declared or corpus text, escaped as the card's Markdown escapes it (no HTML, no links, no table breaks)."""
    from .hf_readme import md

    return str(md(value))


def _pp(x: float | None) -> str:
    if x is None:
        return "-"
    return f"{x * 100:+.1f} pp"


def _share(x: float | None) -> str:
    return "-" if x is None else f"{x:.1%}"


def _records(n: int) -> str:
    return f"{n:,} record{'s' * (n != 1)}"


def _allows(x: LicenseDelta) -> str:
    flags = [f for f, on in (("share-alike", x.share_alike), ("no derivatives", x.no_derivatives)) if on]
    return ", ".join([ch.USE_NAMES[x.use], *flags])


def _signed(n: int) -> str:
    return f"{n:+,}" if n else "0"


def _render_cards(d: ReleaseDiff) -> list[str]:
    c = d.card or CardChanges()
    lines = []
    for label, plus, minus in (
        ("Licences", c.licenses_added, c.licenses_removed),
        ("Languages", c.languages_added, c.languages_removed),
        ("Source datasets", c.source_datasets_added, c.source_datasets_removed),
    ):
        if plus:
            lines.append(f"- {label} added: {', '.join(f'`{_md(x)}`' for x in plus)}.")
        if minus:
            lines.append(f"- {label} removed: {', '.join(f'`{_md(x)}`' for x in minus)}.")
    for change in (c.size_category, c.pretty_name, c.generated_by):
        if change:
            label = {"size_categories": "Size category", "pretty_name": "Name", "generated_by": "Made by"}[change.field]
            lines.append(f"- {label}: {_md(change.old)} → {_md(change.new)}.")
    return lines or ["- No change in the cards' metadata."]


def render_changelog(d: ReleaseDiff, *, heading: str = "## Changelog", top: int = TOP_CHANGES) -> str:
    """The diff as a Markdown "Changelog" section for the new release's card."""
    old_name = Path(d.old.path).name
    lines = [heading, ""]
    if d.compared == "cards":
        lines += [f"Compared with the previous release's card (`{_md(old_name)}`), from the card metadata:", ""]
        lines += _render_cards(d)
        lines += ["", *(f"_{_md(n)}_" for n in d.notes)]
        return "\n".join(lines).rstrip() + "\n"

    o, n = d.old, d.new
    lines += [
        f"**[measured]** Compared with the previous release (ledger `{_md(old_name)}`): "
        f"{o.records or 0:,} → {n.records or 0:,} records ({_signed((n.records or 0) - (o.records or 0))}), "
        f"{o.sources or 0} → {n.sources or 0} sources.",
    ]
    anything = False

    if d.sources_added or d.sources_removed or d.sources_changed:
        anything = True
        lines += ["", "### Sources", ""]
        for s in d.sources_added:
            lines.append(
                f"- Added **{_md(s.source)}** ({_md(s.name)}): licence {_md(s.license)}, consent basis "
                f"{_md(s.consent_basis)}, {_records(s.records)}."
            )
        for s in d.sources_removed:
            lines.append(f"- Removed **{_md(s.source)}** ({_md(s.name)}, {_md(s.license)}, {_records(s.records)}).")
        for c in d.sources_changed:
            what = "; ".join(
                f"{f.field.replace('_', ' ').replace('license', 'licence')} {_md(f.old or '-')} → {_md(f.new or '-')}"
                for f in c.changes
            )
            lines.append(f"- Changed **{_md(c.source)}**: {what}.")

    moved = [r for r in d.records_per_source if r.delta]
    if moved:
        anything = True
        lines += ["", "### Records per source", "", "| source | before | after | change |", "|---|---:|---:|---:|"]
        lines += [f"| {_md(r.key)} | {r.old:,} | {r.new:,} | {_signed(r.delta)} |" for r in moved]

    lic = [x for x in d.licenses if x.delta]
    if lic or d.new_restrictive_licenses:
        anything = True
        lines += ["", "### Licences", ""]
        for r in d.new_restrictive_licenses:
            lines.append(
                f"- **New restrictive licence {_md(r.license)}** ({', '.join(r.reasons)}): {_records(r.records)} "
                f"from {', '.join(_md(s) for s in r.sources)}."
            )
        if lic:
            if d.new_restrictive_licenses:
                lines.append("")
            lines += ["| licence | allows | before | after | change |", "|---|---|---:|---:|---:|"]
            lines += [
                f"| {_md(x.license)} | {_allows(x)} | {x.old_records:,} | {x.new_records:,} | {_signed(x.delta)} |"
                for x in lic
            ]

    if d.consent_revocations:
        anything = True
        lines += ["", "### Consent revoked since the previous release", ""]
        for r in d.consent_revocations:
            when = f"{r.occurred_at:%Y-%m-%d}" if r.occurred_at else "date unknown"
            recs = f", {_records(r.records)}" if r.records is not None else ""
            why = f": {_md(r.reason)}" if r.reason else ""
            lines.append(f"- {when}: {_md(r.scope_kind)} `{_md(r.scope_value)}`{recs}{why}.")

    pii = [p for p in d.pii if p.delta is None or p.delta != 0 or p.old_records != p.new_records]
    if pii:
        anything = True
        scanned = d.pii_scanned
        lines += [
            "",
            "### Personal data",
            "",
            f"Share of scanned records with at least one finding of each type "
            f"({scanned.old:,} → {scanned.new:,} records scanned)."
            if scanned
            else "",
            "",
            "| type | before | after | change |",
            "|---|---:|---:|---:|",
        ]
        lines += [f"| {_md(p.label)} | {_share(p.old)} | {_share(p.new)} | {_pp(p.delta)} |" for p in pii]

    langs = [x for x in d.languages if x.delta is None or abs(x.delta) >= 0.0005]
    if langs:
        anything = True
        lines += [
            "",
            "### Languages",
            "",
            "Share of characters"
            + (", largest changes first" if all(x.delta is not None for x in langs) else "")
            + (f" (top {top} of {len(langs)})" if len(langs) > top else "")
            + ".",
            "",
            "| language | before | after | change |",
            "|---|---:|---:|---:|",
        ]
        lines += [f"| {_md(x.label)} | {_share(x.old)} | {_share(x.new)} | {_pp(x.delta)} |" for x in langs[:top]]

    shifts = [s for s in d.demographics if abs(s.change) >= 0.0005]
    if shifts or d.demographics_not_compared:
        lines += ["", "### Demographic mentions", ""]
        if shifts:
            anything = True
            lines += [
                "Share of scanned records mentioning each group, largest changes first"
                + (f" (top {top} of {len(shifts)})" if len(shifts) > top else "")
                + ".",
                "",
                "| axis | group | before | after | change |",
                "|---|---|---:|---:|---:|",
            ]
            lines += [
                f"| {_md(s.axis)} | {_md(s.group)} | {_share(s.old_share)} | {_share(s.new_share)} | {_pp(s.change)} |"
                for s in shifts[:top]
            ]
            lines.append("")
        else:
            lines += ["No group's share changed among the groups compared.", ""]
        if d.demographics_not_compared:
            lines.append(
                f"{d.demographics_not_compared} group(s) not compared: under {d.min_cell_count} records in either "
                "release."
            )

    if d.scanners:
        anything = True
        lines += ["", "### Scanners", ""]
        for s in d.scanners:
            if s.old and s.new:
                lines.append(f"- {_md(s.scanner)}: `{_md(s.old)}` → `{_md(s.new)}`.")
            elif s.new:
                lines.append(f"- {_md(s.scanner)}: new, `{_md(s.new)}`.")
            else:
                lines.append(f"- {_md(s.scanner)}: not run on the new release (was `{_md(s.old)}`).")

    if not anything:
        lines += ["", "No change in sources, records, licences, consent, personal data, languages or scanners."]
    if d.notes:
        lines += ["", *(f"_{_md(note)}_" for note in d.notes)]
    return "\n".join(line for line in _squeeze(lines)).rstrip() + "\n"


def _squeeze(lines: list[str]) -> list[str]:
    """Drop repeated blank lines."""
    out: list[str] = []
    for line in lines:
        if line == "" and out and out[-1] == "":
            continue
        out.append(line)
    return out


__all__ = ["card_of_ledger", "detect", "diff", "read_card", "render_changelog"]

"""A first Hugging Face dataset card, every number measured from the ledger.

Each statement says where it comes from: *measured* (by the ledger or a scanner, with its version) or *declared*
(by a person, in the sources manifest). The full card (Croissant, datasheet, charts) builds on this.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml

from .._version import __version__
from ..ledger import Ledger
from ..models import CardMetadata

_SIZE_CATEGORIES = [
    (1_000, "n<1K"),
    (10_000, "1K<n<10K"),
    (100_000, "10K<n<100K"),
    (1_000_000, "100K<n<1M"),
    (10_000_000, "1M<n<10M"),
    (100_000_000, "10M<n<100M"),
    (1_000_000_000, "100M<n<1B"),
    (10_000_000_000, "1B<n<10B"),
    (100_000_000_000, "10B<n<100B"),
    (1_000_000_000_000, "100B<n<1T"),
]


def size_category(n: int) -> str:
    return next((label for limit, label in _SIZE_CATEGORIES if n < limit), "n>1T")


def hf_license_id(spdx: str) -> str:
    """Hugging Face spells SPDX ids in lower case; unknown terms are 'unknown', custom ones 'other'."""
    if spdx == "NOASSERTION":
        return "unknown"
    if "LicenseRef-" in spdx or " " in spdx:
        return "other"
    return spdx.lower()


def _human_bytes(n: float) -> str:
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if n < 1000 or unit == "TB":
            return f"{n:,.0f} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1000
    return f"{n} B"


def _facts(store: Ledger) -> dict[str, Any]:
    per_source = store.sql(
        """SELECT s.source_id, s.name, s.license, s.license_raw, s.consent_basis, s.collection_method,
                  s.languages, s.attribution, s.manifest, s.homepage,
                  count(r.record_id) AS records, coalesce(sum(r.n_bytes), 0) AS bytes,
                  coalesce(sum(r.n_chars), 0) AS chars,
                  (SELECT count(*) FROM files f WHERE f.source_id = s.source_id) AS files,
                  (SELECT count(*) FROM bad_records b WHERE b.source_id = s.source_id) AS bad
           FROM sources s LEFT JOIN records r USING (source_id)
           GROUP BY ALL ORDER BY s.source_id"""
    ).to_pylist()
    licences = store.sql(
        """SELECT coalesce(r.record_license, s.license) AS license,
                  count(*) AS records, string_agg(DISTINCT s.source_id, ', ' ORDER BY s.source_id) AS sources,
                  count(*) FILTER (WHERE r.record_license IS NOT NULL) AS from_record_column
           FROM records r JOIN sources s USING (source_id) GROUP BY 1 ORDER BY records DESC, license"""
    ).to_pylist()
    scans = store.sql(
        "SELECT scan_id, command, status, finished_at, scanners, toolkit_version FROM scans "
        "WHERE status = 'finished' ORDER BY finished_at"
    ).to_pylist()
    quality = store.sql(
        """SELECT label, count(DISTINCT record_id) AS records, any_value(stamp) AS stamp
           FROM findings WHERE kind = 'quality' GROUP BY label ORDER BY label"""
    ).to_pylist()
    pii = store.sql(
        """SELECT label, count(DISTINCT record_id) AS records, any_value(stamp) AS stamp
           FROM findings WHERE scanner = 'pii' GROUP BY label ORDER BY records DESC, label"""
    ).to_pylist()
    pii_scanned = store.scalar("SELECT count(DISTINCT record_id) FROM record_scans WHERE stamp LIKE 'pii@%'")
    pii_gaps = store.scalar(
        """SELECT not_checked FROM scans WHERE status = 'finished' AND list_contains(
               list_transform(scanners, lambda s: split_part(s, '@', 1)), 'pii') ORDER BY finished_at DESC LIMIT 1"""
    )
    return {
        "sources": per_source,
        "licences": licences,
        "scans": scans,
        "quality": quality,
        "pii": pii,
        "pii_scanned": pii_scanned or 0,
        "pii_gaps": [g for g in (pii_gaps or []) if "names" in g],
    }


def _pii_section(facts: dict[str, Any]) -> list[str]:
    scanned = facts["pii_scanned"]
    if not scanned:
        return ["Not measured: no PII scan is recorded in the ledger, so this card makes no claim about personal data."]
    lines = [
        f"**[measured]** The `pii` scanner (pattern tier) read {scanned:,} records. Records with at least one finding, "
        "by type (values are never stored; the ledger keeps keyed hashes):",
        "",
        "| type | records | share of scanned records |",
        "|---|---:|---:|",
    ]
    lines += [f"| {p['label']} | {p['records']:,} | {p['records'] / scanned:.1%} |" for p in facts["pii"]]
    gaps = facts["pii_gaps"]
    lines += [
        "",
        "Not looked for: " + "; ".join(gaps) + "."
        if gaps
        else "Names, places and organisations were looked for with the NER tier (a spaCy pipeline).",
    ]
    return lines


def _model_licences(store: Ledger) -> list[str]:
    """Credits for the models behind the measured languages (fastText's lid.176 is CC-BY-SA-3.0)."""
    import json

    used: set[str] = set()
    for (payload,) in store.execute("SELECT payload FROM scan_partials WHERE scanner = 'language'"):
        used |= {k for k, v in (json.loads(payload).get("backend") or {}).items() if v}
    credits = []
    if any("fasttext" in b or b == "auto" for b in used):
        credits.append(
            "Languages were identified with CLD2 (Apache-2.0) and fastText's lid.176 model (Joulin et al., "
            '"Bag of Tricks for Efficient Text Classification", 2016; model licence CC-BY-SA-3.0).'
        )
    elif any("cld2" in b for b in used):
        credits.append("Languages were identified with CLD2 (Apache-2.0).")
    if any("langdetect" in b for b in used):
        credits.append("Languages were identified with langdetect (Apache-2.0), seeded.")
    return credits


def _coverage_section(store: Ledger) -> list[str]:
    from ..coverage import demographic_coverage, language_coverage

    lines: list[str] = []
    lang = language_coverage(store)
    if lang.scanner is None:
        lines.append("Languages: not measured (no `language` scan is recorded in the ledger).")
    else:
        lines += [
            f"**[measured by {lang.scanner}]** {lang.records:,} records: effective number of languages "
            f"{lang.effective_languages:.2f}, {lang.low_resource_share:.1%} of characters in low-resource languages, "
            f"{lang.mixed_records:,} mixed-language and {lang.unknown_records:,} unidentified records.",
            "",
            "| language | records | share of characters |",
            "|---|---:|---:|",
        ]
        lines += [
            f"| {row.language} | {row.records or 0:,} | {row.char_share or 0:.1%} |" for row in lang.languages[:15]
        ]
        mismatched = [d for d in lang.declared_vs_measured if d.declared_not_found or d.found_not_declared]
        for d in mismatched:
            lines.append(
                f"- {d.source}: declared {', '.join(d.declared) or 'none'}, measured {', '.join(d.measured) or 'none'}."
            )
        lines += ["", *_model_licences(store)]
    demo = demographic_coverage(store)
    lines.append("")
    if demo.scanner is None:
        lines.append("Demographic mentions: not measured (no `demographics` scan is recorded in the ledger).")
        return lines
    lines += [
        f"**[measured by {demo.scanner}]** Records mentioning each axis of demographic description (from the "
        f"HolisticBias and Gender-GAP lexicons, CC BY-SA 4.0; cells under {demo.min_cell_count} records are not "
        "shown). Mentions measure what the text talks about, not who wrote it.",
        "",
        "| axis | records | most mentioned groups | evenness |",
        "|---|---:|---|---:|",
    ]
    for axis in demo.axes:
        shown = sorted((g for g in axis.groups if g.records is not None), key=lambda g: -(g.records or 0))[:4]
        mentioning = (
            f"{axis.records_mentioning:,}" if axis.records_mentioning is not None else f"<{demo.min_cell_count}"
        )
        groups = ", ".join(f"{g.group} ({g.records:,})" for g in shown) or "-"
        even = f"{axis.normalised_entropy:.2f}" if axis.normalised_entropy is not None else "-"
        lines.append(f"| {axis.axis} | {mentioning} | {groups} | {even} |")
    if demo.female_male_ratio is not None:
        lines += ["", f"Gendered words: {demo.female_male_ratio:.2f} feminine per masculine mention."]
    return lines


def card_metadata(facts: dict[str, Any], pretty_name: str) -> CardMetadata:
    total = sum(s["records"] for s in facts["sources"])
    ids = sorted({hf_license_id(lic["license"]) for lic in facts["licences"]} or {"unknown"})
    languages = sorted({lang for s in facts["sources"] for lang in (s["languages"] or [])})
    other = [lic["license"] for lic in facts["licences"] if hf_license_id(lic["license"]) == "other"]
    return CardMetadata(
        pretty_name=pretty_name,
        license=ids[0] if len(ids) == 1 else ids,
        license_name="custom or combined terms" if other else None,
        license_details=("; ".join(other)) if other else None,
        language=languages,
        size_categories=[size_category(total)],
        generated_by=f"provenance-toolkit {__version__}",
    )


def render_card(store: Ledger, pretty_name: str = "Dataset") -> tuple[str, CardMetadata]:
    facts = _facts(store)
    meta = card_metadata(facts, pretty_name)
    total_records = sum(s["records"] for s in facts["sources"])
    total_bytes = sum(s["bytes"] for s in facts["sources"])
    last = facts["scans"][-1] if facts["scans"] else None
    lines = [
        "---",
        yaml.safe_dump(meta.model_dump(exclude_none=True), sort_keys=False, allow_unicode=True).rstrip(),
        "---",
        "",
        f"# Dataset card for {pretty_name}",
        "",
        "Statements are marked **[measured]** (counted from the provenance ledger) or **[declared]** (written by "
        "the dataset's curators in the sources manifest).",
        "",
        "## Dataset summary",
        "",
        f"- **[measured]** {total_records:,} distinct records, {_human_bytes(total_bytes)} of normalised UTF-8 text, "
        f"from {len(facts['sources'])} sources.",
        f"- **[declared]** Languages: {', '.join(meta.language) or 'none declared'} (declared by the sources; "
        "measured languages are under *Languages and representation*).",
        "",
        "## Sources",
        "",
        "| source | licence [declared] | consent basis [declared] | collection [declared] | records [measured] "
        "| size [measured] | files [measured] | unreadable lines [measured] |",
        "|---|---|---|---|---:|---:|---:|---:|",
    ]
    for s in facts["sources"]:
        lines.append(
            f"| {s['source_id']} ({s['name']}) | {s['license']} | {s['consent_basis']} | {s['collection_method']} "
            f"| {s['records']:,} | {_human_bytes(s['bytes'])} | {s['files']:,} | {s['bad']:,} |"
        )
    lines += [
        "",
        "## Licensing",
        "",
        "The licence that applies to each record: its own licence column where the data has one, else its "
        "source's. **[measured]** over the ledger's records.",
        "",
        "| licence (SPDX) | records | sources | from a per-record column |",
        "|---|---:|---|---:|",
    ]
    for lic in facts["licences"]:
        lines.append(f"| {lic['license']} | {lic['records']:,} | {lic['sources']} | {lic['from_record_column']:,} |")
    attributions = [s for s in facts["sources"] if s["attribution"]]
    if attributions:
        lines += ["", "Attributions **[declared]**:", ""]
        lines += [f"- {s['source_id']}: {s['attribution']}" for s in attributions]
    if facts["quality"]:
        lines += ["", "## Data quality", ""]
        for q in facts["quality"]:
            lines.append(f"- **[measured by {q['stamp']}]** {q['records']:,} records flagged `{q['label']}`.")
    lines += [
        "",
        "## Languages and representation",
        "",
        *_coverage_section(store),
        "",
        "## Personal and sensitive information",
        "",
        *_pii_section(facts),
        "",
        "## How this card was made",
        "",
        f"Generated by provenance-toolkit {__version__} on {dt.date.today().isoformat()} from the ledger "
        f"`{store.path.name}`.",
    ]
    if last:
        lines.append(
            f"Last finished scan: `{last['scan_id']}` ({last['command']}), scanners: "
            f"{', '.join(last['scanners']) or 'none (ingest only)'}."
        )
    manifests = sorted({s["manifest"] for s in facts["sources"] if s["manifest"]})
    if manifests:
        lines.append(f"Declared facts come from: {', '.join(Path(m).name for m in manifests)}.")
    return "\n".join(lines) + "\n", meta


def write_card(ledger: str | Path | Ledger, output: str | Path, *, pretty_name: str = "Dataset") -> Path:
    """Write ``README.md`` (the card) into the folder ``output``; returns its path."""
    out = Path(output)
    out.mkdir(parents=True, exist_ok=True)
    if isinstance(ledger, Ledger):
        text, _ = render_card(ledger, pretty_name)
    else:
        with Ledger(ledger, read_only=True) as store:
            text, _ = render_card(store, pretty_name)
    target = out / "README.md"
    target.write_text(text, encoding="utf-8")
    return target

"""Language and demographic coverage of a ledger's records, from the findings of the language and demographics
scanners.

Figures are computed in DuckDB over the per-record findings, so any subset of the records can be measured the same
way: the records a training run consumed, or any SQL condition on ``records`` (e.g. what a filter kept), and
compared with another subset to show what a filter changed. Denominators are the records the scanner actually
scanned (``record_scans``), not every record in the ledger. Demographic cells below ``min_cell_count`` records are
suppressed (shown as None), so a table never singles out a handful of records.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path

from ..errors import InputError
from ..memo import memo_on_read_only
from ..models.coverage import (
    AxisCoverage,
    CoverageReport,
    DeclaredLanguages,
    DemographicCoverage,
    GroupRow,
    LanguageCoverage,
    LanguageRow,
)
from .stats import effective_number, normalised_entropy, suppressed

# High-resource languages: classes 4 and 5 of Joshi et al., "The State and Fate of Linguistic Diversity and
# Inclusion in the NLP World" (ACL 2020), as ISO 639-3 codes (macrolanguages and their main member both listed).
# Every other language counts as low-resource.
HIGH_RESOURCE = frozenset(
    "eng spa deu jpn fra ara arb zho cmn rus hun vie nld kor ita por pol swe ces fin hin fas pes tur cat hbs srp hrv "
    "bos ron ell heb dan nor nob ukr bul ind msa zsm tha".split()
)
MEASURED_SHARE = 0.05  # a language holding this share of a source's characters counts as measured in it


def _scope(subset: str | None) -> tuple[str, list]:
    """SQL selecting the records in scope, with its parameters: all, a run's (``run:ID``), or a condition."""
    if not subset:
        return "SELECT record_id, source_id, n_chars FROM records", []
    if subset.startswith("run:"):
        return (
            "SELECT record_id, source_id, n_chars FROM records "
            "WHERE record_id IN (SELECT record_id FROM run_records WHERE run_id = ?)",
            [subset[4:]],
        )
    return f"SELECT record_id, source_id, n_chars FROM records r WHERE {subset}", []


def _latest_stamp(store, scanner: str) -> str | None:
    rows = store.execute(
        "SELECT rs.stamp FROM record_scans rs JOIN scans s USING (scan_id) WHERE rs.stamp LIKE ? "
        "GROUP BY rs.stamp ORDER BY max(s.started_at) DESC LIMIT 1",
        [f"{scanner}@%"],
    )
    return rows[0][0] if rows else None


def _primary(tag: str) -> str:
    return tag.split("-")[0].lower()


@memo_on_read_only
def language_coverage(store, subset: str | None = None, targets: Mapping[str, float] | None = None) -> LanguageCoverage:
    stamp = _latest_stamp(store, "language")
    if stamp is None:
        return LanguageCoverage()
    scope, params = _scope(subset)
    scanned = (
        f"WITH scope AS ({scope}), scanned AS "
        "(SELECT s.* FROM scope s JOIN record_scans rs USING (record_id) WHERE rs.stamp = ?)"
    )
    params = [*params, stamp]
    records, chars = store.execute(f"{scanned} SELECT count(*), coalesce(sum(n_chars), 0) FROM scanned", params)[0]
    rows = store.execute(
        f"{scanned} SELECT f.label, any_value(json_extract_string(f.detail, '$.iso639_3')), "
        "  count(DISTINCT f.record_id), "
        "  sum(coalesce(TRY_CAST(json_extract_string(f.detail, '$.share') AS DOUBLE), 1.0) * s.n_chars) "
        "FROM findings f JOIN scanned s USING (record_id) WHERE f.scanner = 'language' AND f.stamp = ? "
        "GROUP BY 1 ORDER BY 4 DESC, 1",
        [*params, stamp],
    )
    mixed = store.execute(
        f"{scanned} SELECT count(*) FROM (SELECT f.record_id FROM findings f JOIN scanned s USING (record_id) "
        "WHERE f.scanner = 'language' AND f.stamp = ? AND f.label <> 'und' GROUP BY 1 HAVING count(*) > 1)",
        [*params, stamp],
    )[0][0]
    targets = {_primary(k): v for k, v in (targets or {}).items()}
    out_rows, known_chars, low_chars = [], {}, 0.0
    for label, iso, n, c in rows:
        c = round(c or 0)
        low = label != "und" and (iso or "") not in HIGH_RESOURCE
        char_share = c / chars if chars else 0.0
        target = targets.get(_primary(label)) if label != "und" else None
        out_rows.append(
            LanguageRow(
                language=label,
                iso639_3=iso,
                records=n,
                record_share=round(n / records, 6) if records else 0.0,
                chars=c,
                char_share=round(char_share, 6),
                low_resource=low,
                target_share=target,
                gap=round(char_share - target, 6) if target is not None else None,
            )
        )
        if label != "und":
            known_chars[label] = c
            low_chars += c if low else 0
    measured_primaries = {_primary(r.language) for r in out_rows}
    for lang, target in sorted(targets.items()):
        if lang not in measured_primaries:
            out_rows.append(
                LanguageRow(language=lang, records=0, chars=0, char_share=0.0, target_share=target, gap=-target)
            )
    return LanguageCoverage(
        scanner=stamp,
        records=records,
        chars=chars,
        languages=out_rows,
        effective_languages=round(effective_number(known_chars), 4),
        low_resource_share=round(low_chars / chars, 6) if chars else 0.0,
        mixed_records=mixed,
        unknown_records=next((r.records or 0 for r in out_rows if r.language == "und"), 0),
        declared_vs_measured=_declared(store, scanned, params, stamp),
    )


def _declared(store, scanned: str, params: list, stamp: str) -> list[DeclaredLanguages]:
    per_source: dict[str, dict[str, float]] = defaultdict(dict)
    totals: dict[str, float] = defaultdict(float)
    for source, label, c in store.execute(
        f"{scanned} SELECT s.source_id, f.label, "
        "  sum(coalesce(TRY_CAST(json_extract_string(f.detail, '$.share') AS DOUBLE), 1.0) * s.n_chars) "
        "FROM findings f JOIN scanned s USING (record_id) WHERE f.scanner = 'language' AND f.stamp = ? GROUP BY 1, 2",
        [*params, stamp],
    ):
        totals[source] += c or 0
        if label != "und":
            per_source[source][label] = c or 0
    out = []
    for source, declared in store.execute("SELECT source_id, languages FROM sources ORDER BY 1"):
        if source not in totals:
            continue
        measured = sorted(
            k for k, v in per_source[source].items() if totals[source] and v / totals[source] >= MEASURED_SHARE
        )
        declared = sorted(declared or [])
        d, m = {_primary(x) for x in declared}, {_primary(x) for x in measured}
        out.append(
            DeclaredLanguages(
                source=source,
                declared=declared,
                measured=measured,
                declared_not_found=sorted(x for x in declared if _primary(x) not in m),
                found_not_declared=sorted(x for x in measured if _primary(x) not in d) if declared else [],
            )
        )
    return out


@memo_on_read_only
def demographic_coverage(
    store,
    subset: str | None = None,
    *,
    min_cell_count: int = 10,
    reference: Mapping[str, Mapping[str, float]] | None = None,
    compare: str | None = None,
) -> DemographicCoverage:
    stamp = _latest_stamp(store, "demographics")
    if stamp is None:
        return DemographicCoverage(min_cell_count=min_cell_count)
    counts, mentions, axis_records, records, metadata = _demographic_counts(store, subset, stamp)
    before = None
    if compare is not None:
        b_counts, _, _, b_records, _ = _demographic_counts(store, compare or None, stamp)
        before = (
            {axis: {g: n / b_records for g, n in groups.items()} for axis, groups in b_counts.items()}
            if b_records
            else {}
        )
    axes = []
    for axis in sorted(set(counts) | set(before or {})):
        groups = counts.get(axis, {})
        rows, hidden = [], 0
        for group in sorted(set(groups) | set((before or {}).get(axis, {}))):
            n = groups.get(group, 0)
            shown = suppressed(n, min_cell_count)
            hidden += shown is None and n > 0
            share = n / records if records else 0.0
            ref = (reference or {}).get(axis, {}).get(group)
            prior = (before or {}).get(axis, {}).get(group, 0.0) if before is not None else None
            rows.append(
                GroupRow(
                    group=group,
                    records=shown,
                    record_share=round(share, 6) if shown is not None else None,
                    mentions=mentions[axis].get(group) if shown is not None else None,
                    reference_share=ref,
                    gap=round(share - ref, 6) if ref is not None and shown is not None else None,
                    before_share=round(prior, 6) if prior is not None and shown is not None else None,
                    change=round(share - prior, 6) if prior is not None and shown is not None else None,
                )
            )
        axes.append(
            AxisCoverage(
                axis=axis,
                records_mentioning=suppressed(axis_records.get(axis, 0), min_cell_count),
                groups=rows,
                normalised_entropy=(round(e, 4) if (e := normalised_entropy(groups)) is not None else None),
                suppressed_groups=hidden,
            )
        )
    gender = mentions.get("gender_and_sex", {})
    fem, masc = gender.get("feminine"), gender.get("masculine")
    return DemographicCoverage(
        scanner=stamp,
        records=records,
        min_cell_count=min_cell_count,
        axes=axes,
        feminine_mentions=fem,
        masculine_mentions=masc,
        female_male_ratio=round(fem / masc, 4) if fem and masc else None,
        metadata={
            axis: {value: suppressed(n, min_cell_count) for value, n in sorted(values.items())}
            for axis, values in sorted(metadata.items())
        },
    )


def _demographic_counts(store, subset: str | None, stamp: str):
    scope, params = _scope(subset)
    scanned = (
        f"WITH scope AS ({scope}), scanned AS "
        "(SELECT s.* FROM scope s JOIN record_scans rs USING (record_id) WHERE rs.stamp = ?)"
    )
    params = [*params, stamp]
    records = store.execute(f"{scanned} SELECT count(*) FROM scanned", params)[0][0]
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    mentions: dict[str, dict[str, int]] = defaultdict(dict)
    metadata: dict[str, dict[str, int]] = defaultdict(dict)
    for label, origin, n, total in store.execute(
        f"{scanned} SELECT f.label, coalesce(json_extract_string(f.detail, '$.source'), 'text'), "
        "  count(DISTINCT f.record_id), sum(coalesce(f.score, 1)) "
        "FROM findings f JOIN scanned s USING (record_id) WHERE f.scanner = 'demographics' AND f.stamp = ? "
        "GROUP BY 1, 2",
        [*params, stamp],
    ):
        axis, _, group = label.partition(":")
        if origin == "metadata":
            metadata[axis][group] = n
        else:
            counts[axis][group] = n
            mentions[axis][group] = int(total or 0)
    axis_records = dict(
        store.execute(
            f"{scanned} SELECT split_part(f.label, ':', 1), count(DISTINCT f.record_id) "
            "FROM findings f JOIN scanned s USING (record_id) WHERE f.scanner = 'demographics' AND f.stamp = ? "
            "AND coalesce(json_extract_string(f.detail, '$.source'), 'text') = 'text' GROUP BY 1",
            [*params, stamp],
        )
    )
    return counts, mentions, axis_records, records, metadata


def coverage(
    ledger: str | Path,
    *,
    subset: str | None = None,
    compare: str | None = None,
    language_targets: Mapping[str, float] | None = None,
    reference: Mapping[str, Mapping[str, float]] | None = None,
    min_cell_count: int = 10,
) -> CoverageReport:
    """Language and demographic coverage of the ledger's records, or of ``subset`` (``run:ID`` or a SQL condition
    on ``records r``); ``compare`` ("" for all records, or another subset) adds before/after shares per group."""
    import duckdb

    from ..ledger import Ledger

    with Ledger(ledger, read_only=True) as store:
        try:
            language = language_coverage(store, subset, language_targets)
            demographics = demographic_coverage(
                store, subset, min_cell_count=min_cell_count, reference=reference, compare=compare
            )
        except duckdb.Error as exc:  # the subset condition is the user's SQL
            raise InputError(
                f"cannot measure the subset '{subset or compare}': {str(exc).splitlines()[0]}",
                hint="give run:RUN_ID or a SQL condition on records r, e.g. \"r.source_id <> 'web'\"",
            ) from None
    return CoverageReport(subset=subset, compared_with=compare, language=language, demographics=demographics)


def load_reference(path: str | Path) -> dict[str, dict[str, float]]:
    """A reference distribution: JSON or YAML ``{axis: {group: share}}``."""
    import yaml

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(
            f"{path}: cannot read the reference distribution ({exc})", hint="write {axis: {group: share}}"
        ) from None
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise InputError(f"{path}: a reference distribution is {{axis: {{group: share}}}}", hint="see the README")
    return {str(a): {str(g): float(s) for g, s in v.items()} for a, v in data.items()}


__all__ = ["HIGH_RESOURCE", "coverage", "demographic_coverage", "language_coverage", "load_reference"]

"""Whether a mixture of licences allows an intended use: each rule, on real ledgers built from manifests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import provenance
from provenance import Purpose

COMMERCIAL_RELEASE = Purpose(commercial=True, train=True, release=True)
COMMERCIAL_TRAINING = Purpose(commercial=True, train=True, release=False)
RESEARCH_TRAINING = Purpose(commercial=False, train=True, release=False)


def ledger_of(tmp_path: Path, *sources: tuple[str, str], record_licenses: dict[str, list] | None = None) -> Path:
    """A ledger with one source per (id, licence), each of three records; ``record_licenses`` adds a licence column."""
    lines = ["version: 1", "sources:"]
    for source_id, license in sources:
        rows = []
        for i in range(3):
            row = {"text": f"record {i} of {source_id}"}
            if record_licenses and source_id in record_licenses:
                row["license"] = record_licenses[source_id][i]
            rows.append(json.dumps(row))
        (tmp_path / f"{source_id}.jsonl").write_text("\n".join(rows) + "\n")
        lines += [
            f"  - id: {source_id}",
            f"    name: Source {source_id}",
            f"    license: '{license}'",
            f"    attribution: 'Credit {source_id}'",
            "    consent_basis: licence_grant",
            "    collection_method: web_scraping",
            "    data:",
            f"      - path: {source_id}.jsonl",
        ]
        if record_licenses and source_id in record_licenses:
            lines.append("        license_field: license")
    (tmp_path / "sources.yaml").write_text("\n".join(lines) + "\n")
    provenance.ingest(tmp_path, tmp_path / "l.duckdb")
    return tmp_path / "l.duckdb"


def rules(report, severity: str) -> dict[str, list]:
    out: dict[str, list] = {}
    for c in report.conclusions:
        if c.severity.value == severity:
            out.setdefault(c.rule, []).append(c)
    return out


def test_two_share_alike_licences_conflict_on_release(tmp_path: Path) -> None:
    ledger = ledger_of(tmp_path, ("wiki", "CC-BY-SA-4.0"), ("notes", "CC-BY-NC-SA-4.0"))
    report = provenance.check_licenses(ledger, COMMERCIAL_RELEASE)
    assert not report.usable
    (conflict,) = [c for c in rules(report, "blocker")["share-alike"] if "conflict" in c.message]
    assert conflict.sources == ["notes", "wiki"]
    assert conflict.licenses == ["CC-BY-NC-SA-4.0", "CC-BY-SA-4.0"]
    assert conflict.records == 6 and len(conflict.example_records) == 3
    assert [c.sources for c in rules(report, "blocker")["use"]] == [["notes"]]  # NC in a commercial use


def test_share_alike_versions_that_can_be_relicensed_are_an_obligation(tmp_path: Path) -> None:
    ledger = ledger_of(tmp_path, ("old", "CC-BY-SA-3.0"), ("new", "CC-BY-SA-4.0"), ("mit", "MIT"))
    report = provenance.check_licenses(ledger, COMMERCIAL_RELEASE)
    assert report.usable, report.conclusions
    (share_alike,) = rules(report, "obligation")["share-alike"]
    assert "must be licensed under CC-BY-SA-4.0" in share_alike.message
    assert share_alike.sources == ["new", "old"]


def test_share_alike_cannot_take_a_non_commercial_source(tmp_path: Path) -> None:
    ledger = ledger_of(tmp_path, ("wiki", "CC-BY-SA-4.0"), ("shop", "CC-BY-NC-4.0"))
    report = provenance.check_licenses(ledger, Purpose(commercial=False, release=True))
    blockers = rules(report, "blocker")
    assert list(blockers) == ["share-alike"]  # non-commercial research is fine, releasing the mix is not
    assert blockers["share-alike"][0].sources == ["shop", "wiki"]


def test_no_derivatives_blocks_a_release_and_warns_for_training(tmp_path: Path) -> None:
    ledger = ledger_of(tmp_path, ("essays", "CC-BY-ND-4.0"), ("code", "MIT"))
    release = provenance.check_licenses(ledger, COMMERCIAL_RELEASE)
    assert [c.sources for c in rules(release, "blocker")["no-derivatives"]] == [["essays"]]
    training = provenance.check_licenses(ledger, COMMERCIAL_TRAINING)
    assert training.usable and "no-derivatives" in rules(training, "warning")


def test_non_commercial_and_research_only_licences_block_commercial_use_only(tmp_path: Path) -> None:
    ledger = ledger_of(tmp_path, ("shop", "CC-BY-NC-4.0"), ("lab", "LicenseRef-AcademicResearchOnly"))
    commercial = provenance.check_licenses(ledger, COMMERCIAL_TRAINING)
    assert sorted(c.sources[0] for c in rules(commercial, "blocker")["use"]) == ["lab", "shop"]
    assert commercial.most_restrictive_use.value == "research-only"
    assert provenance.check_licenses(ledger, RESEARCH_TRAINING).usable


def test_unknown_licences_block_commercial_use_and_custom_terms_are_flagged(tmp_path: Path) -> None:
    ledger = ledger_of(tmp_path, ("web", "unknown"), ("wire", "LicenseRef-Wire-Subscription"))
    commercial = provenance.check_licenses(ledger, COMMERCIAL_TRAINING)
    assert [c.sources for c in rules(commercial, "blocker")["unknown-licence"]] == [["web"]]
    assert [c.sources for c in rules(commercial, "warning")["unknown-licence"]] == [["wire"]]
    research = provenance.check_licenses(ledger, RESEARCH_TRAINING)
    assert research.usable and len(rules(research, "warning")["unknown-licence"]) == 2


def test_no_ai_training_terms_block_training(tmp_path: Path) -> None:
    ledger = ledger_of(tmp_path, ("site", "LicenseRef-NoAITraining"))
    report = provenance.check_licenses(ledger, RESEARCH_TRAINING)
    assert [c.sources for c in rules(report, "blocker")["no-ai-training"]] == [["site"]]


def test_records_stricter_than_their_source_are_named(tmp_path: Path) -> None:
    ledger = ledger_of(tmp_path, ("code", "MIT"), record_licenses={"code": ["MIT", "GPL-3.0-only", "CC-BY-NC-4.0"]})
    report = provenance.check_licenses(ledger, COMMERCIAL_TRAINING)
    conflicts = rules(report, "warning")["record-licence"]
    assert sorted(c.licenses[0] for c in conflicts) == ["CC-BY-NC-4.0", "GPL-3.0-only"]
    assert all(c.records == 1 and len(c.example_records) == 1 for c in conflicts)
    assert [c.licenses for c in rules(report, "blocker")["use"]] == [["CC-BY-NC-4.0"]]  # the record's licence rules


def test_attributions_list_every_source_that_asks_for_credit(tmp_path: Path) -> None:
    ledger = ledger_of(tmp_path, ("a", "CC-BY-4.0"), ("b", "CC0-1.0"), ("c", "MIT OR Apache-2.0"))
    report = provenance.check_licenses(ledger, COMMERCIAL_RELEASE)
    assert report.usable
    assert [(a.source, a.credit, a.records) for a in report.attributions] == [
        ("a", "Credit a", 3),
        ("c", "Credit c", 3),
    ]


def test_the_command_line_explains_the_sample_corpus(sample_data: Path, tmp_path: Path, run_cli) -> None:
    ledger = tmp_path / "s.duckdb"
    assert run_cli("ingest", sample_data, "--ledger", ledger, "-q")[0] == 0
    code, out, err = run_cli("licenses", "--ledger", ledger, "--release", "--format", "json")
    assert code == 0, err
    report = provenance.MixtureReport.model_validate_json(out)
    assert not report.usable
    blockers = {(c.rule, tuple(c.sources)) for c in report.conclusions if c.severity.value == "blocker"}
    assert ("use", ("reviews",)) in blockers  # CC-BY-NC-4.0
    assert ("unknown-licence", ("crawl", "scraped", "web")) in blockers
    assert any(rule == "share-alike" and "reviews" in sources for rule, sources in blockers)
    warnings = {(c.rule, c.licenses[0]) for c in report.conclusions if c.severity.value == "warning"}
    assert ("record-licence", "LicenseRef-Proprietary") in warnings  # code-0008
    code, out, _ = run_cli("licenses", "--ledger", ledger, "--non-commercial")
    assert code == 0 and "usable for non-commercial research model training" in out
    assert "attributions the release must carry" in out


@pytest.mark.parametrize("flag", ["--release", "--no-train"])
def test_every_conclusion_names_its_sources(sample_data: Path, tmp_path: Path, flag: str) -> None:
    ledger = tmp_path / "s.duckdb"
    provenance.ingest(sample_data, ledger)
    report = provenance.check_licenses(ledger, Purpose(release=flag == "--release", train=flag != "--no-train"))
    assert report.conclusions
    assert all(c.sources and c.records > 0 for c in report.conclusions)

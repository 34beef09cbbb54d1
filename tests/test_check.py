"""Release gates (``provenance.policy.check``): each rule on small ledgers built from manifests, the shipped example
policies on the sample corpus, and the CI files that run the check."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

import provenance
from conftest import expected_record_id, read_corpus_independently, source_entry, write_manifest_file
from provenance import Ledger, Policy
from provenance.models.check import CheckReport
from provenance.policy import check, parse_expression, report_lines

SCANNERS = ["textstats", "pii", "ip", "language", "demographics"]


# ---- helpers ---------------------------------------------------------------------------------------------------------
def corpus(folder: Path, *sources: dict[str, Any]) -> Path:
    """A manifest of sources, each ``{"id", "texts", "license"?, "consent_basis"?, "record_licenses"?}``."""
    folder.mkdir(parents=True, exist_ok=True)
    entries = []
    for s in sources:
        rows = []
        for i, text in enumerate(s["texts"]):
            row = {"text": text}
            if "record_licenses" in s:
                row["license"] = s["record_licenses"][i]
            rows.append(json.dumps(row))
        (folder / f"{s['id']}.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")
        data: dict[str, Any] = {"path": f"{s['id']}.jsonl", "format": "jsonl"}
        if "record_licenses" in s:
            data["license_field"] = "license"
        declared = {k: s[k] for k in ("license", "consent_basis") if k in s}
        entries.append(source_entry(s["id"], [data], **declared))
    return write_manifest_file(folder, entries)


def plain(source_id: str, n: int = 3, **declared: Any) -> dict[str, Any]:
    return {"id": source_id, "texts": [f"record {i} of {source_id}" for i in range(n)], **declared}


def ledger_of(tmp_path: Path, *sources: dict[str, Any], scanners: list[str] | None = None) -> Path:
    manifest = corpus(tmp_path / "corpus", *sources)
    path = tmp_path / "l.duckdb"
    provenance.scan(manifest, path, scanners=scanners or [])
    return path


def by_rule(report: CheckReport, severity: str | None = None) -> dict[tuple[str, str | None], Any]:
    return {(v.rule, v.subject): v for v in report.violations if severity is None or v.severity.value == severity}


def ids(source_id: str, texts: list[str]) -> set[str]:
    return {expected_record_id(source_id, t) for t in texts}


EMAILS = [
    "Please write to jane.doe@example.com about the order before Friday.",
    "The weather was mild and the river ran slowly past the old mill.",
    "Contact bob.smith@example.org for the minutes of the last meeting.",
    "Nothing personal here, only a note about the garden and its roses.",
]


# ---- licences --------------------------------------------------------------------------------------------------------
def test_intended_use_turns_mixture_blockers_into_errors_and_keeps_warnings(tmp_path: Path) -> None:
    ledger = ledger_of(tmp_path, plain("shop", license="CC-BY-NC-4.0"), plain("code", license="MIT"))
    commercial = check(ledger, {"intended_use": "commercial"})
    assert not commercial.passed and commercial.exit_code == 1
    use = by_rule(commercial, "error")[("intended_use", "use")]
    assert use.sources == ["shop"] and use.records == 3 and use.licenses == ["CC-BY-NC-4.0"]
    assert set(use.example_records) == ids("shop", [f"record {i} of shop" for i in range(3)])
    research = check(ledger, {"intended_use": "research"})
    assert research.passed and research.exit_code == 0 and research.violations == []
    assert "non-commercial" in research.intended_use


def test_release_adds_the_share_alike_conflict(tmp_path: Path) -> None:
    ledger = ledger_of(tmp_path, plain("wiki", license="CC-BY-SA-4.0"), plain("notes", license="CC-BY-NC-SA-4.0"))
    training = check(ledger, {"intended_use": "non_commercial"})
    assert training.passed
    assert ("intended_use", "share-alike") in by_rule(training, "warning")
    release = check(ledger, {"intended_use": "non_commercial", "release_dataset": True})
    conflict = by_rule(release, "error")[("intended_use", "share-alike")]
    assert conflict.sources == ["notes", "wiki"] and conflict.records == 6


def test_license_rules_as_warnings_downgrade_a_blocker_and_must_name_real_rules(tmp_path: Path) -> None:
    ledger = ledger_of(tmp_path, plain("site", license="LicenseRef-NoAITraining"))
    assert by_rule(check(ledger, {"intended_use": "research"}), "error")[("intended_use", "no-ai-training")]
    relaxed = check(ledger, {"intended_use": "research", "license_rules_as_warnings": ["no-ai-training"]})
    assert relaxed.passed
    assert "license_rules_as_warnings" in by_rule(relaxed, "warning")[("intended_use", "no-ai-training")].message
    with pytest.raises(provenance.InputError, match="no-such-rule"):
        check(ledger, {"license_rules_as_warnings": ["no-such-rule"]})


def test_unknown_licences_fail_unless_allowed(tmp_path: Path) -> None:
    ledger = ledger_of(
        tmp_path,
        plain("web", license="unknown"),
        plain("ours", license="our own terms v2"),  # free text: LicenseRef-custom-...
        plain("hub", license="other"),  # Hugging Face 'other': LicenseRef-other
        plain("wire", license="LicenseRef-Wire-Subscription"),
        plain("code", license="MIT"),
    )
    report = check(ledger, {"intended_use": "research"})
    unknown = {v.sources[0]: v for v in report.errors if v.rule == "allow_unknown_license"}
    assert sorted(unknown) == ["hub", "ours", "web", "wire"]
    assert unknown["web"].subject == "NOASSERTION" and unknown["web"].records == 3
    assert unknown["ours"].subject.startswith("LicenseRef-custom-")
    assert unknown["hub"].subject == "LicenseRef-other"
    # not reported twice: the mixture's own unknown-licence conclusions give way to the policy's rule
    assert not [v for v in report.violations if v.subject == "unknown-licence"]

    allowed = check(ledger, {"intended_use": "commercial", "allow_unknown_license": True})
    assert allowed.passed, report_lines(allowed)
    assert {v.sources[0] for v in allowed.warnings if v.subject == "unknown-licence"} >= {"web", "wire"}
    # an id the policy allows explicitly counts as known
    listed = check(
        ledger,
        {"intended_use": "research", "allow_licenses": ["MIT", "LicenseRef-Wire-Subscription", "LicenseRef-other"]},
    )
    assert sorted(v.sources[0] for v in listed.errors if v.rule == "allow_unknown_license") == ["ours", "web"]


def test_deny_licences_inside_expressions(tmp_path: Path) -> None:
    licences = ["MIT AND CC-BY-NC-4.0", "MIT OR CC-BY-NC-4.0", "CC-BY-NC-4.0 OR CC-BY-NC-SA-4.0", "Apache-2.0"]
    texts = [f"code snippet {i}" for i in range(4)]
    ledger = ledger_of(tmp_path, {"id": "code", "texts": texts, "license": "MIT", "record_licenses": licences})
    report = check(ledger, {"intended_use": "research", "deny_licenses": ["cc-by-nc-4.0"]})
    denied = [v for v in report.errors if v.rule == "deny_licenses"]
    assert [v.licenses for v in denied] == [["MIT AND CC-BY-NC-4.0"]]  # the OR leaves a choice; the AND does not
    assert denied[0].subject == "CC-BY-NC-4.0" and denied[0].records == 1
    assert denied[0].example_records == [expected_record_id("code", texts[0])]
    globbed = check(ledger, {"intended_use": "research", "deny_licenses": ["CC-BY-NC-*"]})
    assert sorted(v.licenses[0] for v in globbed.errors if v.rule == "deny_licenses") == [
        "CC-BY-NC-4.0 OR CC-BY-NC-SA-4.0",
        "MIT AND CC-BY-NC-4.0",
    ]


def test_allow_licences_inside_expressions(tmp_path: Path) -> None:
    licences = ["MIT OR GPL-3.0-only", "MIT AND GPL-3.0-only", "CC0-1.0", "Apache-2.0", "NOASSERTION"]
    texts = [f"code snippet {i}" for i in range(5)]
    ledger = ledger_of(tmp_path, {"id": "code", "texts": texts, "license": "MIT", "record_licenses": licences})
    report = check(
        ledger, {"intended_use": "research", "allow_licenses": ["MIT", "Apache-2.0"], "allow_unknown_license": True}
    )
    refused = {v.licenses[0]: v for v in report.errors if v.rule == "allow_licenses"}
    assert sorted(refused) == ["CC0-1.0", "MIT AND GPL-3.0-only"]  # unknown licences are allow_unknown_license's
    assert refused["MIT AND GPL-3.0-only"].subject == "GPL-3.0-only"
    assert refused["CC0-1.0"].example_records == [expected_record_id("code", texts[2])]


def test_parse_expression() -> None:
    assert parse_expression("MIT") == ("id", "MIT", None)
    assert parse_expression("MIT OR Apache-2.0 AND BSD-3-Clause") == (
        "or",
        [("id", "MIT", None), ("and", [("id", "Apache-2.0", None), ("id", "BSD-3-Clause", None)])],
    )
    assert parse_expression("(MIT OR Apache-2.0) AND GPL-2.0-only WITH Classpath-exception-2.0") == (
        "and",
        [("or", [("id", "MIT", None), ("id", "Apache-2.0", None)]), ("id", "GPL-2.0-only", "Classpath-exception-2.0")],
    )
    assert parse_expression("MIT AND (") == ("id", "MIT AND (", None)  # unparseable: one opaque id


# ---- consent ---------------------------------------------------------------------------------------------------------
def test_consent_bases_the_policy_does_not_allow(tmp_path: Path) -> None:
    ledger = ledger_of(
        tmp_path,
        plain("forum", 4, consent_basis="legitimate_interest_opt_out"),
        plain("web", 2, consent_basis="unknown"),
        plain("shop", 3, consent_basis="explicit_opt_in"),
    )
    assert check(ledger, {"intended_use": "research"}).passed  # every basis is allowed by default
    report = check(ledger, {"intended_use": "research", "allowed_consent_bases": ["explicit_opt_in", "contract"]})
    errors = by_rule(report, "error")
    forum = errors[("allowed_consent_bases", "legitimate_interest_opt_out")]
    assert forum.sources == ["forum"] and forum.records == 4 and len(forum.example_records) == 3
    assert errors[("allowed_consent_bases", "unknown")].records == 2
    assert not [v for v in report.violations if v.sources == ["shop"]]


def test_revoked_consent_is_a_warning_unless_the_policy_fails_on_it(tmp_path: Path) -> None:
    ledger = ledger_of(tmp_path, plain("a", 3), plain("b", 2), plain("c", 2))
    revoked = expected_record_id("a", "record 1 of a")
    provenance.revoke(ledger, scope_kind="record", value=revoked, reason="asked", actor="tester")
    provenance.revoke(ledger, scope_kind="source", value="b", reason="withdrawn", actor="tester")
    gone = provenance.revoke(ledger, scope_kind="record", value="gone-already", reason="asked", actor="tester")
    assert gone.records_excluded == 0
    report = check(ledger, {"intended_use": "research"})
    assert report.passed
    warning = by_rule(report, "warning")[("revoked_consent", None)]
    assert warning.records == 3 and warning.sources == ["a", "b"]
    assert revoked in warning.example_records
    strict = check(ledger, {"intended_use": "research", "fail_on_revoked": True})
    assert not strict.passed and by_rule(strict, "error")[("revoked_consent", None)].records == 3


# ---- PII and quality -------------------------------------------------------------------------------------------------
def test_pii_rate_names_the_records_with_findings(tmp_path: Path) -> None:
    ledger = ledger_of(tmp_path, {"id": "mail", "texts": EMAILS}, plain("notes", 4), scanners=["pii"])
    with Ledger(ledger, read_only=True) as store:
        found = {r for (r,) in store.execute("SELECT DISTINCT record_id FROM findings WHERE label = 'EMAIL_ADDRESS'")}
    assert found == ids("mail", [EMAILS[0], EMAILS[2]])
    for key in ("EMAIL_ADDRESS", "pii:EMAIL_ADDRESS"):
        report = check(ledger, {"intended_use": "research", "max_finding_rate": {key: 0.1}})
        v = by_rule(report, "error")[("max_finding_rate", key)]
        assert v.measured == 0.25 and v.limit == 0.1 and v.records == 2 and v.sources == ["mail"]
        assert set(v.example_records) == found
        assert v.measured_by.startswith("pii@")
    assert check(ledger, {"intended_use": "research", "max_finding_rate": {"EMAIL_ADDRESS": 0.25}}).passed
    # a label the scanner looked for and never found is measured, at 0
    assert check(ledger, {"intended_use": "research", "max_finding_rate": {"CREDIT_CARD": 0.0}}).passed


def test_pii_limits_without_a_pii_scan_are_not_measured_errors(tmp_path: Path) -> None:
    ledger = ledger_of(tmp_path, {"id": "mail", "texts": EMAILS}, scanners=["textstats"])
    report = check(ledger, {"intended_use": "research", "max_finding_rate": {"EMAIL_ADDRESS": 0.5, "API_KEY": 0.5}})
    assert not report.passed
    assert report.not_measured == ["max_finding_rate:EMAIL_ADDRESS", "max_finding_rate:API_KEY"]
    v = by_rule(report, "error")[("max_finding_rate", "EMAIL_ADDRESS")]
    assert v.not_measured and "never ran" in v.message and "--scanners pii" in v.message
    odd = check(ledger, {"intended_use": "research", "max_finding_rate": {"mystery": 0.5}})
    assert odd.not_measured == ["max_finding_rate:mystery"] and not odd.passed


def test_a_scanner_that_read_only_some_records_is_reported(tmp_path: Path) -> None:
    manifest = corpus(tmp_path / "corpus", {"id": "mail", "texts": EMAILS})
    ledger = tmp_path / "l.duckdb"
    provenance.scan(manifest, ledger, scanners=["pii"])
    more = corpus(tmp_path / "more", plain("later", 4))
    provenance.ingest(more, ledger)
    report = check(ledger, {"intended_use": "research", "max_finding_rate": {"EMAIL_ADDRESS": 0.9}})
    assert report.passed
    coverage = by_rule(report, "warning")[("scanner_coverage", "pii")]
    assert coverage.measured == 4 and coverage.limit == 8
    assert "measured 4, limit 8" in "\n".join(report_lines(report))


def test_quality_labels_work_like_pii_labels(tmp_path: Path) -> None:
    texts = ["one two", "a long enough record with quite a few words in it", "tiny", "another record of many words"]
    ledger = ledger_of(tmp_path, {"id": "q", "texts": texts}, scanners=["textstats"])
    report = check(ledger, {"intended_use": "research", "max_finding_rate": {"textstats:short": 0.25, "empty": 0}})
    v = by_rule(report, "error")[("max_finding_rate", "textstats:short")]
    assert v.measured == 0.5 and set(v.example_records) == ids("q", ["one two", "tiny"])
    assert report.checked[-2:] == ["max_finding_rate:textstats:short", "max_finding_rate:empty"]


# ---- coverage --------------------------------------------------------------------------------------------------------
ENGLISH = [
    "The weather was mild and the river ran slowly past the old mill near the village green.",
    "Children played in the garden behind the house while their parents prepared the evening meal.",
    "The committee will publish its report on the new railway line at the end of the month.",
]
GERMAN = ["Der Hund läuft schnell über die Wiese und die Kinder spielen im Garten hinter dem Haus."]


def test_language_shares(tmp_path: Path) -> None:
    ledger = ledger_of(tmp_path, {"id": "t", "texts": ENGLISH + GERMAN}, scanners=["language"])
    ok = check(ledger, {"intended_use": "research", "min_language_share": {"en": 0.5, "deu": 0.1}})
    assert ok.passed, report_lines(ok)
    report = check(
        ledger,
        {
            "intended_use": "research",
            "min_language_share": {"de": 0.5, "fr": 0.1},
            "language_targets": {"de": 0.4},
            "max_unknown_language_share": 0.0,
        },
    )
    errors = by_rule(report, "error")
    assert set(errors) == {("min_language_share", "de"), ("min_language_share", "fr")}
    assert 0.1 < errors[("min_language_share", "de")].measured < 0.5
    assert errors[("min_language_share", "fr")].measured == 0
    assert errors[("min_language_share", "de")].measured_by.startswith("language@")
    assert ("language_targets", "de") in by_rule(report, "warning")  # a target is not a gate


def test_language_rules_without_a_language_scan_are_not_measured(tmp_path: Path) -> None:
    ledger = ledger_of(tmp_path, {"id": "t", "texts": ENGLISH}, scanners=["textstats"])
    report = check(
        ledger, {"intended_use": "research", "min_language_share": {"en": 0.5}, "max_unknown_language_share": 0.1}
    )
    assert not report.passed
    assert report.not_measured == ["min_language_share:en", "max_unknown_language_share"]


def test_demographic_minimums_and_suppressed_counts(tmp_path: Path) -> None:
    texts = [
        "The women of the village met every week to talk about the harvest.",
        "She said her grandmother had been a teacher for forty years.",
        "The men repaired the roof of the barn before the winter storms.",
        "A report on rainfall in the northern hills during the spring.",
    ]
    ledger = ledger_of(tmp_path, {"id": "d", "texts": texts}, scanners=["demographics"])
    assert check(ledger, {"intended_use": "research", "min_demographic_records": {"gender_and_sex": 2}}).passed
    report = check(
        ledger,
        {"intended_use": "research", "min_demographic_records": {"gender_and_sex:feminine": 5, "religion": 1}},
    )
    errors = by_rule(report, "error")
    feminine = errors[("min_demographic_records", "gender_and_sex:feminine")]
    assert feminine.measured is None and "suppressed" in feminine.message  # 1-9 records are never shown
    assert errors[("min_demographic_records", "religion")].measured == 0
    unscanned = ledger_of(tmp_path / "other", {"id": "d", "texts": texts})
    assert check(unscanned, {"min_demographic_records": {"age": 1}, "intended_use": "research"}).not_measured == [
        "min_demographic_records:age"
    ]


def test_invalid_shares_are_refused(tmp_path: Path) -> None:
    ledger = ledger_of(tmp_path, plain("a"))
    with pytest.raises(provenance.InputError, match="between 0 and 1"):
        check(ledger, {"max_finding_rate": {"EMAIL_ADDRESS": 5}})


def test_an_open_ledger_handle_gives_the_same_report(tmp_path: Path) -> None:
    ledger = ledger_of(tmp_path, plain("shop", license="CC-BY-NC-4.0"), plain("web", license="unknown"))
    by_path = check(ledger, {"intended_use": "commercial"})
    with Ledger(ledger, read_only=True) as store:
        by_handle = check(store, {"intended_use": "commercial"})
    assert by_handle == by_path


def test_policy_files_and_missing_ones(tmp_path: Path) -> None:
    ledger = ledger_of(tmp_path, plain("a"))
    path = tmp_path / "policy.yaml"
    path.write_text("name: mine\nintended_use: research\n")
    assert check(ledger, path).policy == "mine"
    with pytest.raises(provenance.InputError, match="no such policy file"):
        check(ledger, tmp_path / "absent.yaml")
    path.write_text("name: mine\nintended_usage: research\n")
    with pytest.raises(provenance.InputError, match="invalid policy"):
        check(ledger, path)


# ---- the sample corpus and the example policies ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def sample_ledger(tmp_path_factory: pytest.TempPathFactory, sample_manifest: Path) -> Path:
    path = tmp_path_factory.mktemp("check") / "sample.duckdb"
    provenance.scan(sample_manifest, path, scanners=SCANNERS)
    return path


@pytest.fixture(scope="module")
def sample_ids(sample_manifest: Path) -> dict[str, set[str]]:
    truth = read_corpus_independently(sample_manifest)
    return {source: {expected_record_id(source, r.text) for r in rs} for source, rs in truth.by_source().items()}


def test_strict_policy_fails_the_sample_corpus_for_its_planted_problems(
    sample_ledger: Path, sample_ids: dict[str, set[str]], repo_root: Path
) -> None:
    report = check(sample_ledger, repo_root / "examples" / "policies" / "strict.yaml")
    assert not report.passed and report.exit_code == 1 and report.policy == "strict"
    assert report.not_measured == []
    errors = by_rule(report, "error")
    expected = {
        ("intended_use", "use"),  # CC-BY-NC-4.0 reviews in a commercial use
        ("intended_use", "share-alike"),  # CC-BY-SA / GPL cannot take the NC reviews in a release
        ("intended_use", "no-ai-training"),  # a web page and a code file say no AI training
        ("deny_licenses", "CC-BY-NC-4.0"),
        ("allow_unknown_license", "NOASSERTION"),
        ("allow_unknown_license", "LicenseRef-Northwind-Wire-Subscription"),
        ("allow_unknown_license", "LicenseRef-Proprietary"),
        ("allowed_consent_bases", "legitimate_interest_opt_out"),
        ("allowed_consent_bases", "unknown"),
        ("max_finding_rate", "EMAIL_ADDRESS"),
        ("max_finding_rate", "CREDIT_CARD"),
        ("max_finding_rate", "API_KEY"),
        ("max_finding_rate", "textstats:empty"),  # forum post 1021 has an empty body
    }
    assert expected <= set(errors), sorted(set(errors))
    use = errors[("intended_use", "use")]
    assert use.sources == ["reviews"] and use.records == len(sample_ids["reviews"])
    assert use.example_records and set(use.example_records) <= sample_ids["reviews"]
    unknown = errors[("allow_unknown_license", "NOASSERTION")]
    assert unknown.sources == ["crawl", "scraped", "web"]
    assert unknown.records == len(sample_ids["crawl"] | sample_ids["scraped"] | sample_ids["web"])
    opt_out_basis = errors[("allowed_consent_bases", "legitimate_interest_opt_out")]
    assert opt_out_basis.sources == ["crawl", "forum"]
    assert set(opt_out_basis.example_records) <= sample_ids["crawl"] | sample_ids["forum"]
    for v in report.errors:
        assert v.example_records, v
        allowed = set().union(*(sample_ids[s] for s in v.sources))
        assert set(v.example_records) <= allowed, v

    with Ledger(sample_ledger, read_only=True) as store:
        scanned = store.scalar("SELECT count(DISTINCT record_id) FROM record_scans WHERE stamp LIKE 'pii@%'")
        for label in ("EMAIL_ADDRESS", "CREDIT_CARD", "API_KEY"):
            carrying = {r for (r,) in store.execute("SELECT DISTINCT record_id FROM findings WHERE label = ?", [label])}
            v = errors[("max_finding_rate", label)]
            assert v.records == len(carrying) and set(v.example_records) <= carrying
            assert v.measured == round(len(carrying) / scanned, 6) and v.limit == 0.0
            sources = store.execute(
                "SELECT DISTINCT source_id FROM records WHERE record_id IN (SELECT unnest(?)) ORDER BY 1",
                [sorted(carrying)],
            )
            assert v.sources == [s for (s,) in sources]

    lines = report_lines(report)
    assert lines[0].startswith("policy 'strict'") and "FAILED" in lines[0]
    assert sum(line.startswith("ERROR") for line in lines) == len(report.errors)
    assert CheckReport.model_validate_json(report.model_dump_json()) == report


def test_lenient_policy_passes_the_sample_corpus(sample_ledger: Path, repo_root: Path) -> None:
    report = check(sample_ledger, repo_root / "examples" / "policies" / "lenient.yaml")
    assert report.passed, "\n".join(report_lines(report))
    assert report.exit_code == 0 and report.errors == [] and report.not_measured == []
    warnings = by_rule(report, "warning")
    assert ("intended_use", "no-ai-training") in warnings  # still reported, as the policy decided
    assert "PASSED" in report_lines(report)[0]


def test_example_policies_are_valid_policy_files(repo_root: Path) -> None:
    for name in ("strict", "lenient"):
        policy = provenance.load_policy(repo_root / "examples" / "policies" / f"{name}.yaml")
        assert isinstance(policy, Policy) and policy.name == name


def test_ci_files_run_the_check(repo_root: Path) -> None:
    (hook,) = yaml.safe_load((repo_root / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "provenance-check" and hook["entry"] == "provenance check --policy policy.yaml"
    assert hook["pass_filenames"] is False and hook["language"] in ("python", "system")
    workflow = yaml.safe_load((repo_root / "examples" / "github-actions" / "provenance-check.yml").read_text())
    steps = [s for job in workflow["jobs"].values() for s in job["steps"]]
    commands = " ".join(s.get("run", "") for s in steps)
    assert "pip install" in commands and "provenance scan" in commands and "provenance check --policy" in commands
    upload = [s for s in steps if str(s.get("uses", "")).startswith("actions/upload-artifact")]
    assert upload and "card/" in upload[0]["with"]["path"] and upload[0]["if"] == "always()"


def test_the_command_gates_on_the_example_policies(sample_data: Path, tmp_path: Path, run_cli) -> None:
    ledger = tmp_path / "s.duckdb"
    code, _, err = run_cli(
        "scan",
        sample_data,
        "--scanners",
        "textstats,pii,ip,language,demographics",
        "--ledger",
        ledger,
        "-q",
        timeout=300,
    )
    assert code == 0, err
    examples = Path(__file__).resolve().parents[1] / "examples" / "policies"
    code, out, _ = run_cli("check", "--policy", examples / "strict.yaml", "--ledger", ledger)
    assert code == 1 and "FAILED" in out and "reviews" in out
    code, out, _ = run_cli("check", "--policy", examples / "lenient.yaml", "--ledger", ledger, "--format", "json")
    assert code == 0 and json.loads(out)["passed"] is True

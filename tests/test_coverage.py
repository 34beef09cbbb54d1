"""`provenance coverage`: measured coverage of all records or a subset, suppression, reference gaps and filters."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import provenance


@pytest.fixture(scope="module")
def demographics_ledger(tmp_path_factory) -> Path:
    """Two sources: one talks about women and older people, one about men; a metadata column gives speaker gender."""
    root = tmp_path_factory.mktemp("coverage")
    women = [f"The older women of the village met on day {i} to plan the harvest festival." for i in range(30)]
    men = [f"The men of the harbour repaired boat number {i} before the storm." for i in range(12)]
    (root / "a.jsonl").write_text(
        "\n".join(json.dumps({"text": t, "speaker_gender": "female" if i % 3 else "male"}) for i, t in enumerate(women))
        + "\n"
    )
    (root / "b.jsonl").write_text("\n".join(json.dumps({"text": t, "speaker_gender": "male"}) for t in men) + "\n")
    (root / "sources.yaml").write_text(
        "version: 1\nsources:\n"
        + "".join(
            f"  - id: {sid}\n    name: {sid}\n    license: CC0-1.0\n    consent_basis: licence_grant\n"
            f"    collection_method: synthetic\n    languages: [en]\n    data:\n      - path: {sid}.jsonl\n"
            "        metadata: [speaker_gender]\n"
            for sid in ("a", "b")
        )
    )
    ledger = root / "l.duckdb"
    provenance.scan(
        root,
        ledger,
        scanners=["demographics"],
        scanner_config={"demographics": {"metadata_axes": {"speaker_gender": "speaker_gender"}}},
    )
    return ledger


def group(report, axis: str, name: str):
    found = next(a for a in report.demographics.axes if a.axis == axis)
    return next(g for g in found.groups if g.group == name)


def test_groups_are_counted_per_record_with_balance(demographics_ledger: Path) -> None:
    report = provenance.coverage(demographics_ledger, min_cell_count=1)
    demo = report.demographics
    assert demo.records == 42
    assert group(report, "gender_and_sex", "feminine").records == 30
    assert group(report, "gender_and_sex", "masculine").records == 12
    assert demo.female_male_ratio == pytest.approx(30 / 12, abs=1e-5)
    assert group(report, "age", "old").records == 30
    assert demo.metadata["speaker_gender"] == {"female": 20, "male": 22}


def test_cells_under_the_minimum_are_suppressed(demographics_ledger: Path) -> None:
    report = provenance.coverage(demographics_ledger, min_cell_count=20)
    masculine = group(report, "gender_and_sex", "masculine")
    assert masculine.records is None and masculine.record_share is None and masculine.mentions is None
    assert group(report, "gender_and_sex", "feminine").records == 30
    assert report.demographics.metadata["speaker_gender"] == {"female": 20, "male": 22}
    assert provenance.coverage(demographics_ledger, min_cell_count=21).demographics.metadata["speaker_gender"] == {
        "female": None,
        "male": 22,
    }


def test_a_filter_shows_what_it_changed(demographics_ledger: Path) -> None:
    report = provenance.coverage(
        demographics_ledger, subset="r.source_id = 'a'", compare="", min_cell_count=1
    )  # keep only source a, compare with all records
    feminine = group(report, "gender_and_sex", "feminine")
    assert feminine.record_share == pytest.approx(1.0, abs=1e-5)
    assert feminine.before_share == pytest.approx(30 / 42, abs=1e-5)
    assert feminine.change == pytest.approx(1 - 30 / 42, abs=1e-5)
    masculine = group(report, "gender_and_sex", "masculine")
    assert masculine.records is None or masculine.records == 0  # filtered out entirely


def test_reference_gaps(demographics_ledger: Path, tmp_path: Path) -> None:
    reference = tmp_path / "reference.yaml"
    reference.write_text("gender_and_sex: {feminine: 0.5, masculine: 0.5}\n")
    report = provenance.coverage(demographics_ledger, reference=provenance.load_reference(reference), min_cell_count=1)
    assert group(report, "gender_and_sex", "masculine").gap == pytest.approx(12 / 42 - 0.5, abs=1e-5)


def test_the_command_prints_and_writes_json(demographics_ledger: Path, tmp_path: Path, run_cli) -> None:
    out_file = tmp_path / "coverage.json"
    code, out, err = run_cli(
        "coverage",
        "--ledger",
        demographics_ledger,
        "--min-cell",
        "5",
        "--output",
        out_file,
        "--where",
        "true",
        "--compare-all",
    )
    assert code == 0, err
    assert "gender_and_sex" in out and "feminine" in out
    assert "languages: not measured" in out
    report = provenance.models.CoverageReport.model_validate_json(out_file.read_text())
    assert report.demographics.records == 42 and report.compared_with == ""


def test_a_bad_subset_is_a_clear_error(demographics_ledger: Path, run_cli) -> None:
    code, _, err = run_cli("coverage", "--ledger", demographics_ledger, "--where", "no_such_column = 1")
    assert code != 0 and "Traceback" not in err and "no_such_column" in err


def test_language_coverage_of_the_sample_corpus(sample_data: Path, tmp_path: Path, run_cli) -> None:
    ledger = tmp_path / "s.duckdb"
    code, _, err = run_cli("scan", sample_data, "--scanners", "language,demographics", "--ledger", ledger, "-q")
    assert code == 0, err
    report = provenance.coverage(ledger, language_targets={"en": 0.5, "sw": 0.05})
    lang = report.language
    assert lang.records == 240  # 222 + the 18 pages of the crawl
    shares = {row.language: row for row in lang.languages}
    assert {"en", "de", "fr", "es", "ru"} <= set(shares)
    assert shares["en"].char_share > 0.3 and shares["en"].target_share == 0.5
    assert shares["sw"].records == 0 and shares["sw"].gap == pytest.approx(-0.05, abs=1e-9)  # a target never met
    assert sum(r.chars or 0 for r in lang.languages) == pytest.approx(lang.chars, rel=0.01)
    assert 1 < lang.effective_languages < len(shares)
    books = next(d for d in lang.declared_vs_measured if d.source == "books")
    assert "ru" in books.measured  # zimniy-sad.txt is Russian
    code, out, _ = run_cli("coverage", "--ledger", ledger)
    assert code == 0 and "effective number of languages" in out and "gender_and_sex" in out


@pytest.mark.skipif(
    not (Path(__file__).resolve().parents[2] / "shared" / "data" / "langid").exists(),
    reason="needs ../shared/data/langid (UDHR paragraphs)",
)
def test_eval_language_on_udhr(tmp_path: Path, run_cli) -> None:
    gold = Path(__file__).resolve().parents[2] / "shared" / "data" / "langid" / "udhr2_paragraphs.jsonl.gz"
    predictions = tmp_path / "p.jsonl"
    code, out, err = run_cli(
        "eval",
        "language",
        "--gold",
        gold,
        "--lang-field",
        "iso639_3",
        "--format",
        "json",
        "--predictions",
        predictions,
        timeout=300,
    )
    assert code == 0, err
    scores = json.loads(out)
    assert len(predictions.read_text().splitlines()) > 20_000
    assert scores["texts"] > 20_000 and scores["backend"] == "auto"
    assert scores["macro_accuracy_covered"] > 0.8  # on the languages the default backend can name
    assert scores["per_language"]["fra"]["accuracy"] > 0.95
    assert set(scores["not_scored"]) == {"007", "008", "009", "010", "011"}

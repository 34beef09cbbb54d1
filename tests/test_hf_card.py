"""The Hugging Face card: metadata the Hub accepts (checked offline), every template section filled from the ledger
with measured/declared markers, refusal of invalid metadata, and reading existing cards back.

Expected values are read from the ledger with SQL, from the sample manifest with PyYAML, and from the `datasets`
package's own template structure, never from the card code under test.
"""

from __future__ import annotations

import json
import re
import shutil
from importlib import resources
from pathlib import Path

import pytest
import yaml

import provenance
from provenance import Ledger
from provenance.cards.hf_readme import hf_license_id, write_card
from provenance.cards.hf_validate import CardMetadataError, hf_enums, validate_card_metadata
from provenance.cards.read_card import declared_from_card, read_hf_card
from provenance.models import CardMetadata, SourceEntry

FULL_SCANNERS = ["textstats", "pii", "ip", "language", "demographics", "consent"]
# Records per consent state of the sample sources with planted opt-outs or no declared basis, as `provenance consent
# status` reports them: crawl's pages and sites opt out by header, meta, robots.txt, ai.txt, TDMRep and the registry;
# forum (an author) and reviews (a content hash) through the ai-optout registry only.
EXPECTED_CONSENT = {
    "crawl": {"no_objection": 4, "opted_out": 14},
    "forum": {"no_objection": 26, "opted_out": 2},
    "reviews": {"granted": 35, "opted_out": 1},
    "scraped": {"unknown": 28},
    "web": {"unknown": 25},
}
CONSENT_COLUMNS = ("granted", "no_objection", "unknown", "opted_out", "revoked")
CANONICAL = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "cards" / "hf_canonical_cards"


def scan_once(tmp_path_factory: pytest.TempPathFactory, sample_data: Path) -> Path:
    """The sample corpus scanned with every scanner, once per session (shared with test_datasheet)."""
    folder = tmp_path_factory.getbasetemp() / "cards-full-scan"
    ledger = folder / "sample.duckdb"
    if not (folder / "done").exists():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        provenance.scan(sample_data, ledger, scanners=FULL_SCANNERS)
        (folder / "done").write_text("ok")
    return ledger


@pytest.fixture(scope="module")
def full_scan(tmp_path_factory: pytest.TempPathFactory, sample_data: Path) -> Path:
    return scan_once(tmp_path_factory, sample_data)


@pytest.fixture(scope="module")
def card(full_scan: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict, str]:
    path = write_card(full_scan, tmp_path_factory.mktemp("card"), pretty_name="Sample corpus")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    front, body = text[4:].split("\n---\n", 1)
    return text, yaml.safe_load(front), body


def _expected_hf_id(spdx: str) -> str:
    """An independent reading of the Hub's licence ids: lower-cased SPDX where the Hub lists it, the GNU
    '-only'/'-or-later' suffix dropped, 'unknown' for NOASSERTION, 'other' for everything else."""
    if spdx == "NOASSERTION":
        return "unknown"
    hub = set(hf_enums()["license"]) - {"other", "unknown"}
    for candidate in (spdx.lower(), re.sub(r"-(only|or-later)$", "", spdx.lower())):
        if " " not in spdx and not spdx.startswith("LicenseRef-") and candidate in hub:
            return candidate
    return "other"


# ---- metadata ------------------------------------------------------------------------------------------------------
def test_sample_card_metadata_is_valid_for_the_hub(card, full_scan: Path, sample_data: Path) -> None:
    _, meta, _ = card
    assert validate_card_metadata(meta) == []
    CardMetadata.model_validate(meta)
    with Ledger(full_scan, read_only=True) as store:
        licences = {
            r[0]
            for r in store.execute(
                "SELECT DISTINCT coalesce(r.record_license, s.license) FROM records r JOIN sources s USING (source_id)"
            )
        }
        total = store.scalar("SELECT count(*) FROM records")
        with_files = {r[0] for r in store.execute("SELECT DISTINCT source_id FROM files")}
    assert sorted(meta["license"]) == sorted({_expected_hf_id(lic) for lic in licences})
    assert "cc-pddc" not in meta["license"] and "gpl-3.0" in meta["license"]  # GPL-3.0-only has the Hub id gpl-3.0
    assert meta["license_name"] and re.fullmatch(r"[a-z0-9][a-z0-9.-]*", meta["license_name"])
    for custom in ("CC-PDDC", "LicenseRef-Northwind-Wire-Subscription", "MIT OR Apache-2.0"):
        assert custom in meta["license_details"]
    declared = yaml.safe_load((sample_data / "sources.yaml").read_text(encoding="utf-8"))["sources"]
    assert meta["language"] == sorted({lang for s in declared for lang in s.get("languages", [])})
    assert meta["size_categories"] == (["n<1K"] if total < 1000 else ["1K<n<10K"])
    assert meta["multilinguality"] == ["multilingual"]  # measured: several languages hold 5% of a source
    assert meta["source_datasets"] == ["original"]  # hf_qa was read from a local folder, not a hub repository
    assert meta["annotations_creators"] == ["crowdsourced", "no-annotation"]  # hf_qa is the annotated source
    assert meta["language_creators"] == ["crowdsourced", "found", "machine-generated", "other"]
    assert "task_categories" not in meta  # nothing declared, nothing guessed
    configs = {c["config_name"]: c["data_files"] for c in meta["configs"]}
    assert set(configs) == with_files
    assert {f["split"] for f in configs["hf_qa"]} == {"train", "test"}
    assert configs["code"] == [{"split": "train", "path": "code/snippets.jsonl"}]


def test_hub_licence_ids() -> None:
    assert hf_license_id("Apache-2.0") == "apache-2.0"
    assert hf_license_id("GPL-3.0-or-later") == hf_license_id("GPL-3.0-only") == "gpl-3.0"
    assert hf_license_id("ODC-By-1.0") == "odc-by"
    assert hf_license_id("LicenseRef-Llama2") == "llama2"
    assert hf_license_id("NOASSERTION") == "unknown"
    for other in ("CC-PDDC", "MIT OR Apache-2.0", "LicenseRef-Proprietary", "CC-BY-SA-2.0"):
        assert hf_license_id(other) == "other"


def test_declared_task_categories_reach_the_metadata(full_scan: Path, tmp_path: Path) -> None:
    text = write_card(full_scan, tmp_path, task_categories=["text-generation"]).read_text(encoding="utf-8")
    assert yaml.safe_load(text.split("---\n")[1])["task_categories"] == ["text-generation"]
    with pytest.raises(CardMetadataError, match="text-genration"):
        write_card(full_scan, tmp_path / "bad", task_categories=["text-genration"])
    assert not (tmp_path / "bad" / "README.md").exists()


def test_invalid_declared_language_is_refused_and_nothing_written(tmp_path: Path) -> None:
    data = tmp_path / "corpus"
    data.mkdir()
    (data / "a.jsonl").write_text('{"text": "one"}\n{"text": "two"}\n', encoding="utf-8")
    (data / "sources.yaml").write_text(
        "version: 1\nsources:\n  - id: a\n    name: A\n    license: MIT\n    consent_basis: contract\n"
        "    collection_method: api\n    languages: [qqq-Latn]\n    data:\n      - path: a.jsonl\n",
        encoding="utf-8",
    )
    ledger = tmp_path / "l.duckdb"
    provenance.scan(data, ledger, scanners=[])
    with pytest.raises(CardMetadataError) as caught:
        write_card(ledger, tmp_path / "card")
    assert "qqq" in str(caught.value) and "language" in str(caught.value)
    assert not (tmp_path / "card" / "README.md").exists()


@pytest.mark.parametrize(
    ("meta", "field"),
    [
        ({"license": "apache"}, "license"),
        ({"license": ["mit", "cc-by-4"]}, "license"),
        ({"license": "other"}, "license"),  # needs license_name and a link or details
        ({"license": "mit", "license_name": "my-terms"}, "license_name"),
        ({"license": "other", "license_name": "My Terms", "license_details": "x"}, "license_name"),
        ({"size_categories": ["1k<n<10k"]}, "size_categories"),
        ({"multilinguality": ["bilingual"]}, "multilinguality"),
        ({"task_categories": ["conversational"]}, "task_categories"),  # no longer listed by the Hub
        ({"task_categories": "text-generaton"}, "task_categories"),
        ({"task_ids": ["open-domain-qa", "made-up-task"]}, "task_ids"),
        ({"annotations_creators": ["crowd"]}, "annotations_creators"),
        ({"language_creators": ["no-annotation"]}, "language_creators"),
        ({"language": ["en-US"]}, "language"),
        ({"language": ["english"]}, "language"),
        ({"language_details": ["en-$$"]}, "language_details"),
        ({"source_datasets": ["copied|wikipedia"]}, "source_datasets"),
        ({"configs": ["default"]}, "configs"),
        ({"configs": [{"config_name": "a", "data_files": [{"split": "train-1", "path": "x"}]}]}, "configs"),
        ({"configs": [{"config_name": "a"}, {"config_name": "a"}]}, "configs"),
        ({"pretty_name": ""}, "pretty_name"),
        ({"size_categories": 5}, "size_categories"),
    ],
)
def test_validation_rejects_bad_values(meta: dict, field: str) -> None:
    errors = validate_card_metadata({"pretty_name": "X", "license": "mit", **meta})
    assert errors and all(e.startswith(field) for e in errors), errors


def test_validation_accepts_the_hubs_own_examples() -> None:
    meta = {
        "pretty_name": "SQuAD",
        "license": ["cc-by-sa-4.0", "other"],
        "license_name": "my-license-1.0",
        "license_link": "LICENSE",
        "language": ["fr", "en", "code"],
        "language_details": ["fr-FR", "en-US"],
        "multilinguality": "multilingual",
        "size_categories": ["100K<n<1M"],
        "source_datasets": ["original", "extended|wikipedia", "laion/laion-2b", "wikipedia"],
        "task_categories": ["question-answering", "image-classification"],
        "task_ids": ["extractive-qa", "multi-class-image-classification"],
        "annotations_creators": ["crowdsourced", "found", "expert-generated", "machine-generated"],
        "language_creators": ["crowdsourced"],
        "configs": [
            {"config_name": "default", "data_files": [{"split": "train", "path": "data.csv"}]},
            {"config_name": "processed", "data_files": "data/*.parquet"},
            {"config_name": "two", "data_files": [{"split": "test", "path": ["a/*", "b/*"]}]},
        ],
        "tags": ["audio"],
        "dataset_info": {"features": [{"name": "id", "dtype": "int32"}]},
    }
    assert validate_card_metadata(meta) == []
    assert validate_card_metadata({"task_categories": ["conversational"]}, allow_legacy=True) == []
    assert validate_card_metadata("license: mit") != []  # type: ignore[arg-type]


def test_enums_agree_with_the_facts_they_come_from() -> None:
    from provenance.licenses.hf import HF_LICENSES

    enums = hf_enums()
    assert set(enums["license"]) == set(HF_LICENSES)
    assert set(enums["sources"]) >= {"license", "size_categories", "task_categories", "language"}
    assert {"en", "de", "yue", "code", "multilingual"} <= enums["language"] and "fra" not in enums["language"]
    try:  # the lists this file was built from, where the installed `datasets` still ships them
        folder = resources.files("datasets") / "utils" / "resources"
        creators = json.loads((folder / "creators.json").read_text())
        sizes = json.loads((folder / "size_categories.json").read_text())
        languages = json.loads((folder / "languages.json").read_text())
    except (ModuleNotFoundError, FileNotFoundError):
        pytest.skip("datasets no longer ships its card resources")
    assert enums["annotations_creators"] == creators["annotations"]
    assert enums["language_creators"] == creators["language"]
    assert set(sizes) <= set(enums["size_categories"])
    assert set(languages) <= enums["language"]


# ---- sections ------------------------------------------------------------------------------------------------------
def _template_sections() -> list[str]:
    """Section names of the Hub's dataset card template, as `datasets` ships its structure."""
    try:
        text = (resources.files("datasets") / "utils" / "resources" / "readme_structure.yaml").read_text()
    except (ModuleNotFoundError, FileNotFoundError):
        text = None
    names: list[str] = []

    def walk(node: dict) -> None:
        if node.get("name") and node["name"] != "Dataset Card for X":
            names.append(node["name"])
        for child in node.get("subsections") or []:
            walk(child)

    if text is None:  # the classic template's sections, as the brief lists them
        return [
            "Dataset Description", "Dataset Summary", "Dataset Structure", "Dataset Creation", "Curation Rationale",
            "Source Data", "Annotations", "Personal and Sensitive Information", "Considerations for Using the Data",
            "Social Impact of Dataset", "Discussion of Biases", "Other Known Limitations", "Additional Information",
            "Licensing Information", "Citation Information", "Contributions",
        ]  # fmt: skip
    walk(yaml.safe_load(text))
    return names


def test_every_template_section_is_in_the_card(card) -> None:
    text, _, _ = card
    parsed = read_hf_card(text)
    titles = parsed.section_titles()
    assert parsed.title == "Dataset Card for Sample corpus"
    missing = [name for name in _template_sections() if name not in titles]
    assert missing == []
    for name in _template_sections():
        if name != "Table of Contents":
            assert parsed.section(name), f"section {name!r} is empty"


def test_statements_are_marked_measured_or_declared(card, full_scan: Path, sample_data: Path) -> None:
    text, _, body = card
    parsed = read_hf_card(text)
    for section in parsed.sections:
        if section.level >= 3 and section.text:
            assert re.search(r"\[measured|\[declared|Not known|not measured|Not measured", section.text), section.title
    assert "**[declared in sources.yaml]**" in body
    with Ledger(full_scan, read_only=True) as store:
        stamps = {r[0].split("@")[0]: r[0] for r in store.execute("SELECT DISTINCT stamp FROM record_scans")}
        ip = dict(
            store.execute("SELECT label, count(DISTINCT record_id) FROM findings WHERE scanner = 'ip' GROUP BY 1")
        )
        pii = dict(
            store.execute("SELECT label, count(DISTINCT record_id) FROM findings WHERE scanner = 'pii' GROUP BY 1")
        )
        unknown = store.scalar(
            "SELECT count(*) FROM records r JOIN sources s USING (source_id) "
            "WHERE coalesce(r.record_license, s.license) = 'NOASSERTION'"
        )
        bad = store.scalar("SELECT count(*) FROM bad_records")
    for name in ("pii", "ip", "language", "demographics"):
        assert f"[measured by {stamps[name]}]" in body
    for label, n in pii.items():
        assert f"| {label} | {n:,} |" in body
    assert f"statements forbidding AI training or text and data mining | {ip['NO_AI_TRAINING']:,} |" in body
    assert f"'all rights reserved' statements | {ip['ALL_RIGHTS_RESERVED']:,} |" in body
    limitations = parsed.section("Other Known Limitations")
    assert f"{unknown:,} records have no known licence" in limitations
    assert f"{bad:,} unreadable lines or rows" in limitations
    assert "Not looked for: names of people" in limitations
    # declared prose is carried in verbatim, never invented
    declared = yaml.safe_load((sample_data / "sources.yaml").read_text(encoding="utf-8"))["sources"]
    collection = parsed.section("Initial Data Collection and Normalization")
    for s in declared:
        assert s["notes"] in collection
        if s.get("attribution"):
            assert s["attribution"] in parsed.section("Licensing Information")
    assert parsed.section("Curation Rationale").startswith("Not known")
    assert parsed.section("Citation Information").startswith("Not known")
    # the licence mixture's verdict for the default purpose, and its obligations
    licensing = parsed.section("Licensing Information")
    report = provenance.check_licenses(full_scan)
    assert report.verdict in licensing
    assert all(c.rule in licensing for c in report.conclusions)
    assert "Consent and Opt-outs" in parsed.section_titles()
    assert "No consent events" in parsed.section("Consent and Opt-outs")


def test_consent_events_are_reported(full_scan: Path, tmp_path: Path) -> None:
    ledger = tmp_path / "copy.duckdb"
    shutil.copy(full_scan, ledger)
    shutil.copy(full_scan.with_name(full_scan.name + ".key"), ledger.with_name(ledger.name + ".key"))
    with Ledger(ledger) as store:
        n = store.scalar("SELECT count(*) FROM records WHERE source_id = 'forum'")
    provenance.revoke(ledger, scope_kind="source", value="forum", reason="opt-out", actor="member")
    parsed = read_hf_card(write_card(ledger, tmp_path / "card").read_text(encoding="utf-8"))
    consent = parsed.section("Consent and Opt-outs")
    assert "revoke (source): 1 event" in consent and f"covering {n:,} records" in consent
    assert f"{n:,} records in the ledger fall under a revocation" in consent


def _md_rows(text: str, header_start: str) -> dict[str, list[str]]:
    """The body rows of the first markdown table whose header starts with ``header_start``, by first cell."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header_start))
    rows = {}
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        rows[cells[0].strip("`*")] = cells[1:]
    return rows


def _copy_ledger(src: Path, folder: Path) -> Path:
    ledger = folder / "copy.duckdb"
    shutil.copy(src, ledger)
    shutil.copy(src.with_name(src.name + ".key"), ledger.with_name(ledger.name + ".key"))
    return ledger


def test_consent_state_per_source_is_measured(card, full_scan: Path, sample_data: Path) -> None:
    text, _, _ = card
    consent = read_hf_card(text).section("Consent and Opt-outs")
    rows = _md_rows(consent, "| source | declared basis")
    status = provenance.consent_status(full_scan).to_pylist()  # what `provenance consent status` prints
    expected: dict[str, dict[str, int]] = {}
    for row in status:
        expected.setdefault(row["source_id"], {})[row["state"]] = row["records"]
    for source, states in EXPECTED_CONSENT.items():
        assert expected[source] == states, source
    declared = yaml.safe_load((sample_data / "sources.yaml").read_text(encoding="utf-8"))["sources"]
    assert set(rows) == {s["id"] for s in declared} | {"all"}
    for s in declared:
        cells = rows[s["id"]]
        assert cells[0] == s["consent_basis"]  # declared
        counts = [int(c.replace(",", "")) for c in cells[1:6]]
        assert counts == [expected.get(s["id"], {}).get(state, 0) for state in CONSENT_COLUMNS], s["id"]
        assert int(cells[6].replace(",", "")) == sum(expected.get(s["id"], {}).values())
    assert rows["crawl"][1:6] == ["0", "4", "0", "14", "0"]
    assert rows["forum"][1:6] == ["0", "26", "0", "2", "0"]
    assert rows["reviews"][1:6] == ["35", "0", "0", "1", "0"]
    assert rows["scraped"][1:6] == ["0", "0", "28", "0", "0"]
    assert rows["web"][1:6] == ["0", "0", "25", "0", "0"]
    # measured and declared are told apart, the scanner named with its version
    with Ledger(full_scan, read_only=True) as store:
        stamp = store.scalar("SELECT DISTINCT stamp FROM record_scans WHERE stamp LIKE 'consent@%'")
    assert re.fullmatch(r"consent@\d+\.\d+\.\d+#[0-9a-f]+", stamp)
    assert "**[declared in sources.yaml]**" in consent and f"**[measured by {stamp}]**" in consent
    assert "**[measured]** Of the 17 opted-out records, 6 are matched by an opt-out registry and 11 carry" in consent


def test_consent_signals_and_registries_are_listed(card, full_scan: Path) -> None:
    text, _, _ = card
    parsed = read_hf_card(text)
    assert {"Consent signals", "Opt-out registries", "Revocations"} <= set(parsed.section_titles())
    signals = parsed.section("Consent signals")
    with Ledger(full_scan, read_only=True) as store:
        stamp = store.scalar("SELECT DISTINCT stamp FROM record_scans WHERE stamp LIKE 'consent@%'")
        scanned = store.scalar("SELECT count(DISTINCT record_id) FROM record_scans WHERE stamp = ?", [stamp])
        found = store.execute(  # score 1 = opted out, 0 = allows, empty = says nothing or could not be read
            "SELECT label, count(DISTINCT record_id) FILTER (WHERE score = 1), "
            "count(DISTINCT record_id) FILTER (WHERE score = 0), "
            "count(DISTINCT record_id) FILTER (WHERE score IS NULL AND detail::JSON->>'value' NOT LIKE 'malformed%'), "
            "count(DISTINCT record_id) FILTER (WHERE score IS NULL AND detail::JSON->>'value' LIKE 'malformed%') "
            "FROM findings WHERE scanner = 'consent' GROUP BY 1"
        )
        registry = store.execute("SELECT name, version, entries FROM optout_registries")
        matched = store.scalar("SELECT count(DISTINCT record_id) FROM registry_matches WHERE name = 'ai-optout'")
        authors = [r[0] for r in store.execute("SELECT value FROM optout_entries WHERE kind = 'author'")]
    assert signals.startswith(f"**[measured by {stamp}]** The `consent` scanner read {scanned:,} records")
    rows = _md_rows(signals, "| signal |")
    assert set(rows) == {"robots.txt", "ai.txt", "tdmrep", "tdmrep.json", "x-robots-tag", "html-meta"}
    assert {label for label, *_ in found} <= set(rows)
    for label, *counts in found:
        assert rows[label] == [f"{n:,}" for n in counts], label
    assert rows["robots.txt"] == ["5", "5", "0", "3"]  # three pages of a site whose robots.txt is malformed
    registries = parsed.section("Opt-out registries")
    assert registry == [("ai-optout", 1, 5)] and matched == 6
    assert "| ai-optout | 1 | 5 | 6 (`crawl` 3, `forum` 2, `reviews` 1) |" in registries
    assert "**[measured]**" in registries and "**[declared]**" in registries  # the description is the manifest's
    assert authors and not any(a in text for a in authors)  # a registry's entries (people's names) stay out


def test_consent_signals_not_looked_for_without_a_consent_scan(tmp_path: Path) -> None:
    data = tmp_path / "corpus"
    data.mkdir()
    (data / "a.jsonl").write_text(
        '{"text": "one", "url": "https://a.example/1"}\n{"text": "two", "url": "https://a.example/2"}\n',
        encoding="utf-8",
    )
    (data / "sources.yaml").write_text(
        "version: 1\nsources:\n  - id: a\n    name: A\n    license: MIT\n"
        "    consent_basis: legitimate_interest_opt_out\n    collection_method: web_scraping\n"
        "    data:\n      - path: a.jsonl\n        url_field: url\n",
        encoding="utf-8",
    )
    ledger = tmp_path / "l.duckdb"
    provenance.scan(data, ledger, scanners=["textstats"])
    parsed = read_hf_card(write_card(ledger, tmp_path / "card").read_text(encoding="utf-8"))
    assert "consent signals were not looked for" in parsed.section("Consent signals")
    assert "No opt-out registry has been applied" in parsed.section("Opt-out registries")
    assert _md_rows(parsed.section("Consent and Opt-outs"), "| source |")["a"][1:7] == ["0", "2", "0", "0", "0", "2"]
    assert "Not measured: consent signals" in parsed.section("Other Known Limitations")


def test_revocations_count_the_records_their_exclusions_cover(full_scan: Path, tmp_path: Path) -> None:
    from test_pii import _planted_values

    ledger = _copy_ledger(full_scan, tmp_path)
    provenance.revoke(ledger, scope_kind="domain", value="blog.tinkerlane.example", reason="site owner", actor="t")
    emails = sorted(v for v in _planted_values(Path(__file__).parent.parent / "sample_data") if "@" in v)
    evidence = provenance.forget(ledger, {"email": emails[:1]}, request_id="DSR-1", actor="t")
    with Ledger(ledger, read_only=True) as store:
        by_kind = dict(
            store.execute(
                "SELECT e.scope_kind, count(DISTINCT x.record_id) FROM consent_events e JOIN exclusions x "
                "USING (event_id) GROUP BY 1"
            )
        )
        revoked = dict(
            store.execute("SELECT source_id, count(*) FROM consent_state WHERE state = 'revoked' GROUP BY 1")
        )
    assert by_kind["domain"] > 0 and evidence.records
    written = provenance.write_cards(ledger, tmp_path / "card")
    parsed = read_hf_card(written["README.md"].read_text(encoding="utf-8"))
    revocations = parsed.section("Revocations")
    assert f"revoke (domain): 1 event covering {by_kind['domain']:,} records" in revocations
    assert f"revoke (removal_request): 1 event covering {by_kind['removal_request']:,} records" in revocations
    assert f"{sum(revoked.values()):,} records in the ledger fall under a revocation" in revocations
    assert "hash chain verifies" in revocations
    rows = _md_rows(parsed.section("Consent and Opt-outs"), "| source | declared basis")
    for source, n in revoked.items():
        assert rows[source][5] == f"{n:,}", source
    sheet = read_hf_card(written["datasheet.md"].read_text(encoding="utf-8"))
    answer = sheet.section("Can they revoke consent, and has anyone?")
    assert "`provenance consent revoke`" in answer and "`provenance forget`" in answer
    assert f"**[measured]** 2 revocations recorded in the ledger's log, covering {sum(revoked.values()):,}" in answer
    everything = "\n".join(p.read_text(encoding="utf-8") for p in written.values() if p.suffix != ".png")
    assert emails[0] not in everything and "DSR-1" not in everything


def test_a_card_set_records_its_release(full_scan: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    ledger = _copy_ledger(full_scan, tmp_path)
    with Ledger(ledger, read_only=True) as store:
        before = store.scalar("SELECT count(*) FROM card_releases")
        records = store.scalar("SELECT count(*) FROM records")
    written = provenance.write_cards(ledger, tmp_path / "card")
    assert re.fullmatch(r"\d{8}T\d{6}Z-[0-9a-f]{8}", written.release_id)
    with Ledger(ledger, read_only=True) as store:
        rows = store.sql("SELECT * FROM card_releases ORDER BY written_at").to_pylist()
    assert len(rows) == before + 1
    assert rows[-1]["release_id"] == written.release_id
    assert rows[-1]["out_dir"] == str((tmp_path / "card").resolve())
    assert sorted(rows[-1]["files"]) == sorted(written) and "README.md" in rows[-1]["files"]
    assert rows[-1]["records"] == records  # nothing revoked: every record was described
    # a later card says how many releases the ledger knows, so revocations can name them
    assert "1 card release is recorded" in write_card(ledger, tmp_path / "again").read_text(encoding="utf-8")
    # the ledger busy (here: open read-only in this process): the cards are written, the release is not recorded
    with Ledger(ledger, read_only=True), caplog.at_level("WARNING", logger="provenance"):
        busy = provenance.write_cards(ledger, tmp_path / "busy")
    assert busy.release_id is None and (tmp_path / "busy" / "README.md").is_file()
    assert "release was not recorded" in caplog.text
    with Ledger(ledger, read_only=True) as store:
        assert store.scalar("SELECT count(*) FROM card_releases") == before + 1


def test_hub_repositories_and_sources_declared_in_code(full_scan: Path, tmp_path: Path) -> None:
    ledger = tmp_path / "copy.duckdb"
    shutil.copy(full_scan, ledger)
    shutil.copy(full_scan.with_name(full_scan.name + ".key"), ledger.with_name(ledger.name + ".key"))
    with Ledger(ledger) as store:  # as if hf_qa had come from the hub through track(), and web were a builder name
        store.execute("UPDATE origins SET dataset_repo = 'rajpurkar/squad' WHERE source_id = 'hf_qa'")
        store.execute("UPDATE origins SET dataset_repo = 'json' WHERE source_id = 'web'")
        store.execute("UPDATE sources SET manifest = NULL WHERE source_id = 'hf_qa'")
    text = write_card(ledger, tmp_path / "card").read_text(encoding="utf-8")
    parsed = read_hf_card(text)
    assert parsed.metadata["source_datasets"] == ["original", "extended|rajpurkar/squad"]
    assert validate_card_metadata(parsed.metadata) == []
    assert "`hf_qa` (Annotated short QA) **[declared in code]**" in parsed.section("Source Data")


# ---- reading cards -------------------------------------------------------------------------------------------------
def test_own_card_reads_back(card) -> None:
    text, meta, _ = card
    parsed = read_hf_card(text)
    assert parsed.problems == [] and parsed.metadata == meta
    declared = declared_from_card(parsed)
    SourceEntry.model_validate({**declared, "data": [{"path": "x"}]})
    assert declared["name"] == "Sample corpus"
    assert declared["languages"] == meta["language"]


def test_malformed_cards_are_reported_not_raised() -> None:
    broken = (
        '---\nlicense: cc-by-4.0\nlanguage:\n- en\n- fr\npretty_name: Bad: "quote\n\tinfo: [1, 2\n---\n'
        "# Dataset Card for Bad\n\n## Dataset Summary\n\nSome text.\n\n```\n# not a heading\n```\n"
        "### Curation Rationale\n\n<!-- comment -->\n[More Information Needed]\n"
    )
    card = read_hf_card(broken)
    assert card.problems and "does not parse" in card.problems[0] and not card.yaml_ok
    assert card.metadata["license"] == "cc-by-4.0" and card.metadata["language"] == ["en", "fr"]
    assert card.section_titles() == ["Dataset Card for Bad", "Dataset Summary", "Curation Rationale"]
    assert card.section("curation rationale") == ""  # placeholders and comments are not content
    declared = declared_from_card(card)
    assert declared["license"] == "CC-BY-4.0" and declared["languages"] == ["en", "fr"]
    assert "Reading the card" in declared["notes"]

    impossible_date = read_hf_card("---\nlicense: mit\nreleased: 2020-02-30\n---\n# T\n")
    assert impossible_date.problems and impossible_date.metadata["license"] == "mit"
    for text in ("---\nlicense: mit\n# never closed", "---\n- just\n- a list\n---\nbody", "", "no front matter"):
        card = read_hf_card(text)
        SourceEntry.model_validate({**declared_from_card(card), "data": [{"path": "x"}]})
    assert read_hf_card("---\nlicense: mit\n# never closed").problems
    assert read_hf_card("---\n- just\n- a list\n---\nbody").problems


def test_declared_fields_from_a_card() -> None:
    text = (
        "---\nlicense: other\nlicense_name: acme-data-1.0\npretty_name: Acme QA\nlanguage: [pt]\n"
        "language_details: [pt-BR]\nannotations_creators: [expert-generated]\nlanguage_creators: [crowdsourced]\n"
        "---\n# Dataset Card for Acme\n\n## Dataset Description\n\n- **Homepage:** [site](https://acme.example/qa)\n"
        "- **Paper:** https://arxiv.example/1\n\n## Dataset Creation\n\n### Curation Rationale\n\nTo test QA.\n\n"
        "### Source Data\n\n#### Initial Data Collection and Normalization\n\nForum posts, lower-cased.\n\n"
        "#### Who are the source language producers?\n\nForum members.\n\n"
        "### Personal and Sensitive Information\n\nUser names were removed.\n\n"
        "## Additional Information\n\n### Citation Information\n\n```\n@article{acme, title={Acme}}\n```\n"
    )
    declared = declared_from_card(text)
    SourceEntry.model_validate({**declared, "data": [{"path": "x"}]})
    assert declared["name"] == "Acme QA"
    assert declared["license"].startswith("LicenseRef-")  # the named custom terms, not 'other'
    assert declared["languages"] == ["pt-BR"]
    assert declared["homepage"] == "https://acme.example/qa"
    assert declared["collection_method"] == "annotation" and declared["consent_basis"] == "unknown"
    assert declared["attribution"] == "@article{acme, title={Acme}}"
    for quoted in ("To test QA.", "Forum posts, lower-cased.", "Forum members.", "User names were removed."):
        assert quoted in declared["notes"]


def test_reads_every_canonical_card() -> None:
    if not CANONICAL.is_dir():
        pytest.skip(f"canonical Hugging Face cards not found at {CANONICAL} (optional: ../shared/data)")
    from provenance.licenses import normalize_license

    cards = sorted(CANONICAL.glob("*.md"))
    assert len(cards) > 100
    legacy_invalid = 0
    for path in cards:
        card = read_hf_card(path)
        declared = declared_from_card(card)
        SourceEntry.model_validate({**declared, "data": [{"path": "x"}]})
        normalize_license(declared["license"])
        if card.metadata:
            assert card.sections, path.name
            legacy_invalid += bool(validate_card_metadata(card.metadata, allow_legacy=True))
    assert legacy_invalid <= len(cards) // 20  # a few carry codes the Hub no longer lists ('iw', 'eml')
    asset = read_hf_card(CANONICAL / "asset.md")
    if asset.metadata:
        assert validate_card_metadata(asset.metadata, allow_legacy=True) == []
        assert any(e.startswith("configs") for e in validate_card_metadata(asset.metadata))
        assert declared_from_card(asset)["license"] == "CC-BY-SA-4.0"

"""Croissant 1.1 JSON-LD with the RAI vocabulary (provenance.cards.croissant), validated with mlcroissant offline.

mlcroissant's ``Dataset(jsonld=...)`` is what ``mlcroissant validate --jsonld`` runs: it parses the JSON-LD and builds
the structure and operation graphs, and downloads nothing (files are read only when records are iterated, and local
``contentUrl``s are never downloaded). Every test that calls mlcroissant also blocks sockets, so a regression that
reached for the network would fail here rather than hang. Expected values about the sample corpus come from reading
its files and its sources.yaml independently (conftest), or from the ledger the card is made from.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import shutil
import socket
from pathlib import Path
from typing import Any

import pytest
import yaml

import provenance
from conftest import expected_normalize, source_entry, write_manifest_file
from provenance import Ledger
from provenance.cards.croissant import CROISSANT_SPEC, RAI_SPEC, write_croissant

# mlcroissant's dependencies warn about their own deprecated calls; nothing for this project to act on.
pytestmark = [
    pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated"),
    pytest.mark.filterwarnings("ignore:The inplace keyword"),
]

SCANNERS = ["textstats", "pii", "language", "demographics"]
RAI_TTL = Path(__file__).resolve().parents[2] / "shared" / "data" / "cards" / "croissant" / "docs" / "croissant_rai.ttl"
# The RAI vocabulary's properties (croissant_rai.ttl, RAI spec 1.0), spelled as there.
RAI_VOCABULARY = {
    "dataCollection",
    "dataCollectionType",
    "dataCollectionMissingData",
    "dataCollectionRawData",
    "dataCollectionTimeframe",
    "dataPreprocessingProtocol",
    "dataImputationProtocol",
    "dataManipulationProtocol",
    "dataReleaseMaintenancePlan",
    "personalSensitiveInformation",
    "dataAnnotationProtocol",
    "dataAnnotationPlatform",
    "dataAnnotationAnalysis",
    "annotationsPerItem",
    "annotatorDemographics",
    "machineAnnotationTools",
    "dataSocialImpact",
    "dataBiases",
    "dataLimitations",
    "dataUseCases",
}


# ---- helpers -------------------------------------------------------------------------------------------------------
@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise OSError("network access attempted during an offline test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def validate(path: Path) -> tuple[Any, set[str]]:
    """What ``mlcroissant validate --jsonld PATH`` does; returns the dataset and its warnings, raises on errors."""
    mlc = pytest.importorskip("mlcroissant", reason="mlcroissant (a test dependency) is not installed")
    dataset = mlc.Dataset(jsonld=str(path))  # raises mlc.ValidationError listing the errors, if any
    issues = dataset.metadata.ctx.issues
    assert not issues.errors, issues.report()
    return dataset, set(issues.warnings)


def rai_text(doc: dict[str, Any], prop: str) -> str:
    value = doc[prop]
    return " ".join(value) if isinstance(value, list) else value


def by_id(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["@id"]: item for item in items}


def fields_of(record_set: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out = {}
    for f in record_set["field"]:
        out[f["name"]] = f
        for sub in f.get("subField", []):
            out[f"{f['name']}/{sub['name']}"] = sub
    return out


# ---- the sample corpus ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sample_card(tmp_path_factory: pytest.TempPathFactory, sample_manifest: Path) -> tuple[Path, Path, dict]:
    """The sample corpus scanned with four scanners, and its croissant.json (ledger path, card path, document)."""
    folder = tmp_path_factory.mktemp("croissant")
    ledger = folder / "sample.duckdb"
    provenance.scan(sample_manifest, ledger, scanners=SCANNERS)
    path = write_croissant(
        ledger, folder / "card", name="Provenance sample corpus", version="1.0.0", date_published="2026-01-15"
    )
    return ledger, path, json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def declared(sample_manifest: Path) -> dict[str, dict[str, Any]]:
    return {s["id"]: s for s in yaml.safe_load(sample_manifest.read_text(encoding="utf-8"))["sources"]}


def test_the_card_validates_with_mlcroissant_offline(sample_card, no_network) -> None:
    _, path, doc = sample_card
    assert path.name == "croissant.json"
    _, warnings = validate(path)
    assert warnings == set(), warnings  # name, description, licence, creator, dates, version, citation: all there
    assert doc["@type"] == "sc:Dataset"
    assert doc["conformsTo"] == [CROISSANT_SPEC, RAI_SPEC]
    assert doc["@context"]["rai"] == "http://mlcommons.org/croissant/RAI/"
    assert doc["@context"]["prov"] == "http://www.w3.org/ns/prov#"
    assert doc["datePublished"] == "2026-01-15" and doc["version"] == "1.0.0"
    assert doc["citeAs"].startswith("@misc{") and "Provenance sample corpus" in doc["citeAs"]


def test_rai_properties_are_spelled_as_in_the_vocabulary(sample_card) -> None:
    _, _, doc = sample_card
    vocabulary = RAI_VOCABULARY
    if RAI_TTL.is_file():  # the vocabulary file itself, when ../shared/data is there
        vocabulary = set(re.findall(r"^rai:(\w+) a rdf:Property", RAI_TTL.read_text(encoding="utf-8"), flags=re.M))
        assert vocabulary == RAI_VOCABULARY
    used = {k.removeprefix("rai:") for k in doc if k.startswith("rai:")}
    assert used <= vocabulary, used - vocabulary
    # mlcroissant 1.1.1 spells these two differently; the card keeps the vocabulary's spelling.
    assert "rai:dataCollectionTimeframe" in doc and "rai:dataCollectionTimeFrame" not in doc
    assert "rai:dataManipulationProtocol" in doc and "rai:dataDataManipulationProtocol" not in doc


def test_mlcroissant_reads_the_rai_properties(sample_card, no_network) -> None:
    _, path, doc = sample_card
    dataset, _ = validate(path)
    meta = dataset.metadata
    assert meta.personal_sensitive_information == doc["rai:personalSensitiveInformation"]
    assert meta.data_biases == doc["rai:dataBiases"]
    assert meta.data_limitations == doc["rai:dataLimitations"]
    assert meta.data_collection == doc["rai:dataCollection"]
    assert meta.data_collection_missing_data == doc["rai:dataCollectionMissingData"]
    assert meta.data_release_maintenance_plan == doc["rai:dataReleaseMaintenancePlan"]


def test_personal_information_is_measured_with_the_scanner_stamp(sample_card) -> None:
    ledger, _, doc = sample_card
    with Ledger(ledger, read_only=True) as store:
        stamp = store.scalar("SELECT DISTINCT stamp FROM findings WHERE scanner = 'pii'")
        per_type = dict(
            store.execute(
                "SELECT label, count(DISTINCT record_id) FROM findings WHERE scanner = 'pii' GROUP BY 1 ORDER BY 1"
            )
        )
        not_checked = store.scalar("SELECT not_checked FROM scans ORDER BY finished_at DESC LIMIT 1")
    text = rai_text(doc, "rai:personalSensitiveInformation")
    assert f"[measured by {stamp}]" in text
    assert {"EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE"} <= set(per_type)
    for label, records in per_type.items():
        assert f"{label} {records:,} (" in text
    names_gap = next(g for g in not_checked if "names" in g)
    assert f"Not looked for: {names_gap}" in text
    # sensitive human attributes (the vocabulary's own examples: gender, religion, age ...) from the demographics scan
    assert "[measured by demographics@" in text and "gender_and_sex" in text


def test_biases_carry_measured_languages_and_demographics(sample_card, declared) -> None:
    ledger, _, doc = sample_card
    with Ledger(ledger, read_only=True) as store:
        lang_stamp = store.scalar("SELECT DISTINCT stamp FROM findings WHERE scanner = 'language'")
        demo_stamp = store.scalar("SELECT DISTINCT stamp FROM findings WHERE scanner = 'demographics'")
    text = rai_text(doc, "rai:dataBiases")
    assert f"[measured by {lang_stamp}]" in text and f"[measured by {demo_stamp}]" in text
    for language in ("en", "de", "fr", "es", "ja", "hi", "ru"):
        assert f" {language} " in text, language
    assert "gender_and_sex" in text and "Gendered words:" in text
    assert "cells under 10 records are not shown" in text
    # cells under the minimum count are suppressed: no axis with fewer than 10 records shows a count of them
    assert "race_ethnicity <10 records" in text
    # declared languages against measured ones
    assert "[declared in sources.yaml] languages" in text
    assert set(doc["inLanguage"]) >= {"en", "de", "fr", "es", "ja", "hi", "ru"}
    assert "und" not in doc["inLanguage"]


def test_collection_statements_are_declared(sample_card, declared) -> None:
    _, _, doc = sample_card
    text = rai_text(doc, "rai:dataCollection")
    for sid, s in declared.items():
        method = s["collection_method"]
        assert f"[declared in sources.yaml] Source '{sid}' ({s['name']}): collection method {method}" in text
    periods = {
        f"{s['collection_period']['start']}/{s['collection_period']['end']}"
        for s in declared.values()
        if s.get("collection_period")
    }
    assert set(doc["rai:dataCollectionTimeframe"]) == periods
    assert "Web Scraping" in doc["rai:dataCollectionType"] and "Web API" in doc["rai:dataCollectionType"]
    assert "hf_qa" in doc["rai:dataAnnotationProtocol"]
    assert doc["rai:dataSocialImpact"].startswith("Not known")
    assert "Not known" in doc["rai:dataReleaseMaintenancePlan"]
    assert any(line.startswith("pii@") for line in doc["rai:machineAnnotationTools"])


def test_limitations_name_unreadable_lines_and_unknown_licences(sample_card, sample_truth, sample_data) -> None:
    _, _, doc = sample_card
    missing = doc["rai:dataCollectionMissingData"]
    bad = sample_truth.bad
    assert f"{len(bad)} lines or rows could not be read" in missing
    for path, line in bad:
        rel = Path(path).relative_to(sample_data).as_posix()
        assert rel in missing and f"line/row {line}" in missing, (rel, line)
    limits = rai_text(doc, "rai:dataLimitations")
    assert f"{len(bad)} unreadable lines or rows are left out" in limits
    assert "No licence is known for" in limits and "'web'" in limits and "'scraped'" in limits
    assert "LicenseRef-Northwind-Wire-Subscription" in limits
    assert "Not looked for by the last scan:" in limits
    uses = rai_text(doc, "rai:dataUseCases")
    assert "not usable for commercial model training" in uses.lower() and "not legal advice" in uses


def test_consent_without_a_consent_scan_says_signals_were_not_looked_for(sample_card) -> None:
    ledger, _, doc = sample_card
    collection = doc["rai:dataCollection"]
    assert "Consent signals (robots.txt, ai.txt, TDMRep, X-Robots-Tag, HTML meta) were not looked for" in collection
    with Ledger(ledger, read_only=True) as store:
        opted = store.scalar("SELECT count(*) FROM consent_state WHERE state = 'opted_out'")
        matched = store.scalar("SELECT count(DISTINCT record_id) FROM registry_matches")
    assert opted == matched == 6  # without signals, only the registry opts records out
    assert "'crawl' no objection 15, opted out 3" in collection
    assert "ai-optout version 1 (5 entries, 6 records matched, loaded " in collection


@pytest.fixture(scope="module")
def consent_card(tmp_path_factory: pytest.TempPathFactory, sample_data: Path) -> tuple[Path, Path, dict]:
    """The sample corpus scanned with the consent scanner too (the scan test_hf_card shares), and its Croissant."""
    from test_hf_card import scan_once

    ledger = scan_once(tmp_path_factory, sample_data)
    path = write_croissant(ledger, tmp_path_factory.mktemp("croissant-consent"), name="Sample", checksums=False)
    return ledger, path, json.loads(path.read_text(encoding="utf-8"))


def test_consent_summary_is_in_the_rai_collection(consent_card, no_network) -> None:
    ledger, path, doc = consent_card
    dataset, _ = validate(path)
    collection = doc["rai:dataCollection"]
    assert dataset.metadata.data_collection == collection  # one text, as mlcroissant reads it
    with Ledger(ledger, read_only=True) as store:
        status = store.execute("SELECT source_id, state, count(*) FROM consent_state GROUP BY ALL ORDER BY ALL")
        stamp = store.scalar("SELECT DISTINCT stamp FROM record_scans WHERE stamp LIKE 'consent@%'")
        opted_by_signal = store.scalar(
            "SELECT count(DISTINCT record_id) FROM findings WHERE scanner = 'consent' AND score = 1"
        )
    words = {
        "granted": "granted",
        "no_objection": "no objection",
        "unknown": "unknown",
        "opted_out": "opted out",
        "revoked": "revoked",
    }
    per_source: dict[str, list[str]] = {}
    for source, state, n in sorted(status, key=lambda r: (r[0], list(words).index(r[1]))):  # in the card's order
        per_source.setdefault(source, []).append(f"{words[state]} {n:,}")
    for source, parts in per_source.items():
        assert f"'{source}' {', '.join(parts)}" in collection, source
    assert "'crawl' no objection 4, opted out 14" in collection
    assert "'forum' no objection 26, opted out 2" in collection
    assert "'reviews' granted 35, opted out 1" in collection
    assert "'scraped' unknown 28" in collection and "'web' unknown 25" in collection
    assert f"[measured by {stamp}] Consent signals" in collection
    assert f"{opted_by_signal:,} an opt-out" in collection and "robots.txt 5/5/0/3" in collection
    assert "ai-optout version 1 (5 entries, 6 records matched" in collection
    assert "ines_garden" not in json.dumps(doc)  # a registry's entries (a person's account) stay out
    assert "17 records are opted out and 0 revoked" in rai_text(doc, "rai:dataLimitations")
    plan = doc["rai:dataReleaseMaintenancePlan"]
    assert "No revocation is recorded" in plan and "'provenance consent revoke'" in plan and "forget" in plan


def test_licences_are_spdx_urls_or_named_terms(sample_card) -> None:
    ledger, _, doc = sample_card
    with Ledger(ledger, read_only=True) as store:
        effective = {
            row[0]
            for row in store.execute(
                "SELECT DISTINCT coalesce(r.record_license, s.license) FROM records r JOIN sources s USING (source_id)"
            )
        }
    urls = {v for v in doc["license"] if isinstance(v, str)}
    named = {v["name"]: v for v in doc["license"] if isinstance(v, dict)}
    for lic in effective:
        if lic == "NOASSERTION" or " " in lic or lic.startswith("LicenseRef-"):
            assert lic in named, lic
        else:
            assert f"https://spdx.org/licenses/{lic}.html" in urls, lic
    assert named["LicenseRef-Northwind-Wire-Subscription"]["url"] == "https://wire.northwind.example.com/licensing"
    assert named["NOASSERTION"]["description"] == "no licence is known"


def test_one_checksummed_file_object_per_file(sample_card, sample_data) -> None:
    ledger, path, doc = sample_card
    with Ledger(ledger, read_only=True) as store:
        files = {p: size for p, size in store.execute("SELECT path, size FROM files") if not p.endswith("]")}
    objects = [d for d in doc["distribution"] if d["@type"] == "cr:FileObject"]
    assert len(objects) == len(files)
    for obj in objects:
        local = (path.parent / obj["contentUrl"]).resolve()
        assert str(local) in files
        assert obj["sha256"] == hashlib.sha256(local.read_bytes()).hexdigest()
        assert obj["contentSize"] == f"{files[str(local)]} B"
        assert obj["@id"] == local.relative_to(sample_data).as_posix()
    formats = {o["@id"]: o["encodingFormat"] for o in objects}
    assert formats["wiki/articles.jsonl"] == "application/jsonlines"
    assert formats["wiki/articles_fr.jsonl.bz2"] == ["application/jsonlines", "application/x-bzip2"]
    assert formats["web/pages-0001.jsonl.gz"] == ["application/jsonlines", "application/gzip"]
    assert formats["web/pages-0002.jsonl.zst"] == ["application/jsonlines", "application/zstd"]
    assert formats["reviews/reviews.csv"] == "text/csv"
    assert formats["reviews/reviews_es.tsv"] == "text/tab-separated-values"
    assert formats["synthetic/instructions.parquet"] == "application/x-parquet"
    assert formats["forum/posts.json"] == "application/json"
    assert formats["books/the-salt-road.txt"] == "text/plain"


def test_globs_and_saved_datasets_are_file_sets(sample_card) -> None:
    _, path, doc = sample_card
    sets = by_id([d for d in doc["distribution"] if d["@type"] == "cr:FileSet"])
    assert set(sets) == {"wiki-files", "web-files", "books-files", "hf_qa-files"}
    resolved = [(path.parent / p).resolve().as_posix() for p in sets["web-files"]["includes"]]
    assert [r.rsplit("/", 2)[-2:] for r in resolved] == [["web", "pages-*.jsonl.gz"], ["web", "pages-*.jsonl.zst"]]
    assert sets["hf_qa-files"]["encodingFormat"] == "application/vnd.apache.arrow.stream"
    assert sorted(p.rsplit("/", 3)[-3:] for p in sets["hf_qa-files"]["includes"]) == [
        ["hf_qa", "test", "*.arrow"],
        ["hf_qa", "train", "*.arrow"],
    ]
    for s in sets.values():
        assert "sha256" not in s


def test_record_sets_follow_the_declared_fields(sample_card, declared) -> None:
    _, _, doc = sample_card
    record_sets = by_id(doc["recordSet"])
    assert set(record_sets) == set(declared) - {"reviews"} | {"reviews-csv", "reviews-tsv"}
    web = fields_of(record_sets["web"])
    assert web["text"]["source"] == {"fileSet": {"@id": "web-files"}, "extract": {"column": "content"}}
    assert web["url"]["dataType"] == "sc:URL" and web["url"]["source"]["extract"] == {"column": "url"}
    assert {"title", "fetched_at", "status"} <= set(web)
    assert web["status"]["dataType"] == "sc:Integer"  # measured from the ledger's metadata values
    forum = fields_of(record_sets["forum"])
    assert forum["text"]["source"]["extract"] == {"jsonPath": "$[*].body"}
    news = fields_of(record_sets["news"])
    assert [news["text/headline"]["source"]["extract"], news["text/body"]["source"]["extract"]] == [
        {"column": "headline"},
        {"column": "body"},
    ]
    code = fields_of(record_sets["code"])
    assert code["license"]["source"]["extract"] == {"column": "license"}
    assert "url" not in fields_of(record_sets["reviews-csv"])  # no URL column, and the ledger holds none
    assert fields_of(record_sets["books"])["text"]["source"]["extract"] == {"fileProperty": "content"}
    assert fields_of(record_sets["scraped"])["text"]["source"]["extract"] == {"fileProperty": "lines"}
    hf = fields_of(record_sets["hf_qa"])
    assert hf["split"]["source"]["extract"] == {"fileProperty": "fullpath"}
    assert "declared in sources.yaml" in hf["text"]["description"]


def test_per_source_provenance_uses_prov_o(sample_card, declared) -> None:
    _, _, doc = sample_card
    record_sets = by_id(doc["recordSet"])
    wiki = record_sets["wiki"]
    assert wiki["prov:wasDerivedFrom"]["@type"] == "prov:Entity"
    assert wiki["prov:wasDerivedFrom"]["prov:atLocation"].rstrip("/") == declared["wiki"]["homepage"]
    activity = wiki["prov:wasGeneratedBy"]
    period = declared["wiki"]["collection_period"]
    assert (activity["prov:startedAtTime"], activity["prov:endedAtTime"]) == (
        str(period["start"]),
        str(period["end"]),
    )
    assert wiki["prov:wasAttributedTo"]["prov:label"] == declared["wiki"]["collector"]
    assert "prov:wasAttributedTo" not in record_sets["scraped"]  # no collector declared
    assert {e["@id"] for e in doc["prov:wasDerivedFrom"]} == {f"source:{sid}" for sid in declared}


def test_mlcroissant_reads_records_from_the_local_files(sample_card, sample_truth, no_network) -> None:
    """The record sets describe the files truly: mlcroissant reads the same texts the toolkit read (and checks the
    SHA-256 of each file on the way)."""
    _, path, _ = sample_card
    dataset, _ = validate(path)
    truth = sample_truth.by_source()

    def texts(record_set: str, key: str) -> list[str]:
        out = []
        for record in dataset.records(record_set):
            value = record[key]
            if isinstance(value, dict):  # subfields: the text columns, joined as the toolkit joins them
                parts = [v.decode() if isinstance(v, bytes) else v for v in value.values()]
                value = "\n\n".join(p for p in parts if p is not None)
            out.append(expected_normalize(value.decode() if isinstance(value, bytes) else value))
        return out

    assert sorted(texts("code", "code/text")) == sorted(r.text for r in truth["code"])
    assert sorted(texts("forum", "forum/text")) == sorted(r.text for r in truth["forum"])
    assert sorted(texts("news", "news/text")) == sorted(r.text for r in truth["news"])
    assert sorted(texts("synthetic", "synthetic/text")) == sorted(r.text for r in truth["synthetic"])
    urls = [r["forum/url"] for r in itertools.islice(dataset.records("forum"), 3)]
    assert all(u.decode().startswith("https://forum.maplestreet.example.org/") for u in urls)


# ---- other ledgers -------------------------------------------------------------------------------------------------
def test_published_copy_uses_base_url(sample_card, no_network, tmp_path: Path) -> None:
    ledger, _, _ = sample_card
    path = write_croissant(
        ledger, tmp_path / "pub", name="Published", version="1.0.0", base_url="https://data.example.org/corpus/"
    )
    doc = json.loads(path.read_text(encoding="utf-8"))
    objects = by_id([d for d in doc["distribution"] if d["@type"] == "cr:FileObject"])
    assert objects["wiki/articles.jsonl"]["contentUrl"] == "https://data.example.org/corpus/wiki/articles.jsonl"
    sets = by_id([d for d in doc["distribution"] if d["@type"] == "cr:FileSet"])
    assert sets["wiki-files"]["includes"] == ["wiki/*.jsonl", "wiki/*.jsonl.bz2"]
    validate(path)


def test_without_checksums_files_are_file_sets(sample_card, no_network, tmp_path: Path) -> None:
    ledger, _, _ = sample_card
    kwargs: dict[str, Any] = dict(name="Fast", version="1.0.0", checksums=False, date_published="2026-01-15")
    path = write_croissant(ledger, tmp_path / "fast", **kwargs)
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert not [d for d in doc["distribution"] if d["@type"] == "cr:FileObject"]
    sets = by_id(doc["distribution"])
    assert all("checksums were not computed" in s["description"] for i, s in sets.items() if i != "hf_qa-files")
    assert by_id(doc["recordSet"])["code"]["field"][0]["source"]["fileSet"] == {"@id": "code-files"}
    validate(path)
    # the same ledger and the same arguments give the same bytes
    first = path.read_bytes()
    assert write_croissant(ledger, tmp_path / "fast", **kwargs).read_bytes() == first


def _small_corpus(folder: Path, sample_data: Path) -> Path:
    for sub in ("code", "news", "books"):
        shutil.copytree(sample_data / sub, folder / sub)
    return write_manifest_file(
        folder,
        [
            source_entry("code", [{"path": "code/snippets.jsonl", "text_field": "code"}], license="MIT"),
            source_entry(
                "news",
                [{"path": "news/wire.jsonl", "text_field": ["headline", "body"]}],
                license="LicenseRef-Northwind-Wire-Subscription",
            ),
            source_entry("books", [{"path": "books/*.txt", "format": "text"}], license="CC-PDDC"),
        ],
    )


def test_files_gone_or_changed_have_no_checksum(tmp_path: Path, sample_data: Path, no_network) -> None:
    corpus = tmp_path / "corpus"
    manifest = _small_corpus(corpus, sample_data)
    ledger = tmp_path / "l.duckdb"
    provenance.ingest(manifest, ledger)
    (corpus / "code" / "snippets.jsonl").unlink()
    with (corpus / "news" / "wire.jsonl").open("a", encoding="utf-8") as fh:
        fh.write('{"headline": "late", "body": "an extra line"}\n')
    path = write_croissant(ledger, tmp_path / "card", name="Changed", version="1")
    doc = json.loads(path.read_text(encoding="utf-8"))
    objects = {d["@id"] for d in doc["distribution"] if d["@type"] == "cr:FileObject"}
    assert "code/snippets.jsonl" not in objects and "news/wire.jsonl" not in objects
    assert "books/the-salt-road.txt" in objects
    sets = by_id([d for d in doc["distribution"] if d["@type"] == "cr:FileSet"])
    assert "gone or have another size" in sets["code-files"]["description"]
    assert "gone or have another size" in sets["news-files"]["description"]
    assert by_id(doc["recordSet"])["code"]["field"][0]["source"]["fileSet"] == {"@id": "code-files"}
    assert "2 file(s) the ledger read are gone or have changed size" in rai_text(doc, "rai:dataLimitations")
    # an ingest runs no scanner: nothing about the text's content is claimed
    assert doc["rai:personalSensitiveInformation"][0].startswith("Not measured")
    assert rai_text(doc, "rai:dataBiases").count("not measured") == 2
    assert doc["rai:machineAnnotationTools"] == ["Not known: no scanner has been run over the records (ingest only)."]
    validate(path)


def test_without_the_manifest_only_measured_fields(tmp_path: Path, sample_data: Path, no_network) -> None:
    corpus = tmp_path / "corpus"
    manifest = _small_corpus(corpus, sample_data)
    ledger = tmp_path / "l.duckdb"
    provenance.ingest(manifest, ledger)
    kept = shutil.copy(manifest, corpus / "kept.yaml")
    manifest.unlink()
    path = write_croissant(ledger, tmp_path / "card", name="No manifest", version="1")
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert "sources manifest was not found" in doc["description"]
    text = fields_of(by_id(doc["recordSet"])["code"])["text"]
    assert text["source"]["extract"] == {"fileProperty": "content"} and "not known" in text["description"]
    # the declared facts the ledger holds are still there
    assert "[declared in sources.yaml] Source 'code'" in doc["rai:dataCollection"]
    validate(path)
    # given explicitly, a manifest restores the declared fields
    path = write_croissant(ledger, tmp_path / "card2", name="Manifest given", version="1", manifest=kept)
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert fields_of(by_id(doc["recordSet"])["code"])["text"]["source"]["extract"] == {"column": "code"}
    assert "not found" not in doc["description"]


# ---- web text (../shared/data) -------------------------------------------------------------------------------------
@pytest.mark.external
def test_webtext_card(external_data: Path, tmp_path: Path, no_network) -> None:
    webtext = external_data / "webtext"
    enwiki = webtext / "enwiki_sample_206.plain.jsonl.gz"
    cc = webtext / "dolma_cc_samples" / "tests" / "data" / "multiple_files"
    if not enwiki.is_file() or not cc.is_dir():
        pytest.skip(f"web text samples not found under {webtext}")
    manifest = write_manifest_file(
        tmp_path / "webscan",
        [
            source_entry(
                "enwiki",
                [{"path": str(enwiki), "text_field": "text_plain"}],
                name="English Wikipedia sample",
                license="CC-BY-SA-3.0",
                consent_basis="licence_grant",
                collection_method="web_scraping",
            ),
            source_entry(
                "commoncrawl",
                [{"path": f"{cc}/*.jsonl"}],
                name="Common Crawl documents (dolma test data)",
                license="unknown",
                consent_basis="unknown",
                collection_method="web_scraping",
            ),
        ],
        roots=[webtext],
    )
    ledger = tmp_path / "web.duckdb"
    provenance.scan(manifest, ledger, scanners=["pii", "language"])
    path = write_croissant(ledger, tmp_path / "card", name="Web text sample", version="0.1.0")
    doc = json.loads(path.read_text(encoding="utf-8"))
    _, warnings = validate(path)
    assert warnings == set()
    objects = by_id([d for d in doc["distribution"] if d["@type"] == "cr:FileObject"])
    gz = objects["enwiki_sample_206.plain.jsonl.gz"]
    assert gz["encodingFormat"] == ["application/jsonlines", "application/gzip"]
    assert gz["sha256"] == hashlib.sha256(enwiki.read_bytes()).hexdigest()
    sets = by_id([d for d in doc["distribution"] if d["@type"] == "cr:FileSet"])
    assert (path.parent / sets["commoncrawl-files"]["includes"]).resolve() == (cc / "*.jsonl").resolve()
    record_sets = by_id(doc["recordSet"])
    assert fields_of(record_sets["enwiki"])["text"]["source"] == {
        "fileObject": {"@id": "enwiki_sample_206.plain.jsonl.gz"},
        "extract": {"column": "text_plain"},
    }
    assert fields_of(record_sets["commoncrawl"])["text"]["source"]["fileSet"] == {"@id": "commoncrawl-files"}
    biases = rai_text(doc, "rai:dataBiases")
    assert "[measured by language@" in biases and " en " in biases
    assert "[measured by pii@" in rai_text(doc, "rai:personalSensitiveInformation")
    assert "Demographic mentions: not measured" in biases
    assert "No licence is known for 20 records of 'commoncrawl'" in rai_text(doc, "rai:dataLimitations")

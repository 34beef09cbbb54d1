"""The datasheet (Gebru et al.) and the data statement (Bender & Friedman): every section present, answers marked
measured or declared, and "Not known." where the ledger has neither."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

import provenance
from provenance import Ledger
from provenance.cards.data_statement import SECTIONS as STATEMENT_SECTIONS
from provenance.cards.data_statement import write_data_statement
from provenance.cards.datasheet import SECTIONS as DATASHEET_SECTIONS
from provenance.cards.datasheet import write_datasheet
from provenance.cards.read_card import read_hf_card

# The questions of "Datasheets for Datasets", by section, as short paraphrases: each must be asked.
DATASHEET_QUESTIONS = {
    "Motivation": ["purpose", "Who created", "funded"],
    "Composition": [
        "instances represent",
        "How many instances",
        "sample",
        "each instance consist",
        "label or target",
        "missing",
        "relationships",
        "splits",
        "errors",
        "self-contained",
        "confidential",
        "offensive",
        "subpopulations",
        "individuals be identified",
        "sensitive",
    ],
    "Collection Process": [
        "acquired",
        "mechanisms",
        "sampling",
        "Who took part",
        "timeframe",
        "ethical review",
        "directly",
        "told",
        "consent?",
        "revoke",
        "impact",
    ],
    "Preprocessing, Cleaning and Labeling": ["preprocessing", "raw data", "software"],
    "Uses": ["used for any tasks", "repository", "other tasks", "future uses", "not be used"],
    "Distribution": [
        "distributed to others",
        "How will it be distributed",
        "When",
        "licence",
        "restrictions",
        "export controls",
    ],
    "Maintenance": ["maintains", "reached", "erratum", "updated", "how long", "older versions", "contribute"],
}


@pytest.fixture(scope="module")
def full_scan(tmp_path_factory: pytest.TempPathFactory, sample_data: Path) -> Path:
    from test_hf_card import scan_once

    return scan_once(tmp_path_factory, sample_data)


@pytest.fixture(scope="module")
def documents(full_scan: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("docs")
    sheet = write_datasheet(full_scan, out, pretty_name="Sample corpus")
    statement = write_data_statement(full_scan, out, pretty_name="Sample corpus")
    assert sheet == out / "datasheet.md" and statement == out / "data_statement.md"
    return {"datasheet": sheet.read_text(encoding="utf-8"), "statement": statement.read_text(encoding="utf-8")}


@pytest.fixture(scope="module")
def bare_ledger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ledger with records and no scanner findings: one source, nothing optional declared."""
    folder = tmp_path_factory.mktemp("bare")
    (folder / "a.jsonl").write_text('{"text": "alpha beta"}\n{"text": "gamma"}\n{"text": "alpha beta"}\n')
    (folder / "sources.yaml").write_text(
        "version: 1\nsources:\n  - id: bare\n    name: Bare source\n    license: unknown\n"
        "    consent_basis: unknown\n    collection_method: other\n    data:\n      - path: a.jsonl\n"
    )
    ledger = folder / "l.duckdb"
    provenance.scan(folder, ledger, scanners=[])
    return ledger


def _sections(text: str) -> dict[str, str]:
    card = read_hf_card(text)
    return {s.title: s.full_text for s in card.sections}


def test_datasheet_asks_every_question(documents) -> None:
    sections = _sections(documents["datasheet"])
    assert list(DATASHEET_SECTIONS) == list(DATASHEET_QUESTIONS)
    for section, questions in DATASHEET_QUESTIONS.items():
        assert section in sections, section
        asked = [t for t in read_hf_card(f"## {section}\n" + sections[section]).section_titles() if t != section]
        for q in questions:
            assert any(q.lower() in t.lower() for t in asked), (section, q, asked)
        assert all(t.endswith("?") for t in asked)


def test_datasheet_answers_are_measured_declared_or_not_known(documents, full_scan: Path, sample_data: Path) -> None:
    card = read_hf_card(documents["datasheet"])
    questions = [s for s in card.sections if s.level == 3]
    assert len(questions) >= 45
    for q in questions:
        assert re.search(r"\[measured|\[declared in |Not known\.|Not measured", q.text), q.title
    with Ledger(full_scan, read_only=True) as store:
        total = store.scalar("SELECT count(*) FROM records")
        pii_stamp = store.scalar("SELECT DISTINCT stamp FROM record_scans WHERE stamp LIKE 'pii@%'")
    assert f"{total:,} distinct records" in card.section("How many instances are there?")
    assert f"[measured by {pii_stamp}]" in card.section("Can individuals be identified, directly or indirectly?")
    assert card.section("Who funded its creation?") == "Not known."
    assert card.section("Was an ethical review carried out?") == "Not known."
    declared = yaml.safe_load((sample_data / "sources.yaml").read_text(encoding="utf-8"))["sources"]
    periods = card.section("Over what timeframe was it collected?")
    for s in declared:
        period = s.get("collection_period")
        if period:
            assert f"`{s['id']}`: {period['start']} to {period['end']} **[declared in sources.yaml]**" in periods
        else:
            assert f"`{s['id']}`: Not known." in periods
    consent = card.section("Did they consent?")
    assert "`reviews`: yes: they opted in" in consent  # explicit_opt_in, declared
    assert "blocker" not in card.section("Are there tasks it should not be used for?")  # messages, not severities
    assert "CC-BY-NC-4.0 allows non-commercial use only" in card.section("Are there tasks it should not be used for?")


def test_consent_answers_cite_measured_states_signals_and_registries(documents, full_scan: Path) -> None:
    from test_hf_card import EXPECTED_CONSENT

    card = read_hf_card(documents["datasheet"])
    with Ledger(full_scan, read_only=True) as store:
        stamp = store.scalar("SELECT DISTINCT stamp FROM record_scans WHERE stamp LIKE 'consent@%'")
        opted_by_signal = store.scalar(
            "SELECT count(DISTINCT record_id) FROM findings WHERE scanner = 'consent' AND score = 1"
        )
        with_signal = store.scalar("SELECT count(DISTINCT record_id) FROM findings WHERE scanner = 'consent'")
        in_registry = store.scalar("SELECT count(DISTINCT record_id) FROM registry_matches WHERE name = 'ai-optout'")
    told = card.section("Were the people told about the collection?")
    assert f"**[measured by {stamp}]** {opted_by_signal:,} records carry an opt-out signal" in told
    assert f"out of {with_signal:,} with any consent signal" in told
    assert f"**[measured]** {in_registry:,} records are listed in an opt-out registry (ai-optout v1)" in told
    consent = card.section("Did they consent?")
    words = {"granted": "granted", "no_objection": "no objection", "unknown": "unknown", "opted_out": "opted out"}
    for source, states in EXPECTED_CONSENT.items():
        now = ", ".join(f"{words[s]} {states[s]:,}" for s in words if s in states)
        assert re.search(
            rf"^- `{source}`: .*\*\*\[declared in sources\.yaml\]\*\*\); records now "
            rf"\*\*\[measured\]\*\*: {now}$",
            consent,
            re.M,
        ), source
    assert f"**[measured by {stamp}]** The `consent` scanner read" in consent
    assert "| robots.txt | 5 | 5 | 0 | 3 |" in consent
    assert "| ai-optout | 1 | 5 | 6 (`crawl` 3, `forum` 2, `reviews` 1) |" in consent
    revoke = card.section("Can they revoke consent, and has anyone?")
    assert "`provenance consent revoke`" in revoke and "`provenance forget`" in revoke
    assert "**[measured]** No consent events (revocations, opt-outs) are recorded in the ledger." in revoke


def test_consent_answers_count_revocations(full_scan: Path, tmp_path: Path) -> None:
    from test_hf_card import _copy_ledger

    ledger = _copy_ledger(full_scan, tmp_path)
    report = provenance.revoke(ledger, scope_kind="source", value="forum", reason="test", actor="t")
    revoke = read_hf_card(write_datasheet(ledger, tmp_path).read_text(encoding="utf-8")).section(
        "Can they revoke consent, and has anyone?"
    )
    n = report.records_excluded
    assert n == 28
    assert f"**[measured]** 1 revocation recorded in the ledger's log, covering {n:,} records now." in revoke
    assert f"revoke (source): 1 event covering {n:,} records" in revoke
    assert f"{n:,} records in the ledger fall under a revocation (`forum` {n:,})" in revoke


def test_data_statement_has_every_element(documents, full_scan: Path) -> None:
    sections = _sections(documents["statement"])
    for title in STATEMENT_SECTIONS:
        assert title in sections and sections[title].strip(), title
    card = read_hf_card(documents["statement"])
    variety = card.section("B. Language Variety")
    with Ledger(full_scan, read_only=True) as store:
        measured = store.execute(
            "SELECT label, any_value(json_extract_string(detail, '$.iso639_3')), count(DISTINCT record_id) "
            "FROM findings WHERE scanner = 'language' AND label <> 'und' GROUP BY 1"
        )
    assert measured
    for label, iso, n in measured:
        assert re.search(rf"^\| {re.escape(label)} \| [A-Za-z, ]+ \| {iso} \| {n:,} \|", variety, re.M), label
    assert card.section("C. Speaker Demographic").startswith("Not known.")
    assert "hf_qa" in card.section("D. Annotator Demographic")
    assert "Not known" in card.section("D. Annotator Demographic")
    assert card.section("G. Recording Quality").startswith("Not known.")
    appendix = card.section("I. Provenance Appendix")
    assert "### wiki: Example Encyclopedia" in appendix
    assert "Text from Example Encyclopedia contributors, CC BY-SA 4.0" in appendix


def test_bare_ledger_says_not_known_and_not_measured(bare_ledger: Path, tmp_path: Path) -> None:
    sheet = read_hf_card(write_datasheet(bare_ledger, tmp_path).read_text(encoding="utf-8"))
    statement = read_hf_card(write_data_statement(bare_ledger, tmp_path).read_text(encoding="utf-8"))
    for title in DATASHEET_SECTIONS:
        assert title in sheet.section_titles()
    for title in STATEMENT_SECTIONS:
        assert title in statement.section_titles()
    assert "2 distinct records" in sheet.section("How many instances are there?")  # a repeated text is one record
    assert "Not measured" in sheet.section("Can individuals be identified, directly or indirectly?")
    assert "Not measured" in sheet.section("Does it identify subpopulations?")
    assert "consent signals were not looked for" in sheet.section("Did they consent?")
    assert "`bare`: not known (consent basis unknown" in sheet.section("Did they consent?")
    assert "records now **[measured]**: unknown 2" in sheet.section("Did they consent?")
    assert "Not known" in sheet.section("Who created the dataset, and on whose behalf?")
    assert "not measured" in statement.section("B. Language Variety")
    assert "`bare`: Not known." in statement.section("B. Language Variety")  # no declared languages
    assert "Not known" in statement.section("D. Annotator Demographic")
    card_text = provenance.card(bare_ledger, tmp_path / "card").read_text(encoding="utf-8")
    card = read_hf_card(card_text)
    assert card.metadata["license"] == "unknown" and "multilinguality" not in card.metadata
    assert "Not measured: no PII scan" in card.section("Personal and Sensitive Information")

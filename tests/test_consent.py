"""Consent end to end: signals at collection, registries, revocation, removal requests and re-checks at run time.

The sample corpus's crawl source carries one page per signal type; sample_data/README.md ("Consent signals") lists
what each page, snapshot and registry entry implies, and these tests hold the ledger to that table.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import duckdb
import pytest

import provenance
from conftest import expected_content_hash, expected_record_id, source_entry, write_manifest_file
from provenance import Ledger
from provenance.ledger.schema import MIGRATIONS

CRAWL = {  # URL -> (state, signal that decides it, or None)
    "https://www.quietharbor.example/": ("opted_out", "robots.txt"),
    "https://www.quietharbor.example/tides/spring-tides.html": ("opted_out", "robots.txt"),
    "https://blog.tinkerlane.example/posts/soldering-a-lamp.html": ("opted_out", "x-robots-tag"),
    "https://blog.tinkerlane.example/posts/bike-light.html": ("no_objection", None),
    "https://blog.tinkerlane.example/private/workbench-notes.html": ("opted_out", "robots.txt"),
    "https://recipes.ovenlight.example/recipes/rye-loaf.html": ("opted_out", "tdmrep.json"),
    "https://recipes.ovenlight.example/about.html": ("no_objection", None),
    "https://recipes.ovenlight.example/journal/sourdough-diary.html": ("opted_out", "tdmrep"),
    "https://journal.fernhollow.example/2025/04/first-frost.html": ("opted_out", "ai.txt"),
    "https://news.brightmoor.example/2025/05/library-sundays.html": ("opted_out", "robots.txt"),
    "https://forum.pinegap.example/t/412/dry-stone-walls": ("opted_out", "robots.txt"),
    "https://www.saltmarsh.example/": ("no_objection", None),
    "https://www.saltmarsh.example/essays/tideline.html": ("opted_out", "tdmrep"),
    "https://www.saltmarsh.example/de/wattwanderung.html": ("no_objection", None),
    "https://www.lindenrow.example/gallery/notes.html": ("opted_out", "html-meta"),
    "https://www.lindenrow.example/letters/hedgerow.html": ("opted_out", "registry"),
    "https://shop.copperkettle.example/": ("opted_out", "registry"),
    "https://shop.copperkettle.example/repairs.html": ("opted_out", "registry"),
}


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory, sample_manifest: Path) -> Path:
    """The sample corpus scanned with the consent and pii scanners; tests copy it before writing."""
    path = tmp_path_factory.mktemp("consent") / "sample.duckdb"
    provenance.scan(sample_manifest, path, scanners=["consent", "pii"])
    return path


@pytest.fixture
def ledger(scanned: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "ledger.duckdb"
    shutil.copy(scanned, copy)
    shutil.copy(scanned.with_name(scanned.name + ".key"), copy.with_name(copy.name + ".key"))
    return copy


def states_by_url(path: Path) -> dict[str, tuple[str, str]]:
    with Ledger(path, read_only=True) as store:
        rows = store.execute(
            "SELECT o.url, c.state, c.reason FROM consent_state c JOIN origins o USING (record_id) "
            "WHERE c.source_id = 'crawl'"
        )
    return {url: (state, reason) for url, state, reason in rows}


def counts(path: Path) -> dict[tuple[str, str], int]:
    return {(r["source_id"], r["state"]): r["records"] for r in provenance.consent_status(path).to_pylist()}


# ---- signals at collection -----------------------------------------------------------------------------------------
def test_every_crawled_page_gets_the_state_its_signals_and_the_registry_imply(scanned: Path) -> None:
    got = states_by_url(scanned)
    assert set(got) == set(CRAWL)
    for url, (state, decided_by) in CRAWL.items():
        assert got[url][0] == state, (url, got[url])
        if decided_by:
            assert got[url][1].startswith(decided_by), (url, got[url])
    assert "no opt-out found" in got["https://blog.tinkerlane.example/posts/bike-light.html"][1]


def test_signals_are_stored_with_value_place_and_time(scanned: Path) -> None:
    with Ledger(scanned, read_only=True) as store:
        rows = store.sql(
            "SELECT o.url, s.signal, s.opted_out, s.value, s.observed_where, s.observed_at FROM consent_signals s "
            "JOIN origins o USING (record_id)"
        ).to_pylist()
    by = {(r["url"], r["signal"]): r for r in rows}
    brightmoor = by[("https://news.brightmoor.example/2025/05/library-sundays.html", "robots.txt")]
    assert brightmoor["opted_out"] and brightmoor["observed_at"].startswith("2025-05")
    assert "robots-captures.warc.gz" in brightmoor["observed_where"]
    header = by[("https://blog.tinkerlane.example/posts/soldering-a-lamp.html", "x-robots-tag")]
    assert header["value"] == "noai, noimageai" and "X-Robots-Tag header" in header["observed_where"]
    noindex = [r for r in rows if r["url"].endswith("bike-light.html") and r["signal"] == "x-robots-tag"]
    assert noindex and all(r["opted_out"] is None for r in noindex)  # noindex says nothing about AI use
    allowed = by[("https://recipes.ovenlight.example/about.html", "tdmrep")]
    assert allowed["opted_out"] is False and "tdm-reservation: 0" in allowed["value"]
    malformed = by[("https://www.saltmarsh.example/", "robots.txt")]
    assert malformed["opted_out"] is None and malformed["value"].startswith("malformed")
    assert by[("https://www.quietharbor.example/", "robots.txt")]["observed_at"].startswith("2025-05-01")


def test_per_source_counts_follow_the_declared_basis_and_the_opt_outs(scanned: Path) -> None:
    got = counts(scanned)
    assert got[("crawl", "opted_out")] == 14 and got[("crawl", "no_objection")] == 4
    assert got[("forum", "opted_out")] == 2  # the registry's author entry: two posts by ines_garden
    assert got[("reviews", "opted_out")] == 1  # the registry's content hash
    assert got[("scraped", "unknown")] == 28 and ("scraped", "granted") not in got
    assert got[("books", "granted")] == 4


def test_the_state_at_collection_is_kept(scanned: Path) -> None:
    with Ledger(scanned, read_only=True) as store:
        assert store.scalar("SELECT count(*) FROM record_consent") == store.scalar("SELECT count(*) FROM records")
        differs = store.scalar(
            "SELECT count(*) FROM record_consent k JOIN consent_state c USING (record_id) WHERE k.state <> c.state"
        )
    assert differs == 0


# ---- registries ----------------------------------------------------------------------------------------------------
def test_a_registry_is_versioned_and_its_latest_version_speaks(ledger: Path, tmp_path: Path, sample_data: Path) -> None:
    original = sample_data / "registries" / "ai-optout-2025-06.csv"
    same = provenance.apply_registry(ledger, original, name="ai-optout")
    assert same.version == 1 and not same.new_version and same.records_matched == 6
    changed = tmp_path / "ai-optout.csv"
    rows = [r for r in csv.DictReader(original.open(encoding="utf-8")) if r["kind"] != "domain"]
    with changed.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=["kind", "value", "added", "note"])
        writer.writeheader()
        writer.writerows(rows)
    second = provenance.apply_registry(ledger, changed, name="ai-optout")
    assert second.version == 2 and second.new_version and second.records_matched == 4
    assert states_by_url(ledger)["https://shop.copperkettle.example/"][0] == "no_objection"
    with Ledger(ledger, read_only=True) as store:
        assert store.execute("SELECT version, entries FROM optout_registries ORDER BY version") == [(1, 5), (2, 3)]


def test_a_bad_registry_names_its_lines_and_changes_nothing(ledger: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("ok.example\nnot a domain at all!\n\nhttps://\n", encoding="utf-8")
    before = counts(ledger)
    with pytest.raises(provenance.InputError) as err:
        provenance.apply_registry(ledger, bad)
    assert "bad.txt" in str(err.value) and "2" in str(err.value) and "4" in str(err.value)
    assert counts(ledger) == before


def test_a_domain_entry_covers_subdomains_but_not_lookalikes(tmp_path: Path) -> None:
    rows = [
        {"text": f"Page number {i} about something", "url": url}
        for i, url in enumerate(
            [
                "https://example.com/a",
                "https://blog.example.com/b",
                "https://notexample.com/c",
                "http://EXAMPLE.com.:80/d",
            ]
        )
    ]
    data = tmp_path / "pages.jsonl"
    data.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    manifest = write_manifest_file(tmp_path, [source_entry("pages", [{"path": "pages.jsonl"}])])
    ledger = tmp_path / "l.duckdb"
    provenance.ingest(manifest, ledger)
    registry = tmp_path / "r.txt"
    registry.write_text("*.Example.COM.\n", encoding="utf-8")
    assert provenance.apply_registry(ledger, registry).records_matched == 3
    assert states_by_source_url(ledger)["https://notexample.com/c"] == "granted"


def states_by_source_url(path: Path) -> dict[str, str]:
    with Ledger(path, read_only=True) as store:
        return dict(store.execute("SELECT o.url, c.state FROM consent_state c JOIN origins o USING (record_id)"))


# ---- revocation ----------------------------------------------------------------------------------------------------
def consume(ledger: Path, name: str, source: str = "forum") -> str:
    """A training run that consumed every record of a source, as track() records it."""
    with provenance.run(name, ledger=ledger) as run, Ledger(ledger) as store:
        store.execute(
            "INSERT INTO run_records SELECT ?, record_id, 0, source_id FROM records WHERE source_id = ?",
            [run.run_id, source],
        )
    return run.run_id


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        ("domain", "tinkerlane.example", 3),
        ("url_prefix", "https://recipes.ovenlight.example/recipes/", 1),
        ("author", "@Ines_Garden", 2),
        ("source", "books", 4),
    ],
)
def test_revoke_by_scope_excludes_the_records_and_names_the_runs(
    ledger: Path, kind: str, value: str, expected: int
) -> None:
    run_id = consume(ledger, "sft-1", source={"author": "forum", "source": "books"}.get(kind, "crawl"))
    report = provenance.revoke(ledger, scope_kind=kind, value=value, reason="asked", actor="dpo")
    assert report.records_excluded == expected
    assert [r.run_id for r in report.runs] == [run_id] and report.runs[0].records == expected
    assert report.actor == "dpo" and report.scope_kind == kind
    listed = list(csv.DictReader(Path(report.exclusion_list).open(encoding="utf-8")))
    assert len({r["record_id"] for r in listed}) == expected
    assert all(len(r["content_hash"]) == 32 for r in listed)


def test_revoke_by_record_and_content_hash(ledger: Path, sample_data: Path) -> None:
    record = expected_record_id("books", (sample_data / "books" / "the-salt-road.txt").read_text(encoding="utf-8"))
    assert provenance.revoke(ledger, scope_kind="record", value=record).records_excluded == 1
    with Ledger(ledger, read_only=True) as store:
        content_hash = store.scalar("SELECT content_hash FROM records WHERE source_id = 'code' LIMIT 1")
    assert provenance.revoke(ledger, scope_kind="content_hash", value=content_hash.upper()).records_excluded >= 1
    assert counts(ledger)[("books", "revoked")] == 1


def test_a_revocation_reaches_records_that_arrive_later(tmp_path: Path) -> None:
    data = tmp_path / "pages.jsonl"
    data.write_text(json.dumps({"text": "first page of the site", "url": "https://a.example/1"}) + "\n")
    manifest = write_manifest_file(tmp_path, [source_entry("pages", [{"path": "pages.jsonl"}])])
    ledger = tmp_path / "l.duckdb"
    provenance.scan(manifest, ledger)
    assert provenance.revoke(ledger, scope_kind="domain", value="a.example").records_excluded == 1
    with data.open("a") as fh:
        fh.write(json.dumps({"text": "a page published later", "url": "https://www.a.example/2"}) + "\n")
    provenance.scan(manifest, ledger)
    assert states_by_source_url(ledger) == {"https://a.example/1": "revoked", "https://www.a.example/2": "revoked"}


def test_card_releases_that_described_revoked_records_are_listed(ledger: Path) -> None:
    from provenance.ledger.consent import record_release

    with Ledger(ledger) as store:
        record_release(store, "release-1", "card/", ["README.md"])
    report = provenance.revoke(ledger, scope_kind="source", value="news")
    assert [(r.release_id, r.records) for r in report.releases] == [("release-1", 8)]
    later = provenance.revoke(ledger, scope_kind="record", value=report.sample_records[0])
    assert later.releases[0].records == 1  # the release still described it when it was written


def test_the_revocation_log_is_chained_and_edits_are_detected(ledger: Path) -> None:
    for value in ("books", "news"):
        provenance.revoke(ledger, scope_kind="source", value=value, reason="withdrawn")
    table, problems = provenance.consent_log(ledger)
    assert table.num_rows == 2 and problems == []
    with Ledger(ledger) as store:
        store.execute("UPDATE consent_events SET reason = 'nothing to see' WHERE scope_value = 'books'")
    assert any("changed" in p for p in provenance.consent_log(ledger)[1])
    with Ledger(ledger) as store:
        store.execute("DELETE FROM consent_events WHERE scope_value = 'books'")
    assert any("predecessor" in p for p in provenance.consent_log(ledger)[1])


def test_revoking_an_unknown_source_or_a_bad_domain_is_refused(ledger: Path) -> None:
    with pytest.raises(provenance.InputError, match="no source 'nope'"):
        provenance.revoke(ledger, scope_kind="source", value="nope")
    with pytest.raises(provenance.InputError, match="cannot revoke domain"):
        provenance.revoke(ledger, scope_kind="domain", value="not a domain")
    assert provenance.consent_log(ledger)[0].num_rows == 0


# ---- the load-time gate --------------------------------------------------------------------------------------------
def test_track_drops_revoked_and_opted_out_records_and_unseen_copies(tmp_path: Path) -> None:
    ledger = tmp_path / "l.duckdb"
    source = {"id": "web", "name": "Web", "license": "CC0-1.0", "consent_basis": "licence_grant",
              "collection_method": "web_scraping"}  # fmt: skip
    rows = [{"text": f"text number {i}", "url": f"https://site{i % 3}.example/{i}"} for i in range(9)]
    provenance.track(rows, source=source, ledger=ledger)
    provenance.revoke(ledger, scope_kind="content_hash", value=expected_content_hash("text number 4"))
    registry = tmp_path / "r.txt"
    registry.write_text("site1.example\n")
    provenance.apply_registry(ledger, registry)
    later = [*rows, {"text": "text number 4", "url": "https://elsewhere.example/x"},
             {"text": "a new page", "url": "https://www.site1.example/new"}]  # fmt: skip
    with provenance.run("train", ledger=ledger, policy={"intended_use": "research"}):
        kept = [r["text"] for r in provenance.track(later, source="web", ledger=ledger)]
    assert kept == [r["text"] for i, r in enumerate(rows) if i % 3 != 1 and i != 4]
    off = {**source, "id": "web2"}
    with provenance.run("ignore", ledger=ledger, policy={"intended_use": "research", "drop_opted_out": False}):
        kept = [r["text"] for r in provenance.track(rows, source=off, ledger=ledger)]
    assert "text number 1" in kept and "text number 4" not in kept  # the copy is revoked by its content hash


def test_an_exclusion_list_from_elsewhere_is_honoured(tmp_path: Path) -> None:
    ledger = tmp_path / "l.duckdb"
    source = {"id": "s", "name": "S", "license": "MIT", "consent_basis": "licence_grant", "collection_method": "api"}
    listed = tmp_path / "exclusions.txt"
    listed.write_text(expected_record_id("s", "second") + "\n")
    kept = provenance.track(["first", "second", "third"], source=source, ledger=ledger,
                            policy={"intended_use": "research", "exclusion_lists": [str(listed)]})  # fmt: skip
    assert list(kept) == ["first", "third"]
    listed.write_text("not-an-id\n")
    with pytest.raises(provenance.InputError, match=r"exclusions\.txt:1"):
        list(provenance.track(["x"], source=source, ledger=ledger,
                              policy={"intended_use": "research", "exclusion_lists": [str(listed)]}))  # fmt: skip


# ---- removal requests ----------------------------------------------------------------------------------------------
def test_forget_finds_revokes_and_reports_without_revealing_values(ledger: Path) -> None:
    run_id = consume(ledger, "pretrain", source="forum")
    phone, ssn = "+44 20 7946 0958", "219-09-9999"
    expected = {r["record_id"] for r in provenance.lookup(ledger, {"phone": [phone], "ssn": [ssn]}).to_pylist()}
    evidence = provenance.forget(
        ledger, {"phone": [phone], "US_SSN": [ssn], "username": ["ines_garden"]}, request_id="DSR-7", actor="dpo"
    )
    with Ledger(ledger, read_only=True) as store:
        authored = {r[0] for r in store.execute("SELECT record_id FROM records WHERE meta->>'author' = 'ines_garden'")}
    found = {r.record_id for r in evidence.records}
    assert expected and found == expected | authored and len(authored) == 2
    assert evidence.records_excluded == len(found)
    assert [r.run_id for r in evidence.runs] == [run_id]
    assert {s.identifier for s in evidence.identifiers} == {"phone #1", "us_ssn #1", "username #1"}
    text = evidence.model_dump_json()
    for secret in (phone, ssn, "7946", "219-09", "ines_garden"):
        assert secret not in text
    assert counts(ledger).get(("forum", "revoked"), 0) >= 2
    table, problems = provenance.consent_log(ledger)
    assert problems == [] and table.column("scope_value").to_pylist() == ["DSR-7"]


def test_forget_dry_run_and_what_cannot_be_searched(ledger: Path) -> None:
    evidence = provenance.forget(ledger, {"email": ["nobody@example.net"], "name": ["Jane Example"]}, dry_run=True)
    assert evidence.records == [] and evidence.event_id is None
    assert any("NER" in note for note in evidence.not_searched)
    with pytest.raises(provenance.InputError, match="nothing in this removal request can be searched"):
        provenance.forget(ledger, {"name": ["Jane Example"]})
    assert provenance.consent_log(ledger)[0].num_rows == 0


# ---- re-check at training time -------------------------------------------------------------------------------------
def test_a_run_rechecks_consent_against_collection(ledger: Path, caplog: pytest.LogCaptureFixture) -> None:
    run_id = consume(ledger, "before", source="crawl")
    assert provenance.recheck(ledger, "before").records_changed == 0
    provenance.revoke(ledger, scope_kind="domain", value="saltmarsh.example", reason="site asked")
    report = provenance.recheck(ledger, run_id)
    assert report.run_name == "before" and report.records_changed == 3
    assert {(c.collected_state.value, c.state.value, c.records) for c in report.changes} == {
        ("no_objection", "revoked", 2),
        ("opted_out", "revoked", 1),
    }
    with caplog.at_level("WARNING", logger="provenance"):
        consume(ledger, "after", source="crawl")
    assert "consent changed since collection" in caplog.text
    with Ledger(ledger, read_only=True) as store:
        kept = store.execute("SELECT sum(records) FROM run_consent r JOIN runs u USING (run_id) WHERE name = 'after'")
    assert kept == [(3,)]


# ---- migration and command line ------------------------------------------------------------------------------------
def test_a_schema_2_ledger_is_upgraded_with_hosts(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, description VARCHAR, applied_at TIMESTAMPTZ)"
    )
    for migration in MIGRATIONS[:2]:
        for statement in migration.statements:
            con.execute(statement)
        con.execute("INSERT INTO schema_migrations VALUES (?, ?, now())", [migration.version, migration.description])
    con.execute(
        "INSERT INTO origins (record_id, source_id, kind, url) VALUES ('r', 's', 'file', 'https://A.example:8/x')"
    )
    con.close()
    path.with_name(path.name + ".key").write_text("00" * 32)
    with Ledger(path) as store:
        assert store.execute("SELECT host FROM origins") == [("a.example",)]
        assert store.scalar("SELECT max(version) FROM schema_migrations") == MIGRATIONS[-1].version


def test_cli_revoke_forget_recheck_and_log(ledger: Path, run_cli) -> None:
    consume(ledger, "cli-run", source="crawl")
    code, out, err = run_cli("consent", "revoke", "--ledger", ledger, "--domain", "lindenrow.example", "--reason", "r")
    assert code == 0, err
    assert "2 record(s) excluded (crawl 2)" in err and "cli-run" in err and "exclusion list" in err
    code, out, err = run_cli("consent", "revoke", "--ledger", ledger, "--domain", "x.example", "--source", "crawl")
    assert code != 0 and "exactly one scope" in err and "Traceback" not in err
    code, out, err = run_cli("consent", "recheck", "--ledger", ledger, "--run", "cli-run")
    assert code == 1 and "2 of 18 record(s)" in err and "opted_out -> revoked: 2" in err
    report = ledger.with_name("dsr.json")
    code, out, err = run_cli("forget", "--ledger", ledger, "--phone", "+44 20 7946 0958", "--request-id", "T-1",
                             "--report", report)  # fmt: skip
    assert code == 0, err
    assert "phone #1:" in err and "7946" not in out + err + report.read_text()
    assert json.loads(report.read_text())["request_id"] == "T-1"
    code, out, err = run_cli("consent", "log", "--ledger", ledger, "--format", "csv")
    assert code == 0 and "hash chain intact" in err and "T-1" in out
    code, out, err = run_cli("consent", "status", "--ledger", ledger, "--format", "json")
    assert (
        code == 0
        and {"source_id": "crawl", "state": "revoked"}.items()
        <= next(r for r in json.loads(out) if r["source_id"] == "crawl" and r["state"] == "revoked").items()
    )

"""The `provenance` command line, run as a user runs it: a separate process, exit codes, stdout for data, stderr
for messages, and never a traceback unless --debug is given."""

from __future__ import annotations

import csv
import io
import json
import re
import stat
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml

import provenance
from conftest import HeldLedger, read_corpus_independently, run_cli_in
from provenance import Ledger
from provenance.ledger import LATEST_VERSION
from provenance.models import CardMetadata, ScanReport

# The six deliberately broken lines of the sample corpus (sample_data/README.md).
BROKEN_LINES = (
    "wiki/articles.jsonl:6",
    "wiki/articles.jsonl:12",
    "wiki/articles.jsonl:17",
    "wiki/articles.jsonl:22",
    "reviews/reviews.csv:20",
    "scraped/lines.txt:12",
)
COMMANDS = [
    ["init"],
    ["ingest"],
    ["scan"],
    ["query"],
    ["sources", "list"],
    ["sources", "show"],
    ["card"],
    ["schemas"],
]


@pytest.fixture(scope="module")
def cli_scan(tmp_path_factory: pytest.TempPathFactory, sample_data: Path):
    """`provenance scan sample_data/` run once from a working folder of its own."""
    work = tmp_path_factory.mktemp("cli")
    ledger = work / "prov.duckdb"
    code, out, err = run_cli_in(work, "scan", sample_data, "--ledger", ledger, "--report", work / "report.json")
    assert code == 0, err
    return {"work": work, "ledger": ledger, "stdout": out, "stderr": err, "report": work / "report.json"}


def expected_counts(sample_data: Path) -> dict[str, int]:
    truth = read_corpus_independently(sample_data / "sources.yaml")
    return {sid: len({r.text for r in recs}) for sid, recs in truth.by_source().items()}


def assert_clean_error(code: int, err: str, expected_code: int) -> None:
    assert code == expected_code, err
    assert "Traceback" not in err
    assert "error:" in err


# ---- basics --------------------------------------------------------------------------------------------------------
def test_version(run_cli) -> None:
    code, out, err = run_cli("--version")
    assert code == 0, err
    assert out.strip() == f"provenance {provenance.__version__}"


@pytest.mark.parametrize("command", COMMANDS, ids=[" ".join(c) for c in COMMANDS])
def test_every_command_help_has_an_example(run_cli, command: list[str]) -> None:
    code, out, err = run_cli(*command, "--help")
    assert code == 0, err
    assert "Example" in out
    assert "provenance " + command[0] in out.split("Example", 1)[1]


def test_init_creates_a_ledger_with_a_private_key(run_cli, tmp_path: Path) -> None:
    ledger = tmp_path / "new.duckdb"
    code, _, err = run_cli("init", "--ledger", ledger)
    assert code == 0, err
    assert ledger.exists()
    assert stat.S_IMODE(ledger.with_name("new.duckdb.key").stat().st_mode) == 0o600
    with Ledger(ledger, read_only=True) as store:
        assert store.scalar("SELECT max(version) FROM schema_migrations") == LATEST_VERSION


def test_ledger_option_reads_the_environment(run_cli, tmp_path: Path) -> None:
    """PROVENANCE_LEDGER chooses the ledger when --ledger is not given."""
    ledger = tmp_path / "env.duckdb"
    code, _, err = run_cli("init", env={"PROVENANCE_LEDGER": str(ledger)})
    assert code == 0, err
    assert ledger.exists()
    assert not (tmp_path / provenance.DEFAULT_LEDGER).exists()


# ---- scan ----------------------------------------------------------------------------------------------------------
def test_scan_summary_names_the_broken_lines(cli_scan) -> None:
    err = cli_scan["stderr"]
    assert "Traceback" not in err
    for where in BROKEN_LINES:
        assert where in err, where
    assert f"{len(BROKEN_LINES)} unreadable" in err


def test_scan_report_file_matches_the_ledger(cli_scan, sample_data: Path) -> None:
    report = ScanReport.model_validate_json(cli_scan["report"].read_text(encoding="utf-8"))
    assert report.status == "finished"
    counts = expected_counts(sample_data)
    assert {s.source_id: s.records_added for s in report.sources} == counts
    assert report.bad_records_total == len(BROKEN_LINES)


def test_ingest_records_without_scanning(run_cli, sample_data: Path, tmp_path: Path) -> None:
    ledger = tmp_path / "ingest.duckdb"
    code, _, err = run_cli("ingest", sample_data, "--ledger", ledger)
    assert code == 0, err
    with Ledger(ledger, read_only=True) as store:
        by_source = dict(store.execute("SELECT source_id, count(*) FROM records GROUP BY 1"))
        assert store.scalar("SELECT count(*) FROM findings") == 0
    assert by_source == expected_counts(sample_data)


def test_scan_with_sources_option_and_relative_paths(run_cli, sample_data: Path, tmp_path: Path) -> None:
    """`scan --sources FILE`, with paths given relative to the working directory."""
    manifest = (sample_data / "sources.yaml").relative_to(sample_data.parent)
    code, _, err = run_cli(
        "scan", "--sources", manifest, "--ledger", tmp_path / "l.duckdb", "-q", cwd=sample_data.parent
    )
    assert code == 0, err
    assert "articles.jsonl:6" in err


# ---- query ---------------------------------------------------------------------------------------------------------
SQL = "select source_id, count(*) from records group by 1"


def test_query_csv(cli_scan, sample_data: Path) -> None:
    code, out, err = run_cli_in(cli_scan["work"], "query", SQL, "--ledger", cli_scan["ledger"], "--format", "csv")
    assert code == 0, err
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0][0] == "source_id"
    assert {r[0]: int(r[1]) for r in rows[1:]} == expected_counts(sample_data)


def test_query_json(cli_scan, sample_data: Path) -> None:
    code, out, err = run_cli_in(cli_scan["work"], "query", SQL, "--ledger", cli_scan["ledger"], "--format", "json")
    assert code == 0, err
    rows = json.loads(out)
    assert {r["source_id"]: r["count_star()"] for r in rows} == expected_counts(sample_data)


def test_query_parquet(cli_scan, sample_data: Path, tmp_path: Path) -> None:
    target = tmp_path / "f.parquet"
    code, _, err = run_cli_in(
        cli_scan["work"], "query", SQL, "--ledger", cli_scan["ledger"], "--format", "parquet", "--output", target
    )
    assert code == 0, err
    table = pq.read_table(target)
    assert dict(zip(*[table.column(i).to_pylist() for i in range(2)], strict=True)) == expected_counts(sample_data)


def test_query_table_is_the_default(cli_scan, sample_data: Path) -> None:
    code, out, err = run_cli_in(cli_scan["work"], "query", SQL, "--ledger", cli_scan["ledger"])
    assert code == 0, err
    for sid, n in expected_counts(sample_data).items():
        assert any(sid in line and str(n) in line for line in out.splitlines()), sid


def test_query_cannot_write(cli_scan) -> None:
    code, _, err = run_cli_in(cli_scan["work"], "query", "DELETE FROM records", "--ledger", cli_scan["ledger"])
    assert_clean_error(code, err, 6)
    with Ledger(cli_scan["ledger"], read_only=True) as store:
        assert store.scalar("SELECT count(*) FROM records") > 0


# ---- sources -------------------------------------------------------------------------------------------------------
def test_sources_list(cli_scan, sample_data: Path) -> None:
    code, out, err = run_cli_in(
        cli_scan["work"], "sources", "list", "--ledger", cli_scan["ledger"], env={"COLUMNS": "250"}
    )
    assert code == 0, err
    declared = yaml.safe_load((sample_data / "sources.yaml").read_text())["sources"]
    counts = expected_counts(sample_data)
    lines = out.splitlines()
    for source in declared:
        row = next(
            (line for line in lines if line.split("│")[1:2] and line.split("│")[1].strip() == source["id"]), None
        )
        assert row is not None, source["id"]
        assert source["name"] in row
        assert provenance.licenses.normalize_license(source["license"]).spdx in row
        assert source["consent_basis"] in row
        assert source["collection_method"] in row
        assert f" {counts[source['id']]} " in row


def test_sources_list_piped_shows_whole_licence_ids(cli_scan, sample_data: Path) -> None:
    code, out, err = run_cli_in(cli_scan["work"], "sources", "list", "--ledger", cli_scan["ledger"])
    assert code == 0, err
    for source in yaml.safe_load((sample_data / "sources.yaml").read_text())["sources"]:
        assert provenance.licenses.normalize_license(source["license"]).spdx in out, source["id"]
        assert source["consent_basis"] in out, source["id"]


def test_sources_show(cli_scan, sample_data: Path) -> None:
    code, out, err = run_cli_in(cli_scan["work"], "sources", "show", "wiki", "--ledger", cli_scan["ledger"])
    assert code == 0, err
    shown = json.loads(out)
    declared = next(
        s for s in yaml.safe_load((sample_data / "sources.yaml").read_text())["sources"] if s["id"] == "wiki"
    )
    assert shown["source_id"] == "wiki"
    assert shown["name"] == declared["name"]
    assert shown["license"] == declared["license"]
    assert shown["consent_basis"] == declared["consent_basis"]
    assert shown["collection_method"] == declared["collection_method"]
    assert shown["languages"] == declared["languages"]
    assert shown["attribution"] == declared["attribution"]


# ---- card ----------------------------------------------------------------------------------------------------------
def _hf_size(n: int) -> str:
    bounds = [(1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M")]
    return next(label for limit, label in bounds if n < limit)


def _hf_license(spdx: str) -> str:
    """The Hub's licence id for an SPDX id, from the Hub's own list (ids it does not know become 'other')."""
    from provenance.cards.hf_validate import hf_enums

    if spdx == "NOASSERTION":
        return "unknown"
    hub = set(hf_enums()["license"]) - {"other", "unknown"}
    if " " in spdx or spdx.startswith("LicenseRef-"):
        return "other"
    for candidate in (spdx.lower(), re.sub(r"-(only|or-later)$", "", spdx.lower())):
        if candidate in hub:
            return candidate
    return "other"


def test_card_front_matter_and_counts_match_the_ledger(cli_scan, sample_data: Path, tmp_path: Path) -> None:
    out_dir = tmp_path / "card"
    code, _, err = run_cli_in(
        cli_scan["work"], "card", "--ledger", cli_scan["ledger"], "--output", out_dir, "--name", "Sample corpus"
    )
    assert code == 0, err
    text = (out_dir / "README.md").read_text(encoding="utf-8")
    assert text.startswith("---\n")
    front, body = text[4:].split("\n---\n", 1)
    meta = CardMetadata.model_validate(yaml.safe_load(front))

    with Ledger(cli_scan["ledger"], read_only=True) as store:
        per_source = dict(store.execute("SELECT source_id, count(*) FROM records GROUP BY 1"))
        files = dict(store.execute("SELECT source_id, count(*) FROM files GROUP BY 1"))
        bad = dict(store.execute("SELECT source_id, count(*) FROM bad_records GROUP BY 1"))
        licences = {
            r[0]
            for r in store.execute(
                "SELECT DISTINCT coalesce(r.record_license, s.license) FROM records r JOIN sources s USING (source_id)"
            )
        }
    total = sum(per_source.values())
    declared = yaml.safe_load((sample_data / "sources.yaml").read_text())["sources"]

    assert meta.pretty_name == "Sample corpus"
    assert meta.size_categories == [_hf_size(total)]
    assert sorted(meta.license if isinstance(meta.license, list) else [meta.license]) == sorted(
        {_hf_license(lic) for lic in licences}
    )
    assert meta.language == sorted({lang for s in declared for lang in s.get("languages", [])})
    assert f"{total:,} distinct records" in body
    for sid, n in per_source.items():
        row = next(line for line in body.splitlines() if line.startswith(f"| {sid} ("))
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert cells[4] == f"{n:,}", row  # records [measured]
        assert cells[6] == f"{files[sid]:,}", row  # files [measured]
        assert cells[7] == f"{bad.get(sid, 0):,}", row  # unreadable lines [measured]
    assert per_source == expected_counts(sample_data)


# ---- errors and exit codes -----------------------------------------------------------------------------------------
def test_bad_manifest_exits_3_naming_the_line(run_cli, tmp_path: Path) -> None:
    manifest = tmp_path / "sources.yaml"
    manifest.write_text(
        "version: 1\nsources:\n  - id: x\n    name: X\n    license: Apache-2\n    consent_basis: contract\n"
        "    collection_method: api\n    data:\n      - path: '*.jsonl'\n",
        encoding="utf-8",
    )
    code, _, err = run_cli("scan", "--sources", manifest, "--ledger", tmp_path / "l.duckdb")
    assert_clean_error(code, err, 3)
    assert "sources.yaml:5" in err
    assert "Apache-2" in err


def test_ledger_busy_exits_5(run_cli, tmp_path: Path, sample_data: Path) -> None:
    ledger = tmp_path / "busy.duckdb"
    Ledger(ledger).close()
    with HeldLedger(ledger):
        for args in (["scan", sample_data], ["query", "select 1"], ["sources", "list"], ["init"]):
            code, _, err = run_cli(*args, "--ledger", ledger)
            assert_clean_error(code, err, 5)
            assert "in use" in err


def test_bad_sql_exits_6(cli_scan) -> None:
    code, _, err = run_cli_in(cli_scan["work"], "query", "selec nonsense", "--ledger", cli_scan["ledger"])
    assert_clean_error(code, err, 6)
    assert "syntax" in err.lower()


def test_unknown_source_exits_3(cli_scan) -> None:
    code, _, err = run_cli_in(cli_scan["work"], "sources", "show", "nope", "--ledger", cli_scan["ledger"])
    assert_clean_error(code, err, 3)
    assert "nope" in err


@pytest.mark.parametrize(
    ("args", "expected_code"),
    [
        (["query", "select 1", "--ledger", "missing.duckdb"], 4),
        (["sources", "list", "--ledger", "missing.duckdb"], 4),
        (["card", "--ledger", "missing.duckdb"], 4),
        (["query", "select 1", "--format", "parquet", "--ledger", "{ledger}"], 3),
        (["query", "select 1", "--format", "xml", "--ledger", "{ledger}"], 3),
        (["query", "select * from read_csv('/etc/passwd')", "--ledger", "{ledger}"], 6),
        (["scan", "{sample}", "--scanner", "nope", "--ledger", "x.duckdb"], 3),
        (["scan", "no/such/folder", "--ledger", "x.duckdb"], 3),
    ],
    ids=[
        "query-missing-ledger",
        "sources-missing-ledger",
        "card-missing-ledger",
        "parquet-without-output",
        "unknown-format",
        "outside-file",
        "unknown-scanner",
        "missing-corpus",
    ],
)
def test_errors_have_exit_codes_and_no_traceback(
    cli_scan, sample_data: Path, tmp_path: Path, args: list[str], expected_code: int
) -> None:
    args = [a.format(ledger=cli_scan["ledger"], sample=sample_data) for a in args]
    code, _, err = run_cli_in(tmp_path, *args)
    assert_clean_error(code, err, expected_code)
    assert "hint:" in err


def test_debug_shows_the_traceback(cli_scan) -> None:
    code, _, err = run_cli_in(cli_scan["work"], "--debug", "query", "selec", "--ledger", cli_scan["ledger"])
    assert code == 6
    assert "Traceback" in err


# ---- schemas -------------------------------------------------------------------------------------------------------
def test_schemas_check_passes_on_the_committed_schemas(run_cli, repo_root: Path) -> None:
    code, _, err = run_cli("schemas", "--check", "--output", repo_root / "schemas")
    assert code == 0, err


def test_schemas_writes_what_is_committed(run_cli, repo_root: Path, tmp_path: Path) -> None:
    code, _, err = run_cli("schemas", "--output", tmp_path / "out")
    assert code == 0, err
    written = {p.name: p.read_text() for p in (tmp_path / "out").iterdir()}
    committed = {p.name: p.read_text() for p in (repo_root / "schemas").glob("*.schema.json")}
    assert written == committed
    assert Counter(p.suffix for p in (tmp_path / "out").iterdir()) == Counter({".json": len(committed)})


def test_schemas_check_reports_drift(run_cli, repo_root: Path, tmp_path: Path) -> None:
    stale = tmp_path / "schemas"
    stale.mkdir()
    for p in (repo_root / "schemas").glob("*.schema.json"):
        (stale / p.name).write_text(p.read_text())
    victim = next(iter(sorted(stale.iterdir())))
    victim.write_text("{}\n")
    code, _, err = run_cli("schemas", "--check", "--output", stale)
    assert code == 1
    assert victim.name in err

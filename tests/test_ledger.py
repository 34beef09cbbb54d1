"""The DuckDB ledger: schema and versions, the key file, idempotent and transactional writes, one writer at a time,
and a query function that can look but never change or reach outside the ledger."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

import provenance
from conftest import HeldLedger, source_entry, table_counts, write_manifest_file
from provenance import Ledger, LedgerBusyError, LedgerError, QueryError
from provenance.ledger import LATEST_VERSION
from provenance.models import DataFormat
from provenance.readers import FieldSpec, read_path

REQUIRED_TABLES = ("sources", "records", "origins", "findings", "scans", "runs", "run_records", "consent_events")


def tables_of(path: Path) -> set[str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    finally:
        con.close()


# ---- creation, version, key ----------------------------------------------------------------------------------------
def test_new_ledger_has_every_table_at_the_latest_schema_version(ledger_path: Path) -> None:
    with Ledger(ledger_path) as store:
        version = store.scalar("SELECT max(version) FROM schema_migrations")
    assert version == LATEST_VERSION
    assert set(REQUIRED_TABLES) <= tables_of(ledger_path)


def test_init_is_the_same_as_opening_and_is_repeatable(ledger_path: Path) -> None:
    provenance.init(str(ledger_path)).close()
    provenance.init(str(ledger_path)).close()  # opening again applies nothing twice
    with Ledger(ledger_path, read_only=True) as store:
        assert store.scalar("SELECT count(*) FROM schema_migrations") == LATEST_VERSION
        assert all(n == 0 for t, n in store.table_counts().items() if t not in ("schema_migrations", "ledger_info"))


def test_an_old_ledger_is_upgraded_in_place_keeping_its_rows(ledger_path: Path) -> None:
    from provenance.ledger.schema import MIGRATIONS

    ledger_path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(ledger_path))  # a ledger as the first release wrote it
    con.execute(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, description VARCHAR, applied_at TIMESTAMPTZ)"
    )
    for statement in MIGRATIONS[0].statements:
        con.execute(statement)
    con.execute("INSERT INTO schema_migrations VALUES (1, 'first', now())")
    con.execute("INSERT INTO runs (run_id, name) VALUES ('r1', 'old run')")
    con.close()
    ledger_path.with_name(ledger_path.name + ".key").write_text("00" * 32)
    with Ledger(ledger_path) as store:
        assert store.scalar("SELECT max(version) FROM schema_migrations") == LATEST_VERSION
        assert store.scalar("SELECT name FROM runs WHERE run_id = 'r1'") == "old run"
        assert "spool_merged" in {r[0] for r in store.execute("SELECT table_name FROM information_schema.tables")}


def test_key_file_is_private_and_stable(ledger_path: Path) -> None:
    Ledger(ledger_path).close()
    key = ledger_path.with_name(ledger_path.name + ".key")
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    first = key.read_text()
    assert len(bytes.fromhex(first.strip())) == 32
    Ledger(ledger_path).close()
    assert key.read_text() == first  # reopening never replaces the key


def test_each_ledger_gets_its_own_key(tmp_path: Path) -> None:
    Ledger(tmp_path / "a.duckdb").close()
    Ledger(tmp_path / "b.duckdb").close()
    assert (tmp_path / "a.duckdb.key").read_text() != (tmp_path / "b.duckdb.key").read_text()


def test_missing_key_of_an_existing_ledger_is_an_error(ledger_path: Path) -> None:
    Ledger(ledger_path).close()
    ledger_path.with_name(ledger_path.name + ".key").unlink()
    with pytest.raises(LedgerError):
        Ledger(ledger_path).close()


def test_ledger_from_a_newer_toolkit_is_refused(ledger_path: Path) -> None:
    Ledger(ledger_path).close()
    con = duckdb.connect(str(ledger_path))
    con.execute("INSERT INTO schema_migrations VALUES (999, 'from the future', now())")
    con.close()
    for read_only in (False, True):
        with pytest.raises(LedgerError) as info:
            Ledger(ledger_path, read_only=read_only)
        assert "999" in str(info.value)
    with pytest.raises(LedgerError):
        provenance.query(str(ledger_path), "SELECT 1")


def test_not_a_ledger_is_a_ledger_error(tmp_path: Path) -> None:
    junk = tmp_path / "junk.duckdb"
    junk.write_bytes(os.urandom(4096))
    with pytest.raises(LedgerError):
        Ledger(junk)
    with pytest.raises(LedgerError):
        Ledger(tmp_path / "missing.duckdb", read_only=True)
    assert not (tmp_path / "missing.duckdb").exists()


def test_plain_duckdb_file_is_not_a_ledger_for_reading(tmp_path: Path) -> None:
    path = tmp_path / "plain.duckdb"
    duckdb.connect(str(path)).close()
    with pytest.raises(LedgerError):
        Ledger(path, read_only=True)


# ---- idempotent writes ---------------------------------------------------------------------------------------------
@pytest.fixture
def small_corpus(tmp_path: Path, write_manifest) -> Path:
    data = tmp_path / "corpus"
    data.mkdir()
    (data / "a.jsonl").write_text(
        "".join(f'{{"text": "record {i}", "url": "https://example.com/{i}", "title": "t{i}"}}\n' for i in range(40))
        + '{"text": "record 3"}\n{"broken\n',
        encoding="utf-8",
    )
    (data / "b.csv").write_text("id,text\n" + "".join(f"{i},row {i}\n" for i in range(25)), encoding="utf-8")
    return write_manifest(
        [
            source_entry("alpha", [{"path": "corpus/a.jsonl", "metadata": ["title"]}]),
            source_entry("beta", [{"path": "corpus/b.csv"}], license="CC-BY-4.0"),
        ]
    )


def test_reingesting_adds_nothing(small_corpus: Path, ledger_path: Path) -> None:
    first = provenance.ingest(small_corpus, ledger_path)
    assert first.records_added == 40 + 25
    before = table_counts(ledger_path)
    again = provenance.ingest(small_corpus, ledger_path, force=True)
    assert again.records_read == first.records_read
    assert again.records_added == 0
    after = table_counts(ledger_path)
    for table in ("records", "origins", "findings", "record_scans", "sources"):
        assert after[table] == before[table], table


def _batch(path: Path, source_id: str = "alpha"):
    return next(iter(read_path(path, DataFormat.jsonl, source_id, FieldSpec(("text",), "url"))))


def _append(store: Ledger, batch, scan_id: str, *, new_place: bool) -> int:
    table = batch.table.append_column("record_license_raw", batch.table.column("record_license"))
    return store.append(
        source_id=batch.source_id,
        origin=batch.origin.model_dump(mode="json"),
        table=table,
        scan_id=scan_id,
        new_place=new_place,
        bad=batch.bad,
    )


def test_append_same_batch_twice_adds_nothing_the_second_time(small_corpus: Path, ledger_path: Path) -> None:
    batch = _batch(small_corpus.parent / "corpus" / "a.jsonl")
    with Ledger(ledger_path) as store:
        scan_id = store.begin_scan("test", [], 1)
        added = _append(store, batch, scan_id, new_place=True)
        assert added == len(set(batch.table.column("record_id").to_pylist())) == 40
        counts = store.table_counts()
        assert counts["origins"] == batch.num_rows == 41
        assert _append(store, batch, scan_id, new_place=False) == 0
        again = store.table_counts()
    assert again["records"] == counts["records"]
    assert again["origins"] == counts["origins"]


# ---- transactions --------------------------------------------------------------------------------------------------
BATCH_TABLES = ("records", "origins", "findings", "record_scans", "bad_records", "scan_partials")


@pytest.mark.parametrize("fail_on", ["INSERT INTO origins", "INSERT INTO bad_records", "INSERT INTO record_scans"])
def test_failure_inside_append_leaves_the_ledger_as_it_was(
    small_corpus: Path, ledger_path: Path, monkeypatch: pytest.MonkeyPatch, fail_on: str
) -> None:
    provenance.scan(small_corpus, ledger_path)  # something already in the ledger
    extra = small_corpus.parent / "corpus" / "c.jsonl"
    extra.write_text('{"text": "new one"}\n{"text": "new two"}\n{"broken\n', encoding="utf-8")
    batch = _batch(extra)
    before = table_counts(ledger_path)

    real_execute = Ledger.execute

    def failing_execute(self, sql, params=None):
        if sql.lstrip().startswith(fail_on):
            raise RuntimeError(f"simulated failure in: {fail_on}")
        return real_execute(self, sql, params)

    from provenance.scanners import create

    scanner = create("textstats")
    output = scanner.scan(batch.table)
    with Ledger(ledger_path) as store:
        scan_id = store.begin_scan("test", [str(scanner.stamp)], 1)
        before = store.table_counts()
        monkeypatch.setattr(Ledger, "execute", failing_execute)
        table = batch.table.append_column("record_license_raw", batch.table.column("record_license"))
        with pytest.raises(RuntimeError, match="simulated failure"):
            store.append(
                source_id="alpha",
                origin=batch.origin.model_dump(mode="json"),
                table=table,
                scan_id=scan_id,
                new_place=True,
                bad=batch.bad,
                scanned=[("textstats", str(scanner.stamp), output.findings, table.column("record_id"), output.partial)],
            )
        monkeypatch.setattr(Ledger, "execute", real_execute)
        after_failure = store.table_counts()
        # the ledger is usable afterwards, and the same batch then goes in whole
        added = store.append(
            source_id="alpha",
            origin=batch.origin.model_dump(mode="json"),
            table=table,
            scan_id=scan_id,
            new_place=True,
            bad=batch.bad,
            scanned=[("textstats", str(scanner.stamp), output.findings, table.column("record_id"), output.partial)],
        )
        after_retry = store.table_counts()
    for t in BATCH_TABLES:
        assert after_failure[t] == before[t], t
    assert added == 2
    assert after_retry["origins"] == before["origins"] + 2
    assert after_retry["bad_records"] == before["bad_records"] + 1
    assert after_retry["findings"] == before["findings"] + output.findings.num_rows


# ---- one writer at a time ------------------------------------------------------------------------------------------
@pytest.fixture
def held_ledger(ledger_path: Path):
    """A ledger held open for writing by another process, until the test ends."""
    Ledger(ledger_path).close()
    with HeldLedger(ledger_path) as holder:
        yield ledger_path, holder


def test_second_writer_gets_ledger_busy(held_ledger) -> None:
    path, _holder = held_ledger
    with pytest.raises(LedgerBusyError) as info:
        Ledger(path)
    assert str(path) in str(info.value)
    assert LedgerBusyError.exit_code == 5
    # readers are turned away too, with the same actionable error
    with pytest.raises(LedgerBusyError):
        provenance.query(str(path), "SELECT count(*) FROM records")


def test_writer_in_another_process_is_turned_away(ledger_path: Path) -> None:
    probe = textwrap.dedent(
        """
        import sys
        import provenance
        try:
            provenance.Ledger(sys.argv[1])
        except provenance.LedgerBusyError:
            print("BUSY")
        else:
            print("OPENED")
        """
    )
    with Ledger(ledger_path):
        result = subprocess.run(
            [sys.executable, "-c", probe, str(ledger_path)], capture_output=True, text=True, timeout=60
        )
    assert result.stdout.strip() == "BUSY", result.stderr
    with Ledger(ledger_path):  # and once released, it opens again
        pass


# ---- read-only queries ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def filled_ledger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A scanned ledger shared by the query tests, which must never change it."""
    root = tmp_path_factory.mktemp("filled")
    (root / "a.jsonl").write_text("".join(f'{{"text": "record {i}"}}\n' for i in range(40)), encoding="utf-8")
    (root / "b.csv").write_text("id,text\n" + "".join(f"{i},row {i}\n" for i in range(25)), encoding="utf-8")
    manifest = write_manifest_file(
        root, [source_entry("alpha", [{"path": "a.jsonl"}]), source_entry("beta", [{"path": "b.csv"}])]
    )
    ledger = root / "filled.duckdb"
    provenance.scan(manifest, ledger)
    return ledger


def test_query_returns_an_arrow_table(filled_ledger: Path) -> None:
    result = provenance.query(str(filled_ledger), "SELECT source_id, count(*) AS n FROM records GROUP BY 1 ORDER BY 1")
    assert isinstance(result, pa.Table)
    assert result.to_pylist() == [{"source_id": "alpha", "n": 40}, {"source_id": "beta", "n": 25}]


@pytest.mark.parametrize(
    "sql",
    [
        "INSERT INTO runs (run_id, name) VALUES ('r', 'n')",
        "DELETE FROM records",
        "UPDATE records SET n_chars = 0",
        "CREATE TABLE x (a INTEGER)",
        "DROP TABLE records",
        "CREATE VIEW v AS SELECT 1",
        "COPY records TO '{out}'",
        "COPY (SELECT * FROM records) TO '{out}' (FORMAT parquet)",
        "EXPORT DATABASE '{dir}'",
        "ATTACH '{other}' AS other",
        "SELECT 1; DELETE FROM records",
    ],
)
def test_query_refuses_writes(filled_ledger: Path, tmp_path: Path, sql: str) -> None:
    before = table_counts(filled_ledger)
    sql = sql.format(out=tmp_path / "out.csv", dir=tmp_path / "export", other=tmp_path / "other.duckdb")
    with pytest.raises(QueryError):
        provenance.query(str(filled_ledger), sql)
    assert table_counts(filled_ledger) == before
    assert not (tmp_path / "out.csv").exists()
    assert not (tmp_path / "export").exists()
    assert not (tmp_path / "other.duckdb").exists()


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT * FROM read_csv_auto('/etc/passwd')",
        "SELECT * FROM read_text('/etc/passwd')",
        "SELECT * FROM '/etc/passwd'",
        "SELECT * FROM glob('/etc/*')",
        "SELECT * FROM read_json('{outside}')",
        "SET enable_external_access = true",
        "SET enable_external_access = true; SELECT * FROM read_csv('/etc/passwd')",
        "INSTALL httpfs",
        "LOAD httpfs",
    ],
)
def test_query_cannot_read_outside_files(filled_ledger: Path, tmp_path: Path, sql: str) -> None:
    outside = tmp_path / "secret.json"
    outside.write_text('{"secret": "do not read"}')
    with pytest.raises(QueryError):
        provenance.query(str(filled_ledger), sql.format(outside=outside))


def test_query_error_says_what_went_wrong(filled_ledger: Path) -> None:
    with pytest.raises(QueryError) as info:
        provenance.query(str(filled_ledger), "SELEC nonsense")
    assert "syntax" in str(info.value).lower()
    assert info.value.exit_code == 6


def test_query_does_not_leave_the_ledger_locked(filled_ledger: Path) -> None:
    provenance.query(str(filled_ledger), "SELECT 1")
    with Ledger(filled_ledger):
        pass


# ---- near-duplicate pairs: the SQL against a brute-force pairing -----------------------------------------------------
class _Findings:
    """Just enough of a ledger for the pairing queries: a findings table of MinHash signatures."""

    def __init__(self, signatures: list[tuple[str, str]]) -> None:
        self.con = duckdb.connect()
        self.con.execute("CREATE TABLE findings (record_id VARCHAR, label VARCHAR, stamp VARCHAR, value_hash VARCHAR)")
        self.con.executemany("INSERT INTO findings VALUES (?, 'minhash_lsh', 's', ?)", signatures)

    def sql(self, query: str, params: list) -> pa.Table:
        return self.con.sql(query, params=params).to_arrow_table()

    def scalar(self, query: str, params: list) -> object:
        return self.con.execute(query, params).fetchall()[0][0]


@pytest.mark.parametrize("seed", range(4))
def test_near_duplicate_pairs_are_exactly_the_records_sharing_enough_bands(seed: int) -> None:
    import random
    from itertools import combinations

    from provenance.ledger.queries import MAX_BUCKET, near_duplicate_count, near_duplicate_pairs

    rng = random.Random(seed)
    records = [f"{n:032x}" for n in range(300)]
    # few values per band, so records share some bands by chance, and some buckets outgrow MAX_BUCKET (boilerplate)
    alphabet = [rng.randint(2, 40) for _ in range(16)]
    signatures = {r: "".join(f"{rng.randrange(alphabet[b]):08x}" for b in range(16)) for r in records}
    rows = [(r, s) for r, s in signatures.items()] + [(r, signatures[r]) for r in rng.sample(records, 20)]  # again
    buckets: dict[tuple[int, str], set[str]] = {}
    for r, s in signatures.items():
        for b in range(16):
            buckets.setdefault((b, s[b * 8 : b * 8 + 8]), set()).add(r)
    shared: dict[tuple[str, str], int] = {}
    for members in buckets.values():
        if len(members) <= MAX_BUCKET:
            for pair in combinations(sorted(members), 2):
                shared[pair] = shared.get(pair, 0) + 1
    ledger = _Findings(rows)
    for least in (1, 2, 3):
        expected = {pair: n for pair, n in shared.items() if n >= least}
        got = near_duplicate_pairs(ledger, "s", least).to_pylist()  # type: ignore[arg-type]
        assert {(p["record_a"], p["record_b"]): p["bands"] for p in got} == expected
        assert len(got) == len(expected) == near_duplicate_count(ledger, "s", least)  # type: ignore[arg-type]

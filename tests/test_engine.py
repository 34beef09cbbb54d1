"""Scanning: counts match the files, broken lines are reported, re-scans are idempotent, parallel scans agree with
serial ones, and a scan stopped at any point (Ctrl-C, SIGKILL, an error) resumes to exactly the same ledger."""

from __future__ import annotations

import csv
import gzip
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import provenance
from conftest import (
    CONTENT_QUERIES,
    CountingSink,
    InterruptAfter,
    expected_normalize,
    expected_record_id,
    ledger_content,
    read_corpus_independently,
    source_entry,
    table_counts,
    write_manifest_file,
)
from provenance import Ledger
from provenance.engine import Interrupted
from provenance.ledger import near_duplicate_pairs
from provenance.scanners import create

SAMPLE_BROKEN = {
    ("wiki/articles.jsonl", 6),
    ("wiki/articles.jsonl", 12),
    ("wiki/articles.jsonl", 17),
    ("wiki/articles.jsonl", 22),
    ("reviews/reviews.csv", 20),
    ("scraped/lines.txt", 12),
}


def copy_ledger(src: Path, dst_dir: Path) -> Path:
    dst_dir.mkdir(parents=True, exist_ok=True)
    dst = dst_dir / src.name
    shutil.copy2(src, dst)
    shutil.copy2(src.with_name(src.name + ".key"), dst.with_name(dst.name + ".key"))
    return dst


def rel(path: str, root: Path) -> str:
    return Path(path).relative_to(root).as_posix()


def assert_no_duplicate_rows(path: Path) -> None:
    with Ledger(path, read_only=True) as store:
        assert store.scalar("SELECT count(*) - count(DISTINCT record_id) FROM records") == 0
        assert (
            store.scalar(
                'SELECT count(*) FROM (SELECT record_id, path, dataset_repo, dataset_split, line, "row" FROM origins '
                "GROUP BY ALL HAVING count(*) > 1)"
            )
            == 0
        )
        assert (
            store.scalar(
                "SELECT count(*) FROM (SELECT record_id, stamp FROM record_scans GROUP BY ALL HAVING count(*) > 1)"
            )
            == 0
        )
        assert (
            store.scalar(
                "SELECT count(*) FROM (SELECT record_id, stamp, label FROM findings GROUP BY ALL HAVING count(*) > 1)"
            )
            == 0
        )


def assert_consistent(path: Path) -> None:
    """What one transaction writes stays together: every record has an origin and, per stamp, a scan mark."""
    with Ledger(path, read_only=True) as store:
        assert store.scalar("SELECT count(*) FROM records r ANTI JOIN origins o USING (record_id)") == 0
        assert store.scalar("SELECT count(*) FROM origins o ANTI JOIN records r USING (record_id)") == 0
        stamps = [r[0] for r in store.execute("SELECT DISTINCT stamp FROM record_scans")]
        for stamp in stamps:
            assert (
                store.scalar(
                    "SELECT count(*) FROM records r WHERE NOT EXISTS "
                    "(SELECT 1 FROM record_scans s WHERE s.record_id = r.record_id AND s.stamp = ?)",
                    [stamp],
                )
                == 0
            )
        assert store.scalar("SELECT count(*) FROM findings f ANTI JOIN record_scans s USING (record_id)") == 0


# ---- the sample corpus ---------------------------------------------------------------------------------------------
def test_records_per_source_match_the_files(sample_scan, sample_truth) -> None:
    by_source = sample_truth.by_source()
    with Ledger(sample_scan.path, read_only=True) as store:
        records = dict(store.execute("SELECT source_id, count(*) FROM records GROUP BY 1"))
        origins = dict(store.execute("SELECT source_id, count(*) FROM origins GROUP BY 1"))
    assert records == {sid: len({r.text for r in recs}) for sid, recs in by_source.items()}
    assert origins == {sid: len(recs) for sid, recs in by_source.items()}
    tallies = {t.source_id: t for t in sample_scan.report.sources}
    for sid, recs in by_source.items():
        assert tallies[sid].records_read == len(recs), sid
        assert tallies[sid].records_added == len({r.text for r in recs}), sid
    assert sample_scan.report.status == "finished"


def test_every_origin_points_at_its_text(sample_scan, sample_truth, sample_data: Path) -> None:
    """Each (source, place in a file, text) the files hold is in the ledger, and nothing else is."""
    expected = Counter()
    for r in sample_truth.good:
        if r.where[0] == "split-row":
            expected[(r.source_id, r.path, r.where[1], "row", r.where[2], r.content_hash)] += 1
        else:
            expected[(r.source_id, r.path, None, *r.where, r.content_hash)] += 1
    got = Counter()
    with Ledger(sample_scan.path, read_only=True) as store:
        rows = store.execute(
            'SELECT o.source_id, o.kind, o.path, o.dataset_repo, o.dataset_split, o.line, o."row", o.byte_offset, '
            "r.content_hash FROM origins o JOIN records r USING (record_id)"
        )
    for sid, kind, path, repo, split, line, row, offset, digest in rows:
        if kind == "dataset":
            got[(sid, repo, split, "row", row, digest)] += 1
        elif line is not None:
            got[(sid, path, None, "line", line, digest)] += 1
        elif row is None and offset is not None:  # a WARC record, by the offset of its gzip member
            got[(sid, path, None, "byte", offset, digest)] += 1
        else:
            got[(sid, path, None, "row", row, digest)] += 1
    assert got == expected


def test_record_ids_follow_the_documented_formula(sample_scan, sample_truth) -> None:
    expected = {(r.source_id, expected_record_id(r.source_id, r.text)) for r in sample_truth.good}
    with Ledger(sample_scan.path, read_only=True) as store:
        got = set(store.execute("SELECT source_id, record_id FROM records"))
    assert got == expected


def test_broken_lines_are_reported_with_file_and_line(sample_scan, sample_truth, sample_data: Path) -> None:
    # the independent reading of the corpus finds exactly the six documented broken lines ...
    assert {(rel(p, sample_data), line) for p, line in sample_truth.bad} == SAMPLE_BROKEN
    # ... and so does the scan, in its report and in the ledger
    report = sample_scan.report
    assert report.bad_records_total == len(SAMPLE_BROKEN)
    assert {(rel(b.path, sample_data), b.line) for b in report.bad_records} == SAMPLE_BROKEN
    for bad in report.bad_records:
        assert bad.where().endswith(f"{Path(bad.path).name}:{bad.line}")
        assert bad.reason
    with Ledger(sample_scan.path, read_only=True) as store:
        rows = store.execute("SELECT path, line FROM bad_records")
    assert sorted((rel(p, sample_data), line) for p, line in rows) == sorted(SAMPLE_BROKEN)
    per_source = Counter(b.source_id for b in report.bad_records)
    assert {t.source_id: t.bad_records for t in report.sources if t.bad_records} == dict(per_source)


def test_report_counts_files_and_what_was_not_checked(sample_scan, sample_manifest: Path) -> None:
    manifest = provenance.load_manifest(sample_manifest)
    files = Counter()
    for entry in manifest.entries:
        files[entry.source_id] += len(entry.paths)
    assert {t.source_id: t.files for t in sample_scan.report.sources} == dict(files)
    assert all(t.files_skipped == 0 for t in sample_scan.report.sources)
    assert any("personal data" in what for what in sample_scan.report.not_checked)
    with Ledger(sample_scan.path, read_only=True) as store:
        assert store.execute("SELECT status FROM scans") == [("finished",)]
        assert store.scalar("SELECT count(*) FROM files WHERE finished_at IS NULL") == 0


def test_exact_duplicates_become_one_record_with_several_origins(sample_scan, sample_truth) -> None:
    seen = Counter((r.source_id, r.text) for r in sample_truth.good)
    expected = Counter({expected_record_id(sid, text): n for (sid, text), n in seen.items() if n > 1})
    assert expected, "the sample corpus plants exact duplicates"
    with Ledger(sample_scan.path, read_only=True) as store:
        got = Counter(dict(store.execute("SELECT record_id, count(*) FROM origins GROUP BY 1 HAVING count(*) > 1")))
        across = store.scalar(
            "SELECT count(*) FROM (SELECT content_hash FROM records GROUP BY 1 HAVING count(DISTINCT source_id) > 1)"
        )
    assert got == expected
    texts_by_source: dict[str, set[str]] = {}
    for r in sample_truth.good:
        texts_by_source.setdefault(r.text, set()).add(r.source_id)
    assert across == sum(1 for sources in texts_by_source.values() if len(sources) > 1)


def test_empty_text_is_kept_and_flagged(sample_scan, sample_truth) -> None:
    empties = {expected_record_id(r.source_id, r.text) for r in sample_truth.good if r.text == ""}
    assert empties
    with Ledger(sample_scan.path, read_only=True) as store:
        flagged = {r[0] for r in store.execute("SELECT record_id FROM findings WHERE label = 'empty'")}
        kept = {r[0] for r in store.execute("SELECT record_id FROM records WHERE n_chars = 0")}
    assert flagged == kept == empties


def test_record_licences_come_from_the_licence_column(sample_scan, sample_data: Path) -> None:
    """code/snippets.jsonl has a per-record licence column; the ledger keeps it raw and normalised."""
    raw_by_line = {}
    for n, line in enumerate((sample_data / "code" / "snippets.jsonl").read_text().splitlines(), start=1):
        raw_by_line[n] = json.loads(line).get("license")
    with Ledger(sample_scan.path, read_only=True) as store:
        rows = store.execute(
            "SELECT o.line, r.record_license, r.record_license_raw FROM records r JOIN origins o USING (record_id) "
            "WHERE r.source_id = 'code'"
        )
    assert {line: raw for line, _, raw in rows} == raw_by_line
    for _line, spdx, raw in rows:
        if raw is None:
            assert spdx is None
        else:
            assert spdx == provenance.licenses.normalize_license(raw).spdx


# ---- re-scans ------------------------------------------------------------------------------------------------------
def test_second_scan_skips_every_file_and_adds_nothing(sample_scan, sample_manifest: Path, tmp_path: Path) -> None:
    ledger = copy_ledger(sample_scan.path, tmp_path)
    before = ledger_content(ledger)
    report = provenance.scan(sample_manifest, ledger)
    for tally in report.sources:
        assert tally.files_skipped == tally.files > 0, tally.source_id
        assert tally.records_read == 0 and tally.records_added == 0
    assert report.bad_records_total == 0
    assert ledger_content(ledger) == before


def test_forced_rescan_rereads_and_adds_nothing(sample_scan, sample_manifest: Path, tmp_path: Path) -> None:
    ledger = copy_ledger(sample_scan.path, tmp_path)
    before = ledger_content(ledger)
    report = provenance.scan(sample_manifest, ledger, force=True)
    first = {t.source_id: t for t in sample_scan.report.sources}
    for tally in report.sources:
        assert tally.files_skipped == 0
        assert tally.records_read == first[tally.source_id].records_read
        assert tally.records_added == 0
    assert all(t.records_scanned == 0 for t in report.scanners)
    assert ledger_content(ledger) == before  # records, origins, findings, record_scans


def test_forced_rescan_does_not_double_unreadable_lines(sample_scan, sample_manifest: Path, tmp_path: Path) -> None:
    ledger = copy_ledger(sample_scan.path, tmp_path)
    provenance.scan(sample_manifest, ledger, force=True)
    readme = provenance.card(str(ledger), tmp_path / "card").read_text(encoding="utf-8")
    expected = Counter(path.split("/")[0] for path, _ in SAMPLE_BROKEN)  # broken lines per source folder
    for line in readme.splitlines():
        for sid, n in expected.items():
            if line.startswith(f"| {sid} ("):
                assert line.rstrip(" |").split("|")[-1].strip() == str(n), line


def test_changed_file_is_read_again(tmp_path: Path) -> None:
    data = tmp_path / "a.jsonl"
    data.write_text('{"text": "one"}\n{"text": "two"}\n', encoding="utf-8")
    manifest = write_manifest_file(tmp_path, [source_entry("s", [{"path": "a.jsonl"}])])
    ledger = tmp_path / "l.duckdb"
    provenance.scan(manifest, ledger)
    with open(data, "a", encoding="utf-8") as fh:
        fh.write('{"text": "three"}\n')
    report = provenance.scan(manifest, ledger)
    assert report.records_read == 3 and report.records_added == 1
    assert table_counts(ledger)["origins"] == 3
    assert_no_duplicate_rows(ledger)


# ---- parallel == serial --------------------------------------------------------------------------------------------
def test_two_workers_give_the_same_ledger_as_one(sample_scan, sample_manifest: Path, tmp_path: Path) -> None:
    ledger = tmp_path / "w2.duckdb"
    report = provenance.scan(sample_manifest, ledger, workers=2)
    assert report.workers == 2 and report.status == "finished"
    assert ledger_content(ledger) == ledger_content(sample_scan.path)
    one = {t.stamp.name: t for t in sample_scan.report.scanners}
    for tally in report.scanners:
        assert tally.findings == one[tally.stamp.name].findings
        assert tally.records_scanned == one[tally.stamp.name].records_scanned
        assert tally.summary == one[tally.stamp.name].summary
    assert [(t.source_id, t.records_read, t.records_added) for t in report.sources] == [
        (t.source_id, t.records_read, t.records_added) for t in sample_scan.report.sources
    ]


# ---- interrupted scans ---------------------------------------------------------------------------------------------
def test_sample_scan_interrupted_then_resumed(sample_scan, sample_manifest: Path, tmp_path: Path) -> None:
    counter = CountingSink()
    provenance.scan(sample_manifest, tmp_path / "count.duckdb", scanners=(), progress=counter)
    batches = counter.calls
    assert batches >= 10
    expected = ledger_content(sample_scan.path)
    for n in sorted({1, 2, batches // 3, batches // 2, batches - 2, batches - 1, batches}):
        ledger = tmp_path / f"int{n}.duckdb"
        with pytest.raises(Interrupted):
            provenance.scan(sample_manifest, ledger, progress=InterruptAfter(n))
        with Ledger(ledger, read_only=True) as store:
            assert store.execute("SELECT status FROM scans") == [("interrupted",)]
        assert_consistent(ledger)
        report = provenance.scan(sample_manifest, ledger)
        assert report.status == "finished"
        assert ledger_content(ledger) == expected, f"interrupted after {n} of {batches} batches"
        assert_no_duplicate_rows(ledger)


@pytest.fixture(scope="module")
def mixed_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small corpus in every file format (one record per source folder has a bad line or duplicates)."""
    import datasets

    root = tmp_path_factory.mktemp("mixed")
    lines = [json.dumps({"text": f"json line {i}", "url": f"https://example.com/{i}", "k": i}) for i in range(25)]
    lines[7] = "{broken"
    lines[11] = lines[3]  # an exact duplicate within the file
    (root / "a.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "b.jsonl.gz").write_bytes(gzip.compress("\n".join(lines[:10]).encode() + b"\n"))  # same texts again
    with open(root / "c.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "text"])
        for i in range(18):
            writer.writerow([i, f"csv row {i}" + ("\nwith a second line" if i % 5 == 0 else "")])
    (root / "d.json").write_text(json.dumps([{"text": f"array item {i}"} for i in range(13)]), encoding="utf-8")
    (root / "e.txt").write_text("".join(f"plain line {i}\n" for i in range(15)), encoding="utf-8")
    pq.write_table(pa.table({"text": [f"parquet row {i}" for i in range(14)]}), root / "f.parquet")
    datasets.Dataset.from_dict({"text": [f"dataset row {i}" for i in range(11)]}).save_to_disk(str(root / "ds"))
    (root / "books").mkdir()
    for i in range(3):
        (root / "books" / f"{i}.md").write_text(f"# Book {i}\n\nA whole file.\n", encoding="utf-8")
    return write_manifest_file(
        root,
        [
            source_entry("lines", [{"path": "*.jsonl", "metadata": ["k"]}, {"path": "*.jsonl.gz"}]),
            source_entry("table", [{"path": "c.csv"}, {"path": "f.parquet"}], license="CC-BY-4.0"),
            source_entry("array", [{"path": "d.json"}], license="unknown", consent_basis="unknown"),
            source_entry("text", [{"path": "e.txt", "format": "text-lines"}, {"path": "books/*.md"}]),
            source_entry("hf", [{"dataset": "ds"}], license="Apache-2.0"),
        ],
    )


@pytest.fixture(scope="module")
def mixed_expected(mixed_corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    ledger = tmp_path_factory.mktemp("mixed_clean") / "clean.duckdb"
    provenance.scan(mixed_corpus, ledger, batch_size=4)
    return ledger_content(ledger)


def test_mixed_corpus_matches_the_files(mixed_corpus: Path, mixed_expected: dict) -> None:
    truth = read_corpus_independently(mixed_corpus)
    assert len(mixed_expected["origins"]) == len(truth.good)
    assert len(mixed_expected["records"]) == len({(r.source_id, r.text) for r in truth.good})


def test_scan_interrupted_at_any_batch_resumes_to_the_same_ledger(
    mixed_corpus: Path, mixed_expected: dict, tmp_path: Path
) -> None:
    counter = CountingSink()
    provenance.scan(mixed_corpus, tmp_path / "count.duckdb", scanners=(), batch_size=4, progress=counter)
    batches = counter.calls
    assert batches > 20
    for n in [*range(3, batches, 4), batches]:  # spread over every file and format, and the very last batch
        ledger = tmp_path / f"int{n}.duckdb"
        with pytest.raises(Interrupted):
            provenance.scan(mixed_corpus, ledger, batch_size=4, progress=InterruptAfter(n))
        assert_consistent(ledger)
        provenance.scan(mixed_corpus, ledger, batch_size=4)
        assert ledger_content(ledger) == mixed_expected, f"interrupted after {n} of {batches} batches"
        assert_no_duplicate_rows(ledger)


def test_resumed_scan_with_a_different_batch_size(mixed_corpus: Path, mixed_expected: dict, tmp_path: Path) -> None:
    ledger = tmp_path / "l.duckdb"
    with pytest.raises(Interrupted):
        provenance.scan(mixed_corpus, ledger, batch_size=4, progress=InterruptAfter(5))
    provenance.scan(mixed_corpus, ledger, batch_size=1000)
    assert ledger_content(ledger) == mixed_expected


def test_interrupted_inside_the_second_split_resumes_it(tmp_path: Path) -> None:
    import datasets

    splits = {name: [f"{name} record {i}" for i in range(10)] for name in ("train", "test")}
    datasets.DatasetDict({k: datasets.Dataset.from_dict({"text": v}) for k, v in splits.items()}).save_to_disk(
        str(tmp_path / "qa")
    )
    manifest = write_manifest_file(
        tmp_path, [source_entry("qa", [{"dataset": "qa", "split": "train"}, {"dataset": "qa", "split": "test"}])]
    )
    ledger = tmp_path / "l.duckdb"
    train_batches = -(-len(splits["train"]) // 3)
    with pytest.raises(Interrupted):  # stop after the first batch of the test split
        provenance.scan(manifest, ledger, batch_size=3, progress=InterruptAfter(train_batches + 1))
    provenance.scan(manifest, ledger, batch_size=3)
    with Ledger(ledger, read_only=True) as store:
        got = dict(store.execute("SELECT dataset_split, count(*) FROM origins GROUP BY 1"))
    assert got == {name: len(texts) for name, texts in splits.items()}


def test_error_mid_scan_keeps_whole_batches_and_rerun_completes(
    mixed_corpus: Path, mixed_expected: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_append = Ledger.append
    calls = {"n": 0}

    def flaky_append(self, **kwargs):
        calls["n"] += 1
        if calls["n"] == 11:
            raise OSError("disk full (simulated)")
        return real_append(self, **kwargs)

    ledger = tmp_path / "l.duckdb"
    monkeypatch.setattr(Ledger, "append", flaky_append)
    with pytest.raises(OSError, match="simulated"):
        provenance.scan(mixed_corpus, ledger, batch_size=4)
    monkeypatch.setattr(Ledger, "append", real_append)
    with Ledger(ledger, read_only=True) as store:
        assert store.execute("SELECT status FROM scans") == [("failed",)]
        assert 0 < store.scalar("SELECT count(*) FROM origins") < len(mixed_expected["origins"])
    assert_consistent(ledger)
    provenance.scan(mixed_corpus, ledger, batch_size=4)
    assert ledger_content(ledger) == mixed_expected
    assert_no_duplicate_rows(ledger)


# ---- a scan killed with SIGKILL ------------------------------------------------------------------------------------
KILLED_CHILD = textwrap.dedent(
    """
    import sys
    import provenance

    manifest, ledger, block_at = sys.argv[1], sys.argv[2], int(sys.argv[3])

    class Sink:
        calls = 0
        def start(self, total_bytes, files):
            pass
        def advance(self, records, nbytes, label):
            self.calls += 1
            print(f"ADVANCE {self.calls}", flush=True)
            if self.calls == block_at:
                sys.stdin.read()  # wait here to be killed
        def stop(self):
            pass

    provenance.scan(manifest, ledger, batch_size=50, progress=Sink())
    print("DONE", flush=True)
    """
)


@pytest.fixture(scope="module")
def kill_corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("kill")
    words = "river stone lantern orchard harbour meadow copper thistle willow ember quarry".split()
    for f in range(3):
        with open(root / f"part-{f}.jsonl", "w", encoding="utf-8") as fh:
            for i in range(1000):
                if i == 500:
                    fh.write("{not json\n")
                    continue
                n = i % 950  # the last 50 lines repeat earlier texts: duplicates within and across files
                text = " ".join(words[(n * 7 + k * 3) % len(words)] for k in range(12)) + f" #{n}"
                fh.write(json.dumps({"text": text, "n": n}) + "\n")
    with open(root / "table.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "text"])
        for i in range(600):
            writer.writerow([i, f"csv record {i}\nsecond line {i % 7}"])
    manifest = write_manifest_file(
        root,
        [
            source_entry("gen", [{"path": "part-*.jsonl", "metadata": ["n"]}]),
            source_entry("tab", [{"path": "table.csv"}], license="CC0-1.0"),
        ],
    )
    clean = tmp_path_factory.mktemp("kill_clean") / "clean.duckdb"
    provenance.scan(manifest, clean, batch_size=50)
    return manifest, ledger_content(clean)


@pytest.mark.parametrize(
    ("kill_after", "block_at"),
    [(1, 1), (17, 17), (40, 44)],
    ids=["blocked-after-1", "blocked-after-17", "running-after-40"],
)
def test_scan_killed_with_sigkill_resumes_to_the_same_ledger(
    kill_corpus: tuple[Path, dict], tmp_path: Path, kill_after: int, block_at: int
) -> None:
    """blocked-*: killed while parked between batches; running-*: killed while it keeps writing batches."""
    manifest, expected = kill_corpus
    ledger = tmp_path / "killed.duckdb"
    script = tmp_path / "child.py"
    script.write_text(KILLED_CHILD, encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, str(script), str(manifest), str(ledger), str(block_at)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for line in proc.stdout:
            if line.strip() == f"ADVANCE {kill_after}":
                os.kill(proc.pid, signal.SIGKILL)
                break
            assert line.startswith("ADVANCE"), line
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read()

    partial = ledger_content(ledger)
    assert 0 < len(partial["origins"]) < len(expected["origins"])
    assert_consistent(ledger)
    assert_no_duplicate_rows(ledger)

    report = provenance.scan(manifest, ledger, batch_size=50)
    assert report.status == "finished"
    assert ledger_content(ledger) == expected
    assert_no_duplicate_rows(ledger)


# ---- near-duplicates -----------------------------------------------------------------------------------------------
def _sample_texts(sample_data: Path) -> dict[tuple[str, str], str]:
    """Normalised texts of the planted near-duplicates, read from the files."""
    out = {}
    wiki = (sample_data / "wiki" / "articles.jsonl").read_bytes().split(b"\n")
    for n in (4, 5):
        out[("wiki", f"line {n}")] = expected_normalize(json.loads(wiki[n - 1])["text"])
    with gzip.open(sample_data / "web" / "pages-0001.jsonl.gz", "rt", encoding="utf-8") as fh:
        out[("web", "0001:8")] = expected_normalize(json.loads(fh.read().split("\n")[7])["content"])
    with open(sample_data / "reviews" / "reviews.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["review_id"] in ("r-0010", "r-0011"):
                out[("reviews", row["review_id"])] = expected_normalize(row["review_text"])
    for row in pq.read_table(sample_data / "synthetic" / "instructions.parquet").to_pylist():
        if row["id"] in ("syn-0007", "syn-0008"):
            out[("synthetic", row["id"])] = expected_normalize(f"{row['prompt']}\n\n{row['response']}")
    scraped = (sample_data / "scraped" / "lines.txt").read_bytes().split(b"\n")
    for n in (25, 26):
        out[("scraped", f"line {n}")] = expected_normalize(scraped[n - 1].decode("utf-8"))
    return out


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (("wiki", "line 4"), ("wiki", "line 5")),
        (("web", "0001:8"), ("wiki", "line 4")),
        (("reviews", "r-0010"), ("reviews", "r-0011")),
        (("synthetic", "syn-0007"), ("synthetic", "syn-0008")),
        (("scraped", "line 25"), ("scraped", "line 26")),
    ],
    ids=["wiki-4-5", "web-mirror-of-wiki-4", "reviews", "synthetic", "scraped-25-26"],
)
def test_planted_near_duplicates_are_paired(sample_scan, sample_data: Path, a, b) -> None:
    texts = _sample_texts(sample_data)
    ids = sorted(expected_record_id(key[0], texts[key]) for key in (a, b))
    assert texts[a] != texts[b]
    stamp = str(create("textstats").stamp)
    with Ledger(sample_scan.path, read_only=True) as store:
        pairs = near_duplicate_pairs(store, stamp).to_pylist()
    assert any(sorted((p["record_a"], p["record_b"])) == ids for p in pairs)


def test_unrelated_records_are_not_paired(sample_scan) -> None:
    stamp = str(create("textstats").stamp)
    with Ledger(sample_scan.path, read_only=True) as store:
        pairs = near_duplicate_pairs(store, stamp).num_rows
        records = store.scalar("SELECT count(*) FROM records")
    assert 0 < pairs < records // 10


# ---- optional: real data -------------------------------------------------------------------------------------------
@pytest.mark.external
def test_scan_of_real_wikipedia_pages(external_data: Path, tmp_path: Path) -> None:
    source = external_data / "webtext" / "enwiki_sample_206.plain.jsonl.gz"
    if not source.exists():
        pytest.skip(f"{source} not found")
    manifest = write_manifest_file(
        tmp_path,
        [
            source_entry(
                "enwiki",
                [
                    {
                        "path": str(source),
                        "format": "jsonl",
                        "text_field": "text_plain",
                        "url_field": "url",
                        "license_field": "license",
                        "metadata": ["title", "page_id"],
                    }
                ],
                license="CC-BY-SA-3.0",
                collection_method="web_scraping",
            )
        ],
        roots=[source.parent],
    )
    with gzip.open(source, "rt", encoding="utf-8") as fh:
        pages = [json.loads(line) for line in fh if line.strip()]
    ledger = tmp_path / "l.duckdb"
    report = provenance.scan(manifest, ledger, batch_size=64)
    assert report.bad_records_total == 0
    texts = {expected_normalize(p["text_plain"]) for p in pages}
    with Ledger(ledger, read_only=True) as store:
        assert store.scalar("SELECT count(*) FROM records") == len(texts)
        assert store.scalar("SELECT count(*) FROM origins") == len(pages)
        urls = {r[0] for r in store.execute("SELECT url FROM origins")}
        raw = {r[0] for r in store.execute("SELECT DISTINCT record_license_raw FROM records")}
        titles = {r[0] for r in store.execute("SELECT meta->>'title' FROM records")}
    assert urls == {p["url"] for p in pages}
    assert raw == {p["license"] for p in pages}
    assert titles <= {p["title"] for p in pages}


def test_content_queries_cover_the_tables() -> None:
    assert set(CONTENT_QUERIES) == {"records", "origins", "findings", "record_scans"}


# ---- the read-ahead thread -----------------------------------------------------------------------------------------
def test_read_ahead_thread_ends_when_the_consumer_stops_early() -> None:
    import threading

    from provenance.readers.prefetch import prefetch

    exhausted = threading.Event()

    def source():
        yield from ("batch 1", "batch 2", "batch 3")
        exhausted.set()  # the producer has put batches 2 and 3 (a full queue) and is about to signal the end

    before = set(threading.enumerate())
    items = prefetch(source(), depth=2)
    assert next(items) == "batch 1"
    assert exhausted.wait(timeout=30)
    items.close()  # the consumer stops early, as a scan does on Ctrl-C or an error
    leaked = [t for t in set(threading.enumerate()) - before if t.is_alive()]
    assert leaked == []

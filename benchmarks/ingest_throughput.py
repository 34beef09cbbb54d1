"""Ingest throughput, re-ingest cost and peak memory, against a naive row-by-row INSERT loop.

    python benchmarks/ingest_throughput.py                  # 1M records, 2 GB memory run, one core
    python benchmarks/ingest_throughput.py --records 200000 --memory-gb 0

Figures printed (issue 3):
- records/s of `provenance.ingest` for N short JSONL records (~300 bytes), next to a naive loop of row-by-row
  INSERTs over the same records (timed on a sample, the same per-record work), as a ratio;
- re-ingesting the same file: rows added and time against the first ingest, both for an unchanged file (skipped
  by size and mtime) and forced (`force=True`: every line re-read, hashed and de-duplicated by the ledger);
- peak resident memory of `provenance ingest` on a ~2 GB JSONL file, measured in a child process.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import psutil

import provenance
from provenance.ledger import Ledger
from provenance.ledger.schema import MIGRATIONS

HERE = Path(__file__).parent
DATA = HERE / "_data"
WORDS = (
    "the of and to in is was for on that with as by at from his her they which this be are an not or have "
    "data model training corpus licence consent record origin ledger river city music science history"
).split()


def make_jsonl(path: Path, records: int, seed: int = 7) -> Path:
    """Short records of about 300 bytes: id, url and ~40 words of text."""
    if path.exists() and path.stat().st_size > 0:
        return path
    rng = random.Random(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    with open(tmp, "w", encoding="utf-8") as out:
        for i in range(records):
            text = " ".join(rng.choice(WORDS) for _ in range(44))
            out.write(json.dumps({"id": i, "url": f"https://example.org/page/{i}", "text": f"{i} {text}"}) + "\n")
    tmp.rename(path)
    return path


def manifest_for(data: Path, folder: Path) -> Path:
    manifest = folder / "sources.yaml"
    manifest.write_text(
        f"version: 1\nroots: ['{data.parent}']\n"
        "sources:\n  - id: bench\n    name: Benchmark corpus\n    license: CC0-1.0\n"
        f"    consent_basis: licence_grant\n    collection_method: synthetic\n    data:\n      - path: {data}\n"
    )
    return manifest


def naive_rate(data: Path, sample: int, folder: Path) -> float:
    """What a user would write by hand: parse, hash, and INSERT each record and its origin one row at a time."""
    con = duckdb.connect(str(folder / "naive.duckdb"), config={"threads": 1})
    for statement in MIGRATIONS[0].statements:
        con.execute(statement)
    start = time.perf_counter()
    with open(data, "rb") as fh:
        for line_no, line in enumerate(fh, 1):
            if line_no > sample:
                break
            obj = json.loads(line)
            text = obj["text"].strip()
            content = hashlib.sha256(text.encode()).hexdigest()[:32]
            record_id = hashlib.sha256(f"bench\x1f{content}".encode()).hexdigest()[:32]
            exists = con.execute("SELECT count(*) FROM records WHERE record_id = ?", [record_id]).fetchall()[0][0]
            if not exists:
                con.execute(
                    "INSERT INTO records (record_id, source_id, content_hash, n_chars, n_bytes, first_seen) "
                    "VALUES (?, 'bench', ?, ?, ?, now())",
                    [record_id, content, len(text), len(text.encode())],
                )
            con.execute(
                "INSERT INTO origins (record_id, source_id, kind, path, line, url) "
                "VALUES (?, 'bench', 'file', ?, ?, ?)",
                [record_id, str(data), line_no, obj.get("url")],
            )
    elapsed = time.perf_counter() - start
    con.close()
    return sample / elapsed


def timed_ingest(manifest: Path, ledger: Ledger, **options) -> tuple[float, int]:
    start = time.perf_counter()
    report = provenance.ingest(manifest, ledger, **options)
    return time.perf_counter() - start, report.records_added


def peak_memory(data: Path, folder: Path) -> tuple[float, float, int]:
    """Run `provenance ingest` in a child process and sample its resident memory (and its children's)."""
    manifest = manifest_for(data, folder)
    ledger = folder / "memory.duckdb"
    cmd = [sys.executable, "-m", "provenance_cli", "ingest", str(manifest), "--ledger", str(ledger), "--quiet"]
    start = time.perf_counter()
    child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    proc = psutil.Process(child.pid)
    peak = 0
    while child.poll() is None:
        try:
            rss = proc.memory_info().rss + sum(c.memory_info().rss for c in proc.children(recursive=True))
            peak = max(peak, rss)
        except psutil.Error:
            pass
        time.sleep(0.05)
    elapsed = time.perf_counter() - start
    if child.returncode != 0:
        raise SystemExit(f"memory run failed: {child.stderr.read().decode()[-2000:]}")
    records = duckdb.connect(str(ledger), read_only=True).execute("SELECT count(*) FROM records").fetchall()[0][0]
    return peak / 2**20, elapsed, records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--naive-sample", type=int, default=5_000, help="records timed for the naive loop")
    parser.add_argument("--memory-gb", type=float, default=2.0, help="size of the memory run's file (0 skips)")
    parser.add_argument("--cores", type=int, default=1, help="CPU cores to pin this process (and DuckDB) to")
    args = parser.parse_args()

    cores = sorted(os.sched_getaffinity(0))[: args.cores]
    os.sched_setaffinity(0, cores)
    print(f"pinned to {len(cores)} core(s): {cores}; DuckDB threads = {len(cores)}")
    data = make_jsonl(DATA / f"short_{args.records}.jsonl", args.records)
    size_mb = data.stat().st_size / 1e6
    print(
        f"corpus: {data.name}, {args.records:,} records, {size_mb:,.0f} MB "
        f"({size_mb * 1e6 / args.records:.0f} B/record)"
    )

    with tempfile.TemporaryDirectory(dir=DATA) as tmp:
        folder = Path(tmp)
        naive = naive_rate(data, args.naive_sample, folder)
        manifest = manifest_for(data, folder)
        with Ledger(folder / "ledger.duckdb", threads=len(cores)) as ledger:
            first, added = timed_ingest(manifest, ledger)
            again, added_again = timed_ingest(manifest, ledger)
            forced, added_forced = timed_ingest(manifest, ledger, force=True)
            rows = ledger.table_counts()
        rate = args.records / first
        print(
            f"naive row-by-row INSERT loop: {naive:,.0f} records/s (timed on the first {args.naive_sample:,} records)"
        )
        print(f"provenance ingest:            {rate:,.0f} records/s ({first:.2f} s), {added:,} records added")
        print(f"ratio ingest / naive:         {rate / naive:,.1f}x")
        print(
            f"re-ingest, unchanged file:    {again:.3f} s = {again / first:.1%} of the first ingest, "
            f"{added_again} rows added"
        )
        print(
            f"re-ingest, forced re-read:    {forced:.2f} s = {forced / first:.1%} of the first ingest, "
            f"{added_forced} rows added"
        )
        print(f"ledger rows: records {rows['records']:,}, origins {rows['origins']:,}")

        if args.memory_gb > 0:
            os.sched_setaffinity(0, sorted(psutil.Process().cpu_affinity() or cores))
            big_records = int(args.memory_gb * 1e9 / (size_mb * 1e6 / args.records))
            big = make_jsonl(DATA / f"short_{big_records}.jsonl", big_records, seed=11)
            peak, elapsed, stored = peak_memory(big, folder)
            print(
                f"memory: {big.stat().st_size / 1e9:.2f} GB JSONL ({stored:,} records) ingested in {elapsed:.0f} s, "
                f"peak RSS {peak:,.0f} MiB (limit 1024 MiB)"
            )


if __name__ == "__main__":
    main()

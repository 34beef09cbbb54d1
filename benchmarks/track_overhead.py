"""Cost of the training-code hooks (issue 4), each next to its baseline in the same run.

    python benchmarks/track_overhead.py                 # 1M records, 10M run links
    python benchmarks/track_overhead.py --records 200000 --links 2000000

Prints:
- iterating a 1,000,000-record streaming `datasets.IterableDataset` plain, then through `provenance.track` inside
  `provenance.run` (every record hashed, spooled, merged into the ledger at the end of the run): the overhead;
- recording a 1,000,000-row map-style `datasets.Dataset` with `provenance.track`: records/s;
- "which runs used any record from source X" (`provenance.runs_using(source_id=...)`) on a ledger holding
  10,000,000 run-record links: milliseconds (median of 5).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import datasets
import duckdb

import provenance
from provenance.ledger import Ledger

SOURCE = {
    "id": "bench",
    "name": "Benchmark corpus",
    "license": "CC0-1.0",
    "consent_basis": "licence_grant",
    "collection_method": "synthetic",
}
WORDS = "the of and to in is was for on that with as by at from river city music science history data".split()


def corpus(n: int) -> datasets.Dataset:
    texts = [" ".join(WORDS[(i * 7 + k) % len(WORDS)] for k in range(40)) + f" {i}" for i in range(n)]
    return datasets.Dataset.from_dict({"text": texts, "label": [i % 5 for i in range(n)]})


def iterate(stream) -> tuple[float, int]:
    start = time.perf_counter()
    count = sum(1 for _ in stream)
    return time.perf_counter() - start, count


def streaming_overhead(ds: datasets.Dataset, folder: Path) -> None:
    plain_stream = ds.to_iterable_dataset(num_shards=8)
    ledger = folder / "stream.duckdb"
    tracked = provenance.track(ds.to_iterable_dataset(num_shards=8), source=SOURCE, ledger=ledger)
    plain, n = iterate(plain_stream)
    start = time.perf_counter()
    with provenance.run("bench-stream", ledger=ledger) as run:
        loop, m = iterate(tracked)
    with_run = time.perf_counter() - start
    plain_again, _ = iterate(plain_stream)
    baseline = min(plain, plain_again)
    with Ledger(ledger, read_only=True) as store:
        linked = store.scalar("SELECT count(*) FROM run_records WHERE run_id = ?", [run.run_id])
    print(f"streaming, plain iteration:          {baseline:.2f} s for {n:,} records ({n / baseline:,.0f} rec/s)")
    print(f"streaming, tracked, loop only:       {loop:.2f} s ({(loop / baseline - 1):+.1%})")
    print(
        f"streaming, tracked, whole run:       {with_run:.2f} s ({(with_run / baseline - 1):+.1%}), "
        f"{linked:,} run links for {m:,} records consumed"
    )


def map_style_rate(ds: datasets.Dataset, folder: Path) -> None:
    ledger = folder / "map.duckdb"
    start = time.perf_counter()
    provenance.track(ds, source=SOURCE, ledger=ledger)
    elapsed = time.perf_counter() - start
    with Ledger(ledger, read_only=True) as store:
        records = store.scalar("SELECT count(*) FROM records")
    print(
        f"map-style Dataset recorded:          {len(ds) / elapsed:,.0f} records/s "
        f"({elapsed:.2f} s, {records:,} records)"
    )


def runs_query_latency(links: int, folder: Path) -> None:
    ledger = folder / "links.duckdb"
    Ledger(ledger).close()
    con = duckdb.connect(str(ledger))
    runs, sources = 200, 50
    con.execute(
        "INSERT INTO runs SELECT 'run-' || i, 'run ' || i, now() - INTERVAL (i) HOUR, now(), NULL, NULL, NULL, "
        "'finished' FROM range(?) t(i)",
        [runs],
    )
    con.execute(
        "INSERT INTO run_records SELECT 'run-' || (i % ?), md5(i::VARCHAR)[:32], (i // 1000000)::INT, "
        "'source-' || (hash(i) % ?) FROM range(?) t(i)",
        [runs, sources, links],
    )
    # the per-run summary that Ledger.absorb keeps up to date as links are written, built the same way
    con.execute("INSERT INTO run_sources SELECT run_id, source_id, count(*) FROM run_records GROUP BY ALL")
    con.close()
    timings = []
    for _ in range(5):
        start = time.perf_counter()
        result = provenance.runs_using(ledger, source_id="source-7")
        timings.append(time.perf_counter() - start)
    print(
        f"runs using source X, {links:,} links:  {statistics.median(timings) * 1000:.0f} ms median "
        f"(min {min(timings) * 1000:.0f} ms; {result.num_rows} runs found)"
    )
    timings = []
    for i in range(5):
        start = time.perf_counter()
        result = provenance.runs_using(ledger, record_id=f"{i}")
        timings.append(time.perf_counter() - start)
    print(f"runs using one record, {links:,} links: {statistics.median(timings) * 1000:.0f} ms median")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--links", type=int, default=10_000_000)
    args = parser.parse_args()
    datasets.disable_progress_bars()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        ds = corpus(args.records)
        streaming_overhead(ds, folder)
        map_style_rate(ds, folder)
        runs_query_latency(args.links, folder)


if __name__ == "__main__":
    main()

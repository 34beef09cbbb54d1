"""The demographics scanner's throughput on real web text, one process (issue 7: at least 10 MB/s per core).

    python benchmarks/demographics_throughput.py                # ~20 MB of ../shared/data/webtext, batches of 4,096
    python benchmarks/demographics_throughput.py --megabytes 5 --samples 40

The texts are the English Wikipedia sample (field text_plain) and the Common Crawl documents of dolma's test data
(field text) in ../shared/data/webtext, cut into ~2,000-character records and repeated to the size asked. Besides
MB/s it prints the records per axis and gendered mentions on the distinct text, and random runs of matched words that
hold a descriptor: some that counted (with the labels), to judge precision by eye, and some that did not (e.g. "white"
before a word that is not a person noun), to judge what the context rule costs.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import time
from pathlib import Path

import pyarrow as pa

import provenance.scanners.demographics  # noqa: F401 - registers the scanner
from provenance.scanners import create

GENDERS = {"feminine", "masculine", "unspecified"}
WEBTEXT = Path(__file__).resolve().parents[2] / "shared" / "data" / "webtext"


def web_records(size: int = 2000) -> list[str]:
    texts = [json.loads(line)["text_plain"] for line in gzip.open(WEBTEXT / "enwiki_sample_206.plain.jsonl.gz", "rt")]
    for path in sorted((WEBTEXT / "dolma_cc_samples").rglob("*.jsonl")):
        texts += [json.loads(line).get("text", "") for line in open(path, encoding="utf-8")]
    return [t[i : i + size] for t in texts if t for i in range(0, len(t), size)]


def batches_of(records: list[str], size: int) -> list[pa.Table]:
    return [
        pa.table({"record_id": [str(i) for i in range(n, n + len(chunk))], "text": chunk})
        for n in range(0, len(records), size)
        for chunk in [records[n : n + size]]
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--megabytes", type=float, default=20)
    parser.add_argument("--batch", type=int, default=4096)
    parser.add_argument("--samples", type=int, default=25, help="matched runs to print")
    parser.add_argument("--repeat", type=int, default=3, help="timed passes; the best is reported")
    args = parser.parse_args()
    if not WEBTEXT.exists():
        raise SystemExit(f"{WEBTEXT} is absent: this benchmark needs ../shared/data/webtext")
    pool = web_records()
    pool_mb = sum(len(t.encode()) for t in pool) / 2**20
    records, size = [], 0
    while size < args.megabytes * 2**20:
        for text in pool:
            records.append(text)
            size += len(text.encode())
    print(f"{len(records):,} records, {size / 2**20:,.1f} MB of text ({pool_mb:.1f} MB distinct), one process")
    started = time.perf_counter()
    scanner = create("demographics")
    print(f"scanner ready (lexicon loaded, tables built) in {time.perf_counter() - started:.2f} s")
    batches = batches_of(records, args.batch)
    scanner.scan(batches[0].slice(0, 200))
    best = float("inf")
    for _ in range(args.repeat):
        scanner = create("demographics")  # a cold run cache each pass, as in a fresh worker
        found = 0
        started = time.perf_counter()
        for batch in batches:
            found += scanner.scan(batch).findings.num_rows
        best = min(best, time.perf_counter() - started)
    print(
        f"demographics scanner: {size / 2**20 / best:,.1f} MB/s ({len(records) / best:,.0f} records/s), "
        f"{found:,} findings (best of {args.repeat})"
    )

    summary = scanner.summarize(scanner.scan(batches_of(pool, len(pool))[0]).partial)
    print(f"\non the distinct text ({summary['records']:,} records): records per axis, top groups")
    for axis, row in sorted(summary["axes"].items(), key=lambda kv: -kv[1]["records"]):
        top = ", ".join(f"{g} {n}" for g, n in list(row["groups"].items())[:6])
        print(f"  {axis:22s} {row['records']:6,}  {top}")
    print(f"  gendered mentions: {summary['gendered_mentions']}, female/male ratio {summary['female_male_ratio']}")

    matcher = scanner._default
    runs = [(words, labels) for text in pool for words, labels, descriptor in matcher.explain(text, 2) if descriptor]
    rng = random.Random(7)
    for title, chosen in (
        ("counted", [r for r in runs if any(axis != "gender_and_sex" or group not in GENDERS for axis, group in r[1])]),
        (
            "not counted",
            [r for r in runs if all(axis == "gender_and_sex" and group in GENDERS for axis, group in r[1])],
        ),
    ):
        print(f"\n{args.samples} random runs holding a descriptor (and 2 words after), {title} ({len(chosen):,}):")
        for words, labels in rng.sample(chosen, min(args.samples, len(chosen))):
            print(f"  {words[:48]!r:50s} -> {', '.join(f'{a}:{g}' for a, g in labels) or '-'}")


if __name__ == "__main__":
    main()

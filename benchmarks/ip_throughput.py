"""The ip scanner's throughput on real web text, one process (issue 6: at least 10 MB/s per core).

    python benchmarks/ip_throughput.py               # ~40 MB of ../shared/data/webtext text, in batches of 4,096
    python benchmarks/ip_throughput.py --megabytes 10

The texts are the English Wikipedia sample, the Bulgarian one and the Common Crawl documents of dolma's test data in
../shared/data/webtext, cut into ~2,000-character records (the size of a web page's paragraph block) and repeated
to the size asked. Most of it holds no licence: the figure is what finding that out costs. The licence-identification
index is built before timing (once per worker in a real scan) and its build time is printed.
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from pathlib import Path

import pyarrow as pa

from provenance.scanners import create

WEBTEXT = Path(__file__).resolve().parents[2] / "shared" / "data" / "webtext"


def web_records(size: int = 2000) -> list[str]:
    texts = [json.loads(line)["text_plain"] for line in gzip.open(WEBTEXT / "enwiki_sample_206.plain.jsonl.gz", "rt")]
    for line in open(WEBTEXT / "bgwiki_sample.jsonl", encoding="utf-8"):
        row = json.loads(line)
        texts += [v for k, v in row.items() if isinstance(v, str) and len(v) > 200 and k != "url"]
    for path in sorted((WEBTEXT / "dolma_cc_samples").rglob("*.jsonl")):
        texts += [json.loads(line).get("text", "") for line in open(path, encoding="utf-8")]
    return [t[i : i + size] for t in texts if t for i in range(0, len(t), size)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--megabytes", type=float, default=40)
    parser.add_argument("--batch", type=int, default=4096)
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
    scanner = create("ip")
    scanner.key = b"k" * 32
    print(f"scanner ready (licence index built) in {time.perf_counter() - started:.2f} s")
    batches = [
        pa.table(
            {
                "record_id": [str(i) for i in range(n, n + args.batch)][: len(records[n : n + args.batch])],
                "text": records[n : n + args.batch],
            }
        )
        for n in range(0, len(records), args.batch)
    ]
    scanner.scan(batches[0].slice(0, 200))
    found = 0
    started = time.perf_counter()
    for batch in batches:
        found += scanner.scan(batch).findings.num_rows
    elapsed = time.perf_counter() - started
    print(
        f"ip scanner: {size / 2**20 / elapsed:,.1f} MB/s ({len(records) / elapsed:,.0f} records/s), {found:,} findings"
    )


if __name__ == "__main__":
    main()

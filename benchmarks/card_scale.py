"""Card generation time on a ledger of 1,000,000 records with findings (issue 8: under 10 seconds).

    python benchmarks/card_scale.py                    # builds the ledger once (a few minutes), then times the cards
    python benchmarks/card_scale.py --records 200000
    python benchmarks/card_scale.py --keep /tmp/big.duckdb   # reuse the ledger next time

The ledger is real: records of three sentences drawn at random from the Wikipedia passages of
../shared/data/webtext, one in twenty with one of presidio-research's PII texts appended, ingested and scanned by
the textstats, pii, language and demographics scanners. The figure is the time of `provenance.card` (every card
format it writes), the aggregation all happening in DuckDB.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

import provenance

sys.path.insert(0, str(Path(__file__).parent))
from pii_speed import texts as pii_texts
from pii_speed import web_texts


def build(folder: Path, records: int, ledger: Path) -> None:
    sentences = [s.strip() for t in web_texts(6000) for s in t.split(". ") if len(s) > 40]
    dense = [t[:150] for t in pii_texts(300)]
    rng = random.Random(0)
    with open(folder / "corpus.jsonl", "w", encoding="utf-8") as out:
        for n in range(records):
            # three sentences drawn at random: distinct texts, as in a real corpus, not near-duplicates of each other
            text = ". ".join(rng.choice(sentences) for _ in range(3))
            if n % 20 == 19:
                text += " " + dense[n % len(dense)]
            out.write(json.dumps({"text": text}) + "\n")
    (folder / "sources.yaml").write_text(
        "version: 1\nsources:\n  - id: web\n    name: web sentences\n    license: CC-BY-SA-3.0\n"
        "    consent_basis: licence_grant\n    collection_method: web_scraping\n    languages: [en]\n"
        "    data:\n      - path: corpus.jsonl\n"
    )
    started = time.perf_counter()
    provenance.scan(
        folder, ledger, scanners=["textstats", "pii", "language", "demographics"], workers=2, batch_size=50_000
    )
    print(f"ledger of {records:,} records built and scanned in {time.perf_counter() - started:,.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="build the ledger here (or reuse it if it exists)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ledger = args.keep or Path(tmp) / "big.duckdb"
        if not ledger.exists():
            build(Path(tmp), args.records, ledger)
        with provenance.Ledger(ledger, read_only=True) as store:
            records = store.scalar("SELECT count(*) FROM records")
            findings = store.scalar("SELECT count(*) FROM findings")
        print(f"ledger: {records:,} records, {findings:,} findings")
        started = time.perf_counter()
        card = provenance.card(ledger, Path(tmp) / "card")
        elapsed = time.perf_counter() - started
        written = sorted(p.name for p in card.parent.iterdir())
        print(f"card set written in {elapsed:.1f} s: {', '.join(written)}")
        print(f"target < 10 s: {'met' if elapsed < 10 else 'not met'}")


if __name__ == "__main__":
    main()

"""PII scanner speed against presidio's AnalyzerEngine, on the same texts in one run (issue 5).

    python benchmarks/pii_speed.py                       # 5,000 texts of ~500 characters
    python benchmarks/pii_speed.py --texts 2000

The texts are ~500-character passages built from the gold texts of presidio-research's generated_large.json in
../shared/data/pii (or synthetic sentences when it is absent), so both sides see real PII formats. The baseline is
what a user writes by hand: AnalyzerEngine with pattern recognizers only (an explicit NLP engine that loads no
model), `analyze(text, language="en")` per record.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import pyarrow as pa

from provenance.scanners import create

GOLD = Path(__file__).resolve().parents[2] / "shared" / "data" / "pii" / "generated_large.json"


# Both sides first see this many texts untimed: patterns compile and models load once per worker, so the figure is
# the throughput a long scan settles at.
WARM_UP = 100

WEB = GOLD.parent.parent / "webtext" / "enwiki_sample_206.plain.jsonl.gz"


def web_texts(n: int) -> list[str]:
    """~500-character passages of real Wikipedia text (little PII): the common case of a web corpus."""
    import gzip

    pool = [json.loads(line)["text_plain"] for line in gzip.open(WEB, "rt", encoding="utf-8")]
    out = []
    for page in pool:
        out += [page[i : i + 500] for i in range(0, len(page) - 250, 500)]
    return (out * (n // max(len(out), 1) + 1))[:n]


def texts(n: int) -> list[str]:
    if GOLD.exists():
        pool = [row["full_text"] for row in json.loads(GOLD.read_text())]
    else:
        pool = ["Contact Jane at jane.doe@example.com or +44 20 7946 0958 about order 4111 1111 1111 1111."] * 50
    out, i = [], 0
    while len(out) < n:
        text = ""
        while len(text) < 500:
            text += pool[i % len(pool)] + " "
            i += 1
        out.append(text[:520])
    return out


def presidio_engine():
    """AnalyzerEngine with presidio's predefined pattern recognizers and an NLP engine that loads no model."""
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NlpArtifacts, NlpEngine

    class NoNlp(NlpEngine):
        """No model: pattern recognizers only, as the issue's baseline."""

        def load(self) -> None: ...
        def is_loaded(self) -> bool:
            return True

        def process_text(self, text, language):
            return NlpArtifacts([], [], [], [], None, language)

        def process_batch(self, texts, language, **kwargs):
            for t in texts:
                yield t, self.process_text(t, language)

        def is_stopword(self, word, language):
            return False

        def is_punct(self, word, language):
            return False

        def get_supported_entities(self):
            return []

        def get_supported_languages(self):
            return ["en"]

    registry = RecognizerRegistry()
    registry.load_predefined_recognizers(languages=["en"])
    registry.recognizers = [r for r in registry.recognizers if "Spacy" not in type(r).__name__]
    return AnalyzerEngine(registry=registry, nlp_engine=NoNlp(), supported_languages=["en"])


def presidio_baseline(sample: list[str]) -> float:
    engine = presidio_engine()
    for text in sample[:WARM_UP]:
        engine.analyze(text, language="en")
    start = time.perf_counter()
    for text in sample:
        engine.analyze(text, language="en")
    return len(sample) / (time.perf_counter() - start)


def presidio_ner_baseline(sample: list[str], model: str) -> float:
    """AnalyzerEngine with the same spaCy pipeline as its NLP engine, analyze() per record, as users write it."""
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    provider = NlpEngineProvider(
        nlp_configuration={"nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": model}]}
    )
    engine = AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["en"])
    for text in sample[:WARM_UP]:
        engine.analyze(text, language="en")
    start = time.perf_counter()
    for text in sample:
        engine.analyze(text, language="en")
    return len(sample) / (time.perf_counter() - start)


def ours(sample: list[str], ner_model: str | None = None) -> float:
    scanner = create("pii", {"ner_model": ner_model} if ner_model else None)
    scanner.key = b"k" * 32
    batch = pa.table({"record_id": [str(i) for i in range(len(sample))], "text": sample})
    scanner.scan(batch.slice(0, WARM_UP))
    start = time.perf_counter()
    scanner.scan(batch)
    return len(sample) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--texts", type=int, default=5000)
    parser.add_argument("--web", action="store_true", help="real Wikipedia passages instead of PII-dense ones")
    parser.add_argument("--ner", metavar="MODEL", help="also compare the NER tier with this installed spaCy model")
    args = parser.parse_args()
    sample = web_texts(args.texts) if args.web else texts(args.texts)
    print(f"{len(sample):,} texts, mean {sum(map(len, sample)) / len(sample):.0f} characters, one process each")
    base = presidio_baseline(sample)
    mine = ours(sample)
    print(f"presidio AnalyzerEngine, pattern recognizers: {base:,.0f} records/s")
    print(f"provenance pii scanner, pattern tier:         {mine:,.0f} records/s")
    print(f"speed-up: {mine / base:.1f}x")
    if args.ner:
        ner_sample = sample[: max(len(sample) // 5, 200)]
        base = presidio_ner_baseline(ner_sample, args.ner)
        mine = ours(ner_sample, args.ner)
        print(f"NER tier with {args.ner}, {len(ner_sample):,} texts:")
        print(f"presidio AnalyzerEngine + spaCy:              {base:,.0f} records/s")
        print(f"provenance pii scanner, NER tier:             {mine:,.0f} records/s")
        print(f"speed-up: {mine / base:.1f}x")


if __name__ == "__main__":
    main()

"""PII accuracy against presidio's defaults on presidio-research's generated_large.json (issue 5).

    python benchmarks/pii_accuracy.py

Both sides are scored by the same function (``provenance.evaluation.pii``: same type, overlapping span) over the
entity types either side looks for (ours asked for dates too, as the gold data labels them). presidio's side is what
a user gets by default without a spaCy model: AnalyzerEngine with its predefined recognizers and an explicit NLP
engine that loads no model.
"""

from __future__ import annotations

import sys
from pathlib import Path

from provenance.evaluation.pii import evaluate_pii, load_gold, scanner_predictor
from provenance.scanners.pii.scanner import DEFAULT_ENTITIES, OPTIONAL_ENTITIES

GOLD = Path(__file__).resolve().parents[2] / "shared" / "data" / "pii" / "generated_large.json"


def presidio_predictions(texts: list[str]) -> tuple[list[list[tuple[str, int, int, float]]], set[str]]:
    sys.path.insert(0, str(Path(__file__).parent))
    from pii_speed import presidio_engine

    engine = presidio_engine()
    out = [[(r.entity_type, r.start, r.end, r.score) for r in engine.analyze(t, language="en")] for t in texts]
    types = {e for r in engine.registry.recognizers for e in r.supported_entities}
    return out, types


def main() -> None:
    if not GOLD.exists():
        raise SystemExit(f"{GOLD} is absent: this benchmark needs ../shared/data/pii")
    gold = load_gold(GOLD)
    texts = [g.text for g in gold]
    # the gold data labels dates, which our scanner looks for only when asked
    predict, ours_types = scanner_predictor({"entities": DEFAULT_ENTITIES + OPTIONAL_ENTITIES})
    ours = evaluate_pii(gold, predict(texts), ours_types)
    theirs_predicted, theirs_types = presidio_predictions(texts)
    theirs = evaluate_pii(gold, theirs_predicted, theirs_types)
    gold_types = {s[0] for g in gold for s in g.spans}
    print(f"{len(gold):,} texts; types in the gold data either side looks for:")
    print(f"{'type':<18}{'presidio P':>11}{'R':>7}{'F1':>7}   {'provenance P':>13}{'R':>7}{'F1':>7}")
    for entity in sorted((set(ours.per_type) | set(theirs.per_type)) & gold_types):
        a = theirs.per_type.get(entity, {"precision": 0, "recall": 0, "f1": 0})
        b = ours.per_type.get(entity, {"precision": 0, "recall": 0, "f1": 0})
        print(
            f"{entity:<18}{a['precision']:>11.3f}{a['recall']:>7.3f}{a['f1']:>7.3f}   "
            f"{b['precision']:>13.3f}{b['recall']:>7.3f}{b['f1']:>7.3f}"
        )
    print(
        f"{'overall':<18}{theirs.overall['precision']:>11.3f}{theirs.overall['recall']:>7.3f}"
        f"{theirs.overall['f1']:>7.3f}   {ours.overall['precision']:>13.3f}{ours.overall['recall']:>7.3f}"
        f"{ours.overall['f1']:>7.3f}"
    )
    print(f"overall F1 difference: {ours.overall['f1'] - theirs.overall['f1']:+.3f}")
    extra = {k: v for k, v in theirs.per_type.items() if k not in gold_types}
    if extra:
        print(
            "presidio findings of types absent from the gold data (false positives): "
            + ", ".join(f"{k} {v['fp']}" for k, v in sorted(extra.items()))
        )


if __name__ == "__main__":
    main()

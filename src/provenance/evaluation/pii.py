"""``provenance eval pii``: precision, recall and F1 of the pii scanner on span-labelled texts.

Gold files use presidio-research's JSON format: a list of ``{"full_text": ..., "spans": [{"entity_type": ...,
"start_position": ..., "end_position": ...}]}``. A predicted span counts as a true positive when it has the gold
span's type and overlaps it; each gold span is matched at most once. Only types the scanner looks for are scored;
the others are listed with their counts, so a score is never flattered by what was not attempted.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from ..errors import InputError
from ..scanners import create
from ..scanners.pii.scanner import DEFAULT_ENTITIES, NER_ENTITIES, OPTIONAL_ENTITIES

Predictor = Callable[[list[str]], list[list[tuple[str, int, int, float]]]]


@dataclass
class GoldText:
    text: str
    spans: list[tuple[str, int, int]]


@dataclass
class Scores:
    per_type: dict[str, dict[str, float]] = field(default_factory=dict)
    overall: dict[str, float] = field(default_factory=dict)
    not_scored: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"per_type": self.per_type, "overall": self.overall, "not_scored": self.not_scored}


def load_gold(path: str | Path) -> list[GoldText]:
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: no such gold file") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: not a JSON file: {exc}", hint="use presidio-research's JSON format") from None
    if not isinstance(data, list):
        raise InputError(f"{path}: expected a list of texts", hint="use presidio-research's JSON format")
    out = []
    for i, row in enumerate(data):
        try:
            spans = [(s["entity_type"], int(s["start_position"]), int(s["end_position"])) for s in row["spans"]]
            out.append(GoldText(str(row["full_text"]), spans))
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(
                f"{path}: record {i} lacks {exc}",
                hint="each record needs full_text and spans with entity_type, start_position, end_position",
            ) from None
    return out


def entities_to_score(gold: Sequence[GoldText], ner: bool) -> tuple[str, ...]:
    """The scanner's default types, plus the optional ones (dates) the gold data labels, plus names and places when
    the NER tier runs: what a user evaluating on their own labelled data means by "the scanner"."""
    labelled = {span[0] for item in gold for span in item.spans}
    optional = tuple(e for e in OPTIONAL_ENTITIES if e in labelled)
    return DEFAULT_ENTITIES + optional + (NER_ENTITIES if ner else ())


def scanner_predictor(config: dict[str, Any] | None = None, batch_size: int = 1000) -> tuple[Predictor, set[str]]:
    scanner = create("pii", config)

    def predict(texts: list[str]) -> list[list[tuple[str, int, int, float]]]:
        out: list[list[tuple[str, int, int, float]]] = [[] for _ in texts]
        for first in range(0, len(texts), batch_size):
            chunk = texts[first : first + batch_size]
            batch = pa.table({"record_id": [str(first + i) for i in range(len(chunk))], "text": chunk})
            for f in scanner.scan(batch).findings.to_pylist():
                out[int(f["record_id"])].append((f["label"], f["start"], f["end"], f["score"]))
        return out

    return predict, set(scanner.config.entities)


def evaluate_pii(
    gold: Sequence[GoldText], predictions: Sequence[Sequence[tuple[str, int, int, float]]], scored_types: set[str]
) -> Scores:
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    not_scored: Counter[str] = Counter()
    for item, predicted in zip(gold, predictions, strict=True):
        open_gold = [s for s in item.spans if s[0] in scored_types]
        not_scored.update(s[0] for s in item.spans if s[0] not in scored_types)
        for entity, start, end, _ in sorted(predicted, key=lambda p: p[1]):
            match = next((g for g in open_gold if g[0] == entity and g[1] < end and start < g[2]), None)
            if match is None:
                fp[entity] += 1
            else:
                tp[entity] += 1
                open_gold.remove(match)
        fn.update(g[0] for g in open_gold)
    scores = Scores(not_scored=dict(not_scored.most_common()))
    for entity in sorted(set(tp) | set(fp) | set(fn)):
        scores.per_type[entity] = _prf(tp[entity], fp[entity], fn[entity])
    scores.overall = _prf(sum(tp.values()), sum(fp.values()), sum(fn.values()))
    return scores


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "tp": tp,
        "fp": fp,
        "fn": fn,
    }


def write_predictions(path: str | Path, predictions: Sequence[Sequence[tuple[str, int, int, float]]]) -> None:
    with open(path, "w", encoding="utf-8") as out:
        for index, predicted in enumerate(predictions):
            for entity, start, end, score in predicted:
                out.write(
                    json.dumps({"record": index, "start": start, "end": end, "entity_type": entity, "score": score})
                    + "\n"
                )

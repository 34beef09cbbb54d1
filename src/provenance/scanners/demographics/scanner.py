"""The ``demographics`` scanner: which demographic groups the records mention, and what their metadata declares.

Text is matched against the shipped lexicon (:mod:`.lexicon`): HolisticBias descriptors on 12 axes (race and
ethnicity, religion, age, gender and sex, ability, ...), each counted under its axis and group, and Gender-GAP's
gendered person nouns, counted as feminine, masculine or unspecified mentions. Descriptors are English; gendered
nouns cover 55 languages, but a language's nouns are only read where they cannot be mistaken for words of another
language (see ``languages``): with all 55 lists on, English web text gets 68% more gendered mentions, all spurious
(Spanish "modern", Tagalog "make"), and Bulgarian text read with the Russian list counts "друг" ("other") as
"friend".

A record yields one finding per (axis, group) it mentions, ``label = "<axis>:<group>"`` and ``score`` = mentions,
and one per declared metadata value when ``metadata_axes`` maps a metadata field to an axis. No matched words are
stored, only axes and groups: a record's text is never copied into a finding.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, ClassVar

import orjson
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import Field, field_validator

from ...errors import InputError
from ..base import FindingsBuilder, Scanner, ScannerConfig, ScanOutput
from ..registry import register
from .lexicon import ENGLISH, language_code, lexicon_axes, lexicon_languages, load_lexicon
from .matcher import FEMININE, GENDER_CLASSES, MASCULINE, Matcher

KIND = "demographics"
GENDER_AXIS = "gender_and_sex"
UNDETERMINED = {"und", "zxx", "mul", "mis", "unknown", "none", "null"}
MAX_VALUE_CHARS = 100


class DemographicsConfig(ScannerConfig):
    languages: tuple[str, ...] | None = Field(
        None,
        description="Gender-GAP languages (ISO 639-3, or 639-1 such as 'de') whose gendered nouns are read in every "
        "record; 'eng' also turns on the English descriptors. None: English plus the languages with a script of "
        "their own (Greek, Georgian, Korean, Thai, Tamil, Telugu, Kannada, Punjabi)",
    )
    language_field: str | None = Field(
        None,
        description="metadata field holding each record's language (e.g. 'lang'); a record in a known language is "
        "read with that language's list only, a record in another language is not read",
    )
    axes: tuple[str, ...] | None = Field(None, description="axes to report; None: all")
    pronouns: bool = Field(False, description="count English he/she/him/her... as gendered mentions")
    metadata_axes: dict[str, str] = Field(
        default_factory=dict,
        description="metadata field -> axis, e.g. {speaker_gender: gender_and_sex, age_band: age}; records are "
        "counted per (lowercased) value",
    )

    @field_validator("languages", "axes", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        """``--set demographics.languages=eng,deu`` as well as a list."""
        return tuple(v.strip() for v in value.split(",") if v.strip()) if isinstance(value, str) else value


@register
class Demographics(Scanner):
    name: ClassVar[str] = "demographics"
    version: ClassVar[str] = "0.1.0"  # bump with every change of the lexicon (tests check LEXICON_SHA256)
    Config = DemographicsConfig
    description: ClassVar[str] = "mentions of demographic groups and gendered nouns; demographic metadata"
    config: DemographicsConfig

    def __init__(self, config: Any = None) -> None:
        super().__init__(config)
        self._lexicon = load_lexicon()
        known = set(lexicon_languages())
        languages = [language_code(code) or code for code in self.config.languages or ()]
        unknown = sorted(code for code in languages if code not in known)
        if unknown:
            raise InputError(
                f"demographics: no gendered-noun list for language {', '.join(unknown)}",
                hint=f"languages with a list: {', '.join(sorted(known))}",
            )
        axes = set(lexicon_axes())
        bad_axes = sorted(set(self.config.axes or ()) - axes)
        if bad_axes:
            raise InputError(
                f"demographics: unknown axis {', '.join(bad_axes)}", hint=f"axes: {', '.join(sorted(axes))}"
            )
        self._allowed = set(languages) if self.config.languages is not None else known
        default = set(languages) if self.config.languages is not None else self._auto_languages()
        self._matchers: dict[frozenset[str], Matcher] = {}
        self._default = self._matcher(frozenset(default))

    def _auto_languages(self) -> set[str]:
        return {ENGLISH, *self._lexicon["script_unique_languages"]}

    def _matcher(self, languages: frozenset[str]) -> Matcher:
        if languages not in self._matchers:
            axes = self.config.axes
            self._matchers[languages] = Matcher(
                self._lexicon,
                languages=languages,
                axes=axes,
                pronouns=self.config.pronouns,
                gendered=axes is None or GENDER_AXIS in axes,
            )
        return self._matchers[languages]

    def not_looked_for(self) -> list[str]:
        missing = ["demographic descriptors in languages other than English (HolisticBias's descriptors are English)"]
        if self.config.languages is None and self.config.language_field is None:
            missing.append(
                "gendered nouns in languages written in Latin, Cyrillic, Arabic, Devanagari, Bengali or Chinese "
                "script other than English (set demographics.languages or demographics.language_field)"
            )
        if self.config.languages is not None and ENGLISH not in self._allowed:
            missing.append("English demographic descriptors (demographics.languages leaves out eng)")
        if self.config.axes is not None:
            left_out = sorted(set(lexicon_axes()) - set(self.config.axes))
            if left_out:
                missing.append(f"demographic axes {', '.join(left_out)} (demographics.axes)")
        return missing

    # ---- scanning ---------------------------------------------------------------------------------------------
    def scan(self, batch: pa.Table) -> ScanOutput:
        out = FindingsBuilder()
        ids = batch.column("record_id").to_pylist()
        texts = _strings(batch.column("text")) if "text" in batch.column_names else [None] * len(ids)
        metas = self._metas(batch)
        records_with_axis: dict[str, int] = {}
        groups: dict[str, dict[str, dict[str, int]]] = {}
        gendered = [0, 0, 0]
        gendered_records = [0, 0]
        metadata: dict[str, dict[str, int]] = {}
        for i, record_id in enumerate(ids):
            meta = metas[i] if metas is not None else None
            matcher = self._record_matcher(meta)
            text = texts[i]
            if matcher is not None and text:
                mentions, genders = matcher.count(text)
                labels = matcher.labels
                found = [(*labels[label], n) for label, n in mentions.items()]
                for cls in (FEMININE, MASCULINE):
                    if genders[cls]:
                        found.append((GENDER_AXIS, GENDER_CLASSES[cls], genders[cls]))
                        gendered_records[cls] += 1
                for cls, n in enumerate(genders):
                    gendered[cls] += n
                for axis in {axis for axis, _, _ in found}:
                    records_with_axis[axis] = records_with_axis.get(axis, 0) + 1
                for axis, group, n in sorted(found):
                    cell = groups.setdefault(axis, {}).setdefault(group, {"records": 0, "mentions": 0})
                    cell["records"] += 1
                    cell["mentions"] += n
                    _add(out, record_id, axis, group, n, "text")
            if meta:
                for axis, value in self._declared(meta):
                    values = metadata.setdefault(axis, {})
                    values[value] = values.get(value, 0) + 1
                    _add(out, record_id, axis, value, 1, "metadata")
        partial = {
            "records": len(ids),
            "records_with_axis": records_with_axis,
            "groups": groups,
            "gendered": dict(zip(GENDER_CLASSES, gendered, strict=True)),
            "gendered_records": {"feminine": gendered_records[FEMININE], "masculine": gendered_records[MASCULINE]},
            "metadata": metadata,
        }
        return ScanOutput(out.table(), partial)

    def _record_matcher(self, meta: dict[str, Any] | None) -> Matcher | None:
        """The lists of the record's own languages when its metadata names them ('de', 'en+de', ['en', 'ja']);
        None when it names only languages we have no list for (English words are not looked for in Norwegian)."""
        field = self.config.language_field
        if field is None or not meta:
            return self._default
        value = _lookup(meta, field)
        tags = value if isinstance(value, list) else re.split(r"[+,;|/\s]+", value) if isinstance(value, str) else []
        codes = {code for tag in tags if (code := language_code(tag)) and code not in UNDETERMINED}
        if not codes:
            return self._default
        known = frozenset(codes & self._allowed)
        return self._matcher(known) if known else None

    def _metas(self, batch: pa.Table) -> list[dict[str, Any] | None] | None:
        """Parsed ``meta`` of the records that can hold a wanted field; None when no field is wanted."""
        fields = [*self.config.metadata_axes, *([self.config.language_field] if self.config.language_field else [])]
        if not fields or "meta" not in batch.column_names:
            return None
        column = batch.column("meta")
        if pa.types.is_null(column.type):
            return None
        column = column.cast(pa.large_string())
        values = column.to_pylist()
        chosen = [True] * len(values)
        keys = {f.split(".", 1)[0] for f in fields}
        if not any('"' in key or "\\" in key for key in keys):
            # a cheap test in C first: only rows whose JSON holds one of the wanted keys are parsed
            mask = None
            for key in sorted(keys):
                hit = pc.match_substring(column, key)
                mask = hit if mask is None else pc.or_(mask, hit)
            chosen = pc.fill_null(mask, False).to_pylist()
        out: list[dict[str, Any] | None] = []
        for wanted, raw in zip(chosen, values, strict=True):
            obj = None
            if wanted and raw:
                try:
                    obj = orjson.loads(raw)
                except orjson.JSONDecodeError:
                    obj = None
            out.append(obj if isinstance(obj, dict) else None)
        return out

    def _declared(self, meta: dict[str, Any]) -> list[tuple[str, str]]:
        """(axis, value) pairs a record's metadata declares, one per distinct value."""
        found: set[tuple[str, str]] = set()
        for field, axis in self.config.metadata_axes.items():
            value = _lookup(meta, field)
            for item in value if isinstance(value, list) else [value]:
                text = _value_text(item)
                if text:
                    found.add((axis, text))
        return sorted(found)

    # ---- aggregates ---------------------------------------------------------------------------------------------
    def summarize(self, total: Mapping[str, Any]) -> dict[str, Any]:
        records_with_axis = total.get("records_with_axis", {})
        axes = {}
        for axis, groups in sorted(total.get("groups", {}).items()):
            ordered = sorted(groups.items(), key=lambda kv: (-kv[1]["records"], kv[0]))
            axes[axis] = {
                "records": records_with_axis.get(axis, 0),
                "groups": {group: cell["records"] for group, cell in ordered},
                "mentions": {group: cell["mentions"] for group, cell in ordered},
            }
        gendered = dict(total.get("gendered", {}))
        fem, masc = gendered.get("feminine", 0), gendered.get("masculine", 0)
        return {
            "records": total.get("records", 0),
            "axes": axes,
            "gendered_mentions": gendered,
            "gendered_records": dict(total.get("gendered_records", {})),
            "female_male_ratio": round(fem / masc, 4) if fem and masc else None,
            "metadata": {
                axis: dict(sorted(values.items(), key=lambda kv: (-kv[1], kv[0])))
                for axis, values in sorted(total.get("metadata", {}).items())
            },
        }


def _add(out: FindingsBuilder, record_id: str, axis: str, group: str, mentions: int, source: str) -> None:
    detail = {"axis": axis, "group": group, "mentions": mentions, "source": source}
    out.add(
        record_id,
        KIND,
        f"{axis}:{group}",
        score=float(mentions),
        detail=json.dumps(detail, ensure_ascii=False, sort_keys=True),
    )


def _strings(column: pa.ChunkedArray | pa.Array) -> list[str | None]:
    if pa.types.is_null(column.type):
        return [None] * len(column)
    return column.to_pylist()


def _lookup(meta: Mapping[str, Any], field: str) -> Any:
    """A field of the metadata: a top-level key, or a dotted path into nested objects ('speaker.gender')."""
    if field in meta:
        return meta[field]
    value: Any = meta
    for part in field.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def _value_text(value: Any) -> str | None:
    """A metadata value as a group name: scalars only, whitespace collapsed, lowercased, at most 100 characters."""
    if value is None or isinstance(value, Mapping | list):
        return None
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    else:
        text = " ".join(str(value).split()).casefold()
    return text[:MAX_VALUE_CHARS] or None

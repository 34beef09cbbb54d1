"""Pick text, URL, licence and metadata out of a record, the same way for every format."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

import orjson
import pyarrow as pa

from ..models import DataEntry

TEXT_SEPARATOR = "\n\n"


class FieldError(ValueError):
    """This record cannot be used (no text, text of the wrong type); the message says which field."""


@dataclass(frozen=True)
class FieldSpec:
    text_fields: tuple[str, ...] = ("text",)
    url_field: str | None = None
    license_field: str | None = None
    # Carry the text and the other columns in the batch? An ingest without scanners reads neither, and leaving
    # them out saves a third of its time and most of its memory.
    with_meta: bool = True
    with_text: bool = True

    @classmethod
    def from_entry(cls, entry: DataEntry, *, for_scanners: bool = True) -> FieldSpec:
        with_meta = for_scanners or bool(entry.metadata)
        return cls(tuple(entry.text_fields), entry.url_field, entry.license_field, with_meta, for_scanners)

    @property
    def reserved(self) -> set[str]:
        return set(self.text_fields)


def scalar_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value if value.isascii() or encodable(value) else None
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return str(value)
        except ValueError:  # an integer of more than 4,300 digits
            return None
    return None


def encodable(text: str) -> bool:
    """False for a string holding a lone surrogate (from a JSON \\ud800 escape), which UTF-8 cannot hold."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate from a "\ud800" escape
        return False
    return True


def text_of(obj: dict, spec: FieldSpec) -> str:
    """The record's text; several text fields are joined by a blank line. Raises FieldError when there is none."""
    if len(spec.text_fields) == 1:
        name = spec.text_fields[0]
        value = obj.get(name)
        if isinstance(value, str):
            return value
        raise FieldError(_missing(name, value, obj))
    parts = []
    for name in spec.text_fields:
        value = obj.get(name)
        if value is None:
            continue
        if not isinstance(value, str):
            raise FieldError(_missing(name, value, obj))
        parts.append(value)
    if not parts:
        raise FieldError(f"no text: none of the fields {', '.join(spec.text_fields)} is present")
    return TEXT_SEPARATOR.join(parts)


def _missing(name: str, value: Any, obj: dict) -> str:
    if name not in obj:  # the other keys are not named: a key can be personal data (an e-mail used as a key)
        return f"no text: field '{name}' is missing (the record has {len(obj)} other field(s))"
    if value is None:
        return f"no text: field '{name}' is null"
    return f"field '{name}' is {kind_of(value)}, expected a string"


_KINDS = {dict: "an object", list: "a list", bool: "a boolean", int: "a number", float: "a number", str: "a string"}


def kind_of(value: Any) -> str:
    """How a JSON value is called in messages: null, a number, a list, an object..."""
    return "null" if value is None else _KINDS.get(type(value), f"a {type(value).__name__}")


def dumps_meta(rest: dict) -> str:
    """The other columns of a record as JSON. Raises FieldError when they cannot be stored (nested too deeply)."""
    try:
        return orjson.dumps(rest, default=str).decode()
    except (TypeError, orjson.JSONEncodeError):  # integers past 64 bits, lone surrogates, deep nesting
        pass
    try:
        return json.dumps(_plain(rest, 0), default=str, ensure_ascii=True, allow_nan=False)
    except ValueError as exc:  # an integer of more than 4,300 digits
        raise FieldError(f"the record's other fields cannot be kept as metadata ({exc})") from None


_MAX_META_DEPTH = 255


def _plain(value: Any, depth: int) -> Any:
    """What orjson would write, for the values it refuses: non-finite floats become null, keys strings."""
    if depth > _MAX_META_DEPTH:
        raise FieldError(
            f"the record's other fields cannot be kept as metadata (nested more than {_MAX_META_DEPTH} levels deep)"
        )
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _plain(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v, depth + 1) for v in value]
    return value


def extras_of(obj: dict, spec: FieldSpec) -> tuple[str | None, str | None, str | None]:
    """URL, licence and the remaining columns (as JSON) of a dict record."""
    url = scalar_text(obj.get(spec.url_field)) if spec.url_field else None
    lic = scalar_text(obj.get(spec.license_field)) if spec.license_field else None
    rest = {k: v for k, v in obj.items() if k not in spec.reserved} if spec.with_meta else None
    meta = dumps_meta(rest) if rest else None
    return url, lic, meta


def columns_of_table(table: pa.Table, spec: FieldSpec, where: str) -> tuple[pa.Array, dict[str, Any]]:
    """Vectorised version for Arrow-native formats (Parquet, datasets): text array plus the extra columns."""
    missing = [f for f in spec.text_fields if f not in table.column_names]
    if missing:
        raise FieldError(
            f"{where}: no text column {', '.join(missing)} (columns: {', '.join(table.column_names[:12])})"
        )
    texts = []
    for name in spec.text_fields:
        col = table.column(name)
        if not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
            raise FieldError(f"{where}: column '{name}' holds {col.type}, expected text")
        texts.append(col.cast(pa.large_string()))
    if len(texts) == 1:
        text = texts[0]
    else:  # join the present parts row by row; a row with none stays null and is reported by the caller
        columns = [t.to_pylist() for t in texts]
        joined = [
            TEXT_SEPARATOR.join(p for p in parts if p is not None) or None for parts in zip(*columns, strict=True)
        ]
        text = pa.array(joined, pa.large_string())
    extra: dict[str, Any] = {}
    if spec.url_field and spec.url_field in table.column_names:
        extra["url"] = table.column(spec.url_field).cast(pa.string())
    if spec.license_field and spec.license_field in table.column_names:
        extra["record_license"] = table.column(spec.license_field).cast(pa.string())
    rest = [c for c in table.column_names if c not in spec.reserved]
    if rest and spec.with_meta:
        extra["meta"] = [orjson.dumps(r, default=str).decode() for r in table.select(rest).to_pylist()]
    return text.combine_chunks() if isinstance(text, pa.ChunkedArray) else text, extra

"""The unit every stage hands the next: a batch of records from one source, as an Arrow table."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from ..models import BadRecord, Origin
from .identity import identify

# Columns of RecordBatch.table, in order. Text is normalised (see identity.py); offsets in findings refer to it.
BATCH_SCHEMA = pa.schema(
    [
        ("record_id", pa.string()),
        ("content_hash", pa.string()),
        ("text", pa.large_string()),
        ("n_chars", pa.int64()),
        ("n_bytes", pa.int64()),
        ("line", pa.int64()),
        ("row", pa.int64()),
        ("byte_offset", pa.int64()),
        ("url", pa.string()),
        ("record_license", pa.string()),
        ("meta", pa.string()),
    ]
)


@dataclass
class RecordBatch:
    """Records of one source from one place. ``origin`` holds what all rows share (file, or dataset and split)."""

    source_id: str
    origin: Origin
    table: pa.Table
    bad: list[BadRecord] = field(default_factory=list)
    bytes_read: int = 0  # bytes of the underlying file consumed since the previous batch, for progress

    @property
    def num_rows(self) -> int:
        return self.table.num_rows


class BatchBuilder:
    """Collects rows one at a time (for row-oriented formats) and turns them into a RecordBatch."""

    def __init__(self, source_id: str, origin: Origin) -> None:
        self.source_id = source_id
        self.origin = origin
        self._clear()

    def _clear(self) -> None:
        self.texts: list[str] = []
        self.lines: list[int | None] = []
        self.rows: list[int | None] = []
        self.offsets: list[int | None] = []
        self.urls: list[str | None] = []
        self.licenses: list[str | None] = []
        self.metas: list[str | None] = []
        self.bad: list[BadRecord] = []

    def __len__(self) -> int:
        return len(self.texts)

    def add(
        self,
        text: str,
        *,
        line: int | None = None,
        row: int | None = None,
        byte_offset: int | None = None,
        url: str | None = None,
        license: str | None = None,
        meta: str | None = None,
    ) -> None:
        self.texts.append(text)
        self.lines.append(line)
        self.rows.append(row)
        self.offsets.append(byte_offset)
        self.urls.append(url)
        self.licenses.append(license)
        self.metas.append(meta)

    def reject(self, reason: str, *, line: int | None = None, row: int | None = None) -> None:
        self.bad.append(
            BadRecord(source_id=self.source_id, path=self.origin.place(), line=line, row=row, reason=reason)
        )

    def flush(self, bytes_read: int = 0) -> RecordBatch:
        batch = build_batch(
            self.source_id,
            self.origin,
            self.texts,
            line=self.lines,
            row=self.rows,
            byte_offset=self.offsets,
            url=self.urls,
            record_license=self.licenses,
            meta=self.metas,
            bad=self.bad,
            bytes_read=bytes_read,
        )
        self._clear()
        return batch


def build_batch(
    source_id: str,
    origin: Origin,
    texts: list[str],
    *,
    bad: list[BadRecord] | None = None,
    bytes_read: int = 0,
    keep_text: bool = True,
    **columns: Any,
) -> RecordBatch:
    """Identify the texts and assemble the Arrow table; missing columns (and the text, unless kept) are nulls."""
    ids = identify(source_id, texts)
    n = len(texts)
    arrays = {
        "record_id": ids.record_ids,
        "content_hash": ids.content_hashes,
        "text": ids.texts if keep_text else None,
        "n_chars": ids.n_chars,
        "n_bytes": ids.n_bytes,
    }
    data = []
    for f in BATCH_SCHEMA:
        values = arrays[f.name] if f.name in arrays else columns.get(f.name)
        if values is None:
            data.append(pa.nulls(n, f.type))
        elif isinstance(values, pa.Array | pa.ChunkedArray):
            data.append(values.cast(f.type))
        elif values and isinstance(values[0], bytes) and f.type == pa.string():
            data.append(pa.array(values, pa.binary()).cast(f.type))  # raw JSON lines: C-side UTF-8 check
        else:
            data.append(pa.array(values, f.type))
    table = pa.Table.from_arrays(data, schema=BATCH_SCHEMA)
    return RecordBatch(source_id, origin, table, list(bad or []), bytes_read)

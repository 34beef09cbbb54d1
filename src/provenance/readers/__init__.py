"""Stream records from files and datasets in batches of constant size, with their ids and origins.

Every reader yields :class:`RecordBatch` objects; bad lines travel with the batch (``batch.bad``) instead of
stopping the read.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from pathlib import Path

from ..models import DataFormat
from .arrowfiles import dataset_origin, read_arrow, read_dataset, read_dataset_folder, read_parquet
from .batch import BATCH_SCHEMA, BatchBuilder, RecordBatch, build_batch
from .delimited import read_delimited
from .fields import FieldSpec
from .identity import content_hash, identify, normalize_text, record_id
from .jsonarray import read_json_array
from .lines import read_jsonl, read_text_lines
from .remote import is_uri, staged
from .warc import read_warc
from .wholefile import read_text_file

# >= DuckDB's row group (122,880 rows): an insert that large is written straight to the file, not the WAL.
DEFAULT_BATCH_SIZE = 131_072

_READERS = {
    DataFormat.jsonl: read_jsonl,
    DataFormat.json: read_json_array,
    DataFormat.csv: partial(read_delimited, delimiter=","),
    DataFormat.tsv: partial(read_delimited, delimiter="\t"),
    DataFormat.parquet: read_parquet,
    DataFormat.text: read_text_file,
    DataFormat.text_lines: read_text_lines,
    DataFormat.warc: read_warc,
}


def read_path(
    path: Path,
    fmt: DataFormat,
    source_id: str,
    spec: FieldSpec | None = None,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    split: str | None = None,
) -> Iterator[RecordBatch]:
    """Stream one file (or one saved dataset folder) as record batches."""
    spec = spec or FieldSpec()
    if fmt is DataFormat.hf_disk:
        return read_dataset_folder(path, source_id, spec, batch_size, split)
    return _READERS[fmt](path, source_id, spec, batch_size)


def read_any(
    path: Path | str,
    fmt: DataFormat,
    source_id: str,
    spec: FieldSpec | None = None,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    split: str | None = None,
) -> Iterator[RecordBatch]:
    """:func:`read_path` for a local path or a URI (``s3://...``): a URI is read from a local copy, and every
    origin and bad record names the URI."""
    if not is_uri(path):
        yield from read_path(Path(path), fmt, source_id, spec, batch_size=batch_size, split=split)
        return
    uri = str(path)
    with staged(uri) as local:
        for batch in read_path(local, fmt, source_id, spec, batch_size=batch_size, split=split):
            batch.origin = batch.origin.model_copy(update={"path": uri})
            batch.bad = [b.model_copy(update={"path": uri}) for b in batch.bad]
            yield batch


__all__ = [
    "BATCH_SCHEMA",
    "DEFAULT_BATCH_SIZE",
    "BatchBuilder",
    "FieldSpec",
    "RecordBatch",
    "build_batch",
    "content_hash",
    "dataset_origin",
    "identify",
    "normalize_text",
    "read_any",
    "read_arrow",
    "read_dataset",
    "read_path",
    "record_id",
]

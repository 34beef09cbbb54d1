"""Arrow-native inputs, read in record batches without row-by-row parsing: Parquet files and `datasets` objects."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..models import BadRecord, Origin, OriginKind
from .batch import RecordBatch, build_batch
from .fields import FieldError, FieldSpec, columns_of_table


def _batch_from_table(
    table: pa.Table, first_row: int, source_id: str, origin: Origin, spec: FieldSpec, bytes_read: int
) -> RecordBatch:
    where = origin.place()
    try:
        text, extra = columns_of_table(table, spec, where)
    except FieldError as exc:
        bad = [BadRecord(source_id=source_id, path=where, reason=str(exc).removeprefix(f"{where}: "))]
        return build_batch(source_id, origin, [], bad=bad, bytes_read=bytes_read)
    rows = pa.array(range(first_row, first_row + table.num_rows), pa.int64())
    has_text = pc.is_valid(text)
    bad = [
        BadRecord(source_id=source_id, path=where, row=int(r), reason=_no_text(spec))
        for r in pc.filter(rows, pc.invert(has_text)).to_pylist()
    ]
    if bad:
        text = pc.filter(text, has_text)
        rows = pc.filter(rows, has_text)
        extra = {
            k: (
                pc.filter(v, has_text)
                if isinstance(v, pa.Array | pa.ChunkedArray)
                else [x for x, keep in zip(v, has_text.to_pylist(), strict=True) if keep]
            )
            for k, v in extra.items()
        }
    return build_batch(source_id, origin, text.to_pylist(), row=rows, bad=bad, bytes_read=bytes_read, **extra)


def _no_text(spec: FieldSpec) -> str:
    if len(spec.text_fields) == 1:
        return f"no text: column '{spec.text_fields[0]}' is null"
    return f"no text: columns {', '.join(spec.text_fields)} are all null"


def read_parquet(path: Path, source_id: str, spec: FieldSpec, batch_size: int) -> Iterator[RecordBatch]:
    """Row group by row group: a damaged row group is reported (by its first row) and the others are still read."""
    origin = Origin(kind=OriginKind.file, path=str(path))

    def fail(reason: str, row: int | None = None, nbytes: int = 0) -> RecordBatch:
        bad = [BadRecord(source_id=source_id, path=str(path), row=row, reason=reason)]
        return build_batch(source_id, origin, [], bad=bad, bytes_read=nbytes)

    try:
        size = path.stat().st_size
        parquet = pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as exc:
        yield fail(f"not a readable Parquet file ({_first_line(exc)}); check that it is complete")
        return
    try:
        columns_of_table(parquet.schema_arrow.empty_table(), spec, str(path))
    except FieldError as exc:
        reason = str(exc).removeprefix(f"{path}: ")
        yield fail(f"{reason}; file skipped (set text_field to the column that holds the text)", None, size)
        return
    total_rows = max(parquet.metadata.num_rows, 1)
    first = 0
    for group in range(parquet.num_row_groups):
        rows_in_group = parquet.metadata.row_group(group).num_rows
        start = first
        try:
            for record_batch in parquet.iter_batches(batch_size=batch_size, row_groups=[group]):
                table = pa.Table.from_batches([record_batch])
                share = int(size * table.num_rows / total_rows)
                batch = _batch_from_table(table, first, source_id, origin, spec, share)
                first += table.num_rows
                yield batch
        except (pa.ArrowException, OSError) as exc:
            skipped = start + rows_in_group - first
            yield fail(
                f"row group {group} cannot be read ({_first_line(exc)}); its {skipped:,} row(s) from row {first} "
                "were skipped, the other row groups were read",
                first,
                int(size * skipped / total_rows),
            )
        first = start + rows_in_group


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def dataset_origin(dataset: Any, split: str | None, repo: str | None = None) -> Origin:
    info = dataset.info
    return Origin(
        kind=OriginKind.dataset,
        dataset_repo=repo or info.dataset_name or info.builder_name or "in-memory",
        dataset_config=info.config_name,
        dataset_split=split or (str(dataset.split) if dataset.split is not None else None),
        dataset_revision=getattr(dataset, "_fingerprint", None),
    )


def read_dataset(
    dataset: Any, source_id: str, spec: FieldSpec, batch_size: int, *, split: str | None = None, repo: str | None = None
) -> Iterator[RecordBatch]:
    """Read a `datasets.Dataset` in Arrow batches; rows are the dataset's own row indices."""
    origin = dataset_origin(dataset, split, repo)
    try:
        columns_of_table(dataset.data.schema.empty_table(), spec, origin.place())
    except FieldError as exc:  # one report for the split, not one per batch
        where = origin.place()
        reason = str(exc).removeprefix(f"{where}: ")
        yield build_batch(source_id, origin, [], bad=[BadRecord(source_id=source_id, path=where, reason=reason)])
        return
    except AttributeError:  # pragma: no cover - not backed by an Arrow table
        pass
    first = 0
    for table in dataset.with_format("arrow").iter(batch_size=batch_size):
        yield _batch_from_table(table, first, source_id, origin, spec, int(table.nbytes))
        first += table.num_rows


def read_arrow(
    table: pa.Table, source_id: str, spec: FieldSpec, batch_size: int, origin: Origin, *, first_row: int = 0
) -> Iterator[RecordBatch]:
    """Read an in-memory Arrow table (a polars frame, a pandas frame converted) in slices of ``batch_size``."""
    for start in range(0, max(table.num_rows, 1), batch_size):
        piece = table.slice(start, batch_size)
        if piece.num_rows:
            yield _batch_from_table(piece, first_row + start, source_id, origin, spec, int(piece.nbytes))


def read_dataset_folder(
    folder: Path, source_id: str, spec: FieldSpec, batch_size: int, split: str | None
) -> Iterator[RecordBatch]:
    import datasets

    try:
        loaded = datasets.load_from_disk(str(folder))
    except Exception as exc:  # datasets raises several unrelated types for a folder it cannot read
        reason = f"not a saved dataset ({_first_line(exc)}); point 'dataset' at a folder written by save_to_disk"
        bad = [BadRecord(source_id=source_id, path=str(folder), reason=reason)]
        yield build_batch(source_id, Origin(kind=OriginKind.file, path=str(folder)), [], bad=bad)
        return
    if isinstance(loaded, datasets.DatasetDict):
        splits = [split] if split else list(loaded)
        for name in splits:
            if name not in loaded:
                bad = [
                    BadRecord(
                        source_id=source_id, path=str(folder), reason=f"no split '{name}' (splits: {', '.join(loaded)})"
                    )
                ]
                yield build_batch(source_id, Origin(kind=OriginKind.file, path=str(folder)), [], bad=bad)
                continue
            yield from read_dataset(loaded[name], source_id, spec, batch_size, split=name, repo=str(folder))
    else:
        yield from read_dataset(loaded, source_id, spec, batch_size, split=split, repo=str(folder))

"""A shard (one file, or one split of a saved dataset) scanned away from the ledger and written as Parquet.

Any executor can run :func:`scan_shard` (the Ray engine runs it in actors); the ledger's single writer later merges
the output with :func:`merge_shard`. The output holds no text, and of the metadata only the keys the manifest keeps,
so intermediate files never carry more than the ledger will. A shard's folder appears under its final name only
when complete (written to a temporary name, then renamed), which is what makes a relaunch skip finished shards.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..ledger import Ledger
from ..models import BadRecord, DataFormat
from ..readers import FieldSpec, read_any
from ..scanners import Scanner, create

SHARD_INDEX = "shard.json"
KEPT_COLUMNS = (
    "record_id", "content_hash", "n_chars", "n_bytes", "record_license", "line", "row", "byte_offset", "url", "meta",
)  # fmt: skip


@dataclass(frozen=True)
class ShardSpec:
    """Everything a worker needs to scan one shard; plain data, so it travels to any process or machine."""

    key: str  # the files-table key of the shard (path, or path[split])
    path: str
    format: str
    source_id: str
    split: str | None
    text_fields: tuple[str, ...]
    url_field: str | None
    license_field: str | None
    metadata: tuple[str, ...]
    size: int
    mtime_ns: int

    def digest(self, stamps: Sequence[str], batch_size: int) -> str:
        """Names the shard's output: a changed file or scanner configuration is a different shard."""
        blob = orjson.dumps([self.key, self.source_id, self.size, self.mtime_ns, sorted(stamps), batch_size])
        return hashlib.sha256(blob).hexdigest()[:24]


@dataclass
class ShardResult:
    spec: ShardSpec
    folder: Path | None
    status: str  # "scanned", "cached" (found complete from an earlier run), "failed"
    reason: str | None = None
    attempts: int = 0


@dataclass
class Merged:
    """What merging one shard wrote: for the scan's tallies and report."""

    records_read: int = 0
    records_added: int = 0
    bytes_read: int = 0
    bad: list[BadRecord] = field(default_factory=list)
    findings: list[int] = field(default_factory=list)  # per scanner
    scanned: list[int] = field(default_factory=list)  # per scanner: records newly scanned
    skipped: list[int] = field(default_factory=list)  # per scanner: records it had seen already


@dataclass
class _Seen:
    """Records of this shard already given to each scanner: a record twice in a shard is scanned once."""

    per_scanner: list[set[str]] = field(default_factory=list)


def _keep_metadata(meta: pa.Array, keys: Sequence[str]) -> pa.Array:
    if not keys:
        return pa.nulls(len(meta), pa.string())
    kept = []
    for raw in meta.to_pylist():
        if raw is None:
            kept.append(None)
            continue
        try:
            obj = orjson.loads(raw)
        except orjson.JSONDecodeError:
            kept.append(None)
            continue
        kept.append(orjson.dumps({k: obj.get(k) for k in keys}).decode() if isinstance(obj, dict) else None)
    return pa.array(kept, pa.string())


def scan_shard(
    spec: ShardSpec,
    scanners: Sequence[Scanner],
    stamps: Sequence[str],
    batch_size: int,
    out: Path,
) -> Path:
    """Read a shard in Arrow batches, run the scanners, and write one Parquet file per batch and kind of output."""
    final = out / spec.digest(stamps, batch_size)
    if (final / SHARD_INDEX).exists():
        return final
    tmp = out / f".{final.name}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    field_spec = FieldSpec(spec.text_fields, spec.url_field, spec.license_field, True, True)
    seen = _Seen([set() for _ in scanners])
    batches: list[dict[str, Any]] = []
    stamp_meta = {b"stamps": orjson.dumps(list(stamps))}
    for i, batch in enumerate(
        read_any(spec.path, DataFormat(spec.format), spec.source_id, field_spec, batch_size=batch_size,
                  split=spec.split)
    ):  # fmt: skip
        table = batch.table
        entry: dict[str, Any] = {
            "origin": batch.origin.model_dump(mode="json"),
            "bad": [b.model_dump(mode="json") for b in batch.bad],
            "bytes_read": batch.bytes_read,
            "rows": batch.num_rows,
            "scanners": [],
        }
        if table.num_rows:
            kept = table.select([c for c in KEPT_COLUMNS if c in table.column_names])
            if "meta" in kept.column_names:
                index = kept.schema.get_field_index("meta")
                kept_meta = _keep_metadata(kept.column("meta").combine_chunks(), spec.metadata)
                kept = kept.set_column(index, "meta", kept_meta)
            pq.write_table(kept.replace_schema_metadata(stamp_meta), tmp / f"records-{i:05d}.parquet")
        for j, scanner in enumerate(scanners):
            chosen = _fresh(table, seen.per_scanner[j])
            if chosen is None:
                entry["scanners"].append(None)
                continue
            output = scanner.scan(chosen)
            name = f"findings-{j}-{i:05d}.parquet"
            pq.write_table(output.findings.replace_schema_metadata({b"stamp": stamps[j].encode()}), tmp / name)
            entry["scanners"].append({"findings": name, "ids": chosen.column("record_id").to_pylist(),
                                      "partial": output.partial})  # fmt: skip
        batches.append(entry)
    index = {"shard": spec.__dict__, "stamps": list(stamps), "batch_size": batch_size, "batches": batches}
    (tmp / SHARD_INDEX).write_bytes(orjson.dumps(index))
    shutil.rmtree(final, ignore_errors=True)
    tmp.rename(final)
    return final


def _fresh(table: pa.Table, seen: set[str]) -> pa.Table | None:
    """The rows of records not yet given to this scanner in this shard, each once."""
    if not table.num_rows:
        return None
    ids = table.column("record_id").to_pylist()
    keep = []
    for i, rid in enumerate(ids):
        if rid not in seen:
            seen.add(rid)
            keep.append(i)
    if not keep:
        return None
    return table.take(pa.array(keep)).select(["record_id", "text", "url", "meta"])


def build_scanners(specs: Sequence[tuple[str, Mapping[str, Any]]], key: bytes | None) -> list[Scanner]:
    """Scanners as a worker builds them: once per process, with the ledger's key where a scanner hashes values."""
    built = [create(name, dict(config)) for name, config in specs]
    for scanner in built:
        if scanner.needs_key:
            scanner.key = key
    return built


def merge_shard(
    store: Ledger,
    folder: Path,
    *,
    scanners: Sequence[Scanner],
    stamps: Sequence[str],
    scan_id: str,
    new_place: bool,
    normalise: Any,
) -> Merged:
    """Write a shard's output into the ledger, batch by batch, each batch in one transaction.

    Records a scanner has already seen (in another shard merged earlier, or an earlier scan) are dropped from its
    findings; such a batch's partial aggregate is computed again over the records that remain, by reading the
    shard once more, so totals equal a single-process scan.
    """
    index = orjson.loads((folder / SHARD_INDEX).read_bytes())
    spec = ShardSpec(**{**index["shard"], "text_fields": tuple(index["shard"]["text_fields"]),
                        "metadata": tuple(index["shard"]["metadata"])})  # fmt: skip
    # Within a shard each record reaches a scanner once, so what is new can be decided for all batches up front.
    plans: list[list[tuple[int, pa.Array, bool] | None]] = []
    again: dict[tuple[int, int], pa.Array] = {}
    for i, entry in enumerate(index["batches"]):
        plan: list[tuple[int, pa.Array, bool] | None] = []
        for j, part in enumerate(entry["scanners"]):
            if part is None:
                plan.append(None)
                continue
            ids = pa.array(part["ids"], pa.string())
            todo = store.unscanned(ids, stamps[j])
            if len(todo) == len(ids):
                plan.append((j, ids, False))
                continue
            keep = pa.array(sorted(todo), pa.string())
            plan.append((j, keep, True))
            if len(keep):
                again[(i, j)] = keep
        plans.append(plan)
    partials = _partials_again(spec, index["batch_size"], scanners, again) if again else {}
    merged = Merged(findings=[0] * len(scanners), scanned=[0] * len(scanners), skipped=[0] * len(scanners))
    for i, entry in enumerate(index["batches"]):
        records_file = folder / f"records-{i:05d}.parquet"
        table = pq.read_table(records_file).replace_schema_metadata(None) if records_file.exists() else _empty()
        bad = [BadRecord(**b) for b in entry["bad"]]
        scanned = []
        for item in plans[i]:
            if item is None:
                continue
            j, ids, trimmed = item
            part = entry["scanners"][j]
            merged.skipped[j] += len(part["ids"]) - len(ids)
            if not len(ids):
                continue
            findings = pq.read_table(folder / part["findings"]).replace_schema_metadata(None)
            if trimmed:  # seen elsewhere first: keep only what is new, with the aggregate counted again
                findings = findings.filter(pc.is_in(findings.column("record_id"), value_set=ids))
            partial = partials.get((i, j)) if trimmed else part["partial"]
            scanned.append((scanners[j].name, stamps[j], findings, ids, partial))
            merged.findings[j] += findings.num_rows
            merged.scanned[j] += len(ids)
        merged.records_added += store.append(
            source_id=spec.source_id,
            origin=entry["origin"],
            table=normalise(table),
            scan_id=scan_id,
            new_place=new_place,
            bad=bad,
            kept_metadata=list(spec.metadata),
            scanned=scanned,
        )
        merged.records_read += entry["rows"]
        merged.bytes_read += entry["bytes_read"]
        merged.bad += bad
    return merged


def _empty() -> pa.Table:
    return pa.table(
        {
            "record_id": pa.array([], pa.string()),
            "content_hash": pa.array([], pa.string()),
            "n_chars": pa.array([], pa.int64()),
            "n_bytes": pa.array([], pa.int64()),
            "record_license": pa.array([], pa.string()),
            "line": pa.array([], pa.int64()),
            "row": pa.array([], pa.int64()),
            "byte_offset": pa.array([], pa.int64()),
            "url": pa.array([], pa.string()),
            "meta": pa.array([], pa.string()),
        }
    )


def _partials_again(
    spec: ShardSpec, batch_size: int, scanners: Sequence[Scanner], wanted: Mapping[tuple[int, int], pa.Array]
) -> dict[tuple[int, int], Any]:
    """Partial aggregates of some batches over some of their records, from one more pass over the shard (only
    needed when a record appears in two shards of one source, or was scanned before)."""
    field_spec = FieldSpec(spec.text_fields, spec.url_field, spec.license_field, True, True)
    last = max(i for i, _ in wanted)
    out: dict[tuple[int, int], Any] = {}
    for i, batch in enumerate(
        read_any(spec.path, DataFormat(spec.format), spec.source_id, field_spec, batch_size=batch_size,
                  split=spec.split)
    ):  # fmt: skip
        for (bi, j), ids in wanted.items():
            if bi == i:
                table = batch.table.filter(pc.is_in(batch.table.column("record_id"), value_set=ids))
                first = _fresh(table, set())
                out[(bi, j)] = scanners[j].scan(first).partial if first is not None else None
        if i >= last:
            break
    return out

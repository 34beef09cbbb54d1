"""``provenance.track``: one line around the dataset training code already loads.

It returns an object of the same kind: the same ``datasets.Dataset`` (recorded eagerly, in Arrow batches), an
``IterableDataset`` with a recording step in its pipeline (recorded lazily as it is consumed, in every DataLoader
worker), the same polars ``DataFrame``, a ``LazyFrame`` that records as it is collected, or an iterable that
records as it is iterated.
"""

from __future__ import annotations

import atexit
import multiprocessing.util
import os
import re
import weakref
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from ..errors import InputError
from ..ledger import DEFAULT_LEDGER, Ledger
from ..licenses import UNKNOWN, LicenseParseError, normalize_column, normalize_license
from ..models import CollectionMethod, ConsentBasis, Origin, OriginKind, Policy, Source
from ..models.source import SourceFields
from ..readers import DEFAULT_BATCH_SIZE, FieldSpec, RecordBatch, dataset_origin, identify, read_arrow, read_dataset
from ..readers.prefetch import prefetch
from .known import settle_license
from .policy import DropReport, Gate, load_policy
from .runs import active_policy, current_run_id, flush
from .spool import write_drops, write_spool

TRACK_BATCH = 1000  # records per spool write for plain iterables
STREAM_STEP = 64  # examples per recording step in a datasets pipeline: the most an early stop can over-link
SPOOL_EVERY = 10_000  # records per spool file from a streaming pipeline


@dataclass(frozen=True)
class _Target:
    """Everything a recording step needs, small and picklable so DataLoader workers can carry it."""

    ledger: str
    source_id: str
    spec: FieldSpec
    origin: Origin
    owner_pid: int = field(default_factory=os.getpid)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9._-]+", "-", text.lower()).strip("-.")[:100] or "dataset"


def _source_from(source: Source | Mapping[str, Any] | str | None, data: Any, ledger: Ledger) -> Source:
    if isinstance(source, Source):
        return source
    if isinstance(source, str):
        known = [s for s in ledger.sources() if s["source_id"] == source]
        if not known:
            raise InputError(
                f"no source '{source}' in {ledger.path}",
                hint="pass source=dict(id=..., name=..., license=..., consent_basis=..., collection_method=...) "
                "or declare it in a sources manifest first",
            )
        row = known[0]
        return Source.model_validate(
            {
                "id": row["source_id"],
                "name": row["name"],
                "license": {"spdx": row["license"], "raw": row["license_raw"]},
                "consent_basis": row["consent_basis"],
                "collection_method": row["collection_method"],
                "languages": row["languages"] or [],
            }
        )
    if isinstance(source, Mapping):
        fields = dict(source)
        raw = str(fields.pop("license", "unknown"))
        try:
            license = normalize_license(raw)
        except LicenseParseError as exc:
            raise InputError(
                f"source '{fields.get('id')}': {exc}", hint="use an SPDX id, LicenseRef-<name>, or 'unknown'"
            ) from None
        try:
            SourceFields.model_validate(fields)
        except Exception as exc:
            raise InputError(
                f"invalid source: {exc}", hint="see the 'Sources manifest' section of the README"
            ) from None
        return Source(license=license, **fields)
    info = getattr(data, "info", None)  # a `datasets` object: describe it from its own metadata
    name = (info.dataset_name or info.builder_name) if info is not None else None
    if not name:
        raise InputError(
            "track() needs a source for this data",
            hint="pass source=dict(id=..., name=..., license=..., consent_basis=..., collection_method=...)",
        )
    try:
        license = normalize_license(info.license or "unknown")
    except LicenseParseError:
        license = normalize_license("unknown").model_copy(update={"raw": info.license})
    return Source(
        id=_slug(name),
        name=name,
        license=license,
        consent_basis=ConsentBasis.unknown,
        collection_method=CollectionMethod.other,
        notes="described from the dataset's own metadata; consent and collection method not declared",
    )


def _spool_table(batch: RecordBatch, run_id: str | None) -> pa.Table:
    """A reader batch as the rows a spool file (or ``Ledger.absorb``) takes."""
    table = batch.table
    n = table.num_rows
    raw = table.column("record_license")
    origin = batch.origin
    constant = {
        "source_id": batch.source_id,
        "kind": origin.kind.value,
        "path": origin.path,
        "dataset_repo": origin.dataset_repo,
        "dataset_config": origin.dataset_config,
        "dataset_split": origin.dataset_split,
        "dataset_revision": origin.dataset_revision,
        "run_id": run_id,
    }
    columns: dict[str, Any] = {
        "record_id": table.column("record_id"),
        "content_hash": table.column("content_hash"),
        "n_chars": table.column("n_chars"),
        "n_bytes": table.column("n_bytes"),
        "record_license": normalize_column(raw),
        "record_license_raw": raw,
        "url": table.column("url"),
        "line": table.column("line"),
        "row": table.column("row"),
    }
    for name, value in constant.items():
        columns[name] = pa.array([value] * n, pa.string())
    return pa.table(columns)


class _Recorder:
    """The recording step put in a streaming pipeline, as a batched map so that it adds almost nothing to
    iteration. It notes each batch of ``STREAM_STEP`` examples as the pipeline produces it and spools what it noted
    every ``SPOOL_EVERY`` records, when a run ends, and when the process exits (a DataLoader worker included).
    A full pass is linked exactly; a loop that stops early may be linked to up to one step more than it used."""

    def __init__(self, target: _Target, spool_every: int = SPOOL_EVERY) -> None:
        self.target = target
        self.spool_every = spool_every
        self._pending: list[pa.Table] = []
        self._rows: list[list[int]] = []
        self._count = 0

    def __getstate__(self) -> dict[str, Any]:  # a worker starts with an empty buffer of its own
        return {"target": self.target, "spool_every": self.spool_every}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["target"], state["spool_every"])  # type: ignore[misc]

    def __call__(self, batch: dict[str, list], indices: list[int]) -> dict[str, list]:
        if not self._pending:
            _LIVE.add(self)
            _flush_at_exit()
        wanted = _wanted(self.target.spec, batch)
        self._pending.append(pa.table({k: [_text(v) for v in batch[k]] for k in sorted(wanted)}))
        self._rows.append(list(indices))
        self._count += len(indices)
        if self._count >= self.spool_every:
            self.flush()
        return batch

    def flush(self) -> None:
        pending, rows, self._pending, self._rows, self._count = self._pending, self._rows, [], [], 0
        if pending:
            table = pa.concat_tables(pending, promote_options="permissive")
            record(self.target, table, [r for part in rows for r in part])


_LIVE: weakref.WeakSet[Any] = weakref.WeakSet()  # recorders and screens with something to write


def flush_pending() -> None:
    """Spool what recorders in this process have noted but not yet written."""
    for recorder in list(_LIVE):
        recorder.flush()


def _text(value: Any) -> str | None:
    return value if value is None or isinstance(value, str) else str(value)


_EXIT_HOOKED: set[int] = set()


def _flush_at_exit() -> None:
    """Flush pending records when this process ends. Worker processes (fork or spawn) skip atexit and start with
    an empty multiprocessing finalizer registry, so each process registers for itself, once."""
    pid = os.getpid()
    if pid in _EXIT_HOOKED:
        return
    _EXIT_HOOKED.add(pid)
    atexit.register(flush_pending)
    multiprocessing.util.Finalize(None, flush_pending, exitpriority=100)


def _length(batch: Mapping[str, list]) -> int:
    return len(next(iter(batch.values()))) if batch else 0


def _wanted(spec: FieldSpec, batch: Mapping[str, Any]) -> set[str]:
    return {*spec.text_fields, *(f for f in (spec.url_field, spec.license_field) if f)} & set(batch)


def record(target: _Target, table: pa.Table, rows: list[int]) -> None:
    """Spool one consumed batch (from any process); the owner merges spools into the ledger."""
    spec = FieldSpec(target.spec.text_fields, target.spec.url_field, target.spec.license_field, False, False)
    for batch in read_arrow(table, target.source_id, spec, max(table.num_rows, 1), target.origin):
        positions = pa.array([rows[i] for i in batch.table.column("row").to_pylist()], pa.int64())
        batch.table = batch.table.set_column(batch.table.schema.get_field_index("row"), "row", positions)
        if batch.num_rows:
            write_spool(target.ledger, _spool_table(batch, current_run_id()))


class TrackedIterable:
    """An iterable of dict records (or plain strings, taken as their text) that records what is actually iterated,
    in batches, with its position."""

    def __init__(
        self,
        data: Iterable[Mapping[str, Any]],
        target: _Target,
        batch_size: int = TRACK_BATCH,
        screen: _Screen | None = None,
    ) -> None:
        self.data = data
        self.target = target
        self.batch_size = batch_size
        self.screen = screen

    def __iter__(self) -> Iterator[Mapping[str, Any]]:
        pending: list[Mapping[str, Any]] = []
        rows: list[int] = []
        try:
            text_field = self.target.spec.text_fields[0]
            for position, item in enumerate(self.data):
                seen = {text_field: item} if isinstance(item, str) else item  # plain strings are texts
                if self.screen is not None and not self.screen(seen):
                    continue
                pending.append(seen)
                rows.append(position)
                if len(pending) >= self.batch_size:
                    self._record(pending, rows)
                    pending, rows = [], []
                yield item
        finally:  # the loop may stop early (break, an exception): what was yielded is still recorded
            if pending:
                self._record(pending, rows)
            if self.screen is not None:
                self.screen.flush()
            if os.getpid() == self.target.owner_pid and current_run_id() is None:
                flush(self.target.ledger)

    def _record(self, items: list[Mapping[str, Any]], rows: list[int]) -> None:
        wanted = _wanted(self.target.spec, items[0]) | {
            k for item in items[:50] for k in _wanted(self.target.spec, item)
        }
        table = pa.table({k: [item.get(k) for item in items] for k in sorted(wanted)})
        record(self.target, table, rows)

    def __len__(self) -> int:
        return len(self.data)  # type: ignore[arg-type]


def _record_eagerly(
    ledger: Ledger, batches: Iterable[RecordBatch], gate: Gate | None, source: Source, report: DropReport
) -> set[int]:
    """Record every batch; rows the gate refuses are recorded but not linked to the run. Returns their rows."""
    run_id = current_run_id()
    dropped: set[int] = set()
    new_place: bool | None = None
    for batch in batches:
        if not batch.num_rows:
            continue
        if new_place is None:  # all batches share one origin: a first recording skips de-duplicating origins
            new_place = not ledger.place_known(batch.origin.model_dump(mode="json"))
        table = _spool_table(batch, run_id)
        if gate is not None:
            reasons = [
                gate.refusal(rid, source.id, source.license.spdx, lic, content_hash=digest, url=url)
                for rid, lic, digest, url in zip(
                    table.column("record_id").to_pylist(),
                    table.column("record_license").to_pylist(),
                    table.column("content_hash").to_pylist(),
                    table.column("url").to_pylist(),
                    strict=True,
                )
            ]
            rows = table.column("row").to_pylist()
            for row, reason in zip(rows, reasons, strict=True):
                if reason:
                    dropped.add(row)
                    report.add(source.id, reason)
            if any(reasons):
                linked = pa.array([run_id if r is None else None for r in reasons], pa.string())
                table = table.set_column(table.schema.get_field_index("run_id"), "run_id", linked)
        ledger.absorb(table, new_place=new_place)
    return dropped


class _Screen:
    """The policy as a per-example filter for streaming pipelines; counts what it drops and spools the counts."""

    def __init__(self, gate: Gate, target: _Target, source_license: str) -> None:
        self.gate = gate
        self.target = target
        self.source_license = source_license
        self.report = DropReport()

    def __getstate__(self) -> dict[str, Any]:
        return {"gate": self.gate, "target": self.target, "source_license": self.source_license}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(**state)  # type: ignore[misc]

    def __call__(self, example: Mapping[str, Any]) -> bool:
        spec = self.target.spec
        parts = [example.get(f) for f in spec.text_fields]
        text = "\n\n".join(p for p in parts if isinstance(p, str))
        identity = identify(self.target.source_id, [text])
        record_id = identity.record_ids[0]
        url = example.get(spec.url_field) if spec.url_field else None
        raw = example.get(spec.license_field) if spec.license_field else None
        lic = None
        if raw is not None:
            try:
                lic = normalize_license(str(raw)).spdx
            except LicenseParseError:
                lic = UNKNOWN
        reason = self.gate.refusal(
            record_id,
            self.target.source_id,
            self.source_license,
            lic,
            content_hash=identity.content_hashes[0],
            url=url if isinstance(url, str) else None,
        )
        if reason:
            if not self.report.counts:
                _LIVE.add(self)
                _flush_at_exit()
            self.report.add(self.target.source_id, reason)
        return reason is None

    def flush(self) -> None:
        if self.report.counts:
            counts, self.report = self.report, DropReport()
            counts.log()
            write_drops(self.target.ledger, counts.counts, current_run_id())


def track(
    data: Any,
    source: Source | Mapping[str, Any] | str | None = None,
    ledger: str | Path = DEFAULT_LEDGER,
    *,
    text_field: str | list[str] = "text",
    url_field: str | None = "url",
    license_field: str | None = "license",
    split: str | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    policy: Policy | Mapping[str, Any] | str | Path | None = None,
) -> Any:
    """Record where every record of ``data`` came from and under what terms; return ``data`` for training to use.

    ``source`` is a :class:`Source`, a dict of the same fields as a sources manifest entry (``license`` as a
    string), the id of a source already in the ledger, or omitted for a `datasets` object with its own metadata.
    ``policy`` (a :class:`Policy`, a dict, or a policy YAML file) drops the records it refuses: revoked consent,
    a licence that does not allow the intended use, flagged findings. What it drops is logged and stored with the
    run (``run_drops``), counted per source and reason.
    """
    ledger = str(ledger)
    spec = FieldSpec(
        (text_field,) if isinstance(text_field, str) else tuple(text_field), url_field, license_field, False, False
    )
    kind = _kind(data)
    if kind in ("DatasetDict", "IterableDatasetDict"):
        return type(data)(
            {
                name: track(
                    part,
                    source,
                    ledger,
                    text_field=text_field,
                    url_field=url_field,
                    license_field=license_field,
                    split=name,
                    batch_size=batch_size,
                    policy=policy,
                )
                for name, part in data.items()
            }
        )
    rules = load_policy(policy) or active_policy()
    with Ledger(ledger) as store:
        src = _source_from(source, data, store)
        if kind in ("Dataset", "IterableDataset"):  # hub data: its own info and the registry have a say
            src, claims = settle_license(src, data, "declared in track(source=...)" if source else "track()")
            store.record_claims(src.id, claims)
        store.upsert_sources([src], None)
        gate = Gate.build(rules, store, src) if rules else None
        if kind in ("Dataset", "DataFrame"):
            if kind == "Dataset":
                batches = read_dataset(data, src.id, spec, batch_size, split=split)
            else:
                origin = Origin(kind=OriginKind.dataset, dataset_repo=f"polars:{src.id}", dataset_split=split)
                batches = read_arrow(data.to_arrow(), src.id, spec, batch_size, origin)
            report = DropReport()
            dropped = _record_eagerly(store, prefetch(batches, depth=1), gate, src, report)
            if not dropped:
                return data
            report.log()
            report.store(store, current_run_id())
            keep = sorted(set(range(len(data))) - dropped)
            return data.select(keep) if kind == "Dataset" else data[keep]
    target = _Target(ledger, src.id, spec, Origin(kind=OriginKind.dataset, dataset_repo=f"iterable:{src.id}"))
    screen = _Screen(gate, target, src.license.spdx) if gate else None
    if kind == "IterableDataset":
        target = _Target(ledger, src.id, spec, dataset_origin(data, split))
        screen = _Screen(gate, target, src.license.spdx) if gate else None
        data = data.filter(screen) if screen else data
        from .stream import tracked_stream

        return tracked_stream(data.map(_Recorder(target), with_indices=True, batched=True, batch_size=STREAM_STEP))
    if kind == "LazyFrame":
        if gate:
            raise InputError("a policy cannot filter a LazyFrame yet", hint="collect it first, or track without policy")
        target = _Target(ledger, src.id, spec, Origin(kind=OriginKind.dataset, dataset_repo=f"polars:{src.id}"))
        return data.map_batches(lambda df: _record_frame(target, df), streamable=True)
    if isinstance(data, Iterable) and not isinstance(data, str | bytes | Mapping):
        return TrackedIterable(data, target, screen=screen)
    raise InputError(
        f"track() cannot record a {type(data).__name__}",
        hint="pass a datasets Dataset/IterableDataset (or their Dict), a polars DataFrame/LazyFrame, or an "
        "iterable of dicts",
    )


def _record_frame(target: _Target, frame: Any) -> Any:
    wanted = sorted(_wanted(target.spec, dict.fromkeys(frame.columns)))
    record(target, frame.select(wanted).to_arrow(), list(range(frame.height)))
    return frame


def _kind(data: Any) -> str:
    """Name the kind of ``data`` without importing libraries the caller does not use."""
    module = type(data).__module__
    name = type(data).__name__
    if module.startswith("datasets"):
        import datasets

        for kind in ("DatasetDict", "IterableDatasetDict", "Dataset", "IterableDataset"):
            if isinstance(data, getattr(datasets, kind)):
                return kind
    if module.startswith("polars"):
        import polars

        if isinstance(data, polars.LazyFrame):
            return "LazyFrame"
        if isinstance(data, polars.DataFrame):
            return "DataFrame"
    return name

"""Run readers and scanners over a manifest's data and write everything to the ledger, batch by batch.

Each batch goes into the ledger in one transaction together with its findings and the marks saying which records
each scanner has seen, so a scan stopped at any point (Ctrl-C, a kill, a crash) resumes where it stopped: finished
files are skipped by their size and modification time, and records already scanned with the same scanner stamp
are never scanned again. With ``workers > 1`` scanners run in a process pool while the main process reads and
writes; the ledger has a single writer.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import sys
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from ..consent_records import settle
from ..errors import InputError, ProvenanceError
from ..ledger import Ledger
from ..ledger.store import is_interrupt
from ..licenses import normalize_column
from ..manifest import Manifest, ResolvedEntry, load_manifest
from ..models import BadRecord, DataFormat, ScannerTally, ScanReport, SourceTally
from ..models.report import AUDIT_CHECKS, FailedShard
from ..readers import DEFAULT_BATCH_SIZE, FieldSpec, RecordBatch, read_any
from ..readers.prefetch import prefetch
from ..readers.remote import is_uri, uri_name, uri_stat
from ..scanners import Scanner, ScanOutput, create
from ..scanners.registry import import_name
from .progress import NoProgress, ProgressSink, RichProgress

DEFAULT_SCANNERS = ("textstats", "consent")
CHECKS = AUDIT_CHECKS  # the report lists what this scan left out
REPORTED_BAD_RECORDS = 1000
_CPUS = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


class Interrupted(ProvenanceError):
    exit_code = 130


@dataclass
class _FileJob:
    entry: ResolvedEntry
    path: Path | str  # a str is a URI
    size: int
    mtime_ns: int

    @property
    def key(self) -> str:
        """How the files table names this unit of work: a saved dataset's splits are done one by one."""
        split = self.entry.entry.split
        return f"{self.path}[{split}]" if split and self.entry.format is DataFormat.hf_disk else str(self.path)


@dataclass
class _Pending:
    batch: RecordBatch
    job: _FileJob
    new_place: bool
    scanned_ids: list[pa.Array]
    result: Future | list[ScanOutput]


@dataclass
class _Tallies:
    sources: dict[str, SourceTally] = field(default_factory=dict)
    scanners: dict[str, ScannerTally] = field(default_factory=dict)
    bad: list[BadRecord] = field(default_factory=list)
    bad_total: int = 0

    def source(self, source_id: str) -> SourceTally:
        return self.sources.setdefault(source_id, SourceTally(source_id=source_id))


# ---- worker side --------------------------------------------------------------------------------------------------
_WORKER_SCANNERS: list[Scanner] = []


def _init_worker(specs: list[tuple[str, dict[str, Any]]], key: bytes | None) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the main process decides what Ctrl-C means
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # blocked since birth (see _submit)
    _WORKER_SCANNERS[:] = [create(name, config) for name, config in specs]
    for scanner in _WORKER_SCANNERS:
        if scanner.needs_key:
            scanner.key = key


def _scan_in_worker(tables: list[pa.Table | None]) -> list[ScanOutput | None]:
    return _run_scanners(_WORKER_SCANNERS, tables)


def _run_scanners(scanners: Sequence[Scanner], tables: Sequence[pa.Table | None]) -> list[ScanOutput | None]:
    return [s.scan(t) if t is not None and t.num_rows else None for s, t in zip(scanners, tables, strict=True)]


# ---- main side ----------------------------------------------------------------------------------------------------
def _file_jobs(manifest: Manifest) -> Iterator[_FileJob]:
    for entry in manifest.entries:
        for path in entry.paths:
            if is_uri(path):
                size, mtime = uri_stat(str(path))
                yield _FileJob(entry, path, size, mtime)
                continue
            if path.is_dir():
                files = [p for p in path.rglob("*") if p.is_file()]
                size = sum(p.stat().st_size for p in files)
                mtime = max((p.stat().st_mtime_ns for p in files), default=0)
            else:
                try:
                    stat = path.stat()
                    size, mtime = stat.st_size, stat.st_mtime_ns
                except OSError:  # gone since the manifest was read, or a dangling link: the reader reports it
                    size, mtime = 0, 0
            yield _FileJob(entry, path, size, mtime)


def _name(path: Path | str) -> str:
    return uri_name(str(path)) if is_uri(path) else Path(path).name


def _normalise_record_licenses(table: pa.Table) -> pa.Table:
    raw = table.column("record_license")
    index = table.schema.get_field_index("record_license")
    return table.set_column(index, "record_license", normalize_column(raw)).append_column("record_license_raw", raw)


def _open_ledger(ledger: str | Path | Ledger) -> tuple[Ledger, bool]:
    if isinstance(ledger, Ledger):
        return ledger, False
    return Ledger(ledger), True


def scan(
    sources: str | Path | Manifest,
    ledger: str | Path | Ledger,
    *,
    scanners: Sequence[str] | None = DEFAULT_SCANNERS,
    scanner_config: Mapping[str, Mapping[str, Any]] | None = None,
    workers: int = 1,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: bool | ProgressSink = False,
    force: bool = False,
    command: str = "scan",
    engine: str = "local",
    ray_address: str | None = None,
    work_dir: str | Path | None = None,
    keep_parquet: bool = False,
    attempts: int = 3,
) -> ScanReport:
    """Ingest every file a sources manifest names, run ``scanners`` over new records, and record it all.

    ``force`` re-reads files that are unchanged since the last scan (records and findings are still never
    duplicated). ``engine="ray"`` scans the files as shards on a Ray cluster (``ray_address``, or a local instance
    with ``workers`` CPUs), keeping each finished shard's Parquet output in ``work_dir`` (default: beside the
    ledger) until it is merged, or for good with ``keep_parquet``; a shard is tried ``attempts`` times. Returns the
    report that ``provenance scan --report`` writes.

    Ctrl-C, wherever it lands (opening the ledger, reading, scanning, writing, or noting the end), raises
    :class:`Interrupted`: every batch written before it stays in the ledger, and the same call resumes.
    """
    try:
        return _scan(
            sources, ledger, scanners=scanners, scanner_config=scanner_config, workers=workers,
            batch_size=batch_size, progress=progress, force=force, command=command, engine=engine,
            ray_address=ray_address, work_dir=work_dir, keep_parquet=keep_parquet, attempts=attempts,
        )  # fmt: skip
    except Interrupted:
        raise
    except BaseException as exc:
        if is_interrupt(exc):
            raise _interrupted() from None
        raise


_ENDED = ("finished", "incomplete")  # the scan's work is done (incomplete: some Ray shards failed)


def _interrupted() -> Interrupted:
    return Interrupted(
        "interrupted: every batch written before Ctrl-C is kept in the ledger",
        hint="run the same command again to resume; finished files and scanned records are skipped",
    )


def _scan(
    sources: str | Path | Manifest,
    ledger: str | Path | Ledger,
    *,
    scanners: Sequence[str] | None,
    scanner_config: Mapping[str, Mapping[str, Any]] | None,
    workers: int,
    batch_size: int,
    progress: bool | ProgressSink,
    force: bool,
    command: str,
    engine: str,
    ray_address: str | None,
    work_dir: str | Path | None,
    keep_parquet: bool,
    attempts: int,
) -> ScanReport:
    if engine not in ("local", "ray"):
        raise InputError(f"unknown engine '{engine}'", hint="use local or ray")
    manifest = sources if isinstance(sources, Manifest) else load_manifest(sources)
    configs = dict(scanner_config or {})
    if "consent" in (scanners or ()):
        configs["consent"] = _consent_config(manifest, configs.get("consent"))
    built = [create(name, configs.get(name)) for name in (scanners or ())]
    stamps = [str(s.stamp) for s in built]
    sink: ProgressSink = progress if not isinstance(progress, bool) else (RichProgress() if progress else NoProgress())
    store, owned = _open_ledger(ledger)
    try:
        started = dt.datetime.now(dt.timezone.utc)
        tallies = _Tallies()
        for s in built:
            tallies.scanners[s.name] = ScannerTally(stamp=s.stamp)
        for src in manifest.sources:
            tallies.source(src.id)
        store.upsert_sources(manifest.sources, str(manifest.path))
        key = store.secret() if any(s.needs_key for s in built) else None
        for scanner in built:
            if scanner.needs_key:
                scanner.key = key
        scan_id = store.begin_scan(command, stamps, workers)
    except BaseException:
        if owned:
            store.close()
        raise
    pool = None
    applied: list = []
    failed: list[FailedShard] = []
    status = "failed"
    try:
        if workers > 1 and built and engine == "local":
            pool = ProcessPoolExecutor(
                max_workers=workers,
                mp_context=get_context("spawn"),
                initializer=_init_worker,
                initargs=([(import_name(s), s.config.model_dump()) for s in built], key),
            )
        jobs = list(_file_jobs(manifest))
        todo = []
        for job in jobs:
            tally = tallies.source(job.entry.source_id)
            tally.files += 1
            if not force and store.file_done(job.key, job.entry.source_id, job.size, job.mtime_ns, stamps):
                tally.files_skipped += 1
            else:
                todo.append(job)
        sink.start(sum(j.size for j in todo), len(todo))
        if engine == "ray":
            failed = _run_ray(
                store, scan_id, todo, built, stamps, key, workers, batch_size, sink, tallies,
                address=ray_address, attempts=attempts, keep_parquet=keep_parquet,
                work_dir=Path(work_dir) if work_dir else store.path.with_name(store.path.name + ".ray"),
            )  # fmt: skip
        else:
            _run(store, scan_id, todo, built, stamps, pool, workers, batch_size, sink, tallies)
        applied = settle(store, manifest.registries)
        status = "incomplete" if failed else "finished"
    except BaseException as exc:
        if not is_interrupt(exc):
            raise
        status = "interrupted"
        raise _interrupted() from None
    finally:
        interrupted_now = False
        try:
            for _attempt in range(3):  # a Ctrl-C (or the rest of one) landing here must not keep the end unrecorded
                try:
                    if status not in _ENDED and is_interrupt(sys.exc_info()[1]):
                        status = "interrupted"
                    sink.stop()
                    if pool is not None:
                        pool.shutdown(wait=status == "finished", cancel_futures=True)
                    read = sum(t.records_read for t in tallies.sources.values())
                    added = sum(t.records_added for t in tallies.sources.values())
                    report = _report(store, scan_id, command, started, status, workers, built, tallies)
                    store.finish_scan(
                        scan_id,
                        status,
                        records_read=read,
                        records_added=added,
                        bad=tallies.bad_total,
                        not_checked=report.not_checked,
                    )
                    report = report.model_copy(
                        update={
                            "finished_at": dt.datetime.now(dt.timezone.utc),
                            "registries": applied,
                            "consent": _consent_counts(store),
                            "engine": engine,
                            "failed_shards": failed,
                        }
                    )
                    break
                except BaseException as exc:
                    if is_interrupt(exc):
                        interrupted_now = True
                        status = status if status in _ENDED else "interrupted"
                        continue
                    if status in _ENDED:
                        raise
                    break  # the scan failed already: its own error is the one to report
        finally:
            if owned:
                store.close()
        if interrupted_now:
            raise _interrupted() from None
    return report


def _run_ray(
    store: Ledger,
    scan_id: str,
    jobs: Sequence[_FileJob],
    built: Sequence[Scanner],
    stamps: Sequence[str],
    key: bytes | None,
    workers: int,
    batch_size: int,
    sink: ProgressSink,
    tallies: _Tallies,
    *,
    address: str | None,
    attempts: int,
    keep_parquet: bool,
    work_dir: Path,
) -> list[FailedShard]:
    """The same files, as shards on Ray: each merged when it finishes, then marked done like a local file."""
    from .ray_engine import run_on_ray
    from .shards import Merged, ShardSpec

    shards, new_places, jobs_by_key = [], {}, {}
    for job in jobs:
        entry = job.entry.entry
        spec = ShardSpec(
            key=job.key, path=str(job.path), format=job.entry.format.value, source_id=job.entry.source_id,
            split=entry.split, text_fields=tuple(entry.text_fields), url_field=entry.url_field,
            license_field=entry.license_field, metadata=tuple(entry.metadata), size=job.size, mtime_ns=job.mtime_ns,
        )  # fmt: skip
        new_places[job.key] = not store.file_known(job.key, job.entry.source_id)
        if new_places[job.key]:
            store.mark_file(job.key, job.entry.source_id, job.size, job.mtime_ns, [], scan_id, records=0, bad=0,
                            finished=False)  # fmt: skip
        shards.append(spec)
        jobs_by_key[job.key] = job

    def merged(spec: ShardSpec, result: Merged) -> None:
        source = tallies.source(spec.source_id)
        source.records_read += result.records_read
        source.records_added += result.records_added
        source.bytes_read += result.bytes_read
        source.bad_records += len(result.bad)
        tallies.bad_total += len(result.bad)
        room = REPORTED_BAD_RECORDS - len(tallies.bad)
        if room > 0:
            tallies.bad.extend(result.bad[:room])
        for i, scanner in enumerate(built):
            tally = tallies.scanners[scanner.name]
            tally.findings += result.findings[i]
            tally.records_scanned += result.scanned[i]
            tally.records_skipped += result.skipped[i]
        store.mark_file(spec.key, spec.source_id, spec.size, spec.mtime_ns, stamps, scan_id,
                        records=result.records_read, bad=len(result.bad), finished=True)  # fmt: skip
        sink.advance(result.records_read, spec.size, f"{spec.source_id}: {_name(spec.path)}")

    failures = run_on_ray(
        store, scan_id, shards, new_places, [(import_name(s), s.config.model_dump()) for s in built], built, stamps,
        key=key, workers=workers, batch_size=batch_size, work_dir=work_dir, normalise=_normalise_record_licenses,
        on_merged=merged, address=address, attempts=attempts, keep_parquet=keep_parquet,
    )  # fmt: skip
    return [
        FailedShard(path=spec.key, source_id=spec.source_id, attempts=tries, reason=reason)
        for spec, reason, tries in failures
    ]


def _consent_config(manifest: Manifest, given: Mapping[str, Any] | None) -> dict[str, Any]:
    """The consent scanner's site snapshots: the manifest's consent_snapshots folders plus any given with
    ``--set consent.snapshots=DIR``, read once here so every worker gets the same, already parsed, facts."""
    from ..consent.snapshots import load_snapshots

    config = dict(given or {})
    extra = config.pop("snapshots", None)
    folders = list(manifest.snapshots)
    if extra:
        folders += [(Path(f), None) for f in ([extra] if isinstance(extra, str) else extra)]
    sites: dict[str, Any] = dict(config.pop("sites", None) or {})
    for folder, observed_at in folders:
        for host, site in load_snapshots([folder], observed_at=observed_at, relative_to=manifest.path.parent).items():
            sites.setdefault(host, site)
    config["sites"] = sites
    return config


def _consent_counts(store: Ledger) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for source_id, state, n in store.execute(
        "SELECT source_id, state, count(*) FROM consent_state GROUP BY ALL ORDER BY 1, 2"
    ):
        counts.setdefault(source_id, {})[state] = n
    return counts


def ingest(sources: str | Path | Manifest, ledger: str | Path | Ledger, **options: Any) -> ScanReport:
    """Record every record's origin, licence and consent without running scanners."""
    options.setdefault("command", "ingest")
    return scan(sources, ledger, scanners=(), **options)


@dataclass
class _FileEnd:
    job: _FileJob


def _run(
    store: Ledger,
    scan_id: str,
    jobs: Sequence[_FileJob],
    built: Sequence[Scanner],
    stamps: Sequence[str],
    pool: ProcessPoolExecutor | None,
    workers: int,
    batch_size: int,
    sink: ProgressSink,
    tallies: _Tallies,
) -> None:
    """Read, scan and write in order; a file is marked finished only after its last batch is in the ledger."""
    in_flight: deque[_Pending | _FileEnd] = deque()
    busy_ids: list[set[str]] = [set() for _ in built]
    per_file: dict[int, list[int]] = {}  # id(job) -> [records, bad records]

    def write_oldest() -> None:
        item = in_flight.popleft()
        if isinstance(item, _FileEnd):
            job = item.job
            records, bad = per_file.pop(id(job))
            store.mark_file(
                job.key,
                job.entry.source_id,
                job.size,
                job.mtime_ns,
                stamps,
                scan_id,
                records=records,
                bad=bad,
                finished=True,
            )
            return
        outputs = item.result.result() if isinstance(item.result, Future) else item.result
        batch, job = item.batch, item.job
        scanned = []
        for i, (scanner, output) in enumerate(zip(built, outputs, strict=True)):
            ids = item.scanned_ids[i]
            busy_ids[i].difference_update(ids.to_pylist())
            if output is None:
                continue
            scanned.append((scanner.name, stamps[i], output.findings, ids, output.partial))
            tallies.scanners[scanner.name].findings += output.findings.num_rows
        added = store.append(
            source_id=batch.source_id,
            origin=batch.origin.model_dump(mode="json"),
            table=_normalise_record_licenses(batch.table),
            scan_id=scan_id,
            new_place=item.new_place,
            bad=batch.bad,
            kept_metadata=job.entry.entry.metadata,
            scanned=scanned,
        )
        tallies.source(batch.source_id).records_added += added
        per_file[id(job)][0] += batch.num_rows
        per_file[id(job)][1] += len(batch.bad)

    backlog = 2 * workers if pool is not None else 0
    for job in jobs:
        spec = FieldSpec.from_entry(job.entry.entry, for_scanners=bool(built))
        new_place = not store.file_known(job.key, job.entry.source_id)
        if new_place:  # from now on a resumed scan knows origins from this file may exist
            store.mark_file(
                job.key,
                job.entry.source_id,
                job.size,
                job.mtime_ns,
                [],
                scan_id,
                records=0,
                bad=0,
                finished=False,
            )
        per_file[id(job)] = [0, 0]
        batches = (partial(prefetch, depth=1) if _CPUS > 1 else iter)(
            read_any(
                job.path,
                job.entry.format,
                job.entry.source_id,
                spec,
                batch_size=batch_size,
                split=job.entry.entry.split,
            )
        )
        for batch in batches:
            _count_read(tallies, batch)
            tables, scanned_ids = _select_unscanned(store, batch.table, built, stamps, busy_ids, tallies)
            result: Future | list = _submit(pool, tables) if pool else _run_scanners(built, tables)
            in_flight.append(_Pending(batch, job, new_place, scanned_ids, result))
            while len(in_flight) > backlog:
                write_oldest()
            sink.advance(batch.num_rows, batch.bytes_read, f"{job.entry.source_id}: {_name(job.path)}")
        in_flight.append(_FileEnd(job))
        while len(in_flight) > backlog:
            write_oldest()
    while in_flight:
        write_oldest()


def _submit(pool: ProcessPoolExecutor, tables: list[pa.Table | None]) -> Future:
    """Submit a batch to the pool with SIGINT blocked: a worker process the pool spawns now inherits the mask, so a
    Ctrl-C sent to the whole process group (as a terminal does) cannot hit it before its initializer ignores SIGINT
    (a traceback and a broken pool). A Ctrl-C arriving meanwhile waits, and reaches this process right after."""
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        return pool.submit(_scan_in_worker, tables)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)


def _count_read(tallies: _Tallies, batch: RecordBatch) -> None:
    source = tallies.source(batch.source_id)
    source.records_read += batch.num_rows
    source.bytes_read += batch.bytes_read
    source.bad_records += len(batch.bad)
    tallies.bad_total += len(batch.bad)
    room = REPORTED_BAD_RECORDS - len(tallies.bad)
    if room > 0:
        tallies.bad.extend(batch.bad[:room])


def _select_unscanned(
    store: Ledger,
    table: pa.Table,
    built: Sequence[Scanner],
    stamps: Sequence[str],
    busy_ids: list[set[str]],
    tallies: _Tallies,
) -> tuple[list[pa.Table | None], list[pa.Array]]:
    """Per scanner, the records of this batch that no earlier batch (written or in flight) has scanned."""
    tables: list[pa.Table | None] = []
    ids_out: list[pa.Array] = []
    if not built or table.num_rows == 0:
        return [None] * len(built), [pa.array([], pa.string())] * len(built)
    unique = table.group_by("record_id").aggregate([]).column("record_id")
    for i, stamp in enumerate(stamps):
        todo = store.unscanned(unique, stamp) - busy_ids[i]
        tally = tallies.scanners[built[i].name]
        tally.records_skipped += len(unique) - len(todo)
        tally.records_scanned += len(todo)
        if not todo:
            tables.append(None)
            ids_out.append(pa.array([], pa.string()))
            continue
        busy_ids[i].update(todo)
        mask = pc.is_in(table.column("record_id"), value_set=pa.array(sorted(todo), pa.string()))
        chosen = table.filter(mask).select(["record_id", "text", "url", "meta"])
        # a record twice in one batch is scanned once
        first = pc.equal(
            pa.array(range(chosen.num_rows)),
            pa.array(_first_index(chosen.column("record_id").to_pylist())),
        )
        chosen = chosen.filter(first)
        tables.append(chosen)
        ids_out.append(chosen.column("record_id").combine_chunks())
    return tables, ids_out


def _first_index(ids: list[str]) -> list[int]:
    seen: dict[str, int] = {}
    return [seen.setdefault(r, i) for i, r in enumerate(ids)]


def _report(
    store: Ledger,
    scan_id: str,
    command: str,
    started: dt.datetime,
    status: str,
    workers: int,
    built: Sequence[Scanner],
    tallies: _Tallies,
) -> ScanReport:
    for scanner in built:
        tally = tallies.scanners[scanner.name]
        total: dict[str, Any] = {}
        for _source, part in store.partials(str(scanner.stamp)):
            total = scanner.merge(total, part)
        tally.summary = scanner.summarize(total)
        if scanner.name == "textstats":
            from ..ledger.queries import exact_duplicates, near_duplicate_count

            tally.summary["near_duplicate_pairs"] = near_duplicate_count(store, str(scanner.stamp))
            tally.summary.update(exact_duplicates(store))
    ran = {s.name for s in built}
    return ScanReport(
        scan_id=scan_id,
        ledger=str(store.path),
        command=command,
        started_at=started,
        finished_at=dt.datetime.now(dt.timezone.utc),
        status=status,
        workers=workers,
        sources=list(tallies.sources.values()),
        scanners=list(tallies.scanners.values()),
        bad_records=tallies.bad,
        bad_records_total=tallies.bad_total,
        not_checked=[what for name, what in CHECKS.items() if name not in ran]
        + [gap for scanner in built for gap in scanner.not_looked_for()],
    )


__all__ = ["DEFAULT_SCANNERS", "Interrupted", "ingest", "scan"]

"""The Ray executor: shards scanned by an actor pool on a Ray cluster, merged into the ledger by this process.

Ray Data streams shard descriptions to actors (``map_batches`` with a callable class, so scanners and models load
once per actor); each actor reads its shard in Arrow batches, runs the scanners and writes Parquet stamped with the
scanner versions and configurations (``engine.shards``). This process merges each finished shard into the DuckDB
ledger as it arrives, the ledger staying the one writer and the meeting point. A shard whose output is complete
is never scanned again; a shard that keeps failing is reported with its reason while the others finish.
"""

from __future__ import annotations

import logging
import os
import shutil
import traceback
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa

from ..errors import MissingExtraError
from ..ledger import Ledger
from .shards import Merged, ShardSpec, build_scanners, merge_shard, scan_shard

log = logging.getLogger("provenance")
DEFAULT_ATTEMPTS = 3


def _import_ray() -> Any:
    try:
        import ray
        import ray.data
    except ImportError:
        raise MissingExtraError(
            "the Ray engine needs Ray Data", hint="pip install 'provenance-toolkit[ray]' (or run without --engine ray)"
        ) from None
    return ray


class ShardWorker:
    """One Ray actor: builds the scanners once, then scans the shards it is given (``map_batches`` rows)."""

    def __init__(
        self, specs: list[tuple[str, dict[str, Any]]], key: bytes | None, stamps: list[str], batch_size: int,
        out: str, attempts: int,
    ) -> None:  # fmt: skip
        self.scanners = build_scanners(specs, key)
        self.stamps = stamps
        self.batch_size = batch_size
        self.out = Path(out)
        self.attempts = attempts

    def __call__(self, rows: pa.Table) -> pa.Table:
        results: dict[str, list[Any]] = {"key": [], "source_id": [], "folder": [], "status": [], "reason": [],
                                         "attempts": []}  # fmt: skip
        for row in rows.to_pylist():
            spec = ShardSpec(**{**row, "text_fields": tuple(row["text_fields"]), "metadata": tuple(row["metadata"])})
            folder, status, reason, tries = None, "failed", None, 0
            cached = self.out / spec.digest(self.stamps, self.batch_size)
            if (cached / "shard.json").exists():
                folder, status = cached, "cached"
            while status == "failed" and tries < self.attempts:
                tries += 1
                try:
                    folder = scan_shard(spec, self.scanners, self.stamps, self.batch_size, self.out)
                    status, reason = "scanned", None
                except Exception as exc:  # one bad shard must not stop the others; say why, after retrying
                    reason = f"{type(exc).__name__}: {exc}"
                    log.debug("shard %s failed (attempt %d): %s", spec.key, tries, traceback.format_exc())
            for name, value in (("key", spec.key), ("source_id", spec.source_id),
                                ("folder", str(folder) if folder else None), ("status", status),
                                ("reason", reason), ("attempts", tries)):  # fmt: skip
                results[name].append(value)
        return pa.table(results)


def _connect(ray: Any, address: str | None, workers: int) -> bool:
    """Join a running cluster, or start a local one sized for ``workers``; True when we started it."""
    if ray.is_initialized():
        return False
    quiet = {"include_dashboard": False, "log_to_driver": False, "configure_logging": False}
    for name in ("ray", "ray.data", "ray._private"):  # Ray's INFO lines would bury the scan's own report
        logging.getLogger(name).setLevel(logging.ERROR)
    if address:
        ray.init(address=address, **{k: v for k, v in quiet.items() if k != "include_dashboard"})
        return False
    ray.init(num_cpus=max(workers, 1), **quiet)
    return True


def run_on_ray(
    store: Ledger,
    scan_id: str,
    shards: Sequence[ShardSpec],
    new_places: Mapping[str, bool],
    scanner_specs: list[tuple[str, dict[str, Any]]],
    built: Sequence[Any],
    stamps: Sequence[str],
    *,
    key: bytes | None,
    workers: int,
    batch_size: int,
    work_dir: Path,
    normalise: Callable[[pa.Table], pa.Table],
    on_merged: Callable[[ShardSpec, Merged], None],
    address: str | None = None,
    attempts: int = DEFAULT_ATTEMPTS,
    keep_parquet: bool = False,
) -> list[tuple[ShardSpec, str, int]]:
    """Scan ``shards`` on Ray and merge each into ``store`` as it finishes. Returns the failed shards with the
    reason and the number of attempts."""
    ray = _import_ray()
    os.environ.setdefault("RAY_DATA_DISABLE_PROGRESS_BARS", "1")
    started = _connect(ray, address, workers)
    failed: list[tuple[ShardSpec, str, int]] = []
    try:
        if not shards:
            return failed
        from ray.data import DataContext

        context = DataContext.get_current()
        context.enable_progress_bars = False
        context.execution_options.preserve_order = False
        work_dir.mkdir(parents=True, exist_ok=True)
        by_key = {s.key: s for s in shards}
        rows = [{**s.__dict__, "text_fields": list(s.text_fields), "metadata": list(s.metadata)} for s in shards]
        dataset = ray.data.from_items(rows, override_num_blocks=len(rows)).map_batches(
            ShardWorker,
            fn_constructor_kwargs=dict(
                specs=scanner_specs,
                key=key,
                stamps=list(stamps),
                batch_size=batch_size,
                out=str(work_dir),
                attempts=attempts,
            ),
            batch_size=1,
            batch_format="pyarrow",
            compute=ray.data.ActorPoolStrategy(size=max(workers, 1)),
            num_cpus=1,
        )
        for result in dataset.iter_rows():
            spec = by_key[result["key"]]
            if result["status"] == "failed":
                failed.append((spec, result["reason"] or "unknown error", result["attempts"]))
                continue
            folder = Path(result["folder"])
            merged = merge_shard(
                store, folder, scanners=built, stamps=stamps, scan_id=scan_id, new_place=new_places[spec.key],
                normalise=normalise,
            )  # fmt: skip
            on_merged(spec, merged)
            if not keep_parquet:
                shutil.rmtree(folder, ignore_errors=True)
    finally:
        if started:
            ray.shutdown()
    return failed


__all__ = ["DEFAULT_ATTEMPTS", "ShardWorker", "run_on_ray"]

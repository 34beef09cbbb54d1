"""Spool files: how training processes (DataLoader workers included) hand records to the ledger.

A DuckDB file has one writer, and a training job may read data in many processes. Each process appends what it
consumed to Arrow IPC files of its own under ``<ledger>.spool/``, written to a temporary name and renamed, so a
file is either whole or absent. The process that owns the ledger merges them (``Ledger.merge_spool``) when a run
ends, when ``track`` returns, or at the next ``provenance.flush``; merging records each file's name in the same
transaction, so a crash between the commit and the delete never merges a file twice.
"""

from __future__ import annotations

import itertools
import json
import os
import threading
import uuid
from pathlib import Path

import pyarrow as pa
import pyarrow.ipc as ipc

SPOOL_SCHEMA = pa.schema(
    [
        ("record_id", pa.string()),
        ("content_hash", pa.string()),
        ("n_chars", pa.int64()),
        ("n_bytes", pa.int64()),
        ("record_license", pa.string()),
        ("record_license_raw", pa.string()),
        ("url", pa.string()),
        ("line", pa.int64()),
        ("row", pa.int64()),
        ("source_id", pa.string()),
        ("kind", pa.string()),
        ("path", pa.string()),
        ("dataset_repo", pa.string()),
        ("dataset_config", pa.string()),
        ("dataset_split", pa.string()),
        ("dataset_revision", pa.string()),
        ("run_id", pa.string()),
    ]
)

_counter = itertools.count()
_lock = threading.Lock()


def spool_dir(ledger: str | Path) -> Path:
    ledger = Path(ledger)
    return ledger.with_name(ledger.name + ".spool")


def _new_file(ledger: str | Path, suffix: str) -> tuple[Path, Path]:
    """(temporary path, final path) for a new spool file. Names sort by time of writing within a process; the pid
    and a random part keep processes apart."""
    folder = spool_dir(ledger)
    folder.mkdir(parents=True, exist_ok=True)
    with _lock:
        n = next(_counter)
    name = f"{os.getpid():08d}-{n:012d}-{uuid.uuid4().hex[:8]}{suffix}"
    return folder / f".{name}.tmp", folder / name


def _pending(ledger: str | Path, pattern: str) -> list[Path]:
    folder = spool_dir(ledger)
    return sorted(folder.glob(pattern)) if folder.is_dir() else []


def write_spool(ledger: str | Path, table: pa.Table) -> Path:
    """Write one batch as a spool file; safe from any number of processes and threads at once."""
    tmp, final = _new_file(ledger, ".arrow")
    with pa.OSFile(str(tmp), "wb") as sink, ipc.new_file(sink, SPOOL_SCHEMA) as writer:
        writer.write_table(table.select(SPOOL_SCHEMA.names).cast(SPOOL_SCHEMA))
    tmp.rename(final)
    return final


def pending_spools(ledger: str | Path) -> list[Path]:
    return _pending(ledger, "*.arrow")


def read_spool(path: Path) -> pa.Table:
    with pa.memory_map(str(path)) as source:
        return ipc.open_file(source).read_all()


def write_drops(ledger: str | Path, counts: dict[tuple[str, str], int], run_id: str | None) -> Path:
    """Spool what a policy dropped in this process: {(source_id, reason): records}."""
    tmp, final = _new_file(ledger, ".drops.json")
    rows = [{"run_id": run_id, "source_id": s, "reason": r, "records": c} for (s, r), c in sorted(counts.items())]
    tmp.write_text(json.dumps(rows), encoding="utf-8")
    tmp.rename(final)
    return final


def pending_drops(ledger: str | Path) -> list[Path]:
    return _pending(ledger, "*.drops.json")

"""Training runs: ``with provenance.run("sft-2026-11", ledger=...) as run:`` links a run to what it consumed."""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import os
import subprocess
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from ..ledger import DEFAULT_LEDGER, Ledger
from ..models import Policy
from .spool import pending_drops, pending_spools, read_spool

log = logging.getLogger("provenance")

RUN_ENV = "PROVENANCE_RUN_ID"  # read by DataLoader worker processes, which do not share our context variables
_ACTIVE: contextvars.ContextVar[Run | None] = contextvars.ContextVar("provenance_run", default=None)


def current_run_id() -> str | None:
    run = _ACTIVE.get()
    return run.run_id if run else os.environ.get(RUN_ENV)


def active_policy() -> Policy | None:
    """The policy of the run active in this process, which ``track`` applies when given none of its own."""
    run = _ACTIVE.get()
    return run.policy if run else None


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(["git", *args], capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def flush(ledger: str | Path = DEFAULT_LEDGER) -> int:
    """Merge the spool files training processes wrote into the ledger; returns the records added."""
    files, drops = pending_spools(ledger), pending_drops(ledger)
    if not files and not drops:
        return 0
    added = 0
    with Ledger(ledger) as store:
        for group in _groups(files):  # one transaction for many files: merging costs per transaction, not per row
            added += store.absorb_spools([(p.name, read_spool(p)) for p in group])
            for path in group:
                path.unlink(missing_ok=True)
        for path in drops:
            rows = json.loads(path.read_text(encoding="utf-8"))
            with store.transaction() as con:
                if not con.execute("SELECT count(*) FROM spool_merged WHERE name = ?", [path.name])[0][0]:
                    for row in rows:
                        con.execute(
                            "INSERT INTO run_drops VALUES (?, ?, ?, ?, now())",
                            [row["run_id"], row["source_id"], row["reason"], row["records"]],
                        )
                    con.execute("INSERT INTO spool_merged VALUES (?, now(), ?)", [path.name, len(rows)])
            path.unlink(missing_ok=True)
    return added


def _groups(files: list[Path], rows: int = 1_000_000) -> list[list[Path]]:
    groups: list[list[Path]] = [[]]
    size = 0
    for path in files:
        size += max(path.stat().st_size // 100, 1)  # about 100 bytes a row in a spool file
        if groups[-1] and size > rows:
            groups.append([])
            size = 0
        groups[-1].append(path)
    return [g for g in groups if g]


@dataclass
class Run:
    """A training run. Its records are the ones tracked data yielded while it was active (or, for map-style data,
    the ones tracked inside it)."""

    name: str
    ledger: str
    policy: Policy | None = None
    run_id: str = field(
        default_factory=lambda: dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S-") + uuid.uuid4().hex[:8]
    )
    git_commit: str | None = None
    git_dirty: bool | None = None
    _token: Any = None
    _previous_env: str | None = None

    def __enter__(self) -> Run:
        self.git_commit = _git("rev-parse", "HEAD")
        status = _git("status", "--porcelain") if self.git_commit else None
        self.git_dirty = bool(status) if status is not None else None
        policy = self.policy.model_dump_json() if self.policy else None
        with Ledger(self.ledger) as store, store.transaction() as con:
            con.execute(
                "INSERT INTO runs VALUES (?, ?, ?, NULL, ?, ?, ?, 'running')",
                [self.run_id, self.name, dt.datetime.now(dt.timezone.utc), self.git_commit, self.git_dirty, policy],
            )
        self._token = _ACTIVE.set(self)
        self._previous_env = os.environ.get(RUN_ENV)
        os.environ[RUN_ENV] = self.run_id
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *_: object) -> None:
        from .track import flush_pending

        flush_pending()  # what this process noted but had not yet spooled belongs to this run
        _ACTIVE.reset(self._token)
        if self._previous_env is None:
            os.environ.pop(RUN_ENV, None)
        else:
            os.environ[RUN_ENV] = self._previous_env
        flush(self.ledger)
        status = "finished" if exc_type is None else ("interrupted" if exc_type is KeyboardInterrupt else "failed")
        with Ledger(self.ledger) as store:
            with store.transaction() as con:
                con.execute(
                    "UPDATE runs SET ended_at = ?, status = ? WHERE run_id = ?",
                    [dt.datetime.now(dt.timezone.utc), status, self.run_id],
                )
            self._recheck_consent(store)

    def _recheck_consent(self, store: Ledger) -> None:
        """Compare the consent of every record this run consumed with the state recorded at collection, keep the
        result with the run, and warn when it changed (a registry or revocation arrived since)."""
        from ..consent_records import recheck, store_run_recheck

        report = recheck(store, self.run_id)
        store_run_recheck(store, report)
        for change in report.changes:
            log.warning(
                "run %s used %d record(s) of source %s whose consent changed since collection: %s -> %s (%s)",
                self.name, change.records, change.source_id, change.collected_state.value, change.state.value,
                change.reason,
            )  # fmt: skip

    def records(self) -> pa.Table:
        """The records this run consumed, with how often (epochs) and from which source."""
        return run_records(self.ledger, self.run_id)


def run(name: str, ledger: str | Path = DEFAULT_LEDGER, *, policy: Any = None) -> Run:
    """Start recording a training run; use as ``with provenance.run("name", ledger=...) as run:``.

    ``policy`` (a Policy, a dict or a policy YAML file) is stored with the run and applied by ``track`` calls
    made inside it.
    """
    from .policy import load_policy

    return Run(name=name, ledger=str(ledger), policy=load_policy(policy))


def run_records(ledger: str | Path, run_id: str) -> pa.Table:
    with Ledger(ledger, read_only=True) as store:
        return store.sql(
            """SELECT record_id, any_value(source_id) AS source_id, count(*) AS times_consumed,
                      max(epoch) AS last_epoch
               FROM run_records WHERE run_id = ? GROUP BY record_id ORDER BY record_id""",
            [run_id],
        )


def runs_using(
    ledger: str | Path, *, record_id: str | None = None, source_id: str | None = None, domain: str | None = None
) -> pa.Table:
    """Which runs consumed this record, any record of this source, or any record whose URL is on this domain."""
    if sum(x is not None for x in (record_id, source_id, domain)) != 1:
        raise ValueError("give exactly one of record_id, source_id or domain")
    with Ledger(ledger, read_only=True) as store:
        if source_id is not None:  # answered from the per-run summary, however many links the ledger holds
            return store.sql(
                """SELECT r.run_id, r.name, r.started_at, r.ended_at, r.status, r.git_commit, r.git_dirty,
                          sum(s.links) AS links
                   FROM run_sources s JOIN runs r USING (run_id) WHERE s.source_id = ?
                   GROUP BY ALL ORDER BY r.started_at""",
                [source_id],
            )
        if record_id is not None:
            where, param = "rr.record_id = ?", record_id
        else:
            where = (
                "rr.record_id IN (SELECT record_id FROM origins WHERE "
                "regexp_extract(url, '^[a-zA-Z]+://([^/:?#]+)', 1) = ? OR "
                "regexp_extract(url, '^[a-zA-Z]+://([^/:?#]+)', 1) LIKE '%.' || ?)"
            )
            return store.sql(_RUNS_SQL.format(where=where), [domain.lower(), domain.lower()])
        return store.sql(_RUNS_SQL.format(where=where), [param])


_RUNS_SQL = """SELECT r.run_id, r.name, r.started_at, r.ended_at, r.status, r.git_commit, r.git_dirty,
       count(DISTINCT rr.record_id) AS records
FROM run_records rr JOIN runs r USING (run_id)
WHERE {where}
GROUP BY ALL ORDER BY r.started_at"""


def runs_table(ledger: str | Path) -> pa.Table:
    """Every run with its records and what its policy dropped."""
    with Ledger(ledger, read_only=True) as store:
        return store.sql(
            """SELECT r.run_id, r.name, r.started_at, r.ended_at, r.status, r.git_commit, r.git_dirty,
                      (SELECT count(DISTINCT record_id) FROM run_records x WHERE x.run_id = r.run_id) AS records,
                      (SELECT coalesce(sum(records), 0) FROM run_drops d WHERE d.run_id = r.run_id) AS dropped
               FROM runs r ORDER BY r.started_at"""
        )

"""The DuckDB ledger: one file, one writer at a time, every batch written whole or not at all."""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from .._version import __version__
from ..errors import LedgerBusyError, LedgerError
from ..models import BadRecord, License, Origin, RecordProvenance, Source
from .schema import LATEST_VERSION, MIGRATIONS

DEFAULT_LEDGER = "provenance.duckdb"
WRITER_MEMORY = "384MB"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def connect(path: str | Path, *, read_only: bool = False, config: dict[str, Any] | None = None):
    """Open a DuckDB file, turning its lock and corruption errors into messages a user can act on."""
    path = Path(path)
    if read_only and not path.exists():
        raise LedgerError(f"{path}: no ledger here", hint="create one with 'provenance init' or 'provenance scan'")
    try:
        return duckdb.connect(str(path), read_only=read_only, config=config or {})
    except duckdb.IOException as exc:
        text = str(exc)
        if "lock" in text.lower():
            pid = re.search(r"PID (\d+)", text)
            who = f" (process {pid.group(1)})" if pid else ""
            raise LedgerBusyError(
                f"{path}: the ledger is in use by another provenance process{who}",
                hint="wait for it to finish and run the command again; only one process may write a ledger at a time",
            ) from None
        raise LedgerError(f"{path}: cannot open the ledger: {text}") from None
    except duckdb.Error as exc:
        raise LedgerError(
            f"{path}: not a readable ledger: {exc}", hint="check the path; a ledger is a DuckDB file made by provenance"
        ) from None


def is_interrupt(exc: BaseException | None) -> bool:
    """Whether ``exc`` comes from Ctrl-C: a KeyboardInterrupt, DuckDB's report of a query it stopped because of one,
    or an error raised while either was being handled (a statement refused in the aborted transaction, say)."""
    seen = 0
    while exc is not None and seen < 20:
        if isinstance(exc, KeyboardInterrupt | duckdb.InterruptException):
            return True
        if type(exc) is RuntimeError and str(exc).strip().lower() == "query interrupted":
            return True
        if isinstance(exc, duckdb.Error) and "KeyboardInterrupt" in str(exc):  # raised in Python code DuckDB called
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


class Ledger:
    """A handle on one ledger file. Use as a context manager; writes happen in :meth:`transaction` blocks."""

    def __init__(
        self,
        path: str | Path,
        *,
        read_only: bool = False,
        threads: int | None = None,
        memory_limit: str | None = None,
        new_key: bool = False,
    ) -> None:
        self.path = Path(path)
        self.read_only = read_only
        config: dict[str, Any] = {}
        if threads:
            config["threads"] = threads
        # DuckDB would take 80% of RAM for its cache; a writer streaming a corpus needs little and spills the rest.
        limit = memory_limit or os.environ.get("PROVENANCE_MEMORY_LIMIT") or (None if read_only else WRITER_MEMORY)
        if limit:
            config["memory_limit"] = limit
        if read_only:
            self.con = connect(self.path, read_only=True, config=config)
            self._check_version()
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.con = connect(self.path, config=config)
            created = self._schema_version() == 0
            if created:  # the key first: a process killed right after the schema commits leaves a whole ledger
                self._ensure_secret(True)
            self._migrate()
            self._ensure_secret(created or new_key)

    # ---- lifecycle -------------------------------------------------------------------------------------------
    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def execute(self, sql: str, params: Sequence[Any] | Mapping[str, Any] | None = None) -> list[tuple]:
        """Run one statement and consume its result (DuckDB 2 refuses new work while a result is unread)."""
        return self.con.execute(sql, params if params is not None else []).fetchall()

    @contextmanager
    def transaction(self) -> Iterator[Ledger]:
        """All of the block's writes, or none. Ctrl-C inside it (even inside a query DuckDB then stops) rolls back
        and is raised as KeyboardInterrupt, never leaving the transaction open."""
        self.execute("BEGIN TRANSACTION")
        try:
            yield self
            self.execute("COMMIT")  # inside: a COMMIT that DuckDB stops for Ctrl-C is rolled back too
        except BaseException as exc:
            interrupted = self._rollback()
            if (interrupted or is_interrupt(exc)) and not isinstance(exc, KeyboardInterrupt):
                raise KeyboardInterrupt from exc
            raise

    def _rollback(self) -> bool:
        """Roll back the open transaction, even if a Ctrl-C arrives meanwhile; returns whether one did."""
        interrupted = False
        for _ in range(5):
            try:
                self.execute("ROLLBACK")
                break
            except KeyboardInterrupt:
                interrupted = True
            except duckdb.Error as exc:  # no transaction left to roll back
                if "no transaction" in str(exc).lower():
                    break
                raise
        return interrupted

    def _schema_version(self) -> int:
        exists = self.scalar("SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'")
        if not exists:
            return 0
        return self.scalar("SELECT coalesce(max(version), 0) FROM schema_migrations")

    def _check_version(self) -> int:
        version = self._schema_version()
        if version > LATEST_VERSION:
            raise LedgerError(
                f"{self.path}: this ledger has schema version {version}, newer than this toolkit knows "
                f"({LATEST_VERSION})",
                hint="upgrade provenance-toolkit to read it",
            )
        if version == 0 and self.read_only:
            raise LedgerError(
                f"{self.path}: not a provenance ledger (no schema)",
                hint="create one with 'provenance init'; if a command creating it was stopped, run it again",
            )
        return version

    def _migrate(self) -> None:
        version = self._check_version()
        pending = [m for m in MIGRATIONS if m.version > version]
        if not pending:
            return
        with self.transaction() as con:
            con.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations "
                "(version INTEGER PRIMARY KEY, description VARCHAR, applied_at TIMESTAMPTZ)"
            )
            for migration in pending:
                for statement in migration.statements:
                    con.execute(statement)
                con.execute(
                    "INSERT INTO schema_migrations VALUES (?, ?, ?)", [migration.version, migration.description, _now()]
                )
            con.execute(
                "INSERT OR REPLACE INTO ledger_info VALUES ('created_by', ?), ('ledger_id', ?)",
                [f"provenance-toolkit {__version__}", uuid.uuid4().hex],
            )

    @property
    def secret_path(self) -> Path:
        return self.path.with_name(self.path.name + ".key")

    def _ensure_secret(self, created: bool) -> None:
        """The per-ledger key for hashing PII values; readable by its owner only, never printed or stored inside.

        Only a new ledger gets a new key: replacing a lost one would silently orphan every value hashed so far.
        """
        if self.secret_path.exists():
            return
        if not created:
            self.con.close()
            raise LedgerError(
                f"{self.secret_path}: the key file of this ledger is missing",
                hint="restore it from your backup; without it, values hashed so far (e.g. e-mail addresses found "
                "by scanners) can no longer be matched. If it is lost for good: provenance init --new-key",
            )
        # Written whole under a temporary name, then linked into place: a kill never leaves an empty or partial key,
        # and of two processes creating the same ledger, the first key wins.
        tmp = self.secret_path.with_name(f".{self.secret_path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32))
                fh.flush()
                os.fsync(fh.fileno())
            try:
                os.link(tmp, self.secret_path)
            except FileExistsError:
                pass
        finally:
            tmp.unlink(missing_ok=True)

    def secret(self) -> bytes:
        try:
            return bytes.fromhex(self.secret_path.read_text().strip())
        except FileNotFoundError:
            raise LedgerError(
                f"{self.secret_path}: the ledger's key file is missing",
                hint="restore it from your backup; without it, hashed values cannot be matched",
            ) from None

    @contextmanager
    def _views(self, **tables: pa.Table) -> Iterator[None]:
        """Expose Arrow tables to SQL by name for the duration of a block (explicit, unlike replacement scans)."""
        for name, table in tables.items():
            self.con.register(name, table)
        try:
            yield
        except BaseException:
            for name in tables:  # inside a failed transaction DuckDB refuses even this: the first error matters
                try:
                    self.con.unregister(name)
                except duckdb.Error:
                    pass
            raise
        for name in tables:
            self.con.unregister(name)

    # ---- reads ------------------------------------------------------------------------------------------------
    def sql(self, query: str, params: Sequence[Any] | None = None) -> pa.Table:
        """Run a query and return an Arrow table (keep working with it in polars or pandas)."""
        return self.con.sql(query, params=list(params) if params else None).to_arrow_table()

    def scalar(self, query: str, params: Sequence[Any] | None = None) -> Any:
        rows = self.execute(query, list(params or []))
        return rows[0][0] if rows else None

    def table_counts(self) -> dict[str, int]:
        from .schema import TABLES

        return {t: self.scalar(f"SELECT count(*) FROM {t}") for t in TABLES}

    def sources(self) -> list[dict[str, Any]]:
        return self.sql("SELECT * FROM sources ORDER BY source_id").to_pylist()

    def record(self, record_id: str) -> RecordProvenance | None:
        """Everything the ledger knows about one record (never its text), or None if it has no such record."""
        rows = self.sql(
            """SELECT r.*, s.license AS source_license, s.license_raw AS source_license_raw
               FROM records r JOIN sources s USING (source_id) WHERE r.record_id = ?""",
            [record_id],
        ).to_pylist()
        if not rows:
            return None
        row = rows[0]
        origins = self.sql(
            "SELECT * EXCLUDE (record_id, source_id, scan_id, host) FROM origins WHERE record_id = ? "
            'ORDER BY path, line, "row"',
            [record_id],
        ).to_pylist()
        own = License(spdx=row["record_license"], raw=row["record_license_raw"]) if row["record_license_raw"] else None
        return RecordProvenance(
            record_id=row["record_id"],
            source_id=row["source_id"],
            content_hash=row["content_hash"],
            n_chars=row["n_chars"],
            n_bytes=row["n_bytes"],
            source_license=License(spdx=row["source_license"], raw=row["source_license_raw"]),
            record_license=own,
            origins=[Origin(**{k: v for k, v in o.items() if v is not None}) for o in origins],
        )

    # ---- writes -----------------------------------------------------------------------------------------------
    def upsert_sources(self, sources: Sequence[Source], manifest: str | None) -> None:
        rows = []
        now = _now()
        for s in sources:
            period = s.collection_period
            rows.append(
                {
                    "source_id": s.id,
                    "name": s.name,
                    "homepage": str(s.homepage) if s.homepage else None,
                    "license": s.license.spdx,
                    "license_raw": s.license.raw,
                    "consent_basis": s.consent_basis.value,
                    "collection_method": s.collection_method.value,
                    "period_start": period.start if period else None,
                    "period_end": period.end if period else None,
                    "collector": s.collector,
                    "terms_url": str(s.terms_url) if s.terms_url else None,
                    "attribution": s.attribution,
                    "languages": list(s.languages),
                    "notes": s.notes,
                    "manifest": manifest,
                    "declared_at": now,
                }
            )
        with self._views(incoming=pa.Table.from_pylist(rows)), self.transaction() as con:
            con.execute("DELETE FROM sources WHERE source_id IN (SELECT source_id FROM incoming)")
            con.execute("INSERT INTO sources BY NAME SELECT * FROM incoming")

    def place_known(self, origin: Mapping[str, Any]) -> bool:
        """Whether any origin from this file, or this version of this dataset split, is already recorded."""
        keys = ("kind", "path", "dataset_repo", "dataset_split", "dataset_revision")
        return bool(
            self.scalar(
                """SELECT count(*) FROM (SELECT 1 FROM origins WHERE kind = ? AND path IS NOT DISTINCT FROM ?
                   AND dataset_repo IS NOT DISTINCT FROM ? AND dataset_split IS NOT DISTINCT FROM ?
                   AND dataset_revision IS NOT DISTINCT FROM ? LIMIT 1)""",
                [origin.get(k) for k in keys],
            )
        )

    def record_claims(self, source_id: str, claims: Sequence[Mapping[str, Any]]) -> None:
        """Replace the licence claims recorded for a source: every claim, who made it, where, and which one won."""
        rows = [{"source_id": source_id, **c, "recorded_at": _now()} for c in claims]
        with self._views(incoming=pa.Table.from_pylist(rows)), self.transaction() as con:
            con.execute("DELETE FROM license_claims WHERE source_id = ?", [source_id])
            if rows:
                con.execute("INSERT INTO license_claims BY NAME SELECT * FROM incoming")

    def begin_scan(self, command: str, stamps: Sequence[str], workers: int) -> str:
        scan_id = _now().strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]
        with self.transaction() as con:
            # This process holds the only write lock: a scan still 'running' is one whose process was killed.
            con.execute("UPDATE scans SET status = 'interrupted' WHERE status = 'running'")
            con.execute(
                "INSERT INTO scans (scan_id, command, started_at, status, scanners, workers, toolkit_version) "
                "VALUES (?, ?, ?, 'running', ?, ?, ?)",
                [scan_id, command, _now(), list(stamps), workers, __version__],
            )
        return scan_id

    def finish_scan(
        self,
        scan_id: str,
        status: str,
        *,
        records_read: int,
        records_added: int,
        bad: int,
        not_checked: Sequence[str] = (),
    ) -> None:
        with self.transaction() as con:
            con.execute(
                "UPDATE scans SET status = ?, finished_at = ?, records_read = ?, records_added = ?, bad_records = ?, "
                "not_checked = ? WHERE scan_id = ?",
                [status, _now(), records_read, records_added, bad, list(not_checked), scan_id],
            )

    def file_done(self, path: str, source_id: str, size: int, mtime_ns: int, stamps: Sequence[str]) -> bool:
        """True when this exact file (same size and modification time) was fully read with all these stamps."""
        rows = self.execute(
            "SELECT size, mtime_ns, stamps FROM files WHERE path = ? AND source_id = ? AND finished_at IS NOT NULL",
            [path, source_id],
        )
        row = rows[0] if rows else None
        if not row:
            return False
        return row[0] == size and row[1] == mtime_ns and set(stamps) <= set(row[2] or [])

    def file_known(self, path: str, source_id: str) -> bool:
        return bool(self.scalar("SELECT count(*) FROM files WHERE path = ? AND source_id = ?", [path, source_id]))

    def mark_file(
        self,
        path: str,
        source_id: str,
        size: int,
        mtime_ns: int,
        stamps: Sequence[str],
        scan_id: str,
        *,
        records: int,
        bad: int,
        finished: bool,
    ) -> None:
        """Record a file as started (``finished=False``) or as fully read and scanned with ``stamps``."""
        with self.transaction() as con:
            earlier = con.execute(
                "SELECT stamps FROM files WHERE path = ? AND source_id = ? AND size = ? AND mtime_ns = ? "
                "AND finished_at IS NOT NULL",
                [path, source_id, size, mtime_ns],
            )
            if finished and earlier:  # stamps done on this same file earlier stay done
                stamps = sorted(set(stamps) | set(earlier[0][0] or []))
            con.execute("DELETE FROM files WHERE path = ? AND source_id = ?", [path, source_id])
            con.execute(
                "INSERT INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [path, source_id, size, mtime_ns, records, bad, sorted(stamps), scan_id, _now() if finished else None],
            )

    def unscanned(self, record_ids: pa.Array, stamp: str) -> set[str]:
        """Which of these records have not yet been scanned with this scanner stamp."""
        with self._views(ids=pa.table({"record_id": record_ids})):
            return self._unscanned(stamp)

    def _unscanned(self, stamp: str) -> set[str]:
        done = self.execute(
            "SELECT DISTINCT i.record_id FROM ids i WHERE NOT EXISTS "
            "(SELECT 1 FROM record_scans s WHERE s.record_id = i.record_id AND s.stamp = ?)",
            [stamp],
        )
        return {r[0] for r in done}

    def append(
        self,
        *,
        source_id: str,
        origin: dict[str, Any],
        table: pa.Table,
        scan_id: str,
        new_place: bool,
        bad: Sequence[BadRecord] = (),
        kept_metadata: Sequence[str] = (),
        scanned: Sequence[tuple[str, str, pa.Table, pa.Array, dict[str, Any] | None]] = (),
    ) -> int:
        """Write one batch and what scanners found in it, all in one transaction. Returns records added.

        ``scanned`` holds, per scanner, (scanner name, stamp, findings table, ids of the records it scanned,
        partial aggregate). ``new_place`` says no origin from this file or dataset split exists yet, which lets the
        first ingest skip the origin de-duplication join.
        """
        now = _now()
        meta_expr = _kept_metadata_sql(kept_metadata)
        ids = table.column("record_id")
        # Only de-duplicate inside the batch when it has duplicates; the common case skips a hash aggregate.
        distinct = "DISTINCT ON (record_id)" if pc.count_distinct(ids).as_py() < len(ids) else ""
        meta_col = ", meta" if kept_metadata else ""
        origin_cols = ("kind", "path", "dataset_repo", "dataset_config", "dataset_split", "dataset_revision")
        origin_values = [origin.get(c) for c in origin_cols]
        with self._views(batch=table), self.transaction() as con:
            added = con.execute(
                f"""INSERT INTO records
                SELECT b.record_id, ?, b.content_hash, b.n_chars, b.n_bytes, b.record_license, b.record_license_raw,
                       {meta_expr}, ?, ?
                FROM (SELECT {distinct} record_id, content_hash, n_chars, n_bytes, record_license,
                             record_license_raw{meta_col} FROM batch) b
                WHERE b.record_id NOT IN ({_SEEN_RECORDS})""",
                [source_id, scan_id, now],
            )[0][0]
            dedupe = "" if new_place else f"ANTI JOIN ({_SEEN_ORIGINS}) o ON {_SAME_PLACE}"
            con.execute(
                f"""INSERT INTO origins
                SELECT b.record_id, $source, $kind, $path, b.line, b."row", b.byte_offset, $repo, $config, $split,
                       $revision, b.url, NULL, $scan, url_host(b.url)
                FROM batch b {dedupe}""",
                dict(
                    zip(
                        ("kind", "path", "repo", "config", "split", "revision"),
                        origin_values,
                        strict=True,
                    ),
                    source=source_id,
                    scan=scan_id,
                ),
            )
            if bad:
                bad_rows = pa.Table.from_pylist([{"scan_id": scan_id, **b.model_dump()} for b in bad])
                with self._views(bad_rows=bad_rows):
                    con.execute(  # a re-read file reports its bad lines again: keep each once
                        'INSERT INTO bad_records SELECT scan_id, source_id, path, line, "row", reason FROM bad_rows b '
                        "WHERE NOT EXISTS (SELECT 1 FROM bad_records o WHERE o.source_id = b.source_id "
                        "AND o.path = b.path AND o.line IS NOT DISTINCT FROM b.line "
                        'AND o."row" IS NOT DISTINCT FROM b."row" AND o.reason = b.reason)'
                    )
            for name, stamp, findings, scanned_ids, partial in scanned:
                with self._views(found=findings, ids=pa.table({"record_id": scanned_ids})):
                    con.execute(
                        "INSERT INTO findings BY NAME SELECT record_id, ? AS scanner, ? AS stamp, kind, label, start, "
                        '"end", score, value_hash, ? AS scan_id, detail FROM found',
                        [name, stamp, scan_id],
                    )
                    con.execute("INSERT INTO record_scans SELECT record_id, ?, ? FROM ids", [stamp, scan_id])
                if partial is not None:
                    con.execute(
                        "INSERT INTO scan_partials VALUES (?, ?, ?, ?, ?)",
                        [stamp, name, source_id, scan_id, orjson.dumps(partial).decode()],
                    )
        return added

    def absorb_spools(self, spools: Sequence[tuple[str, pa.Table]]) -> int:
        """Merge several spool files in one transaction; files merged before are skipped."""
        names = [name for name, _ in spools]
        with self._views(names=pa.table({"name": names})):
            done = {r[0] for r in self.execute("SELECT name FROM spool_merged WHERE name IN (SELECT name FROM names)")}
        fresh = [(name, table) for name, table in spools if name not in done]
        if not fresh:
            return 0
        table = pa.concat_tables([t for _, t in fresh])
        return self.absorb(table, spool_names=[name for name, _ in fresh])

    def absorb(
        self,
        table: pa.Table,
        *,
        spool_name: str | None = None,
        spool_names: Sequence[str] = (),
        scan_id: str | None = None,
        new_place: bool = False,
    ) -> int:
        """Write records consumed by training code (see ``hooks.spool.SPOOL_SCHEMA``): records, origins and, for rows
        with a ``run_id``, the run's links, whose ``epoch`` counts how often the run has consumed that record.

        With ``spool_name`` the batch is written at most once: the name is recorded in the same transaction.
        Returns the number of records added.
        """
        with self._views(batch=table), self.transaction() as con:
            if spool_name is not None:
                if con.execute("SELECT count(*) FROM spool_merged WHERE name = ?", [spool_name])[0][0]:
                    return 0
            distinct = (
                "DISTINCT ON (record_id)" if pc.count_distinct(table.column("record_id")).as_py() < len(table) else ""
            )
            now = _now()
            added = con.execute(
                f"""INSERT INTO records
                SELECT b.record_id, b.source_id, b.content_hash, b.n_chars, b.n_bytes, b.record_license,
                       b.record_license_raw, NULL, ?, ?
                FROM (SELECT {distinct} * FROM batch) b
                WHERE b.record_id NOT IN ({_SEEN_RECORDS})""",
                [scan_id, now],
            )[0][0]
            # ``new_place``: nothing from this file or dataset version is recorded yet, so no origin can repeat
            origin_rows = (
                "batch b"
                if new_place
                else f"""(SELECT DISTINCT ON (record_id, path, dataset_repo, dataset_split, line, "row") * FROM batch) b
                ANTI JOIN (SELECT o.* FROM origins o SEMI JOIN batch x ON o.record_id = x.record_id) o {_SAME_ORIGIN}"""
            )
            con.execute(
                f"""INSERT INTO origins
                SELECT b.record_id, b.source_id, b.kind, b.path, b.line, b."row", NULL, b.dataset_repo,
                       b.dataset_config, b.dataset_split, b.dataset_revision, b.url, NULL, ?, url_host(b.url)
                FROM {origin_rows}""",
                [scan_id],
            )
            con.execute(
                """INSERT INTO run_records (run_id, record_id, epoch, source_id)
                SELECT b.run_id, b.record_id,
                       coalesce(prev.n, 0) + row_number() OVER (PARTITION BY b.run_id, b.record_id ORDER BY b.pos) - 1,
                       b.source_id
                FROM (SELECT *, row_number() OVER () AS pos FROM batch WHERE run_id IS NOT NULL) b
                LEFT JOIN (SELECT r.run_id, r.record_id, count(*) AS n FROM run_records r
                           SEMI JOIN batch x ON r.record_id = x.record_id AND r.run_id = x.run_id
                           GROUP BY ALL) prev USING (run_id, record_id)"""
            )
            con.execute(
                """INSERT INTO run_sources SELECT run_id, source_id, count(*) FROM batch
                   WHERE run_id IS NOT NULL GROUP BY ALL"""
            )
            merged = [*([spool_name] if spool_name else []), *spool_names]
            if merged:
                with self._views(merged=pa.table({"name": merged})):
                    con.execute("INSERT INTO spool_merged SELECT name, ?, NULL FROM merged", [now])
        return added

    def partials(self, stamp: str) -> list[tuple[str, dict[str, Any]]]:
        rows = self.execute("SELECT source_id, payload FROM scan_partials WHERE stamp = ?", [stamp])
        return [(source, orjson.loads(payload)) for source, payload in rows]


# What of this batch the ledger already holds. The semi-joins hash the batch and stream the big table past it, so
# memory stays the size of a batch however large the ledger grows (an anti-join would hash the big table).
_SEEN_RECORDS = "SELECT r.record_id FROM records r SEMI JOIN batch x ON r.record_id = x.record_id"
_SEEN_ORIGINS = """SELECT o.record_id, o.line, o."row" FROM origins o SEMI JOIN batch x ON o.record_id = x.record_id
    WHERE o.path IS NOT DISTINCT FROM $path AND o.dataset_repo IS NOT DISTINCT FROM $repo
      AND o.dataset_split IS NOT DISTINCT FROM $split"""


_SAME_ORIGIN = """ON o.record_id = b.record_id AND o.path IS NOT DISTINCT FROM b.path
    AND o.dataset_repo IS NOT DISTINCT FROM b.dataset_repo AND o.dataset_split IS NOT DISTINCT FROM b.dataset_split
    AND o.line IS NOT DISTINCT FROM b.line AND o."row" IS NOT DISTINCT FROM b."row"
"""
_SAME_PLACE = (
    'o.record_id = b.record_id AND o.line IS NOT DISTINCT FROM b.line AND o."row" IS NOT DISTINCT FROM b."row"'
)


def _kept_metadata_sql(keys: Sequence[str]) -> str:
    if not keys:
        return "NULL"
    parts = []
    for key in keys:
        literal = key.replace("'", "''")
        path = '$."' + key.replace('"', '\\"').replace("'", "''") + '"'
        parts.append(f"'{literal}', json_extract(b.meta, '{path}')")
    return f"CASE WHEN b.meta IS NULL THEN NULL ELSE json_object({', '.join(parts)}) END"

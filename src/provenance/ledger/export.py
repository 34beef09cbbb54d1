"""Read-only queries for people and scripts, and writing their results as CSV, JSON or Parquet."""

from __future__ import annotations

import io
import json
import os
import re
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ..errors import InputError, LedgerError, QueryError
from .store import Ledger, connect

FORMATS = ("table", "csv", "json", "parquet")


# Statements a read-only question may use. Everything else (INSERT, COPY, ATTACH, INSTALL, SET, CALL...) is refused
# before it runs, and the connection itself is read-only, cut off from other files and locked against SET: three
# layers, so no single one has to be perfect.
READ_STATEMENTS = frozenset({duckdb.StatementType.SELECT, duckdb.StatementType.EXPLAIN})
READ_PRAGMAS = frozenset(
    {"table_info", "show", "show_tables", "show_tables_expanded", "database_size", "storage_info", "version",
     "database_list", "functions", "collations", "metadata_info", "platform", "user_agent"}
)  # fmt: skip
_PRAGMA = re.compile(r"\s*PRAGMA\s+(\w+)\s*(\(|;|$)", re.IGNORECASE)
_EXPLAIN = re.compile(r"^\s*EXPLAIN\s+(ANALY[SZ]E\s+|\([^)]*\)\s*)?", re.IGNORECASE)
_QUERY_HINT = (
    "'provenance query' only reads the ledger: use SELECT (SHOW TABLES, DESCRIBE records, EXPLAIN ... too); "
    "change a ledger with the provenance commands, and read other files with DuckDB itself"
)


class _SealedLedger(Ledger):
    """A ledger opened read-only and cut off from every other file from the first statement on, before its schema
    is even read: a DuckDB file is not only tables, and a hostile one (a "ledger" from elsewhere) may hold views that
    read other files, whose content an error message would then print."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.read_only = True
        config: dict[str, object] = {"enable_external_access": False}
        if os.environ.get("PROVENANCE_MEMORY_LIMIT"):
            config["memory_limit"] = os.environ["PROVENANCE_MEMORY_LIMIT"]
        self.con = connect(self.path, read_only=True, config=config)
        try:
            self._check_version()
        except duckdb.Error as exc:
            self.con.close()
            raise LedgerError(
                f"{self.path}: not a readable ledger ({type(exc).__name__})",
                hint="check the path; a ledger is a DuckDB file made by provenance",
            ) from None
        except BaseException:
            self.con.close()
            raise


def query(ledger: str | Path, sql: str) -> pa.Table:
    """Run SQL against a ledger opened read-only, with no access to other files: it can look, never change."""
    with _SealedLedger(ledger) as store:
        try:
            store.execute("SET python_enable_replacements = false")  # no Python variables read as tables
            store.execute("SET lock_configuration = true")  # and no SET from here on, nor functions that set
            if not sql.strip():
                return pa.table({})
            _refuse_changes(store.con, sql)
            return store.con.sql(sql).to_arrow_table()
        except duckdb.Error as exc:
            message = str(exc).splitlines()[0]
            hint = (
                _QUERY_HINT
                if "read-only" in message.lower() or "disabled by configuration" in message or "locked" in message
                else ('list the tables with: provenance query "SHOW TABLES"')
            )
            raise QueryError(f"query failed: {message}", hint=hint) from None


def _refuse_changes(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    for statement in con.extract_statements(sql):
        if statement.type == duckdb.StatementType.EXPLAIN:  # EXPLAIN ANALYZE runs what it explains: look inside
            inner = _EXPLAIN.sub("", statement.query, count=1)
            if inner.strip() != statement.query.strip():
                _refuse_changes(con, inner)
                continue
        if statement.type in READ_STATEMENTS:
            continue
        pragma = _PRAGMA.match(statement.query) if statement.type == duckdb.StatementType.PRAGMA else None
        if pragma and pragma.group(1).lower() in READ_PRAGMAS:
            continue
        words = statement.query.split()
        kind = words[0].upper() if words and words[0].isalpha() else statement.type.name.replace("_", " ")
        raise QueryError(
            f"query refused: {kind} statements can change the ledger, the settings or other files; the ledger is "
            "opened read-only",
            hint=_QUERY_HINT,
        )


def _jsonable(table: pa.Table) -> list[dict]:
    return json.loads(json.dumps(table.to_pylist(), default=str))


def render(table: pa.Table, fmt: str, output: str | Path | None = None) -> str | None:
    """Serialise ``table``; write to ``output`` if given (required for Parquet), else return the text."""
    if fmt not in FORMATS:
        raise InputError(f"unknown output format '{fmt}'", hint=f"choose one of {', '.join(FORMATS)}")
    if fmt == "parquet":
        if output is None:
            raise InputError("Parquet output needs a file", hint="add --output result.parquet")
        pq.write_table(table, str(output))
        return None
    if fmt == "csv":
        buffer = io.BytesIO()
        pacsv.write_csv(table, buffer)
        text = buffer.getvalue().decode()
    elif fmt == "json":
        text = json.dumps(_jsonable(table), indent=2, ensure_ascii=False) + "\n"
    else:
        raise InputError("the table format is printed by the CLI", hint="choose csv, json or parquet to write a file")
    if output is not None:
        Path(output).write_text(text, encoding="utf-8")
        return None
    return text

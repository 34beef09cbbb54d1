"""Read-only queries for people and scripts, and writing their results as CSV, JSON or Parquet."""

from __future__ import annotations

import io
import json
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ..errors import InputError, QueryError
from .store import Ledger

FORMATS = ("table", "csv", "json", "parquet")


def query(ledger: str | Path, sql: str) -> pa.Table:
    """Run SQL against a ledger opened read-only, with no access to other files: it can look, never change."""
    with Ledger(ledger, read_only=True) as store:
        try:
            store.execute("SET enable_external_access = false")
            return store.con.sql(sql).to_arrow_table() if sql.strip() else pa.table({})
        except duckdb.Error as exc:
            message = str(exc).splitlines()[0]
            hint = (
                "the ledger is opened read-only by 'query'"
                if "read-only" in message.lower()
                else ('list the tables with: provenance query "SHOW TABLES"')
            )
            raise QueryError(f"query failed: {message}", hint=hint) from None


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

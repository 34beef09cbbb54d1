"""The DuckDB store: schema, migrations, batched transactional writes, and queries."""

from .export import FORMATS, query, render
from .queries import exact_duplicates, near_duplicate_pairs
from .schema import LATEST_VERSION, TABLES
from .store import DEFAULT_LEDGER, Ledger, connect

__all__ = [
    "DEFAULT_LEDGER",
    "FORMATS",
    "LATEST_VERSION",
    "TABLES",
    "Ledger",
    "connect",
    "exact_duplicates",
    "near_duplicate_pairs",
    "query",
    "render",
]

"""Questions the ledger answers in SQL, where joins and counts run in C."""

from __future__ import annotations

import pyarrow as pa

from .store import Ledger


def near_duplicate_pairs(ledger: Ledger, stamp: str, max_distance: int = 3) -> pa.Table:
    """Pairs of records whose SimHash signatures differ in at most ``max_distance`` bits.

    Four 16-bit bands: two signatures within 3 bits share at least one band exactly (pigeonhole), so the join only
    compares records that share a band.
    """
    bands = 4 if max_distance <= 3 else 8
    width = 64 // bands
    return ledger.sql(
        f"""
        WITH sig AS (
            SELECT DISTINCT record_id, ('0x' || value_hash)::UBIGINT AS h
            FROM findings WHERE stamp = ? AND label = 'simhash64'),
        banded AS (
            SELECT record_id, h, b, (h >> (b * {width})::UBIGINT) & {(1 << width) - 1}::UBIGINT AS key
            FROM sig, range({bands}) t(b))
        SELECT DISTINCT x.record_id AS record_a, y.record_id AS record_b, bit_count(xor(x.h, y.h)) AS distance
        FROM banded x JOIN banded y ON x.b = y.b AND x.key = y.key AND x.record_id < y.record_id
        WHERE bit_count(xor(x.h, y.h)) <= ?
        ORDER BY distance, record_a, record_b""",
        [stamp, max_distance],
    )


def exact_duplicates(ledger: Ledger) -> dict[str, int]:
    """Same text twice: within a source (one record, several origins) and across sources (same content hash)."""
    within = ledger.scalar(
        "SELECT count(*) FROM (SELECT record_id FROM origins GROUP BY record_id HAVING count(*) > 1)"
    )
    across = ledger.scalar(
        "SELECT count(*) FROM (SELECT content_hash FROM records GROUP BY content_hash "
        "HAVING count(DISTINCT source_id) > 1)"
    )
    return {"records_seen_more_than_once": within or 0, "texts_in_several_sources": across or 0}

"""Questions the ledger answers in SQL, where joins and counts run in C."""

from __future__ import annotations

import pyarrow as pa

from .store import Ledger

# band buckets holding more records than this are left out of near-duplicate pairing: a bucket of n records makes
# n(n-1)/2 pairs, and such buckets are templates and boilerplate, which the exact-duplicate counts already report
MAX_BUCKET = 64


# Record ids numbered and band keys read as integers: grouping pairs of integers is about 4x faster than pairs of hex
# strings, and needs a fraction of the memory (on a corpus of near-copies the pairs outgrew the writer's 384 MB).
_BANDED = """
        WITH signatures AS (
            SELECT record_id, value_hash FROM findings WHERE stamp = ? AND label = 'minhash_lsh'),
        ids AS (
            SELECT record_id, row_number() OVER () AS rid FROM (SELECT DISTINCT record_id FROM signatures)),
        all_bands AS (
            SELECT DISTINCT rid, b, try_cast('0x' || substr(value_hash, b * 8 + 1, 8) AS UBIGINT) AS key
            FROM signatures JOIN ids USING (record_id), range(16) t(b)),
        banded AS (  -- a band bucket shared by very many records is boilerplate: skipped, so pairs stay bounded
            SELECT * FROM all_bands QUALIFY count(*) OVER (PARTITION BY b, key) <= ?),
        shared AS (
            SELECT x.rid AS rid_a, y.rid AS rid_b, count(*) AS bands
            FROM banded x JOIN banded y ON x.b = y.b AND x.key = y.key AND x.rid < y.rid
            GROUP BY ALL HAVING count(*) >= ?)"""


def near_duplicate_pairs(ledger: Ledger, stamp: str, min_shared_bands: int = 2) -> pa.Table:
    """Pairs of records whose MinHash LSH signatures (16 bands) share at least ``min_shared_bands`` bands.

    The expected number of shared bands is 16 * J**4 for Jaccard similarity J of their word shingles, so the
    default of 2 pairs records with J of about 0.6 and above; ``similarity`` is that estimate. Band buckets of more
    than ``MAX_BUCKET`` records are skipped (see there).
    """
    return ledger.sql(
        _BANDED
        + """
        SELECT least(a.record_id, b.record_id) AS record_a, greatest(a.record_id, b.record_id) AS record_b, bands,
               round(pow(bands / 16, 0.25), 2) AS similarity
        FROM shared JOIN ids a ON a.rid = shared.rid_a JOIN ids b ON b.rid = shared.rid_b
        ORDER BY bands DESC, record_a, record_b""",
        [stamp, MAX_BUCKET, min_shared_bands],
    )


def near_duplicate_count(ledger: Ledger, stamp: str, min_shared_bands: int = 2) -> int:
    """How many pairs :func:`near_duplicate_pairs` would return, counted in DuckDB without fetching or sorting them."""
    return ledger.scalar(_BANDED + " SELECT count(*) FROM shared", [stamp, MAX_BUCKET, min_shared_bands]) or 0


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

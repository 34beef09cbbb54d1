"""Near-duplicate pairing at the end of a scan, on a corpus of near-copies, against the query it replaced.

A corpus where every document comes in a group of near-copies (here groups of 64 records sharing all 16 MinHash
bands) is the worst case the scan summary's ``near_duplicate_pairs`` meets: every bucket is as large as pairing
allows. Both queries run in one process on the same findings table, under the ledger writer's 384 MB limit.

    python benchmarks/near_duplicates.py [--records 200000] [--group 64]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import duckdb

from provenance.ledger.queries import MAX_BUCKET, near_duplicate_count

# the query before record ids were numbered: pairs of 32-character hex ids grouped as strings
HEX_IDS = """
    WITH all_bands AS (
        SELECT DISTINCT record_id, b, substr(value_hash, b * 8 + 1, 8) AS key
        FROM findings, range(16) t(b) WHERE stamp = ? AND label = 'minhash_lsh'),
    banded AS (SELECT * FROM all_bands QUALIFY count(*) OVER (PARTITION BY b, key) <= ?)
    SELECT count(*) FROM (
        SELECT x.record_id, y.record_id
        FROM banded x JOIN banded y ON x.b = y.b AND x.key = y.key AND x.record_id < y.record_id
        GROUP BY ALL HAVING count(*) >= ?)"""


class _Findings:
    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con

    def scalar(self, query: str, params: list) -> object:
        return self.con.execute(query, params).fetchall()[0][0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--group", type=int, default=64, help="near-copies per document")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        con = duckdb.connect(str(Path(tmp) / "findings.duckdb"))
        con.execute("SET memory_limit = '384MB'")
        con.execute(
            f"""CREATE TABLE findings AS
            SELECT md5(i::VARCHAR)[:32] AS record_id, 'minhash_lsh' AS label, 's' AS stamp,
                   (SELECT string_agg(md5((i // {args.group})::VARCHAR || '-' || b::VARCHAR)[:8], '' ORDER BY b)
                    FROM range(16) t(b)) AS value_hash
            FROM range({args.records}) r(i)"""
        )
        print(f"{args.records:,} records in groups of {args.group} near-copies, writer memory limit 384 MB")
        started = time.perf_counter()
        old = con.execute(HEX_IDS, ["s", MAX_BUCKET, 2]).fetchall()[0][0]
        old_s = time.perf_counter() - started
        started = time.perf_counter()
        new = near_duplicate_count(_Findings(con), "s")  # type: ignore[arg-type]
        new_s = time.perf_counter() - started
        assert new == old, (new, old)
        print(f"pairs: {new:,}")
        print(f"hex ids (before): {old_s:6.1f} s")
        print(f"numbered ids:     {new_s:6.1f} s   ({old_s / new_s:.1f}x)")


if __name__ == "__main__":
    main()

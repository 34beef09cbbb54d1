"""Text statistics: size, words, empty and short records, and a MinHash signature for near-duplicate detection.

Near-duplicates are not a property of one batch, so the scanner only emits each record's MinHash LSH bands as a
finding; the ledger pairs records that share several bands (``ledger.queries.near_duplicate_pairs``), which works
the same whichever engine produced the signatures.
"""

from __future__ import annotations

import math
import re
import zlib
from typing import Any, ClassVar

import numpy as np
import pyarrow as pa
from pydantic import Field

from .base import FindingsBuilder, Scanner, ScannerConfig, ScanOutput
from .registry import register

_WORD = re.compile(r"\w+", re.UNICODE)
BANDS, ROWS = 16, 4  # MinHash LSH: 64 hashes in 16 bands of 4; pairs sharing bands have Jaccard ~ (shared/16)^(1/4)
_rng = np.random.default_rng(20261123)  # fixed: signatures must agree across processes, machines and releases
_SEEDS = _rng.integers(1, 2**63 - 1, size=BANDS * ROWS, dtype=np.uint64)
_MULTS = _rng.integers(1, 2**63 - 1, size=BANDS * ROWS, dtype=np.uint64) | np.uint64(1)


class TextStatsConfig(ScannerConfig):
    min_words: int = Field(5, ge=0, description="records with fewer words are flagged 'short'")
    shingle: int = Field(3, ge=1, le=8, description="words per shingle in the MinHash signature")


def _token_hash(token: str) -> int:
    data = token.encode("utf-8", "surrogatepass")
    return (zlib.crc32(data) << 32) | zlib.crc32(data, 0x5BD1E995)


def minhash_bands(tokens: list[str], shingle: int, cache: dict[str, int]) -> str | None:
    """MinHash of word shingles, folded into 16 band hashes of 8 hex digits each (128 characters).

    Token hashes are CRC32 pairs, so signatures agree across processes and machines; shingles combine token
    hashes arithmetically, which keeps the whole record vectorised in numpy.
    """
    if not tokens:
        return None
    k = min(shingle, len(tokens))
    hashes = np.fromiter(
        (cache[t] if t in cache else cache.setdefault(t, _token_hash(t)) for t in tokens),
        dtype=np.uint64,
        count=len(tokens),
    )
    n = len(tokens) - k + 1
    with np.errstate(over="ignore"):
        shingles = np.zeros(n, dtype=np.uint64)
        for i in range(k):
            shingles = (shingles ^ hashes[i : i + n]) * np.uint64(0x9E3779B97F4A7C15)
            shingles ^= shingles >> np.uint64(31)
        permuted = (shingles[:, None] ^ _SEEDS[None, :]) * _MULTS[None, :]
        permuted ^= permuted >> np.uint64(29)
    mins = permuted.min(axis=0).reshape(BANDS, ROWS)
    return "".join(f"{zlib.crc32(band.tobytes()):08x}" for band in mins)


@register
class TextStats(Scanner):
    name: ClassVar[str] = "textstats"
    version: ClassVar[str] = "1.1.0"
    Config = TextStatsConfig
    description: ClassVar[str] = "characters, words, empty and short records, near-duplicate signatures"
    config: TextStatsConfig

    def scan(self, batch: pa.Table) -> ScanOutput:
        out = FindingsBuilder()
        ids = batch.column("record_id").to_pylist()
        texts = batch.column("text").to_pylist()
        cache: dict[str, int] = {}
        words_total = chars_total = empty = short = 0
        buckets: dict[str, int] = {}
        for record_id, text in zip(ids, texts, strict=True):
            tokens = _WORD.findall(text.lower())
            n_words = len(tokens)
            words_total += n_words
            chars_total += len(text)
            bucket = str(0 if not text else 1 << max(0, math.ceil(math.log2(len(text)))))
            buckets[bucket] = buckets.get(bucket, 0) + 1
            if not text:
                empty += 1
                out.add(record_id, "quality", "empty")
                continue
            if n_words < self.config.min_words:
                short += 1
                out.add(record_id, "quality", "short", score=float(n_words))
            signature = minhash_bands(tokens, self.config.shingle, cache)
            if signature is not None:
                out.add(record_id, "signature", "minhash_lsh", value_hash=signature)
        partial = {
            "records": len(ids),
            "chars": chars_total,
            "words": words_total,
            "empty": empty,
            "short": short,
            "chars_histogram": buckets,
        }
        return ScanOutput(out.table(), partial)

    def summarize(self, total: dict[str, Any]) -> dict[str, Any]:
        records = total.get("records", 0)
        return {
            "records": records,
            "chars": total.get("chars", 0),
            "words": total.get("words", 0),
            "mean_words": round(total.get("words", 0) / records, 1) if records else 0.0,
            "empty": total.get("empty", 0),
            "short": total.get("short", 0),
            "chars_histogram": dict(sorted(total.get("chars_histogram", {}).items(), key=lambda kv: int(kv[0]))),
        }

"""Text statistics: size, words, empty and short records, and a SimHash signature for near-duplicate detection.

Near-duplicates are not a property of one batch, so the scanner only emits each record's 64-bit SimHash (over word
trigrams) as a finding; the ledger pairs records whose signatures differ in at most a few bits (see
``ledger.queries.near_duplicate_pairs``), which works the same whichever engine produced the signatures.
"""

from __future__ import annotations

import math
import re
import zlib
from typing import Any, ClassVar

import numpy as np
import pyarrow as pa
from pydantic import Field

from .base import FindingsBuilder, ScanOutput, Scanner, ScannerConfig
from .registry import register

_WORD = re.compile(r"\w+", re.UNICODE)
_MASK = (1 << 64) - 1
_MIX = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9], dtype=np.uint64)


class TextStatsConfig(ScannerConfig):
    min_words: int = Field(5, ge=0, description="records with fewer words are flagged 'short'")
    shingle: int = Field(3, ge=1, le=8, description="words per shingle in the SimHash")


def _token_hash(token: str) -> int:
    data = token.encode("utf-8", "surrogatepass")
    return (zlib.crc32(data) << 32) | zlib.crc32(data, 0x5BD1E995)


def simhash64(tokens: list[str], shingle: int, cache: dict[str, int]) -> int | None:
    """SimHash of word shingles; token hashes are stable (CRC32 pairs), so signatures agree across processes."""
    if len(tokens) < shingle:
        return None
    hashes = np.fromiter((cache[t] if t in cache else cache.setdefault(t, _token_hash(t)) for t in tokens),
                         dtype=np.uint64, count=len(tokens))
    n = len(tokens) - shingle + 1
    combined = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(shingle):
            combined = (combined ^ hashes[k : k + n]) * _MIX[k % 3]
            combined ^= combined >> np.uint64(29)
    bits = np.unpackbits(combined.view(np.uint8).reshape(n, 8), axis=1, bitorder="little")
    votes = bits.sum(axis=0, dtype=np.int64) * 2 > n
    return int(np.packbits(votes, bitorder="little").view(np.uint64)[0])


@register
class TextStats(Scanner):
    name: ClassVar[str] = "textstats"
    version: ClassVar[str] = "1.0.0"
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
            signature = simhash64(tokens, self.config.shingle, cache)
            if signature is not None:
                out.add(record_id, "signature", "simhash64", value_hash=f"{signature:016x}")
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

"""A scanner for engine tests, importable by pool workers and Ray actors (its folder is put on their path).

It is slow on purpose (so a test can kill a scan half-way) and fails on a marker text (so a test can watch one
shard fail while the others finish).
"""

from __future__ import annotations

import time
from typing import Any, ClassVar

import pyarrow as pa

from provenance.scanners import FindingsBuilder, Scanner, ScannerConfig, ScanOutput


class SlowConfig(ScannerConfig):
    delay: float = 0.0
    fail_on: str | None = None


class Slow(Scanner):
    name: ClassVar[str] = "slowstats"
    version: ClassVar[str] = "1.0"
    Config = SlowConfig
    config: SlowConfig

    def scan(self, batch: pa.Table) -> ScanOutput:
        time.sleep(self.config.delay)
        texts = batch.column("text").to_pylist()
        if self.config.fail_on and any(self.config.fail_on in t for t in texts):
            raise RuntimeError(f"cannot scan a text containing {self.config.fail_on}")
        out = FindingsBuilder()
        for record_id, text in zip(batch.column("record_id").to_pylist(), texts, strict=True):
            out.add(record_id, "length", "long" if len(text) > 40 else "short", score=float(len(text)))
        partial: dict[str, Any] = {"records": len(texts), "chars": sum(len(t) for t in texts)}
        return ScanOutput(out.table(), partial)

"""The scanner contract: a pure function of a batch, stamped with name, version and config.

``scan`` receives an Arrow table with at least ``record_id`` and ``text`` (plus ``meta``, ``url``) and returns the
findings as a table of FINDINGS_SCHEMA and, optionally, a partial aggregate. Partials merge associatively with
``merge``, so the same scanner gives the same totals on one core, a process pool or a cluster. Scanners do no I/O.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import orjson
import pyarrow as pa
from pydantic import BaseModel, ConfigDict

from ..models import ScannerStamp

FINDINGS_SCHEMA = pa.schema(
    [
        ("record_id", pa.string()),
        ("kind", pa.string()),
        ("label", pa.string()),
        ("start", pa.int64()),
        ("end", pa.int64()),
        ("score", pa.float64()),
        ("value_hash", pa.string()),
        ("detail", pa.string()),
    ]
)


class ScannerConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass
class ScanOutput:
    findings: pa.Table
    partial: dict[str, Any] | None = None


@dataclass
class FindingsBuilder:
    """Accumulates findings column by column; cheaper than a list of dicts on hot paths."""

    columns: dict[str, list] = field(default_factory=lambda: {f.name: [] for f in FINDINGS_SCHEMA})

    def add(
        self,
        record_id: str,
        kind: str,
        label: str,
        *,
        start: int | None = None,
        end: int | None = None,
        score: float | None = None,
        value_hash: str | None = None,
        detail: str | None = None,
    ) -> None:
        row = (record_id, kind, label, start, end, score, value_hash, detail)
        for name, value in zip(self.columns, row, strict=True):
            self.columns[name].append(value)

    def table(self) -> pa.Table:
        return pa.Table.from_pydict(self.columns, schema=FINDINGS_SCHEMA)


def merge_sums(a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, Any]:
    """Add two partials key by key, recursing into nested mappings: the default merge for counters."""
    out: dict[str, Any] = dict(a)
    for key, value in b.items():
        if key in out and isinstance(value, Mapping):
            out[key] = merge_sums(out[key], value)
        elif key in out:
            out[key] = out[key] + value
        else:
            out[key] = value
    return out


class Scanner:
    """Base class: subclasses set ``name``, ``version``, ``Config`` and implement ``scan``."""

    name: ClassVar[str]
    version: ClassVar[str]
    Config: ClassVar[type[ScannerConfig]] = ScannerConfig
    description: ClassVar[str] = ""
    needs_key: ClassVar[bool] = False  # set by the engine from the ledger's secret, never part of the config
    key: bytes | None = None

    def __init__(self, config: ScannerConfig | Mapping[str, Any] | None = None) -> None:
        if config is None:
            config = self.Config()
        elif not isinstance(config, ScannerConfig):
            config = self.Config.model_validate(dict(config))
        self.config = config

    @property
    def stamp(self) -> ScannerStamp:
        blob = orjson.dumps(self.config.model_dump(mode="json"), option=orjson.OPT_SORT_KEYS)
        return ScannerStamp(name=self.name, version=self.version, config_hash=hashlib.sha256(blob).hexdigest()[:12])

    def scan(self, batch: pa.Table) -> ScanOutput:  # pragma: no cover - abstract
        raise NotImplementedError

    def not_looked_for(self) -> list[str]:
        """What this scanner, as configured and installed, does not detect; reports and cards repeat it."""
        return []

    def merge(self, a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, Any]:
        return merge_sums(a, b)

    def summarize(self, total: Mapping[str, Any]) -> dict[str, Any]:
        """Turn the merged partial into the figures a report shows."""
        return dict(total)

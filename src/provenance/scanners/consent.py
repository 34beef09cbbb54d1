"""Consent signals per record: what the page's HTTP headers and HTML said, and what its site's robots.txt, ai.txt
and tdmrep.json (as snapshotted at crawl time) said about this URL.

The snapshots arrive in the config (read from disk by the engine, per worker once), so ``scan`` stays pure. Each
signal becomes a finding: label = the signal's kind, score 1 for an opt-out, 0 for an explicit allowance, empty when
it says nothing about AI use or could not be read; ``detail`` keeps the value as read, where and when it was seen.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, ClassVar

import orjson
import pyarrow as pa
from pydantic import Field

from ..consent.signals import (
    RobotsTxt,
    Signal,
    evaluate_ai_txt,
    evaluate_meta_tags,
    evaluate_robots_txt,
    evaluate_tdmrep_headers,
    evaluate_tdmrep_json,
    evaluate_x_robots_tag,
    parse_robots_txt,
)
from ..consent.snapshots import SiteSnapshot, host_of, path_of
from .base import FindingsBuilder, Scanner, ScannerConfig, ScanOutput
from .registry import register


class ConsentConfig(ScannerConfig):
    sites: dict[str, SiteSnapshot] = Field(
        default_factory=dict, description="host -> its robots.txt / ai.txt / tdmrep.json as snapshotted"
    )


def _header_values(meta: dict[str, Any], name: str) -> list[str]:
    headers = meta.get("http_headers") or meta.get("headers")
    if isinstance(headers, dict):
        headers = list(headers.items())
    if not isinstance(headers, list):
        return []
    return [
        pair[1]
        for pair in headers
        if isinstance(pair, (list, tuple)) and len(pair) == 2 and str(pair[0]).strip().lower() == name
    ]


def _header_pairs(meta: dict[str, Any]) -> list[Any]:
    headers = meta.get("http_headers") or meta.get("headers")
    if isinstance(headers, dict):
        return list(headers.items())
    return headers if isinstance(headers, list) else []


@register
class ConsentScanner(Scanner):
    name: ClassVar[str] = "consent"
    version: ClassVar[str] = "0.1.0"
    Config = ConsentConfig
    description: ClassVar[str] = "AI-use consent signals: robots.txt, ai.txt, TDMRep, X-Robots-Tag, HTML meta"
    config: ConsentConfig

    def __init__(self, config: Any = None) -> None:
        super().__init__(config)
        self._robots: dict[str, RobotsTxt] = {
            host: parse_robots_txt(site.robots_txt) for host, site in self.config.sites.items() if site.robots_txt
        }

    def not_looked_for(self) -> list[str]:
        if self.config.sites:
            return []
        return ["robots.txt, ai.txt and tdmrep.json of crawled sites (no snapshots given: consent_snapshots)"]

    def _site_signals(self, url: str) -> list[Signal]:
        host = host_of(url)
        site = self.config.sites.get(host) if host else None
        if site is None:
            return []
        path = path_of(url)
        found: list[Signal] = []
        if site.robots_txt is not None and host in self._robots:
            found += evaluate_robots_txt(
                self._robots[host], path, where=site.where.get("robots.txt", f"{host}/robots.txt"),
                observed_at=site.observed_at,
            )  # fmt: skip
        if site.ai_txt is not None:
            found += evaluate_ai_txt(
                site.ai_txt, path, where=site.where.get("ai.txt", f"{host}/ai.txt"), observed_at=site.observed_at
            )
        if site.tdmrep_json is not None:
            found += evaluate_tdmrep_json(
                site.tdmrep_json, path, where=site.where.get("tdmrep.json", f"{host}/.well-known/tdmrep.json"),
                observed_at=site.observed_at,
            )  # fmt: skip
        return found

    @staticmethod
    def _page_signals(url: str | None, meta: dict[str, Any]) -> list[Signal]:
        observed = meta.get("warc_date") or meta.get("fetched_at")
        observed = str(observed) if observed else None
        page = url or "the record"
        found: list[Signal] = []
        tags = _header_values(meta, "x-robots-tag")
        if "x_robots_tag" in meta:
            tags.append(meta["x_robots_tag"])
        if tags:
            found += evaluate_x_robots_tag(tags, where=f"X-Robots-Tag header of {page}", observed_at=observed)
        pairs = _header_pairs(meta)
        if pairs:
            found += evaluate_tdmrep_headers(pairs, where=f"HTTP headers of {page}", observed_at=observed)
        html_meta = meta.get("html_meta")
        if html_meta:
            found += evaluate_meta_tags(html_meta, where=f"HTML <meta> of {page}", observed_at=observed)
        return found

    def scan(self, batch: pa.Table) -> ScanOutput:
        ids = batch.column("record_id").to_pylist()
        urls = batch.column("url").to_pylist() if "url" in batch.column_names else [None] * len(ids)
        metas = batch.column("meta").to_pylist() if "meta" in batch.column_names else [None] * len(ids)
        out = FindingsBuilder()
        counts: Counter[str] = Counter()
        opted_out = with_signal = 0
        for record_id, url, raw_meta in zip(ids, urls, metas, strict=True):
            signals: list[Signal] = []
            if raw_meta:
                try:
                    meta = orjson.loads(raw_meta)
                except orjson.JSONDecodeError:
                    meta = None
                if isinstance(meta, dict):
                    signals += self._page_signals(url, meta)
            if url and self.config.sites:
                signals += self._site_signals(url)
            if not signals:
                continue
            with_signal += 1
            opted_out += any(s.opted_out for s in signals)
            for s in signals:
                state = "opted_out" if s.opted_out else "allowed" if s.opted_out is False else "other"
                counts[f"{s.kind}:{state}"] += 1
                detail = {"value": s.value, "where": s.where, "observed_at": s.observed_at, "agents": list(s.agents)}
                out.add(
                    record_id,
                    "signal",
                    s.kind,
                    score=None if s.opted_out is None else float(s.opted_out),
                    detail=orjson.dumps(detail).decode(),
                )
        partial = {"records": len(ids), "with_signal": with_signal, "opted_out": opted_out, "signals": dict(counts)}
        return ScanOutput(out.table(), partial)

    def summarize(self, total: dict[str, Any]) -> dict[str, Any]:
        return {
            "records_with_signal": total.get("with_signal", 0),
            "records_opted_out_by_signal": total.get("opted_out", 0),
            "signals": dict(sorted(total.get("signals", {}).items())),
        }

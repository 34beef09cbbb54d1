"""The ``ip`` scanner: licence texts, tags and notices, copyright notices, reservations of rights, and passages of
protected works, found in the records themselves.

Most text carries none of these, so one cheap test runs over the whole batch in C++ (Arrow's RE2) and only the few
texts it picks become Python strings for the detectors. Findings say which licence a record declares about itself
(``detail`` holds the SPDX id and the words it was read from); ``provenance licenses`` compares them with the licence
the record was declared under. A copyright holder that may be a person is only hashed, like any personal data;
companies, projects and institutions are named.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from functools import cached_property
from typing import Any, ClassVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import Field

from ..base import FindingsBuilder, Scanner, ScannerConfig, ScanOutput
from ..registry import register
from .notices import Hit, copyright_hits, is_organisation, licence_hits, reservation_hits

# every detector's trigger, as one RE2 pattern (a superset: the detectors decide)
CHEAP_TEST = (
    r"(?i)licen[cs]|copyright|©|\(c\)|rights\s+reserved|rechte\s+vorbehalten|droits\s+r[ée]serv|derechos\s+reservados"
    r"|diritti\s+riservati|права\s+защищены|spdx|permission\s+is\s+hereby|redistribut|terms\s+of\s+(?:service|use)"
    r"|\bcc[- ]by|not\s+be\s+used|\bno\s+(?:ai|machine)|data[- ]mining|\btdm\b"
    r"|training\s+(?:is\s+)?(?:prohib|forbid|not)"
    r"|may\s+not\s+be\s+(?:copied|reproduced|republished|reprinted|resold)|reproduction|republication"
    r"|by\s+(?:using|accessing)\s+this"
)
# a full licence text has these words; only texts with one go to the (costlier) licence identifier
LICENCE_TEXT = (
    r"(?i)permission\s+is\s+hereby\s+granted|redistribution\s+and\s+use|terms\s+and\s+conditions"
    r"|licen[cs]e[ds]?\s+(?:agreement|grant)|this\s+licen[cs]e|the\s+licen[cs]or|warrant"
)


class IpConfig(ScannerConfig):
    identify_texts: bool = Field(True, description="identify full licence texts against ScanCode's reference texts")
    min_coverage: float = Field(0.8, ge=0, le=1, description="share of a reference licence a text must contain")
    protected_works: str | None = Field(
        None, description="a folder (or file) of texts the dataset must not contain; None: not looked for"
    )
    min_overlap_words: int = Field(50, ge=12, description="shortest verbatim passage of a protected work reported")


@register
class Ip(Scanner):
    name: ClassVar[str] = "ip"
    version: ClassVar[str] = "0.1.0"
    Config = IpConfig
    description: ClassVar[str] = "licence texts and notices, copyright, reserved rights, protected works"
    config: IpConfig
    needs_key: ClassVar[bool] = True  # for copyright holders who may be people

    def __init__(self, config: Any = None) -> None:
        super().__init__(config)
        self._works = None
        if self.config.protected_works:
            from .protected import ProtectedWorks

            self._works = ProtectedWorks.load(self.config.protected_works)

    @cached_property
    def _index(self) -> Any:
        """The licence-text index (3.5 s), built at the first scan: a rerun whose files are all done never waits."""
        if not self.config.identify_texts:
            return None
        from ...licenses.identify import LicenseIndex

        return LicenseIndex.get()

    def not_looked_for(self) -> list[str]:
        missing = []
        if not self.config.protected_works:
            missing.append("passages of protected works (the ip scanner's protected_works registry is not set)")
        if not self.config.identify_texts:
            missing.append("full licence texts (identify_texts is off)")
        return missing

    def _holder_hash(self, holder: str) -> str | None:
        if not self.key:
            return None
        message = f"COPYRIGHT_HOLDER\x1f{' '.join(holder.casefold().split())}".encode()
        return hmac.new(self.key, message, hashlib.sha256).hexdigest()[:32]

    def _hits(self, text: str, full_text_candidate: bool) -> list[Hit]:
        hits = [*licence_hits(text), *copyright_hits(text), *reservation_hits(text)]
        if self._index is not None and full_text_candidate:
            found = {(h.spdx, h.start) for h in hits}
            for match in self._index.identify(text):
                if match.coverage < self.config.min_coverage:
                    continue
                label = "LICENSE_TEXT" if match.kind == "text" else "LICENSE_NOTICE"
                if label == "LICENSE_NOTICE" and any(
                    spdx == match.spdx and match.start <= start < match.end for spdx, start in found
                ):
                    continue  # the same notice, already read by the notice patterns
                hits.append(Hit(label, match.start, match.end, round(match.coverage, 3), match.spdx, match.name))
        return hits

    def scan(self, batch: pa.Table) -> ScanOutput:
        out = FindingsBuilder()
        column = batch.column("text")
        if pa.types.is_null(column.type):
            column = column.cast(pa.string())
        column = pc.fill_null(column, "")
        ids = batch.column("record_id")
        labels: dict[str, int] = {}
        licences: dict[str, int] = {}
        records_with: dict[str, int] = {}
        chosen = np.flatnonzero(pc.match_substring_regex(column, CHEAP_TEST).to_numpy(zero_copy_only=False))
        if len(chosen):
            candidates = column.take(pa.array(chosen))
            texts = candidates.to_pylist()
            full = pc.match_substring_regex(candidates, LICENCE_TEXT).to_numpy(zero_copy_only=False)
            for k, (i, text) in enumerate(zip(chosen.tolist(), texts, strict=True)):
                record_id = ids[i].as_py()
                seen = set()
                for hit in self._hits(text, bool(full[k])):
                    self._add(out, record_id, hit)
                    labels[hit.label] = labels.get(hit.label, 0) + 1
                    if hit.spdx:
                        licences[hit.spdx] = licences.get(hit.spdx, 0) + 1
                    seen.add(hit.label)
                for label in seen:
                    records_with[label] = records_with.get(label, 0) + 1
        if self._works is not None:
            for i, text in enumerate(column.to_pylist()):
                for overlap in self._works.overlaps(text, self.config.min_overlap_words):
                    detail = json.dumps({"work": overlap.work, "words": overlap.words})
                    out.add(
                        ids[i].as_py(),
                        "ip",
                        "PROTECTED_WORK",
                        start=overlap.start,
                        end=overlap.end,
                        score=float(overlap.words),
                        detail=detail,
                    )
                    labels["PROTECTED_WORK"] = labels.get("PROTECTED_WORK", 0) + 1
        partial = {"records": batch.num_rows, "findings": labels, "licences": licences, "records_with": records_with}
        return ScanOutput(out.table(), partial)

    def _add(self, out: FindingsBuilder, record_id: str, hit: Hit) -> None:
        detail: dict[str, Any] = {}
        value_hash = None
        if hit.spdx or hit.written:
            detail.update(spdx=hit.spdx, written=hit.written)
        if hit.label == "COPYRIGHT":
            detail["years"] = hit.years
            if hit.holder:
                organisation = is_organisation(hit.holder)
                detail["holder"] = hit.holder if organisation else None
                detail["holder_kind"] = "organisation" if organisation else "person or unknown (hashed)"
                value_hash = self._holder_hash(hit.holder)
        out.add(
            record_id,
            "ip",
            hit.label,
            start=hit.start,
            end=hit.end,
            score=hit.score,
            value_hash=value_hash,
            detail=json.dumps(detail, ensure_ascii=False) if detail else None,
        )

    def summarize(self, total: dict[str, Any]) -> dict[str, Any]:
        return {
            "records": total.get("records", 0),
            "findings_by_type": dict(sorted(total.get("findings", {}).items())),
            "records_with_type": dict(sorted(total.get("records_with", {}).items())),
            "licences_found": dict(sorted(total.get("licences", {}).items(), key=lambda kv: -kv[1])[:20]),
        }

"""JSON Schemas of every file format we read or write, generated from the models (``provenance schemas``)."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from .models import CardMetadata, CoverageReport, MixtureReport, Policy, ReleaseDiff, ScanReport, SourcesManifest
from .models.check import CheckReport
from .models.consent import RecheckReport, RemovalEvidence, RevocationReport

FILE_FORMATS: dict[str, type[BaseModel]] = {
    "sources-manifest": SourcesManifest,
    "policy": Policy,
    "scan-report": ScanReport,
    "card-metadata": CardMetadata,
    "license-report": MixtureReport,
    "coverage-report": CoverageReport,
    "check-report": CheckReport,
    "release-diff": ReleaseDiff,
    "revocation-report": RevocationReport,
    "removal-evidence": RemovalEvidence,
    "recheck-report": RecheckReport,
}


def generate() -> dict[str, str]:
    """File name -> schema text, deterministic so a test can compare it with ``schemas/``."""
    out = {}
    for name, model in FILE_FORMATS.items():
        schema = model.model_json_schema()
        schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": f"{name}.schema.json", **schema}
        out[f"{name}.schema.json"] = json.dumps(schema, indent=2, sort_keys=True) + "\n"
    return out


def write(folder: str | Path) -> list[Path]:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in generate().items():
        (folder / name).write_text(text, encoding="utf-8")
        written.append(folder / name)
    return written


def drift(folder: str | Path) -> list[str]:
    """Names of schema files that are missing or differ from what the models generate."""
    folder = Path(folder)
    return [
        name
        for name, text in generate().items()
        if not (folder / name).exists() or (folder / name).read_text(encoding="utf-8") != text
    ]

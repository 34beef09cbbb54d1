"""JSON Schemas in schemas/ are generated from the models, stay in sync with them, and describe the real files."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

import provenance
from provenance import schemas
from provenance.models import (
    CardMetadata,
    CoverageReport,
    MixtureReport,
    Policy,
    ReleaseDiff,
    ScanReport,
    SourcesManifest,
)
from provenance.models.check import CheckReport
from provenance.models.consent import RecheckReport, RemovalEvidence, RevocationReport

MODELS = {
    "sources-manifest.schema.json": SourcesManifest,
    "policy.schema.json": Policy,
    "scan-report.schema.json": ScanReport,
    "card-metadata.schema.json": CardMetadata,
    "license-report.schema.json": MixtureReport,
    "coverage-report.schema.json": CoverageReport,
    "check-report.schema.json": CheckReport,
    "release-diff.schema.json": ReleaseDiff,
    "revocation-report.schema.json": RevocationReport,
    "removal-evidence.schema.json": RemovalEvidence,
    "recheck-report.schema.json": RecheckReport,
}


def test_committed_schemas_match_the_models(repo_root: Path) -> None:
    assert schemas.drift(repo_root / "schemas") == []


def test_every_file_format_has_a_committed_schema(repo_root: Path) -> None:
    committed = {p.name for p in (repo_root / "schemas").glob("*.schema.json")}
    assert committed == set(schemas.generate()) == set(MODELS)


def test_drift_notices_a_changed_or_missing_schema(repo_root: Path, tmp_path: Path) -> None:
    schemas.write(tmp_path)
    assert schemas.drift(tmp_path) == []
    (tmp_path / "policy.schema.json").write_text("{}\n")
    (tmp_path / "scan-report.schema.json").unlink()
    assert sorted(schemas.drift(tmp_path)) == ["policy.schema.json", "scan-report.schema.json"]


def test_generation_is_deterministic() -> None:
    assert schemas.generate() == schemas.generate()


@pytest.mark.parametrize("name", sorted(MODELS))
def test_schema_is_the_models_schema(repo_root: Path, name: str) -> None:
    committed = json.loads((repo_root / "schemas" / name).read_text(encoding="utf-8"))
    assert committed["$id"] == name
    assert committed["properties"].keys() == MODELS[name].model_json_schema()["properties"].keys()


def test_sample_manifest_is_valid_for_the_model(sample_manifest: Path) -> None:
    """Without jsonschema: the model the schema is generated from accepts the shipped manifest."""
    SourcesManifest.model_validate(yaml.safe_load(sample_manifest.read_text(encoding="utf-8")))


# ---- validating real files against the committed schemas (needs jsonschema) ----------------------------------------
def _as_json(data: Any) -> Any:
    """YAML gives dates as date objects; JSON Schema sees them as strings, as they are written in the file."""
    return json.loads(json.dumps(data, default=lambda v: v.isoformat() if isinstance(v, dt.date) else str(v)))


@pytest.fixture(scope="module")
def validator(repo_root: Path):
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is not installed (optional for this check)")

    def validate(name: str, instance: Any) -> None:
        schema = json.loads((repo_root / "schemas" / name).read_text(encoding="utf-8"))
        cls = jsonschema.validators.validator_for(schema)
        cls.check_schema(schema)
        errors = sorted(cls(schema).iter_errors(instance), key=lambda e: list(e.path))
        assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)

    return validate


def test_sample_manifest_validates_against_its_schema(validator, sample_manifest: Path) -> None:
    validator("sources-manifest.schema.json", _as_json(yaml.safe_load(sample_manifest.read_text(encoding="utf-8"))))


def test_schema_rejects_a_misspelt_manifest_field(validator, sample_manifest: Path) -> None:
    data = _as_json(yaml.safe_load(sample_manifest.read_text(encoding="utf-8")))
    data["sources"][0]["licence"] = data["sources"][0].pop("license")
    with pytest.raises(AssertionError):
        validator("sources-manifest.schema.json", data)


def test_scan_report_validates_against_its_schema(validator, sample_scan) -> None:
    validator("scan-report.schema.json", json.loads(sample_scan.report.model_dump_json()))


def test_card_metadata_validates_against_its_schema(validator, sample_scan, tmp_path: Path) -> None:
    text = provenance.card(str(sample_scan.path), tmp_path).read_text(encoding="utf-8")
    front = text.split("---\n")[1]
    validator("card-metadata.schema.json", _as_json(yaml.safe_load(front)))


def test_default_policy_validates_against_its_schema(validator) -> None:
    validator("policy.schema.json", json.loads(Policy().model_dump_json()))


def test_licence_report_validates_against_its_schema(validator, sample_scan) -> None:
    report = provenance.check_licenses(str(sample_scan.path), provenance.Purpose(release=True))
    validator("license-report.schema.json", json.loads(report.model_dump_json()))

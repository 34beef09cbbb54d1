"""The known-datasets licence registry: provenance.licenses.known_datasets and its shipped file.

Tests of the shipped file use only the file. Tests that compare it with the Data Provenance Collection read
``../shared/data/dpi`` with the standard library (and skip with a reason when it is absent), so the expected claims
come from DPI's JSON, never from the code under test.
"""

from __future__ import annotations

import gzip
import itertools
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from provenance.licenses import normalize_license
from provenance.licenses.known_datasets import (
    ATTRIBUTION,
    USE_ORDER,
    KnownDataset,
    LicenseClaim,
    known_repo_ids,
    lookup,
    most_restrictive,
    parse_repo_id,
    registry_info,
)

REPO_ROOT = Path(__file__).resolve().parent.parent
SHIPPED = REPO_ROOT / "src" / "provenance" / "data" / "known_datasets.json.gz"
BUILD_SCRIPT = REPO_ROOT / "scripts" / "build_known_datasets.py"
DPI = REPO_ROOT.parent / "shared" / "data" / "dpi"

# Datasets checked by hand in DPI's data_summaries (Alpaca.json, LIMA.json, Dolly 15k.json, lmsys_chat_1m.json,
# Flan Collection (Flan 2021).json).
CHECKED = ["tatsu-lab/alpaca", "GAIR/lima", "databricks/databricks-dolly-15k", "lmsys/lmsys-chat-1m", "aeslc"]
INFERRED_FIELDS = ("HF Yaml License", "HF Config License", "GitHub License", "PwC License Name")
USE_CODES = {"All": "commercial", "NC": "non-commercial", "Acad": "academic-only", "Unspecified": "unspecified"}


def claim(use: str, spdx: str = "MIT", attribution: bool | None = True, share_alike: bool | None = False, **kw):
    return LicenseClaim(
        license_spdx=spdx,
        license_raw=kw.pop("raw", spdx),
        use=use,
        where=kw.pop("where", f"test: {spdx}"),
        attribution=attribution,
        share_alike=share_alike,
        **kw,
    )


@pytest.fixture(scope="module")
def dpi() -> Path:
    if not (DPI / "data_summaries").is_dir():
        pytest.skip(f"Data Provenance Collection not found at {DPI} (optional: ../shared/data/dpi)")
    return DPI


@pytest.fixture(scope="module")
def dpi_entries(dpi: Path) -> list[tuple[str, str, dict]]:
    """(relative file, unique id, entry) of every DPI text entry, read with json only."""
    out = []
    for path in sorted((dpi / "data_summaries").glob("*.json")):
        if path.name.startswith("_"):
            continue
        for key, entry in json.loads(path.read_text(encoding="utf-8")).items():
            out.append((f"data_summaries/{path.name}", entry.get("Unique Dataset Identifier") or key, entry))
    return out


def entries_for(dpi_entries, repo: str) -> list[tuple[str, str, dict]]:
    url = f"https://huggingface.co/datasets/{repo}"
    return [e for e in dpi_entries if (e[2].get("Hugging Face URL") or "").strip().rstrip("/") == url]


# ---- lookups against DPI's own JSON ----------------------------------------------------------------------------
@pytest.mark.external
@pytest.mark.parametrize("repo", CHECKED)
def test_lookup_has_every_dpi_claim_with_where_it_came_from(repo, dpi_entries):
    entries = entries_for(dpi_entries, repo)
    assert entries, f"{repo} should be in DPI"
    expected = Counter()
    for _, uid, entry in entries:
        for lic in entry["Licenses"]:
            expected[(uid, lic["License"], "audited")] += 1
        for field in INFERRED_FIELDS:
            value = (entry.get("Inferred Metadata") or {}).get(field) or ""
            if value.strip() and value.strip() != "Unspecified":
                expected[(uid, value.strip(), "inferred")] += 1

    found = lookup(repo)
    assert found is not None
    assert Counter((c.dpi_id, c.license_raw, c.kind) for c in found.claims) == expected
    assert set(found.dpi_ids) == {uid for _, uid, _ in entries}
    assert {d.dpi_id for d in found.entries} == set(found.dpi_ids)
    files = {uid: rel for rel, uid, _ in entries}
    for c in found.claims:
        assert c.where.startswith(f"dpi {files[c.dpi_id]}: {c.dpi_id} "), c.where
    for _, uid, entry in entries:
        view = next(d for d in found.entries if d.dpi_id == uid)
        assert view.collection == entry["Collection"]
        assert view.name == entry["Dataset Name"]
        assert list(view.creators) == entry["Creators"]
        assert list(view.languages) == entry["Languages"]


@pytest.mark.external
def test_use_categories_and_flags_come_from_dpi_taxonomy(dpi):
    classes = json.loads((dpi / "constants" / "license_classes.json").read_text())
    checked = 0
    for repo in CHECKED:
        for c in lookup(repo).claims:
            if c.license_raw in classes and c.license_raw != "Custom":
                use, attribution, share_alike = classes[c.license_raw]
                assert c.use == USE_CODES.get(use, "unknown"), c
                assert c.attribution == {"1": True, "0": False}.get(attribution), c
                assert c.share_alike == {"1": True, "0": False}.get(share_alike), c
                assert c.taxonomy == "constants/license_classes.json"
                checked += 1
    assert checked >= 10


@pytest.mark.external
def test_shipped_file_is_what_the_script_builds(dpi, tmp_path):
    out = tmp_path / "known_datasets.json.gz"
    proc = subprocess.run(
        [sys.executable, str(BUILD_SCRIPT), "--dpi", str(dpi), "--out", str(out), "--quiet"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes() == SHIPPED.read_bytes(), "rebuild with: python scripts/build_known_datasets.py"


# ---- the shipped file alone ---------------------------------------------------------------------------------------
def test_known_licences_of_checked_datasets():
    alpaca = lookup("tatsu-lab/alpaca")
    assert alpaca.dpi_id == "alpaca" and alpaca.collection == "Alpaca"
    assert {c.license_spdx for c in alpaca.claims} >= {"CC-BY-NC-4.0", "LicenseRef-TermsOfService", "Apache-2.0"}
    assert alpaca.most_restrictive().use == "non-commercial"

    lima = lookup("GAIR/lima")
    assert lima.dpi_id is None and len(lima.dpi_ids) == 5 and lima.collection == "LIMA"
    assert {c.license_spdx for c in lima.claims} == {"CC-BY-NC-SA-4.0"}

    dolly = lookup("databricks/databricks-dolly-15k").most_restrictive()
    assert (dolly.license_spdx, dolly.use, dolly.share_alike) == ("CC-BY-SA-3.0", "commercial", True)

    # three collections describe the same hub dataset: every claim is kept, each with its own entry
    squad = lookup("squad_v2")
    assert squad.collection is None and len(squad.collections) == 3
    assert {c.license_spdx for c in squad.claims} == {"CC-BY-SA-4.0", "Apache-2.0"}
    assert squad.most_restrictive().license_spdx == "CC-BY-SA-4.0"


@pytest.mark.parametrize(
    "query",
    [
        "tatsu-lab/alpaca",
        "TATSU-LAB/Alpaca",
        "  tatsu-lab/alpaca/ ",
        "https://huggingface.co/datasets/tatsu-lab/alpaca",
        "https://HuggingFace.co/datasets/Tatsu-Lab/ALPACA/",
        "https://huggingface.co/datasets/tatsu-lab/alpaca/tree/main",
        "https://huggingface.co/datasets/tatsu-lab/alpaca/viewer/default/train?row=3",
        "http://www.huggingface.co/datasets/tatsu-lab/alpaca#license",
        "huggingface.co/datasets/tatsu-lab/alpaca",
        "hf.co/datasets/tatsu-lab/alpaca",
        "hf://datasets/tatsu-lab/alpaca",
        "datasets/tatsu-lab/alpaca",
    ],
)
def test_lookup_is_case_and_url_insensitive(query):
    assert lookup(query) == lookup("tatsu-lab/alpaca") is not None


@pytest.mark.parametrize("query", ["aeslc", "AESLC", "https://huggingface.co/datasets/aeslc", "squad_v2"])
def test_lookup_accepts_bare_names(query):
    found = lookup(query)
    assert found is not None and found.repo_ids[0].lower() == query.rsplit("/", 1)[-1].lower()


@pytest.mark.parametrize(
    "query",
    [
        "no-such-org/no-such-dataset",
        "",
        "   ",
        "alpaca",  # only the namespaced id is known; a bare name is not matched to some org's repo
        "rajpurkar/squad_v2",  # DPI knows 'squad_v2'; a namespaced id is not guessed to be the same repo
        "https://huggingface.co/tatsu-lab/alpaca",  # a model URL, not a dataset
        "https://github.com/tatsu-lab/stanford_alpaca",
        "tatsu-lab/alpaca/extra/parts",
    ],
)
def test_unknown_repo_is_none(query):
    assert lookup(query) is None


def test_parse_repo_id():
    url = "https://huggingface.co/datasets/THUDM/AgentInstruct/viewer/default/os"
    assert parse_repo_id(url) == "THUDM/AgentInstruct"
    assert parse_repo_id("https://huggingface.co/datasets/aeslc/viewer") == "aeslc"
    assert parse_repo_id("https://huggingface.co/project-baize") is None
    assert parse_repo_id("Org/Name") == "Org/Name"  # case is kept; lookup lowers it


# ---- most_restrictive ------------------------------------------------------------------------------------------
def test_most_restrictive_prefers_non_commercial_over_permissive():
    permissive = claim("commercial", "MIT")
    nc = claim("non-commercial", "CC-BY-NC-4.0")
    assert most_restrictive([permissive, nc]) is nc
    assert most_restrictive([nc, permissive]) is nc


def test_unknown_is_most_restrictive_of_all():
    unknown = claim("unknown", "LicenseRef-dpi-custom", None, None)
    others = [
        claim("commercial", "CC0-1.0", False, False),
        claim("commercial", "CC-BY-SA-4.0", True, True),
        claim("non-commercial", "CC-BY-NC-SA-4.0", True, True),
        claim("academic-only", "LicenseRef-dpi-request-form", None, None),
        claim("unspecified", "NOASSERTION", False, False),
    ]
    for i in range(len(others) + 1):
        assert most_restrictive([*others[:i], unknown, *others[i:]]) is unknown
    assert most_restrictive(others) is others[4]  # then unspecified


def test_documented_order_of_use_categories():
    ladder = [  # least restrictive first
        claim("commercial", "CC0-1.0", False, False),
        claim("commercial", "CC-BY-4.0", True, False),
        claim("commercial", "CC-BY-SA-4.0", True, True),
        claim("non-commercial", "CC-BY-NC-4.0", True, False),
        claim("academic-only", "LicenseRef-dpi-academic", True, False),
        claim("unspecified", "NOASSERTION", False, False),
        claim("unknown", "LicenseRef-dpi-custom", None, None),
    ]
    for lower, higher in itertools.pairwise(ladder):
        assert most_restrictive([higher, lower]) is higher
        assert most_restrictive([lower, higher]) is higher
    assert USE_ORDER[0] == "unknown" and USE_ORDER[-1] == "commercial"


def test_most_restrictive_ties_unknown_flags_and_empty():
    first, second = claim("commercial", "MIT"), claim("commercial", "ISC")
    assert most_restrictive([first, second]) is first  # a tie goes to the earliest claim
    maybe_sa = claim("commercial", "LicenseRef-dpi-x", None, None)  # DPI's '?' counts as a condition
    assert most_restrictive([claim("commercial", "CC-BY-SA-4.0", True, True), maybe_sa]).license_spdx == "CC-BY-SA-4.0"
    assert most_restrictive([claim("commercial", "MIT"), maybe_sa]) is maybe_sa
    assert most_restrictive([claim("commercial"), claim("some-new-category")]).use == "some-new-category"
    with pytest.raises(ValueError):
        most_restrictive([])


# ---- the registry as a whole -----------------------------------------------------------------------------------
def test_every_claim_is_traceable_and_well_formed():
    ids = known_repo_ids()
    assert len(ids) > 500
    n = 0
    for rid in ids:
        found = lookup(rid)
        assert isinstance(found, KnownDataset) and found.claims, rid
        assert found.claims == tuple(c for e in found.entries for c in e.claims)
        for c in found.claims:
            n += 1
            assert c.where.startswith("dpi data_summaries/") and c.dpi_id in c.where, c
            assert c.use in USE_ORDER, c
            assert c.kind in ("audited", "inferred")
            assert normalize_license(c.license_spdx).spdx == c.license_spdx, c
            if c.spdx_via == "unmapped":
                assert c.license_spdx.startswith("LicenseRef-dpi-") and c.license_raw, c
            if c.license_spdx == "NOASSERTION":  # DPI's placeholders; 'Various' and 'No License' keep DPI's use class
                assert c.license_raw in ("Unspecified", "", "Various", "No License"), c
                if c.license_raw in ("Unspecified", ""):
                    assert c.use in ("unspecified", "unknown"), c
    assert n > 5000


def test_shipped_file_holds_facts_only_and_is_small():
    assert SHIPPED.stat().st_size < 2_000_000
    data = json.loads(gzip.decompress(SHIPPED.read_bytes()))
    assert set(data) == {"format", "source", "entries", "index"}
    entry_keys = {"collection", "file", "name", "repo_ids", "languages", "creators", "urls", "claims"}
    claim_keys = {"license", "spdx", "spdx_via", "use", "attribution", "share_alike", "taxonomy", "kind", "where"}
    for entry in data["entries"].values():
        assert set(entry) == entry_keys
        assert all(url.startswith(("http://", "https://")) for url in entry["urls"].values())
        for c in entry["claims"]:
            assert set(c) - {"url"} == claim_keys
    info = registry_info()
    assert info["license"] == "Apache-2.0" and "Data-Provenance-Collection" in info["repository"]
    assert len(info["content_sha256"]) == 64


def test_attribution_and_notice():
    for needle in ("Data Provenance Collection", "Longpre", "Apache-2.0", "github.com/Data-Provenance-Initiative"):
        assert needle in ATTRIBUTION
    notice = (REPO_ROOT / "NOTICE").read_text(encoding="utf-8")
    assert "src/provenance/data/known_datasets.json.gz" in notice and "Data Provenance Collection" in notice

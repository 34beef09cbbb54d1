"""The sources manifest: loading, licence normalisation, and errors that name file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import provenance
from provenance import ManifestError
from provenance.licenses import LicenseParseError, normalize_license
from provenance.models import DataFormat

# A two-source manifest; each case below changes one thing and says which line of the result is at fault.
BASE = """\
# a comment line, so line numbers are not trivially 1
version: 1
sources:
  - id: one
    name: "Source one"
    license: MIT
    consent_basis: licence_grant
    collection_method: api
    data:
      - path: data/*.jsonl
        format: jsonl
  - id: two
    name: "Source two"
    license: CC-BY-4.0
    consent_basis: contract
    collection_method: annotation
    data:
      - path: data/a.jsonl
"""


@pytest.fixture
def manifest_dir(tmp_path: Path) -> Path:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "a.jsonl").write_text('{"text": "hello"}\n', encoding="utf-8")
    return tmp_path


def write(folder: Path, text: str, name: str = "sources.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based line number of the ``occurrence``-th line containing ``needle``."""
    hits = [i for i, line in enumerate(text.splitlines(), start=1) if needle in line]
    assert len(hits) >= occurrence, f"{needle!r} not found {occurrence} time(s) in the manifest"
    return hits[occurrence - 1]


def load_error(path: Path) -> str:
    with pytest.raises(ManifestError) as info:
        provenance.load_manifest(path)
    return str(info.value)


# ---- the shipped manifest -------------------------------------------------------------------------------------------
def test_sample_manifest_loads(sample_manifest: Path) -> None:
    declared = yaml.safe_load(sample_manifest.read_text(encoding="utf-8"))
    manifest = provenance.load_manifest(sample_manifest)

    assert [s.id for s in manifest.sources] == [s["id"] for s in declared["sources"]]
    for source, raw in zip(manifest.sources, declared["sources"], strict=True):
        assert source.license.raw == raw["license"]
        assert source.consent_basis.value == raw["consent_basis"]
        assert source.collection_method.value == raw["collection_method"]
    # every data entry resolved, in order, to existing files or dataset folders
    expected_entries = [(s["id"], d) for s in declared["sources"] for d in s["data"]]
    assert len(manifest.entries) == len(expected_entries)
    for resolved, (sid, raw) in zip(manifest.entries, expected_entries, strict=True):
        assert resolved.source_id == sid
        assert resolved.paths and all(p.exists() for p in resolved.paths)
        if "dataset" in raw:
            assert resolved.format is DataFormat.hf_disk
            assert resolved.entry.split == raw["split"]
        elif "format" in raw:
            assert resolved.format.value == raw["format"]


def test_sample_manifest_licences_are_normalised(sample_manifest: Path) -> None:
    declared = {s["id"]: s["license"] for s in yaml.safe_load(sample_manifest.read_text())["sources"]}
    manifest = provenance.load_manifest(sample_manifest)
    got = {s.id: s.license.spdx for s in manifest.sources}
    for sid, raw in declared.items():
        if raw.lower() == "unknown":
            assert got[sid] == "NOASSERTION"
        else:  # the sample declares canonical SPDX ids, which must come through unchanged
            assert got[sid] == raw


def test_format_is_inferred_from_compressed_extensions(manifest_dir: Path) -> None:
    import gzip

    (manifest_dir / "data" / "b.jsonl.gz").write_bytes(gzip.compress(b'{"text": "x"}\n'))
    (manifest_dir / "data" / "c.csv").write_text("text\nx\n")
    text = BASE.replace("      - path: data/*.jsonl\n        format: jsonl\n", "      - path: data/b.jsonl.gz\n")
    text = text.replace("      - path: data/a.jsonl\n", "      - path: data/c.csv\n")
    manifest = provenance.load_manifest(write(manifest_dir, text))
    assert [e.format for e in manifest.entries] == [DataFormat.jsonl, DataFormat.csv]


def test_globs_are_relative_to_the_manifest(manifest_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (manifest_dir / "data" / "b.jsonl").write_text('{"text": "b"}\n')
    path = write(manifest_dir, BASE)
    monkeypatch.chdir(path.anchor)  # somewhere else entirely
    manifest = provenance.load_manifest(path)
    assert [p.name for p in manifest.entries[0].paths] == ["a.jsonl", "b.jsonl"]


# ---- errors name the file, the line and the field -------------------------------------------------------------------
# (case id, replace this, with this, the line to blame is the (n-th) line containing this, field named)
CASES = [
    ("mistyped-licence", "license: MIT", "license: MTI", ("license: MTI", 1), "license"),
    ("glob-matches-nothing", "- path: data/*.jsonl", "- path: nowhere/*.jsonl", ("nowhere/*.jsonl", 1), "path"),
    ("missing-required-field", '    name: "Source two"\n', "", ("- id: two", 1), "name"),
    ("misspelt-field", "collection_method: api", "colection_method: api", ("colection_method", 1), "colection_method"),
    ("misspelt-data-field", "format: jsonl", "fromat: jsonl", ("fromat: jsonl", 1), "fromat"),
    (
        "bad-enum-value",
        "consent_basis: contract",
        "consent_basis: opt_in",
        ("consent_basis: opt_in", 1),
        "consent_basis",
    ),
    ("bad-format-value", "format: jsonl", "format: yaml", ("format: yaml", 1), "format"),
    ("bad-id", "- id: two", "- id: Two Source", ("- id: Two Source", 1), "id"),
    ("unknown-version", "version: 1", "version: 2", ("version: 2", 1), "version"),
    (
        "reversed-period",
        "    collection_method: annotation\n",
        "    collection_method: annotation\n    collection_period: {start: 2025-05-01, end: 2025-01-01}\n",
        ("collection_period", 1),
        "collection_period",
    ),
    ("missing-dataset-folder", "- path: data/a.jsonl", "- dataset: no_such_folder", ("no_such_folder", 1), "dataset"),
    (
        "duplicate-source-id",
        "- id: two",
        "- id: one",
        ("- id: one", 2),
        "id",
    ),
]
XFAIL: dict[str, pytest.MarkDecorator] = {}


@pytest.mark.parametrize(
    ("case", "old", "new", "blame", "field"),
    [pytest.param(*c, id=c[0], marks=XFAIL.get(c[0], ())) for c in CASES],
)
def test_manifest_error_names_file_line_and_field(
    manifest_dir: Path, case: str, old: str, new: str, blame: tuple[str, int], field: str
) -> None:
    assert old in BASE
    text = BASE.replace(old, new, 1)
    path = write(manifest_dir, text)
    message = load_error(path)
    expected_line = line_of(text, *blame)
    assert f"{path}:{expected_line}:" in message, message
    assert field in message.split(f"{path}:{expected_line}:", 1)[1].splitlines()[0], message


def test_mistyped_licence_message_quotes_the_licence_and_suggests_the_fix(manifest_dir: Path) -> None:
    path = write(manifest_dir, BASE.replace("license: MIT", "license: MTI", 1))
    message = load_error(path)
    assert f"{path}:{line_of(BASE, 'license: MIT')}:" in message
    assert "'MTI'" in message
    assert "did you mean MIT" in message
    assert "source 'one'" in message


@pytest.mark.parametrize("raw", ["Apache-2", "MIT OR", "GPL-3"])
def test_id_shaped_licence_typos_are_manifest_errors(manifest_dir: Path, raw: str) -> None:
    message = load_error(write(manifest_dir, BASE.replace("license: MIT", f"license: '{raw}'", 1)))
    assert raw in message


def test_glob_error_names_the_pattern(manifest_dir: Path) -> None:
    message = load_error(write(manifest_dir, BASE.replace("data/*.jsonl", "nowhere/*.jsonl", 1)))
    assert "nowhere/*.jsonl" in message
    assert "matches no file" in message


@pytest.mark.parametrize(
    ("old", "new", "needle"),
    [
        pytest.param('name: "Source two"', 'name: "Source two": oops', "oops", id="mapping-value-in-scalar"),
        pytest.param('    name: "Source two"', '\tname: "Source two"', "\tname", id="tab-indent"),
        pytest.param('    name: "Source two"', '    name: "Source two" trailing', "trailing", id="stray-text"),
        pytest.param('    name: "Source two"', '   name: "Source two"', '   name: "Source two"', id="bad-indent"),
        pytest.param(
            'name: "Source two"',
            'name: "Source two',
            'name: "Source two',
            id="unterminated-quote",
        ),
    ],
)
def test_invalid_yaml_names_the_line(manifest_dir: Path, old: str, new: str, needle: str) -> None:
    text = BASE.replace(old, new, 1)
    path = write(manifest_dir, text)
    message = load_error(path)
    assert f"{path}:{line_of(text, needle)}:" in message, message
    assert "YAML" in message


def test_python_tag_is_refused_and_never_executed(manifest_dir: Path) -> None:
    marker = manifest_dir / "PWNED"
    text = BASE.replace('name: "Source two"', f'name: !!python/object/apply:os.system ["touch {marker}"]', 1)
    path = write(manifest_dir, text)
    message = load_error(path)
    assert not marker.exists(), "the manifest ran a shell command"
    assert f"{path}:{line_of(text, 'python/object')}:" in message, message
    assert "python/object/apply:os.system" in message


@pytest.mark.parametrize(
    "tag",
    ["!!python/object/apply:subprocess.check_output", "!!python/name:os.system", "!!python/object/new:os.system"],
)
def test_other_python_tags_are_refused(manifest_dir: Path, tag: str) -> None:
    marker = manifest_dir / "PWNED"
    text = BASE.replace('name: "Source one"', f'name: {tag} [["touch", "{marker}"]]', 1)
    message = load_error(write(manifest_dir, text))
    assert not marker.exists()
    assert "not allowed" in message


@pytest.mark.parametrize(
    "content", ["", "\n\n", "# only a comment\n", "---\n"], ids=["empty", "blank", "comment", "doc-start"]
)
def test_empty_manifest_is_an_error_naming_the_file(manifest_dir: Path, content: str) -> None:
    path = write(manifest_dir, content)
    message = load_error(path)
    assert str(path) in message
    assert "empty" in message


def test_missing_manifest_names_the_file(tmp_path: Path) -> None:
    message = load_error(tmp_path / "nope.yaml")
    assert str(tmp_path / "nope.yaml") in message


@pytest.mark.parametrize("content", ["- just\n- a list\n", "42\n", "sources: []\n"])
def test_wrong_shape_is_a_manifest_error(manifest_dir: Path, content: str) -> None:
    message = load_error(write(manifest_dir, content))
    assert "sources.yaml" in message


def test_manifest_error_is_an_input_error_with_exit_code_3() -> None:
    assert issubclass(ManifestError, provenance.InputError)
    assert ManifestError("x").exit_code == 3


# ---- licences -------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "spdx"),
    [
        ("mit", "MIT"),
        ("MIT", "MIT"),
        ("MIT or apache-2.0", "MIT OR Apache-2.0"),
        ("  mit   OR   Apache-2.0 ", "MIT OR Apache-2.0"),
        ("unknown", "NOASSERTION"),
        ("Unknown", "NOASSERTION"),
        ("NOASSERTION", "NOASSERTION"),
        ("LicenseRef-Foo", "LicenseRef-Foo"),
        ("cc-by-sa-4.0", "CC-BY-SA-4.0"),
        ("gpl-3.0-or-later", "GPL-3.0-or-later"),
        ("apache-2.0 WITH llvm-exception", "Apache-2.0 WITH LLVM-exception"),
    ],
)
def test_normalize_license(raw: str, spdx: str) -> None:
    lic = normalize_license(raw)
    assert lic.spdx == spdx
    assert lic.raw == raw


@pytest.mark.parametrize("raw", ["MTI", "Apache-2", "MIT-ish", "", "   ", "MIT AND"])
def test_normalize_license_refuses_unknown_ids(raw: str) -> None:
    with pytest.raises(LicenseParseError):
        normalize_license(raw)


@pytest.mark.parametrize(
    ("raw", "spdx"),
    [
        ("mit", "MIT"),
        ("MIT or apache-2.0", "MIT OR Apache-2.0"),
        ("unknown", "NOASSERTION"),
        ("LicenseRef-Foo", "LicenseRef-Foo"),
        # what people write, read as SPDX (issue 6): names, Hugging Face ids, URLs
        ("Apache 2", "Apache-2.0"),
        ("CC BY-SA 4.0", "CC-BY-SA-4.0"),
        ("llama3", "LicenseRef-Llama3"),
        ("https://creativecommons.org/licenses/by-nc/4.0/", "CC-BY-NC-4.0"),
    ],
)
def test_manifest_licences_are_normalised(manifest_dir: Path, raw: str, spdx: str) -> None:
    path = write(manifest_dir, BASE.replace("license: MIT", f"license: '{raw}'", 1))
    source = provenance.load_manifest(path).source("one")
    assert source.license.spdx == spdx
    assert source.license.raw == raw


def test_custom_terms_in_a_manifest_keep_their_words(manifest_dir: Path) -> None:
    raw = "Research use only; ask the lab before sharing"
    path = write(manifest_dir, BASE.replace("license: MIT", f"license: '{raw}'", 1))
    source = provenance.load_manifest(path).source("one")
    assert source.license.spdx.startswith("LicenseRef-custom-research-use-only")
    assert source.license.raw == raw

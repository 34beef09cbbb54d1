"""Security of inputs and queries: what a hostile manifest, corpus or query can make the toolkit do. Nothing.

- ``provenance query`` reads the ledger and nothing else: no statement that writes, attaches, installs, sets or
  copies runs, no other file is read, and a refusal is exit code 6 with a message, never a traceback. A crafted
  DuckDB file handed over as a ledger cannot read other files either.
- Paths in a sources manifest stay in the manifest's folder (``..``, absolute paths and symbolic links that lead
  elsewhere are refused with the file, line and field), unless the manifest names the extra folders under
  ``roots:``; URIs (``file://``, ``s3://``) are explicit and allowed.
- YAML is loaded safely: no Python objects, and no exponential aliases, deep nesting or huge files.
- Every string that comes from a corpus or a manifest is escaped in the HTML report and the charts, and cannot
  inject HTML, links or table cells into the Markdown cards; Croissant's JSON-LD cannot close a ``<script>``.
- Nothing in data is executed: template syntax, Python source, pickled bytes in Parquet metadata.
(Bounded decompression is tested with the readers.)
"""

from __future__ import annotations

import hashlib
import json
import pickle
import re
import textwrap
import time
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

import provenance
from conftest import run_cli_in, source_entry, write_manifest_file
from provenance import ManifestError, QueryError

# ---- provenance query ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_ledger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("query")
    (root / "a.jsonl").write_text("".join(f'{{"text": "record {i}"}}\n' for i in range(20)), encoding="utf-8")
    manifest = write_manifest_file(root, [source_entry("alpha", [{"path": "a.jsonl"}])])
    ledger = root / "ledger" / "prov.duckdb"
    provenance.scan(manifest, ledger, progress=False)
    (root / "outside.csv").write_text("secret\nTOP-SECRET-VALUE\n", encoding="utf-8")
    pq.write_table(pa.table({"secret": ["TOP-SECRET-VALUE"]}), root / "outside.parquet")
    other = duckdb.connect(str(root / "other.duckdb"))
    other.execute("CREATE TABLE t AS SELECT 'TOP-SECRET-VALUE' AS secret")
    other.close()
    return ledger


def _state(ledger: Path) -> tuple:
    """What a refused query must leave as it was: the ledger's bytes and the folder around it."""
    folder = ledger.parent.parent
    files = sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))
    return hashlib.sha256(ledger.read_bytes()).hexdigest(), files


WRITES = [
    "INSERT INTO runs (run_id, name) VALUES ('r', 'n')",
    "UPDATE records SET n_chars = 0",
    "DELETE FROM records",
    "DELETE FROM records RETURNING record_id",
    "CREATE TABLE x (a INTEGER)",
    "CREATE TEMP TABLE x AS SELECT 1",
    "CREATE VIEW v AS SELECT 1",
    "CREATE MACRO m(x) AS x + 1",
    "DROP TABLE records",
    "ALTER TABLE records ADD COLUMN x INTEGER",
    "COPY records TO '{dir}/out.csv'",
    "COPY (SELECT * FROM records) TO '{dir}/out.parquet' (FORMAT parquet)",
    "EXPORT DATABASE '{dir}/export'",
    "IMPORT DATABASE '{dir}/export'",
    "ATTACH '{dir}/new.duckdb' AS new",
    "ATTACH ':memory:' AS m",
    "DETACH ledger",
    "INSTALL httpfs",
    "LOAD httpfs",
    "SET threads = 1",
    "SET enable_external_access = true",
    "SET lock_configuration = false",
    "RESET memory_limit",
    "PRAGMA enable_profiling = 'json'",
    "PRAGMA profiling_output = '{dir}/profile.json'",
    "SET log_query_path = '{dir}/queries.log'",
    "CALL enable_logging(storage = 'file', storage_path = '{dir}/logs')",
    "SELECT * FROM enable_logging(storage = 'file', storage_path = '{dir}/logs')",
    "CHECKPOINT",
    "VACUUM",
    "ANALYZE",
    "BEGIN TRANSACTION",
    "CREATE SECRET s (TYPE s3, KEY_ID 'a', SECRET 'b')",
    "SELECT 1; DELETE FROM records",
    "EXPLAIN ANALYZE DELETE FROM records",
    "EXPLAIN ANALYZE COPY records TO '{dir}/out.csv'",
]
READS = [
    "SELECT * FROM read_csv('{dir}/outside.csv')",
    "SELECT * FROM read_csv_auto('/etc/passwd')",
    "SELECT * FROM read_text('/etc/passwd')",
    "SELECT * FROM read_blob('/etc/hostname')",
    "SELECT * FROM read_parquet('{dir}/outside.parquet')",
    "SELECT * FROM parquet_metadata('{dir}/outside.parquet')",
    "SELECT * FROM read_json('{dir}/outside.csv')",
    "SELECT * FROM '{dir}/outside.csv'",
    "SELECT * FROM glob('/etc/*')",
    "SELECT * FROM glob('{dir}/*')",
    "SELECT * FROM sniff_csv('/etc/passwd')",
    "ATTACH '{dir}/other.duckdb' AS other (READ_ONLY)",
    "SELECT * FROM '{dir}/other.duckdb'",
    "SELECT getenv('HOME')",
]


@pytest.mark.parametrize("sql", WRITES + READS)
def test_query_refuses_to_write_or_read_other_files(small_ledger: Path, sql: str) -> None:
    folder = small_ledger.parent.parent
    before = _state(small_ledger)
    code, out, err = run_cli_in(folder, "query", sql.format(dir=folder), "--ledger", small_ledger)
    assert code == 6, (code, out, err)
    assert err.startswith("error: query "), err
    assert "Traceback" not in err and "TOP-SECRET-VALUE" not in out + err and "root:" not in out + err
    assert "hint:" in err
    assert _state(small_ledger) == before


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT count(*) AS n FROM records",
        "WITH x AS (SELECT * FROM records) SELECT count(*) AS n FROM x",
        "FROM records SELECT count(*) AS n",
        "SHOW TABLES",
        "DESCRIBE records",
        "SUMMARIZE records",
        "PRAGMA table_info('records')",
        "EXPLAIN SELECT count(*) FROM records",
        "SELECT * FROM duckdb_tables()",
    ],
)
def test_query_still_answers_questions(small_ledger: Path, sql: str) -> None:
    result = provenance.query(str(small_ledger), sql)
    assert result.num_rows >= 1


def test_query_refusal_names_the_statement(small_ledger: Path) -> None:
    with pytest.raises(QueryError) as info:
        provenance.query(str(small_ledger), "COPY records TO 'x.csv'")
    assert "COPY" in info.value.message and "read-only" in info.value.message
    assert info.value.exit_code == 6


def test_a_crafted_ledger_cannot_read_other_files(tmp_path: Path) -> None:
    """A DuckDB file is more than tables: views in a "ledger" from elsewhere could read files, and an error message
    would print them. Opened for a query, it is cut off from other files before its first statement."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE\n")
    crafted = tmp_path / "crafted.duckdb"
    con = duckdb.connect(str(crafted))
    con.execute(f"CREATE VIEW schema_migrations AS SELECT content::INTEGER AS version FROM read_text('{secret}')")
    con.execute(f"CREATE VIEW records AS SELECT content FROM read_text('{secret}')")
    con.close()
    code, out, err = run_cli_in(tmp_path, "query", "SELECT * FROM records", "--ledger", crafted)
    assert code == 4, err
    assert "TOP-SECRET-VALUE" not in out + err and "Traceback" not in err


# ---- manifest paths ------------------------------------------------------------------------------------------------


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """corpus/ (where manifests go) and outside/ (a sibling holding data and a registry)."""
    (tmp_path / "corpus" / "inside").mkdir(parents=True)
    (tmp_path / "corpus" / "inside" / "a.jsonl").write_text('{"text": "inside"}\n')
    (tmp_path / "outside" / "snaps" / "blog.example").mkdir(parents=True)
    (tmp_path / "outside" / "b.jsonl").write_text('{"text": "outside"}\n')
    (tmp_path / "outside" / "optout.csv").write_text("kind,value\ndomain,blog.example\n")
    (tmp_path / "outside" / "snaps" / "blog.example" / "robots.txt").write_text("User-agent: *\nDisallow: /\n")
    return tmp_path


def _manifest(folder: Path, data: list[dict], extra: str = "", source_extra: str = "") -> Path:
    lines = [
        "version: 1",
        extra,
        "sources:",
        "  - id: docs",
        "    name: Docs",
        "    license: MIT",
        "    consent_basis: licence_grant",
        "    collection_method: synthetic",
        source_extra,
        "    data:",
    ]
    for entry in data:
        lines.append("      - " + json.dumps(entry))
    path = folder / "sources.yaml"
    path.write_text("\n".join(line for line in lines if line) + "\n", encoding="utf-8")
    return path


def _line(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


@pytest.mark.parametrize(
    "written",
    ["../outside/b.jsonl", "../outside/*.jsonl", "inside/../../outside/b.jsonl", "{outside}/b.jsonl", "**/b.jsonl"],
)
def test_a_path_leading_out_of_the_manifest_folder_is_refused(tree: Path, written: str) -> None:
    corpus = tree / "corpus"
    if written.startswith("**"):  # a link to a folder elsewhere, met by a recursive glob
        (corpus / "inside" / "elsewhere").symlink_to(tree / "outside", target_is_directory=True)
    written = written.format(outside=tree / "outside")
    path = _manifest(corpus, [{"path": "inside/a.jsonl"}, {"path": written}])
    with pytest.raises(ManifestError) as info:
        provenance.load_manifest(path)
    message = info.value.message
    assert message.startswith(f"{path}:{_line(path, written)}: sources[0].data[1].path: ")
    assert "leads outside" in message and str((tree / "outside" / "b.jsonl").resolve()) in message
    assert "roots:" in info.value.hint


def test_a_symbolic_link_to_a_file_elsewhere_is_refused(tree: Path) -> None:
    corpus = tree / "corpus"
    (corpus / "inside" / "link.jsonl").symlink_to(tree / "outside" / "b.jsonl")
    with pytest.raises(ManifestError, match=r"sources\[0\]\.data\[0\]\.path: 'inside/\*\.jsonl' \(link\.jsonl\)"):
        provenance.load_manifest(_manifest(corpus, [{"path": "inside/*.jsonl"}]))
    secret = tree / "outside" / "id_rsa"
    secret.write_text("-----BEGIN OPENSSH PRIVATE KEY-----\n")
    (corpus / "inside" / "notes.txt").symlink_to(secret)
    with pytest.raises(ManifestError, match="leads outside"):
        provenance.load_manifest(_manifest(corpus, [{"path": "inside/notes.txt"}]))


def test_snapshots_registries_and_datasets_are_confined_too(tree: Path) -> None:
    corpus = tree / "corpus"
    data = [{"path": "inside/a.jsonl"}]
    cases = {
        "consent_snapshots": ("    consent_snapshots: [{path: ../outside/snaps}]", "", r"consent_snapshots\[0\]\.path"),
        "registries": ("", "registries: [{name: optout, path: ../outside/optout.csv}]", r"registries\[0\]\.path"),
    }
    for source_extra, extra, field in cases.values():
        path = _manifest(corpus, data, extra=extra, source_extra=source_extra)
        with pytest.raises(ManifestError, match=field + ": '../outside/.*' leads outside"):
            provenance.load_manifest(path)
    # a link inside an allowed snapshots folder that leads elsewhere
    snaps = corpus / "snaps" / "blog.example"
    snaps.mkdir(parents=True)
    (snaps / "robots.txt").symlink_to(tree / "outside" / "snaps" / "blog.example" / "robots.txt")
    path = _manifest(corpus, data, source_extra="    consent_snapshots: [{path: snaps}]")
    with pytest.raises(ManifestError, match=r"'snaps' \(its link blog\.example/robots\.txt\) leads outside"):
        provenance.load_manifest(path)
    # a saved dataset elsewhere
    (tree / "outside" / "saved").mkdir()
    with pytest.raises(ManifestError, match=r"data\[0\]\.dataset: '\.\./outside/saved' leads outside"):
        provenance.load_manifest(_manifest(corpus, [{"dataset": "../outside/saved"}]))


@pytest.mark.parametrize("root", ["../outside", "{outside}"])
def test_roots_allow_named_folders_and_only_those(tree: Path, root: str) -> None:
    corpus = tree / "corpus"
    (tree / "elsewhere").mkdir()
    (tree / "elsewhere" / "c.jsonl").write_text('{"text": "c"}\n')
    roots = f"roots: [{json.dumps(root.format(outside=tree / 'outside'))}]"
    allowed = _manifest(
        corpus,
        [{"path": "inside/a.jsonl"}, {"path": "../outside/*.jsonl"}, {"path": str(tree / "outside" / "b.jsonl")}],
        extra=roots + "\nregistries: [{name: optout, path: ../outside/optout.csv}]",
        source_extra="    consent_snapshots: [{path: ../outside/snaps}]",
    )
    manifest = provenance.load_manifest(allowed)
    assert [p.name for e in manifest.entries for p in e.paths] == ["a.jsonl", "b.jsonl", "b.jsonl"]
    refused = _manifest(corpus, [{"path": "../elsewhere/c.jsonl"}], extra=roots)
    with pytest.raises(ManifestError, match="leads outside"):
        provenance.load_manifest(refused)


def test_a_root_must_be_an_existing_local_folder(tree: Path) -> None:
    corpus = tree / "corpus"
    for roots, message in (
        ("roots: [../nowhere]", r"sources\.yaml:2: roots\[0\]: no folder at "),
        ("roots: ['s3://bucket/data']", r"sources\.yaml:2: roots\[0\]: 's3://bucket/data' is a URI"),
    ):
        with pytest.raises(ManifestError, match=message):
            provenance.load_manifest(_manifest(corpus, [{"path": "inside/a.jsonl"}], extra=roots))


def test_uris_are_explicit_and_allowed(tree: Path) -> None:
    uri = (tree / "outside").as_uri() + "/*.jsonl"
    manifest = provenance.load_manifest(_manifest(tree / "corpus", [{"path": uri, "format": "jsonl"}]))
    assert manifest.entries[0].paths == [(tree / "outside" / "b.jsonl").as_uri()]


def test_paths_inside_the_folder_still_load(tree: Path, sample_manifest: Path) -> None:
    corpus = tree / "corpus"
    (corpus / "inside" / "deeper").mkdir()
    (corpus / "inside" / "deeper" / "d.jsonl").write_text('{"text": "d"}\n')
    (corpus / "inside" / "alias.jsonl").symlink_to(corpus / "inside" / "a.jsonl")  # a link within the folder
    path = _manifest(
        corpus, [{"path": "inside/deeper/../a.jsonl"}, {"path": "inside/**/*.jsonl"}, {"path": str(corpus / "inside")}]
    )
    path.write_text(path.read_text().replace(f'"{corpus / "inside"}"', f'"{corpus / "inside" / "alias.jsonl"}"'))
    assert len(provenance.load_manifest(path).entries) == 3
    assert provenance.load_manifest(sample_manifest).sources


def test_the_cli_refuses_an_escaping_manifest_with_exit_code_3(tree: Path) -> None:
    path = _manifest(tree / "corpus", [{"path": "../outside/b.jsonl"}])
    code, _out, err = run_cli_in(tree, "scan", path, "--ledger", tree / "prov.duckdb", "--quiet")
    assert code == 3, err
    assert f"sources.yaml:{_line(path, 'b.jsonl')}: sources[0].data[0].path" in err
    assert "Traceback" not in err
    assert not (tree / "prov.duckdb").exists()


# ---- YAML ------------------------------------------------------------------------------------------------------------


LAUGHS = "x: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"x{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 10)
)


@pytest.mark.parametrize(
    ("case", "text", "message"),
    [
        ("python-object", "!!python/object/apply:os.system ['touch {marker}']\n", "not allowed"),
        ("python-name", "version: !!python/name:os.system\n", "not allowed"),
        ("python-module", "version: !!python/module:os\n", "not allowed"),
        ("billion-laughs", LAUGHS, "expands to more than"),
        ("recursive-alias", "a: &a [*a]\n", "nested too deeply"),
        ("deep-nesting", "[" * 20_000 + "]" * 20_000 + "\n", "nested too deeply"),
    ],
)
def test_hostile_yaml_is_refused_quickly(tmp_path: Path, case: str, text: str, message: str) -> None:
    marker = tmp_path / "executed"
    (tmp_path / "sources.yaml").write_text(text.format(marker=marker))
    started = time.perf_counter()
    code, _out, err = run_cli_in(tmp_path, "ingest", tmp_path, "--ledger", tmp_path / "prov.duckdb", timeout=60)
    assert code == 3, err
    assert message in err and "Traceback" not in err
    assert time.perf_counter() - started < 30
    assert not marker.exists()


def test_a_huge_manifest_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "sources.yaml"
    with open(path, "wb") as fh:
        fh.truncate(17 * 1024 * 1024)  # sparse: costs no disk
    with pytest.raises(ManifestError, match="more than the 16,777,216 a manifest may have"):
        provenance.load_manifest(path)


def test_anchors_and_merge_keys_still_work(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text('{"text": "a"}\n')
    (tmp_path / "sources.yaml").write_text(
        textwrap.dedent(
            """\
            version: 1
            sources:
              - &common
                id: one
                name: One
                license: MIT
                consent_basis: licence_grant
                collection_method: synthetic
                data: [{path: a.jsonl}]
              - <<: *common
                id: two
                name: Two
            """
        )
    )
    assert [s.id for s in provenance.load_manifest(tmp_path).sources] == ["one", "two"]


def test_other_yaml_inputs_build_no_objects(tmp_path: Path) -> None:
    """The policy, a coverage reference and --set values go through the safe loader as well."""
    marker = tmp_path / "executed"
    payload = f"!!python/object/apply:os.system ['touch {marker}']"
    (tmp_path / "policy.yaml").write_text(f"version: 1\nname: {payload}\n")
    (tmp_path / "reference.yaml").write_text(f"gender_and_sex: {payload}\n")
    ledger = tmp_path / "prov.duckdb"
    provenance.init(str(ledger)).close()
    runs = [
        ("check", "--policy", tmp_path / "policy.yaml", "--ledger", ledger),
        ("coverage", "--reference", tmp_path / "reference.yaml", "--ledger", ledger),
        ("scan", tmp_path, "--ledger", ledger, "--set", f"pii.threshold={payload}"),
    ]
    for args in runs:
        code, _out, err = run_cli_in(tmp_path, *args)
        assert code == 3, (args, err)
        assert "Traceback" not in err
    assert not marker.exists()


# ---- HTML and Markdown escaping ------------------------------------------------------------------------------------

SCRIPT = '<script>alert("xss")</script>'
IMG = '"><img src=x onerror=alert(1)>'
PAYLOADS = {
    "name": f"Evil {SCRIPT} | pipe [link](javascript:alert(1))",
    "notes": f"notes {IMG}\n# injected heading\n<iframe src=javascript:alert(1)></iframe>",
    "attribution": "<svg onload=alert(1)> by <b onmouseover=alert(1)>someone</b>",
    "collector": "<a href='javascript:alert(1)'>collector</a> {{7*7}} {0.__class__} ${7*7}",
    "homepage": f"https://evil.example/?q={SCRIPT}",
    "terms_url": f"https://evil.example/terms?{IMG}",
    "license": f"Custom terms {SCRIPT} | x",
}
TEMPLATES = ("{{7*7}}", "{0.__class__}", "${7*7}")


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.bad: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "img", "iframe", "object", "embed", "foreignobject", "svg:script"):
            self.bad.append(f"<{tag}>")
        if tag == "a" and not all((v or "").startswith("#") for k, v in attrs if k == "href"):
            self.bad.append(f"<a {attrs}>")  # the report's own links are to its sections
        for name, value in attrs:
            if name.startswith("on") or (value or "").strip().lower().startswith("javascript:"):
                self.bad.append(f"<{tag} {name}={value!r}>")


def _unsafe_html(text: str) -> list[str]:
    parser = _Tags()
    parser.feed(text)
    parser.close()
    return parser.bad


def _unsafe_markdown(text: str) -> list[str]:
    bad = [m.group(0) for m in re.finditer(r"<\s*/?\s*(script|img|svg|iframe|a|b|object|embed)\b[^>]*>?", text, re.I)]
    bad += [m.group(0) for m in re.finditer(r"(?<!\\)\[[^\]]*(?<!\\)\]\(\s*javascript:", text, re.I)]  # a live link
    bad += [line for line in text.splitlines() if line.startswith("# injected")]
    return bad


def _broken_tables(text: str) -> list[str]:
    """Rows of a Markdown table with another number of cells than its header (a '|' injected into a cell)."""
    bad, header = [], None
    for line in text.splitlines():
        if not line.startswith("|"):
            header = None
            continue
        cells = len(re.findall(r"(?<!\\)\|", line))
        if header is None:
            header = cells
        elif cells != header:
            bad.append(line)
    return bad


@pytest.fixture(scope="module")
def hostile_card(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A corpus whose manifest and records carry HTML, Markdown and template payloads, scanned and carded."""
    root = tmp_path_factory.mktemp("xss")
    corpus = root / "corpus"
    (corpus / "data").mkdir(parents=True)
    rows = [
        {
            "text": f"Record {i} {SCRIPT} {{{{7*7}}}} __import__('os').system('touch {root / 'executed'}') "
            "The woman and her son walked.",
            "url": f"https://evil.example/p{i}?q={SCRIPT}",
            "title": f"title {IMG}",
            "speaker": f"<b onmouseover=alert({i % 2})>x</b>",
            "license": f"{SCRIPT} custom",
        }
        for i in range(12)
    ]
    hostile_file = corpus / "data" / f"x{IMG.replace('/', '')}.jsonl"
    hostile_file.write_text("\n".join(json.dumps(r) for r in rows) + "\n{not json " + SCRIPT + "\n")
    (corpus / "optout.csv").write_text("kind,value\ndomain,evil.example\n")
    manifest = {
        "version": 1,
        "sources": [
            source_entry(
                "evil",
                [
                    {
                        "path": "data/*.jsonl",
                        "format": "jsonl",
                        "license_field": "license",
                        "metadata": ["title", "speaker"],
                    }
                ],
                **{k: v for k, v in PAYLOADS.items()},
                collection_method="web_scraping",
                languages=["en"],
            )
        ],
        "registries": [{"name": "evil-optout", "path": "optout.csv", "description": f"registry {SCRIPT}"}],
    }
    ledger = root / "prov.duckdb"
    old = root / "old.duckdb"
    # the earlier release declared the source plainly: the changelog shows the hostile values as changes
    plain = {**manifest, "sources": [{**manifest["sources"][0], "name": "Plain", "attribution": "plain"}]}
    (corpus / "sources.yaml").write_text(yaml.safe_dump(plain, sort_keys=False), encoding="utf-8")
    code, _, err = run_cli_in(root, "ingest", corpus, "--ledger", old, "--quiet")
    assert code == 0, err
    (corpus / "sources.yaml").write_text(yaml.safe_dump(manifest, sort_keys=False), encoding="utf-8")
    code, _, err = run_cli_in(
        root, "scan", corpus, "--ledger", ledger, "--quiet", "--scanners", "textstats,consent,pii,ip,demographics",
        "--set", "demographics.metadata_axes={speaker: gender_and_sex}",
    )  # fmt: skip
    assert code == 0, err
    code, _, err = run_cli_in(
        root, "card", "--ledger", ledger, "--output", root / "card", "--name", f"Card {SCRIPT}", "--previous", old
    )
    assert code == 0, err
    code, diff, err = run_cli_in(root, "diff", old, ledger)
    assert code == 0, err
    return {"root": root, "card": root / "card", "diff": diff, "ledger": ledger}


def test_the_html_report_escapes_everything(hostile_card: dict) -> None:
    text = (hostile_card["card"] / "report.html").read_text(encoding="utf-8")
    assert _unsafe_html(text) == []
    assert html_escaped(PAYLOADS["name"]) in text  # shown, as text


def html_escaped(value: str) -> str:
    import html

    return html.escape(value)


def test_charts_escape_everything(hostile_card: dict) -> None:
    svgs = sorted(hostile_card["card"].rglob("*.svg"))
    assert svgs
    for svg in svgs:
        tree = ET.parse(svg)
        for element in tree.iter():
            tag = element.tag.rsplit("}", 1)[-1].lower()
            assert tag not in ("script", "foreignobject", "a", "image"), (svg.name, tag)
            assert not [a for a in element.attrib if a.lower().startswith("on")], (svg.name, element.attrib)


@pytest.mark.parametrize("name", ["README.md", "datasheet.md", "data_statement.md"])
def test_markdown_cards_cannot_be_injected(hostile_card: dict, name: str) -> None:
    text = (hostile_card["card"] / name).read_text(encoding="utf-8")
    body = text.split("\n---\n", 1)[-1] if text.startswith("---\n") else text
    body = body.split("\n## Changelog", 1)[0]  # written by cards/diff.py: see the next test
    assert _unsafe_markdown(body) == []
    assert _broken_tables(body) == []
    assert "Evil " in body  # the source is named, escaped


def test_the_changelog_cannot_be_injected(hostile_card: dict) -> None:
    for text in (hostile_card["diff"], (hostile_card["card"] / "README.md").read_text(encoding="utf-8")):
        section = text.split("Changelog", 1)[-1] if "Changelog" in text else text
        assert _unsafe_markdown(section) == []
        assert _broken_tables(section) == []


def test_croissant_cannot_close_a_script_element(hostile_card: dict) -> None:
    text = (hostile_card["card"] / "croissant.json").read_text(encoding="utf-8")
    assert "</script" not in text.lower() and "<script" not in text.lower()
    data = json.loads(text)
    assert SCRIPT in str(data)  # the declared name is kept, as data


def test_templates_in_data_are_text(hostile_card: dict) -> None:
    readme = (hostile_card["card"] / "README.md").read_text(encoding="utf-8")
    for template in TEMPLATES:
        assert template in readme, template
    assert not (hostile_card["root"] / "executed").exists()


# ---- nothing executed from data ------------------------------------------------------------------------------------


class _Touch:
    """Unpickling this creates a file: proof that something unpickled data."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


def test_pickles_in_parquet_metadata_are_never_loaded(tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    payload = pickle.dumps(_Touch(marker))
    field = pa.field(
        "text",
        pa.string(),
        metadata={b"ARROW:extension:name": b"arrow.py_extension_type", b"ARROW:extension:metadata": payload},
    )
    table = pa.table({"text": ["a pickled extension type", "second row"]}, schema=pa.schema([field]))
    table = table.replace_schema_metadata({b"pandas": payload, b"pickle": payload})
    pq.write_table(table, tmp_path / "data.parquet")
    write_manifest_file(tmp_path, [source_entry("p", [{"path": "data.parquet"}])])
    ledger = tmp_path / "prov.duckdb"
    code, _out, err = run_cli_in(tmp_path, "scan", tmp_path, "--ledger", ledger, "--quiet")
    assert code in (0, 3), err
    assert "Traceback" not in err
    for args in (
        ("card", "--ledger", ledger, "--output", tmp_path / "card"),
        ("redact", tmp_path, "-o", tmp_path / "r"),
    ):
        run_cli_in(tmp_path, *args)
    assert not marker.exists()


def test_python_in_records_and_declarations_is_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    code = f"__import__('os').system('touch {marker}')"
    (tmp_path / "a.jsonl").write_text(
        json.dumps({"text": code, "url": f"https://x.example/?{code}", "license": code, "meta": code}) + "\n"
    )
    write_manifest_file(
        tmp_path,
        [
            source_entry(
                "py", [{"path": "a.jsonl", "license_field": "license", "metadata": ["meta"]}], name=code, notes=code
            )
        ],
    )
    ledger = tmp_path / "prov.duckdb"
    for args in (
        ("scan", tmp_path, "--ledger", ledger, "--quiet", "--scanners", "textstats,pii,ip"),
        ("card", "--ledger", ledger, "--output", tmp_path / "card", "--name", code),
        ("query", f"SELECT '{code}'", "--ledger", ledger),
        ("licenses", "--explain", code),
        ("forget", "--username", code, "--ledger", ledger, "--dry-run"),
    ):
        _result, _out, err = run_cli_in(tmp_path, *args)
        assert "Traceback" not in err, (args, err)
    assert not marker.exists()

"""Shared fixtures for the provenance test suite.

Everything a test writes goes to ``tmp_path``; the shipped corpus (``sample_data/``) is only ever read. Expected
values about the sample corpus are derived here by reading its files with the standard library (``json``, ``csv``,
``gzip``...) and an independent copy of the documented normalisation, never from the code under test.
"""

from __future__ import annotations

import bz2
import csv
import glob
import gzip
import hashlib
import io
import json
import os
import subprocess
import sys
import tempfile
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, settings
from hypothesis.configuration import set_hypothesis_home_dir

REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DATA = REPO_ROOT / "sample_data"
EXTERNAL_DATA = REPO_ROOT.parent / "shared" / "data"

# No deadlines (tests must not depend on timing), and nothing of Hypothesis's written into the repository.
set_hypothesis_home_dir(os.path.join(tempfile.gettempdir(), "provenance-tests-hypothesis"))
settings.register_profile(
    "provenance",
    deadline=None,
    database=None,
    max_examples=60,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.register_profile("thorough", parent=settings.get_profile("provenance"), max_examples=1000)
settings.load_profile("provenance")  # pytest --hypothesis-profile=thorough for a longer search

# Nothing may reach the network, even on a connected machine.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")


# ---- paths ---------------------------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def sample_data() -> Path:
    assert (SAMPLE_DATA / "sources.yaml").is_file(), f"the sample corpus is missing at {SAMPLE_DATA}"
    return SAMPLE_DATA


@pytest.fixture(scope="session")
def sample_manifest(sample_data: Path) -> Path:
    return sample_data / "sources.yaml"


@pytest.fixture
def ledger_path(tmp_path: Path) -> Path:
    """A ledger file that does not exist yet."""
    return tmp_path / "ledger" / "prov.duckdb"


@pytest.fixture(scope="session")
def external_data() -> Path:
    if not EXTERNAL_DATA.is_dir():
        pytest.skip(f"external reference data not found at {EXTERNAL_DATA} (optional: ../shared/data)")
    return EXTERNAL_DATA


# ---- the command line ---------------------------------------------------------------------------------------------
def _cli_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROVENANCE_")}
    env.update(HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1", TRANSFORMERS_OFFLINE="1", PYTHONIOENCODING="utf-8")
    return env


def run_cli_in(
    default_cwd: Path,
    *args: str | os.PathLike,
    cwd: Path | None = None,
    timeout: float = 120,
    env: dict[str, str] | None = None,
):
    """Run ``python -m provenance_cli ARGS``; return (returncode, stdout, stderr). ``env`` adds variables."""
    proc = subprocess.run(
        [sys.executable, "-m", "provenance_cli", *map(str, args)],
        cwd=str(cwd or default_cwd),
        env={**_cli_env(), **(env or {})},
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
    )
    return proc.returncode, proc.stdout, proc.stderr


@pytest.fixture
def run_cli(tmp_path: Path) -> Callable[..., tuple[int, str, str]]:
    """``run_cli(*args, cwd=...)`` -> (returncode, stdout, stderr); cwd defaults to the test's tmp_path."""

    def run(
        *args: str | os.PathLike, cwd: Path | None = None, timeout: float = 120, env: dict[str, str] | None = None
    ) -> tuple[int, str, str]:
        return run_cli_in(tmp_path, *args, cwd=cwd, timeout=timeout, env=env)

    return run


# ---- manifests for generated data ----------------------------------------------------------------------------------
def source_entry(source_id: str, data: list[dict[str, Any]], **declared: Any) -> dict[str, Any]:
    """A manifest source with sensible declared defaults; ``data`` is its list of data entries."""
    entry = {
        "id": source_id,
        "name": declared.pop("name", f"Source {source_id}"),
        "license": declared.pop("license", "MIT"),
        "consent_basis": declared.pop("consent_basis", "licence_grant"),
        "collection_method": declared.pop("collection_method", "synthetic"),
    }
    entry.update(declared)
    entry["data"] = data
    return entry


def write_manifest_file(
    folder: Path, sources: list[dict[str, Any]], name: str = "sources.yaml", roots: list[Path] | None = None
) -> Path:
    """A manifest in ``folder``; data outside that folder must lie under one of ``roots``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    doc: dict[str, Any] = {"version": 1, "sources": sources}
    if roots:
        doc["roots"] = [str(r) for r in roots]
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def write_manifest(tmp_path: Path) -> Callable[..., Path]:
    """``write_manifest(sources, folder=tmp_path)`` writes ``sources.yaml`` and returns its path.

    ``sources`` is a list of dicts (use :func:`source_entry` to build them) or a mapping source id -> data entries.
    """

    def write(sources: list[dict[str, Any]] | dict[str, list[dict[str, Any]]], folder: Path | None = None) -> Path:
        if isinstance(sources, dict):
            sources = [source_entry(sid, data) for sid, data in sources.items()]
        return write_manifest_file(folder or tmp_path, sources)

    return write


# ---- an independent reading of the sample corpus -------------------------------------------------------------------
def expected_normalize(text: str) -> str:
    """The normalisation documented in provenance.readers.identity, re-implemented here on purpose."""
    text = unicodedata.normalize("NFC", text)
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def expected_content_hash(text: str) -> str:
    return hashlib.sha256(expected_normalize(text).encode("utf-8")).hexdigest()[:32]


def expected_record_id(source_id: str, text: str) -> str:
    return hashlib.sha256(f"{source_id}\x1f{expected_content_hash(text)}".encode()).hexdigest()[:32]


@dataclass
class GoodRecord:
    source_id: str
    path: str  # absolute file path, or the dataset folder for saved datasets
    where: tuple  # ("line", n) for line-based formats, ("row", n) for arrays/Parquet, ("split-row", split, n)
    text: str  # normalised

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()[:32]


@dataclass
class CorpusTruth:
    good: list[GoodRecord] = field(default_factory=list)
    bad: set[tuple[str, int]] = field(default_factory=set)  # (absolute path, line) of unreadable lines

    def by_source(self) -> dict[str, list[GoodRecord]]:
        out: dict[str, list[GoodRecord]] = {}
        for r in self.good:
            out.setdefault(r.source_id, []).append(r)
        return out


def _open_bytes(path: Path) -> bytes:
    raw = path.read_bytes()
    name = path.name.lower()
    if name.endswith(".gz"):
        return gzip.decompress(raw)
    if name.endswith(".bz2"):
        return bz2.decompress(raw)
    if name.endswith((".zst", ".zstd")):
        import zstandard

        return zstandard.ZstdDecompressor().stream_reader(io.BytesIO(raw), read_across_frames=True).read()
    return raw


_EXT = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".csv": "csv",
    ".tsv": "tsv",
    ".parquet": "parquet",
    ".txt": "text",
    ".md": "text",
    ".warc": "warc",
}


def _fmt_of(path: Path) -> str:
    suffixes = [s for s in path.suffixes if s not in (".gz", ".bz2", ".zst", ".zstd")]
    return _EXT[suffixes[-1]]


def _text_from(obj: dict, fields: list[str]) -> str | None:
    if len(fields) == 1:
        value = obj.get(fields[0])
        return value if isinstance(value, str) else None
    parts = [obj[f] for f in fields if obj.get(f) is not None]
    if not parts or not all(isinstance(p, str) for p in parts):
        return None
    return "\n\n".join(parts)


def read_corpus_independently(manifest: Path) -> CorpusTruth:
    """Good records and unreadable lines of a corpus, read with the standard library only."""
    spec = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    base = manifest.parent
    truth = CorpusTruth()
    for source in spec["sources"]:
        sid = source["id"]
        for entry in source["data"]:
            fields = entry.get("text_field", "text")
            fields = [fields] if isinstance(fields, str) else list(fields)
            if "dataset" in entry:
                import datasets

                folder = (base / entry["dataset"]).resolve()
                loaded = datasets.load_from_disk(str(folder))
                if isinstance(loaded, datasets.DatasetDict):
                    parts = [(s, loaded[s]) for s in ([entry["split"]] if entry.get("split") else list(loaded))]
                else:
                    parts = [(entry.get("split"), loaded)]
                for split, dataset in parts:
                    for i, row in enumerate(dataset.to_list()):
                        text = _text_from(row, fields)
                        if text is not None:
                            where = ("split-row", split, i)
                            truth.good.append(GoodRecord(sid, str(folder), where, expected_normalize(text)))
                continue
            for name in sorted(glob.glob(str(base / entry["path"]), recursive=True)):
                path = Path(name).resolve()
                fmt = entry.get("format") or _fmt_of(path)
                _read_file(truth, sid, path, fmt, fields)
    return truth


def _read_file(truth: CorpusTruth, sid: str, path: Path, fmt: str, fields: list[str]) -> None:
    def good(where: tuple, text: str) -> None:
        truth.good.append(GoodRecord(sid, str(path), where, expected_normalize(text)))

    if fmt == "parquet":
        import pyarrow.parquet as pq

        for i, row in enumerate(pq.read_table(path).to_pylist()):
            text = _text_from(row, fields)
            if text is not None:
                good(("row", i), text)
        return
    if fmt == "warc":
        for offset, text in _warc_texts(path):
            good(("byte", offset), text)
        return
    data = _open_bytes(path)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if fmt == "text":
        good(("line", 1), data.decode("utf-8"))
        return
    if fmt == "json":
        for i, obj in enumerate(json.loads(data.decode("utf-8"))):
            text = _text_from(obj, fields) if isinstance(obj, dict) else None
            if text is not None:
                good(("row", i), text)
        return
    if fmt in ("csv", "tsv"):
        reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""), delimiter="," if fmt == "csv" else "\t")
        header = [h.strip() for h in next(reader)]
        last_line = reader.line_num
        for values in reader:
            first_line, last_line = last_line + 1, reader.line_num
            if not values:
                continue
            if len(values) != len(header):
                truth.bad.add((str(path), first_line))
                continue
            text = _text_from(dict(zip(header, values, strict=True)), fields)
            if text is not None:
                good(("line", first_line), text)
        return
    for n, raw in enumerate(data.split(b"\n"), start=1):
        if not raw.strip():
            continue
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            truth.bad.add((str(path), n))
            continue
        if fmt == "text-lines":
            good(("line", n), line)
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            truth.bad.add((str(path), n))
            continue
        text = _text_from(obj, fields) if isinstance(obj, dict) else None
        if text is None:
            truth.bad.add((str(path), n))
        else:
            good(("line", n), text)


def _warc_texts(path: Path) -> list[tuple[int, str]]:
    """(offset of the record's gzip member, text) of each HTTP response with text in a per-record-gzipped WARC.

    Framing, headers and charsets are read here with the standard library; only HTML-to-text reuses the reader's
    function (test_warc.py checks that one against hand-written pages).
    """
    import re
    import zlib

    from provenance.readers.warc import html_text

    raw = path.read_bytes()
    out: list[tuple[int, str]] = []
    offset = 0
    while offset < len(raw):
        inflater = zlib.decompressobj(31)
        record = inflater.decompress(raw[offset:])
        start, offset = offset, len(raw) - len(inflater.unused_data)
        head, _, block = record.partition(b"\r\n\r\n")
        headers = dict(
            (k.strip().lower(), v.strip())
            for k, _, v in (line.partition(":") for line in head.decode().split("\r\n")[1:])
        )
        if headers.get("warc-type") != "response":
            continue
        http_head, _, body = block.partition(b"\r\n\r\n")
        http = dict(
            (k.strip().lower(), v.strip())
            for k, _, v in (line.partition(":") for line in http_head.decode("latin-1").split("\r\n")[1:])
        )
        body = body[: len(body) - 4] if body.endswith(b"\r\n\r\n") else body
        mime = http.get("content-type", "")
        if not mime.startswith(("text/html", "text/plain")):
            continue
        charset = re.search(r"charset=([\w-]+)", mime)
        decoded = body.decode(charset.group(1) if charset else "utf-8", "replace")
        text = html_text(decoded)[0] if mime.startswith("text/html") else decoded
        if text.strip():
            out.append((start, text))
    return out


@pytest.fixture(scope="session")
def sample_truth(sample_manifest: Path) -> CorpusTruth:
    return read_corpus_independently(sample_manifest)


# ---- one scan of the sample corpus, shared by read-only tests ------------------------------------------------------
@dataclass
class ScannedLedger:
    path: Path
    report: Any


@pytest.fixture(scope="session")
def sample_scan(tmp_path_factory: pytest.TempPathFactory, sample_manifest: Path) -> ScannedLedger:
    """The sample corpus scanned once (workers=1, default scanners). Tests must not write to this ledger."""
    import provenance

    path = tmp_path_factory.mktemp("sample_scan") / "sample.duckdb"
    report = provenance.scan(sample_manifest, path)
    return ScannedLedger(path, report)


# ---- comparing ledgers ---------------------------------------------------------------------------------------------
# Columns that say what a ledger knows, without scan ids and timestamps (which differ between two equal scans).
CONTENT_QUERIES = {
    "records": "SELECT record_id, source_id, content_hash, n_chars, n_bytes, record_license, record_license_raw, "
    "CAST(meta AS VARCHAR) FROM records",
    "origins": 'SELECT record_id, source_id, kind, path, line, "row", byte_offset, dataset_repo, dataset_config, '
    "dataset_split, dataset_revision, url FROM origins",
    "findings": 'SELECT record_id, scanner, stamp, kind, label, start, "end", score, value_hash FROM findings',
    "record_scans": "SELECT record_id, stamp FROM record_scans",
}


def _sort_key(row: tuple) -> tuple:
    return tuple((v is None, "" if v is None else str(v)) for v in row)


def ledger_content(path: Path, tables: tuple[str, ...] = tuple(CONTENT_QUERIES)) -> dict[str, list[tuple]]:
    """Sorted rows (duplicates kept) of the content tables of a ledger."""
    from provenance import Ledger

    with Ledger(path, read_only=True) as store:
        return {t: sorted(store.execute(CONTENT_QUERIES[t]), key=_sort_key) for t in tables}


def table_counts(path: Path) -> dict[str, int]:
    from provenance import Ledger

    with Ledger(path, read_only=True) as store:
        return store.table_counts()


class InterruptAfter:
    """A progress sink whose advance() raises KeyboardInterrupt on its n-th call (as Ctrl-C would)."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.calls = 0

    def start(self, total_bytes: int, files: int) -> None:
        pass

    def advance(self, records: int, nbytes: int, label: str) -> None:
        self.calls += 1
        if self.calls >= self.n:
            raise KeyboardInterrupt

    def stop(self) -> None:
        pass


class CountingSink:
    def __init__(self) -> None:
        self.calls = 0

    def start(self, total_bytes: int, files: int) -> None:
        pass

    def advance(self, records: int, nbytes: int, label: str) -> None:
        self.calls += 1

    def stop(self) -> None:
        pass


# ---- another process holding a ledger ------------------------------------------------------------------------------
_HOLDER = """
import sys
import provenance
store = provenance.Ledger(sys.argv[1])
print("READY", flush=True)
sys.stdin.read()  # hold the ledger until the test closes our stdin
store.close()
"""


class HeldLedger:
    """Context manager: another process opens ``path`` for writing and keeps it until the block ends."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> subprocess.Popen:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _HOLDER, str(self.path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        line = self.proc.stdout.readline()
        if line.strip() != "READY":
            self.__exit__()
            raise AssertionError(f"the holder process did not open the ledger: {self.proc.stderr.read()}")
        return self.proc

    def __exit__(self, *exc: object) -> None:
        assert self.proc is not None
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def require_loopback() -> None:
    """Fail at once, with the cause, where a local Ray instance would spend minutes timing out.

    ``make test`` cuts the network off with ``unshare -rn``; a new network namespace starts with its loopback down, and
    Ray's processes reach each other over it.
    """
    import socket

    try:
        with socket.create_server(("127.0.0.1", 0)) as server:
            socket.create_connection(server.getsockname(), timeout=2).close()
    except OSError as exc:
        pytest.fail(
            f"the loopback interface is not usable ({exc}); Ray needs it. In a network namespace of your own, "
            "run 'ip link set lo up' first (the Makefile's test target does)",
            pytrace=False,
        )

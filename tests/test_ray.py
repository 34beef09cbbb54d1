"""The Ray engine on a real local Ray instance: same ledger as the local engine, resumable, failures isolated."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import provenance
from conftest import ledger_content, require_loopback, source_entry, write_manifest_file
from provenance import Ledger

ray = pytest.importorskip("ray", reason="the Ray engine needs the ray extra: pip install 'provenance-toolkit[ray]'")

PLUGINS = Path(__file__).parent / "plugins"
SLOW = "scanners_for_tests:Slow"


@pytest.fixture(scope="module", autouse=True)
def local_ray():
    """One small local instance for the in-process tests; the engine joins it instead of starting its own."""
    require_loopback()
    sys.path.insert(0, str(PLUGINS))
    ray.init(
        num_cpus=2,
        include_dashboard=False,
        log_to_driver=False,
        runtime_env={"env_vars": {"PYTHONPATH": str(PLUGINS)}},
    )
    yield
    ray.shutdown()
    sys.path.remove(str(PLUGINS))


def corpus(folder: Path, files: int = 6, lines: int = 30, extra: dict[int, list[str]] | None = None) -> Path:
    """Files of JSON lines; file 0 and file 1 share some texts (a record in two shards of one source)."""
    folder.mkdir(parents=True, exist_ok=True)
    for f in range(files):
        texts = [f"file {f} line {i}: a sentence about item {i * 7 % 11} and more words" for i in range(lines)]
        if f == 1:
            texts[:5] = [f"file 0 line {i}: a sentence about item {i * 7 % 11} and more words" for i in range(5)]
        texts += (extra or {}).get(f, [])
        (folder / f"part-{f:03d}.jsonl").write_text("\n".join(json.dumps({"text": t}) for t in texts) + "\n")
    return write_manifest_file(folder, [source_entry("docs", [{"path": "part-*.jsonl"}])])


def same_key(ledger: Path, like: Path) -> None:
    shutil.copy(like.with_name(like.name + ".key"), ledger.with_name(ledger.name + ".key"))


def merged_partials(path: Path) -> dict[str, dict]:
    from provenance.scanners import merge_sums

    out: dict[str, dict] = {}
    with Ledger(path, read_only=True) as store:
        for stamp, payload in store.execute("SELECT stamp, payload FROM scan_partials"):
            out[stamp] = merge_sums(out.get(stamp, {}), json.loads(payload))
    return out


def test_the_ray_engine_writes_the_same_ledger_as_the_local_engine(tmp_path: Path, sample_manifest: Path) -> None:
    scanners = ["textstats", "consent", "pii", "language"]
    local = tmp_path / "local.duckdb"
    provenance.scan(sample_manifest, local, scanners=scanners)
    on_ray = tmp_path / "ray.duckdb"
    same_key(on_ray, local)
    report = provenance.scan(sample_manifest, on_ray, scanners=scanners, engine="ray", workers=2)
    assert report.engine == "ray" and report.status == "finished" and report.failed_shards == []
    assert ledger_content(on_ray) == ledger_content(local)
    assert merged_partials(on_ray) == merged_partials(local)
    assert not any((tmp_path / "ray.duckdb.ray").glob("*/shard.json"))  # merged shards leave nothing behind
    again = provenance.scan(sample_manifest, on_ray, scanners=scanners, engine="ray", workers=2)
    assert all(s.files_skipped == s.files for s in again.sources)  # finished shards are never scanned again
    assert ledger_content(on_ray) == ledger_content(local)


def test_a_record_in_two_shards_is_scanned_once_and_counted_once(tmp_path: Path) -> None:
    manifest = corpus(tmp_path / "c")
    local = tmp_path / "local.duckdb"
    provenance.scan(manifest, local, scanners=["textstats", SLOW], batch_size=8)
    on_ray = tmp_path / "ray.duckdb"
    same_key(on_ray, local)
    report = provenance.scan(manifest, on_ray, scanners=["textstats", SLOW], batch_size=8, engine="ray", workers=2)
    assert ledger_content(on_ray) == ledger_content(local)
    assert merged_partials(on_ray) == merged_partials(local)
    slow = next(t for t in report.scanners if t.stamp.name == "slowstats")
    assert slow.records_scanned == 175 and slow.records_skipped == 5  # 6 x 30 lines, 5 of them twice


def test_a_failing_shard_is_retried_reported_and_the_others_finish(tmp_path: Path) -> None:
    manifest = corpus(tmp_path / "c", extra={3: ["BOOM goes this line"]})
    ledger = tmp_path / "l.duckdb"
    config = {SLOW: {"fail_on": "BOOM"}}
    report = provenance.scan(manifest, ledger, scanners=[SLOW], scanner_config=config, engine="ray", attempts=2)
    assert report.status == "incomplete"
    [failed] = report.failed_shards
    assert failed.path.endswith("part-003.jsonl") and failed.attempts == 2 and "BOOM" in failed.reason
    with Ledger(ledger, read_only=True) as store:
        done = {Path(p).name for (p,) in store.execute("SELECT path FROM files WHERE finished_at IS NOT NULL")}
    assert done == {f"part-{f:03d}.jsonl" for f in range(6)} - {"part-003.jsonl"}
    lines = (tmp_path / "c" / "part-003.jsonl").read_text().splitlines()
    (tmp_path / "c" / "part-003.jsonl").write_text("\n".join(lines[:-1]) + "\n")  # the operator fixes the input
    again = provenance.scan(manifest, ledger, scanners=[SLOW], scanner_config=config, engine="ray")
    assert again.status == "finished" and sum(s.files_skipped for s in again.sources) == 5
    local = tmp_path / "local.duckdb"
    same_key(local, ledger)
    provenance.scan(manifest, local, scanners=[SLOW], scanner_config=config)
    assert ledger_content(ledger) == ledger_content(local)


def test_without_ray_the_message_names_the_extra(tmp_path: Path, sample_manifest: Path, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "ray.data", None)
    with pytest.raises(provenance.MissingExtraError, match=r"provenance-toolkit\[ray\]"):
        provenance.scan(sample_manifest, tmp_path / "l.duckdb", engine="ray")


def _scan_cli(manifest: Path, ledger: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROVENANCE_")}
    env["PYTHONPATH"] = os.pathsep.join([str(PLUGINS), env.get("PYTHONPATH", "")])
    return subprocess.Popen(
        [sys.executable, "-m", "provenance_cli", "scan", str(manifest), "--ledger", str(ledger), "-q",
         "--engine", "ray", "--workers", "1", "--batch-size", "10", "--scanners", f"textstats,{SLOW}",
         "--set", f"{SLOW}.delay=0.15"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip


def test_a_killed_scan_resumes_without_duplicates(tmp_path: Path) -> None:
    manifest = corpus(tmp_path / "c", files=12, lines=30)
    ledger = tmp_path / "l.duckdb"
    work = tmp_path / "l.duckdb.ray"
    proc = _scan_cli(manifest, ledger)
    deadline = time.time() + 120
    seen: set[str] = set()
    while time.time() < deadline:  # shard folders appear when scanned and go once merged: wait for two merges
        present = {p.parent.name for p in work.glob("*/shard.json")}
        seen |= present
        if len(seen - present) >= 2:
            break
        time.sleep(0.05)
        assert proc.poll() is None, proc.communicate()
    os.killpg(proc.pid, signal.SIGKILL)  # the driver and the Ray processes it started
    proc.wait()
    with Ledger(ledger, read_only=True) as store:
        merged = store.scalar("SELECT count(*) FROM files WHERE finished_at IS NOT NULL")
    assert 0 < merged < 12  # killed half-way: some shards in the ledger, some not
    rerun = _scan_cli(manifest, ledger)
    _, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, err
    local = tmp_path / "local.duckdb"
    same_key(local, ledger)
    provenance.scan(
        manifest, local, scanners=["textstats", SLOW], batch_size=10, scanner_config={SLOW: {"delay": 0.15}}
    )
    assert ledger_content(ledger) == ledger_content(local)
    assert merged_partials(ledger) == merged_partials(local)


def test_files_named_by_uri_are_read_where_they_are_by_both_engines(tmp_path: Path) -> None:
    folder = tmp_path / "bucket"
    corpus(folder, files=3, lines=10)
    manifest = write_manifest_file(
        tmp_path, [source_entry("docs", [{"path": f"file://{folder}/part-*.jsonl", "format": "jsonl"}])]
    )
    local = tmp_path / "local.duckdb"
    provenance.scan(manifest, local, scanners=["textstats"])
    on_ray = tmp_path / "ray.duckdb"
    same_key(on_ray, local)
    provenance.scan(manifest, on_ray, scanners=["textstats"], engine="ray")
    assert ledger_content(on_ray) == ledger_content(local)
    with Ledger(on_ray, read_only=True) as store:
        paths = {p for (p,) in store.execute("SELECT DISTINCT path FROM origins")}
    assert paths == {f"file://{folder}/part-{f:03d}.jsonl" for f in range(3)}
    again = provenance.scan(manifest, on_ray, scanners=["textstats"], engine="ray")
    assert [s.files_skipped for s in again.sources] == [3]

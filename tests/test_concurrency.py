"""Concurrency: several processes and one ledger.

- Two `provenance` commands on one ledger: the ledger has one writer; a second command fails fast with the
  documented error (exit code 5, "in use by another provenance process (process N)", no traceback), readers
  included (`query`, `card`: DuckDB refuses even a read-only open while another process holds the write lock), and
  the first command is not disturbed. What a second process could not write is never lost: training spools stay
  on disk until a later flush merges them, once.
- A training run whose DataLoader reads a tracked ``datasets.IterableDataset`` in several worker processes links
  the run to exactly the records the loop received, once per epoch: 0, 2 and 4 workers, shuffled before or after
  tracking, persistent workers; a loop that stops early, and a worker that crashes, within stated bounds.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter
from pathlib import Path

import pytest

import provenance
from conftest import HeldLedger, expected_record_id, ledger_content, source_entry, write_manifest_file
from provenance import Ledger, LedgerBusyError
from provenance.hooks.spool import pending_spools
from provenance.hooks.track import STREAM_STEP


def cli(*args: object) -> list[str]:
    return [sys.executable, "-m", "provenance_cli", *map(str, args)]


def cli_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROVENANCE_")}
    env.update(HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1", TRANSFORMERS_OFFLINE="1", PYTHONIOENCODING="utf-8")
    return env


# ---- two commands, one ledger ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("busy_corpus")
    with open(root / "a.jsonl", "w", encoding="utf-8") as fh:
        for i in range(3000):
            mail = f" mail ann{i}@example.org" if i % 50 == 0 else ""
            fh.write(json.dumps({"text": f"line {i} of the busy corpus about harbours and lanterns{mail}"}) + "\n")
    return write_manifest_file(root, [source_entry("busy", [{"path": "a.jsonl"}])])


def assert_busy(code: int, err: str, holder_pid: int) -> None:
    assert code == 5, err[-3000:]
    assert "in use by another provenance process" in err, err[-3000:]
    assert f"(process {holder_pid})" in err, err[-3000:]
    assert "Traceback" not in err, err[-3000:]


def test_second_command_on_a_ledger_being_scanned_fails_fast_and_the_scan_is_not_disturbed(
    corpus: Path, tmp_path: Path
) -> None:
    """A scan holds the ledger (frozen with SIGSTOP right after its first write, so the timing is certain); a second
    scan, an ingest, a query and a card each fail fast with exit code 5; the scan then finishes as if alone."""
    ledger = tmp_path / "busy.duckdb"
    wal = ledger.with_name(ledger.name + ".wal")
    scan = subprocess.Popen(
        cli("scan", corpus, "--ledger", ledger, "--scanners", "textstats,pii", "-q", "--batch-size", 500),
        cwd=tmp_path, env=cli_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while not wal.exists():
            assert scan.poll() is None, scan.stderr.read()
            assert time.monotonic() < deadline
            time.sleep(0.005)
        os.kill(scan.pid, signal.SIGSTOP)
        others = {
            "scan": cli("scan", corpus, "--ledger", ledger, "--scanners", "textstats", "-q"),
            "ingest": cli("ingest", corpus, "--ledger", ledger, "-q"),
            "query": cli("query", "SELECT count(*) FROM records", "--ledger", ledger),
            "card": cli("card", "--ledger", ledger, "--output", tmp_path / "card"),
        }
        started = time.monotonic()
        procs = {
            name: subprocess.Popen(
                cmd, cwd=tmp_path, env=cli_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
            for name, cmd in others.items()
        }
        for name, proc in procs.items():
            out, err = proc.communicate(timeout=120)
            assert_busy(proc.returncode, err, scan.pid)
            assert not out.strip(), f"{name} printed a result from a ledger it could not open: {out}"
        assert time.monotonic() - started < 60, "the second commands waited instead of failing fast"
        assert not (tmp_path / "card").exists() or not any((tmp_path / "card").iterdir())
    finally:
        os.kill(scan.pid, signal.SIGCONT)
    _, err = scan.communicate(timeout=300)
    assert scan.returncode == 0, err[-3000:]

    alone = tmp_path / "alone.duckdb"
    provenance.scan(corpus, alone, scanners=["textstats", "pii"], batch_size=500)
    ours, theirs = ledger_content(ledger), ledger_content(alone)
    assert {k: v for k, v in ours.items() if k != "findings"} == {k: v for k, v in theirs.items() if k != "findings"}
    strip = lambda rows: sorted(r[:-1] for r in rows)  # noqa: E731 - value hashes are keyed per ledger
    assert strip(ours["findings"]) == strip(theirs["findings"])
    with Ledger(ledger, read_only=True) as store:
        assert store.execute("SELECT command, status FROM scans") == [("scan", "finished")]  # nothing of the others
    # once the ledger is free, the same second command succeeds
    again = cli("ingest", corpus, "--ledger", ledger, "-q")
    done = subprocess.run(again, cwd=tmp_path, env=cli_env(), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    assert ledger_content(ledger) == ours


def test_training_run_on_a_busy_ledger_gets_the_clear_error_and_loses_nothing(tmp_path: Path) -> None:
    """The run's end cannot merge while another process writes: the error says so, the consumed records wait in
    spool files, and the next flush merges them exactly once."""
    ledger = tmp_path / "train.duckdb"
    source = dict(id="demo", name="Demo", license="MIT", consent_basis="licence_grant", collection_method="synthetic")
    texts = [f"example {i} of a busy run" for i in range(2500)]
    holder = HeldLedger(ledger)
    with pytest.raises(LedgerBusyError, match="in use by another provenance process"):
        run = provenance.run("busy-run", ledger=ledger)
        with run:
            stream = provenance.track(({"text": t} for t in texts), source=source, ledger=ledger)
            consumed = [item["text"] for item in stream]
            holder.__enter__()  # another process takes the ledger before the run ends
    holder.__exit__()
    assert consumed == texts
    assert pending_spools(ledger), "the consumed records must wait on disk"
    with Ledger(ledger, read_only=True) as store:
        assert store.scalar("SELECT count(*) FROM run_records") == 0
    with HeldLedger(ledger), pytest.raises(LedgerBusyError):
        provenance.flush(ledger)  # still busy: an error, and the spools stay
    assert pending_spools(ledger)
    provenance.flush(ledger)
    provenance.flush(ledger)  # a second flush finds nothing left
    assert not pending_spools(ledger)
    with Ledger(ledger, read_only=True) as store:
        linked = Counter(
            r for (r,) in store.execute("SELECT record_id FROM run_records WHERE run_id = ?", [run.run_id])
        )
    assert linked == Counter(expected_record_id("demo", t) for t in texts)


# ---- DataLoader workers ----------------------------------------------------------------------------------------------
TRAIN = textwrap.dedent(
    """
    import gc, json, os, signal, sys, warnings
    import datasets, provenance
    from provenance import Ledger
    from torch.utils.data import DataLoader

    warnings.filterwarnings("ignore", message=".*worker processes in total.*")
    ledger, out, configs = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
    SRC = dict(id="demo", name="Demo", license="CC-BY-4.0", consent_basis="licence_grant",
               collection_method="synthetic")
    N = 1000
    # every 100th text repeats the one before it: one record consumed twice per epoch
    TEXTS = [f"record number {i - (i % 100 == 7)} about rivers" for i in range(N)]
    BASE = datasets.Dataset.from_dict({"text": TEXTS, "label": list(range(N))})

    def stream(shuffle_before=False):
        ds = BASE.shuffle(seed=3) if shuffle_before else BASE
        return provenance.track(ds.to_iterable_dataset(num_shards=8), source=SRC, ledger=ledger)

    def linked(run_id):
        with Ledger(ledger, read_only=True) as store:
            return [r for (r,) in store.execute("SELECT record_id FROM run_records WHERE run_id = ?", [run_id])]

    def epochs_of(s, loader_for, n=2, limit=None):
        got = []
        for epoch in range(n):
            s.set_epoch(epoch)
            received = []
            for b, batch in enumerate(loader_for(epoch)):
                received.append(batch["text"])
                if limit is not None and b + 1 >= limit:
                    break
            got.append(received)
        return got

    results = {}
    if __name__ == "__main__":
        for name in configs:
            kind, workers = name.rsplit("-", 1)
            workers = int(workers)
            result = {"workers": workers}
            if kind in ("plain", "shuffle-after", "shuffle-before", "persistent", "early"):
                s = stream(shuffle_before=kind == "shuffle-before")
                if kind == "shuffle-after":
                    s = s.shuffle(seed=5, buffer_size=50)
                if kind == "persistent":  # one loader whose workers outlive every epoch and the run itself
                    kept = DataLoader(s, batch_size=32, num_workers=workers, persistent_workers=True)
                    loader_for = lambda epoch: kept
                else:
                    loader_for = lambda epoch: DataLoader(s, batch_size=32, num_workers=workers)
                with provenance.run(name, ledger=ledger) as run:
                    if kind == "early":
                        result["batches"] = epochs_of(s, loader_for, n=1, limit=5)
                    else:
                        result["batches"] = epochs_of(s, loader_for)
                result["linked_at_end"] = linked(run.run_id)
            elif kind == "crash":
                s = stream()
                batches = []
                try:
                    with provenance.run(name, ledger=ledger) as run:
                        loader = DataLoader(s, batch_size=32, num_workers=workers)
                        it = iter(loader)
                        for b, batch in enumerate(it):
                            batches.append(batch["text"])
                            if b == 6:
                                os.kill(it._workers[0].pid, signal.SIGKILL)
                except RuntimeError as exc:
                    result["error"] = str(exc)[:200]
                result["batches"] = [batches]
                result["linked_at_end"] = linked(run.run_id)
                del it, loader
                gc.collect()  # the surviving workers exit and spool what they noted
                provenance.flush(ledger)
            result["run_id"] = run.run_id
            result["linked"] = linked(run.run_id)
            results[name] = result
        with open(out, "w") as fh:
            json.dump(results, fh)
    """
)
CONFIGS = ("plain-0", "plain-2", "plain-4", "shuffle-after-2", "shuffle-before-4", "persistent-2")


@pytest.fixture(scope="module")
def training(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    pytest.importorskip("torch", reason="torch is installed by `make test` (pinned CPU build)")
    work = tmp_path_factory.mktemp("dataloader")
    script = work / "train.py"
    script.write_text(TRAIN, encoding="utf-8")
    ledger = work / "train.duckdb"
    done = subprocess.run(
        [sys.executable, str(script), str(ledger), str(work / "out.json"), ",".join((*CONFIGS, "early-2", "crash-2"))],
        capture_output=True, text=True, timeout=600, cwd=work, env=cli_env(),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-4000:]
    return ledger, json.loads((work / "out.json").read_text())


TEXTS = [f"record number {i - (i % 100 == 7)} about rivers" for i in range(1000)]  # as in TRAIN


def ids(texts: list[str]) -> Counter:
    return Counter(expected_record_id("demo", t) for t in texts)


@pytest.mark.parametrize("config", CONFIGS)
def test_dataloader_run_links_exactly_the_records_the_loop_received(training: tuple[Path, dict], config: str) -> None:
    """Per epoch, every record the loop received is linked once (a text twice in the data: twice), when the run
    ends, whether the data was shuffled before or after tracking and whether the workers outlive the run."""
    _, results = training
    result = results[config]
    received = [t for epoch in result["batches"] for batch in epoch for t in batch]
    per_epoch = [ids([t for batch in epoch for t in batch]) for epoch in result["batches"]]
    assert len(per_epoch) == 2 and all(sum(c.values()) == 1000 for c in per_epoch), "the loop saw every record"
    assert per_epoch[0] == per_epoch[1] and max(per_epoch[0].values()) == 2
    assert Counter(result["linked_at_end"]) == ids(received), "at the run's end: not exactly what the loop received"
    assert Counter(result["linked"]) == ids(received)


def test_dataloader_shuffles_really_shuffle(training: tuple[Path, dict]) -> None:
    _, results = training
    order = {name: [t for batch in results[name]["batches"][0] for t in batch] for name in results}
    assert order["shuffle-after-2"] != order["plain-2"] and order["shuffle-before-4"] != order["plain-4"]
    epochs = results["shuffle-after-2"]["batches"]
    assert [t for b in epochs[0] for t in b] != [t for b in epochs[1] for t in b], "set_epoch reshuffles"


def test_dataloader_stopped_early_links_what_it_received_and_a_bounded_prefetch(training: tuple[Path, dict]) -> None:
    """A loop that stops early is linked to everything it received, plus what the workers had already produced
    for it: up to one recording step each, and the batches a DataLoader prefetches (2 per worker by default)."""
    _, results = training
    result = results["early-2"]
    received = ids([t for batch in result["batches"][0] for t in batch])
    linked = Counter(result["linked_at_end"])
    assert sum(received.values()) == 5 * 32
    assert not received - linked, "a record the loop received is not linked"
    extra = sum((linked - received).values())
    assert not linked - ids(TEXTS), "a record linked more often than it occurs in one pass"
    assert extra <= result["workers"] * (2 * 32 + STREAM_STEP), f"{extra} records linked beyond what was received"


def test_dataloader_worker_crash_loses_at_most_what_the_killed_worker_held(training: tuple[Path, dict]) -> None:
    """A worker killed mid-epoch takes with it what it had noted but not yet spooled (at most a spool file's worth);
    what the surviving worker produced is linked once it exits and the ledger is flushed; nothing is linked twice."""
    _, results = training
    result = results["crash-2"]
    assert "exited unexpectedly" in result.get("error", "") or "killed by signal" in result.get("error", "")
    batches = result["batches"][0]
    from_killed = ids([t for b, batch in enumerate(batches) if b % 2 == 0 for t in batch])  # in-order: 0, 1, 0, ...
    from_survivor = ids([t for b, batch in enumerate(batches) if b % 2 == 1 for t in batch])
    linked = Counter(result["linked"])
    assert not linked - ids(TEXTS), "a record linked more often than it occurs in one pass"
    assert not from_survivor - linked, "records the surviving worker delivered were lost"
    lost = (from_killed + from_survivor) - linked
    assert not lost - from_killed, "only the killed worker's unspooled records may be missing"


def test_no_spool_file_is_left_behind(training: tuple[Path, dict]) -> None:
    ledger, _ = training
    assert not pending_spools(ledger)

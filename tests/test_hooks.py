"""provenance.track and provenance.run: what training code gets back, and what the ledger then knows."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import datasets
import polars as pl
import pytest

import provenance
from conftest import expected_record_id, run_cli_in
from provenance.hooks.spool import pending_spools, read_spool, write_spool
from provenance.hooks.track import STREAM_STEP
from provenance.ledger import Ledger

SOURCE = {
    "id": "demo",
    "name": "Demo corpus",
    "license": "CC-BY-4.0",
    "consent_basis": "licence_grant",
    "collection_method": "synthetic",
}
N = 300


def texts(n: int = N) -> list[str]:
    return [f"record number {i} about rivers" for i in range(n)]


def dataset(n: int = N) -> datasets.Dataset:
    return datasets.Dataset.from_dict(
        {
            "text": texts(n),
            "label": list(range(n)),
            "license": ["MIT" if i % 3 == 0 else None for i in range(n)],
            "url": [f"https://docs.example.org/page/{i}" for i in range(n)],
        }
    )


def rows(ledger: Path, sql: str) -> list[tuple]:
    with Ledger(ledger, read_only=True) as store:
        return store.execute(sql)


def ids_of(values: list[str], source: str = "demo") -> set[str]:
    return {expected_record_id(source, t) for t in values}


# ---- map-style data ------------------------------------------------------------------------------------------------
def test_dataset_is_returned_as_is_and_every_record_is_recorded(ledger_path: Path) -> None:
    ds = dataset()
    out = provenance.track(ds, source=SOURCE, ledger=ledger_path)
    assert out is ds
    assert {r[0] for r in rows(ledger_path, "SELECT record_id FROM records")} == ids_of(texts())
    seventh = expected_record_id("demo", texts()[7])
    origin = rows(
        ledger_path, f"SELECT kind, dataset_revision, \"row\", url FROM origins WHERE record_id = '{seventh}'"
    )
    assert origin == [("dataset", ds._fingerprint, 7, "https://docs.example.org/page/7")]


def test_a_records_own_licence_wins_and_both_are_kept(ledger_path: Path) -> None:
    provenance.track(dataset(), source=SOURCE, ledger=ledger_path)
    first = expected_record_id("demo", texts()[0])
    second = expected_record_id("demo", texts()[1])
    with Ledger(ledger_path, read_only=True) as store:
        own, plain = store.record(first), store.record(second)
    assert own.record_license.spdx == "MIT" and own.source_license.spdx == "CC-BY-4.0"
    assert own.effective_license.spdx == "MIT"
    assert plain.record_license is None and plain.effective_license.spdx == "CC-BY-4.0"


def test_tracked_dataset_still_works_with_map_filter_and_torch_format(ledger_path: Path) -> None:
    torch = pytest.importorskip("torch", reason="torch is installed by `make test` (pinned CPU build)")
    ds = provenance.track(dataset(), source=SOURCE, ledger=ledger_path)
    doubled = ds.map(lambda r: {"label": r["label"] * 2}).filter(lambda r: r["label"] % 4 == 0)
    assert doubled[1]["label"] == 4
    batch = next(iter(torch.utils.data.DataLoader(ds.with_format("torch", columns=["label"]), batch_size=8)))
    assert batch["label"].tolist() == list(range(8))


def test_dataset_dict_keeps_its_splits(ledger_path: Path) -> None:
    dd = datasets.DatasetDict({"train": dataset(10), "test": datasets.Dataset.from_dict({"text": ["held out"]})})
    out = provenance.track(dd, source=SOURCE, ledger=ledger_path)
    assert isinstance(out, datasets.DatasetDict) and set(out) == {"train", "test"}
    splits = dict(rows(ledger_path, "SELECT dataset_split, count(*) FROM origins GROUP BY 1"))
    assert splits == {"train": 10, "test": 1}


def test_polars_frames(ledger_path: Path) -> None:
    frame = pl.DataFrame({"text": ["alpha", "beta"], "n": [1, 2]})
    assert provenance.track(frame, source=SOURCE, ledger=ledger_path) is frame
    lazy = provenance.track(pl.LazyFrame({"text": ["gamma", "delta", "epsilon"]}), source="demo", ledger=ledger_path)
    assert isinstance(lazy, pl.LazyFrame)
    assert rows(ledger_path, "SELECT count(*) FROM records") == [(2,)]  # a LazyFrame records when collected
    assert lazy.collect()["text"].to_list() == ["gamma", "delta", "epsilon"]
    provenance.flush(ledger_path)
    assert {r[0] for r in rows(ledger_path, "SELECT record_id FROM records")} == ids_of(
        ["alpha", "beta", "gamma", "delta", "epsilon"]
    )


def test_unknown_source_id_and_unsupported_data_are_clear_errors(ledger_path: Path) -> None:
    with pytest.raises(provenance.InputError, match="no source 'nope'"):
        provenance.track([{"text": "x"}], source="nope", ledger=ledger_path)
    with pytest.raises(provenance.InputError, match="cannot record a int"):
        provenance.track(42, source=SOURCE, ledger=ledger_path)
    with pytest.raises(provenance.InputError, match="Apache-2"):  # a mistyped id ("Apache 2" is a name: it resolves)
        provenance.track([{"text": "x"}], source={**SOURCE, "license": "Apache-2"}, ledger=ledger_path)


# ---- streaming data and runs ---------------------------------------------------------------------------------------
def test_streaming_records_only_what_was_consumed_with_the_epoch(ledger_path: Path) -> None:
    stream = provenance.track(dataset().to_iterable_dataset(num_shards=3), source=SOURCE, ledger=ledger_path)
    assert isinstance(stream, datasets.IterableDataset)
    assert rows(ledger_path, "SELECT count(*) FROM records") == [(0,)]  # nothing read yet, nothing recorded
    with provenance.run("sft-test", ledger=ledger_path) as run:
        consumed = [r["text"] for r in stream]  # one full epoch
        partial = []
        for i, r in enumerate(stream):  # a second epoch stopped early
            partial.append(r["text"])
            if i == 41:
                break
    linked = rows(ledger_path, f"SELECT record_id, epoch FROM run_records WHERE run_id = '{run.run_id}'")
    assert sorted(e for _, e in linked).count(0) == N
    assert {rid for rid, e in linked if e == 0} == ids_of(consumed)  # a full pass is linked exactly
    second = {rid for rid, e in linked if e == 1}
    assert len(partial) == 42 and ids_of(partial) <= second  # an early stop: everything used, at most a step more
    assert len(second) - len(partial) < STREAM_STEP
    used = run.records().to_pylist()
    assert sum(u["times_consumed"] for u in used) == N + len(second)


def test_iterable_of_dicts_stopped_early_records_what_was_yielded(ledger_path: Path) -> None:
    data = ({"text": t} for t in texts())
    with provenance.run("gen", ledger=ledger_path) as run:
        got = []
        for item in provenance.track(data, source=SOURCE, ledger=ledger_path):
            got.append(item["text"])
            if len(got) == 123:
                break
    linked = {r[0] for r in rows(ledger_path, f"SELECT record_id FROM run_records WHERE run_id = '{run.run_id}'")}
    assert linked == ids_of(got)


DATALOADER_SCRIPT = """
import sys, provenance, datasets
from torch.utils.data import DataLoader
ledger = sys.argv[1]
src = dict(id="demo", name="Demo", license="CC-BY-4.0", consent_basis="licence_grant", collection_method="synthetic")
texts = [f"record number {i} about rivers" for i in range(2000)]
ds = datasets.Dataset.from_dict({"text": texts, "label": list(range(2000))})
stream = provenance.track(ds.to_iterable_dataset(num_shards=4), source=src, ledger=ledger)
if __name__ == "__main__":
    with provenance.run("workers", ledger=ledger) as run:
        for epoch in range(2):
            stream.set_epoch(epoch)
            seen = sum(len(b["label"]) for b in DataLoader(stream, batch_size=32, num_workers=2))
            assert seen == 2000, seen
    print(run.run_id)
"""


def test_dataloader_with_several_workers_records_every_record_once_per_epoch(tmp_path: Path) -> None:
    pytest.importorskip("torch", reason="torch is installed by `make test` (pinned CPU build)")
    script = tmp_path / "train.py"
    script.write_text(textwrap.dedent(DATALOADER_SCRIPT))
    ledger = tmp_path / "l.duckdb"
    done = subprocess.run([sys.executable, str(script), str(ledger)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    run_id = done.stdout.strip().splitlines()[-1]
    per_epoch = rows(
        ledger,
        f"SELECT epoch, count(*), count(DISTINCT record_id) FROM run_records WHERE run_id = '{run_id}' GROUP BY 1",
    )
    assert sorted(per_epoch) == [(0, 2000, 2000), (1, 2000, 2000)]
    assert not pending_spools(ledger)


def test_run_records_git_commit_and_dirty_flag(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tmp_path / "code"
    repo.mkdir()
    git = ["git", "-c", "user.email=t@example.org", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q"], cwd=repo, check=True)
    (repo / "train.py").write_text("print('hi')\n")
    subprocess.run([*git, "add", "."], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", "start"], cwd=repo, check=True)
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True).stdout.strip()
    monkeypatch.chdir(repo)
    ledger = tmp_path / "l.duckdb"
    with provenance.run("clean", ledger=ledger):
        pass
    (repo / "train.py").write_text("print('changed')\n")
    with provenance.run("dirty", ledger=ledger):
        pass
    assert sorted(rows(ledger, "SELECT name, git_commit, git_dirty, status FROM runs")) == [
        ("clean", commit, False, "finished"),
        ("dirty", commit, True, "finished"),
    ]


def test_a_failing_run_is_marked_failed(ledger_path: Path) -> None:
    with pytest.raises(RuntimeError), provenance.run("boom", ledger=ledger_path):
        raise RuntimeError("training crashed")
    assert rows(ledger_path, "SELECT status FROM runs") == [("failed",)]


def test_which_runs_used_a_record_a_source_or_a_domain(ledger_path: Path) -> None:
    other = {**SOURCE, "id": "other", "name": "Other"}
    with provenance.run("a", ledger=ledger_path) as run_a:
        provenance.track(dataset(20), source=SOURCE, ledger=ledger_path)
    with provenance.run("b", ledger=ledger_path) as run_b:
        provenance.track([{"text": "elsewhere", "url": "https://news.example.com/x"}], source=other, ledger=ledger_path)
        list(
            provenance.track(
                [{"text": "elsewhere", "url": "https://news.example.com/x"}], source=other, ledger=ledger_path
            )
        )
    record = expected_record_id("demo", texts()[3])
    assert [r["run_id"] for r in provenance.runs_using(ledger_path, record_id=record).to_pylist()] == [run_a.run_id]
    assert [r["run_id"] for r in provenance.runs_using(ledger_path, source_id="other").to_pylist()] == [run_b.run_id]
    assert [r["run_id"] for r in provenance.runs_using(ledger_path, domain="example.org").to_pylist()] == [run_a.run_id]
    assert [r["run_id"] for r in provenance.runs_using(ledger_path, domain="example.com").to_pylist()] == [run_b.run_id]
    assert provenance.runs_using(ledger_path, domain="ample.org").num_rows == 0  # a domain, not a substring
    assert {r["record_id"] for r in provenance.run_records(ledger_path, run_a.run_id).to_pylist()} == ids_of(texts(20))


def test_runs_cli(ledger_path: Path, tmp_path: Path) -> None:
    with provenance.run("cli-run", ledger=ledger_path) as run:
        provenance.track(dataset(5), source=SOURCE, ledger=ledger_path)
    code, out, err = run_cli_in(tmp_path, "runs", "list", "--ledger", ledger_path)
    assert code == 0, err
    assert run.run_id in out and "cli-run" in out
    code, out, err = run_cli_in(tmp_path, "runs", "using", "--source", "demo", "--ledger", ledger_path)
    assert code == 0 and run.run_id in out
    code, out, err = run_cli_in(tmp_path, "runs", "records", run.run_id, "--format", "csv", "--ledger", ledger_path)
    assert code == 0 and len(out.strip().splitlines()) == 6
    code, out, err = run_cli_in(tmp_path, "runs", "using", "--ledger", ledger_path)
    assert code == 3 and "exactly one" in err and "Traceback" not in err


# ---- policy --------------------------------------------------------------------------------------------------------
def licensed(n: int = 60) -> datasets.Dataset:
    return datasets.Dataset.from_dict(
        {"text": texts(n), "license": ["CC-BY-NC-4.0" if i % 4 == 0 else "MIT" for i in range(n)]}
    )


def test_policy_drops_non_commercial_records_and_reports_why(
    ledger_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with provenance.run("commercial", ledger=ledger_path, policy={"intended_use": "commercial"}) as run:
        kept = provenance.track(licensed(), source=SOURCE, ledger=ledger_path)
    assert isinstance(kept, datasets.Dataset) and len(kept) == 45
    assert all(lic == "MIT" for lic in kept["license"])
    assert rows(ledger_path, "SELECT source_id, reason, records FROM run_drops") == [
        ("demo", "licence CC-BY-NC-4.0 does not allow commercial use", 15)
    ]
    assert "dropped 15 record(s)" in caplog.text
    linked = {r[0] for r in rows(ledger_path, f"SELECT record_id FROM run_records WHERE run_id = '{run.run_id}'")}
    assert linked == ids_of(kept["text"])
    assert rows(ledger_path, "SELECT count(*) FROM records") == [(60,)]  # dropped records are still on record


def test_policy_on_streams_and_revoked_consent(ledger_path: Path) -> None:
    provenance.track(licensed(), source=SOURCE, ledger=ledger_path)
    revoked = expected_record_id("demo", texts()[1])
    provenance.revoke(ledger_path, scope_kind="record", value=revoked, reason="asked to be removed", actor="tester")
    policy = provenance.Policy(intended_use="commercial")
    stream = provenance.track(licensed().to_iterable_dataset(), source="demo", ledger=ledger_path, policy=policy)
    with provenance.run("stream", ledger=ledger_path):
        got = [r["text"] for r in stream]
    assert len(got) == 44 and texts()[1] not in got
    drops = dict(((r, n) for r, n in rows(ledger_path, "SELECT reason, sum(records)::INT FROM run_drops GROUP BY 1")))
    assert drops == {"licence CC-BY-NC-4.0 does not allow commercial use": 15, "consent revoked": 1}


def test_policy_from_a_yaml_file(ledger_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text("intended_use: research\ndeny_licenses: [MIT]\n")
    kept = provenance.track(licensed(), source=SOURCE, ledger=ledger_path, policy=path)
    assert set(kept["license"]) == {"CC-BY-NC-4.0"}
    path.write_text("intended_use: sometimes\n")
    with pytest.raises(provenance.InputError, match=r"policy\.yaml"):
        provenance.track(licensed(), source=SOURCE, ledger=ledger_path, policy=path)


# ---- spool files ---------------------------------------------------------------------------------------------------
def test_a_spool_file_is_merged_once_even_if_it_survives_a_crash(ledger_path: Path) -> None:
    Ledger(ledger_path).close()
    path = write_spool(ledger_path, _a_spool_table())
    content = path.read_bytes()
    provenance.flush(ledger_path)
    assert not pending_spools(ledger_path)
    assert rows(ledger_path, "SELECT count(*) FROM run_records") == [(1,)]
    path.write_bytes(content)  # as if the process died after the merge committed but before the file was deleted
    provenance.flush(ledger_path)
    assert rows(ledger_path, "SELECT count(*) FROM run_records") == [(1,)]
    assert rows(ledger_path, "SELECT count(*) FROM records") == [(1,)]
    assert read_spool(path).num_rows == 1 if path.exists() else not pending_spools(ledger_path)


def _a_spool_table():
    import pyarrow as pa

    from provenance.hooks.spool import SPOOL_SCHEMA

    values = {f.name: [None] for f in SPOOL_SCHEMA}
    values.update(record_id=["x" * 32], content_hash=["y" * 32], n_chars=[1], n_bytes=[1], source_id=["demo"])
    values.update(kind=["dataset"], run_id=["some-run"])
    return pa.table(values, schema=SPOOL_SCHEMA)


# ---- known datasets ------------------------------------------------------------------------------------------------
def test_a_known_hub_dataset_gets_the_most_restrictive_audited_licence(
    ledger_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from provenance.licenses.known_datasets import lookup, most_restrictive

    known = lookup("tatsu-lab/alpaca")
    assert known is not None
    ds = datasets.Dataset.from_dict({"text": ["an instruction", "another one"]})
    ds.info.dataset_name = "tatsu-lab/alpaca"
    declared = {**SOURCE, "id": "alpaca", "license": "Apache-2.0"}
    provenance.track(ds, source=declared, ledger=ledger_path)
    strictest = most_restrictive(known.claims)
    assert rows(ledger_path, "SELECT license FROM sources WHERE source_id = 'alpaca'") == [(strictest.license_spdx,)]
    claims = rows(ledger_path, "SELECT license, claimed_by, claim_where, chosen FROM license_claims")
    assert len(claims) == 1 + len(known.claims)  # every claim kept, with where it came from
    assert ("Apache-2.0", "declared", "declared in track(source=...)", False) in claims
    assert [c for c in claims if c[3]] == [
        (strictest.license_spdx, "data provenance collection", strictest.where, True)
    ]
    assert "more restrictive" in caplog.text
    kept = provenance.track(ds, source="alpaca", ledger=ledger_path, policy={"intended_use": "commercial"})
    assert len(kept) == 0  # its audited use is non-commercial


def test_tracking_the_same_dataset_again_adds_nothing_but_run_links(ledger_path: Path) -> None:
    ds = dataset(50)
    provenance.track(ds, source=SOURCE, ledger=ledger_path)
    with provenance.run("again", ledger=ledger_path) as run:
        provenance.track(ds, source=SOURCE, ledger=ledger_path)
    assert rows(ledger_path, "SELECT count(*) FROM records") == [(50,)]
    assert rows(ledger_path, "SELECT count(*) FROM origins") == [(50,)]
    assert rows(ledger_path, f"SELECT count(*) FROM run_records WHERE run_id = '{run.run_id}'") == [(50,)]

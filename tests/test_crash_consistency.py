"""Crash consistency: `provenance ingest`, `scan` and `card` killed (SIGKILL) or interrupted (Ctrl-C) at random
points, then run again, end exactly where an uninterrupted run ends.

One generated corpus (three sources: JSON lines, CSV, Parquet; a few thousand records, unreadable lines and
duplicates) is ingested, scanned and carded once without interruption; that is the reference. Each kill cycle then
starts the same command in a process group of its own (``python -m provenance_cli ...``), kills the whole group
(so a scanner process pool dies too) after a seeded random delay spread over the command's run time, checks that
the ledger opens and holds no row the reference does not hold (each batch whole or absent), reruns the command to
completion and compares everything a ledger knows and every card file with the reference.

``make test`` runs ``PROVENANCE_SOAK_CYCLES`` (default 20) cycles; ``make soak`` runs many more. The last test
prints the figures: cycles, where the kills landed, ledgers that did not open, rows lost or duplicated.
"""

from __future__ import annotations

import csv
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import provenance
from conftest import ledger_content, source_entry, write_manifest_file
from provenance import Ledger
from provenance.cards.card_set import write_cards
from provenance.scanners import create

SEED = int(os.environ.get("PROVENANCE_SOAK_SEED") or 20261123)
CYCLES = int(os.environ.get("PROVENANCE_SOAK_CYCLES") or 20)
# What each cycle kills, in turn: ingest, scan (scanners in this process, or in a pool of 2) and card.
PLAN = ("ingest", "scan", "card", "scan", "ingest", "card", "scan-workers", "card", "ingest", "scan")
SCANNERS = ("textstats", "consent", "pii")
BATCH = 200  # about 20 batches (transactions) per scan of the corpus
# Tables whose row counts legitimately differ between an interrupted and an uninterrupted history: one row per
# command run (scans), per card written (card_releases), per batch written (scan_partials, compared merged).
PER_RUN_TABLES = {"scans", "card_releases", "scan_partials"}
RELEASE_SENTENCE = re.compile(
    r" [\d,]+ card releases? (?:is|are) recorded in the ledger \(the last on [^)]*\), so a revocation can name the "
    r"releases that described a record\."
)
STAGING = ".provenance-card-"  # card_set.py writes into .<output>.provenance-card-*/ beside it, then renames in


# ---- the corpus ----------------------------------------------------------------------------------------------------
WORDS = "river stone lantern orchard harbour meadow copper thistle willow ember quarry falcon birch saffron".split()


def _text(n: int) -> str:
    body = " ".join(WORDS[(n * 7 + k * 3 + k * k) % len(WORDS)] for k in range(10 + n % 9))
    contact = f" write to jane.doe{n}@example.org or call +44 20 7946 {n % 10000:04d}" if n % 37 == 0 else ""
    return f"{body} #{n}{contact}"


def make_corpus(root: Path) -> Path:
    """~2,600 records in JSON lines, CSV and Parquet, with unreadable lines and duplicates within and across files."""
    for f in range(2):
        with open(root / f"part-{f}.jsonl", "w", encoding="utf-8") as fh:
            for i in range(700):
                if i % 211 == 5:
                    fh.write("{broken json\n")
                    continue
                n = i if i % 97 == 3 else f * 700 + i  # every 97th line repeats a text of part-0
                fh.write(json.dumps({"text": _text(n), "url": f"https://site{n % 5}.example.com/p/{n}", "k": n}))
                fh.write("\n")
    with open(root / "table.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "text", "license"])
        for i in range(600):
            extra = "\nsecond line" if i % 11 == 0 else ""
            writer.writerow([i, _text(5000 + i) + extra, "CC-BY-4.0" if i % 3 else ""])
        writer.writerow([600, "a duplicate of an earlier row", ""])
        writer.writerow([601, "a duplicate of an earlier row", ""])
        fh.write("602,too,many,fields\n")
    texts = [_text(9000 + i) if i % 50 else _text(i) for i in range(640)]  # every 50th: a text the web source has
    urls = [f"https://pq.example.net/{i}" for i in range(640)]
    pq.write_table(pa.table({"text": texts, "url": urls}), root / "rows.parquet", row_group_size=100)
    return write_manifest_file(
        root,
        [
            source_entry("web", [{"path": "part-*.jsonl", "metadata": ["k"]}], collection_method="web_scraping"),
            source_entry("tab", [{"path": "table.csv", "license_field": "license"}]),
            source_entry("pq", [{"path": "rows.parquet"}], license="unknown", consent_basis="unknown"),
        ],
    )


# ---- running the command line -------------------------------------------------------------------------------------
def cli(*args: object) -> list[str]:
    return [sys.executable, "-m", "provenance_cli", *map(str, args)]


def cli_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROVENANCE_")}
    env.update(HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1", TRANSFORMERS_OFFLINE="1", PYTHONIOENCODING="utf-8")
    return env


def command(phase: str, manifest: Path, ledger: Path, card_dir: Path) -> list[str]:
    if phase == "ingest":
        return cli("ingest", manifest, "--ledger", ledger, "-q", "--batch-size", BATCH)
    if phase.startswith("scan"):
        workers = ["--workers", "2"] if phase == "scan-workers" else []
        return cli("scan", manifest, "--ledger", ledger, "--scanners", ",".join(SCANNERS), "-q", "--batch-size",
                   BATCH, *workers)  # fmt: skip
    return cli("card", "--ledger", ledger, "--output", card_dir)


def rerun(phase: str, manifest: Path, ledger: Path, card_dir: Path) -> None:
    """Run the command again to completion (in this process: the same library calls the CLI makes)."""
    if phase == "ingest":
        assert provenance.ingest(manifest, ledger, batch_size=BATCH).status == "finished"
    elif phase.startswith("scan"):
        assert provenance.scan(manifest, ledger, scanners=SCANNERS, batch_size=BATCH).status == "finished"
    else:
        assert write_cards(ledger, card_dir).release_id is not None


@dataclass
class Timing:
    """When, seconds from its start, a command first wrote (the ledger's write-ahead log, or a card file
    appeared), last wrote, and ended."""

    first_write: float
    last_write: float
    total: float


def timed_run(cmd: list[str], cwd: Path, written: Callable[[], object]) -> Timing:
    """Run ``cmd`` to completion, watching ``written()`` (a size, a listing) to see when it writes."""
    err = cwd / "stderr.txt"
    with open(err, "w", encoding="utf-8") as fh:
        started = time.monotonic()
        proc = subprocess.Popen(cmd, cwd=cwd, env=cli_env(), stdout=subprocess.DEVNULL, stderr=fh)
        first = last = None
        seen = written()
        while proc.poll() is None:
            now = written()
            if now != seen:
                last = time.monotonic() - started
                first = last if first is None else first
                seen = now
            time.sleep(0.005)
        total = time.monotonic() - started
    assert proc.returncode == 0, err.read_text()[-3000:]
    return Timing(first if first is not None else 0.0, last if last is not None else total, total)


def wal_size(ledger: Path) -> Callable[[], int]:
    wal = ledger.with_name(ledger.name + ".wal")

    def size() -> int:
        try:
            return wal.stat().st_size
        except FileNotFoundError:
            return -1

    return size


def card_activity(card: Path) -> Callable[[], list[str]]:
    """The card folder's files and any staging folder beside it (a card set being written)."""

    def names() -> list[str]:
        found = sorted(p.name for p in card.iterdir()) if card.exists() else []
        return found + staging_folders(card)

    return names


def staging_folders(card: Path) -> list[str]:
    return sorted(p.name for p in card.parent.glob(f".{card.name}{STAGING}*"))


def run_and_kill(
    cmd: list[str], cwd: Path, delay: float, sig: int = signal.SIGKILL, started: Callable[[], object] | None = None
) -> tuple[bool, int, str]:
    """Start ``cmd`` in a process group of its own and send ``sig`` to the whole group ``delay`` seconds after its
    start, or after ``started()`` first changes (it began to write). Returns (whether it was still running when
    signalled, exit code, stderr)."""
    err = cwd / "stderr.txt"
    with open(err, "w", encoding="utf-8") as fh:
        proc = subprocess.Popen(cmd, cwd=cwd, env=cli_env(), stdout=subprocess.DEVNULL, stderr=fh,
                                start_new_session=True)  # fmt: skip
        try:
            if started is not None:
                before = started()
                while proc.poll() is None and started() == before:
                    time.sleep(0.002)
            try:
                proc.wait(timeout=delay)
                signalled = False
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, sig)
                signalled = True
            code = proc.wait(timeout=120)
            if signalled and code == 0:
                signalled = False  # it had exited between the timeout and the signal: a finished process cannot die
        finally:
            _reap(proc)
    return signalled, code, err.read_text(encoding="utf-8", errors="replace")


def _reap(proc: subprocess.Popen) -> None:
    """Make sure nothing of the group outlives the test (a pool worker orphaned by the kill, say)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    if proc.poll() is None:
        proc.wait(timeout=30)


def copy_ledger(src: Path, dst_dir: Path) -> Path:
    dst_dir.mkdir(parents=True, exist_ok=True)
    dst = dst_dir / src.name
    shutil.copy2(src, dst)
    shutil.copy2(src.with_name(src.name + ".key"), dst.with_name(dst.name + ".key"))
    return dst


# ---- what a ledger knows, and what a card says ---------------------------------------------------------------------
EXTRA_QUERIES = {
    "bad_records": 'SELECT source_id, path, line, "row", reason FROM bad_records',
    "files": "SELECT path, source_id, size, mtime_ns, records, bad_records, stamps, finished_at IS NOT NULL FROM files",
    "record_consent": "SELECT record_id, source_id, state, reason FROM record_consent",
    "sources": "SELECT * EXCLUDE (declared_at) FROM sources",
}


def _key(row: tuple) -> tuple:
    return tuple((v is None, "" if v is None else str(v)) for v in row)


def ledger_state(path: Path) -> dict[str, object]:
    """Everything an uninterrupted and a resumed history must agree on: the content tables (rows, duplicates kept),
    the scanners' partial aggregates merged per stamp, and the row count of every table but the per-run ones."""
    state: dict[str, object] = dict(ledger_content(path))
    with Ledger(path, read_only=True) as store:
        for name, sql in EXTRA_QUERIES.items():
            state[name] = sorted(store.execute(sql), key=_key)
        merged: dict[str, dict] = {}
        for stamp, scanner, payload in store.execute("SELECT stamp, scanner, payload FROM scan_partials"):
            merged[stamp] = create(scanner).merge(merged.get(stamp, {}), json.loads(payload))
        state["partials merged"] = merged
        state["counts"] = {t: n for t, n in store.table_counts().items() if t not in PER_RUN_TABLES}
    return state


ROW_TABLES = ("records", "origins", "findings", "record_scans", "bad_records", "record_consent")


def row_diff(expected: dict, actual: dict) -> tuple[int, int]:
    """(rows lost, rows duplicated or unexpected) over the content tables."""
    lost = extra = 0
    for table in ROW_TABLES:
        want, got = Counter(map(tuple, expected[table])), Counter(map(tuple, actual[table]))
        lost += sum((want - got).values())
        extra += sum((got - want).values())
    return lost, extra


def card_files(folder: Path) -> dict[str, bytes]:
    """The card set as written, minus the one sentence that counts earlier card releases in the ledger."""
    files = {}
    for path in sorted(folder.iterdir()):
        if path.is_file():
            data = path.read_bytes()
            if path.suffix in (".md", ".html", ".json"):
                data = RELEASE_SENTENCE.sub("", data.decode("utf-8")).encode("utf-8")
            files[path.name] = data
    return files


def assert_batches_whole(path: Path) -> None:
    """What one transaction writes stays together: every record has an origin, the scanners of one scan marked the
    same records (their marks go in with the batch), and every finding has its record's mark."""
    with Ledger(path, read_only=True) as store:
        assert store.scalar("SELECT count(*) FROM records r ANTI JOIN origins o USING (record_id)") == 0
        assert store.scalar("SELECT count(*) FROM origins o ANTI JOIN records r USING (record_id)") == 0
        marked = store.execute("SELECT stamp, count(*), count(DISTINCT record_id) FROM record_scans GROUP BY 1")
        assert all(n == distinct for _, n, distinct in marked), f"a record marked twice: {marked}"
        assert len({n for _, n, _ in marked}) <= 1, f"the scanners marked different records: {marked}"
        assert not store.scalar(
            "SELECT count(*) FROM (SELECT record_id FROM record_scans GROUP BY 1 HAVING count(*) != ?)", [len(marked)]
        ), "a record marked by some scanners of a batch and not by others: a batch was written in part"
        assert not store.scalar("SELECT count(*) FROM findings f ANTI JOIN record_scans s USING (record_id, stamp)")


# ---- the reference: one uninterrupted run ---------------------------------------------------------------------------
@dataclass
class Reference:
    root: Path
    manifest: Path
    ingested: Path  # ledger after `provenance ingest`
    scanned: Path  # ledger after `provenance scan`, before any card
    states: dict[str, dict]  # "ingest" / "scan" -> ledger_state
    card: dict[str, bytes]
    timings: dict[str, Timing]  # per command, when it writes


@dataclass
class Figures:
    cycles: Counter = field(default_factory=Counter)  # per phase
    landed: Counter = field(default_factory=Counter)  # (phase, where the kill landed)
    not_opened: int = 0  # ledgers that would not open after a kill or a rerun (goal 0)
    lost: int = 0  # rows of the reference missing after the rerun (goal 0)
    duplicated: int = 0  # rows after the rerun that the reference does not have (goal 0)
    torn_card_files: int = 0  # card files visible after a kill that were neither absent nor whole (goal 0)
    seconds: float = 0.0


FIGURES = Figures()


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Reference:
    root = tmp_path_factory.mktemp("crash_corpus")
    manifest = make_corpus(root)
    work = tmp_path_factory.mktemp("crash_reference")
    ledger = work / "ledger" / "prov.duckdb"
    timings = {"ingest": timed_run(command("ingest", manifest, ledger, work / "card"), work, wal_size(ledger))}
    ingested = copy_ledger(ledger, work / "ingested")
    timings["scan"] = timed_run(command("scan", manifest, ledger, work / "card"), work, wal_size(ledger))
    scanned = copy_ledger(ledger, work / "scanned")
    card = work / "card"
    timings["card"] = timed_run(command("card", manifest, ledger, card), work, card_activity(card))
    states = {"ingest": ledger_state(ingested), "scan": ledger_state(scanned)}
    assert states["scan"]["counts"]["findings"] > 0 and states["scan"]["counts"]["bad_records"] > 0
    assert states["scan"]["counts"]["origins"] > states["scan"]["counts"]["records"] > 2000  # duplicates
    return Reference(root, manifest, ingested, scanned, states, card_files(card), timings)


def test_reference_card_set_is_whole(reference: Reference) -> None:
    assert {"README.md", "croissant.json", "datasheet.md", "data_statement.md", "report.html"} <= set(reference.card)
    assert not any(name.startswith(STAGING) for name in reference.card)


# ---- SIGKILL at random points ----------------------------------------------------------------------------------------
def _draws() -> list[tuple[float, float]]:
    rng = random.Random(SEED)
    return [(rng.random(), rng.random()) for _ in range(CYCLES)]


def kill_delay(timing: Timing, draw: tuple[float, float], stretch: float = 1.0) -> tuple[float, bool]:
    """(delay, whether it counts from the first write). Seven kills in ten land while the command writes: after its
    first write, within the time it spent writing in the reference run (``stretch`` times that: a process pool
    starts slower); the others anywhere from its start to a little past its end."""
    where, u = draw
    if where < 0.7:  # the last tenths of the window are mostly closing the ledger and printing the report
        return u * 0.8 * stretch * (timing.last_write - timing.first_write), True
    return u * 1.05 * stretch * timing.total, False


@pytest.mark.parametrize("cycle", range(CYCLES), ids=lambda i: f"{PLAN[i % len(PLAN)]}-{i}")
def test_killed_then_rerun_ends_as_an_uninterrupted_run(reference: Reference, tmp_path: Path, cycle: int) -> None:
    started = time.monotonic()
    phase = PLAN[cycle % len(PLAN)]
    timing = reference.timings[phase.split("-")[0]]
    delay, from_first_write = kill_delay(timing, _draws()[cycle], stretch=3.0 if phase == "scan-workers" else 1.0)
    card_dir = tmp_path / "card"
    if phase == "ingest":
        ledger = tmp_path / "ledger" / "prov.duckdb"
        expected = reference.states["ingest"]
    else:
        ledger = copy_ledger(reference.ingested if phase.startswith("scan") else reference.scanned, tmp_path / "ledger")
        expected = reference.states["scan"]
    FIGURES.cycles[phase] += 1

    watch = card_activity(card_dir) if phase == "card" else wal_size(ledger)
    signalled, code, err = run_and_kill(
        command(phase, reference.manifest, ledger, card_dir),
        tmp_path,
        delay,
        started=watch if from_first_write else None,
    )
    assert code == (-signal.SIGKILL if signalled else 0), err[-2000:]

    # right after the kill: the ledger opens, holds whole batches only, and nothing the reference does not hold
    if being_created(ledger):
        where = "while creating the ledger (before its schema was committed)"
    else:
        if ledger.exists():
            try:
                partial = ledger_state(ledger)
            except Exception:
                FIGURES.not_opened += 1
                raise
            assert_batches_whole(ledger)
            _, unexpected = row_diff(expected, partial)
            assert unexpected == 0, f"cycle {cycle}: the killed {phase} left rows the reference does not have"
        where = _where_it_landed(phase, ledger, card_dir, signalled, reference)
    FIGURES.landed[(phase, where)] += 1

    try:
        rerun(phase, reference.manifest, ledger, card_dir)
        final = ledger_state(ledger)
    except provenance.LedgerError:
        FIGURES.not_opened += 1
        raise
    lost, duplicated = row_diff(expected, final)
    FIGURES.lost += lost
    FIGURES.duplicated += duplicated
    FIGURES.seconds += time.monotonic() - started
    assert (lost, duplicated) == (0, 0), f"cycle {cycle} ({phase}, killed: {where}): {lost} lost, {duplicated} extra"
    for name in expected:
        assert final[name] == expected[name], f"cycle {cycle} ({phase}, killed: {where}): {name} differs"
    if phase == "card":
        assert card_files(card_dir) == reference.card, f"cycle {cycle}: the card differs (killed: {where})"
        assert not staging_folders(card_dir), "a staging folder was left"
    with Ledger(ledger, read_only=True) as store:
        assert store.scalar("SELECT count(*) FROM scans WHERE status = 'running'") == 0, "a killed scan still runs"


def being_created(ledger: Path) -> bool:
    """A ledger file whose creation was stopped before its schema was committed (a rerun creates it)."""
    if not ledger.exists():
        return False
    try:
        Ledger(ledger, read_only=True).close()
    except provenance.LedgerError as exc:
        if "no schema" in str(exc):
            return True
        FIGURES.not_opened += 1
        raise
    return False


def _where_it_landed(phase: str, ledger: Path, card_dir: Path, signalled: bool, reference: Reference) -> str:
    """Classify a kill: before the command wrote anything, while it was writing (how far), or after it finished."""
    if not signalled:
        return "after it finished"
    if phase == "card":
        staging = staging_folders(card_dir)
        visible = card_files(card_dir) if card_dir.exists() else {}
        torn = [name for name, data in visible.items() if reference.card.get(name) != data]
        FIGURES.torn_card_files += len(torn)
        assert not torn, f"a killed card left half-written files: {torn}"
        with Ledger(ledger, read_only=True) as store:
            releases = store.scalar("SELECT count(*) FROM card_releases")
        if releases:
            return "after the release was recorded"
        if visible and set(visible) == set(reference.card):
            return "between the last file and recording the release"
        if staging or visible:
            return "mid-write (card files)"
        return "before writing"
    if not ledger.exists():
        return "before the ledger existed"
    with Ledger(ledger, read_only=True) as store:
        runs = store.execute("SELECT status FROM scans WHERE command = ? ORDER BY started_at", [phase.split("-")[0]])
        marks = store.scalar("SELECT count(*) FROM record_scans") if phase != "ingest" else 0
        origins = store.scalar("SELECT count(*) FROM origins")
    if not runs or runs[-1][0] != "running":
        return "before writing" if not runs else "after it finished"
    done = marks if phase != "ingest" else origins
    total = reference.states["scan"]["counts"]["record_scans" if phase != "ingest" else "origins"]
    if done == 0:
        return "mid-write (before the first batch)"
    if done >= total:
        return "mid-write (after the last batch)"
    return "mid-write (between batches)"


def test_kill_figures(reference: Reference, request: pytest.FixtureRequest) -> None:
    """The figures of the kill cycles above (goals: every ledger opens, no row lost or duplicated)."""
    if not FIGURES.cycles:
        pytest.skip("no kill cycle ran (deselected)")
    lines = [
        f"crash consistency: {sum(FIGURES.cycles.values())} SIGKILL cycles (seed {SEED}) in {FIGURES.seconds:.0f} s: "
        + ", ".join(f"{phase} {n}" for phase, n in sorted(FIGURES.cycles.items())),
        *(f"  {phase:<13} killed {where}: {n}" for (phase, where), n in sorted(FIGURES.landed.items())),
        f"  ledgers that did not open: {FIGURES.not_opened}; rows lost: {FIGURES.lost}; rows duplicated: "
        f"{FIGURES.duplicated}; torn card files: {FIGURES.torn_card_files}",
    ]
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    for line in lines:
        (reporter.write_line if reporter else print)(line)
    if os.environ.get("PROVENANCE_SOAK_REPORT"):
        Path(os.environ["PROVENANCE_SOAK_REPORT"]).write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert (FIGURES.not_opened, FIGURES.lost, FIGURES.duplicated, FIGURES.torn_card_files) == (0, 0, 0, 0)
    mid_write = sum(n for (_, where), n in FIGURES.landed.items() if where.startswith("mid-write"))
    if sum(FIGURES.cycles.values()) >= 10:
        assert mid_write > 0, "no kill landed while a command was writing: the delays miss the interesting part"


# ---- a ledger killed while it is being created ----------------------------------------------------------------------
KILLED_AFTER_SCHEMA = textwrap.dedent(
    """
    import os, signal, sys
    from provenance.ledger.store import Ledger

    migrate = Ledger._migrate

    def migrate_then_die(self):
        migrate(self)
        os.kill(os.getpid(), signal.SIGKILL)  # the schema is committed; nothing after it runs

    Ledger._migrate = migrate_then_die
    Ledger(sys.argv[1])
    """
)


def test_ledger_killed_right_after_its_schema_was_written_opens_again(tmp_path: Path) -> None:
    ledger = tmp_path / "new.duckdb"
    done = subprocess.run([sys.executable, "-c", KILLED_AFTER_SCHEMA, str(ledger)], capture_output=True, timeout=120)
    assert done.returncode == -signal.SIGKILL, done.stderr
    with Ledger(ledger) as store:  # the key was written before the schema: the ledger is whole
        assert store.secret()
        assert store.table_counts()["records"] == 0
    key = ledger.with_name(ledger.name + ".key")
    assert len(bytes.fromhex(key.read_text().strip())) == 32 and (key.stat().st_mode & 0o777) == 0o600
    assert not [p for p in tmp_path.iterdir() if p.name not in {"new.duckdb", "new.duckdb.key", "new.duckdb.wal"}]


# ---- Ctrl-C ------------------------------------------------------------------------------------------------------
INTERRUPTS = int(os.environ.get("PROVENANCE_SOAK_INTERRUPTS") or 4)
INTERRUPT_PLAN = ("scan", "ingest", "card", "scan-workers", "scan", "ingest", "card", "scan")
FINISHED = {"ingest": "ledger: ", "scan": "ledger: ", "card": "release "}  # printed once the work is done


def interrupt_when(cmd: list[str], cwd: Path, ready: Callable[[], bool], after: float) -> tuple[int, str]:
    """Start ``cmd``; once ``ready()`` (it is writing), wait ``after`` seconds and press Ctrl-C: SIGINT to the
    whole process group, as a terminal does. Returns (exit code, stderr)."""
    err = cwd / "stderr.txt"
    with open(err, "w", encoding="utf-8") as fh:
        proc = subprocess.Popen(cmd, cwd=cwd, env=cli_env(), stdout=subprocess.DEVNULL, stderr=fh,
                                start_new_session=True)  # fmt: skip
        try:
            deadline = time.monotonic() + 120
            while not ready():
                assert proc.poll() is None, f"it ended before it wrote anything: {err.read_text()[-2000:]}"
                assert time.monotonic() < deadline, "it never started writing"
                time.sleep(0.005)
            try:
                proc.wait(timeout=after)  # it may finish first: then there is nothing to interrupt
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGINT)
            code = proc.wait(timeout=120)
        finally:
            _reap(proc)
    return code, err.read_text(encoding="utf-8", errors="replace")


def assert_interrupted_cleanly(code: int, err: str) -> None:
    assert code == 130, err[-3000:]
    assert "interrupted" in err and "run the same command again" in err, err[-3000:]
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err[-3000:]


def wal_grew(ledger: Path, times: int) -> Callable[[], bool]:
    """True once the ledger's write-ahead log has grown ``times`` times since it appeared: batches are going in."""
    size = wal_size(ledger)
    seen: list[int] = []

    def ready() -> bool:
        now = size()
        if now >= 0 and (not seen or now != seen[-1]):
            seen.append(now)
        return len(seen) > times

    return ready


@pytest.mark.parametrize("cycle", range(INTERRUPTS), ids=lambda i: f"{INTERRUPT_PLAN[i % len(INTERRUPT_PLAN)]}-{i}")
def test_ctrl_c_says_how_to_resume_and_rerun_ends_as_an_uninterrupted_run(
    reference: Reference, tmp_path: Path, cycle: int
) -> None:
    phase = INTERRUPT_PLAN[cycle % len(INTERRUPT_PLAN)]
    rng = random.Random(SEED * 7919 + cycle)
    timing = reference.timings[phase.split("-")[0]]
    card_dir = tmp_path / "card"
    if phase == "ingest":
        ledger = tmp_path / "ledger" / "prov.duckdb"
        expected = reference.states["ingest"]
    else:
        ledger = copy_ledger(reference.ingested if phase.startswith("scan") else reference.scanned, tmp_path / "ledger")
        expected = reference.states["scan"]
    if phase == "card":
        ready: Callable[[], bool] = lambda: bool(staging_folders(card_dir))  # noqa: E731
        after = rng.random() * 0.3 * (timing.total - timing.first_write)
    else:
        ready = wal_grew(ledger, 3)
        after = rng.random() * 0.3 * (timing.last_write - timing.first_write)
    code, err = interrupt_when(command(phase, reference.manifest, ledger, card_dir), tmp_path, ready, after)
    if FINISHED[phase.split("-")[0]] in err or code == 0:
        # Ctrl-C after the work was done, while the command line printed its summary: nothing is left to resume
        assert code in (0, 130, -signal.SIGINT), err[-3000:]
    else:
        assert_interrupted_cleanly(code, err)
    if being_created(ledger):
        rerun(phase, reference.manifest, ledger, card_dir)
        assert ledger_state(ledger) == expected
        return
    if phase != "card":  # interrupted, or finished when Ctrl-C came as it noted the end; never left 'running'
        with Ledger(ledger, read_only=True) as store:
            statuses = store.execute("SELECT status FROM scans WHERE command = ?", [phase.split("-")[0]])
        assert statuses in ([("interrupted",)], [("finished",)]), statuses
    assert_batches_whole(ledger)
    if phase == "card":
        visible = card_files(card_dir)
        assert all(reference.card.get(name) == data for name, data in visible.items()), "a half-written card file"
    partial = ledger_state(ledger)
    assert row_diff(expected, partial)[1] == 0

    rerun(phase, reference.manifest, ledger, card_dir)
    assert ledger_state(ledger) == expected
    if phase == "card":
        assert card_files(card_dir) == reference.card
        assert not staging_folders(card_dir), "a staging folder was left"


@pytest.mark.parametrize("aborted", [False, True], ids=["query-stopped", "transaction-aborted"])
def test_ctrl_c_inside_a_duckdb_query_is_an_interruption(
    reference: Reference, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, aborted: bool
) -> None:
    """DuckDB reports a query it stopped for Ctrl-C as ``RuntimeError: Query interrupted``, after which the open
    transaction may refuse every statement (even unregistering a view) until rolled back. Either way the scan stops
    as interrupted (not failed, no internal error), the batch is rolled back whole, and the same call resumes."""
    import duckdb

    ledger = copy_ledger(reference.ingested, tmp_path / "ledger")
    real_append = Ledger.append
    calls = {"n": 0}

    def append_stopped_by_ctrl_c(self: Ledger, **kwargs: object) -> int:
        calls["n"] += 1
        if calls["n"] != 4:
            return real_append(self, **kwargs)
        real_execute = self.execute

        def execute(sql: str, params: object = None) -> list[tuple]:
            if sql.startswith("INSERT INTO findings"):
                if aborted:
                    with pytest.raises(duckdb.Error):
                        real_execute("SELECT CAST('not a number' AS INTEGER)")
                raise RuntimeError("Query interrupted")
            return real_execute(sql, params)

        self.execute = execute  # type: ignore[method-assign]
        try:
            return real_append(self, **kwargs)
        finally:
            del self.execute

    monkeypatch.setattr(Ledger, "append", append_stopped_by_ctrl_c)
    with pytest.raises(provenance.engine.Interrupted, match="interrupted") as info:
        provenance.scan(reference.manifest, ledger, scanners=SCANNERS, batch_size=BATCH)
    assert info.value.exit_code == 130 and "run the same command again" in info.value.hint
    monkeypatch.setattr(Ledger, "append", real_append)
    with Ledger(ledger, read_only=True) as store:
        assert store.execute("SELECT status FROM scans WHERE command = 'scan'") == [("interrupted",)]
        assert store.scalar("SELECT count(DISTINCT record_id) FROM record_scans") == 3 * BATCH
    assert_batches_whole(ledger)
    rerun("scan", reference.manifest, ledger, tmp_path / "card")
    assert ledger_state(ledger) == reference.states["scan"]

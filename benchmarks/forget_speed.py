"""`provenance forget` on a ledger of 1,000,000 records (issue 9: under 2 seconds).

    python benchmarks/forget_speed.py                      # builds the ledger once (~1 min), then times
    python benchmarks/forget_speed.py --records 200000 --requests 5
    python benchmarks/forget_speed.py --profile            # also: time of every SQL statement of one request

The ledger is the one benchmarks/consent_registry.py builds (a real ledger file: schema, macros and key from
`provenance.ledger.Ledger`; records, one origin each, 1% of texts shared by two records, an author in the metadata
of one record in ten), plus what a pii scan and training runs leave:
- pii findings, two per record: an EMAIL_ADDRESS and a PHONE_NUMBER of two of 300,000 people (`person<k>@example.org`,
  `+1 415 2xx xxxx`), their value_hash `keyed_hash(ledger key, label, value)` as the pii scanner stores it, so a
  person is in ~3 records by e-mail and ~3 more by phone; a language finding per record too (other scanners' rows);
- record_scans for every record with stamps 'pii@0.2.0#abc' and 'language@0.1.0#def', one scan;
- two training runs (500,000 and 200,000 records) with their run_records, and one card release.
It is cached under --workdir, keyed by --records, built in a child process; every run of this script works on a fresh
copy of it, so the revocations of earlier runs do not pile up.

Printed:
- `provenance forget --email .. --phone .. --username ..` as a fresh process (Python start-up, imports and opening the
  ledger included; `provenance --help` timed too, for the start-up alone), revoking and with --dry-run;
- in one process, `provenance.consent_records.forget(ledger path, {"email", "phone", "username"}, actor="bench")`
  end to end as the CLI calls it (opening the ledger included, each request a different person, each one revoking
  and writing the exclusion list): the first call (it imports phonenumbers' metadata), then the median and max over
  --requests; the same with dry_run=True; an e-mail-only request; and for every request, that the
records found are those whose pii findings carry the person's hash or whose author is the person (independent SQL
with HMACs computed here), and that the records excluded are those plus copies with the same content.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa

sys.path.insert(0, str(Path(__file__).parent))
from consent_registry import (
    BUILD_MEMORY,
    PEOPLE,
    build_ledger,
    clock,
    email_person_sql,
    peak_rss_mb,
    phone_person_sql,
    statement_profile,
)
from provenance import consent_records
from provenance.ledger import Ledger
from provenance.scanners.pii import keyed_hash

PII_STAMP = "pii@0.2.0#abc"
LANGUAGE_STAMP = "language@0.1.0#def"
SCAN_ID = "bench-scan"
TARGET = 2.0


def email(k: int) -> str:
    return f"person{k}@example.org"


def phone(k: int) -> str:
    return f"+1 415 {200 + k // 10000:03d} {k % 10000:04d}"


def phone_e164(k: int) -> str:
    return f"+1415{200 + k // 10000:03d}{k % 10000:04d}"


def build(path: Path, records: int) -> None:
    build_ledger(path, records)
    started = time.perf_counter()
    with Ledger(path, memory_limit=BUILD_MEMORY) as store:
        key = store.secret()
        people = pa.table(
            {
                "k": pa.array(range(PEOPLE), pa.int64()),
                "email_hash": [keyed_hash(key, "EMAIL_ADDRESS", email(k)) for k in range(PEOPLE)],
                "phone_hash": [keyed_hash(key, "PHONE_NUMBER", phone(k)) for k in range(PEOPLE)],
            }
        )
        print(f"  {PEOPLE:,} people's e-mail and phone hashed ({time.perf_counter() - started:,.0f} s)", flush=True)
        columns = 'record_id, scanner, stamp, kind, label, start, "end", score, value_hash, scan_id, detail'
        with store._views(people=people), store.transaction() as con:
            con.execute(
                "INSERT INTO scans (scan_id, command, started_at, finished_at, status, scanners, workers, "
                "records_read, records_added, bad_records, toolkit_version) VALUES (?, 'scan', now(), now(), "
                "'completed', [?, ?], 2, ?, ?, 0, 'bench')",
                [SCAN_ID, PII_STAMP, LANGUAGE_STAMP, records, records],
            )
            con.execute(
                f"""INSERT INTO findings ({columns})
                SELECT md5('r' || i), 'pii', '{PII_STAMP}', 'pii', 'EMAIL_ADDRESS', 40 + i % 200, 60 + i % 200, 1.0,
                       p.email_hash, '{SCAN_ID}', 'EmailRecognizer'
                FROM range({records}) t(i) JOIN people p ON p.k = {email_person_sql("i")}
                UNION ALL
                SELECT md5('r' || i), 'pii', '{PII_STAMP}', 'pii', 'PHONE_NUMBER', 300 + i % 200, 315 + i % 200, 0.75,
                       p.phone_hash, '{SCAN_ID}', 'PhoneRecognizer'
                FROM range({records}) t(i) JOIN people p ON p.k = {phone_person_sql("i")}
                UNION ALL
                SELECT md5('r' || i), 'language', '{LANGUAGE_STAMP}', 'language', 'en', NULL, NULL, 0.98, NULL,
                       '{SCAN_ID}', NULL
                FROM range({records}) t(i)"""
            )
            con.execute(
                f"""INSERT INTO record_scans
                SELECT md5('r' || i), s.stamp, '{SCAN_ID}' FROM range({records}) t(i),
                       (VALUES ('{PII_STAMP}'), ('{LANGUAGE_STAMP}')) s(stamp)"""
            )
            for run_id, name, where in (
                ("run-a", "pretrain", f"i < {records // 2}"),
                ("run-b", "finetune", "i % 5 = 0"),
            ):
                con.execute(
                    "INSERT INTO runs VALUES (?, ?, TIMESTAMPTZ '2025-03-01 00:00:00+00', "
                    "TIMESTAMPTZ '2025-03-02 00:00:00+00', NULL, false, NULL, 'finished')",
                    [run_id, name],
                )
                con.execute(
                    f"""INSERT INTO run_records (run_id, record_id, epoch, source_id)
                    SELECT '{run_id}', md5('r' || i), 0, 'src-' || (i % 4) FROM range({records}) t(i) WHERE {where}"""
                )
            con.execute(
                "INSERT INTO card_releases VALUES ('release-1', TIMESTAMPTZ '2025-06-01 00:00:00+00', 'cards/', "
                "['card.md', 'card.json'], ?)",
                [records],
            )
        store.execute("CHECKPOINT")
        counts = {t: store.scalar(f"SELECT count(*) FROM {t}") for t in ("findings", "record_scans", "run_records")}
    print(
        f"findings, scans and runs added in {time.perf_counter() - started:,.0f} s: "
        + ", ".join(f"{n:,} {t}" for t, n in counts.items()),
        flush=True,
    )


def ensure_ledger(workdir: Path, records: int) -> Path:
    base = workdir / f"forget-{records}.duckdb"
    done = base.with_name(base.name + ".built")
    if not done.exists():
        for suffix in ("", ".wal", ".key"):
            base.with_name(base.name + suffix).unlink(missing_ok=True)
        workdir.mkdir(parents=True, exist_ok=True)
        print(f"building {base} (once; cached) ...", flush=True)
        subprocess.run([sys.executable, __file__, "--build-only", str(base), "--records", str(records)], check=True)
        done.touch()
    return base


def fresh_copy(base: Path) -> Path:
    work = base.with_name("work.duckdb")
    for suffix in ("", ".wal", ".key", ".exclusions.csv"):
        work.with_name(work.name + suffix).unlink(missing_ok=True)
    shutil.copyfile(base, work)
    shutil.copyfile(base.with_name(base.name + ".key"), work.with_name(work.name + ".key"))
    return work


def request(k: int) -> dict[str, list[str]]:
    """A person's removal request, written as a person writes it (case and phone format differ from the text's)."""
    exchange, line = 200 + k // 10000, k % 10000
    return {
        "email": [f"Person{k}@Example.ORG"],
        "phone": [f"(415) {exchange:03d}-{line:04d}"],
        "username": [f"@Person{k}"],
    }


def expected(store: Ledger, k: int, records: int) -> tuple[set[str], set[str], set[str]]:
    """(records whose findings carry the person's hashes or whose author is the person, the same from the generator's
    formulas, records with the same content as any of them), all without the toolkit's matcher."""
    key = store.secret()

    def mac(label: str, normalised: str) -> str:
        return hmac.new(key, f"{label}\x1f{normalised}".encode(), hashlib.sha256).hexdigest()[:32]

    by_findings = {
        r[0]
        for r in store.execute(
            """SELECT record_id FROM findings WHERE scanner = 'pii' AND ((label = 'EMAIL_ADDRESS' AND value_hash = ?)
                  OR (label = 'PHONE_NUMBER' AND value_hash = ?))
               UNION SELECT record_id FROM records WHERE lower(meta->>'author') = ?""",
            [mac("EMAIL_ADDRESS", email(k)), mac("PHONE_NUMBER", phone_e164(k)), f"person{k}"],
        )
    }
    by_formula = {
        r[0]
        for r in store.execute(
            f"""SELECT md5('r' || i) FROM range({records}) t(i)
                WHERE {email_person_sql("i")} = {k} OR {phone_person_sql("i")} = {k}"""
        )
    }
    with store._views(found=pa.table({"record_id": pa.array(sorted(by_findings), pa.string())})):
        same_content = {
            r[0]
            for r in store.execute(
                "SELECT record_id FROM records WHERE content_hash IN "
                "(SELECT content_hash FROM records WHERE record_id IN (SELECT record_id FROM found))"
            )
        }
    return by_findings, by_formula, same_content


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=7, help="removal requests timed (each a different person)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/prov-bench-forget"))
    parser.add_argument("--profile", action="store_true", help="print the time of every SQL statement of one request")
    parser.add_argument("--no-cli", action="store_true", help="skip the fresh-process `provenance forget` commands")
    parser.add_argument("--rebuild", action="store_true", help="build the ledger again even if cached")
    parser.add_argument("--build-only", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.build_only:
        build(args.build_only, args.records)
        return
    if args.rebuild and args.workdir.exists():
        shutil.rmtree(args.workdir)
    base = ensure_ledger(args.workdir, args.records)
    ledger = fresh_copy(base)
    with Ledger(ledger) as store:
        counts = {t: store.scalar(f"SELECT count(*) FROM {t}") for t in ("records", "findings", "record_scans")}
        runs = store.execute("SELECT run_id, count(*) FROM run_records GROUP BY 1 ORDER BY 1")
        limit = store.scalar("SELECT current_setting('memory_limit')")
    print(
        f"ledger {ledger} ({ledger.stat().st_size / 2**20:,.0f} MiB, a fresh copy of {base.name}): "
        f"{counts['records']:,} records, {counts['findings']:,} findings, {counts['record_scans']:,} record_scans, "
        f"runs {', '.join(f'{r} ({n:,} records)' for r, n in runs)}; DuckDB memory_limit {limit}"
    )

    # people who are in the ledger: the e-mail owners of records picked at random
    rng = random.Random(1)
    picks = rng.sample(range(args.records), 4 * args.requests + 20)
    with Ledger(ledger, read_only=True) as store:
        owners = [r[0] for r in store.execute(f"SELECT {email_person_sql('i')} FROM (SELECT unnest(?) AS i)", [picks])]
    people = list(dict.fromkeys(owners))[: 2 * args.requests + 4]
    problems: list[str] = []

    def check(k: int, evidence, revoked: bool) -> str:
        with Ledger(ledger, read_only=True) as store:
            by_findings, by_formula, same_content = expected(store, k, args.records)
        found = {r.record_id for r in evidence.records}
        if not found == by_findings == by_formula:
            problems.append(
                f"person {k}: found {len(found)}, findings say {len(by_findings)}, formula {len(by_formula)}"
            )
        if revoked and evidence.records_excluded != len(same_content):
            problems.append(f"person {k}: excluded {evidence.records_excluded}, expected {len(same_content)}")
        per_identifier = ", ".join(f"{s.identifier} {s.records}" for s in evidence.identifiers)
        tail = f", {evidence.records_excluded} excluded, runs {[r.run_id for r in evidence.runs]}" if revoked else ""
        return f"{len(found)} records found ({per_identifier}){tail}"

    if not args.no_cli:
        exe = Path(sys.executable).with_name("provenance")

        def cli(k: int, *extra: str) -> tuple[float, str]:
            asked = request(k)
            command = [str(exe), "forget", "--ledger", str(ledger), "--email", asked["email"][0], "--phone",
                       asked["phone"][0], "--username", asked["username"][0], "--actor", "bench", *extra]  # fmt: skip
            started = time.perf_counter()
            done = subprocess.run(command, capture_output=True, text=True)
            spent = time.perf_counter() - started
            if done.returncode:
                raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout}{done.stderr}")
            return spent, (done.stdout + done.stderr).strip().splitlines()[-1]

        started = time.perf_counter()
        subprocess.run([str(exe), "--help"], capture_output=True, check=True)
        startup = time.perf_counter() - started
        cli_revoke = cli(people[-3], "--request-id", "bench-cli")
        cli_dry = cli(people[-4], "--dry-run")
        print("\nprovenance forget --email .. --phone .. --username .. (a fresh process each)")
        print(f"  revoking:  {cli_revoke[0]:.2f} s  ({cli_revoke[1]})")
        print(f"  --dry-run: {cli_dry[0]:.2f} s  ({cli_dry[1]})")
        print(f"  (start-up alone, provenance --help: {startup:.2f} s)")

    print("\nforget(ledger path, {email, phone, username}, actor='bench'), end to end, in this process")
    k = people[-5]
    spent, evidence = clock(consent_records.forget, str(ledger), request(k), actor="bench", dry_run=True)
    print(f"  first call in this process (dry run, person {k}): {spent:.2f} s, {check(k, evidence, False)}")
    print(f"revoking, {args.requests} people")
    times = []
    for j, k in enumerate(people[: args.requests]):
        spent, evidence = clock(consent_records.forget, str(ledger), request(k), actor="bench", request_id=f"bench-{j}")
        times.append(spent)
        print(f"  person {k:>6}: {spent:.2f} s, {check(k, evidence, True)}")
    dry_times = []
    print(f"dry_run=True (nothing revoked or written), {args.requests} other people")
    for k in people[args.requests : 2 * args.requests]:
        spent, evidence = clock(consent_records.forget, str(ledger), request(k), actor="bench", dry_run=True)
        dry_times.append(spent)
        print(f"  person {k:>6}: {spent:.2f} s, {check(k, evidence, False)}")
    k = people[-2]
    spent_email, evidence = clock(consent_records.forget, str(ledger), {"email": [email(k)]}, actor="bench")
    print(f"e-mail only, person {k}: {spent_email:.2f} s, {len(evidence.records)} records found")
    with Ledger(ledger, read_only=True) as store:
        events = store.scalar("SELECT count(*) FROM consent_events")
        excluded = store.scalar("SELECT count(*) FROM exclusions")
    print(f"after the requests: {events} consent events, {excluded:,} exclusion rows")
    print("check: " + ("every request found exactly the expected records" if not problems else "; ".join(problems)))

    if args.profile:
        k = people[-6]
        with statement_profile("forget, one request (revoking)"):
            consent_records.forget(str(ledger), request(k), actor="bench", request_id="bench-profile")
        with statement_profile("forget, one request (dry run)"):
            consent_records.forget(str(ledger), request(people[0]), actor="bench", dry_run=True)

    print(f"\npeak RSS of this process: {peak_rss_mb():,.0f} MiB")
    median = statistics.median(times)
    print(
        f"\nforget, {counts['records']:,} records: median {median:.2f} s, max {max(times):.2f} s; dry run median "
        f"{statistics.median(dry_times):.2f} s, max {max(dry_times):.2f} s"
        + ("" if args.no_cli else f"; as a fresh CLI process {cli_revoke[0]:.2f} s (dry run {cli_dry[0]:.2f} s)")
        + f" (target < {TARGET:.0f} s: {'met' if max(times) < TARGET else 'not met'})"
    )
    load = os.getloadavg()
    print(f"load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()

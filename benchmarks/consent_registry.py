"""Applying an opt-out registry of 100,000 domains to a ledger of 10,000,000 records (issue 9: under 5 seconds, a
join, not a loop).

    python benchmarks/consent_registry.py                      # builds the ledger once (~2 min), then times
    python benchmarks/consent_registry.py --records 1000000 --domains 20000
    python benchmarks/consent_registry.py --profile            # also: time of every SQL statement of one apply

The ledger is a real ledger file made by `provenance.ledger.Ledger` (schema, macros and key), filled by SQL in the
ledger's own connection: four sources, N records, one origin per record whose URL is on one of ~1,000,000 sites
(`https://[sub.]site<k>.<tld>/path/<i>`, some sites seen only under subdomains, a few URLs with upper case and a
port, 1% without a URL), the host stored with the schema's `url_host` macro as ingest stores it. It is cached under
--workdir, keyed by --records and built in a child process, so the peak RSS printed is that of the measurements.

The registry is a TXT file of --domains entries: 10% name sites of the ledger (some as `*.site`, some upper case
with `domain:`, some a `www.` subdomain only), the rest sites the ledger does not hold. Printed:
- `provenance consent registry add FILE --name bench` as a fresh process (Python start-up, imports and opening the
  ledger included; `provenance --help` timed too, for the start-up alone): first load, then the unchanged file;
- in one process, on a ledger opened as the CLI opens it (DuckDB memory limit 384MB unless
  PROVENANCE_MEMORY_LIMIT/--memory-limit): `provenance.consent_records.apply_registry` end to end (parse, store a
  new version, match), then re-applying the
  same file (no new version: parse and match only), then each step on its own: parse, store, and the match join
  (`provenance.ledger.consent.apply_registries`);
- records matched, checked against a count made independently (host suffixes tested in Python over every distinct
  host of the ledger, records counted in SQL);
- the baseline the issue warns against: a Python loop over records testing each URL's host suffixes against a set
  of the domains, timed on a sample of --naive-sample records and extrapolated to the ledger;
- `SELECT state, count(*) FROM consent_state GROUP BY 1` (informational), and the peak RSS of the process.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pyarrow as pa

from provenance import consent_records
from provenance.ledger import Ledger
from provenance.ledger import consent as lc

TLDS = ["com", "org", "net", "co.uk", "de", "io", "fr", "com.au"]
BUILD_MEMORY = "6GB"
CHUNK = 2_000_000
SOURCES = [  # (source_id, consent basis): the consent_state view gives each a different default state
    ("src-0", "legitimate_interest_opt_out"),
    ("src-1", "licence_grant"),
    ("src-2", "unknown"),
    ("src-3", "explicit_opt_in"),
]
PEOPLE = 300_000  # authors named in records' metadata (and, in forget_speed.py, the people in pii findings)


def n_sites(records: int, sites: int = 1_000_000) -> int:
    return min(sites, records)


def site_sql(i: str, sites: int) -> str:
    """The site index of record ``i``: a permutation of i mod sites, so every site holds records / sites records."""
    return f"(({i} * 48271) % {sites})"


def url_sql(i: str, sites: int) -> str:
    """The URL of record ``i``: sites with k % 10 = 3 are only seen under subdomains; 1% of records have no URL."""
    k = site_sql(i, sites)
    h = f"hash({i})"
    tld = f"{TLDS!r}[({k} % {len(TLDS)})::INT + 1]"
    sub = f"""CASE WHEN {k} % 10 = 3 THEN ['www.', 'blog.', 'news.', 'forum.', 'shop.'][({h} % 5)::INT + 1]
                   WHEN {k} % 50 = 7 THEN 'cdn.eu.'
                   ELSE ['', 'www.', '', 'en.', 'm.'][({h} % 5)::INT + 1] END"""
    host = f"{sub} || 'site' || {k} || '.' || {tld}"
    return f"""CASE WHEN {h} % 100 = 42 THEN NULL
                    WHEN {h} % 101 = 0 THEN 'https://' || upper({host}) || ':8443/Path/' || {i}
                    ELSE 'https://' || {host} || '/path/' || {i} END"""


def email_person_sql(i: str) -> str:
    return f"(hash({i}, 'email') % {PEOPLE})"


def phone_person_sql(i: str) -> str:
    return f"(hash({i}, 'phone') % {PEOPLE})"


def build_ledger(path: Path, records: int) -> None:
    """Records, origins and sources written by SQL in the ledger's connection, in chunks of CHUNK records."""
    sites = n_sites(records)
    started = time.perf_counter()
    with Ledger(path, memory_limit=BUILD_MEMORY) as store:
        with store.transaction() as con:
            for source_id, basis in SOURCES:
                con.execute(
                    "INSERT INTO sources (source_id, name, license, license_raw, consent_basis, collection_method, "
                    "declared_at) VALUES (?, ?, 'CC-BY-4.0', 'CC-BY-4.0', ?, 'web_scraping', now())",
                    [source_id, f"web crawl {source_id}", basis],
                )
        for start in range(0, records, CHUNK):
            stop = min(records, start + CHUNK)
            with store.transaction() as con:
                con.execute(
                    f"""INSERT INTO records
                    SELECT md5('r' || i), 'src-' || (i % 4),
                           md5('c' || CASE WHEN i % 100 = 99 THEN i - 1 ELSE i END),  -- 1% share a text
                           200 + (i * 37) % 5000, 200 + (i * 37) % 5000 + (i % 7) * 3, NULL, NULL,
                           CASE WHEN i % 10 = 0 THEN json_object('author', 'Person' || {email_person_sql("i")}) END,
                           'bench-build', TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_seconds(i // 10)
                    FROM range({start}, {stop}) t(i)"""
                )
                con.execute(
                    f"""INSERT INTO origins
                    SELECT md5('r' || i), 'src-' || (i % 4), 'file',
                           'crawl/part-' || lpad((i // 100000)::VARCHAR, 5, '0') || '.jsonl.gz', i % 100000 + 1,
                           NULL, NULL, NULL, NULL, NULL, NULL, url, NULL, 'bench-build', url_host(url)
                    FROM (SELECT i, {url_sql("i", sites)} AS url FROM range({start}, {stop}) t(i))"""
                )
            print(f"  {stop:,} records written ({time.perf_counter() - started:,.0f} s)", flush=True)
        store.execute("CHECKPOINT")
    print(f"ledger of {records:,} records built in {time.perf_counter() - started:,.0f} s", flush=True)


def write_registry(path: Path, records: int, domains: int) -> set[str]:
    """A TXT registry; returns the normalised domains, as an independent check of what the parser must read."""
    sites = n_sites(records)
    rng = random.Random(0)
    present = rng.sample(range(sites), domains // 10)
    lines = []
    expected = set()
    for j, k in enumerate(present):
        base = f"site{k}.{TLDS[k % len(TLDS)]}"
        if j % 20 == 0:
            lines.append(f"*.{base}")
            expected.add(base)
        elif j % 20 == 1:
            lines.append(f"domain:{base.upper()}  # asked by e-mail")
            expected.add(base)
        elif j % 20 == 2:
            lines.append(f"www.{base}")
            expected.add(f"www.{base}")
        else:
            lines.append(base)
            expected.add(base)
    absent = domains - len(present)
    wrong_tld = rng.sample(range(sites), absent // 2)  # sites of the ledger under a TLD they do not have
    for k in wrong_tld:
        tld = TLDS[(k % len(TLDS) + 1 + k % 3) % len(TLDS)]
        value = f"site{k}.{tld}"
        if value in expected:  # cannot happen: the TLD differs from the site's own
            raise AssertionError(value)
        lines.append(value)
        expected.add(value)
    for k in range(sites, sites + absent - len(wrong_tld)):  # sites the ledger never saw
        value = f"site{k}.{TLDS[k % len(TLDS)]}"
        lines.append(value)
        expected.add(value)
    rng.shuffle(lines)
    header = ["# opt-out registry written by benchmarks/consent_registry.py", ""]
    path.write_text("\n".join(header + lines) + "\n")
    assert len(expected) == domains, (len(expected), domains)
    return expected


def ensure_ledger(workdir: Path, records: int) -> Path:
    """The cached ledger for this size, built in a child process when missing (so this process's RSS is clean)."""
    ledger = workdir / f"consent-{records}.duckdb"
    done = ledger.with_name(ledger.name + ".built")
    if not done.exists():
        for stale in (ledger, ledger.with_name(ledger.name + ".wal"), ledger.with_name(ledger.name + ".key")):
            stale.unlink(missing_ok=True)
        workdir.mkdir(parents=True, exist_ok=True)
        print(f"building {ledger} (once; cached) ...", flush=True)
        subprocess.run([sys.executable, __file__, "--build-only", str(ledger), "--records", str(records)], check=True)
        done.touch()
    return ledger


# ---- measuring -------------------------------------------------------------------------------------------------------
def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def clock(fn, *args, **kwargs):
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - started, result


@contextmanager
def statement_profile(label: str):
    """Time every statement the ledger runs inside the block (Ledger.execute and Ledger.sql, patched on the class for
    the block only) and print them, slowest first."""
    times: dict[str, list[float]] = defaultdict(list)
    original_execute, original_sql = Ledger.execute, Ledger.sql

    def key(sql: str) -> str:
        return re.sub(r"\s+", " ", sql).strip()

    def execute(self, sql, params=None):
        started = time.perf_counter()
        try:
            return original_execute(self, sql, params)
        finally:
            times[key(sql)].append(time.perf_counter() - started)

    def run_sql(self, query, params=None):
        started = time.perf_counter()
        try:
            return original_sql(self, query, params)
        finally:
            times[key(query)].append(time.perf_counter() - started)

    Ledger.execute, Ledger.sql = execute, run_sql
    started = time.perf_counter()
    try:
        yield
    finally:
        Ledger.execute, Ledger.sql = original_execute, original_sql
        total = time.perf_counter() - started
        in_sql = sum(sum(v) for v in times.values())
        print(f"\nprofile of {label}: {total:.2f} s in all, {in_sql:.2f} s in {sum(map(len, times.values()))} "
              f"statements, {total - in_sql:.2f} s outside SQL")  # fmt: skip
        for sql, spent in sorted(times.items(), key=lambda kv: -sum(kv[1])):
            shown = sql if len(sql) <= 160 else sql[:110] + " ... " + sql[-45:]
            print(f"  {sum(spent):7.3f} s  x{len(spent):<3} {shown}")


def cli(*args: str) -> tuple[float, str]:
    """Wall time of one `provenance` command in a fresh process, and the last line it printed."""
    exe = Path(sys.executable).with_name("provenance")
    started = time.perf_counter()
    done = subprocess.run([str(exe), *args], capture_output=True, text=True)
    spent = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(f"provenance {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    lines = (done.stdout + done.stderr).strip().splitlines()
    return spent, lines[-1] if lines else ""


def forget_registry(store: Ledger, name: str) -> None:
    """Remove a registry this benchmark loaded earlier, so every run starts from a ledger without it."""
    with store.transaction() as con:
        for table in ("optout_registries", "optout_entries", "registry_matches"):
            con.execute(f"DELETE FROM {table} WHERE name = ?", [name])


def independent_count(store: Ledger, domains: set[str]) -> tuple[int, int]:
    """(hosts matched, records matched) computed without the toolkit's matcher: every distinct host's suffixes are
    looked up in a Python set, then the records on those hosts are counted in SQL."""
    hosts = store.sql("SELECT DISTINCT host FROM origins WHERE host IS NOT NULL").column("host").to_pylist()
    matched = []
    for host in hosts:
        parts = host.split(".")
        if any(".".join(parts[i:]) in domains for i in range(len(parts))):
            matched.append(host)
    with store._views(matched_hosts=pa.table({"host": pa.array(matched, pa.string())})):
        records = store.scalar(
            "SELECT count(DISTINCT record_id) FROM origins WHERE host IN (SELECT host FROM matched_hosts)"
        )
    return len(matched), records


def naive_loop(rows: list[tuple[str, str | None]], domains: set[str]) -> int:
    """What the issue warns against: every record's host, every suffix of it, one set lookup each."""
    matched = set()
    for record_id, url in rows:
        if not url:
            continue
        host = urlsplit(url).hostname
        if not host:
            continue
        parts = host.rstrip(".").split(".")
        for i in range(len(parts)):
            if ".".join(parts[i:]) in domains:
                matched.add(record_id)
                break
    return len(matched)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=10_000_000)
    parser.add_argument("--domains", type=int, default=100_000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/prov-bench-consent"))
    parser.add_argument("--repeat", type=int, default=3, help="timed passes of each step (the median is printed)")
    parser.add_argument("--naive-sample", type=int, default=100_000, help="records timed for the naive loop")
    parser.add_argument("--memory-limit", help="DuckDB memory limit of the ledger (default: the toolkit's, 384MB)")
    parser.add_argument("--profile", action="store_true", help="print the time of every SQL statement of one apply")
    parser.add_argument("--no-cli", action="store_true", help="skip the fresh-process `provenance` commands")
    parser.add_argument("--rebuild", action="store_true", help="build the ledger again even if cached")
    parser.add_argument("--build-only", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.build_only:
        build_ledger(args.build_only, args.records)
        return
    if args.rebuild and args.workdir.exists():
        shutil.rmtree(args.workdir)
    ledger_path = ensure_ledger(args.workdir, args.records)
    registry = args.workdir / f"registry-{args.records}-{args.domains}.txt"
    expected_domains = write_registry(registry, args.records, args.domains)
    name = "bench"
    target = 5.0

    with Ledger(ledger_path, memory_limit=args.memory_limit) as store:
        counts = {t: store.scalar(f"SELECT count(*) FROM {t}") for t in ("records", "origins", "sources")}
        hosts = store.scalar("SELECT count(DISTINCT host) FROM origins")
        forget_registry(store, name)
    print(
        f"ledger {ledger_path} ({ledger_path.stat().st_size / 2**30:.2f} GiB): {counts['records']:,} records, "
        f"{counts['origins']:,} origins on {hosts:,} distinct hosts, {counts['sources']} sources"
    )
    print(f"registry {registry}: {args.domains:,} domains, {registry.stat().st_size / 2**20:.1f} MiB")

    # -- as the CLI runs it: a fresh process per command -------------------------------------------------------------
    if not args.no_cli:
        command = ["consent", "registry", "add", str(registry), "--name", name, "--ledger", str(ledger_path)]
        startup, _ = cli("--help")
        cli_first, said_first = cli(*command)
        cli_again, said_again = cli(*command)
        print(f"\nprovenance consent registry add {registry.name} --name {name} (a fresh process each)")
        print(f"  first load:     {cli_first:.2f} s  ({said_first})")
        print(f"  unchanged file: {cli_again:.2f} s  ({said_again})")
        print(f"  (start-up alone, provenance --help: {startup:.2f} s)")
        with Ledger(ledger_path, memory_limit=args.memory_limit) as store:
            forget_registry(store, name)

    opened, store = clock(Ledger, ledger_path, memory_limit=args.memory_limit)
    with store:
        limit = store.scalar("SELECT current_setting('memory_limit')")
        threads = store.scalar("SELECT current_setting('threads')")
        print(f"\nin this process: ledger opened in {opened:.2f} s (DuckDB memory_limit {limit}, threads {threads})")

        # -- end to end, first load: parse + new version + match -----------------------------------------------------
        print(f"apply_registry(ledger, {registry.name}, name={name!r}), end to end")
        first, applied = clock(consent_records.apply_registry, store, registry, name=name)
        print(
            f"  first load: {first:.2f} s -> version {applied.version} (new: {applied.new_version}), "
            f"{applied.entries:,} entries, {applied.records_matched:,} records matched"
        )
        assert applied.new_version and applied.entries == args.domains
        again = []
        for _ in range(args.repeat):
            spent, reapplied = clock(consent_records.apply_registry, store, registry, name=name)
            assert not reapplied.new_version and reapplied.version == applied.version, reapplied
            assert reapplied.records_matched == applied.records_matched
            again.append(spent)
        versions = store.scalar("SELECT count(*) FROM optout_registries WHERE name = ?", [name])
        print(
            f"  re-applying the unchanged file: median {statistics.median(again):.2f} s, max {max(again):.2f} s "
            f"(no new version stored: {versions} version(s) of '{name}' in the ledger)"
        )

        # -- each step on its own --------------------------------------------------------------------------------------
        from provenance.consent.registry import parse_registry, registry_digest

        def parse():
            entries = parse_registry(registry)
            table = pa.table({"kind": [e.kind for e in entries], "value": [e.value for e in entries]})
            return entries, table, registry_digest(entries)

        parse_times, store_times, match_times = [], [], []
        for _ in range(args.repeat):
            forget_registry(store, name)
            spent, (entries, table, digest) = clock(parse)
            parse_times.append(spent)
            spent, _ = clock(lc.store_registry, store, name, table, digest=digest, path=str(registry), description=None)
            store_times.append(spent)
            spent, matched = clock(lc.apply_registries, store, [name])
            match_times.append(spent)
        assert {e.value for e in entries} == expected_domains, "the parser read other domains than were written"
        print(f"  steps (median of {args.repeat}):")
        print(f"    parse + digest the file       {statistics.median(parse_times):6.2f} s")
        print(f"    store the version (entries)   {statistics.median(store_times):6.2f} s")
        print(
            f"    match join (apply_registries) {statistics.median(match_times):6.2f} s   "
            f"(max {max(match_times):.2f} s)"
        )

        # -- check ---------------------------------------------------------------------------------------------------
        spent, (hosts_matched, records_expected) = clock(independent_count, store, expected_domains)
        in_table = store.scalar("SELECT count(DISTINCT record_id) FROM registry_matches WHERE name = ?", [name])
        ok = records_expected == applied.records_matched == matched[name] == in_table
        print(
            f"\nrecords matched: {applied.records_matched:,} (registry_matches holds {in_table:,}); independent count "
            f"(suffixes of {hosts:,} hosts tested in Python, {hosts_matched:,} hosts match): {records_expected:,} -> "
            f"{'agree' if ok else 'DISAGREE'} ({spent:.1f} s)"
        )

        # -- the naive loop ------------------------------------------------------------------------------------------
        sample = min(args.naive_sample, counts["origins"])
        fetch, rows = clock(
            lambda: store.execute(f"SELECT record_id, url FROM origins USING SAMPLE {sample} ROWS (reservoir, 1)")
        )
        loop, naive_matched = clock(naive_loop, rows, expected_domains)
        scale = counts["origins"] / len(rows)
        print(
            f"\nbaseline, a Python loop over records (host suffixes against a set of the {args.domains:,} domains):\n"
            f"  {len(rows):,} records in {loop:.2f} s ({len(rows) / loop:,.0f} records/s, {naive_matched:,} matched; "
            f"fetching them took {fetch:.2f} s more)\n"
            f"  extrapolated to {counts['origins']:,} records: {loop * scale:.1f} s for the loop alone, "
            f"vs {statistics.median(match_times):.2f} s for the match join"
        )

        # -- consent_state -------------------------------------------------------------------------------------------
        state_times = []
        for _ in range(args.repeat):
            spent, states = clock(store.execute, "SELECT state, count(*) FROM consent_state GROUP BY 1 ORDER BY 1")
            state_times.append(spent)
        print(
            f"\nSELECT state, count(*) FROM consent_state GROUP BY 1: median {statistics.median(state_times):.2f} s "
            f"(max {max(state_times):.2f} s): " + ", ".join(f"{s} {n:,}" for s, n in states)
        )

        if args.profile:
            forget_registry(store, name)
            with statement_profile("apply_registry, first load"):
                consent_records.apply_registry(store, registry, name=name)
            with statement_profile("apply_registry, unchanged file"):
                consent_records.apply_registry(store, registry, name=name)

    print(f"\npeak RSS of this process: {peak_rss_mb():,.0f} MiB")
    worst = max(first, *again, *([] if args.no_cli else [cli_first, cli_again]))
    print(
        f"\napply_registry, {args.domains:,} domains x {counts['records']:,} records: first load {first:.2f} s, "
        f"unchanged file {statistics.median(again):.2f} s, match join {statistics.median(match_times):.2f} s"
        + ("" if args.no_cli else f"; as a fresh CLI process {cli_first:.2f} s / {cli_again:.2f} s")
        + f" (target < {target:.0f} s: {'met' if worst < target else 'not met'}, slowest {worst:.2f} s)"
    )
    load = os.getloadavg()
    print(f"load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()

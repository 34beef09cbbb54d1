"""Consent in the ledger: scopes matched to records by joins, registries versioned, the revocation log chained.

A scope is a (kind, value) pair: a record id, a source id, a domain (and its subdomains), a URL prefix written
``host/path`` without scheme, an author or account, or a content hash. Registries and revocations are sets of
scopes; matching them to records is one SQL statement per kind, run by DuckDB over the whole ledger, so a registry
of 100,000 domains meets 10 million records as a hash join on distinct hosts rather than a loop over records.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence

import orjson
import pyarrow as pa

from .store import Ledger

SCOPE_KINDS = ("record", "source", "domain", "url_prefix", "author", "content_hash")

# (scope, kind, value) rows of the view ``scopes`` → (scope, record_id, kind, value), one statement per kind.
_MATCH_SQL = """
WITH wanted AS (SELECT * FROM scopes),
hosts AS (SELECT DISTINCT host FROM origins WHERE host IS NOT NULL
          AND EXISTS (SELECT 1 FROM wanted WHERE kind IN ('domain', 'url_prefix'))),
suffixes AS (SELECT host, array_to_string(parts[i:], '.') AS suffix
             FROM (SELECT host, string_split(host, '.') AS parts FROM hosts),
                  LATERAL (SELECT unnest(generate_series(1, len(parts))) AS i)),
domain_hosts AS (SELECT w.scope, w.kind, w.value, s.host FROM suffixes s
                 JOIN wanted w ON w.kind = 'domain' AND s.suffix = w.value),
prefixes AS (SELECT scope, kind, value, split_part(value, '/', 1) AS host FROM wanted WHERE kind = 'url_prefix')
SELECT w.scope, r.record_id, w.kind, w.value FROM records r JOIN wanted w ON w.kind = 'record' AND r.record_id = w.value
UNION ALL
SELECT w.scope, r.record_id, w.kind, w.value FROM records r JOIN wanted w ON w.kind = 'source' AND r.source_id = w.value
UNION ALL
SELECT w.scope, r.record_id, w.kind, w.value FROM records r
JOIN wanted w ON w.kind = 'content_hash' AND r.content_hash = w.value
UNION ALL
SELECT w.scope, r.record_id, w.kind, w.value FROM records r
JOIN wanted w ON w.kind = 'author' AND record_author(r.meta) = w.value
UNION ALL
SELECT DISTINCT d.scope, o.record_id, d.kind, d.value FROM origins o JOIN domain_hosts d ON o.host = d.host
UNION ALL
SELECT DISTINCT p.scope, o.record_id, p.kind, p.value FROM origins o
JOIN prefixes p ON o.host = p.host AND starts_with(url_key(o.url), p.value)
"""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def match_scopes(ledger: Ledger, scopes: pa.Table) -> pa.Table:
    """Which records each scope covers: ``scopes`` has columns scope, kind, value; the result adds record_id."""
    with ledger._views(scopes=scopes):
        return ledger.sql(_MATCH_SQL)


# ---- registries ----------------------------------------------------------------------------------------------------
def registry_versions(ledger: Ledger) -> list[dict]:
    return ledger.sql(
        "SELECT name, version, path, digest, entries, description, loaded_at FROM optout_registries "
        "ORDER BY name, version"
    ).to_pylist()


def store_registry(
    ledger: Ledger, name: str, entries: pa.Table, *, digest: str, path: str | None, description: str | None
) -> tuple[int, bool]:
    """Keep a registry's entries as a new version unless the latest version has the same digest.

    Returns (version, is_new). ``entries`` has columns kind, value.
    """
    latest = ledger.execute(
        "SELECT version, digest FROM optout_registries WHERE name = ? ORDER BY version DESC LIMIT 1", [name]
    )
    if latest and latest[0][1] == digest:
        return latest[0][0], False
    version = (latest[0][0] + 1) if latest else 1
    with ledger._views(incoming=entries), ledger.transaction() as con:
        con.execute(
            "INSERT INTO optout_registries VALUES (?, ?, ?, ?, ?, ?, ?)",
            [name, version, path, digest, entries.num_rows, description, _now()],
        )
        con.execute("INSERT INTO optout_entries SELECT ?, ?, kind, value FROM incoming", [name, version])
    return version, True


def apply_registries(ledger: Ledger, names: Sequence[str] | None = None) -> dict[str, int]:
    """Match the latest version of each registry (or of ``names``) to every record, replacing earlier matches.

    Returns records matched per registry. A record matched by an older version but not the latest is no longer
    opted out by that registry: a registry speaks for its latest version.
    """
    rows = ledger.execute(
        "SELECT name, max(version) FROM optout_registries GROUP BY name ORDER BY name"
        if names is None
        else "SELECT name, max(version) FROM optout_registries WHERE name IN (SELECT unnest(?)) GROUP BY name",
        [] if names is None else [list(names)],
    )
    counts: dict[str, int] = {}
    now = _now()
    for name, version in rows:
        with ledger.transaction() as con:
            con.execute("DELETE FROM registry_matches WHERE name = ?", [name])
            con.execute(
                f"""CREATE OR REPLACE TEMP VIEW scopes AS
                    SELECT name AS scope, kind, value FROM optout_entries WHERE name = '{_quote(name)}'
                    AND version = {int(version)}"""
            )
            con.execute(
                f"""INSERT INTO registry_matches
                    SELECT DISTINCT record_id, scope, {int(version)}, kind, value, ? FROM ({_MATCH_SQL})""",
                [now],
            )
            con.execute("DROP VIEW scopes")
        counts[name] = ledger.scalar("SELECT count(DISTINCT record_id) FROM registry_matches WHERE name = ?", [name])
    return counts


def _quote(text: str) -> str:
    return text.replace("'", "''")


# ---- revocations ---------------------------------------------------------------------------------------------------
def event_hash(prev_hash: str | None, event: dict) -> str:
    """Each event's hash covers the previous one's, so editing or deleting a past event breaks the chain."""
    body = orjson.dumps({"prev": prev_hash, **event}, option=orjson.OPT_SORT_KEYS, default=str)
    return hashlib.sha256(body).hexdigest()


CHAINED_FIELDS = ("event_id", "occurred_at", "actor", "action", "scope_kind", "scope_value", "reason")


def append_event(
    ledger: Ledger,
    *,
    event_id: str,
    actor: str,
    action: str,
    scope_kind: str,
    scope_value: str,
    reason: str | None,
    entries: pa.Table,
    detail: dict | None = None,
) -> int:
    """Append one consent event with its scopes and the exclusions they imply now; returns records excluded.

    The log is append-only: nothing in the toolkit updates or deletes ``consent_events``.
    """
    now = _now()
    with ledger.transaction() as con:
        prev = con.execute("SELECT event_hash FROM consent_events ORDER BY occurred_at DESC, event_id DESC LIMIT 1")
        prev_hash = prev[0][0] if prev else None
        fields = dict(
            zip(
                CHAINED_FIELDS,
                (event_id, now.isoformat(), actor, action, scope_kind, scope_value, reason),
                strict=True,
            )
        )
        with ledger._views(incoming=entries):
            con.execute("INSERT INTO event_entries SELECT ?, kind, value FROM incoming", [event_id])
            con.execute(
                "CREATE OR REPLACE TEMP VIEW scopes AS SELECT event_id AS scope, kind, value FROM event_entries "
                f"WHERE event_id = '{_quote(event_id)}'"
            )
            con.execute(
                f"INSERT INTO exclusions SELECT DISTINCT record_id, scope, kind, value, ? FROM ({_MATCH_SQL})", [now]
            )
            added = con.execute("SELECT count(DISTINCT record_id) FROM exclusions WHERE event_id = ?", [event_id])[0][0]
            con.execute("DROP VIEW scopes")
        con.execute(
            "INSERT INTO consent_events (event_id, occurred_at, actor, action, scope_kind, scope_value, reason, "
            "records, detail, prev_hash, event_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                event_id,
                now,
                actor,
                action,
                scope_kind,
                scope_value,
                reason,
                added,
                orjson.dumps(detail or {}).decode(),
                prev_hash,
                event_hash(prev_hash, fields),
            ],
        )
    return added


def refresh_exclusions(ledger: Ledger) -> int:
    """Extend every revocation to records that arrived after it (a revoked domain stays revoked for new pages)."""
    now = _now()
    with ledger.transaction() as con:
        con.execute(
            "CREATE OR REPLACE TEMP VIEW scopes AS SELECT e.event_id AS scope, e.kind, e.value FROM event_entries e "
            "JOIN consent_events c USING (event_id) WHERE c.action = 'revoke'"
        )
        added = con.execute(
            f"""INSERT INTO exclusions SELECT DISTINCT m.record_id, m.scope, m.kind, m.value, ? FROM ({_MATCH_SQL}) m
                WHERE NOT EXISTS (SELECT 1 FROM exclusions x WHERE x.record_id = m.record_id
                                  AND x.event_id = m.scope)""",
            [now],
        )[0][0]
        con.execute("DROP VIEW scopes")
    return added


def verify_chain(ledger: Ledger) -> list[str]:
    """Problems with the revocation log: an event whose hash does not match its content or its predecessor."""
    problems = []
    prev_hash = None
    rows = ledger.sql(
        "SELECT event_id, occurred_at, actor, action, scope_kind, scope_value, reason, prev_hash, event_hash "
        "FROM consent_events ORDER BY occurred_at, event_id"
    ).to_pylist()
    for item in rows:
        row = list(item.values())
        fields = dict(zip(CHAINED_FIELDS, row[:7], strict=True))
        if row[8] is None:  # written before the log was chained (ledger schema 2)
            continue
        fields["occurred_at"] = fields["occurred_at"].astimezone(dt.timezone.utc).isoformat()
        if row[7] != prev_hash:
            problems.append(f"event {row[0]}: its predecessor is missing or was changed")
        if event_hash(row[7], fields) != row[8]:
            problems.append(f"event {row[0]}: its content was changed after it was written")
        prev_hash = row[8]
    return problems


# ---- consent state -------------------------------------------------------------------------------------------------
def record_collected_state(ledger: Ledger) -> int:
    """Remember the consent state of records seen for the first time: the state 'at collection' that a training
    run's re-check compares against."""
    with ledger.transaction() as con:
        return con.execute(
            """INSERT INTO record_consent
               SELECT c.record_id, c.source_id, c.state, c.reason, ? FROM consent_state c
               WHERE NOT EXISTS (SELECT 1 FROM record_consent k WHERE k.record_id = c.record_id)""",
            [_now()],
        )[0][0]


CHANGES_SQL = """SELECT c.source_id, k.state AS collected_state, c.state, c.reason, count(*) AS records,
       list(c.record_id ORDER BY c.record_id)[:{sample}] AS sample_records
FROM consent_state c JOIN record_consent k USING (record_id)
WHERE k.state <> c.state {restrict}
GROUP BY ALL ORDER BY c.source_id, k.state, c.state, c.reason"""


def state_changes(ledger: Ledger, run_id: str | None = None, sample: int = 20) -> pa.Table:
    """Records whose consent now differs from the state recorded at collection, by source, change and reason."""
    restrict = "AND c.record_id IN (SELECT record_id FROM run_records WHERE run_id = ?)" if run_id else ""
    return ledger.sql(CHANGES_SQL.format(sample=int(sample), restrict=restrict), [run_id] if run_id else None)


def state_counts(ledger: Ledger) -> pa.Table:
    return ledger.sql(
        "SELECT source_id, state, count(*) AS records FROM consent_state GROUP BY ALL ORDER BY source_id, state"
    )


def record_release(ledger: Ledger, release_id: str, out_dir: str, files: Sequence[str]) -> None:
    """Note a card release: which records it described is then known (every record seen before it, not revoked)."""
    now = _now()
    with ledger.transaction() as con:
        records = con.execute(
            "SELECT count(*) FROM records r "
            "WHERE NOT EXISTS (SELECT 1 FROM exclusions x WHERE x.record_id = r.record_id)"
        )[0][0]
        con.execute(
            "INSERT INTO card_releases VALUES (?, ?, ?, ?, ?)", [release_id, now, out_dir, list(files), records]
        )


# Releases that described a record: written after the record arrived and before it was excluded.
RELEASES_INCLUDING_SQL = """SELECT c.release_id, c.written_at, c.out_dir, count(DISTINCT a.record_id) AS records
FROM card_releases c JOIN affected a ON TRUE JOIN records r ON r.record_id = a.record_id
WHERE r.first_seen <= c.written_at
  AND NOT EXISTS (SELECT 1 FROM exclusions x WHERE x.record_id = a.record_id AND x.excluded_at < c.written_at)
GROUP BY ALL ORDER BY c.written_at"""

RUNS_USING_SQL = """SELECT u.run_id, u.name, u.started_at, u.status, count(DISTINCT rr.record_id) AS records
FROM run_records rr SEMI JOIN affected a ON rr.record_id = a.record_id JOIN runs u USING (run_id)
GROUP BY ALL ORDER BY u.started_at"""


__all__ = [
    "RELEASES_INCLUDING_SQL",
    "RUNS_USING_SQL",
    "SCOPE_KINDS",
    "append_event",
    "apply_registries",
    "match_scopes",
    "record_collected_state",
    "record_release",
    "refresh_exclusions",
    "registry_versions",
    "state_changes",
    "state_counts",
    "store_registry",
    "verify_chain",
]

"""The ledger's tables, as numbered migrations. A ledger records which migrations it has; opening one applies the
missing ones in a transaction, and refuses a ledger written by a newer toolkit rather than guessing at it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    statements: tuple[str, ...]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "sources, records, origins, findings, scans, runs, run_records, consent_events",
        (
            """CREATE TABLE ledger_info (key VARCHAR PRIMARY KEY, value VARCHAR)""",
            """CREATE TABLE sources (
                source_id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, homepage VARCHAR,
                license VARCHAR NOT NULL, license_raw VARCHAR NOT NULL,
                consent_basis VARCHAR NOT NULL, collection_method VARCHAR NOT NULL,
                period_start DATE, period_end DATE, collector VARCHAR, terms_url VARCHAR,
                attribution VARCHAR, languages VARCHAR[], notes VARCHAR,
                manifest VARCHAR, declared_at TIMESTAMPTZ NOT NULL)""",
            """CREATE TABLE records (
                record_id VARCHAR NOT NULL, source_id VARCHAR NOT NULL, content_hash VARCHAR NOT NULL,
                n_chars BIGINT NOT NULL, n_bytes BIGINT NOT NULL,
                record_license VARCHAR, record_license_raw VARCHAR, meta JSON,
                first_scan_id VARCHAR, first_seen TIMESTAMPTZ NOT NULL)""",
            """CREATE TABLE origins (
                record_id VARCHAR NOT NULL, source_id VARCHAR NOT NULL, kind VARCHAR NOT NULL,
                path VARCHAR, line BIGINT, "row" BIGINT, byte_offset BIGINT,
                dataset_repo VARCHAR, dataset_config VARCHAR, dataset_split VARCHAR, dataset_revision VARCHAR,
                url VARCHAR, fetched_at TIMESTAMPTZ, scan_id VARCHAR)""",
            """CREATE TABLE files (
                path VARCHAR NOT NULL, source_id VARCHAR NOT NULL, size BIGINT, mtime_ns BIGINT,
                records BIGINT, bad_records BIGINT, stamps VARCHAR[], scan_id VARCHAR, finished_at TIMESTAMPTZ,
                PRIMARY KEY (path, source_id))""",
            """CREATE TABLE bad_records (
                scan_id VARCHAR, source_id VARCHAR, path VARCHAR, line BIGINT, "row" BIGINT, reason VARCHAR)""",
            """CREATE TABLE scans (
                scan_id VARCHAR PRIMARY KEY, command VARCHAR, started_at TIMESTAMPTZ, finished_at TIMESTAMPTZ,
                status VARCHAR, scanners VARCHAR[], workers INTEGER,
                records_read BIGINT, records_added BIGINT, bad_records BIGINT, toolkit_version VARCHAR)""",
            """CREATE TABLE record_scans (record_id VARCHAR NOT NULL, stamp VARCHAR NOT NULL, scan_id VARCHAR)""",
            """CREATE TABLE findings (
                record_id VARCHAR NOT NULL, scanner VARCHAR NOT NULL, stamp VARCHAR NOT NULL,
                kind VARCHAR NOT NULL, label VARCHAR NOT NULL, start BIGINT, "end" BIGINT, score DOUBLE,
                value_hash VARCHAR, scan_id VARCHAR)""",
            """CREATE TABLE scan_partials (
                stamp VARCHAR NOT NULL, scanner VARCHAR NOT NULL, source_id VARCHAR NOT NULL,
                scan_id VARCHAR, payload JSON NOT NULL)""",
            """CREATE TABLE runs (
                run_id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, started_at TIMESTAMPTZ, ended_at TIMESTAMPTZ,
                git_commit VARCHAR, git_dirty BOOLEAN, policy JSON, status VARCHAR)""",
            """CREATE TABLE run_records (run_id VARCHAR NOT NULL, record_id VARCHAR NOT NULL, epoch INTEGER)""",
            """CREATE TABLE consent_events (
                event_id VARCHAR PRIMARY KEY, occurred_at TIMESTAMPTZ NOT NULL, actor VARCHAR, action VARCHAR NOT NULL,
                scope_kind VARCHAR NOT NULL, scope_value VARCHAR NOT NULL, reason VARCHAR, records BIGINT)""",
        ),
    ),
)

MIGRATIONS += (
    Migration(
        2,
        "spool files, run summaries and drops, licence claims, the recognizer of a finding",
        (
            """CREATE TABLE spool_merged (name VARCHAR PRIMARY KEY, merged_at TIMESTAMPTZ, records BIGINT)""",
            """ALTER TABLE run_records ADD COLUMN source_id VARCHAR""",
            """ALTER TABLE findings ADD COLUMN detail VARCHAR""",
            """ALTER TABLE scans ADD COLUMN not_checked VARCHAR[]""",
            """CREATE TABLE license_claims (
                source_id VARCHAR NOT NULL, license VARCHAR NOT NULL, license_raw VARCHAR, use VARCHAR,
                claimed_by VARCHAR NOT NULL, claim_where VARCHAR NOT NULL, chosen BOOLEAN, recorded_at TIMESTAMPTZ)""",
            """CREATE TABLE run_sources (run_id VARCHAR NOT NULL, source_id VARCHAR, links BIGINT)""",
            """CREATE TABLE run_drops (
                run_id VARCHAR, source_id VARCHAR, reason VARCHAR, records BIGINT, recorded_at TIMESTAMPTZ)""",
        ),
    ),
)

# The host of a URL, lower-cased, without userinfo, port or trailing dot: what registries and revocations match.
URL_HOST_MACRO = r"""CREATE OR REPLACE MACRO url_host(u) AS nullif(rtrim(lower(regexp_extract(u,
    '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)', 1)), '.'), '')"""
# host + path (+ query) without scheme or port, as registry URL prefixes are written ("example.com/blog/").
URL_KEY_MACRO = r"""CREATE OR REPLACE MACRO url_key(u) AS url_host(u) ||
    coalesce(nullif(regexp_extract(u, '^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*([^#]*)', 1), ''), '/')"""
# An author or account named in a record's metadata, normalised as registries normalise it.
RECORD_AUTHOR_MACRO = r"""CREATE OR REPLACE MACRO record_author(meta) AS nullif(trim(lower(regexp_replace(ltrim(trim(
    coalesce(meta->>'author', meta->>'username', meta->>'user', meta->>'account', meta->>'screen_name',
             meta->>'byline')), '@'), '\s+', ' ', 'g'))), '')"""

# Consent signals the consent scanner found, from each record's latest consent scan only (a re-scan with new
# snapshots supersedes the old answers).
CONSENT_SIGNALS_VIEW = """CREATE OR REPLACE VIEW consent_signals AS
WITH latest AS (SELECT record_id, arg_max(stamp, scan_id) AS stamp FROM record_scans
                WHERE stamp LIKE 'consent@%' GROUP BY record_id)
SELECT f.record_id, f.label AS signal,
       CASE WHEN f.score = 1 THEN true WHEN f.score = 0 THEN false END AS opted_out,
       f.detail::JSON->>'value' AS value, f.detail::JSON->>'where' AS observed_where,
       f.detail::JSON->>'observed_at' AS observed_at, f.detail::JSON->'agents' AS agents, f.stamp, f.scan_id
FROM findings f SEMI JOIN latest l ON f.record_id = l.record_id AND f.stamp = l.stamp
WHERE f.scanner = 'consent'"""

# Each record's consent now: a revocation beats an opt-out (registry or signal), which beats the declared basis.
CONSENT_STATE_VIEW = """CREATE OR REPLACE VIEW consent_state AS
WITH opt AS (SELECT record_id, min(signal || ': ' || value || coalesce(' (' || nullif(observed_where, '') ||
                    coalesce(', observed ' || observed_at, '') || ')', '')) AS why
             FROM consent_signals WHERE opted_out GROUP BY record_id),
     allow AS (SELECT record_id, min(signal || ': ' || value) AS why
               FROM consent_signals WHERE NOT opted_out GROUP BY record_id),
     reg AS (SELECT record_id, min('registry ' || name || ' v' || version || ': ' || kind || ' ' || value) AS why
             FROM registry_matches GROUP BY record_id),
     exc AS (SELECT x.record_id, min('revoked ' || strftime(e.occurred_at, '%Y-%m-%d') || ' by ' ||
                    coalesce(e.actor, 'unknown') || ' (event ' || e.event_id || ')' || coalesce(': ' || e.reason, ''))
                    AS why
             FROM exclusions x JOIN consent_events e USING (event_id) GROUP BY x.record_id)
SELECT r.record_id, r.source_id,
       CASE WHEN exc.why IS NOT NULL THEN 'revoked'
            WHEN reg.why IS NOT NULL OR opt.why IS NOT NULL THEN 'opted_out'
            WHEN s.consent_basis IN ('explicit_opt_in', 'contract', 'licence_grant', 'public_domain') THEN 'granted'
            WHEN s.consent_basis = 'legitimate_interest_opt_out' OR allow.why IS NOT NULL THEN 'no_objection'
            ELSE 'unknown' END AS state,
       coalesce(exc.why, reg.why, opt.why,
                CASE WHEN s.consent_basis <> 'unknown' THEN 'consent basis ' || s.consent_basis || ' (declared)' END
                || CASE WHEN s.consent_basis = 'legitimate_interest_opt_out' THEN ', no opt-out found' ELSE '' END,
                allow.why, 'consent basis unknown and no signal found') AS reason
FROM records r JOIN sources s USING (source_id)
LEFT JOIN exc USING (record_id) LEFT JOIN reg USING (record_id) LEFT JOIN opt USING (record_id)
LEFT JOIN allow USING (record_id)"""

MIGRATIONS += (
    Migration(
        3,
        "consent: hosts of origins, opt-out registries, revocation scopes and exclusions, consent state per record, "
        "card releases",
        (
            URL_HOST_MACRO,
            URL_KEY_MACRO,
            RECORD_AUTHOR_MACRO,
            """ALTER TABLE origins ADD COLUMN host VARCHAR""",
            """UPDATE origins SET host = url_host(url) WHERE url IS NOT NULL""",
            """ALTER TABLE consent_events ADD COLUMN detail JSON""",
            """ALTER TABLE consent_events ADD COLUMN prev_hash VARCHAR""",
            """ALTER TABLE consent_events ADD COLUMN event_hash VARCHAR""",
            """CREATE TABLE event_entries (event_id VARCHAR NOT NULL, kind VARCHAR NOT NULL, value VARCHAR NOT NULL)""",
            """CREATE TABLE exclusions (record_id VARCHAR NOT NULL, event_id VARCHAR NOT NULL, kind VARCHAR,
                value VARCHAR, excluded_at TIMESTAMPTZ)""",
            """CREATE TABLE optout_registries (
                name VARCHAR NOT NULL, version INTEGER NOT NULL, path VARCHAR, digest VARCHAR NOT NULL,
                entries BIGINT, description VARCHAR, loaded_at TIMESTAMPTZ, PRIMARY KEY (name, version))""",
            """CREATE TABLE optout_entries (name VARCHAR NOT NULL, version INTEGER NOT NULL, kind VARCHAR NOT NULL,
                value VARCHAR NOT NULL)""",
            """CREATE TABLE registry_matches (record_id VARCHAR NOT NULL, name VARCHAR NOT NULL,
                version INTEGER NOT NULL, kind VARCHAR, value VARCHAR, matched_at TIMESTAMPTZ)""",
            """CREATE TABLE record_consent (record_id VARCHAR NOT NULL, source_id VARCHAR, state VARCHAR NOT NULL,
                reason VARCHAR, recorded_at TIMESTAMPTZ)""",
            """CREATE TABLE run_consent (run_id VARCHAR NOT NULL, source_id VARCHAR, collected_state VARCHAR,
                state VARCHAR, reason VARCHAR, records BIGINT, checked_at TIMESTAMPTZ)""",
            """CREATE TABLE card_releases (release_id VARCHAR PRIMARY KEY, written_at TIMESTAMPTZ NOT NULL,
                out_dir VARCHAR, files VARCHAR[], records BIGINT)""",
            CONSENT_SIGNALS_VIEW,
            CONSENT_STATE_VIEW,
        ),
    ),
)

LATEST_VERSION = MIGRATIONS[-1].version

TABLES = (
    "sources",
    "records",
    "origins",
    "findings",
    "scans",
    "runs",
    "run_records",
    "consent_events",
    "files",
    "bad_records",
    "record_scans",
    "scan_partials",
    "spool_merged",
    "run_drops",
    "run_sources",
    "license_claims",
    "event_entries",
    "exclusions",
    "optout_registries",
    "optout_entries",
    "registry_matches",
    "record_consent",
    "run_consent",
    "card_releases",
    "ledger_info",
    "schema_migrations",
)

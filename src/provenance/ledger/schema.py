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
    "ledger_info",
    "schema_migrations",
)

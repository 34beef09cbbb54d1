"""Consent over a whole ledger: apply opt-out registries, revoke, answer removal requests, re-check at run time.

Every function here has a command of the same name (``provenance consent registry|revoke|status|recheck|log``,
``provenance forget``). Matching is done by joins in the ledger (``ledger.consent``); this module decides what to
match, appends to the revocation log, and says what was affected: records, training runs, card releases.
"""

from __future__ import annotations

import datetime as dt
import getpass
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

from .errors import InputError
from .ledger import Ledger
from .ledger import consent as lc
from .models.consent import (
    AffectedRelease,
    AffectedRun,
    ConsentChange,
    EvidenceRecord,
    IdentifierSearch,
    RecheckReport,
    RegistryApplied,
    RemovalEvidence,
    RevocationReport,
    ScopeKind,
)

SAMPLE_RECORDS = 50


def _actor(actor: str | None) -> str:
    if actor:
        return actor
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _open(ledger: str | Path | Ledger) -> tuple[Ledger, bool]:
    return (ledger, False) if isinstance(ledger, Ledger) else (Ledger(ledger), True)


def exclusion_list_path(ledger_path: str | Path) -> Path:
    path = Path(ledger_path)
    return path.with_name(path.name + ".exclusions.csv")


def write_exclusion_list(store: Ledger, path: str | Path | None = None) -> Path:
    """Every excluded record with its content hash and the event that excluded it; ``track(policy=...)`` reads
    it (the ledger holds the same facts; the file is for jobs that get only the list)."""
    target = Path(path) if path else exclusion_list_path(store.path)
    table = store.sql(
        """SELECT x.record_id, r.content_hash, x.event_id, min(x.excluded_at) AS excluded_at
           FROM exclusions x JOIN records r USING (record_id) GROUP BY ALL ORDER BY x.record_id, x.event_id"""
    )
    tmp = target.with_name(target.name + ".tmp")
    pacsv.write_csv(table, tmp)
    tmp.replace(target)
    return target


# ---- registries ----------------------------------------------------------------------------------------------------
def apply_registry(
    ledger: str | Path | Ledger, path: str | Path, *, name: str | None = None, description: str | None = None
) -> RegistryApplied:
    """Load an opt-out registry file as a new version (unless unchanged) and match it to every record."""
    from .consent.registry import parse_registry, registry_digest

    path = Path(path)
    entries = parse_registry(path)
    name = name or path.stem
    table = pa.table({"kind": [e.kind for e in entries], "value": [e.value for e in entries]})
    store, owned = _open(ledger)
    try:
        version, new = lc.store_registry(
            store, name, table, digest=registry_digest(entries), path=str(path), description=description
        )
        matched = lc.apply_registries(store, [name])[name]
    finally:
        if owned:
            store.close()
    by_kind: dict[str, int] = {}
    for e in entries:
        by_kind[e.kind] = by_kind.get(e.kind, 0) + 1
    return RegistryApplied(
        name=name,
        version=version,
        new_version=new,
        path=str(path),
        entries=len(entries),
        entries_by_kind=by_kind,
        records_matched=matched,
    )


def settle(store: Ledger, registries: Sequence[tuple[str, Path, str | None]] = ()) -> list[RegistryApplied]:
    """After new records arrive: apply the manifest's registries, extend revocations to the newcomers, and record
    the consent state of records seen for the first time."""
    applied = [apply_registry(store, path, name=name, description=desc) for name, path, desc in registries]
    named = {a.name for a in applied}
    others = [r["name"] for r in lc.registry_versions(store) if r["name"] not in named]
    if others:
        lc.apply_registries(store, sorted(set(others)))
    lc.refresh_exclusions(store)
    lc.record_collected_state(store)
    return applied


# ---- revocation ----------------------------------------------------------------------------------------------------
def _normalise_scope(kind: str, value: str) -> str:
    if kind in ("record", "source"):
        value = value.strip()
        if not value:
            raise InputError(f"empty {kind} id", hint=f"give the {kind} id to revoke")
        return value
    from .consent.registry import normalise_entry

    try:
        return normalise_entry(kind, value)
    except ValueError as exc:
        raise InputError(f"cannot revoke {kind} '{value}': {exc}") from None


def _affected(store: Ledger, event_id: str) -> tuple[list[AffectedRun], list[AffectedRelease]]:
    affected = store.sql("SELECT DISTINCT record_id FROM exclusions WHERE event_id = ?", [event_id])
    with store._views(affected=affected):
        runs = [AffectedRun(**r) for r in store.sql(lc.RUNS_USING_SQL).to_pylist()]
        releases = store.sql(lc.RELEASES_INCLUDING_SQL).to_pylist()
    return runs, [AffectedRelease(**r) for r in releases]


def revoke(
    ledger: str | Path | Ledger,
    *,
    scope_kind: str | ScopeKind,
    value: str,
    reason: str | None = None,
    actor: str | None = None,
    exclusion_list: str | Path | None = None,
) -> RevocationReport:
    """Revoke consent for a record, a source, a domain (with its subdomains), a URL prefix, an author or a content
    hash. Appends to the consent log, excludes the records now and (on every later scan) those that arrive later,
    writes the exclusion list, and reports the training runs and card releases that used them."""
    kind = ScopeKind(scope_kind).value if not isinstance(scope_kind, ScopeKind) else scope_kind.value
    normalised = _normalise_scope(kind, value)
    store, owned = _open(ledger)
    try:
        if kind == "source" and not store.scalar("SELECT count(*) FROM sources WHERE source_id = ?", [normalised]):
            raise InputError(f"no source '{normalised}' in {store.path}", hint="see 'provenance sources'")
        event_id = _event_id()
        who = _actor(actor)
        excluded = lc.append_event(
            store,
            event_id=event_id,
            actor=who,
            action="revoke",
            scope_kind=kind,
            scope_value=normalised,
            reason=reason,
            entries=pa.table({"kind": [kind], "value": [normalised]}),
        )
        return _revocation_report(store, event_id, excluded, exclusion_list)
    finally:
        if owned:
            store.close()


def _event_id() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S-") + uuid.uuid4().hex[:8]


def _revocation_report(store: Ledger, event_id: str, excluded: int, exclusion_list: str | Path | None):
    row = store.sql("SELECT * FROM consent_events WHERE event_id = ?", [event_id]).to_pylist()[0]
    by_source = dict(
        store.execute(
            "SELECT r.source_id, count(DISTINCT x.record_id) FROM exclusions x JOIN records r USING (record_id) "
            "WHERE x.event_id = ? GROUP BY ALL ORDER BY 1",
            [event_id],
        )
    )
    sample = [
        r[0]
        for r in store.execute(
            "SELECT DISTINCT record_id FROM exclusions WHERE event_id = ? ORDER BY 1 LIMIT ?",
            [event_id, SAMPLE_RECORDS],
        )
    ]
    runs, releases = _affected(store, event_id)
    listed = write_exclusion_list(store, exclusion_list)
    return RevocationReport(
        event_id=event_id,
        occurred_at=row["occurred_at"],
        actor=row["actor"],
        scope_kind=row["scope_kind"],
        scope_value=row["scope_value"],
        reason=row["reason"],
        records_excluded=excluded,
        records_by_source=by_source,
        sample_records=sample,
        runs=runs,
        releases=releases,
        exclusion_list=str(listed),
    )


# ---- removal requests ----------------------------------------------------------------------------------------------
IDENTIFIER_KINDS = {
    "email": "EMAIL_ADDRESS",
    "phone": "PHONE_NUMBER",
    "card": "CREDIT_CARD",
    "iban": "IBAN_CODE",
    "ssn": "US_SSN",
    "name": "PERSON",
}


def _searchable() -> frozenset[str]:
    """The pii entity types a removal request can name."""
    from .scanners.pii.scanner import DEFAULT_ENTITIES, NER_ENTITIES, OPTIONAL_ENTITIES

    return frozenset(DEFAULT_ENTITIES + OPTIONAL_ENTITIES + NER_ENTITIES)


def forget(
    ledger: str | Path | Ledger,
    identifiers: Mapping[str, Sequence[str]],
    *,
    request_id: str | None = None,
    reason: str | None = None,
    actor: str | None = None,
    exclusion_list: str | Path | None = None,
    dry_run: bool = False,
) -> RemovalEvidence:
    """Answer a removal request: find the records holding a person's identifiers (e-mail, phone, name, username,
    card, IBAN, SSN) through the pii scanner's keyed hashes and the records' author metadata, revoke them (and any
    copy with the same content), and return the evidence. The identifiers themselves are never stored or printed.
    """
    from .scanners.pii import keyed_hash

    searchable = _searchable()
    request_id = request_id or "removal-" + uuid.uuid4().hex[:12]
    store, owned = _open(ledger)
    try:
        key = store.secret()
        scanned_labels = {r[0] for r in store.execute("SELECT DISTINCT label FROM findings WHERE scanner = 'pii'")}
        pii_ran = bool(store.scalar("SELECT count(*) FROM record_scans WHERE stamp LIKE 'pii@%' LIMIT 1"))
        ner_ran = "PERSON" in scanned_labels
        wanted: list[tuple[str, str, str | None, str]] = []  # (identifier ref, label or 'author', hash, searched by)
        authors: list[tuple[str, str]] = []
        not_searched: list[str] = []
        counter: dict[str, int] = {}
        for kind, values in identifiers.items():
            kind_l = kind.lower()
            for value in values:
                if not str(value).strip():
                    continue
                counter[kind_l] = counter.get(kind_l, 0) + 1
                ref = f"{kind_l} #{counter[kind_l]}"
                if kind_l in ("username", "author", "account"):
                    from .consent.registry import normalise_entry

                    try:
                        authors.append((ref, normalise_entry("author", str(value))))
                    except ValueError:  # the message would quote the value: say what is wrong without it
                        raise InputError(
                            f"{ref}: cannot be searched as an author or account name (empty, or too long)",
                            hint="give the name as the records' author metadata spells it",
                        ) from None
                    continue
                entity = IDENTIFIER_KINDS.get(kind_l, kind.upper())
                if entity not in searchable:
                    from .lookup import shown_kind

                    raise InputError(
                        f"cannot search for {shown_kind(kind)} (identifier {sum(counter.values())})",
                        hint="give --email, --phone, --name, --username, or --value TYPE=VALUE with a pii type "
                        "such as IBAN_CODE or US_SSN",
                    )
                if entity == "PERSON" and not ner_ran:
                    not_searched.append(
                        f"{ref}: names are found by the pii scanner's NER tier, which has not run on this ledger "
                        "(scan with --set pii.ner_model=en_core_web_sm)"
                    )
                    continue
                if not pii_ran:
                    not_searched.append(f"{ref}: the pii scanner has not run on this ledger (scan --scanners pii)")
                    continue
                wanted.append((ref, entity, keyed_hash(key, entity, str(value)), f"pii findings {entity}"))
        if not wanted and not authors:
            raise InputError(
                "nothing in this removal request can be searched: " + ("; ".join(not_searched) or "no identifiers"),
                hint="give --email, --phone, --name or --username; e-mails, phones and names need a pii scan first",
            )
        asked = pa.table(
            {
                "ref": [w[0] for w in wanted],
                "label": [w[1] for w in wanted],
                "value_hash": [w[2] for w in wanted],
            },
            schema=pa.schema([("ref", pa.string()), ("label", pa.string()), ("value_hash", pa.string())]),
        )
        by_author = pa.table(
            {"ref": [a[0] for a in authors], "author": [a[1] for a in authors]},
            schema=pa.schema([("ref", pa.string()), ("author", pa.string())]),
        )
        with store._views(asked=asked, by_author=by_author):
            hits = store.sql(
                """SELECT DISTINCT f.record_id, a.ref FROM findings f
                   JOIN asked a ON f.label = a.label AND f.value_hash = a.value_hash
                   UNION
                   SELECT r.record_id, b.ref FROM records r JOIN by_author b ON record_author(r.meta) = b.author
                   WHERE r.meta IS NOT NULL"""
            )
        refs_by_record: dict[str, list[str]] = {}
        for rid, ref in zip(hits.column("record_id").to_pylist(), hits.column("ref").to_pylist(), strict=True):
            refs_by_record.setdefault(rid, []).append(ref)
        per_ref: dict[str, int] = {}
        for refs in refs_by_record.values():
            for ref in set(refs):
                per_ref[ref] = per_ref.get(ref, 0) + 1
        searches = [
            IdentifierSearch(
                identifier=ref, searched_by=by, fingerprint=h[:12] if h else None, records=per_ref.get(ref, 0)
            )
            for ref, _label, h, by in wanted
        ] + [
            IdentifierSearch(identifier=ref, searched_by="author/account metadata", records=per_ref.get(ref, 0))
            for ref, _ in authors
        ]
        not_scanned = (
            store.scalar(
                "SELECT count(*) FROM records r WHERE NOT EXISTS (SELECT 1 FROM record_scans s "
                "WHERE s.record_id = r.record_id AND s.stamp LIKE 'pii@%')"
            )
            if wanted or not_searched
            else 0
        )
        records = _evidence_records(store, refs_by_record)
        evidence = RemovalEvidence(
            request_id=request_id,
            processed_at=dt.datetime.now(dt.timezone.utc),
            actor=_actor(actor),
            reason=reason,
            ledger=str(store.path),
            identifiers=searches,
            not_searched=not_searched,
            records_not_scanned_for_pii=not_scanned,
            records=records,
        )
        if dry_run or not refs_by_record:
            return evidence
        found = store.sql(
            "SELECT record_id, content_hash FROM records WHERE record_id IN (SELECT unnest(?))",
            [sorted(refs_by_record)],
        )
        entries = pa.table(
            {
                "kind": ["record"] * found.num_rows + ["content_hash"] * found.num_rows,
                "value": found.column("record_id").to_pylist() + found.column("content_hash").to_pylist(),
            }
        )
        event_id = _event_id()
        excluded = lc.append_event(
            store,
            event_id=event_id,
            actor=evidence.actor,
            action="revoke",
            scope_kind="removal_request",
            scope_value=request_id,
            reason=reason or "removal request",
            entries=entries,
            detail={"identifiers": [s.identifier for s in searches], "records_found": len(refs_by_record)},
        )
        runs, releases = _affected(store, event_id)
        listed = write_exclusion_list(store, exclusion_list)
        return evidence.model_copy(
            update={
                "records_excluded": excluded,
                "event_id": event_id,
                "runs": runs,
                "releases": releases,
                "exclusion_list": str(listed),
            }
        )
    finally:
        if owned:
            store.close()


def _evidence_records(store: Ledger, refs_by_record: Mapping[str, list[str]]) -> list[EvidenceRecord]:
    if not refs_by_record:
        return []
    rows = store.sql(
        """SELECT r.record_id, r.source_id, o.path, o.line, o."row", o.url, o.dataset_repo, o.dataset_split
           FROM records r LEFT JOIN (SELECT * FROM origins WHERE record_id IN (SELECT unnest(?))
                      QUALIFY row_number() OVER (PARTITION BY record_id ORDER BY path, line, "row") = 1) o
             USING (record_id)
           WHERE r.record_id IN (SELECT unnest(?)) ORDER BY r.source_id, o.path, o.line, o."row", r.record_id""",
        [sorted(refs_by_record)] * 2,
    ).to_pylist()
    return [EvidenceRecord(matched_by=sorted(set(refs_by_record[r["record_id"]])), **r) for r in rows]


# ---- status, re-check, log -----------------------------------------------------------------------------------------
def consent_status(ledger: str | Path | Ledger) -> pa.Table:
    """Records per source and consent state, with the most common reason."""
    store, owned = (ledger, False) if isinstance(ledger, Ledger) else (Ledger(ledger, read_only=True), True)
    try:
        return store.sql(
            """SELECT source_id, state, count(*) AS records, mode(reason) AS typical_reason
               FROM consent_state GROUP BY ALL ORDER BY source_id, state"""
        )
    finally:
        if owned:
            store.close()


def consent_of(ledger: str | Path | Ledger, record_ids: Sequence[str]) -> pa.Table:
    store, owned = (ledger, False) if isinstance(ledger, Ledger) else (Ledger(ledger, read_only=True), True)
    try:
        return store.sql(
            """SELECT c.record_id, c.source_id, c.state, c.reason, k.state AS collected_state,
                      k.recorded_at AS collected_at
               FROM consent_state c LEFT JOIN record_consent k USING (record_id)
               WHERE c.record_id IN (SELECT unnest(?)) ORDER BY c.record_id""",
            [list(record_ids)],
        )
    finally:
        if owned:
            store.close()


def recheck(ledger: str | Path | Ledger, run: str | None = None, *, sample: int = 20) -> RecheckReport:
    """Compare each record's consent now with the state recorded when the toolkit first saw it; with ``run`` (a
    run id or name, the latest of that name), only the records that run consumed."""
    store, owned = _open(ledger)
    try:
        run_id = run_name = None
        if run:
            found = store.execute(
                "SELECT run_id, name FROM runs WHERE run_id = ? OR name = ? ORDER BY started_at DESC LIMIT 1",
                [run, run],
            )
            if not found:
                raise InputError(f"no run '{run}' in {store.path}", hint="see 'provenance runs'")
            run_id, run_name = found[0]
        lc.refresh_exclusions(store)
        lc.record_collected_state(store)
        changes = lc.state_changes(store, run_id, sample=sample).to_pylist()
        checked = store.scalar(
            "SELECT count(DISTINCT record_id) FROM run_records WHERE run_id = ?"
            if run_id
            else "SELECT count(*) FROM records",
            [run_id] if run_id else None,
        )
        return RecheckReport(
            checked_at=dt.datetime.now(dt.timezone.utc),
            run_id=run_id,
            run_name=run_name,
            records_checked=checked,
            records_changed=sum(c["records"] for c in changes),
            changes=[ConsentChange(**c) for c in changes],
        )
    finally:
        if owned:
            store.close()


def store_run_recheck(store: Ledger, report: RecheckReport) -> None:
    """Keep a run's re-check with the run, so the consent it trained under stays on record."""
    if report.run_id is None:
        return
    with store.transaction() as con:
        con.execute("DELETE FROM run_consent WHERE run_id = ?", [report.run_id])
        for c in report.changes:
            con.execute(
                "INSERT INTO run_consent VALUES (?, ?, ?, ?, ?, ?, ?)",
                [report.run_id, c.source_id, c.collected_state.value, c.state.value, c.reason, c.records,
                 report.checked_at],
            )  # fmt: skip


def consent_log(ledger: str | Path | Ledger) -> tuple[pa.Table, list[str]]:
    """The revocation log, oldest first, and any problem with its hash chain (edited or deleted events)."""
    store, owned = (ledger, False) if isinstance(ledger, Ledger) else (Ledger(ledger, read_only=True), True)
    try:
        table = store.sql(
            "SELECT event_id, occurred_at, actor, action, scope_kind, scope_value, reason, records, event_hash "
            "FROM consent_events ORDER BY occurred_at, event_id"
        )
        return table, lc.verify_chain(store)
    finally:
        if owned:
            store.close()


__all__ = [
    "apply_registry",
    "consent_log",
    "consent_of",
    "consent_status",
    "exclusion_list_path",
    "forget",
    "recheck",
    "revoke",
    "settle",
    "store_run_recheck",
    "write_exclusion_list",
]

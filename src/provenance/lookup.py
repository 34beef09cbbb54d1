"""Data-subject look-up: which records contain this e-mail, phone number or card, answered from keyed hashes.

The ledger never holds the values; the pii scanner stored an HMAC of each normalised value under the ledger's key.
Hashing the person's identifiers the same way finds their records without anyone having kept them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import pyarrow as pa

from .errors import InputError
from .ledger import Ledger
from .scanners.pii import keyed_hash
from .scanners.pii.scanner import DEFAULT_ENTITIES

IDENTIFIER_TYPES = {
    "email": "EMAIL_ADDRESS",
    "phone": "PHONE_NUMBER",
    "card": "CREDIT_CARD",
    "iban": "IBAN_CODE",
    "ssn": "US_SSN",
}


_KIND = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,39}")


def shown_kind(kind: str) -> str:
    """A kind of identifier as an error message may show it: a value typed where a kind was due is personal data,
    so anything that does not look like a type name (UK_NINO, email) is described, never repeated."""
    return f"'{kind}'" if _KIND.fullmatch(kind) else f"a kind of {len(kind)} characters that is not a type name"


def lookup(ledger: str | Path, identifiers: Mapping[str, list[str]]) -> pa.Table:
    """Records whose pii findings match any identifier. ``identifiers`` maps a kind (email, phone, card, iban,
    ssn, or an entity type such as UK_NINO) to values. Names need the NER tier and are refused for now."""
    wanted: list[tuple[str, str]] = []
    for kind, values in identifiers.items():
        if kind in ("name", "person", "PERSON"):
            raise InputError(
                "looking up names needs the pii scanner's NER tier, which has not been run",
                hint="look up by e-mail, phone, card, IBAN or an id number",
            )
        entity = IDENTIFIER_TYPES.get(kind, kind)
        if entity not in DEFAULT_ENTITIES:
            raise InputError(
                f"cannot look up {shown_kind(kind)}",
                hint=f"use one of {', '.join(IDENTIFIER_TYPES)}, or an entity type such as UK_NINO",
            )
        wanted += [(entity, v) for v in values]
    if not wanted:
        raise InputError("nothing to look up", hint="give at least one identifier, e.g. --email jane@example.org")
    with Ledger(ledger, read_only=True) as store:
        key = store.secret()
        hashes = pa.table(
            {
                "label": [e for e, _ in wanted],
                "value_hash": [keyed_hash(key, e, v) for e, v in wanted],
                "asked": [f"{e} #{i + 1}" for i, (e, _) in enumerate(wanted)],
            }
        )
        store.con.register("asked", hashes)
        try:
            return store.sql(
                """SELECT f.record_id, r.source_id, a.asked AS identifier, f.label, f.start, f."end",
                          o.path, o.line, o."row", o.url, o.dataset_repo, o.dataset_split
                   FROM findings f JOIN asked a ON f.label = a.label AND f.value_hash = a.value_hash
                   JOIN records r USING (record_id)
                   LEFT JOIN (SELECT * FROM origins QUALIFY row_number() OVER (PARTITION BY record_id) = 1) o
                     USING (record_id)
                   ORDER BY r.source_id, f.record_id, f.start"""
            )
        finally:
            store.con.unregister("asked")

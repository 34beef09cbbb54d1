"""provenance: where every training record came from, under what licence and consent, and what it contains.

The Python API mirrors the command line: ``provenance.scan`` is ``provenance scan``, and so on.
"""

from . import cards  # noqa: F401 - provenance.cards.render_changelog etc.
from ._version import __version__
from .cards import card, diff, write_cards
from .consent_records import (
    apply_registry,
    consent_log,
    consent_of,
    consent_status,
    forget,
    recheck,
    revoke,
    write_exclusion_list,
)
from .coverage import coverage, load_reference
from .engine import ingest, scan
from .errors import (
    InputError,
    LedgerBusyError,
    LedgerError,
    ManifestError,
    MissingExtraError,
    ProvenanceError,
    QueryError,
)
from .hooks import flush, run, run_records, runs_table, runs_using, track
from .hooks.policy import load_policy
from .ledger import DEFAULT_LEDGER, Ledger, query
from .licenses import LicenseParseError, check_licenses, normalize_license, terms_of_expression
from .lookup import lookup
from .manifest import load_manifest
from .models import Finding, MixtureReport, Origin, Policy, Purpose, RecordProvenance, ScanReport, Source
from .policy import check
from .redact import redact


def init(ledger: str = DEFAULT_LEDGER, *, new_key: bool = False) -> Ledger:
    """Create (or upgrade) a ledger file and return it open for writing.

    ``new_key`` replaces a lost key file; values hashed with the old key can no longer be matched.
    """
    return Ledger(ledger, new_key=new_key)


def sources(ledger: str = DEFAULT_LEDGER) -> list[dict]:
    """The sources a ledger knows, with what was declared about them."""
    with Ledger(ledger, read_only=True) as store:
        return store.sources()


__all__ = [
    "DEFAULT_LEDGER",
    "Finding",
    "InputError",
    "Ledger",
    "LedgerBusyError",
    "LedgerError",
    "LicenseParseError",
    "ManifestError",
    "MissingExtraError",
    "MixtureReport",
    "Origin",
    "Policy",
    "ProvenanceError",
    "Purpose",
    "QueryError",
    "RecordProvenance",
    "ScanReport",
    "Source",
    "__version__",
    "apply_registry",
    "card",
    "check",
    "check_licenses",
    "consent_log",
    "consent_of",
    "consent_status",
    "coverage",
    "diff",
    "flush",
    "forget",
    "ingest",
    "init",
    "load_manifest",
    "load_policy",
    "load_reference",
    "lookup",
    "normalize_license",
    "query",
    "recheck",
    "redact",
    "revoke",
    "run",
    "run_records",
    "runs_table",
    "runs_using",
    "scan",
    "sources",
    "terms_of_expression",
    "track",
    "write_cards",
    "write_exclusion_list",
]

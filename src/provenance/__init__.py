"""provenance: where every training record came from, under what licence and consent, and what it contains.

The Python API mirrors the command line: ``provenance.scan`` is ``provenance scan``, and so on.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

from ._version import __version__
from .errors import (
    InputError,
    LedgerBusyError,
    LedgerError,
    ManifestError,
    MissingExtraError,
    ProvenanceError,
    QueryError,
)

# Imported on first use, so that a command that only reads the ledger does not pay for scanners, cards and models
# (a fresh `provenance query` starts in half the time).
_LAZY: dict[str, str] = {
    **dict.fromkeys(("card", "diff", "write_cards"), ".cards"),
    **dict.fromkeys(
        (
            "apply_registry",
            "consent_log",
            "consent_of",
            "consent_status",
            "forget",
            "recheck",
            "revoke",
            "write_exclusion_list",
        ),
        ".consent_records",
    ),
    **dict.fromkeys(("coverage", "load_reference"), ".coverage"),
    **dict.fromkeys(("ingest", "scan"), ".engine"),
    **dict.fromkeys(("flush", "run", "run_records", "runs_table", "runs_using", "track"), ".hooks"),
    "load_policy": ".hooks.policy",
    **dict.fromkeys(("DEFAULT_LEDGER", "Ledger", "query"), ".ledger"),
    **dict.fromkeys(("LicenseParseError", "check_licenses", "normalize_license", "terms_of_expression"), ".licenses"),
    "lookup": ".lookup",
    "load_manifest": ".manifest",
    **dict.fromkeys(
        ("Finding", "MixtureReport", "Origin", "Policy", "Purpose", "RecordProvenance", "ScanReport", "Source"),
        ".models",
    ),
    "check": ".policy",
    "redact": ".redact",
}
_SUBMODULES = {"cards", "consent", "engine", "evaluation", "hooks", "ledger", "licenses", "models",
               "readers", "scanners"}  # fmt: skip


# Functions named like the module they live in. Importing such a module binds it on this package under the same name;
# keep the function there instead, as an eager ``from .coverage import coverage`` would.
_SHADOWING = {"coverage", "lookup", "redact"}


class _Api(types.ModuleType):
    def __setattr__(self, name: str, value: Any) -> None:
        if name in _SHADOWING and isinstance(value, types.ModuleType):
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Api


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
    elif name in _SUBMODULES:
        value = importlib.import_module(f".{name}", __name__)
    else:
        raise AttributeError(f"module 'provenance' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY, *_SUBMODULES})


if TYPE_CHECKING:
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
    from .hooks import flush, run, run_records, runs_table, runs_using, track
    from .hooks.policy import load_policy
    from .ledger import DEFAULT_LEDGER, Ledger, query
    from .licenses import LicenseParseError, check_licenses, normalize_license, terms_of_expression
    from .lookup import lookup
    from .manifest import load_manifest
    from .models import Finding, MixtureReport, Origin, Policy, Purpose, RecordProvenance, ScanReport, Source
    from .policy import check
    from .redact import redact


def init(ledger: str | None = None, *, new_key: bool = False) -> Ledger:
    """Create (or upgrade) a ledger file (default ``DEFAULT_LEDGER``) and return it open for writing.

    ``new_key`` replaces a lost key file; values hashed with the old key can no longer be matched.
    """
    from .ledger import DEFAULT_LEDGER, Ledger

    return Ledger(ledger or DEFAULT_LEDGER, new_key=new_key)


def sources(ledger: str | None = None) -> list[dict]:
    """The sources a ledger knows, with what was declared about them."""
    from .ledger import DEFAULT_LEDGER, Ledger

    with Ledger(ledger or DEFAULT_LEDGER, read_only=True) as store:
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

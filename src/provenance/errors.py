"""One error family, so the CLI can print a message a user can act on and exit with a documented code.

Every message names what went wrong (file, line, record, field) and what to do about it; the CLI never shows a
traceback for these unless asked to with ``--debug``.
"""

from __future__ import annotations


class ProvenanceError(Exception):
    """Base of every error the toolkit raises on purpose."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n  hint: {self.hint}" if self.hint else self.message


class InputError(ProvenanceError):
    """Something the user gave us (a manifest, a corpus file, an argument) cannot be used as it is."""

    exit_code = 3


class ManifestError(InputError):
    """The sources manifest is invalid; the message names the file, line and field."""


class LedgerError(ProvenanceError):
    """The ledger file cannot be opened or written."""

    exit_code = 4


class LedgerBusyError(LedgerError):
    """Another process holds the ledger for writing."""

    exit_code = 5


class QueryError(ProvenanceError):
    """A read-only query failed (bad SQL, or it tried to write)."""

    exit_code = 6


class MissingExtraError(ProvenanceError):
    """An optional engine or model is not installed; the message says which extra to install."""

    exit_code = 7

"""The PII scanner: presidio recognizers, made fast and offline, with keyed hashes instead of values."""

from .scanner import Pii, PiiConfig, keyed_hash, normalise_value

__all__ = ["Pii", "PiiConfig", "keyed_hash", "normalise_value"]

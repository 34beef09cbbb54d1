"""The ``demographics`` scanner: demographic groups mentioned in the text, and declared in metadata columns."""

from .scanner import Demographics, DemographicsConfig

__all__ = ["Demographics", "DemographicsConfig"]

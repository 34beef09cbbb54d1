"""Dataset cards generated from the ledger."""

from .hf_readme import card_metadata, hf_license_id, render_card, size_category, write_card

__all__ = ["card_metadata", "hf_license_id", "render_card", "size_category", "write_card"]

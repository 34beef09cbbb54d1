"""Dataset cards generated from the ledger: the Hugging Face README, Croissant, datasheet, charts, an HTML report,
and the diff between two releases."""

from .card_set import card, write_cards
from .charts import write_charts
from .data_statement import write_data_statement
from .datasheet import write_datasheet
from .diff import diff, render_changelog
from .hf_readme import card_metadata, hf_license_id, render_card, size_category, write_card
from .hf_validate import CardMetadataError, validate_card_metadata
from .html_report import write_html_report
from .read_card import declared_from_card, read_hf_card

__all__ = [
    "CardMetadataError",
    "card",
    "card_metadata",
    "declared_from_card",
    "diff",
    "hf_license_id",
    "read_hf_card",
    "render_card",
    "render_changelog",
    "size_category",
    "validate_card_metadata",
    "write_card",
    "write_cards",
    "write_charts",
    "write_data_statement",
    "write_datasheet",
    "write_html_report",
]

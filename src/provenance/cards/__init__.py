"""Dataset cards generated from the ledger: the Hugging Face README, Croissant, datasheet, charts, an HTML report,
and the diff between two releases."""

from .charts import write_charts
from .diff import diff, render_changelog
from .hf_readme import card_metadata, hf_license_id, render_card, size_category, write_card
from .html_report import write_html_report

__all__ = [
    "card_metadata",
    "diff",
    "hf_license_id",
    "render_card",
    "render_changelog",
    "size_category",
    "write_card",
    "write_charts",
    "write_html_report",
]

"""Metadata of a generated dataset card: the YAML front matter of the Hugging Face README."""

from __future__ import annotations

from pydantic import Field

from .common import Model


class CardMetadata(Model):
    pretty_name: str
    license: str | list[str] = Field(description="Hugging Face licence id(s), or 'other'")
    license_name: str | None = None
    license_details: str | None = None
    language: list[str] = Field(default_factory=list)
    size_categories: list[str] = Field(default_factory=list)
    source_datasets: list[str] = Field(default_factory=list)
    generated_by: str = Field(description="toolkit name and version that measured this card")

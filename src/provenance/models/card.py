"""Metadata of a generated dataset card: the YAML front matter of the Hugging Face README.

The fields are the Hub's (https://github.com/huggingface/hub-docs/blob/main/datasetcard.md); the values they may take
are checked offline by :mod:`provenance.cards.hf_validate`. Every field but ``pretty_name``, ``license`` and
``generated_by`` is optional, so metadata written by earlier versions still validates.
"""

from __future__ import annotations

from pydantic import Field

from .common import Model


class CardDataFiles(Model):
    """The files of one split of a config, as the Hub's ``data_files`` lists them."""

    split: str = Field(description="split name: letters, digits and '_' (dots between words)")
    path: str | list[str] = Field(description="file path(s) or glob(s), relative to the dataset repository")


class CardConfig(Model):
    """One config (subset) of the dataset: here, one per source."""

    config_name: str
    data_files: list[CardDataFiles] = Field(default_factory=list)


class CardMetadata(Model):
    pretty_name: str
    license: str | list[str] = Field(description="Hugging Face licence id(s), or 'other'")
    license_name: str | None = Field(None, description="with license 'other': an id for the licence")
    license_link: str | None = Field(None, description="with license 'other': a URL or LICENSE file of the terms")
    license_details: str | None = Field(None, description="with license 'other': the terms in words (legacy field)")
    language: list[str] = Field(default_factory=list, description="ISO 639 codes, as the Hub lists them")
    language_details: list[str] | None = Field(None, description="BCP-47 tags, where they say more than the codes")
    multilinguality: list[str] | None = None
    size_categories: list[str] = Field(default_factory=list)
    source_datasets: list[str] = Field(default_factory=list)
    task_categories: list[str] | None = None
    annotations_creators: list[str] | None = None
    language_creators: list[str] | None = None
    configs: list[CardConfig] | None = None
    generated_by: str = Field(description="toolkit name and version that measured this card")

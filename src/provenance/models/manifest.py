"""The sources manifest (``sources.yaml``): which data belongs to which source, and what is declared about it."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Literal

from pydantic import Field, model_validator

from .common import Model
from .source import SourceFields


class DataFormat(str, Enum):
    jsonl = "jsonl"
    json = "json"
    csv = "csv"
    tsv = "tsv"
    parquet = "parquet"
    text = "text"
    text_lines = "text-lines"
    hf_disk = "hf-disk"
    warc = "warc"


class DataEntry(Model):
    """One file, glob or saved dataset belonging to a source, and how to read its records."""

    path: str | None = Field(None, description="a file or glob, relative to the manifest")
    dataset: str | None = Field(
        None, description="a folder written by datasets' save_to_disk, relative to the manifest"
    )
    split: str | None = Field(None, description="split to read from a saved DatasetDict (default: all splits)")
    format: DataFormat | None = Field(None, description="inferred from the file extension when omitted")
    text_field: str | list[str] = Field(
        "text", description="column(s) holding the text; several are joined by a blank line"
    )
    url_field: str | None = Field("url", description="a column holding the record's URL, used when present")
    license_field: str | None = Field(None, description="a per-record licence column; it wins over the source's")
    metadata: list[str] = Field(default_factory=list, description="columns copied into the ledger")

    @model_validator(mode="after")
    def _one_location(self) -> DataEntry:
        if (self.path is None) == (self.dataset is None):
            raise ValueError("give exactly one of 'path' (a file or glob) or 'dataset' (a save_to_disk folder)")
        return self

    @property
    def text_fields(self) -> list[str]:
        return [self.text_field] if isinstance(self.text_field, str) else list(self.text_field)


class SnapshotsEntry(Model):
    """Where a crawl kept the consent files of the sites it visited (robots.txt, ai.txt, tdmrep.json)."""

    path: str = Field(
        description="a folder, relative to the manifest, holding <host>/robots.txt, <host>/ai.txt, "
        "<host>/.well-known/tdmrep.json and/or WARC files with those responses"
    )
    observed_at: dt.datetime | dt.date | None = Field(
        None, description="when the files were fetched (WARC captures carry their own date; else the file's mtime)"
    )


class RegistryRef(Model):
    """An opt-out registry file applied to every record at the end of a scan."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$", description="the registry's name in the ledger")
    path: str = Field(description="a CSV, JSON or TXT file of domains, URL prefixes, authors or content hashes")
    description: str | None = None


class SourceEntry(SourceFields):
    license: str = Field(description="an SPDX expression, LicenseRef-<name> for custom terms, or 'unknown'")
    data: list[DataEntry] = Field(min_length=1)
    consent_snapshots: list[SnapshotsEntry] = Field(
        default_factory=list, description="robots.txt / ai.txt / tdmrep.json snapshots of the sites this source crawled"
    )


class SourcesManifest(Model):
    version: Literal[1] = 1
    roots: list[str] = Field(
        default_factory=list,
        description="folders besides the manifest's own (absolute, or relative to the manifest) that data, dataset, "
        "consent_snapshots and registries paths may lead into; any other path leading outside the manifest's "
        "folder, through '..', an absolute path or a symbolic link, is refused. URIs (s3://, file://...) are "
        "explicit and always allowed",
    )
    sources: list[SourceEntry] = Field(min_length=1)
    registries: list[RegistryRef] = Field(
        default_factory=list, description="opt-out registries applied to the whole ledger after each scan"
    )

    @model_validator(mode="after")
    def _unique_ids(self) -> SourcesManifest:
        seen: set[str] = set()
        for s in self.sources:
            if s.id in seen:
                raise ValueError(f"source id '{s.id}' is declared twice; ids must be unique")
            seen.add(s.id)
        return self

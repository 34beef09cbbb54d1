"""A source: the unit at which people declare licence, consent and how data was gathered."""

from __future__ import annotations

import datetime as dt

from pydantic import Field, HttpUrl, model_validator

from .common import ID_PATTERN, CollectionMethod, ConsentBasis, Model


class Period(Model):
    start: dt.date | None = None
    end: dt.date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.start and self.end and self.end < self.start:
            raise ValueError(f"collection period ends ({self.end}) before it starts ({self.start})")
        return self


class License(Model):
    """A licence as SPDX understands it, with the words it was written in kept for the audit trail."""

    spdx: str = Field(description="SPDX expression, LicenseRef-..., or NOASSERTION when unknown")
    raw: str = Field(description="the string as the user or the data wrote it")

    @property
    def known(self) -> bool:
        return self.spdx != "NOASSERTION"


class SourceFields(Model):
    """What a person declares about a source; shared by the manifest entry and the ledger's view of it."""

    id: str = Field(pattern=ID_PATTERN, description="lowercase id, unique in the ledger")
    name: str = Field(min_length=1)
    homepage: HttpUrl | None = None
    consent_basis: ConsentBasis
    collection_method: CollectionMethod
    collection_period: Period | None = None
    collector: str | None = None
    terms_url: HttpUrl | None = None
    attribution: str | None = None
    languages: list[str] = Field(default_factory=list, description="declared languages (BCP-47)")
    notes: str | None = None


class Source(SourceFields):
    license: License

"""Shared bits of the models: the strict base class and the vocabularies of consent and collection."""

from __future__ import annotations

from enum import Enum

from pydantic import BaseModel, ConfigDict


class Model(BaseModel):
    """Strict by default: a misspelt field in a user's file is an error, not a silently ignored key."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, use_enum_values=False)


class ConsentBasis(str, Enum):
    """Why we may use a source at all; the card reports these per source."""

    explicit_opt_in = "explicit_opt_in"
    licence_grant = "licence_grant"
    public_domain = "public_domain"
    legitimate_interest_opt_out = "legitimate_interest_opt_out"
    contract = "contract"
    unknown = "unknown"


class CollectionMethod(str, Enum):
    web_scraping = "web_scraping"
    api = "api"
    user_generated = "user_generated"
    annotation = "annotation"
    synthetic = "synthetic"
    licensed_purchase = "licensed_purchase"
    public_records = "public_records"
    other = "other"


ID_PATTERN = r"^[a-z0-9][a-z0-9._-]{0,127}$"

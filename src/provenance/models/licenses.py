"""What a licence allows and asks, what a user intends to do, and the verdict on a mixture of licences."""

from __future__ import annotations

from enum import Enum

from pydantic import Field

from .common import Model


class Use(str, Enum):
    """Who may use the data, from the most to the least permissive; ``unknown`` when nobody can say."""

    commercial = "commercial"
    non_commercial = "non-commercial"
    research_only = "research-only"
    unknown = "unknown"


class Restriction(str, Enum):
    use_restrictions = "use-restrictions"  # behavioural use restrictions that travel with the data or model (RAIL)
    model_licence = "model-licence"  # the terms are a model licence (Llama, Gemma), not a data licence
    no_ai_training = "no-ai-training"
    terms_of_service = "terms-of-service"
    no_improving_other_models = "no-improving-other-models"  # Llama 2: outputs may not improve other LLMs
    user_threshold = "user-threshold"  # Llama: a separate licence above 700 million monthly users
    computational_use_only = "computational-use-only"  # C-UDA: computational analysis, no redistribution of data
    unknown_terms = "unknown-terms"


class LicenseTerms(Model):
    """The obligations of one licence, as the toolkit's taxonomy records them."""

    spdx: str = Field(description="SPDX id or LicenseRef-")
    name: str
    family: str = Field(description="e.g. creative-commons, open-data-commons, osi-permissive, copyleft, rail")
    use: Use
    attribution: bool = Field(description="the licence requires crediting the source")
    share_alike: bool = Field(description="adaptations must carry the same licence")
    no_derivatives: bool = Field(description="no adapted versions may be shared")
    restrictions: list[Restriction] = Field(default_factory=list)
    facts_from: str = Field(description="where these facts come from")


class Purpose(Model):
    """What the user means to do with the mixture."""

    commercial: bool = Field(True, description="a commercial product or service")
    train: bool = Field(True, description="train (or fine-tune) a model on it")
    release: bool = Field(False, description="publish the dataset itself (or a modified version of it)")

    def describe(self) -> str:
        who = "commercial" if self.commercial else "non-commercial research"
        what = [w for w, on in (("model training", self.train), ("release of the dataset", self.release)) if on]
        return f"{who} {' and '.join(what) or 'use'}"


class Severity(str, Enum):
    blocker = "blocker"  # the intended use is not allowed
    warning = "warning"  # allowed only if something the ledger cannot know holds; check by hand
    obligation = "obligation"  # allowed, provided the user does this


class Conclusion(Model):
    """One reason the mixture is or is not usable, with the sources and records behind it."""

    severity: Severity
    rule: str = Field(description="which rule: use, unknown-licence, share-alike, no-derivatives, record-licence, ...")
    message: str
    licenses: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)
    records: int = Field(0, description="records concerned")
    example_records: list[str] = Field(default_factory=list, description="a few of their record ids")


class Attribution(Model):
    source: str
    name: str
    license: str
    credit: str | None = Field(None, description="the attribution the source asks for, as declared")
    homepage: str | None = None
    records: int = 0


class MixtureReport(Model):
    """``provenance licenses``: whether the ledger's mixture of licences allows the intended use, and why."""

    purpose: Purpose
    usable: bool
    verdict: str
    most_restrictive_use: Use
    licenses: dict[str, int] = Field(default_factory=dict, description="records per effective licence")
    conclusions: list[Conclusion] = Field(default_factory=list)
    attributions: list[Attribution] = Field(default_factory=list)

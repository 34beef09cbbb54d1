"""Who and what a dataset represents, as measured: language and demographic coverage (``provenance coverage``)."""

from __future__ import annotations

from pydantic import Field

from .common import Model


class Share(Model):
    records: int | None = Field(description="records; None where the cell is suppressed (fewer than min_cell_count)")
    record_share: float | None = None
    chars: int | None = None
    char_share: float | None = None


class LanguageRow(Share):
    language: str = Field(description="BCP-47 tag, or 'und' for records no language could be told for")
    iso639_3: str | None = None
    low_resource: bool = False
    target_share: float | None = Field(None, description="the policy's target share of characters, if any")
    gap: float | None = Field(None, description="measured character share minus target")


class DeclaredLanguages(Model):
    source: str
    declared: list[str]
    measured: list[str] = Field(description="languages holding at least 5% of the source's characters")
    declared_not_found: list[str] = Field(default_factory=list)
    found_not_declared: list[str] = Field(default_factory=list)


class LanguageCoverage(Model):
    scanner: str | None = Field(None, description="the language scanner stamp the figures come from")
    records: int = 0
    chars: int = 0
    languages: list[LanguageRow] = Field(default_factory=list)
    effective_languages: float = Field(0.0, description="exp of the entropy of character shares (unknown left out)")
    low_resource_share: float = Field(0.0, description="share of characters in low-resource languages")
    mixed_records: int = 0
    unknown_records: int = 0
    declared_vs_measured: list[DeclaredLanguages] = Field(default_factory=list)


class GroupRow(Model):
    group: str
    records: int | None = Field(description="records mentioning the group; None where suppressed")
    record_share: float | None = None
    mentions: int | None = None
    reference_share: float | None = None
    gap: float | None = None
    before_share: float | None = Field(None, description="share before the filter, when one is compared")
    change: float | None = Field(None, description="share after the filter minus before")


class AxisCoverage(Model):
    axis: str
    records_mentioning: int | None = Field(description="records mentioning any group of the axis")
    groups: list[GroupRow] = Field(default_factory=list)
    normalised_entropy: float | None = Field(
        None, description="entropy of the groups' record counts over its maximum (1 = perfectly even)"
    )
    suppressed_groups: int = 0


class DemographicCoverage(Model):
    scanner: str | None = None
    records: int = 0
    min_cell_count: int = 10
    axes: list[AxisCoverage] = Field(default_factory=list)
    feminine_mentions: int | None = None
    masculine_mentions: int | None = None
    female_male_ratio: float | None = Field(None, description="feminine over masculine gendered mentions")
    metadata: dict[str, dict[str, int | None]] = Field(
        default_factory=dict, description="axis -> value -> records, from metadata columns (suppressed: None)"
    )


class CoverageReport(Model):
    """``provenance coverage``: language and demographic coverage of the records (or of a subset of them)."""

    subset: str | None = Field(None, description="the records measured, when not all of them")
    compared_with: str | None = Field(None, description="the records 'before' shares are measured on")
    language: LanguageCoverage
    demographics: DemographicCoverage

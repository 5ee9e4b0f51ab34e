"""The criteria-set file format as pydantic models: the single source of truth for the TOML format.

The JSON Schema that editors use (`parrules schema criteria-set`) is generated from these models.
Criteria are a flat table keyed by the official code ("3", "3.4", "3.4.2") so a clerk never writes
deep `[[a.b.c]]` nesting; the parent of "3.4.2" is "3.4". Rule parameters sit beside the core keys of
a criterion and are validated against the JSON Schema that the rule kind registered.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from parrules.amounts import RoundingMode
from parrules.sets.validation import StrictModel

Level = Literal["ministry", "province", "department", "district", "district_office", "commune"]
"""Who a set assesses; `district_office` is a phòng or ban of a district's People's Committee (the
level a district's own index scores below it)."""
Stage = Literal["appraisal", "computed", "self"]


_DECIMAL_COMMA = re.compile(r"^\s*-?\d+,\d+\s*$")


def _number_not_text(value: Any) -> Any:
    """Points in quotes are a typo waiting to happen ("2,5" is 25 in some tools): ask for a number."""
    if isinstance(value, str):
        if _DECIMAL_COMMA.match(value):
            raise PydanticCustomError(
                "number_in_quotes", "must be a number: write {fixed} (no quotes, a point for decimals), not {quoted}",
                {"quoted": repr(value), "fixed": value.strip().replace(",", ".")})
        raise PydanticCustomError("number_in_quotes", "must be a number without quotes, not {quoted}",
                                  {"quoted": repr(value)})
    return value


class Rounding(StrictModel):
    """Where and how points are rounded; nowhere else does parrules round."""

    decimals: int = Field(2, ge=0, le=6, description="Decimals kept for points")
    mode: RoundingMode = Field("half_up", description="half_up (as published), half_even, down or up")
    at: Literal["leaf", "report"] = Field(
        "leaf",
        description="leaf: every criterion's final points are rounded before adding up, so published "
        "tables add up; report: sums stay exact and only reported figures are rounded",
    )
    percent_decimals: int = Field(2, ge=0, le=6, description="Decimals kept for percentages and the index")


class Band(StrictModel):
    """A band (nhóm, xếp loại) on the index: lower bound inclusive, upper bound exclusive."""

    code: str
    name: str = ""
    from_: Decimal | None = Field(None, alias="from", ge=0, le=100)
    below: Decimal | None = Field(None, ge=0, le=101)
    inferred: bool = Field(False, description="true when the bound is inferred, not published")

    @field_validator("from_", "below", mode="before")
    @classmethod
    def numbers_not_text(cls, value: Any) -> Any:
        return _number_not_text(value)
    note: str = ""


class LegalBasis(StrictModel):
    number: str = Field(description="Decision number, e.g. 2948/QĐ-BNV")
    date: dt.date | None = None
    title: str = ""
    issuer: str = ""


class SetMeta(StrictModel):
    """Metadata of a criteria set: identity, legal basis, totals, rounding, bands and policies."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$", description="Stable identifier, e.g. par-province-2018")
    name: str
    issuer: str = ""
    legal_basis: list[LegalBasis] = []
    year: int | None = None
    period: str = ""
    level: Level
    unit_kinds: list[str] = Field(default_factory=list, description="Unit kinds the set applies to")
    total_points: Decimal = Field(gt=0)
    rounding: Rounding = Rounding()
    bands: list[Band] = []
    precedence: list[Stage] = Field(
        default_factory=lambda: ["appraisal", "computed", "self"],
        description="Which score stage gives the final points, first available wins",
        min_length=1,
    )
    not_applicable: Literal["rescale", "full_points"] = Field(
        "rescale",
        description="rescale: an N/A criterion leaves the denominator (index = achieved ÷ applicable "
        "maximum); full_points: it is awarded its maximum",
    )
    declared_vs_verified: Literal["verified", "declared"] = Field(
        "verified", description="When a declared figure and the records disagree, which one is scored"
    )
    cohorts: dict[str, list[str]] = Field(
        default_factory=dict, description="Ranking cohorts: name -> unit kinds ranked together"
    )
    language: Literal["vi", "en"] = Field(
        "vi",
        description="Language of the explanations, flags and messages written when this set is scored "
        "(vi or en); a run's `language` (the CLI's --lang, a campaign's language) overrides it",
    )
    sources: list[str] = []
    description: str = ""
    version: str = ""

    @field_validator("total_points", mode="before")
    @classmethod
    def numbers_not_text(cls, value: Any) -> Any:
        return _number_not_text(value)


class CriterionSpec(BaseModel):
    """One node of the tree: a field, criterion or sub-criterion. Leaves carry a rule."""

    model_config = ConfigDict(extra="allow", frozen=True)

    name: str
    max_points: Decimal = Field(ge=0)
    rule: str | None = Field(None, description="Rule kind scoring this leaf (yes_no, choice, bands, ...)")
    check: str | None = Field(None, description="Evidence check whose metric is this leaf's input")
    metric: str | None = Field(None, description="Which metric of the check (default: its only one)")
    check_params: dict[str, Any] = Field(default_factory=dict, description="Parameters of the check")
    evidence: list[str] = Field(default_factory=list, description="Evidence documents the leaf requires")
    allow_na: bool = Field(False, description="The criterion may be marked not applicable (không áp dụng)")
    applicable: bool = Field(
        True,
        description="false: the criterion does not apply (không áp dụng) to any unit, e.g. a province's "
        "tailoring of a central set; it leaves the denominator unless a unit answers it or an appraiser scores it",
    )
    if_no_value: Literal["not_evaluated", "not_applicable", "full", "zero"] = Field(
        "not_evaluated",
        description="What a check metric without a value means, e.g. no late dossiers → full points",
    )
    role: Literal["base", "bonus", "penalty"] | None = Field(
        None, description="Top-level nodes only: bonus and penalty parts sit outside the base total"
    )
    method: str = Field("", description="The scoring method in plain Vietnamese, for the official table")
    provenance: Literal["transcribed", "modeled", "inferred"] | None = Field(
        None, description="transcribed from a source, or modeled on the known patterns"
    )
    source: str = ""
    note: str = ""

    @field_validator("max_points", mode="before")
    @classmethod
    def numbers_not_text(cls, value: Any) -> Any:
        return _number_not_text(value)


CORE_CRITERION_KEYS = frozenset(CriterionSpec.model_fields)


class CriteriaSetFile(StrictModel):
    """A whole criteria-set file: `[set]` metadata and the `[criteria."code"]` tables."""

    set: SetMeta
    criteria: dict[str, CriterionSpec]

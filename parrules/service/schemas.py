"""The request bodies of the API, as pydantic models: they are what the OpenAPI document describes,
so a PHP, .NET or Java client generated from `/openapi.json` sends exactly these.

Figures are `Number`/`Points` (JSON numbers read exactly, or decimal strings); unknown keys are
refused, so a misspelt field is an error, not silently ignored.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from parrules.service.exactjson import Points
from parrules.service.roles import Phase, Role


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Login(Body):
    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=1000)


class NewAccount(Body):
    username: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$")
    display_name: str = Field(min_length=1, max_length=200)
    password: str | None = Field(None, min_length=8, max_length=1000,
                                 description="none for an account that only uses API tokens")
    administrator: bool = False


class AccountChange(Body):
    display_name: str | None = Field(None, min_length=1, max_length=200)
    active: bool | None = Field(None, description="false disables the account: its tokens are revoked, it cannot log in")
    administrator: bool | None = None


class PasswordChange(Body):
    current_password: str = Field(min_length=1, max_length=1000)
    new_password: str = Field(min_length=8, max_length=1000)


class PasswordReset(Body):
    password: str = Field(min_length=8, max_length=1000)


class NewToken(Body):
    name: str = Field(min_length=1, max_length=200, description="what system the token is for")
    days: float | None = Field(None, gt=0, le=3660, description="lifetime; default: the service's api_token_days")


class Schedule(Body):
    opens_at: dt.datetime | None = None
    closes_at: dt.datetime | None = Field(None, description="the deadline: writes of the phase are refused after it")


class NewCampaign(Body):
    code: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]{0,99}$", description="the campaign's id (as in campaign.toml)")
    name: str = Field(min_length=1, max_length=1000)
    year: int = Field(ge=1900, le=2200)
    criteria_set: str = Field(description="the sha256 of a stored criteria set")
    rank_by: str = Field("index", pattern=r"^(index|total_points)$")
    tie_break: list[str] = []
    cohorts: dict[str, list[str]] = {}
    gaps: bool = True
    language: str | None = Field(None, pattern=r"^(vi|en)$")
    schedule: dict[Phase, Schedule] = {}


class PhaseChange(Body):
    to: Phase
    version: int = Field(description="the campaign's version as read (GET /campaigns/{code})")


class Publish(Body):
    provisional: bool = Field(False, description="publish even when some units' results are incomplete")


class NewMember(Body):
    username: str
    role: Role
    unit: str | None = Field(None, description="the unit's code; required for a clerk, refused otherwise")


class NewUnit(Body):
    code: str = Field(min_length=1, max_length=100)
    name: str = Field(min_length=1, max_length=1000)
    kind: str = ""
    period: str = ""
    cohort: str = ""
    figures: dict[str, Any] = {}


class EntrySave(Body):
    version: int = Field(ge=0, description="the entry's version as read; 0 when nothing was saved yet")
    self_assessment: Points | None = Field(None, description="points the unit gives itself, \"na\", or null to clear")
    answer: Any = Field(None, description="the declared answer the rule scores (number, true/false, option, table); "
                                          "null to clear")


class AppraisalSave(Body):
    version: int = Field(ge=0, description="the appraisal's version as read; 0 for a new one")
    points: Points
    reason: str = Field("", max_length=10000, description="required when the round lowers the score")


class ExplanationSave(Body):
    version: int = Field(ge=1, description="the version, as read, of the appraisal explained: round 1 in the explanation "
                                         "phase, round 2 in explanation_2, the bonus or penalty criterion's round in "
                                         "bonus_penalty_explanation")
    response: str = Field(min_length=1, max_length=20000, description="the unit's explanation (giải trình)")


class NewDocument(Body):
    number: str = ""
    date: dt.date | None = None
    issuer: str = ""
    title: str = ""
    kind: str = ""
    criteria: list[str] = []


class ScoreRequest(Body):
    submissions: list[dict[str, Any]] = Field(min_length=1, max_length=10000,
                                              description="submissions in the file format (parrules schema submission)")

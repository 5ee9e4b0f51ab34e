"""What every route module shares: the worker's settings and database, finding a campaign and a
unit the caller may act on, and the exact-JSON route class.

The order is always: the campaign (locked for a write), the caller's standing in it, `authorise`,
and only then the unit — so a refusal never depends on, nor tells, whether another unit exists.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from parrules import CriteriaSet
from parrules.service.auth import Principal, standing
from parrules.service.db import Database
from parrules.service.exactjson import ExactJSONResponse, ExactRoute
from parrules.service.models import Campaign, PhaseSchedule, Unit
from parrules.service.problems import ServiceProblem, not_found, responses
from parrules.service.roles import Standing, authorise
from parrules.service.settings import Settings


def router(tag: str) -> APIRouter:
    return APIRouter(prefix="/api/v1", tags=[tag], route_class=ExactRoute,
                     responses=responses(401, 403, 422))


def database(request: Request) -> Database:
    return request.app.state.database


def settings_of(request: Request) -> Settings:
    return request.app.state.settings


def exact(content: Any, status: int = 200, headers: dict[str, str] | None = None) -> ExactJSONResponse:
    return ExactJSONResponse(content, status_code=status, headers=headers)


def find_campaign(session: Session, code: str, *, lock: str | None = None) -> Campaign:
    """The campaign by code; `lock` "share" (a write inside it) or "update" (a phase change) locks its
    row on PostgreSQL until the transaction ends (SQLite's write transactions are serial anyway)."""
    query = select(Campaign).where(Campaign.code == code)
    if lock == "share":
        query = query.with_for_update(read=True)
    elif lock == "update":
        query = query.with_for_update()
    campaign = session.scalar(query)
    if campaign is None:
        raise not_found(f"no campaign '{code}'")
    return campaign


def deadline(session: Session, campaign: Campaign) -> dt.datetime | None:
    row = session.get(PhaseSchedule, (campaign.id, campaign.phase))
    return row.closes_at if row is not None else None


def allowed(session: Session, who: Principal, campaign: Campaign, action: str, unit_code: str | None = None) -> Standing:
    """`authorise` with the caller's standing and the current phase's deadline."""
    return authorise(standing(session, who, campaign.id), action, campaign.phase, campaign_code=campaign.code,
                     unit_code=unit_code, deadline=deadline(session, campaign))


def find_unit(session: Session, campaign: Campaign, code: str) -> Unit:
    """A unit of the campaign; call only after `allowed`, which settles a clerk's own unit first."""
    unit = session.scalar(select(Unit).where(Unit.campaign_id == campaign.id, Unit.code == code))
    if unit is None:
        raise not_found(f"campaign '{campaign.code}' has no unit '{code}'")
    return unit


def leaf_code(criteria: CriteriaSet, code: str) -> str:
    """`code` when it is a criterion the unit scores (a leaf of the set), else a 404 problem."""
    if code in criteria.leaves:
        return code
    if code in criteria.nodes:
        raise ServiceProblem(404, "not-found", f"'{code}' has sub-criteria; save its sub-criteria instead")
    raise not_found(f"'{code}' is not a criterion of set '{criteria.id}'")


def check_version(given: int, current: int, what: str) -> None:
    """Optimistic versions: a save names the version it read (0: nothing saved yet)."""
    if given != current:
        raise ServiceProblem(409, "stale-version", f"{what} is at version {current}, not {given}: someone changed it "
                             "since you read it; read it again and re-apply your change", current_version=current)

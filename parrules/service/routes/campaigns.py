"""Campaigns: create one for a year from a set, its phases and deadlines, members, data files,
live results, publication and its files, and the export to `parrules campaign` files."""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import replace
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import Depends, Path, Request
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.responses import Response

from parrules import ProblemsError, load_campaign
from parrules.service import audit
from parrules.service.auth import Principal, principal, standing
from parrules.service.blobs import DATA_TYPES, blob_content, put_blob, suffix_for
from parrules.service.exactjson import json_body_schema
from parrules.service.models import (
    Account,
    Campaign,
    CampaignData,
    CriteriaSetRecord,
    Membership,
    PhaseSchedule,
    PublishedFile,
    Unit,
    utcnow,
)
from parrules.service.problems import ServiceProblem, forbidden, not_found, responses
from parrules.service.publication import publish, published_files
from parrules.service.roles import ORDER, SCHEDULED, Phase, Role, next_phase
from parrules.service.routes.common import allowed, database, exact, find_campaign, router, settings_of
from parrules.service.schemas import NewCampaign, NewMember, PhaseChange, Publish, Schedule
from parrules.service.scoring import run_exported
from parrules.service.sets import SET_FILE, find_set
from parrules.service.submissions import json_text, safe_name
from parrules.service.transfer import (
    CAMPAIGN_FILE,
    campaign_files,
    campaign_settings,
    campaign_toml,
    zip_files,
)

api = router("campaigns")
Caller = Annotated[Principal, Depends(principal)]
DATA_NAME = Path(pattern=r"^[A-Za-z][A-Za-z0-9_]{0,63}$")


def schedule_view(session: Session, campaign: Campaign) -> dict[str, Any]:
    rows = {r.phase: r for r in session.scalars(select(PhaseSchedule).where(PhaseSchedule.campaign_id == campaign.id))}

    def moment(value: dt.datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {p.value: {"opens_at": moment(rows[p.value].opens_at), "closes_at": moment(rows[p.value].closes_at),
                      "started_at": moment(rows[p.value].started_at), "ended_at": moment(rows[p.value].ended_at)}
            for p in SCHEDULED if p.value in rows}


def campaign_view(session: Session, campaign: Campaign, who: Principal) -> dict[str, Any]:
    record = session.get(CriteriaSetRecord, campaign.criteria_set_id)
    mine = standing(session, who, campaign.id)
    following = next_phase(campaign.phase)
    return {"code": campaign.code, "name": campaign.name, "year": campaign.year, "phase": campaign.phase,
            "next_phase": following.value if following and following is not Phase.PUBLISHED else None,
            "version": campaign.version,
            "criteria_set": {"sha256": record.sha256, "id": record.set_id, "name": record.name} if record else None,
            "settings": campaign_settings(campaign), "schedule": schedule_view(session, campaign),
            "published_at": campaign.published_at.isoformat() if campaign.published_at else None,
            "your_role": mine.role.value if mine else None, "your_unit": mine.unit_code if mine else None}


@api.post("/campaigns", status_code=201, summary="Create a campaign for a year from a stored set")
def create_campaign(body: NewCampaign, who: Caller, request: Request) -> Response:
    if not who.administrator:
        raise forbidden("only a site administrator creates campaigns")
    with database(request).writing() as session:
        record = find_set(session, body.criteria_set)
        if session.scalar(select(Campaign.id).where(Campaign.code == body.code)) is not None:
            raise ServiceProblem(409, "conflict", f"there is already a campaign '{body.code}'")
        settings = {"rank_by": body.rank_by, "tie_break": body.tie_break, "cohorts": body.cohorts, "gaps": body.gaps,
                    "check_timeout": None, "language": body.language}
        campaign = Campaign(code=body.code, name=body.name, year=body.year, criteria_set_id=record.id,
                            phase=Phase.SETUP.value, settings=json_text(settings), created_at=utcnow())
        _check_spec(record, campaign)
        session.add(campaign)
        session.flush()
        for phase in SCHEDULED:
            given = body.schedule.get(phase) or Schedule()
            session.add(PhaseSchedule(campaign_id=campaign.id, phase=phase.value, opens_at=given.opens_at,
                                      closes_at=given.closes_at))
        session.flush()
        audit.record(session, who, campaign, "campaign.create",
                     after={"code": campaign.code, "criteria_set": record.sha256, "settings": settings})
        view = campaign_view(session, campaign, who)
    return exact(view, 201)


def _check_spec(record: CriteriaSetRecord, campaign: Campaign) -> None:
    """The ranking keys checked by the library as the campaign's file will be (a tie-break naming
    nothing is refused now, not at publication); problems name `campaign.toml`, not a folder."""
    with tempfile.TemporaryDirectory() as folder:
        root = FilePath(folder)
        (root / "submissions").mkdir()
        (root / SET_FILE).write_text(record.toml, "utf-8")
        (root / CAMPAIGN_FILE).write_text(campaign_toml(campaign, {}), "utf-8")
        try:
            load_campaign(root / CAMPAIGN_FILE)
        except ProblemsError as exc:
            raise ProblemsError([replace(p, file=CAMPAIGN_FILE if p.file.endswith(CAMPAIGN_FILE) else SET_FILE)
                                 for p in exc.problems]) from None


@api.get("/campaigns", summary="The campaigns the caller has a role in (all, for a site administrator)")
def list_campaigns(who: Caller, request: Request) -> Response:
    with database(request).reading() as session:
        query = select(Campaign).order_by(Campaign.year.desc(), Campaign.code)
        if not who.administrator:
            query = query.join(Membership, Membership.campaign_id == Campaign.id).where(
                Membership.account_id == who.account_id)
        return exact([{"code": c.code, "name": c.name, "year": c.year, "phase": c.phase}
                      for c in session.scalars(query)])


@api.get("/campaigns/{campaign}", summary="A campaign: phase, version, schedule, your role")
def get_campaign(campaign: str, who: Caller, request: Request) -> Response:
    with database(request).reading() as session:
        row = find_campaign(session, campaign)
        allowed(session, who, row, "read_campaign")
        return exact(campaign_view(session, row, who))


@api.post("/campaigns/{campaign}/phase", summary="Move the campaign to its next phase (chair, administrator)",
          responses=responses(409))
def change_phase(campaign: str, body: PhaseChange, who: Caller, request: Request) -> Response:
    with database(request).writing() as session:
        row = find_campaign(session, campaign, lock="update")
        allowed(session, who, row, "change_phase")
        if body.version != row.version:
            raise ServiceProblem(409, "stale-version", f"the campaign is at version {row.version}, not {body.version}",
                                 current_version=row.version)
        following = next_phase(row.phase)
        if body.to is Phase.PUBLISHED:
            raise ServiceProblem(409, "conflict", "publishing is its own step: POST /campaigns/{code}/publish")
        if body.to is not following:
            raise ServiceProblem(409, "conflict", f"from {row.phase} the campaign moves on to "
                                 f"{following.value if following else 'nothing'}, not {body.to.value}")
        before = row.phase
        now = utcnow()
        ending = session.get(PhaseSchedule, (row.id, before))
        if ending is not None:
            ending.ended_at = now
        starting = session.get(PhaseSchedule, (row.id, body.to.value))
        if starting is not None:
            starting.started_at = now
        row.phase = body.to.value
        session.flush()
        audit.record(session, who, row, "campaign.phase", before={"phase": before}, after={"phase": row.phase})
        view = campaign_view(session, row, who)
    return exact(view)


@api.put("/campaigns/{campaign}/schedule/{phase}", summary="Set a phase's opening and deadline (administrator)")
def set_schedule(campaign: str, phase: Phase, body: Schedule, who: Caller, request: Request) -> Response:
    if phase not in SCHEDULED:
        raise not_found(f"phase {phase.value} has no dates")
    with database(request).writing() as session:
        row = find_campaign(session, campaign, lock="share")
        allowed(session, who, row, "schedule")
        if ORDER.index(phase) < ORDER.index(Phase(row.phase)):
            raise ServiceProblem(409, "conflict", f"phase {phase.value} is over; its dates stay as they were")
        schedule = session.get(PhaseSchedule, (row.id, phase.value))
        assert schedule is not None
        before = {"opens_at": schedule.opens_at, "closes_at": schedule.closes_at}
        schedule.opens_at, schedule.closes_at = body.opens_at, body.closes_at
        audit.record(session, who, row, "campaign.schedule", before={k: v.isoformat() if v else None
                                                                     for k, v in before.items()},
                     after={"phase": phase.value, "opens_at": body.opens_at.isoformat() if body.opens_at else None,
                            "closes_at": body.closes_at.isoformat() if body.closes_at else None})
        view = schedule_view(session, row)
    return exact(view)


@api.get("/campaigns/{campaign}/members", summary="Who has which role in the campaign")
def list_members(campaign: str, who: Caller, request: Request) -> Response:
    with database(request).reading() as session:
        row = find_campaign(session, campaign)
        allowed(session, who, row, "read_all_units")
        rows = session.execute(select(Account.username, Account.display_name, Membership.role, Unit.code)
                               .join(Account, Account.id == Membership.account_id)
                               .outerjoin(Unit, Unit.id == Membership.unit_id)
                               .where(Membership.campaign_id == row.id).order_by(Account.username)).all()
        return exact([{"username": u, "display_name": d, "role": r, "unit": c} for u, d, r, c in rows])


@api.post("/campaigns/{campaign}/members", status_code=201, summary="Give an account a role (administrator)")
def add_member(campaign: str, body: NewMember, who: Caller, request: Request) -> Response:
    with database(request).writing() as session:
        row = find_campaign(session, campaign, lock="share")
        allowed(session, who, row, "manage_members")
        account = session.scalar(select(Account).where(Account.username == body.username))
        if account is None:
            raise not_found(f"no account '{body.username}'")
        unit_id = None
        if body.role is Role.CLERK:
            if not body.unit:
                raise ServiceProblem(422, "invalid", "a unit clerk's role names the unit")
            unit_id = session.scalar(select(Unit.id).where(Unit.campaign_id == row.id, Unit.code == body.unit))
            if unit_id is None:
                raise not_found(f"campaign '{row.code}' has no unit '{body.unit}'")
        elif body.unit:
            raise ServiceProblem(422, "invalid", "only a unit clerk's role names a unit")
        existing = session.scalar(select(Membership).where(Membership.account_id == account.id,
                                                           Membership.campaign_id == row.id))
        before = {"role": existing.role} if existing else None
        if existing is None:
            session.add(Membership(account_id=account.id, campaign_id=row.id, role=body.role.value, unit_id=unit_id))
        else:
            existing.role, existing.unit_id = body.role.value, unit_id
        audit.record(session, who, row, "member.set", before=before,
                     after={"username": account.username, "role": body.role.value, "unit": body.unit})
    return exact({"username": account.username, "role": body.role.value, "unit": body.unit}, 201)


@api.put("/campaigns/{campaign}/data/{name}", summary="Replace a campaign data file (the survey import)",
         openapi_extra=json_body_schema({"type": "string", "format": "binary"}, "text/csv",
                                        "CSV, XLSX or Parquet, as the evidence checks read it"))
async def put_data(campaign: str, request: Request, who: Caller,
                   name: Annotated[str, DATA_NAME]) -> Response:
    suffix = suffix_for(request.headers.get("content-type", ""), DATA_TYPES)
    if suffix is None:
        raise ServiceProblem(415, "unsupported-media-type", f"a data file is one of {', '.join(DATA_TYPES.values())}")
    content = await request.body()
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(_put_data, campaign, name, suffix, content, who, request)


def _put_data(campaign: str, name: str, suffix: str, content: bytes, who: Principal, request: Request) -> Response:
    with database(request).writing() as session:
        row = find_campaign(session, campaign, lock="share")
        allowed(session, who, row, "import_data")
        digest = put_blob(session, content, DATA_TYPES[suffix])
        existing = session.get(CampaignData, (row.id, name))
        before = {"sha256": existing.sha256, "file": existing.file_name} if existing else None
        file_name = safe_name(f"{name}{suffix}", f"data{suffix}")
        if existing is None:
            session.add(CampaignData(campaign_id=row.id, name=name, file_name=file_name, sha256=digest))
        else:
            existing.sha256, existing.file_name = digest, file_name
        audit.record(session, who, row, "campaign.data", before=before,
                     after={"name": name, "sha256": digest, "file": file_name, "size": len(content)})
    return exact({"name": name, "sha256": "sha256:" + digest, "size": len(content), "file": f"data/{file_name}"})


@api.get("/campaigns/{campaign}/results", summary="Every unit's results now: the campaign JSON of parrules campaign",
         response_class=Response,
         responses={200: {"content": {"application/json": {}}, "description": "parrules.campaign/2 JSON"}})
def results(campaign: str, who: Caller, request: Request) -> Response:
    with database(request).reading() as session:
        row = find_campaign(session, campaign)
        allowed(session, who, row, "read_all_units")
        run = run_exported(session, settings_of(request).cache_dir, row)
    return Response(run.json, media_type="application/json")


@api.get("/campaigns/{campaign}/export", summary="The campaign as files parrules campaign runs (zip)",
         response_class=Response, responses={200: {"content": {"application/zip": {}}}})
def export(campaign: str, who: Caller, request: Request) -> Response:
    with database(request).reading() as session:
        row = find_campaign(session, campaign)
        allowed(session, who, row, "read_all_units")
        body = zip_files(campaign_files(session, row), row.code)
    return Response(body, media_type="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="{row.code}.zip"'})


@api.post("/campaigns/{campaign}/publish", summary="Publish: results and reports written once, campaign frozen",
          responses=responses(409))
def publish_campaign(campaign: str, body: Publish, who: Caller, request: Request) -> Response:
    with database(request).writing() as session:
        row = find_campaign(session, campaign, lock="update")
        allowed(session, who, row, "publish")
        publish(session, settings_of(request).cache_dir, row, who, provisional=body.provisional)
        files = published_files(session, row)
    return exact({"campaign": campaign, "phase": Phase.PUBLISHED.value, "files": files})


@api.get("/campaigns/{campaign}/publication", summary="The published files, each with its sha256")
def publication(campaign: str, who: Caller, request: Request) -> Response:
    with database(request).reading() as session:
        row = find_campaign(session, campaign)
        allowed(session, who, row, "read_publication")
        return exact({"campaign": campaign, "published_at": row.published_at.isoformat() if row.published_at else None,
                      "files": published_files(session, row)})


@api.get("/campaigns/{campaign}/publication/{name}", summary="A published file, byte for byte as published",
         response_class=Response)
def publication_file(campaign: str, name: str, who: Caller, request: Request) -> Response:
    with database(request).reading() as session:
        row = find_campaign(session, campaign)
        allowed(session, who, row, "read_publication")
        published = session.get(PublishedFile, (row.id, name))
        if published is None:
            raise not_found(f"the publication of '{campaign}' has no file '{name}'")
        content = blob_content(session, published.sha256)
    return Response(content, media_type=published.media_type,
                    headers={"ETag": f'"sha256:{published.sha256}"', "Cache-Control": "public, max-age=31536000, immutable",
                             "Content-Disposition": f'attachment; filename="{published.name}"'})


@api.get("/campaigns/{campaign}/audit", summary="The campaign's audit trail, oldest first")
def campaign_audit(campaign: str, who: Caller, request: Request, after: int = 0, limit: int = 1000) -> Response:
    with database(request).reading() as session:
        row = find_campaign(session, campaign)
        allowed(session, who, row, "read_all_units")
        return exact(audit.entries(session, row, after_id=after, limit=max(1, min(limit, 10000))))

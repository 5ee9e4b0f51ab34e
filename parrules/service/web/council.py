"""The council's dashboard: every unit's progress in the phase, the deadlines, closing a round
(moving the campaign on), setting deadlines and publishing — each the API's own route function, so only the chair or an
administrator moves a campaign on and only the chair publishes, as `roles.RULES` says."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from parrules.service.problems import ServiceProblem
from parrules.service.roles import ORDER, SCHEDULED, Phase
from parrules.service.routes import campaigns as campaign_routes
from parrules.service.routes.common import allowed, database, find_campaign, settings_of
from parrules.service.schemas import PhaseChange, Publish, Schedule
from parrules.service.web.calls import SignIn, api, problem_page, sign_in_redirect, signed_in
from parrules.service.web.progress import STEPS, campaign_progress, leaf_counts
from parrules.service.web.render import page
from parrules.service.web.session import CSRF_FIELD, check_csrf

web = APIRouter(include_in_schema=False)


def _may(session: Any, who: Any, campaign: Any, action: str) -> bool:
    try:
        allowed(session, who, campaign, action)
    except ServiceProblem:
        return False
    return True


@web.get("/c/{campaign}/council")
def dashboard(campaign: str, request: Request) -> Response:
    who = None
    try:
        who = signed_in(request)
        view = api(campaign_routes.get_campaign, campaign, who, request)
        with database(request).reading() as session:
            row = find_campaign(session, campaign)
            allowed(session, who, row, "read_all_units")
            counts = leaf_counts(session, row)
            units = campaign_progress(session, row)
            can = {action: _may(session, who, row, action) for action in ("change_phase", "publish", "schedule")}
    except SignIn as going:
        return sign_in_redirect(going.target)
    except ServiceProblem as problem:
        return problem_page(request, problem, who)
    now = ORDER.index(Phase(view["phase"]))
    schedule = [{"phase": p.value, "open": ORDER.index(p) >= now, **(view["schedule"].get(p.value) or {})}
                for p in SCHEDULED]
    rnd = {Phase.APPRAISAL_1.value: 1, Phase.APPRAISAL_2.value: 2}.get(view["phase"])
    done = sum(1 for u in units if rnd and u.rounds[rnd] >= counts.base)
    step = view["phase"] if view["phase"] in STEPS else None
    explained = {"done": sum(u.explained[step] for u in units), "of": sum(u.deductions[step] for u in units),
                 "units": sum(1 for u in units if u.deductions[step])} if step else None
    return page(request, "council.html", who=who, campaign=view, units=units, leaves=counts.base + counts.extra,
                base=counts.base, extra=counts.extra, schedule=schedule, can=can, round=rnd, done=done,
                step=step, explained=explained, message=request.query_params.get("done"))


@web.post("/c/{campaign}/phase")
async def next_phase(campaign: str, request: Request) -> Response:
    form = await request.form()
    fields = {k: str(v) for k, v in form.items() if isinstance(v, str)}

    def work(who: Any) -> None:
        body = PhaseChange(to=Phase(fields.get("to", "")), version=int(fields.get("version", "0") or 0))
        campaign_routes.change_phase(campaign, body, who, request)

    return await run_in_threadpool(_act, campaign, fields, request, work, "phase")


@web.post("/c/{campaign}/schedule/{phase}")
async def set_deadline(campaign: str, phase: str, request: Request) -> Response:
    """An administrator sets a phase's deadline, typed as a local date and time of the service's zone."""
    form = await request.form()
    fields = {k: str(v) for k, v in form.items() if isinstance(v, str)}

    def work(who: Any) -> None:
        zone = ZoneInfo(settings_of(request).timezone)
        opens, closes = (_local(fields.get(k, ""), zone) for k in ("opens_at", "closes_at"))
        campaign_routes.set_schedule(campaign, Phase(phase), Schedule(opens_at=opens, closes_at=closes), who, request)

    return await run_in_threadpool(_act, campaign, fields, request, work, "schedule")


def _local(text: str, zone: ZoneInfo) -> dt.datetime | None:
    """`2025-01-10T17:00` (a datetime-local input) in the service's time zone; empty: no date."""
    return dt.datetime.fromisoformat(text.strip()).replace(tzinfo=zone) if text.strip() else None


@web.post("/c/{campaign}/publish")
async def publish(campaign: str, request: Request) -> Response:
    form = await request.form()
    fields = {k: str(v) for k, v in form.items() if isinstance(v, str)}

    def work(who: Any) -> None:
        campaign_routes.publish_campaign(campaign, Publish(provisional=bool(fields.get("provisional"))), who, request)

    return await run_in_threadpool(_act, campaign, fields, request, work, "published")


def _act(campaign: str, fields: dict[str, str], request: Request, work: Any, done: str) -> Response:
    who = None
    try:
        who = signed_in(request)
        check_csrf(request, fields.get(CSRF_FIELD))
        try:
            work(who)
        except ValueError:
            raise ServiceProblem(422, "invalid", "the phase or a date is not valid") from None
    except SignIn as going:
        return sign_in_redirect(going.target)
    except ServiceProblem as problem:
        return problem_page(request, problem, who)
    return RedirectResponse(f"/c/{campaign}/council?done={done}", status_code=303)

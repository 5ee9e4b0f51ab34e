"""Logging in and out, and each account's home page: its campaigns, its role, what is due and by when.

Login is the API's login (`routes.auth.login`: the login limit, argon2, the audit of attempts), its
token kept in the HttpOnly session cookie; logout is the API's logout (the token is revoked).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from parrules.service.models import Unit
from parrules.service.problems import ServiceProblem
from parrules.service.roles import Phase, Role
from parrules.service.routes import auth as auth_routes
from parrules.service.routes import campaigns as campaign_routes
from parrules.service.routes.common import database, find_campaign, settings_of
from parrules.service.schemas import Login
from parrules.service.web.calls import SignIn, api, problem_page, sign_in_redirect, signed_in
from parrules.service.web.progress import STEPS, campaign_progress, leaf_counts
from parrules.service.web.render import page
from parrules.service.web.session import (
    CSRF_FIELD,
    check_csrf,
    check_login_csrf,
    clear_session,
    current,
    keep_login_nonce,
    login_nonce,
    set_session,
)

web = APIRouter(include_in_schema=False)


def safe_next(target: str | None) -> str:
    """Where to go after login: a path of this site only (never another host)."""
    if not target or not target.startswith("/") or target.startswith("//") or urlsplit(target).netloc:
        return "/home"
    return target


@web.get("/")
def root(request: Request) -> Response:
    return RedirectResponse("/home" if current(request) else "/login", status_code=303)


@web.get("/login")
def login_form(request: Request, next: str = "") -> Response:
    nonce = login_nonce(request)
    response = page(request, "login.html", who=None, nonce=nonce, next=safe_next(next), error=None, username="")
    keep_login_nonce(response, request, nonce)
    return response


@web.post("/login")
async def login(request: Request) -> Response:
    form = await request.form()
    username, password = str(form.get("username", "")), str(form.get("password", ""))
    target = safe_next(str(form.get("next", "")))
    try:
        check_login_csrf(request, str(form.get(CSRF_FIELD, "")))
        if not username or not password:
            raise ServiceProblem(401, "unauthenticated", "wrong username or password")
        body = Login(username=username[:100], password=password[:1000])
        answer = await run_in_threadpool(api, auth_routes.login, body, request)
    except ServiceProblem as problem:
        nonce = login_nonce(request)
        from parrules.messages import speaking
        from parrules.service.web.calls import refusal_text
        from parrules.service.web.session import language
        with speaking(language(request)):
            message = refusal_text(problem)
        response = page(request, "login.html", problem.status if problem.status != 401 else 200, who=None,
                        nonce=nonce, next=target, error=message, username=username,
                        headers=problem.headers or None)
        keep_login_nonce(response, request, nonce)
        return response
    response = RedirectResponse(target, status_code=303)
    set_session(response, request, answer["token"], int(settings_of(request).session_hours * 3600))
    return response


@web.post("/logout")
async def logout(request: Request) -> Response:
    form = await request.form()
    try:
        who = signed_in(request)
        check_csrf(request, str(form.get(CSRF_FIELD, "")))
        await run_in_threadpool(auth_routes.logout, who, request)
    except SignIn:
        pass
    except ServiceProblem as problem:
        return problem_page(request, problem)
    response = RedirectResponse("/login", status_code=303)
    clear_session(response)
    return response


DUE = {  # (role, phase) → what the account is asked to do now
    (Role.CLERK, Phase.SELF_ASSESSMENT): "web.due.self_assess",
    (Role.CLERK, Phase.EXPLANATION): "web.due.explain",
    (Role.CLERK, Phase.EXPLANATION_2): "web.due.explain_2",
    (Role.CLERK, Phase.BONUS_PENALTY_EXPLANATION): "web.due.explain_bonus_penalty",
    (Role.APPRAISER, Phase.APPRAISAL_1): "web.due.appraise",
    (Role.APPRAISER, Phase.APPRAISAL_2): "web.due.appraise",
    (Role.APPRAISER, Phase.BONUS_PENALTY): "web.due.appraise_bonus_penalty",
    (Role.CHAIR, Phase.APPRAISAL_1): "web.due.appraise",
    (Role.CHAIR, Phase.APPRAISAL_2): "web.due.appraise",
    (Role.CHAIR, Phase.BONUS_PENALTY): "web.due.appraise_bonus_penalty",
    (Role.CHAIR, Phase.PUBLICATION): "web.due.publish",
    (Role.ADMINISTRATOR, Phase.SETUP): "web.due.setup",
    (Role.ADMINISTRATOR, Phase.SURVEY): "web.due.survey",
}


def campaign_card(request: Request, who: Any, code: str) -> dict[str, Any]:
    view = api(campaign_routes.get_campaign, code, who, request)
    role = Role(view["your_role"]) if view["your_role"] else None
    phase = Phase(view["phase"])
    schedule = view["schedule"].get(phase.value) or {}
    card: dict[str, Any] = {"code": code, "name": view["name"], "year": view["year"], "phase": phase.value,
                            "role": role.value if role else None, "unit": view["your_unit"],
                            "deadline": schedule.get("closes_at"), "due": DUE.get((role, phase)) if role else None,
                            "progress": None}
    with database(request).reading() as session:
        campaign = find_campaign(session, code)
        counts = leaf_counts(session, campaign)
        if role is Role.CLERK and view["your_unit"]:
            unit_id = session.scalar(select(Unit.id).where(Unit.campaign_id == campaign.id,
                                                           Unit.code == view["your_unit"]))
            mine = campaign_progress(session, campaign, unit_id)
            if mine:
                step = phase.value if phase.value in STEPS else None
                card["progress"] = {"done": mine[0].self_assessed, "of": counts.base + counts.extra,
                                    "explaining": step is not None,
                                    "deductions": mine[0].deductions[step] if step else 0,
                                    "explained": mine[0].explained[step] if step else 0}
        elif role in (Role.APPRAISER, Role.CHAIR) and phase in (Phase.APPRAISAL_1, Phase.APPRAISAL_2):
            rnd = 1 if phase is Phase.APPRAISAL_1 else 2
            units = campaign_progress(session, campaign)
            card["progress"] = {"done": sum(1 for u in units if u.rounds[rnd] >= counts.base), "of": len(units),
                                "round": rnd}
    return card


@web.get("/home")
def home(request: Request) -> Response:
    try:
        who = signed_in(request)
        me = api(auth_routes.me, who, request)
        codes = [r["campaign"] for r in me["roles"]]
        if who.administrator:
            codes = [c["code"] for c in api(campaign_routes.list_campaigns, who, request)]
        cards = [campaign_card(request, who, code) for code in dict.fromkeys(codes)]
    except SignIn as going:
        return sign_in_redirect(going.target)
    except ServiceProblem as problem:
        return problem_page(request, problem)
    return page(request, "home.html", who=who, cards=cards)

"""Logging in and out, and who the caller is: `POST /auth/login` gives a bearer token that expires."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import select
from starlette.responses import Response

from parrules.service.auth import (
    SESSION,
    Principal,
    check_login,
    client_address,
    issue_token,
    login_refusal,
    principal,
)
from parrules.service.models import Campaign, Membership, Token, Unit, utcnow
from parrules.service.problems import ServiceProblem, responses
from parrules.service.routes.common import database, exact, router, settings_of
from parrules.service.schemas import Login

api = router("auth")
Caller = Annotated[Principal, Depends(principal)]


@api.post("/auth/login", summary="Log in: a bearer token for the next hours", responses=responses(429),
          openapi_extra={"security": []})
def login(body: Login, request: Request) -> Response:
    settings = settings_of(request)
    address = client_address(request)
    db = database(request)
    with db.writing() as session:
        refusal = login_refusal(session, settings, body.username, address)
        if refusal is not None:
            raise refusal
        account = check_login(session, settings, body.username, body.password, address)
        if account is None:  # the failed attempt is committed, then refused
            token = None
        else:
            token, row = issue_token(session, account, SESSION, dt.timedelta(hours=settings.session_hours), "login")
            expires = row.expires_at
    if token is None:
        raise ServiceProblem(401, "unauthenticated", "wrong username or password",
                             headers={"WWW-Authenticate": 'Bearer realm="parrules"'})
    return exact({"token": token, "token_type": "Bearer", "expires_at": expires.isoformat(),
                  "username": account.username, "display_name": account.display_name})


@api.post("/auth/logout", status_code=204, summary="Revoke the token of this request")
def logout(who: Caller, request: Request) -> Response:
    with database(request).writing() as session:
        token = session.get(Token, who.token_id)
        if token is not None and token.revoked_at is None:
            token.revoked_at = utcnow()
    return Response(status_code=204)


@api.get("/auth/me", summary="The caller's account and its roles in campaigns")
def me(who: Caller, request: Request) -> Response:
    with database(request).reading() as session:
        rows = session.execute(select(Campaign.code, Membership.role, Unit.code)
                               .join(Campaign, Campaign.id == Membership.campaign_id)
                               .outerjoin(Unit, Unit.id == Membership.unit_id)
                               .where(Membership.account_id == who.account_id).order_by(Campaign.code)).all()
    roles: list[dict[str, Any]] = [{"campaign": c, "role": r, "unit": u} for c, r, u in rows]
    return exact({"username": who.username, "display_name": who.display_name, "administrator": who.administrator,
                  "token": who.token_kind, "roles": roles})

"""Accounts (site administrators only) and API tokens for other systems."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import select
from starlette.responses import Response

from parrules.service import audit
from parrules.service.auth import API, Principal, hash_password, issue_token, principal
from parrules.service.models import Account, utcnow
from parrules.service.problems import ServiceProblem, forbidden, not_found
from parrules.service.routes.common import database, exact, router, settings_of
from parrules.service.schemas import NewAccount, NewToken

api = router("accounts")
Caller = Annotated[Principal, Depends(principal)]


def _site_administrator(who: Principal) -> None:
    if not who.administrator:
        raise forbidden("only a site administrator manages accounts")


def account_view(account: Account) -> dict[str, object]:
    return {"username": account.username, "display_name": account.display_name,
            "administrator": account.administrator, "active": account.active,
            "password": account.password_hash is not None}


@api.post("/accounts", status_code=201, summary="Create an account")
def create_account(body: NewAccount, who: Caller, request: Request) -> Response:
    _site_administrator(who)
    settings = settings_of(request)
    hashed = hash_password(settings, body.password) if body.password else None
    with database(request).writing() as session:
        if session.scalar(select(Account.id).where(Account.username == body.username)) is not None:
            raise ServiceProblem(409, "conflict", f"there is already an account '{body.username}'")
        account = Account(username=body.username, display_name=body.display_name, password_hash=hashed,
                          administrator=body.administrator, created_at=utcnow())
        session.add(account)
        session.flush()
        audit.record(session, who, None, "account.create", after=account_view(account))
        view = account_view(account)
    return exact(view, 201)


@api.get("/accounts", summary="Every account")
def list_accounts(who: Caller, request: Request) -> Response:
    _site_administrator(who)
    with database(request).reading() as session:
        return exact([account_view(a) for a in session.scalars(select(Account).order_by(Account.username))])


@api.post("/accounts/{username}/tokens", status_code=201,
          summary="An API token for another system (shown once; it expires)")
def create_token(username: str, body: NewToken, who: Caller, request: Request) -> Response:
    _site_administrator(who)
    settings = settings_of(request)
    days = body.days if body.days is not None else settings.api_token_days
    with database(request).writing() as session:
        account = session.scalar(select(Account).where(Account.username == username))
        if account is None:
            raise not_found(f"no account '{username}'")
        token, row = issue_token(session, account, API, dt.timedelta(days=days), body.name)
        audit.record(session, who, None, "token.create", after={"account": username, "name": body.name,
                                                                "expires_at": row.expires_at.isoformat()})
        expires = row.expires_at
    return exact({"token": token, "token_type": "Bearer", "expires_at": expires.isoformat(), "name": body.name}, 201)

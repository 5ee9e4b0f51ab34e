"""Accounts and tokens: a site administrator creates, changes, disables accounts and resets their
passwords; anyone changes their own password; an account's tokens (login sessions, API tokens for
other systems) are listed — never the tokens themselves, only their hashes are stored — and revoked
by a site administrator or by the account itself. Disabling an account, resetting or changing its
password revoke its other tokens at once, in the same transaction, on every worker (they are rows)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from starlette.responses import Response

from parrules.service import audit
from parrules.service.auth import (
    API,
    Principal,
    check_login,
    client_address,
    hash_password,
    issue_token,
    login_refusal,
    principal,
)
from parrules.service.models import Account, Token, utcnow
from parrules.service.problems import ServiceProblem, forbidden, not_found, responses
from parrules.service.routes.common import database, exact, router, settings_of
from parrules.service.schemas import AccountChange, NewAccount, NewToken, PasswordChange, PasswordReset

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


def _account(session: Session, username: str) -> Account:
    account = session.scalar(select(Account).where(Account.username == username))
    if account is None:
        raise not_found(f"no account '{username}'")
    return account


def _revoke_tokens(session: Session, account: Account, keep: int | None = None) -> int:
    """Revoke every live token of the account (but `keep`); how many were revoked."""
    query = update(Token).where(Token.account_id == account.id, Token.revoked_at.is_(None))
    if keep is not None:
        query = query.where(Token.id != keep)
    return int(session.execute(query.values(revoked_at=utcnow())).rowcount or 0)  # type: ignore[attr-defined]


@api.patch("/accounts/{username}", summary="Change an account: its name, disable or enable it, administrator or not")
def change_account(username: str, body: AccountChange, who: Caller, request: Request) -> Response:
    _site_administrator(who)
    given = body.model_fields_set
    with database(request).writing() as session:
        account = _account(session, username)
        if account.id == who.account_id and (body.active is False or body.administrator is False):
            raise ServiceProblem(409, "conflict", "you cannot disable your own account or take away your own "
                                 "administration: ask another site administrator")
        before = account_view(account)
        if "display_name" in given and body.display_name is not None:
            account.display_name = body.display_name
        if "administrator" in given and body.administrator is not None:
            account.administrator = body.administrator
        revoked = 0
        if "active" in given and body.active is not None:
            account.active = body.active
            if not body.active:
                revoked = _revoke_tokens(session, account)
        audit.record(session, who, None, "account.change", before=before,
                     after={**account_view(account), "tokens_revoked": revoked})
        view = account_view(account)
    return exact(view)


@api.put("/accounts/{username}/password", status_code=204,
         summary="Reset an account's password (site administrator); its tokens are revoked")
def reset_password(username: str, body: PasswordReset, who: Caller, request: Request) -> Response:
    _site_administrator(who)
    hashed = hash_password(settings_of(request), body.password)
    with database(request).writing() as session:
        account = _account(session, username)
        account.password_hash = hashed
        revoked = _revoke_tokens(session, account, keep=who.token_id if account.id == who.account_id else None)
        audit.record(session, who, None, "account.password_reset",
                     after={"account": username, "tokens_revoked": revoked})
    return Response(status_code=204)


@api.put("/auth/password", status_code=204, responses=responses(429),
         summary="Change your own password (the current one is asked); your other tokens are revoked")
def change_password(body: PasswordChange, who: Caller, request: Request) -> Response:
    settings = settings_of(request)
    address = client_address(request)
    hashed = hash_password(settings, body.new_password)
    with database(request).writing() as session:
        refusal = login_refusal(session, settings, who.username, address)
        if refusal is not None:
            raise refusal
        account = check_login(session, settings, who.username, body.current_password, address)
        if account is not None:
            account.password_hash = hashed
            revoked = _revoke_tokens(session, account, keep=who.token_id)
            audit.record(session, who, None, "account.password_change",
                         after={"account": who.username, "tokens_revoked": revoked})
    if account is None:  # the failed attempt is committed (it counts towards the login limit), then refused
        raise ServiceProblem(403, "forbidden", "the current password is not right")
    return Response(status_code=204)


def _token_view(token: Token, current: int) -> dict[str, object]:
    now = utcnow()
    return {"id": token.id, "kind": token.kind, "name": token.name, "created_at": token.created_at.isoformat(),
            "expires_at": token.expires_at.isoformat(),
            "revoked_at": token.revoked_at.isoformat() if token.revoked_at else None,
            "live": token.revoked_at is None and token.expires_at > now, "this_request": token.id == current}


def _own_or_administrator(who: Principal, username: str) -> None:
    if not who.administrator and who.username != username:
        raise forbidden("only a site administrator manages another account's tokens")


@api.get("/accounts/{username}/tokens", summary="An account's tokens (never the tokens themselves)")
def list_tokens(username: str, who: Caller, request: Request, include_ended: bool = False) -> Response:
    _own_or_administrator(who, username)
    with database(request).reading() as session:
        account = _account(session, username)
        query = select(Token).where(Token.account_id == account.id)
        if not include_ended:
            query = query.where(Token.revoked_at.is_(None), Token.expires_at > utcnow())
        return exact([_token_view(t, who.token_id) for t in session.scalars(query.order_by(Token.id))])


@api.delete("/accounts/{username}/tokens/{token_id}", status_code=204, summary="Revoke one of an account's tokens")
def revoke_token(username: str, token_id: int, who: Caller, request: Request) -> Response:
    _own_or_administrator(who, username)
    with database(request).writing() as session:
        account = _account(session, username)
        token = session.get(Token, token_id)
        if token is None or token.account_id != account.id:
            raise not_found(f"account '{username}' has no token {token_id}")
        if token.revoked_at is None:
            token.revoked_at = utcnow()
            audit.record(session, who, None, "token.revoke", after={"account": username, "token": token_id,
                                                                    "name": token.name, "kind": token.kind})
    return Response(status_code=204)

"""Accounts, passwords, tokens and the login limit.

- Passwords are hashed with argon2id (memory-hard; `Settings.argon2`), never stored or logged.
- A login gives a bearer token that expires (`Settings.session_hours`); an administrator gives
  another system an API token that expires too (`Settings.api_token_days`). Only the token's sha256
  is stored, so a copy of the database opens no session; tokens are 256 random bits, for which a
  fast hash is enough (argon2 protects low-entropy passwords).
- Login attempts are rows in the database, so the limit (failures per account and per client
  address within a window) holds across worker processes and restarts. An unknown username costs the
  same argon2 verification as a known one, so timing does not tell which accounts exist.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from functools import lru_cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Request
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from parrules.service.models import Account, LoginAttempt, Membership, Token, Unit, utcnow
from parrules.service.problems import ServiceProblem
from parrules.service.roles import Role, Standing
from parrules.service.settings import Argon2Profile, Settings

SESSION, API = "session", "api"
KEEP_ATTEMPTS_DAYS = 30  # login attempts older than this are forgotten (the limit looks at minutes)


@lru_cache(maxsize=8)
def hasher(profile: Argon2Profile) -> PasswordHasher:
    return PasswordHasher(time_cost=profile.time_cost, memory_cost=profile.memory_cost_kib,
                          parallelism=profile.parallelism, type=Type.ID)


def hash_password(settings: Settings, password: str) -> str:
    if len(password) < 8:
        raise ServiceProblem(422, "invalid", "a password has at least 8 characters")
    return hasher(settings.argon2).hash(password)


def verify_password(settings: Settings, stored: str | None, password: str) -> bool:
    ph = hasher(settings.argon2)
    try:
        return ph.verify(stored or _dummy_hash(settings.argon2), password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


@lru_cache(maxsize=8)
def _dummy_hash(profile: Argon2Profile) -> str:
    return hasher(profile).hash(secrets.token_urlsafe(16))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(session: Session, account: Account, kind: str, lifetime: dt.timedelta, name: str = "") -> tuple[str, Token]:
    """A new bearer token for `account`; the token itself is returned once and never stored."""
    token = secrets.token_urlsafe(32)
    row = Token(account_id=account.id, token_hash=token_hash(token), kind=kind, name=name,
                created_at=utcnow(), expires_at=utcnow() + lifetime)
    session.add(row)
    session.flush()
    return token, row


def login_refusal(session: Session, settings: Settings, username: str, address: str) -> ServiceProblem | None:
    """A 429 problem when this account or this address failed too often within the window."""
    since = utcnow() - dt.timedelta(minutes=settings.login_window_minutes)
    failed = select(func.count()).select_from(LoginAttempt).where(LoginAttempt.at >= since,
                                                                  LoginAttempt.succeeded.is_(False))
    by_account = session.scalar(failed.where(LoginAttempt.username == username)) or 0
    by_address = session.scalar(failed.where(LoginAttempt.address == address)) or 0
    if by_account >= settings.login_failures_per_account or by_address >= settings.login_failures_per_address:
        seconds = int(settings.login_window_minutes * 60)
        return ServiceProblem(429, "too-many-attempts", f"too many failed logins; try again in {seconds // 60} "
                              "minutes", headers={"Retry-After": str(seconds)})
    return None


def check_login(session: Session, settings: Settings, username: str, password: str, address: str) -> Account | None:
    """The account when the password is right (the attempt is recorded either way)."""
    account = session.scalar(select(Account).where(Account.username == username))
    ok = verify_password(settings, account.password_hash if account else None, password)
    ok = ok and account is not None and account.active
    session.execute(delete(LoginAttempt).where(LoginAttempt.at < utcnow() - dt.timedelta(days=KEEP_ATTEMPTS_DAYS)))
    session.add(LoginAttempt(username=username[:100], address=address[:100], at=utcnow(), succeeded=ok))
    return account if ok else None


@dataclass(frozen=True)
class Principal:
    """Who is calling: the account behind the bearer token."""

    account_id: int
    username: str
    display_name: str
    administrator: bool
    token_id: int
    token_kind: str


def _unauthenticated(detail: str) -> ServiceProblem:
    return ServiceProblem(401, "unauthenticated", detail, headers={"WWW-Authenticate": 'Bearer realm="parrules"'})


def authenticate(session: Session, authorization: str | None) -> Principal:
    """The principal of an `Authorization: Bearer …` header, or a 401 problem."""
    if not authorization or not authorization.lower().startswith("bearer "):
        raise _unauthenticated("send Authorization: Bearer <token> (POST /api/v1/auth/login gives one)")
    token = authorization[7:].strip()
    row = session.scalar(select(Token).where(Token.token_hash == token_hash(token)))
    if row is None or row.revoked_at is not None:
        raise _unauthenticated("this token is not valid; log in again")
    if row.expires_at <= utcnow():
        raise _unauthenticated("this token has expired; log in again")
    account = session.get(Account, row.account_id)
    if account is None or not account.active:
        raise _unauthenticated("this account is disabled")
    return Principal(account.id, account.username, account.display_name, account.administrator, row.id, row.kind)


def principal(request: Request) -> Principal:
    """FastAPI dependency: every route but login requires a valid token (checked once per request,
    by the route class, before the body is read)."""
    found = getattr(request.state, "principal", None)
    if isinstance(found, Principal):
        return found
    with request.app.state.database.reading() as session:
        return authenticate(session, request.headers.get("authorization"))


def standing(session: Session, who: Principal, campaign_id: int) -> Standing | None:
    """The caller's role in a campaign: its membership, else administrator for a site administrator."""
    membership = session.scalar(select(Membership).where(Membership.account_id == who.account_id,
                                                         Membership.campaign_id == campaign_id))
    if membership is not None:
        code = session.scalar(select(Unit.code).where(Unit.id == membership.unit_id)) if membership.unit_id else None
        return Standing(Role(membership.role), membership.unit_id, code)
    if who.administrator:
        return Standing(Role.ADMINISTRATOR)
    return None


def client_address(request: Request) -> str:
    """The client's address as the ASGI server saw it (behind a proxy, run uvicorn with
    --proxy-headers and --forwarded-allow-ips so this is the client's, not the proxy's)."""
    return request.client.host if request.client else "unknown"

"""Accounts, passwords, tokens, the login limit, and the roles' reach outside a campaign."""

from __future__ import annotations

import datetime as dt

from argon2 import PasswordHasher
from sqlalchemy import select, update

from parrules.service.auth import hasher
from parrules.service.models import Account, Token
from parrules.service.settings import Argon2Profile, Settings
from tests.service.conftest import PASSWORD, Service
from tests.service.helpers import problem


def test_every_route_but_login_needs_a_valid_token(service: Service) -> None:
    anonymous = service.client.get("/api/v1/auth/me")
    assert problem(anonymous, 401, "unauthenticated") and anonymous.headers["www-authenticate"].startswith("Bearer")
    problem(service.client.get("/api/v1/criteria-sets", headers={"Authorization": "Bearer nonsense"}), 401,
            "unauthenticated")
    problem(service.client.post("/api/v1/criteria-sets/validate", content=b"[set]"), 401, "unauthenticated")
    me = service.call("GET", "/auth/me", "admin", 200).json()
    assert me["username"] == "admin" and me["administrator"] is True and me["token"] == "session"


def test_passwords_are_argon2id_and_never_stored(service: Service) -> None:
    with service.database.reading() as session:
        stored = session.scalar(select(Account.password_hash).where(Account.username == "admin"))
    assert stored is not None and stored.startswith("$argon2id$") and PASSWORD not in stored
    production = hasher(Settings().argon2).hash("x")
    assert production.startswith("$argon2id$v=19$m=65536,t=3,p=4$")  # RFC 9106's second recommendation
    assert PasswordHasher().verify(production, "x")
    assert Settings().argon2 == Argon2Profile(3, 65536, 4)


def test_logins_are_limited_per_account_and_say_nothing_of_who_exists(service: Service) -> None:
    service.account("clerk")
    service.account("other")
    wrong = [service.client.post("/api/v1/auth/login", json={"username": "clerk", "password": "wrong password"})
             for _ in range(service.settings.login_failures_per_account)]
    assert [r.status_code for r in wrong] == [401] * 5
    nobody = service.client.post("/api/v1/auth/login", json={"username": "nobody", "password": "wrong password"})
    assert nobody.status_code == 401 and nobody.json()["detail"] == wrong[0].json()["detail"]
    limited = service.client.post("/api/v1/auth/login", json={"username": "clerk", "password": PASSWORD})
    assert problem(limited, 429, "too-many-attempts") and int(limited.headers["retry-after"]) == 15 * 60
    assert service.client.post("/api/v1/auth/login", json={"username": "other", "password": PASSWORD}).status_code == 200


def test_tokens_expire_and_logout_revokes(service: Service) -> None:
    service.account("clerk")
    token = service.login("clerk")
    service.call("GET", "/auth/me", "clerk", 200)
    with service.database.writing() as session:
        session.execute(update(Token).values(expires_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1)))
    expired = problem(service.call("GET", "/auth/me", "clerk"), 401, "unauthenticated")
    assert "expired" in expired["detail"]
    service.tokens.clear()
    service.call("POST", "/auth/logout", "clerk", 204)
    assert service.client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {service.tokens['clerk']}"}) \
        .status_code == 401
    assert token != service.tokens["clerk"]
    with service.database.reading() as session:  # only hashes are stored
        assert session.scalar(select(Token.id).where(Token.token_hash == token)) is None


def test_api_tokens_for_other_systems(service: Service) -> None:
    service.call("POST", "/accounts", "admin", 201, json={"username": "province-app", "display_name": "Phần mềm tỉnh"})
    given = service.call("POST", "/accounts/province-app/tokens", "admin", 201, json={"name": "one-stop", "days": 30})
    expires = dt.datetime.fromisoformat(given.json()["expires_at"])
    assert dt.timedelta(days=29) < expires - dt.datetime.now(dt.timezone.utc) <= dt.timedelta(days=30)
    system = {"Authorization": f"Bearer {given.json()['token']}"}
    me = service.client.get("/api/v1/auth/me", headers=system).json()
    assert me["username"] == "province-app" and me["token"] == "api"
    # an account without a password cannot log in; only a site administrator manages accounts
    problem(service.client.post("/api/v1/auth/login", json={"username": "province-app", "password": "anything at all"}),
            401, "unauthenticated")
    problem(service.client.post("/api/v1/accounts", headers=system, json={"username": "x", "display_name": "x"}),
            403, "forbidden")
    problem(service.client.post("/api/v1/accounts/province-app/tokens", headers=system, json={"name": "more"}),
            403, "forbidden")
    problem(service.call("POST", "/accounts", "admin", json={"username": "province-app", "display_name": "again"}),
            409, "conflict")
    weak = service.call("POST", "/accounts", "admin", json={"username": "weak", "display_name": "w", "password": "short"})
    problem(weak, 422, "invalid")

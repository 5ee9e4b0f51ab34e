"""Account management: disabling an account, changing and resetting passwords, listing and revoking
tokens — each with its denials (issue #14, "Accounts and roles")."""

from __future__ import annotations

from sqlalchemy import select

from parrules.service.models import AuditEntry
from tests.service.conftest import PASSWORD, Service
from tests.service.helpers import problem

NEW_PASSWORD = "a new and longer passphrase"


def test_a_disabled_account_is_shut_out_at_once(service: Service) -> None:
    svc = service
    svc.account("clerk")
    svc.account("other")
    svc.call("GET", "/auth/me", "clerk", 200)
    api = svc.call("POST", "/accounts/clerk/tokens", "admin", 201, json={"name": "province app"}).json()["token"]
    for who in ("clerk", "other"):  # only a site administrator changes an account
        problem(svc.call("PATCH", "/accounts/clerk", who, json={"active": False}), 403, "forbidden")
    changed = svc.call("PATCH", "/accounts/clerk", "admin", 200, json={"active": False}).json()
    assert changed["active"] is False
    # its login token and its API token stop working, and it cannot log in again
    problem(svc.call("GET", "/auth/me", "clerk"), 401, "unauthenticated")
    problem(svc.client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {api}"}), 401, "unauthenticated")
    problem(svc.client.post("/api/v1/auth/login", json={"username": "clerk", "password": PASSWORD}), 401,
            "unauthenticated")
    # enabled again, old tokens stay revoked; a new login works
    svc.call("PATCH", "/accounts/clerk", "admin", 200, json={"active": True, "display_name": "Cán bộ"})
    problem(svc.client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {api}"}), 401, "unauthenticated")
    svc.tokens.pop("clerk")
    assert svc.call("GET", "/auth/me", "clerk", 200).json()["display_name"] == "Cán bộ"
    # an administrator cannot lock themselves out
    problem(svc.call("PATCH", "/accounts/admin", "admin", json={"active": False}), 409, "conflict")
    problem(svc.call("PATCH", "/accounts/admin", "admin", json={"administrator": False}), 409, "conflict")
    problem(svc.call("PATCH", "/accounts/nobody", "admin", json={"active": False}), 404, "not-found")
    with svc.database.reading() as session:
        actions = list(session.scalars(select(AuditEntry.action).where(AuditEntry.action == "account.change")))
    assert len(actions) == 2


def test_passwords_are_changed_by_their_owner_and_reset_by_an_administrator(service: Service) -> None:
    svc = service
    svc.account("clerk")
    svc.account("other")
    other_session = svc.login("clerk")
    svc.tokens.pop("clerk")
    wrong = svc.call("PUT", "/auth/password", "clerk", json={"current_password": "not it at all",
                                                             "new_password": NEW_PASSWORD})
    problem(wrong, 403, "forbidden")
    problem(svc.call("PUT", "/auth/password", "clerk", json={"current_password": PASSWORD, "new_password": "short"}),
            422, "invalid")
    svc.call("PUT", "/auth/password", "clerk", 204, json={"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    svc.call("GET", "/auth/me", "clerk", 200)  # the session that changed it goes on; the other one is revoked
    problem(svc.client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {other_session}"}), 401,
            "unauthenticated")
    assert svc.client.post("/api/v1/auth/login", json={"username": "clerk", "password": PASSWORD}).status_code == 401
    assert svc.client.post("/api/v1/auth/login", json={"username": "clerk", "password": NEW_PASSWORD}).status_code == 200
    # a reset is a site administrator's, and ends every session of the account
    problem(svc.call("PUT", "/accounts/clerk/password", "other", json={"password": PASSWORD}), 403, "forbidden")
    problem(svc.call("PUT", "/accounts/other/password", "clerk", json={"password": PASSWORD}), 403, "forbidden")
    svc.call("PUT", "/accounts/clerk/password", "admin", 204, json={"password": PASSWORD})
    problem(svc.call("GET", "/auth/me", "clerk"), 401, "unauthenticated")
    svc.tokens.pop("clerk")
    svc.call("GET", "/auth/me", "clerk", 200)
    # wrong current passwords count towards the login limit
    for _ in range(svc.settings.login_failures_per_account):
        svc.call("PUT", "/auth/password", "other", 403, json={"current_password": "guess guess",
                                                              "new_password": NEW_PASSWORD})
    limited = svc.call("PUT", "/auth/password", "other", json={"current_password": PASSWORD,
                                                               "new_password": NEW_PASSWORD})
    problem(limited, 429, "too-many-attempts")


def test_tokens_are_listed_without_their_secret_and_revoked(service: Service) -> None:
    svc = service
    svc.account("clerk")
    svc.account("other")
    given = svc.call("POST", "/accounts/clerk/tokens", "admin", 201, json={"name": "one-stop", "days": 30}).json()
    svc.call("GET", "/auth/me", "clerk", 200)
    listed = svc.call("GET", "/accounts/clerk/tokens", "clerk", 200).json()
    assert sorted(t["kind"] for t in listed) == ["api", "session"]
    assert [t["this_request"] for t in listed if t["kind"] == "session"] == [True]
    assert all(given["token"] not in str(t) and set(t) >= {"id", "name", "expires_at", "live"} for t in listed)
    assert svc.call("GET", "/accounts/clerk/tokens", "admin", 200).json() == \
        [{**t, "this_request": False} for t in listed]
    # another account's tokens are an administrator's business only
    problem(svc.call("GET", "/accounts/clerk/tokens", "other"), 403, "forbidden")
    api_id = next(t["id"] for t in listed if t["kind"] == "api")
    problem(svc.call("DELETE", f"/accounts/clerk/tokens/{api_id}", "other"), 403, "forbidden")
    own_id = next(t["id"] for t in svc.call("GET", "/accounts/other/tokens", "other", 200).json())
    problem(svc.call("DELETE", f"/accounts/clerk/tokens/{own_id}", "admin"), 404, "not-found")  # not clerk's
    svc.call("DELETE", f"/accounts/clerk/tokens/{api_id}", "clerk", 204)
    problem(svc.client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {given['token']}"}), 401,
            "unauthenticated")
    left = svc.call("GET", "/accounts/clerk/tokens", "clerk", 200).json()
    assert [t["kind"] for t in left] == ["session"]
    ended = svc.call("GET", "/accounts/clerk/tokens?include_ended=true", "admin", 200).json()
    assert [t["revoked_at"] is not None for t in ended if t["id"] == api_id] == [True]

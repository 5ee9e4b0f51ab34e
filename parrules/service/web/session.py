"""Who is at the browser: the login token in an HttpOnly cookie, a CSRF token derived from it, the language.

A web session is the API's own login token (`auth.issue_token`, kind "session"), kept in a cookie the
page's scripts cannot read (HttpOnly, SameSite=Lax, Secure behind HTTPS). So a browser session
expires, is revoked at logout and is checked exactly as a bearer token is — no second session
mechanism, no table of its own, nothing in a worker's memory.

Every form and every script request carries a CSRF token: the HMAC-SHA256 of the session token
under a fixed label. Another site can make the browser send the cookie, but cannot read it, so it
cannot compute the HMAC; every worker computes the same value without a shared secret, and a
revoked token's CSRF value dies with it. Before login, the login form is protected the same way by
a random cookie echoed in a hidden field (double submit), so a login cannot be forged either.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import urlsplit

from fastapi import Request
from starlette.responses import Response

from parrules.service.auth import Principal, authenticate
from parrules.service.problems import ServiceProblem
from parrules.service.routes.common import database

SESSION_COOKIE = "parrules_session"
LOGIN_COOKIE = "parrules_login"
LANGUAGE_COOKIE = "parrules_lang"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
_LABEL = b"parrules web csrf v1"


def csrf_for(token: str) -> str:
    """The CSRF token of a session: an HMAC of it (the session token is the key)."""
    return hmac.new(token.encode("utf-8"), _LABEL, hashlib.sha256).hexdigest()


def session_token(request: Request) -> str | None:
    return request.cookies.get(SESSION_COOKIE) or None


def current(request: Request) -> Principal | None:
    """The account behind the session cookie, or None (no cookie, expired, revoked, disabled)."""
    token = session_token(request)
    if not token:
        return None
    with database(request).reading() as session:
        try:
            return authenticate(session, f"Bearer {token}")
        except ServiceProblem:
            return None


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def set_session(response: Response, request: Request, token: str, max_age: int) -> None:
    response.set_cookie(SESSION_COOKIE, token, max_age=max_age, httponly=True, samesite="lax",
                        secure=_secure(request), path="/")
    response.delete_cookie(LOGIN_COOKIE, path="/")


def clear_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")


def login_nonce(request: Request) -> str:
    """The pre-login CSRF value: the cookie's, or a new one (set by `keep_login_nonce`)."""
    return request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(24)


def keep_login_nonce(response: Response, request: Request, nonce: str) -> None:
    response.set_cookie(LOGIN_COOKIE, nonce, max_age=3600, httponly=True, samesite="strict",
                        secure=_secure(request), path="/")


def same_origin(request: Request) -> bool:
    """A state-changing request comes from our own pages: its Origin (or Referer), when the browser
    sends one, names this host. Checked beside the CSRF token, never instead of it."""
    origin = request.headers.get("origin") or request.headers.get("referer")
    if not origin or origin == "null":
        return origin is None
    host = request.headers.get("host", "")
    return urlsplit(origin).netloc == host


def check_csrf(request: Request, given: str | None) -> None:
    """Refuse a write whose CSRF token is not the session's (403)."""
    token = session_token(request)
    if not token or not given or not hmac.compare_digest(csrf_for(token), given) or not same_origin(request):
        raise ServiceProblem(403, "forbidden", "this form is out of date or was not sent by our page (CSRF): "
                             "reload the page and try again", csrf=True)


def check_login_csrf(request: Request, given: str | None) -> None:
    nonce = request.cookies.get(LOGIN_COOKIE)
    if not nonce or not given or not hmac.compare_digest(nonce, given) or not same_origin(request):
        raise ServiceProblem(403, "forbidden", "the login form is out of date (CSRF): reload it", csrf=True)


def language(request: Request) -> str:
    """The reader's language: `?lang=`, else the cookie, else Vietnamese."""
    chosen = request.query_params.get("lang") or request.cookies.get(LANGUAGE_COOKIE) or "vi"
    return chosen if chosen in ("vi", "en") else "vi"

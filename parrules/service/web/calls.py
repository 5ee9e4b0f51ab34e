"""What every page shares: the signed-in account (or the way to the login page), the API's own route
functions called with it, and a refusal said in the reader's language.

Pages never re-implement a rule: a save is the API's route function (`routes.units.save_entry` …)
called with the principal of the session cookie, so the authorisation (`roles.RULES`), the versions,
the library's validation, the audit row and the live score are the API's, byte for byte.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from fastapi import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from parrules.messages import CORE, speaking
from parrules.service.auth import Principal
from parrules.service.exactjson import parse_json
from parrules.service.problems import ServiceProblem
from parrules.service.web.render import SECURITY_HEADERS, page
from parrules.service.web.session import current, language

KNOWN = ("forbidden", "wrong-phase", "deadline-passed", "published", "not-found", "stale-version", "conflict",
         "invalid", "too-large", "unsupported-media-type", "too-many-attempts", "unauthenticated", "bad-request")


class SignIn(Exception):
    """Raised by a page that needs an account when there is none: answered by a redirect to login."""

    def __init__(self, target: str) -> None:
        super().__init__(target)
        self.target = target


def signed_in(request: Request) -> Principal:
    who = current(request)
    if who is None:
        raise SignIn(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
    return who


def sign_in_redirect(target: str) -> RedirectResponse:
    return RedirectResponse("/login?next=" + quote(target, safe=""), status_code=303)


def api(function: Callable[..., Response], *args: Any, **kwargs: Any) -> Any:
    """Call an API route function; its JSON answer with exact decimals."""
    return parse_json(bytes(function(*args, **kwargs).body))


def refusal_text(problem: ServiceProblem) -> str:
    """What a refusal means, in the reader's language."""
    key = problem.extra.get("web_key")
    if isinstance(key, str) and key in CORE:
        return CORE.say(key, value=str(problem.extra.get("value", "")))
    if problem.extra.get("csrf"):
        return CORE.say("web.error.csrf")
    return CORE.say(f"web.error.{problem.kind}" if problem.kind in KNOWN else "web.error.other")


def problem_json(request: Request, problem: ServiceProblem) -> JSONResponse:
    """A refusal for the page's script: the kind, the reader's sentence, and as `detail` what the library
    said about the input (its problems, in the campaign's language) — never the API's own English
    detail, which the page would show beside a Vietnamese sentence (the error page keeps it, folded
    away, as a technical detail)."""
    with speaking(language(request)):
        message = refusal_text(problem)
    extra = {k: v for k, v in problem.extra.items() if k in ("current_version", "problems", "phase", "deadline")}
    found = problem.extra.get("problems")
    said = "; ".join(str(p.get("message", "")) for p in found if isinstance(p, dict)) if isinstance(found, list) else ""
    return JSONResponse({"kind": problem.kind, "message": message, "detail": said, **_plain(extra)},
                        status_code=problem.status, headers=SECURITY_HEADERS)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def problem_page(request: Request, problem: ServiceProblem, who: Principal | None = None) -> Response:
    with speaking(language(request)):
        message = refusal_text(problem)
    return page(request, "error.html", problem.status, who=who, message=message, detail=problem.detail,
                http_status=problem.status)

"""Every error the service answers is an RFC 9457 problem document (`application/problem+json`).

A province's PHP, .NET or Java system reads one shape for every failure: `type` (a URN naming the
kind of problem, stable for code to branch on), `title`, `status`, `detail` (for a person), and, for
bad input, `problems` — the library's own list of `{file, path, line, code, message, hint}`, so a
criteria set refused by the service names the same key and line as `parrules validate`.

Denials say what the caller may not do, never what exists: a clerk asking for another unit's data
gets the same 403 whether that unit exists or not.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from parrules import Problem, ProblemsError, to_json

MEDIA_TYPE = "application/problem+json"
PREFIX = "urn:parrules:problem:"
log = logging.getLogger("parrules.service")

TITLES = {
    "bad-request": "The request cannot be read",
    "invalid": "The input has problems",
    "unauthenticated": "Authentication required",
    "forbidden": "Not allowed",
    "not-found": "Not found",
    "conflict": "Conflict with the current state",
    "stale-version": "Changed by someone else",
    "published": "The campaign is published",
    "wrong-phase": "Not in this phase",
    "deadline-passed": "The deadline has passed",
    "too-many-attempts": "Too many login attempts",
    "too-large": "Too large",
    "unsupported-media-type": "Unsupported media type",
    "method-not-allowed": "Method not allowed",
    "internal": "Internal error",
}


class ServiceProblem(Exception):
    """An error answered as a problem document: raise it anywhere in a request."""

    def __init__(self, status: int, kind: str, detail: str, *, headers: Mapping[str, str] | None = None,
                 **extra: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.kind = kind
        self.detail = detail
        self.headers = dict(headers or {})
        self.extra = extra


def forbidden(detail: str) -> ServiceProblem:
    return ServiceProblem(403, "forbidden", detail)


def not_found(detail: str) -> ServiceProblem:
    return ServiceProblem(404, "not-found", detail)


def invalid(problems: Sequence[Problem], detail: str | None = None) -> ServiceProblem:
    count = len(problems)
    return ServiceProblem(422, "invalid", detail or (f"{count} problem found" if count == 1 else f"{count} problems found"),
                          problems=[p.to_dict() for p in problems])


def bad_request(detail: str, **extra: Any) -> ServiceProblem:
    return ServiceProblem(400, "bad-request", detail, **extra)


def stale(detail: str, current_version: int | None) -> ServiceProblem:
    return ServiceProblem(409, "stale-version", detail, current_version=current_version)


def problem_response(status: int, kind: str, detail: str, instance: str, *,
                     headers: Mapping[str, str] | None = None, **extra: Any) -> Response:
    body: dict[str, Any] = {"type": PREFIX + kind, "title": TITLES.get(kind, kind), "status": status,
                            "detail": detail, "instance": instance}
    body.update(extra)
    return Response(to_json(body, indent=False), status_code=status, media_type=MEDIA_TYPE, headers=headers)


def install(app: FastAPI) -> None:
    """Answer every error of `app` as a problem document."""

    @app.exception_handler(ServiceProblem)
    async def on_problem(request: Request, exc: ServiceProblem) -> Response:
        return problem_response(exc.status, exc.kind, exc.detail, request.url.path, headers=exc.headers, **exc.extra)

    @app.exception_handler(ProblemsError)
    async def on_problems(request: Request, exc: ProblemsError) -> Response:
        problem = invalid(exc.problems)
        return problem_response(422, "invalid", problem.detail, request.url.path, **problem.extra)

    @app.exception_handler(RequestValidationError)
    async def on_validation(request: Request, exc: RequestValidationError) -> Response:
        errors = [{"location": [str(part) for part in error.get("loc", ())], "message": str(error.get("msg", "")),
                   "code": str(error.get("type", ""))} for error in exc.errors()]
        first = errors[0] if errors else None
        detail = f"{'.'.join(first['location'])}: {first['message']}" if first else "the request is not valid"
        return problem_response(422, "invalid", detail, request.url.path, errors=errors)

    @app.exception_handler(StaleDataError)
    async def on_stale(request: Request, exc: StaleDataError) -> Response:
        return problem_response(409, "stale-version", "someone else changed this in the meantime: read it again",
                                request.url.path)

    @app.exception_handler(IntegrityError)
    async def on_integrity(request: Request, exc: IntegrityError) -> Response:
        return problem_response(409, "conflict", "this conflicts with what is stored (created at the same time, "
                                "or already there): read it again", request.url.path)

    @app.exception_handler(StarletteHTTPException)
    async def on_http(request: Request, exc: StarletteHTTPException) -> Response:
        kind = {404: "not-found", 405: "method-not-allowed", 401: "unauthenticated", 403: "forbidden",
                413: "too-large", 415: "unsupported-media-type"}.get(exc.status_code, "bad-request")
        return problem_response(exc.status_code, kind, str(exc.detail), request.url.path,
                                headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def on_error(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return problem_response(500, "internal", "the service failed on this request; it is logged", request.url.path)


PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "format": "uri", "example": PREFIX + "forbidden"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "problems": {"type": "array", "description": "the library's problems of the input",
                     "items": {"type": "object", "properties": {
                         "file": {"type": "string"}, "path": {"type": "string"},
                         "line": {"type": ["integer", "null"]}, "code": {"type": "string"},
                         "message": {"type": "string"}, "hint": {"type": ["string", "null"]}}}},
        "current_version": {"type": ["integer", "null"]},
    },
}


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI `responses` of a route's errors, each a problem document."""
    return {status: {"description": TITLES.get(_KINDS.get(status, ""), "Problem"),
                     "content": {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
            for status in statuses}


_KINDS = {400: "bad-request", 401: "unauthenticated", 403: "forbidden", 404: "not-found", 409: "conflict",
          413: "too-large", 415: "unsupported-media-type", 422: "invalid", 429: "too-many-attempts"}

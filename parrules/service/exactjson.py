"""JSON in and out with exact decimals, as the library reads and writes its files.

FastAPI would parse `98.7` as a float and write Decimals as strings; a PAR figure must stay the
digits the unit typed. Request bodies are parsed as `parrules` parses a JSON submission (numbers as
`Decimal`, NaN and Infinity refused, a key given twice refused), and responses are written with
`parrules.to_json` (sorted keys, exact numbers, UTF-8), so a results document from the service is
the library's bytes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import Request
from fastapi.routing import APIRoute
from pydantic import WithJsonSchema
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from parrules import to_json
from parrules.service.problems import MEDIA_TYPE, ServiceProblem, problem_response

Number = Annotated[Decimal, WithJsonSchema({"type": "number", "description": "an exact decimal number"})]
"""A figure in a request: a JSON number (read exactly) or a decimal string."""

Points = Annotated[Decimal | Literal["na"], WithJsonSchema(
    {"oneOf": [{"type": "number"}, {"type": "string", "enum": ["na"]}],
     "description": "points (an exact decimal) or \"na\" (không áp dụng)"})]


def _once(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"key {key!r} is given twice in one object")
        out[key] = value
    return out


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def parse_json(raw: bytes) -> Any:
    """The JSON value of `raw` with exact decimals, or a 400 problem saying where it is broken."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ServiceProblem(400, "bad-request", f"the body is not UTF-8 (byte {exc.start})") from None
    try:
        return json.loads(text, parse_float=Decimal, object_pairs_hook=_once, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise ServiceProblem(400, "bad-request", f"JSON syntax error at line {exc.lineno}, column {exc.colno}: "
                             f"{exc.msg}") from None
    except RecursionError:
        raise ServiceProblem(400, "bad-request", "the JSON is nested too deeply") from None
    except ValueError as exc:
        raise ServiceProblem(400, "bad-request", f"the JSON cannot be read: {exc}") from None


class ExactRequest(Request):
    """A request whose JSON body is read with exact decimals, and whose body may not exceed the
    service's `max_body_bytes` (413 before the rest is read, whether or not its length was announced)."""

    async def body(self) -> bytes:
        if not hasattr(self, "_body"):
            limit = self.app.state.settings.max_body_bytes
            declared = self.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                raise ServiceProblem(413, "too-large", f"the body is larger than {limit} bytes")
            chunks: list[bytes] = []
            size = 0
            async for chunk in self.stream():
                size += len(chunk)
                if size > limit:
                    raise ServiceProblem(413, "too-large", f"the body is larger than {limit} bytes")
                chunks.append(chunk)
            self._body = b"".join(chunks)
        return self._body

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = parse_json(await self.body())
        return self._json


class ExactRoute(APIRoute):
    """Routes of the service: the caller authenticated first (a request without a valid token is
    refused before its body is read), then the body read through `ExactRequest`."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        public = bool(self.openapi_extra) and self.openapi_extra.get("security") == []  # type: ignore[union-attr]
        takes_json = self.body_field is not None

        async def exact_handler(request: Request) -> Response:
            exact = ExactRequest(request.scope, request.receive)
            try:
                if not public:
                    from parrules.service.auth import principal

                    exact.state.principal = await run_in_threadpool(principal, exact)
                media_type = exact.headers.get("content-type", "").split(";")[0].strip().lower()
                json_body = media_type == "application/json" or media_type.endswith("+json") or \
                    (not media_type and takes_json)
                if exact.method in ("POST", "PUT", "PATCH") and json_body and await exact.body():
                    await exact.json()  # read here, so that our problem is answered, not "error parsing the body"
            except ServiceProblem as exc:
                return problem_response(exc.status, exc.kind, exc.detail, exact.url.path, headers=exc.headers,
                                        **exc.extra)
            return await handler(exact)

        return exact_handler


class ExactJSONResponse(Response):
    """A JSON response written by `parrules.to_json` (compact)."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return to_json(content, indent=False)


def json_body_schema(schema: dict[str, Any], media_type: str = "application/json",
                     description: str = "") -> dict[str, Any]:
    """`openapi_extra` for a route that reads its body itself (TOML, a file, exact JSON)."""
    return {"requestBody": {"required": True, "description": description,
                            "content": {media_type: {"schema": schema}}}}


PROBLEM_MEDIA_TYPE: Literal["application/problem+json"] = MEDIA_TYPE  # type: ignore[assignment]

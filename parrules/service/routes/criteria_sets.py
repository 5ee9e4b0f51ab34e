"""Criteria sets: upload a TOML, validate it, read it as the official table, diff two, score against one.

Bodies are the TOML itself (`Content-Type: application/toml`), as `parrules validate` reads a file;
problems come back as an RFC 9457 document whose `problems` are the library's, with key path and
line. Stateless scoring takes submissions in the file format and answers the library's results JSON
(`parrules score --format json`), byte for byte.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Depends, Query, Request
from sqlalchemy import select
from starlette.responses import Response

from parrules import to_json
from parrules.service import audit, library
from parrules.service.auth import Principal, principal
from parrules.service.exactjson import json_body_schema
from parrules.service.models import CriteriaSetRecord
from parrules.service.problems import ServiceProblem, forbidden
from parrules.service.routes.common import database, exact, router, settings_of
from parrules.service.schemas import ScoreRequest
from parrules.service.scoring import score_posted
from parrules.service.sets import decode_set, find_set, load_text, loaded, set_summary, store_set

api = router("criteria sets")
Caller = Annotated[Principal, Depends(principal)]
TOML_BODY = json_body_schema({"type": "string", "description": "a criteria set (TOML)"}, "application/toml",
                             "the criteria set's TOML text, UTF-8")
TOML_TYPES = ("application/toml", "text/plain", "text/x-toml", "application/octet-stream")


async def toml_text(request: Request) -> str:
    """The body as a set's text: TOML, at most `max_set_bytes`, UTF-8."""
    media_type = request.headers.get("content-type", "application/toml").split(";")[0].strip().lower()
    if media_type not in TOML_TYPES:
        raise ServiceProblem(415, "unsupported-media-type", "send the set as application/toml")
    raw = await request.body()
    limit = settings_of(request).max_set_bytes
    if len(raw) > limit:
        raise ServiceProblem(413, "too-large", f"a criteria set is at most {limit} bytes")
    return decode_set(raw)


SetText = Annotated[str, Depends(toml_text)]


@api.post("/criteria-sets/validate", summary="Validate a set without keeping it", openapi_extra=TOML_BODY)
def validate_set(text: SetText, who: Caller) -> Response:
    criteria = load_text(text)
    return exact({"valid": True, "id": criteria.id, "name": criteria.meta.name,
                  "total_points": criteria.meta.total_points, "criteria": len(criteria.nodes),
                  "leaves": len(criteria.leaves), "sha256": criteria.content_hash})


@api.post("/criteria-sets", status_code=201, summary="Upload a set (site administrators); kept once per content",
          openapi_extra=TOML_BODY)
def upload_set(text: SetText, who: Caller, request: Request) -> Response:
    if not who.administrator:
        raise forbidden("only a site administrator uploads criteria sets")
    with database(request).writing() as session:
        record, new = store_set(session, text, who.account_id)
        if new:
            audit.record(session, who, None, "criteria_set.upload", after={"sha256": record.sha256, "id": record.set_id})
        summary = set_summary(record)
    return exact(summary, 201 if new else 200)


@api.get("/criteria-sets", summary="Every stored set")
def list_sets(who: Caller, request: Request) -> Response:
    with database(request).reading() as session:
        records = session.scalars(select(CriteriaSetRecord).order_by(CriteriaSetRecord.set_id, CriteriaSetRecord.id))
        return exact([set_summary(r) for r in records])


@api.get("/criteria-sets/{sha256}", summary="A stored set's summary")
def get_set(sha256: str, who: Caller, request: Request) -> Response:
    with database(request).reading() as session:
        return exact(set_summary(find_set(session, sha256)))


@api.get("/criteria-sets/{sha256}/toml", summary="A stored set's TOML, as uploaded",
         response_class=Response, responses={200: {"content": {"application/toml": {}}}})
def get_set_toml(sha256: str, who: Caller, request: Request) -> Response:
    with database(request).reading() as session:
        return Response(find_set(session, sha256).toml.encode("utf-8"), media_type="application/toml")


@api.get("/criteria-sets/{sha256}/table", summary="The set as the official numbered table (parrules doc)",
         response_class=Response, responses={200: {"content": {"text/markdown": {}, "text/html": {}}}})
def get_set_table(sha256: str, who: Caller, request: Request,
                  format: Literal["markdown", "html"] = "markdown",
                  lang: Annotated[Literal["vi", "en"] | None, Query()] = None) -> Response:
    with database(request).reading() as session:
        criteria = loaded(find_set(session, sha256))
    with library.speaking(lang, criteria):
        if format == "html":
            return Response(library.render_html(criteria).encode("utf-8"), media_type="text/html; charset=utf-8")
        return Response(library.render_markdown(criteria).encode("utf-8"), media_type="text/markdown; charset=utf-8")


@api.get("/criteria-sets/{old}/diff/{new}", summary="What changed from one set to another (parrules diff)",
         responses={200: {"content": {"text/plain": {}}}})
def diff_sets(old: str, new: str, who: Caller, request: Request,
              format: Literal["json", "text"] = "json") -> Response:
    with database(request).reading() as session:
        before, after = loaded(find_set(session, old)), loaded(find_set(session, new))
    with library.speaking(None, after):
        if format == "text":
            return Response(library.render_diff_text(before, after).encode("utf-8"),
                            media_type="text/plain; charset=utf-8")
        return Response(to_json(library.diff_sets(before, after)), media_type="application/json")


@api.post("/criteria-sets/{sha256}/score", summary="Score submissions against the set (stateless)",
          response_class=Response,
          responses={200: {"description": "the library's results JSON (parrules score --format json)",
                           "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Results"}}}}})
def score(sha256: str, body: ScoreRequest, who: Caller, request: Request) -> Response:
    with database(request).reading() as session:
        criteria = loaded(find_set(session, sha256))
    return Response(score_posted(criteria, body.submissions), media_type="application/json")

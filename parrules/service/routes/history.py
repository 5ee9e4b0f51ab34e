"""Last year's results and the code mapping of a campaign made through the API: what the
year-over-year comparison reads (`previous_results`, `code_mapping` in a campaign file).

Each upload is stored by its hash and checked in the same transaction by the library, on the
campaign's files as they would be exported (`transfer.check_campaign_level`): a file the library
would refuse is refused with its problems, and nothing is kept. The mapping maps last year's codes
to this year's, so it is checked against last year's results: upload those first.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from parrules.service import audit
from parrules.service.auth import Principal, principal
from parrules.service.blobs import put_blob
from parrules.service.exactjson import json_body_schema
from parrules.service.problems import ServiceProblem, responses
from parrules.service.routes.common import allowed, database, exact, find_campaign, router, settings_of
from parrules.service.submissions import safe_name
from parrules.service.transfer import check_campaign_level

api = router("campaigns")
Caller = Annotated[Principal, Depends(principal)]
FileName = Query(None, description="the file's name in the export (letters, digits, . _ -); default: the "
                                   "name it had, else results.json / mapping.toml")
KINDS = {"previous": ("application/json", ".json", "results.json", "last year's results"),
         "mapping": ("application/toml", ".toml", "mapping.toml", "the code mapping")}


async def _body(request: Request, kind: str) -> bytes:
    media, _, _, what = KINDS[kind]
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != media:
        raise ServiceProblem(415, "unsupported-media-type", f"{what} is sent as {media}")
    content = await request.body()
    limit = settings_of(request).max_body_bytes
    if len(content) > limit:
        raise ServiceProblem(413, "too-large", f"a request body is at most {limit} bytes")
    return content


def _store(kind: str, campaign: str, name: str | None, content: bytes, who: Principal, request: Request) -> Response:
    media, suffix, default, _ = KINDS[kind]
    with database(request).writing() as session:
        row = find_campaign(session, campaign, lock="share")
        allowed(session, who, row, "import_history")
        digest = put_blob(session, content, media)
        if kind == "previous":
            before = {"sha256": row.previous_sha256, "file": row.previous_name}
            chosen = safe_name(name, default) if name else (row.previous_name or default)
            row.previous_sha256, row.previous_name = digest, chosen if chosen.endswith(suffix) else default
            after = {"sha256": digest, "file": row.previous_name}
            path = f"previous/{row.previous_name}"
        else:
            before = {"sha256": row.mapping_sha256, "file": row.mapping_name}
            chosen = safe_name(name, default) if name else (row.mapping_name or default)
            row.mapping_sha256, row.mapping_name = digest, chosen if chosen.endswith(suffix) else default
            after = {"sha256": digest, "file": row.mapping_name}
            path = row.mapping_name
        session.flush()
        check_campaign_level(session, row)  # refused: the transaction rolls back, nothing is kept
        audit.record(session, who, row, f"campaign.{kind}", before=before, after={**after, "size": len(content)})
    return exact({"sha256": "sha256:" + digest, "size": len(content), "file": path})


@api.put("/campaigns/{campaign}/previous", summary="Upload last year's results (administrator, before publication)",
         openapi_extra=json_body_schema({"type": "object"}, "application/json",
                                        "the results JSON `parrules campaign` wrote last year"),
         responses=responses(413, 415))
async def put_previous(campaign: str, request: Request, who: Caller, name: str | None = FileName) -> Response:
    content = await _body(request, "previous")
    return await run_in_threadpool(_store, "previous", campaign, name, content, who, request)


@api.put("/campaigns/{campaign}/mapping", summary="Upload the code mapping, last year's codes to this year's "
         "(administrator, before publication; after last year's results)",
         openapi_extra=json_body_schema({"type": "string"}, "application/toml", "the mapping TOML"),
         responses=responses(413, 415))
async def put_mapping(campaign: str, request: Request, who: Caller, name: str | None = FileName) -> Response:
    content = await _body(request, "mapping")
    return await run_in_threadpool(_store, "mapping", campaign, name, content, who, request)

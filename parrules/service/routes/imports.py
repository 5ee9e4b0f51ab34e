"""A campaign folder uploaded as a zip (`POST /campaigns/import`): what `parrules serve --import` does
with a file on the server's disk, for a client that has only the API.

The zip is unpacked by `archive.unpack` (every path checked, sizes counted as they inflate) into a
fresh folder under the cache, the campaign file is confined to that folder (`archive.confine`:
it may name no file outside it), and the folder is imported by `transfer.import_campaign` with
`within` set, in one transaction; the folder is removed afterwards whatever happened. Problems name
the files by their paths inside the zip.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from parrules import ProblemsError
from parrules.service import audit
from parrules.service.archive import Limits, campaign_file, confine, unpack
from parrules.service.auth import Principal, principal
from parrules.service.exactjson import json_body_schema
from parrules.service.problems import ServiceProblem, forbidden, responses
from parrules.service.roles import Phase
from parrules.service.routes.campaigns import campaign_view
from parrules.service.routes.common import database, exact, router, settings_of
from parrules.service.transfer import import_campaign

api = router("campaigns")
Caller = Annotated[Principal, Depends(principal)]
ZIP_TYPES = ("application/zip", "application/x-zip-compressed")


@api.post("/campaigns/import", status_code=201, responses=responses(409, 413, 415),
          summary="Import a zipped campaign folder (site administrators): set, submissions, evidence, data, "
                  "last year's results, code mapping",
          openapi_extra=json_body_schema({"type": "string", "format": "binary"}, "application/zip",
                                         "a campaign folder as `parrules campaign` reads it, zipped (the export "
                                         "of GET /campaigns/{c}/export is one)"))
async def import_zip(request: Request, who: Caller,
                     phase: Annotated[Phase, Query(description="the phase it starts in")] = Phase.SELF_ASSESSMENT
                     ) -> Response:
    if not who.administrator:
        raise forbidden("only a site administrator imports campaigns")
    if request.headers.get("content-type", "").split(";")[0].strip().lower() not in ZIP_TYPES:
        raise ServiceProblem(415, "unsupported-media-type", "a campaign is uploaded as application/zip")
    limit = settings_of(request).max_body_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise ServiceProblem(413, "too-large", f"a request body is at most {limit} bytes")
    content = bytearray()
    async for chunk in request.stream():
        content += chunk
        if len(content) > limit:
            raise ServiceProblem(413, "too-large", f"a request body is at most {limit} bytes")
    if phase is Phase.PUBLISHED:
        raise ServiceProblem(422, "invalid", "a campaign is published by its chair, not imported published")
    return await run_in_threadpool(_import, bytes(content), phase, who, request)


def _import(content: bytes, phase: Phase, who: Principal, request: Request) -> Response:
    settings = settings_of(request)
    settings.cache_dir.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="upload-", dir=settings.cache_dir))
    try:
        try:
            files = unpack(content, folder, Limits(file_bytes=settings.max_body_bytes,
                                                   total_bytes=4 * settings.max_body_bytes))
            path = campaign_file(folder, files)
            confine(path, folder)
            with database(request).writing() as session:
                campaign = import_campaign(session, path, phase=phase, account_id=who.account_id, within=folder)
                audit.record(session, who, campaign, "campaign.import",
                             after={"code": campaign.code, "phase": campaign.phase, "files": len(files),
                                    "size": len(content)})
                view = campaign_view(session, campaign, who)
        except ProblemsError as exc:
            raise ProblemsError([replace(p, file=_shown(p.file, folder)) for p in exc.problems]) from None
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return exact(view, 201)


def _shown(file: str, folder: Path) -> str:
    """A problem's file as its path inside the zip (never the server's folder)."""
    try:
        return Path(file).resolve().relative_to(folder.resolve()).as_posix()
    except ValueError:
        return Path(file).name if file else file

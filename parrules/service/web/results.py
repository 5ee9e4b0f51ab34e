"""Published results, readable by anyone with the link once the campaign is published: the ranking,
each unit's page, and the published files byte for byte.

Before publication these pages answer 404 to everyone, as if the campaign did not exist: nothing of
a campaign in progress is public. After it, what they show is read from the stored results JSON
(`<campaign>.json`, written once at publication), never recomputed, so the page, the downloads and
the re-run of `campaign-files.zip` all agree.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy import select
from starlette.responses import Response

from parrules.service.blobs import blob_content
from parrules.service.models import Campaign, PublishedFile
from parrules.service.problems import ServiceProblem, not_found
from parrules.service.publication import published_files
from parrules.service.roles import Phase
from parrules.service.routes.common import database
from parrules.service.web.calls import problem_page
from parrules.service.web.render import page
from parrules.service.web.session import current

web = APIRouter(include_in_schema=False)


def _published(session: Any, code: str) -> Campaign:
    campaign = session.scalar(select(Campaign).where(Campaign.code == code))
    if campaign is None or campaign.phase != Phase.PUBLISHED.value:
        raise not_found(f"no published campaign '{code}'")
    return campaign


def _results(request: Request, code: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    with database(request).reading() as session:
        campaign = _published(session, code)
        row = session.get(PublishedFile, (campaign.id, f"{campaign.code}.json"))
        if row is None:
            raise not_found(f"the publication of '{code}' has no results file")
        data = json.loads(blob_content(session, row.sha256), parse_float=Decimal)
        return data, published_files(session, campaign)


class _Rounding:
    def __init__(self, data: dict[str, Any]) -> None:
        meta = data.get("criteria_set") or {}
        self.decimals = int(meta.get("decimals", 2))
        self.percent_decimals = int(meta.get("percent_decimals", 2))
        self.mode = str(meta.get("rounding_mode", "half_up"))


def ranking(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Every cohort's units in rank order (units without a rank — incomplete — last, by code)."""
    units = {u["unit"]["code"]: u for u in data["units"]}
    out = []
    for cohort in data.get("cohorts", []):
        members = [units[c] for c in cohort["units"] if c in units]
        members.sort(key=lambda u: ((u.get("placing") or {}).get("rank") is None,
                                    (u.get("placing") or {}).get("rank") or 0, u["unit"]["code"]))
        out.append({"name": cohort["name"], "units": members})
    return out


@web.get("/results/{campaign}")
def results_page(campaign: str, request: Request) -> Response:
    try:
        data, files = _results(request, campaign)
    except ServiceProblem as problem:
        return problem_page(request, problem, current(request))
    return page(request, "results.html", who=current(request), data=data, cohorts=ranking(data), files=files,
                code=campaign, rounding=_Rounding(data))


@web.get("/results/{campaign}/units/{unit}")
def result_unit(campaign: str, unit: str, request: Request) -> Response:
    try:
        data, _ = _results(request, campaign)
        found = next((u for u in data["units"] if u["unit"]["code"] == unit), None)
        if found is None:
            raise not_found(f"the publication of '{campaign}' has no unit '{unit}'")
    except ServiceProblem as problem:
        return problem_page(request, problem, current(request))
    names = {n["code"]: n for n in (data.get("criteria_set") or {}).get("criteria", [])}
    return page(request, "result_unit.html", who=current(request), data=data, u=found, code=campaign, names=names,
                rounding=_Rounding(data))


@web.get("/results/{campaign}/files/{name}")
def result_file(campaign: str, name: str, request: Request) -> Response:
    try:
        with database(request).reading() as session:
            row_campaign = _published(session, campaign)
            row = session.get(PublishedFile, (row_campaign.id, name))
            if row is None:
                raise not_found(f"the publication of '{campaign}' has no file '{name}'")
            content = blob_content(session, row.sha256)
    except ServiceProblem as problem:
        return problem_page(request, problem, current(request))
    return Response(content, media_type=row.media_type,
                    headers={"ETag": f'"sha256:{row.sha256}"', "Content-Disposition": f'attachment; filename="{row.name}"',
                             "X-Content-Type-Options": "nosniff"})

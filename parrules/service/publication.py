"""Publication: the campaign's results, reports, audit trail and files written once, then frozen.

`publish` runs the campaign on its export (`scoring.run_exported`), renders the reports, and stores,
as blobs, each file with its sha256: `<campaign>.json` (the campaign JSON, as `parrules campaign`
writes it), the CSV, Markdown, HTML and XLSX reports, `audit.json` (the trail up to publication)
and `campaign-files.zip` (the export it ran on, so anyone can re-run it and get the same JSON). The
campaign's phase becomes `published` in the same transaction; from then on every write is refused
and every download is the stored bytes.

Results that are incomplete (a criterion errored or was not evaluated) are not published unless
the chair asks for a provisional publication, as `parrules campaign --provisional`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from parrules import ParrulesError, to_json
from parrules.service import audit, library
from parrules.service.auth import Principal
from parrules.service.blobs import put_blob
from parrules.service.models import Campaign, PhaseSchedule, PublishedFile, utcnow
from parrules.service.problems import ServiceProblem
from parrules.service.roles import Phase
from parrules.service.scoring import run_exported
from parrules.service.transfer import zip_files

REPORTS = ("csv", "md", "html", "xlsx", "docx")  # docx: the annex to the publication decision
MEDIA_TYPES = {".json": "application/json", ".csv": "text/csv; charset=utf-8", ".md": "text/markdown; charset=utf-8",
               ".html": "text/html; charset=utf-8", ".zip": "application/zip",
               ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
               ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


def publish(session: Session, cache: Path, campaign: Campaign, who: Principal, *, provisional: bool) -> list[PublishedFile]:
    """Publish `campaign` (locked by the caller's transaction); returns the files written."""
    suffixes = library.report_suffixes()
    formats = [fmt for fmt in REPORTS if fmt in suffixes]
    run = run_exported(session, cache, campaign, report_formats=())
    incomplete = [u.unit.code for u in run.result.run.units if u.incomplete]
    if incomplete and not provisional:
        raise ServiceProblem(409, "conflict", f"{len(incomplete)} units have incomplete results: publish them "
                             "provisionally (provisional: true) or complete them first",
                             incomplete_units=incomplete[:100])
    data = run.result.to_dict()
    files: dict[str, bytes] = {f"{campaign.code}.json": run.json}
    for fmt in formats:
        try:
            files[f"{campaign.code}{suffixes[fmt]}"] = library.render_report(data, fmt, run.language)
        except ParrulesError as exc:  # a report too large for one file: the others are still published
            audit.record(session, who, campaign, "publication.report_skipped", after={"format": fmt, "why": str(exc)})
    files["audit.json"] = to_json({"campaign": campaign.code, "audit": audit.entries(session, campaign, limit=10**9)})
    files["campaign-files.zip"] = zip_files(run.files, campaign.code)
    published = []
    for name, content in sorted(files.items()):
        media_type = MEDIA_TYPES.get(Path(name).suffix, "application/octet-stream")
        digest = put_blob(session, content, media_type)
        row = PublishedFile(campaign_id=campaign.id, name=name, sha256=digest, media_type=media_type, size=len(content))
        session.add(row)
        published.append(row)
    before = campaign.phase
    campaign.phase = Phase.PUBLISHED.value
    campaign.published_at = utcnow()
    schedule = session.get(PhaseSchedule, (campaign.id, Phase.PUBLICATION.value))
    if schedule is not None:
        schedule.ended_at = utcnow()
    audit.record(session, who, campaign, "campaign.publish", before={"phase": before},
                 after={"phase": campaign.phase, "provisional": bool(incomplete),
                        "files": {row.name: "sha256:" + row.sha256 for row in published}})
    session.flush()
    return published


def published_files(session: Session, campaign: Campaign) -> list[dict[str, Any]]:
    rows = session.scalars(select(PublishedFile).where(PublishedFile.campaign_id == campaign.id)
                           .order_by(PublishedFile.name))
    return [{"name": row.name, "sha256": "sha256:" + row.sha256, "size": row.size, "media_type": row.media_type}
            for row in rows]

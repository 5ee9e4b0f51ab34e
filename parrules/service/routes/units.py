"""A campaign's units: their self-assessment and answers per criterion, appraisals per round,
explanations of deductions, evidence documents, live score, submission and audit trail.

Every save names the version it read and is refused with 409 when someone saved in between; the
change, its audit row and the version bump are one transaction. The row whose version is checked is
read `FOR UPDATE` (on PostgreSQL; SQLite's write transactions are serial already): a save that
changes nothing issues no UPDATE, so without the lock it could pass a version another transaction
had just replaced, and be acknowledged at a version the row no longer has. The unit's submission with the
change is checked by the library (`validate_submission`: points in range, N/A where allowed, an
answer the rule can read) before it is committed, and the unit's live score is computed by the
engine after it is.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import Depends, Request
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from parrules import submission_from_dict
from parrules.service import audit, library
from parrules.service.auth import Principal, principal
from parrules.service.blobs import EVIDENCE_TYPES, blob_content, put_blob, suffix_for
from parrules.service.exactjson import json_body_schema
from parrules.service.models import Appraisal, Campaign, Document, Entry, Unit
from parrules.service.problems import ServiceProblem, invalid, not_found, responses
from parrules.service.roles import ROUND_PHASE, Role, appraisal_action, explanation_step
from parrules.service.routes.common import (
    allowed,
    check_version,
    database,
    exact,
    find_campaign,
    find_unit,
    leaf_code,
    router,
    settings_of,
)
from parrules.service.schemas import AppraisalSave, EntrySave, ExplanationSave, NewDocument, NewUnit
from parrules.service.scoring import campaign_criteria, score_unit
from parrules.service.submissions import (
    UnitState,
    appraisal_view,
    claimed,
    deducts,
    document_view,
    entry_view,
    json_text,
    json_value,
    lowers,
    points_text,
    points_value,
    safe_name,
    unit_rows,
    unit_state,
    unit_submission,
)

api = router("units")
Caller = Annotated[Principal, Depends(principal)]
CONFLICTS = responses(404, 409)


def unit_view(unit: Unit) -> dict[str, Any]:
    return {"code": unit.code, "name": unit.name, "kind": unit.kind, "period": unit.period, "cohort": unit.cohort,
            "figures": json_value(unit.figures) or {}, "version": unit.version}


def score_view(result: Any, code: str | None = None) -> dict[str, Any]:
    """The unit's live figures (and one criterion's result) from the library's `UnitResult.to_dict()`."""
    data = result.to_dict()
    out = {key: data[key] for key in ("total_points", "base_points", "bonus_points", "penalty_points",
                                      "applicable_max", "index", "band", "incomplete", "warnings")}
    out["complete"] = not data["incomplete"]
    if code is not None:
        out["criterion"] = next((leaf for leaf in data["leaves"] if leaf["code"] == code), None)
    return out


def _check_submission(session: Session, campaign: Campaign, unit: Unit) -> UnitState:
    """The unit's submission as it now stands in this transaction, checked by the library; returned
    so the live score after the commit scores exactly what this transaction committed."""
    record, criteria = campaign_criteria(session, campaign)
    session.flush()
    state = unit_state(session, unit, record.set_id)
    # files are the service's; their presence is not what is checked here
    document = {**state.document, "documents": [{k: v for k, v in d.items() if k != "file"}
                                                 for d in state.document["documents"]]}
    submission = submission_from_dict(document, source=f"submissions/{unit.file_stem}.json")
    problems = library.validate_submission(criteria, submission)
    if problems:
        raise invalid(problems)
    return state


def _live(request: Request, campaign: Campaign, unit: Unit, state: UnitState, code: str | None) -> dict[str, Any]:
    """After the commit: the unit's score with what the transaction committed, by the engine."""
    with database(request).reading() as session:
        return score_view(score_unit(session, settings_of(request).cache_dir, campaign, unit, state=state), code)


@api.get("/campaigns/{campaign}/units", summary="The campaign's units (a clerk sees only their own)")
def list_units(campaign: str, who: Caller, request: Request) -> Response:
    with database(request).reading() as session:
        row = find_campaign(session, campaign)
        mine = allowed(session, who, row, "read_unit")
        query = select(Unit).where(Unit.campaign_id == row.id).order_by(Unit.code)
        if mine.role is Role.CLERK:
            query = query.where(Unit.id == mine.unit_id)
        return exact([{"code": u.code, "name": u.name, "kind": u.kind, "cohort": u.cohort}
                      for u in session.scalars(query)])


@api.post("/campaigns/{campaign}/units", status_code=201, summary="Add a unit (administrator)")
def add_unit(campaign: str, body: NewUnit, who: Caller, request: Request) -> Response:
    with database(request).writing() as session:
        row = find_campaign(session, campaign, lock="share")
        allowed(session, who, row, "manage_units")
        if session.scalar(select(Unit.id).where(Unit.campaign_id == row.id, Unit.code == body.code)) is not None:
            raise ServiceProblem(409, "conflict", f"campaign '{row.code}' already has a unit '{body.code}'")
        count = session.scalar(select(func.count()).select_from(Unit).where(Unit.campaign_id == row.id)) or 0
        stems = set(session.scalars(select(Unit.file_stem).where(Unit.campaign_id == row.id)))
        stem = safe_name(body.code, f"unit-{count + 1:04d}")
        if stem in stems:
            stem = f"unit-{count + 1:04d}"
        unit = Unit(campaign_id=row.id, code=body.code, name=body.name, kind=body.kind, period=body.period,
                    cohort=body.cohort, file_stem=stem, figures=json_text(body.figures))
        session.add(unit)
        session.flush()
        _check_submission(session, row, unit)
        audit.record(session, who, row, "unit.create", unit=unit, after=unit_view(unit))
        view = unit_view(unit)
    return exact(view, 201)


@api.get("/campaigns/{campaign}/units/{unit}", summary="A unit with its entries, appraisals and documents")
def get_unit(campaign: str, unit: str, who: Caller, request: Request) -> Response:
    with database(request).reading() as session:
        row = find_campaign(session, campaign)
        allowed(session, who, row, "read_unit", unit)
        found = find_unit(session, row, unit)
        entries, appraisals, documents = unit_rows(session, found)
        return exact({"unit": unit_view(found), "entries": [entry_view(e, e.code) for e in entries],
                      "appraisals": [appraisal_view(a) for a in appraisals],
                      "documents": [document_view(found, d) for d in documents]})


@api.get("/campaigns/{campaign}/units/{unit}/submission", summary="The unit's submission in the file format")
def get_submission(campaign: str, unit: str, who: Caller, request: Request) -> Response:
    with database(request).reading() as session:
        row = find_campaign(session, campaign)
        allowed(session, who, row, "read_unit", unit)
        record, _ = campaign_criteria(session, row)
        return exact(unit_submission(session, find_unit(session, row, unit), record.set_id))


@api.get("/campaigns/{campaign}/units/{unit}/score", summary="The unit's live results (the library's UnitResult JSON)",
         response_class=Response)
def get_score(campaign: str, unit: str, who: Caller, request: Request) -> Response:
    from parrules import to_json

    with database(request).reading() as session:
        row = find_campaign(session, campaign)
        allowed(session, who, row, "read_unit", unit)
        result = score_unit(session, settings_of(request).cache_dir, row, find_unit(session, row, unit))
    return Response(to_json(result.to_dict()), media_type="application/json")


@api.get("/campaigns/{campaign}/units/{unit}/criteria/{code}", summary="One criterion of a unit: entry and appraisals")
def get_entry(campaign: str, unit: str, code: str, who: Caller, request: Request) -> Response:
    with database(request).reading() as session:
        row = find_campaign(session, campaign)
        allowed(session, who, row, "read_unit", unit)
        found = find_unit(session, row, unit)
        _, criteria = campaign_criteria(session, row)
        code = leaf_code(criteria, code)
        entry = session.scalar(select(Entry).where(Entry.unit_id == found.id, Entry.code == code))
        rounds = session.scalars(select(Appraisal).where(Appraisal.unit_id == found.id, Appraisal.code == code)
                                 .order_by(Appraisal.round))
        return exact({"entry": entry_view(entry, code), "appraisals": [appraisal_view(a) for a in rounds]})


@api.put("/campaigns/{campaign}/units/{unit}/criteria/{code}",
         summary="Save a self-assessment and/or answer (the unit's clerk, in self-assessment)", responses=CONFLICTS)
def save_entry(campaign: str, unit: str, code: str, body: EntrySave, who: Caller, request: Request) -> Response:
    given = body.model_fields_set
    with database(request).writing() as session:
        row = find_campaign(session, campaign, lock="share")
        allowed(session, who, row, "self_assess", unit)
        found = find_unit(session, row, unit)
        _, criteria = campaign_criteria(session, row)
        code = leaf_code(criteria, code)
        entry = session.scalar(select(Entry).where(Entry.unit_id == found.id, Entry.code == code).with_for_update())
        check_version(body.version, entry.version if entry else 0, f"criterion {code} of unit {unit}")
        before = entry_view(entry, code) if entry else None
        if entry is None:
            entry = Entry(unit_id=found.id, code=code, self_points=None, answer=None)
            session.add(entry)
        if "self_assessment" in given:
            entry.self_points = points_text(body.self_assessment)
        if "answer" in given:
            entry.answer = None if body.answer is None else json_text(body.answer)
        state = _check_submission(session, row, found)
        audit.record(session, who, row, "entry.save", unit=found, code=code, before=before,
                     after=entry_view(entry, code))
        view = entry_view(entry, code)
    return exact({"entry": view, "score": _live(request, row, found, state, code)})


def _today(request: Request) -> dt.date:
    return dt.datetime.now(ZoneInfo(settings_of(request).timezone)).date()


@api.put("/campaigns/{campaign}/units/{unit}/criteria/{code}/appraisals/{round}",
         summary="Appraise a criterion: round 1 or 2 of a base criterion, round 1 of a bonus or penalty criterion "
                 "(appraiser, chair; in that step's phases)", responses=CONFLICTS)
def save_appraisal(campaign: str, unit: str, code: str, round: int, body: AppraisalSave, who: Caller,
                   request: Request) -> Response:
    if round not in ROUND_PHASE:
        raise not_found("appraisal rounds are 1 and 2")
    with database(request).writing() as session:
        row = find_campaign(session, campaign, lock="share")
        # the set first (any account may read sets: a 404 for a code tells nothing of a unit), so the
        # one `allowed` asks about the step this criterion is appraised in
        _, criteria = campaign_criteria(session, row)
        code = leaf_code(criteria, code)
        role = criteria.nodes[code].role
        action = appraisal_action(round, role)
        if action is None:
            raise not_found(f"{code} is a {role} criterion: it is appraised in one round (1), in the bonus and "
                            "penalty step")
        allowed(session, who, row, action, unit)
        found = find_unit(session, row, unit)
        existing = {a.round: a for a in session.scalars(select(Appraisal).where(Appraisal.unit_id == found.id,
                                                                                 Appraisal.code == code)
                                                        .with_for_update())}
        appraisal = existing.get(round)
        check_version(body.version, appraisal.version if appraisal else 0, f"round {round} of {code} for unit {unit}")
        entry = session.scalar(select(Entry).where(Entry.unit_id == found.id, Entry.code == code))
        previous = points_value(existing[1].points) if round == 2 and 1 in existing else \
            claimed(entry.self_points if entry else None, role)
        if lowers(body.points, previous, role) and not body.reason.strip():
            raise ServiceProblem(422, "invalid", f"round {round} lowers the score of {code} ({previous} → "
                                 f"{body.points} points): give the reason")
        before = appraisal_view(appraisal) if appraisal else None
        if appraisal is None:
            appraisal = Appraisal(unit_id=found.id, code=code, round=round, points="0")
            session.add(appraisal)
        appraisal.points = points_text(body.points) or "0"
        appraisal.reason = body.reason
        appraisal.by = who.display_name
        appraisal.at = _today(request)
        appraisal.appraiser_id = who.account_id
        state = _check_submission(session, row, found)
        audit.record(session, who, row, "appraisal.save", unit=found, code=code, round=round, before=before,
                     after=appraisal_view(appraisal))
        view = appraisal_view(appraisal)
    return exact({"appraisal": view, "score": _live(request, row, found, state, code)})


@api.put("/campaigns/{campaign}/units/{unit}/criteria/{code}/explanation",
         summary="Explain a deduction (the unit's clerk): round 1 in explanation, round 2 in explanation_2, a bonus "
                 "or penalty criterion in bonus_penalty_explanation", responses=CONFLICTS)
def save_explanation(campaign: str, unit: str, code: str, body: ExplanationSave, who: Caller,
                     request: Request) -> Response:
    with database(request).writing() as session:
        row = find_campaign(session, campaign, lock="share")
        _, criteria = campaign_criteria(session, row)  # as in save_appraisal: the set, then `allowed`
        code = leaf_code(criteria, code)
        role = criteria.nodes[code].role
        action, round = explanation_step(row.phase, role)
        allowed(session, who, row, action, unit)
        found = find_unit(session, row, unit)
        appraisal = session.scalar(select(Appraisal).where(Appraisal.unit_id == found.id, Appraisal.code == code,
                                                           Appraisal.round == round).with_for_update())
        if appraisal is None:
            raise not_found(f"criterion {code} of unit {unit} has no round-{round} appraisal to explain")
        entry = session.scalar(select(Entry).where(Entry.unit_id == found.id, Entry.code == code))
        if not deducts(points_value(appraisal.points), claimed(entry.self_points if entry else None, role), role):
            raise ServiceProblem(422, "invalid", f"round {round} did not lower the score of {code} below the "
                                 "self-assessment: there is no deduction to explain")
        check_version(body.version, appraisal.version, f"round {round} of {code} for unit {unit}")
        before = appraisal_view(appraisal)
        appraisal.response = body.response
        session.flush()
        audit.record(session, who, row, "explanation.save", unit=found, code=code, round=round, before=before,
                     after=appraisal_view(appraisal))
        view = appraisal_view(appraisal)
    return exact({"appraisal": view})


@api.get("/campaigns/{campaign}/units/{unit}/audit", summary="The unit's audit trail (of one criterion with ?criterion=)")
def unit_audit(campaign: str, unit: str, who: Caller, request: Request, criterion: str | None = None,
               after: int = 0, limit: int = 1000) -> Response:
    with database(request).reading() as session:
        row = find_campaign(session, campaign)
        allowed(session, who, row, "read_unit", unit)
        found = find_unit(session, row, unit)
        return exact(audit.entries(session, row, unit=found, code=criterion, after_id=after,
                                   limit=max(1, min(limit, 10000))))


# -- evidence documents --------------------------------------------------------------------------------
@api.post("/campaigns/{campaign}/units/{unit}/documents", status_code=201,
          summary="Register an evidence document (the unit's clerk, in self-assessment)")
def add_document(campaign: str, unit: str, body: NewDocument, who: Caller, request: Request) -> Response:
    with database(request).writing() as session:
        row = find_campaign(session, campaign, lock="share")
        allowed(session, who, row, "edit_documents", unit)
        found = find_unit(session, row, unit)
        last = session.scalar(select(func.max(Document.position)).where(Document.unit_id == found.id)) or 0
        document = Document(unit_id=found.id, position=last + 1, number=body.number, date=body.date,
                            issuer=body.issuer, title=body.title, kind=body.kind, criteria=json_text(body.criteria),
                            sha256=None, suffix="")
        session.add(document)
        _check_submission(session, row, found)
        session.flush()
        audit.record(session, who, row, "document.add", unit=found, after=document_view(found, document))
        view = document_view(found, document)
    return exact(view, 201)


@api.put("/campaigns/{campaign}/units/{unit}/documents/{document}/file",
         summary="Attach the document's file (PDF, image, office file or text; stored by its hash)",
         openapi_extra=json_body_schema({"type": "string", "format": "binary"}, "application/pdf",
                                        "the file; its Content-Type says its kind"), responses=CONFLICTS)
async def put_document_file(campaign: str, unit: str, document: int, request: Request, who: Caller,
                            version: int) -> Response:
    suffix = suffix_for(request.headers.get("content-type", ""), EVIDENCE_TYPES)
    if suffix is None:
        raise ServiceProblem(415, "unsupported-media-type", "evidence is one of: " + ", ".join(sorted(
            set(EVIDENCE_TYPES.values()))))
    content = await request.body()
    limit = settings_of(request).max_evidence_bytes
    if len(content) > limit:
        raise ServiceProblem(413, "too-large", f"an evidence file is at most {limit} bytes")
    return await run_in_threadpool(_attach, campaign, unit, document, version, suffix, content, who, request)


def _attach(campaign: str, unit: str, document_id: int, version: int, suffix: str, content: bytes, who: Principal,
            request: Request) -> Response:
    with database(request).writing() as session:
        row = find_campaign(session, campaign, lock="share")
        allowed(session, who, row, "edit_documents", unit)
        found = find_unit(session, row, unit)
        document = session.get(Document, document_id, with_for_update=True)
        if document is None or document.unit_id != found.id:
            raise not_found(f"unit {unit} has no document {document_id}")
        check_version(version, document.version, f"document {document_id}")
        before = document_view(found, document)
        document.sha256 = put_blob(session, content, EVIDENCE_TYPES[suffix])
        document.suffix = suffix
        session.flush()
        audit.record(session, who, row, "document.file", unit=found, before=before, after=document_view(found, document))
        view = document_view(found, document)
    return exact(view)


@api.get("/campaigns/{campaign}/units/{unit}/documents/{document}/file", summary="A document's file",
         response_class=Response)
def get_document_file(campaign: str, unit: str, document: int, who: Caller, request: Request) -> Response:
    with database(request).reading() as session:
        row = find_campaign(session, campaign)
        allowed(session, who, row, "read_unit", unit)
        found = find_unit(session, row, unit)
        doc = session.get(Document, document)
        if doc is None or doc.unit_id != found.id or doc.sha256 is None:
            raise not_found(f"unit {unit} has no file for document {document}")
        content = blob_content(session, doc.sha256)
        name = f"{safe_name(found.file_stem, 'unit')}-{doc.id}{doc.suffix}"
    return Response(content, media_type=EVIDENCE_TYPES.get(doc.suffix, "application/octet-stream"),
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "X-Content-Type-Options": "nosniff"})

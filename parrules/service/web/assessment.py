"""A unit's page: the clerk's self-assessment form, generated from the criteria set, and the council's
appraisal view of the same unit; the saves behind them.

The form is the set's tree (fields → criteria → sub-criteria), each leaf with its official wording
and maximum, the scoring method, an input that fits its rule (`forms.field_for`), its evidence
documents, the engine's verdict and flags. Scripts save a criterion as the clerk types
(`POST …/criteria/{code}`, the API's `save_entry` with the version the page read) and show the new
score; without scripts the whole form is saved at once. Typed work is never lost: a save refused
(a stale version, an invalid figure) leaves what was typed in the field, says why, and shows what
is stored, so the clerk chooses — nothing is overwritten silently.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy import func, select
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, RedirectResponse, Response

from parrules.messages import CORE, speaking
from parrules.reports.views import stage_label
from parrules.service.auth import Principal
from parrules.service.blobs import EVIDENCE_TYPES, suffix_for
from parrules.service.exactjson import parse_json
from parrules.service.models import Appraisal
from parrules.service.problems import ServiceProblem
from parrules.service.roles import EXTRA_ROLES, Role, appraisal_action, explanation_step
from parrules.service.routes import units as unit_routes
from parrules.service.routes.common import allowed, database, find_campaign, find_unit, settings_of
from parrules.service.schemas import AppraisalSave, EntrySave, ExplanationSave, NewDocument
from parrules.service.scoring import campaign_criteria, score_unit
from parrules.service.submissions import (
    appraisal_view,
    claimed,
    deducts,
    document_view,
    entry_view,
    unit_rows,
)
from parrules.service.web import forms
from parrules.service.web.calls import (
    SignIn,
    api,
    problem_json,
    problem_page,
    refusal_text,
    sign_in_redirect,
    signed_in,
)
from parrules.service.web.progress import campaign_progress, leaf_counts
from parrules.service.web.render import SECURITY_HEADERS, page, percent, points
from parrules.service.web.session import CSRF_FIELD, CSRF_HEADER, check_csrf, language
from parrules.sets.official_table import rule_text

web = APIRouter(include_in_schema=False)
MAGIC = {".pdf": (b"%PDF-",), ".png": (b"\x89PNG\r\n\x1a\n",), ".jpg": (b"\xff\xd8\xff",), ".jpeg": (b"\xff\xd8\xff",),
         ".docx": (b"PK\x03\x04",), ".xlsx": (b"PK\x03\x04",), ".odt": (b"PK\x03\x04",), ".ods": (b"PK\x03\x04",),
         ".doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",), ".xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)}
"""What each kind of evidence file starts with: a file is kept only when its content is what its type
says (a script renamed .pdf is refused), on top of the API's type and size limits."""
EXPLAIN_ACTIONS = ("explain", "explain_2", "explain_bonus_penalty")
ACTIONS = ("self_assess", "edit_documents", *EXPLAIN_ACTIONS, "appraise_1", "appraise_2", "appraise_bonus_penalty")
"""What a unit's page asks `roles.RULES` about the caller, to show an input only where a save is allowed."""
EXPLAIN_NOTES = {"explanation_2": "web.assess.explain_how_2",
                 "bonus_penalty_explanation": "web.assess.explain_how_bonus_penalty"}


def dom_id(code: str) -> str:
    return "c-" + code.replace(".", "-")


def _may(session: Any, who: Principal, campaign: Any, action: str, unit: str) -> bool:
    try:
        allowed(session, who, campaign, action, unit)
    except ServiceProblem:
        return False
    return True


def unit_model(request: Request, who: Principal, campaign_code: str, unit_code: str,
               typed: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """Everything the unit's page shows, read in one transaction after `allowed`."""
    typed = typed or {}
    with database(request).reading() as session:
        campaign = find_campaign(session, campaign_code)
        mine = allowed(session, who, campaign, "read_unit", unit_code)
        unit = find_unit(session, campaign, unit_code)
        record, criteria = campaign_criteria(session, campaign)
        entries, appraisals, documents = unit_rows(session, unit)
        result = score_unit(session, settings_of(request).cache_dir, campaign, unit).to_dict()
        can = {action: _may(session, who, campaign, action, unit_code) for action in ACTIONS}
        by_code = {e.code: e for e in entries}
        rounds: dict[str, dict[int, dict[str, Any]]] = {}
        for a in appraisals:
            rounds.setdefault(a.code, {})[a.round] = appraisal_view(a)
        docs = [document_view(unit, d) for d in documents]
        leaves = {leaf["code"]: leaf for leaf in result["leaves"]}
        nodes = {node["code"]: node for node in result.get("nodes", [])}
        rows = []
        with speaking(language(request), decimals=criteria.meta.rounding.decimals,
                      percent_decimals=criteria.meta.rounding.percent_decimals, mode=criteria.meta.rounding.mode):
            for node in criteria.walk():
                if not node.is_leaf:
                    rows.append({"leaf": False, "code": node.code, "name": node.name, "max": node.max_points,
                                 "depth": node.depth, "id": dom_id(node.code), "result": nodes.get(node.code, {})})
                    continue
                field = forms.field_for(criteria, node.code)
                view = entry_view(by_code.get(node.code), node.code)
                shown = {"sa": "" if view["self_assessment"] is None else view["self_assessment"],
                         "ans": forms.shown_answer(field, view["answer"])}
                mine_typed = typed.get(node.code, {})
                rows.append({
                    "leaf": True, "code": node.code, "name": node.name, "max": node.max_points, "depth": node.depth,
                    "id": dom_id(node.code), "field": field, "allow_na": node.spec.allow_na,
                    "method": rule_text(node), "required": list(node.spec.evidence), "version": view["version"],
                    "stored": shown, "value": {**shown, **{k: v for k, v in mine_typed.items() if k in ("sa", "ans")}},
                    "error": mine_typed.get("error"), "result": leaves.get(node.code, {}),
                    "rounds": rounds.get(node.code, {}),
                    "documents": [d for d in docs if node.code in d["criteria"]],
                    "check": node.check.name if node.check else None,
                })
                rows[-1].update(steps(rows[-1], node.role, campaign.phase, can, by_code.get(node.code)))
        progress = None
        rnd = {"appraisal_1": 1, "appraisal_2": 2}.get(campaign.phase)
        if mine.role is not Role.CLERK and rnd:
            units = campaign_progress(session, campaign)
            base = leaf_counts(session, campaign).base
            progress = {"round": rnd, "of": len(units), "done": sum(1 for u in units if u.rounds[rnd] >= base)}
        total = {key: result.get(key) for key in ("total_points", "index", "band", "applicable_max",
                                                   "bonus_points", "penalty_points", "incomplete")}
        can["explain"] = any(can[action] for action in EXPLAIN_ACTIONS)
    return {"campaign": {"code": campaign.code, "name": campaign.name, "year": campaign.year, "phase": campaign.phase},
            "unit": {"code": unit.code, "name": unit.name}, "role": mine.role.value, "can": can, "rows": rows,
            "total": total, "progress": progress, "rounding": criteria.meta.rounding, "set_name": criteria.meta.name,
            "documents": docs, "leaf_count": len(criteria.leaves), "max_bytes": settings_of(request).max_evidence_bytes,
            "explain_note": EXPLAIN_NOTES.get(campaign.phase, "web.assess.explain_how")}


@web.get("/c/{campaign}/units/{unit}")
def unit_page(campaign: str, unit: str, request: Request) -> Response:
    who = None
    try:
        who = signed_in(request)
        model = unit_model(request, who, campaign, unit)
    except SignIn as going:
        return sign_in_redirect(going.target)
    except ServiceProblem as problem:
        return problem_page(request, problem, who)
    template = "assessment.html" if model["role"] == Role.CLERK.value else "appraisal.html"
    return page(request, template, who=who, saved=request.query_params.get("saved"),
                typed_form={}, **model)


# -- saves from the page's script (JSON) ----------------------------------------------------------------
def _script_call(request: Request, work: Callable[[Principal], dict[str, Any]]) -> Response:
    try:
        who = signed_in(request)
        check_csrf(request, request.headers.get(CSRF_HEADER))
        return JSONResponse(readable(work, who), headers=SECURITY_HEADERS)
    except SignIn:
        return problem_json(request, ServiceProblem(401, "unauthenticated", "log in again"))
    except ServiceProblem as problem:
        return problem_json(request, problem)


def readable(work: Callable[..., Any], *args: Any) -> Any:
    """`work(*args)`, with input that cannot even be read (a version that is not a number, a text
    over the API's length limits: pydantic's refusal) answered as the API would: a 422 problem."""
    try:
        return work(*args)
    except ServiceProblem:
        raise
    except ValueError as exc:  # pydantic.ValidationError is a ValueError
        raise ServiceProblem(422, "invalid", str(exc).splitlines()[0][:300]) from None


def _criteria(request: Request, campaign: str) -> Any:
    with database(request).reading() as session:
        return campaign_criteria(session, find_campaign(session, campaign))[1]


def score_text(request: Request, criteria: Any, score: dict[str, Any], last_round: int = 1) -> dict[str, Any]:
    """The live score as the page shows it: formatted in the reader's language and the set's decimals."""
    leaf = score.get("criterion") or {}
    r = criteria.meta.rounding
    with speaking(language(request), decimals=r.decimals, percent_decimals=r.percent_decimals, mode=r.mode):
        status = leaf.get("status")
        return {"points": points(leaf.get("computed_points")), "final": points(leaf.get("final_points")),
                "stage": stage_label(leaf.get("final_stage"), last_round),
                "status": CORE.say(f"status.{status}") if status else "",
                "explanation": leaf.get("explanation", ""), "flags": [f["message"] for f in leaf.get("flags", [])],
                "total": points(score.get("total_points")), "index": percent(score.get("index")),
                "band": score.get("band") or "—", "complete": bool(score.get("complete"))}


async def _json_body(request: Request) -> dict[str, Any]:
    body = parse_json(await request.body())
    if not isinstance(body, dict):
        raise ServiceProblem(400, "bad-request", "send a JSON object")
    return body


@web.post("/c/{campaign}/units/{unit}/criteria/{code}")
async def save_criterion(campaign: str, unit: str, code: str, request: Request) -> Response:
    """Save one criterion as the clerk types: `{version, self_assessment?, answer?}` (texts as typed)."""
    try:
        body = await _json_body(request)
    except ServiceProblem as problem:
        return problem_json(request, problem)

    def work(who: Principal) -> dict[str, Any]:
        criteria = _criteria(request, campaign)
        if code not in criteria.leaves:
            raise ServiceProblem(404, "not-found", f"'{code}' is not a criterion the unit scores")
        field = forms.field_for(criteria, code)
        given: dict[str, Any] = {"version": int(body.get("version", 0))}
        if "self_assessment" in body:
            given["self_assessment"] = forms.self_points(body["self_assessment"])
        if "answer" in body:
            given["answer"] = forms.answer(field, body["answer"])
        saved = api(unit_routes.save_entry, campaign, unit, code, EntrySave(**given), who, request)
        return {"version": saved["entry"]["version"],
                **score_text(request, criteria, saved["score"], _last_round(request, campaign, unit, code))}

    return await run_in_threadpool(_script_call, request, work)


def _last_round(request: Request, campaign: str, unit: str, code: str) -> int:
    """The last appraisal round of a criterion (what "appraisal round N" names), 1 when none."""
    with database(request).reading() as session:
        found = find_unit(session, find_campaign(session, campaign), unit)
        return session.scalar(select(func.max(Appraisal.round)).where(Appraisal.unit_id == found.id,
                                                                       Appraisal.code == code)) or 1


@web.get("/c/{campaign}/units/{unit}/criteria/{code}")
def stored_criterion(campaign: str, unit: str, code: str, request: Request) -> Response:
    """What is stored for a criterion now (after a conflict: what someone else saved)."""
    try:
        who = signed_in(request)
        criteria = _criteria(request, campaign)
        found = api(unit_routes.get_entry, campaign, unit, code, who, request)
    except SignIn:
        return problem_json(request, ServiceProblem(401, "unauthenticated", "log in again"))
    except ServiceProblem as problem:
        return problem_json(request, problem)
    field = forms.field_for(criteria, code)
    entry = found["entry"]
    sa = entry["self_assessment"]
    return JSONResponse({"version": entry["version"], "self_assessment": "" if sa is None else str(sa),
                         "answer": _plain(forms.shown_answer(field, entry["answer"]))}, headers=SECURITY_HEADERS)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value if isinstance(value, (str, bool)) or value is None else str(value)


# -- the whole form at once (no script) ------------------------------------------------------------------
@web.post("/c/{campaign}/units/{unit}/save")
async def save_form(campaign: str, unit: str, request: Request) -> Response:
    form = await request.form()
    fields = {k: str(v) for k, v in form.multi_items() if isinstance(v, str)}
    return await run_in_threadpool(_save_form, campaign, unit, fields, request)


def _save_form(campaign: str, unit: str, fields: dict[str, str], request: Request) -> Response:
    who = None
    try:
        who = signed_in(request)
        check_csrf(request, fields.get(CSRF_FIELD))
        model = unit_model(request, who, campaign, unit)
    except SignIn as going:
        return sign_in_redirect(going.target)
    except ServiceProblem as problem:
        return problem_page(request, problem, who)
    typed: dict[str, dict[str, Any]] = {}
    saved = 0
    for row in model["rows"]:
        if not row["leaf"] or f"v:{row['code']}" not in fields:
            continue
        code, field = row["code"], row["field"]
        sa = "na" if fields.get(f"na:{code}") else fields.get(f"sa:{code}", "")
        if field.kind == "severities":
            ans: Any = {name: fields.get(f"ans:{code}:{i}", "") for i, name in enumerate(field.options)}
        else:
            ans = fields.get(f"ans:{code}", "")
        # a part the form did not send (a disabled or missing input) is left as it is, never cleared
        sent_sa = f"sa:{code}" in fields or f"na:{code}" in fields
        sent_ans = f"ans:{code}" in fields or any(f"ans:{code}:{i}" in fields for i in range(len(field.options)))
        changed_sa = sent_sa and _differs(forms.self_points, sa, row["stored"]["sa"])
        changed_ans = sent_ans and field.kind not in ("none", "imported") and _differs(
            partial(forms.answer, field), ans, row["stored"]["ans"])
        if not (changed_sa or changed_ans):
            continue
        def one(code: str = code, field: forms.Field = field, sa: str = sa, ans: Any = ans,
                changed_sa: bool = changed_sa, changed_ans: bool = changed_ans) -> None:
            given: dict[str, Any] = {"version": int(fields.get(f"v:{code}", "0") or 0)}
            if changed_sa:
                given["self_assessment"] = forms.self_points(sa)
            if changed_ans:
                given["answer"] = forms.answer(field, ans)
            unit_routes.save_entry(campaign, unit, code, EntrySave(**given), who, request)

        try:
            readable(one)
            saved += 1
        except ServiceProblem as problem:
            with speaking(language(request)):
                typed[code] = {"sa": sa, "ans": ans, "error": refusal_text(problem) + " " + problem.detail}
    if not typed:
        return RedirectResponse(f"/c/{campaign}/units/{unit}?saved={saved}", status_code=303)
    model = unit_model(request, who, campaign, unit, typed)
    return page(request, "assessment.html", 409, who=who, saved=str(saved),
                typed_form={}, **model)


def _differs(read: Callable[[Any], Any], typed: Any, stored: Any) -> bool:
    """Whether what the form holds differs from what is stored, compared as values (98,7 is 98.7);
    a value that cannot be read counts as changed, so its save is tried and its error shown."""
    try:
        return read(typed) != read(stored if stored != "" else None)
    except ServiceProblem:
        return True


# -- appraisal and explanation (forms) --------------------------------------------------------------------
@web.post("/c/{campaign}/units/{unit}/criteria/{code}/appraisal/{round}")
async def appraise(campaign: str, unit: str, code: str, round: int, request: Request) -> Response:
    form = await request.form()
    fields = {k: str(v) for k, v in form.items() if isinstance(v, str)}

    def work(who: Principal) -> None:
        body = AppraisalSave(version=int(fields.get("version", "0") or 0),
                             points=forms.self_points(fields.get("points", "")) or _required("web.error.points_required"),
                             reason=fields.get("reason", "").strip())
        unit_routes.save_appraisal(campaign, unit, code, round, body, who, request)

    return await run_in_threadpool(_form_call, campaign, unit, code, fields, request, work)


@web.post("/c/{campaign}/units/{unit}/criteria/{code}/explanation")
async def explain(campaign: str, unit: str, code: str, request: Request) -> Response:
    form = await request.form()
    fields = {k: str(v) for k, v in form.items() if isinstance(v, str)}

    def work(who: Principal) -> None:
        text = fields.get("response", "").strip() or _required("web.error.response_required")
        unit_routes.save_explanation(campaign, unit, code, ExplanationSave(version=int(fields.get("version", "1") or 1),
                                                                          response=text), who, request)

    return await run_in_threadpool(_form_call, campaign, unit, code, fields, request, work)


def _required(key: str) -> Any:
    raise ServiceProblem(422, "invalid", f"{key.rsplit('.', 1)[1].replace('_', ' ')}", web_key=key)


def _form_call(campaign: str, unit: str, code: str, fields: dict[str, str], request: Request,
               work: Callable[[Principal], None]) -> Response:
    who = None
    try:
        who = signed_in(request)
        check_csrf(request, fields.get(CSRF_FIELD))
        readable(work, who)
    except SignIn as going:
        return sign_in_redirect(going.target)
    except ServiceProblem as problem:
        if problem.extra.get("csrf") or problem.status in (401, 403, 404):
            return problem_page(request, problem, who)
        with speaking(language(request)):
            message = refusal_text(problem) + " " + problem.detail
        try:
            model = unit_model(request, who, campaign, unit, {code: {"error": message, "typed_form": fields}})
        except ServiceProblem as again:
            return problem_page(request, again, who)
        template = "assessment.html" if model["role"] == Role.CLERK.value else "appraisal.html"
        return page(request, template, problem.status, who=who, saved=None,
                    typed_form={code: fields}, **model)
    return RedirectResponse(f"/c/{campaign}/units/{unit}?saved=1#{dom_id(code)}", status_code=303)


# -- evidence documents (script: register, then the file as the body) -------------------------------------
@web.post("/c/{campaign}/units/{unit}/documents")
async def add_document(campaign: str, unit: str, request: Request) -> Response:
    try:
        body = await _json_body(request)
    except ServiceProblem as problem:
        return problem_json(request, problem)

    def work(who: Principal) -> dict[str, Any]:
        day = str(body.get("date") or "").strip()
        document = NewDocument(number=str(body.get("number", ""))[:200], title=str(body.get("title", ""))[:1000],
                               issuer=str(body.get("issuer", ""))[:1000], kind=str(body.get("kind", ""))[:200],
                               date=dt.date.fromisoformat(day) if day else None,
                               criteria=[str(c) for c in body.get("criteria", [])][:50])
        return api(unit_routes.add_document, campaign, unit, document, who, request)

    try:
        return await run_in_threadpool(_script_call, request, work)
    except ValueError:
        return problem_json(request, ServiceProblem(422, "invalid", "the date is not a date (YYYY-MM-DD)"))


@web.put("/c/{campaign}/units/{unit}/documents/{document}/file")
async def put_file(campaign: str, unit: str, document: int, version: int, request: Request) -> Response:
    """The file as the request's body, checked here (size before reading, content against its type)
    and then by the API's own upload (`put_document_file`: the same type table and size limit)."""
    try:
        who = signed_in(request)
        check_csrf(request, request.headers.get(CSRF_HEADER))
        limit = settings_of(request).max_evidence_bytes
        if int(request.headers.get("content-length") or 0) > limit:
            raise ServiceProblem(413, "too-large", f"an evidence file is at most {limit} bytes")
        suffix = suffix_for(request.headers.get("content-type", ""), EVIDENCE_TYPES)
        content = await request.body()
        if suffix is not None and not _looks_like(suffix, content):
            raise ServiceProblem(415, "unsupported-media-type", f"the file's content is not a {suffix} file",
                                 web_key="web.error.content_mismatch", value=suffix)
        answer = await unit_routes.put_document_file(campaign, unit, document, request, who, version)
    except SignIn:
        return problem_json(request, ServiceProblem(401, "unauthenticated", "log in again"))
    except ServiceProblem as problem:
        return problem_json(request, problem)
    view = parse_json(bytes(answer.body))
    return JSONResponse({"id": view["id"], "version": view["version"]}, headers=SECURITY_HEADERS)


def _looks_like(suffix: str, content: bytes) -> bool:
    if suffix == ".txt":
        try:
            return b"\x00" not in content and bool(content.decode("utf-8-sig") or True)
        except UnicodeDecodeError:
            return False
    return any(content.startswith(m) for m in MAGIC.get(suffix, (b"",)))


@web.get("/c/{campaign}/units/{unit}/documents/{document}/file")
def get_file(campaign: str, unit: str, document: int, request: Request) -> Response:
    who = None
    try:
        who = signed_in(request)
        return unit_routes.get_document_file(campaign, unit, document, who, request)
    except SignIn as going:
        return sign_in_redirect(going.target)
    except ServiceProblem as problem:
        return problem_page(request, problem, who)


def steps(row: dict[str, Any], criterion_role: str, phase: str, can: dict[str, bool], entry: Any) -> dict[str, Any]:
    """A leaf's appraisal steps as its page shows them: the rounds it has (1 and 2, or 1 for a bonus
    or penalty criterion), which of them the caller may appraise now, the rounds that deducted from
    what the unit claimed (`submissions.deducts`), and the round the unit may explain now (None
    when nothing of this criterion is explained in this phase) — as the API's rules decide."""
    extra = criterion_role in EXTRA_ROLES
    rounds = (1,) if extra else (1, 2)
    own = claimed(entry.self_points if entry is not None else None, criterion_role)
    deducted = [rnd for rnd in rounds if rnd in row["rounds"]
                and deducts(row["rounds"][rnd]["points"], own, criterion_role)]
    action, explained = explanation_step(phase, criterion_role)
    return {"extra": extra, "rounds_of": rounds, "own": own, "deducted": deducted,
            "appraise": {rnd: can.get(appraisal_action(rnd, criterion_role) or "", False) for rnd in rounds},
            "explain": explained if can[action] and explained in deducted else None}

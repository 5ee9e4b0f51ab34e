"""The yearly cycle through the API, phase by phase, with every role and the denials (issue #14).

Each test runs on SQLite and on PostgreSQL (the `service` fixture)."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

from tests.service.conftest import Service
from tests.service.helpers import (
    CODE,
    advance,
    appraise,
    entry,
    first_campaign,
    problem,
    round_2_deduction,
    save,
    version,
)


def test_the_whole_cycle_with_every_role_and_its_denials(service: Service) -> None:
    svc = service
    first_campaign(svc)

    # setup: nobody self-assesses yet
    problem(save(svc, "clerk-snv", "SNV", "1.2", version=0, self_assessment=2), 403, "wrong-phase")
    problem(advance_denied(svc, "self_assessment", "clerk-snv"), 403, "forbidden")
    problem(advance_denied(svc, "self_assessment", "appraiser"), 403, "forbidden")
    advance(svc, "self_assessment", who="admin")

    # self-assessment: the clerk saves, the engine scores at once
    saved = save(svc, "clerk-snv", "SNV", "1.2", 200, version=0, self_assessment=2, answer="Hoàn thành 100%").json()
    assert saved["entry"] == {"code": "1.2", "self_assessment": 2, "answer": "Hoàn thành 100%", "answered": True,
                              "version": 1}
    assert saved["score"]["criterion"]["final_points"] == 2 and saved["score"]["criterion"]["status"] == "full"
    rate = save(svc, "clerk-snv", "SNV", "2.1", 200, version=0, self_assessment=4, answer=98.7).json()
    assert rate["score"]["criterion"]["declared"] == 98.7
    assert rate["score"]["criterion"]["final_points"] == 2  # 98.7 % is in the band 90 %–<100 %: 2 of 4
    assert "98,7 %" in rate["score"]["criterion"]["explanation"]
    assert Decimal(str(rate["score"]["total_points"])) == Decimal("4")
    save(svc, "clerk-snv", "SNV", "1.4", 200, version=0, self_assessment=2)
    save(svc, "clerk-snv", "SNV", "T.1", 200, version=0, self_assessment=1)  # a bonus claimed
    # a stale version is refused, and nothing is overwritten
    stale = problem(save(svc, "clerk-snv", "SNV", "1.2", version=0, self_assessment=1), 409, "stale-version")
    assert stale["current_version"] == 1
    assert entry(svc, "SNV", "1.2")["entry"]["self_assessment"] == 2
    # points out of range: the library's problem, with the key path
    bad = problem(save(svc, "clerk-snv", "SNV", "1.2", version=1, self_assessment=3), 422, "invalid")
    assert bad["problems"][0]["path"] == 'self_assessment."1.2"' and "0..2" in bad["problems"][0]["message"]
    assert entry(svc, "SNV", "1.2")["entry"]["version"] == 1
    # a clerk sees and changes only their own unit; another unit and a unit that does not exist look alike
    other = problem(svc.call("GET", f"/campaigns/{CODE}/units/STP", "clerk-snv"), 403, "forbidden")
    missing = problem(svc.call("GET", f"/campaigns/{CODE}/units/NOPE", "clerk-snv"), 403, "forbidden")
    assert other["detail"] == missing["detail"] and "STP" not in other["detail"]
    problem(svc.call("GET", f"/campaigns/{CODE}/units/STP/score", "clerk-snv"), 403, "forbidden")
    problem(svc.call("GET", f"/campaigns/{CODE}/units/STP/audit", "clerk-snv"), 403, "forbidden")
    problem(save(svc, "clerk-snv", "STP", "1.2", version=0, self_assessment=2), 403, "forbidden")
    problem(svc.call("GET", f"/campaigns/{CODE}/results", "clerk-snv"), 403, "forbidden")
    assert [u["code"] for u in svc.call("GET", f"/campaigns/{CODE}/units", "clerk-snv", 200).json()] == ["SNV"]
    assert len(svc.call("GET", f"/campaigns/{CODE}/units", "viewer", 200).json()) == 2
    # an appraiser never changes a self-assessment; viewers and other systems only read
    for who in ("appraiser", "chair", "viewer", "system", "admin"):
        problem(save(svc, who, "SNV", "1.2", version=1, self_assessment=1), 403, "forbidden")
    problem(appraise(svc, "appraiser", "SNV", "1.4", 1, version=0, points=1, reason="x"), 403, "wrong-phase")
    save(svc, "clerk-stp", "STP", "1.4", 200, version=0, self_assessment=1)

    # appraisal round 1
    advance(svc, "appraisal_1")
    problem(save(svc, "clerk-snv", "SNV", "1.2", version=1, self_assessment=1), 403, "wrong-phase")
    problem(appraise(svc, "clerk-snv", "SNV", "1.4", 1, version=0, points=1, reason="x"), 403, "forbidden")
    problem(appraise(svc, "viewer", "SNV", "1.4", 1, version=0, points=1, reason="x"), 403, "forbidden")
    no_reason = problem(appraise(svc, "appraiser", "SNV", "1.4", 1, version=0, points=Decimal("1.5")), 422, "invalid")
    assert "reason" in no_reason["detail"]
    done = appraise(svc, "appraiser", "SNV", "1.4", 1, 200, version=0, points=Decimal("1.5"),
                    reason="Sáng kiến chưa được công nhận cấp tỉnh").json()
    assert done["appraisal"]["by"] == "appraiser (test)" and done["appraisal"]["version"] == 1
    assert done["score"]["criterion"]["final_stage"] == "appraisal"
    assert done["score"]["criterion"]["final_points"] == 1.5
    # two appraisers who read the same version: the second is refused, not silently overwriting
    problem(appraise(svc, "appraiser2", "SNV", "1.4", 1, version=0, points=1, reason="khác"), 409, "stale-version")
    problem(appraise(svc, "appraiser", "SNV", "1.4", 2, version=0, points=1, reason="x"), 403, "wrong-phase")
    appraise(svc, "chair", "STP", "1.4", 1, 200, version=0, points=1)  # not lower than the self-score: no reason
    # bonus and penalty criteria have a step of their own, after round 2
    bonus_now = problem(appraise(svc, "appraiser", "SNV", "T.1", 1, version=0, points=0, reason="x"), 403, "wrong-phase")
    assert "bonus penalty" in bonus_now["detail"]

    # explanation: the unit answers the deduction
    advance(svc, "explanation")
    problem(appraise(svc, "appraiser", "SNV", "1.4", 1, version=1, points=1, reason="x"), 403, "wrong-phase")
    problem(svc.call("PUT", f"/campaigns/{CODE}/units/SNV/criteria/1.4/explanation", "appraiser",
                     json={"version": 1, "response": "x"}), 403, "forbidden")
    explained = svc.call("PUT", f"/campaigns/{CODE}/units/SNV/criteria/1.4/explanation", "clerk-snv", 200,
                         json={"version": 1, "response": "Sáng kiến đã được UBND tỉnh công nhận ngày 10/12"}).json()
    assert explained["appraisal"]["response"].startswith("Sáng kiến") and explained["appraisal"]["version"] == 2
    problem(svc.call("PUT", f"/campaigns/{CODE}/units/STP/criteria/1.4/explanation", "clerk-stp",
                     json={"version": 1, "response": "x"}), 422, "invalid")  # no deduction to explain
    problem(svc.call("PUT", f"/campaigns/{CODE}/units/STP/criteria/1.4/explanation", "clerk-snv",
                     json={"version": 1, "response": "x"}), 403, "forbidden")

    # appraisal round 2, survey import, publication
    advance(svc, "appraisal_2")
    second = appraise(svc, "chair", "SNV", "1.4", 2, 200, version=0, points=2, reason="Chấp nhận giải trình").json()
    assert second["score"]["criterion"]["final_points"] == 2
    # a new deduction in round 2 (a criterion round 1 left alone), with its reason
    appraise(svc, "appraiser", "SNV", "1.2", 2, 200, version=0, points=1, reason="Kế hoạch ban hành muộn")
    problem(svc.call("PUT", f"/campaigns/{CODE}/units/SNV/criteria/1.2/explanation", "clerk-snv",
                     json={"version": 1, "response": "x"}), 403, "wrong-phase")

    # explanation of round 2: the unit answers round 2's deductions; the council may revise round 2 in answer
    advance(svc, "explanation_2")
    answered = svc.call("PUT", f"/campaigns/{CODE}/units/SNV/criteria/1.2/explanation", "clerk-snv", 200,
                        json={"version": 1, "response": "Kế hoạch ban hành đúng hạn, xem công văn 5/UBND"}).json()
    assert answered["appraisal"]["round"] == 2 and answered["appraisal"]["version"] == 2
    # round 2 gave 1.4 its points back: nothing left to explain there; round 1 is over
    problem(svc.call("PUT", f"/campaigns/{CODE}/units/SNV/criteria/1.4/explanation", "clerk-snv",
                     json={"version": 1, "response": "x"}), 422, "invalid")
    problem(appraise(svc, "appraiser", "SNV", "1.4", 1, version=2, points=2), 403, "wrong-phase")
    problem(svc.call("PUT", f"/campaigns/{CODE}/units/SNV/criteria/T.1/explanation", "clerk-snv",
                     json={"version": 1, "response": "x"}), 403, "wrong-phase")
    problem(svc.call("PUT", f"/campaigns/{CODE}/units/SNV/criteria/1.2/explanation", "appraiser",
                     json={"version": 2, "response": "x"}), 403, "forbidden")
    revised = appraise(svc, "chair", "SNV", "1.2", 2, 200, version=2, points=2, reason="Chấp nhận giải trình").json()
    assert revised["appraisal"]["response"].startswith("Kế hoạch") and revised["score"]["criterion"]["final_points"] == 2

    # bonus and penalty: the council appraises them (one round), then the unit explains
    advance(svc, "bonus_penalty")
    problem(appraise(svc, "chair", "SNV", "1.2", 2, version=3, points=1, reason="x"), 403, "wrong-phase")
    problem(appraise(svc, "appraiser", "SNV", "T.1", 2, version=0, points=0, reason="x"), 404, "not-found")
    problem(appraise(svc, "appraiser", "SNV", "T.1", 1, version=0, points=Decimal("0.5")), 422, "invalid")  # reason owed
    appraise(svc, "appraiser", "SNV", "T.1", 1, 200, version=0, points=Decimal("0.5"),
             reason="Chỉ một bằng khen về CCHC")
    appraise(svc, "appraiser", "STP", "T.1", 1, 200, version=0, points=0)  # STP claimed nothing: no deduction
    problem(svc.call("PUT", f"/campaigns/{CODE}/units/SNV/criteria/T.1/explanation", "clerk-snv",
                     json={"version": 1, "response": "x"}), 403, "wrong-phase")
    advance(svc, "bonus_penalty_explanation")
    bonus = svc.call("PUT", f"/campaigns/{CODE}/units/SNV/criteria/T.1/explanation", "clerk-snv", 200,
                     json={"version": 1, "response": "Bằng khen thứ hai: Quyết định 88/QĐ-TTg"}).json()
    assert bonus["appraisal"]["round"] == 1 and bonus["appraisal"]["response"].startswith("Bằng khen")
    problem(svc.call("PUT", f"/campaigns/{CODE}/units/STP/criteria/T.1/explanation", "clerk-stp",
                     json={"version": 1, "response": "x"}), 422, "invalid")
    problem(svc.call("PUT", f"/campaigns/{CODE}/units/SNV/criteria/1.2/explanation", "clerk-snv",
                     json={"version": 3, "response": "x"}), 403, "wrong-phase")
    problem(svc.call("PUT", f"/campaigns/{CODE}/units/STP/criteria/T.1/explanation", "clerk-snv",
                     json={"version": 1, "response": "x"}), 403, "forbidden")
    kept = appraise(svc, "chair", "SNV", "T.1", 1, 200, version=2, points=1, reason="Chấp nhận giải trình").json()
    assert kept["score"]["criterion"]["final_points"] == 1 and kept["score"]["bonus_points"] == 1
    problem(svc.call("PUT", f"/campaigns/{CODE}/data/survey", "admin", content=b"a,b\n1,2\n",
                     headers={"Content-Type": "text/csv"}), 403, "wrong-phase")
    advance(svc, "survey")
    problem(appraise(svc, "chair", "SNV", "T.1", 1, version=3, points=0, reason="x"), 403, "wrong-phase")
    problem(svc.call("PUT", f"/campaigns/{CODE}/data/survey", "chair", content=b"a,b\n1,2\n",
                     headers={"Content-Type": "text/csv"}), 403, "forbidden")
    svc.call("PUT", f"/campaigns/{CODE}/data/survey", "admin", 200, content=b"a,b\n1,2\n",
             headers={"Content-Type": "text/csv"})
    problem(svc.call("POST", f"/campaigns/{CODE}/publish", "chair", json={}), 403, "wrong-phase")
    advance(svc, "publication", who="admin")
    problem(svc.call("POST", f"/campaigns/{CODE}/publish", "admin", json={}), 403, "forbidden")
    incomplete = problem(svc.call("POST", f"/campaigns/{CODE}/publish", "chair", json={}), 409, "conflict")
    assert incomplete["incomplete_units"] == ["SNV", "STP"]  # criteria nobody answered: not published silently
    published = svc.call("POST", f"/campaigns/{CODE}/publish", "chair", 200, json={"provisional": True}).json()
    names = {f["name"] for f in published["files"]}
    assert {f"{CODE}.json", f"{CODE}.csv", f"{CODE}.md", f"{CODE}.html", f"{CODE}.xlsx", f"{CODE}.docx", "audit.json",
            "campaign-files.zip"} <= names

    # published files are re-downloadable byte for byte, with their sha256
    for listed in svc.call("GET", f"/campaigns/{CODE}/publication", "viewer", 200).json()["files"]:
        first = svc.call("GET", f"/campaigns/{CODE}/publication/{listed['name']}", "clerk-snv", 200)
        again = svc.call("GET", f"/campaigns/{CODE}/publication/{listed['name']}", "system", 200)
        assert first.content == again.content
        assert listed["sha256"] == "sha256:" + hashlib.sha256(first.content).hexdigest()
        assert first.headers["etag"] == f'"{listed["sha256"]}"'

    # after publication every write is refused, whoever asks
    frozen = [
        save(svc, "clerk-snv", "SNV", "1.2", version=1, self_assessment=1),
        appraise(svc, "chair", "SNV", "1.4", 2, version=1, points=1, reason="x"),
        svc.call("PUT", f"/campaigns/{CODE}/units/SNV/criteria/1.4/explanation", "clerk-snv",
                 json={"version": 2, "response": "x"}),
        svc.call("POST", f"/campaigns/{CODE}/units", "admin", json={"code": "SXD", "name": "Sở Xây dựng"}),
        svc.call("POST", f"/campaigns/{CODE}/members", "admin", json={"username": "viewer", "role": "chair"}),
        svc.call("POST", f"/campaigns/{CODE}/phase", "chair", json={"to": "published", "version": version(svc)}),
        svc.call("POST", f"/campaigns/{CODE}/publish", "chair", json={"provisional": True}),
        svc.call("PUT", f"/campaigns/{CODE}/data/survey", "admin", content=b"a\n", headers={"Content-Type": "text/csv"}),
        svc.call("PUT", f"/campaigns/{CODE}/schedule/publication", "admin", json={}),
        svc.call("POST", f"/campaigns/{CODE}/units/SNV/documents", "clerk-snv", json={"number": "1/KH"}),
    ]
    for response in frozen:
        problem(response, 403, "published")
    assert svc.call("GET", f"/campaigns/{CODE}", "viewer", 200).json()["phase"] == "published"

    # the audit trail: who, what, before → after, in which round; per unit and per criterion
    trail = svc.call("GET", f"/campaigns/{CODE}/units/SNV/audit", "clerk-snv", 200, params={"criterion": "1.4"}).json()
    assert [(e["action"], e["round"]) for e in trail] == [("entry.save", None), ("appraisal.save", 1),
                                                          ("explanation.save", 1), ("appraisal.save", 2)]
    assert trail[1]["before"] is None and trail[1]["after"]["points"] == 1.5 and trail[1]["username"] == "appraiser"
    assert trail[2]["before"]["response"] == "" and trail[2]["after"]["response"].startswith("Sáng kiến")
    assert all(e["unit"] == "SNV" and e["code"] == "1.4" for e in trail)
    trail = svc.call("GET", f"/campaigns/{CODE}/units/SNV/audit", "viewer", 200, params={"criterion": "1.2"}).json()
    assert [(e["action"], e["round"]) for e in trail][-3:] == [("appraisal.save", 2), ("explanation.save", 2),
                                                               ("appraisal.save", 2)]
    assert trail[-2]["username"] == "clerk-snv" and trail[-2]["after"]["response"].startswith("Kế hoạch")
    trail = svc.call("GET", f"/campaigns/{CODE}/units/SNV/audit", "viewer", 200, params={"criterion": "T.1"}).json()
    assert [(e["action"], e["round"]) for e in trail] == [("entry.save", None), ("appraisal.save", 1),
                                                          ("explanation.save", 1), ("appraisal.save", 1)]
    whole = svc.call("GET", f"/campaigns/{CODE}/audit", "viewer", 200).json()
    assert [e["after"]["phase"] for e in whole if e["action"] == "campaign.phase"] == [
        "self_assessment", "appraisal_1", "explanation", "appraisal_2", "explanation_2", "bonus_penalty",
        "bonus_penalty_explanation", "survey", "publication"]
    assert whole[-1]["action"] == "campaign.publish"
    assert not any(e["action"] == "entry.save" and e["after"]["self_assessment"] == 3 for e in whole)  # refused: none


def advance_denied(svc: Service, to: str, who: str) -> object:
    return svc.call("POST", f"/campaigns/{CODE}/phase", who, json={"to": to, "version": version(svc)})


def test_phases_move_one_at_a_time_by_the_chair_or_an_administrator(service: Service) -> None:
    svc = service
    first_campaign(svc)
    problem(svc.call("POST", f"/campaigns/{CODE}/phase", "admin", json={"to": "appraisal_1", "version": version(svc)}),
            409, "conflict")
    stale = problem(svc.call("POST", f"/campaigns/{CODE}/phase", "admin", json={"to": "self_assessment",
                                                                              "version": version(svc) - 1}),
                    409, "stale-version")
    assert stale["current_version"] == version(svc)
    for who in ("viewer", "system", "appraiser", "clerk-snv"):
        problem(advance_denied(svc, "self_assessment", who), 403, "forbidden")
    phases = ["self_assessment", "appraisal_1", "explanation", "appraisal_2", "explanation_2", "bonus_penalty",
              "bonus_penalty_explanation", "survey", "publication"]
    for i, phase in enumerate(phases):
        moved = advance(svc, phase, who="chair" if i % 2 else "admin").json()
        assert moved["phase"] == phase
        assert moved["schedule"][phase]["started_at"] is not None
    problem(svc.call("POST", f"/campaigns/{CODE}/phase", "chair", json={"to": "published", "version": version(svc)}),
            409, "conflict")  # publishing is its own step


def test_a_deadline_closes_the_phase_for_its_writes(service: Service) -> None:
    svc = service
    past = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=1)).isoformat()
    future = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=30)).isoformat()
    first_campaign(svc, schedule={"self_assessment": {"closes_at": future}})
    advance(svc, "self_assessment", who="admin")
    save(svc, "clerk-snv", "SNV", "1.2", 200, version=0, self_assessment=2)
    svc.call("PUT", f"/campaigns/{CODE}/schedule/self_assessment", "clerk-snv", 403, json={"closes_at": past})
    svc.call("PUT", f"/campaigns/{CODE}/schedule/self_assessment", "admin", 200, json={"closes_at": past})
    refused = problem(save(svc, "clerk-snv", "SNV", "1.2", version=1, self_assessment=1), 403, "deadline-passed")
    assert refused["deadline"].startswith(past[:16])
    assert entry(svc, "SNV", "1.2")["entry"]["self_assessment"] == 2
    advance(svc, "appraisal_1")  # the chair still moves the campaign on


def test_the_deadlines_of_the_new_steps_close_their_writes(service: Service) -> None:
    """The explanation of round 2 and the bonus/penalty explanation have deadlines of their own: the
    unit's explanation, and the council's revision in answer, are refused after them."""
    svc = service
    past = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=1)).isoformat()
    round_2_deduction(svc, reason="Ban hành muộn")
    for phase in ("explanation_2", "bonus_penalty_explanation"):
        svc.call("PUT", f"/campaigns/{CODE}/schedule/{phase}", "admin", 200, json={"closes_at": past})
    advance(svc, "explanation_2")
    problem(svc.call("PUT", f"/campaigns/{CODE}/units/SNV/criteria/1.2/explanation", "clerk-snv",
                     json={"version": 1, "response": "x"}), 403, "deadline-passed")
    problem(appraise(svc, "chair", "SNV", "1.2", 2, version=1, points=2), 403, "deadline-passed")
    advance(svc, "bonus_penalty")
    appraise(svc, "appraiser", "SNV", "T.1", 1, 200, version=0, points=0, reason="Chưa được khen thưởng")
    advance(svc, "bonus_penalty_explanation")
    problem(svc.call("PUT", f"/campaigns/{CODE}/units/SNV/criteria/T.1/explanation", "clerk-snv",
                     json={"version": 1, "response": "x"}), 403, "deadline-passed")
    assert entry(svc, "SNV", "T.1")["appraisals"][0]["response"] == ""
    advance(svc, "survey")


def test_not_applicable_and_tables_round_trip_exactly(service: Service) -> None:
    svc = service
    first_campaign(svc)
    advance(svc, "self_assessment", who="admin")
    survey = {"Rất hài lòng": 80, "Hài lòng": Decimal("90.50"), "Bình thường": 20, "Không hài lòng": 10}
    saved = save(svc, "clerk-stp", "STP", "3", 200, version=0, self_assessment=Decimal("5.75"), answer=survey).json()
    assert saved["entry"]["answer"] == {"Bình thường": 20, "Hài lòng": 90.5, "Không hài lòng": 10, "Rất hài lòng": 80}
    raw = svc.call("GET", f"/campaigns/{CODE}/units/STP/submission", "clerk-stp", 200).content
    assert b'"H\xc3\xa0i l\xc3\xb2ng":90.50' in raw and b'"3":5.75' in raw  # the digits as sent, on both databases
    na = save(svc, "clerk-stp", "STP", "2.3", 200, version=0, answer="na").json()
    assert na["score"]["criterion"]["status"] == "not_applicable"
    problem(save(svc, "clerk-stp", "STP", "1.2", version=0, answer="na"), 422, "invalid")  # the set allows no N/A
    problem(save(svc, "clerk-stp", "STP", "9.9", version=0, answer=1), 404, "not-found")
    problem(save(svc, "clerk-stp", "STP", "2", version=0, answer=1), 404, "not-found")  # has sub-criteria
    bad = svc.call("PUT", f"/campaigns/{CODE}/units/STP/criteria/2.1", "clerk-stp",
                   content=b'{"version": 0, "answer": NaN}', headers={"Content-Type": "application/json"})
    problem(bad, 400, "bad-request")
    twice = svc.call("PUT", f"/campaigns/{CODE}/units/STP/criteria/2.1", "clerk-stp",
                     content=b'{"version": 0, "version": 1}', headers={"Content-Type": "application/json"})
    assert "twice" in problem(twice, 400, "bad-request")["detail"]
    unknown = svc.call("PUT", f"/campaigns/{CODE}/units/STP/criteria/2.1", "clerk-stp", json={"version": 0, "points": 1})
    problem(unknown, 422, "invalid")

"""What a deduction is, per kind of criterion: fewer points on a base or bonus criterion, more points
on a penalty criterion (its points are taken off the total). A round that deducts needs its reason;
only a deduction can be explained by the unit."""

from __future__ import annotations

from tests.service.conftest import Service
from tests.service.helpers import FIRST_SET, advance, appraise, problem, upload_set

PENALTY = '''
[criteria."P"]
name = "Điểm trừ"
max_points = 3
role = "penalty"

[criteria."P.1"]
name = "Cán bộ vi phạm kỷ luật"
max_points = 3
rule = "penalty"
per_item = 1
'''
CODE = "tru-2024"


def test_a_penalty_raised_is_a_deduction_and_a_penalty_lowered_is_not(service: Service) -> None:
    svc = service
    sha = upload_set(svc, text=FIRST_SET.read_bytes() + PENALTY.encode())
    svc.call("POST", "/campaigns", "admin", 201, json={"code": CODE, "name": "Thử điểm trừ", "year": 2024,
                                                       "criteria_set": sha})
    svc.call("POST", f"/campaigns/{CODE}/units", "admin", 201, json={"code": "SNV", "name": "Sở Nội vụ"})
    svc.call("POST", f"/campaigns/{CODE}/units", "admin", 201, json={"code": "STP", "name": "Sở Tư pháp"})
    for username, role, unit in (("clerk", "clerk", "SNV"), ("clerk2", "clerk", "STP"), ("appraiser", "appraiser", None),
                                 ("chair", "chair", None)):
        svc.account(username)
        svc.call("POST", f"/campaigns/{CODE}/members", "admin", 201,
                 json={"username": username, "role": role, "unit": unit})
    advance(svc, "self_assessment", who="admin", code=CODE)
    for code, points in (("P.1", 1), ("1.4", 1)):
        svc.call("PUT", f"/campaigns/{CODE}/units/SNV/criteria/{code}", "clerk", 200,
                 json={"version": 0, "self_assessment": points})
    advance(svc, "appraisal_1", code=CODE)
    # a penalty criterion is not appraised in the rounds of the base criteria
    problem(appraise(svc, "appraiser", "SNV", "P.1", 1, code=CODE, version=0, points=2, reason="x"), 403, "wrong-phase")
    # two points where the unit gave itself one, on a base criterion: the total goes up, no reason owed
    appraise(svc, "appraiser", "SNV", "1.4", 1, 200, code=CODE, version=0, points=2)
    advance(svc, "explanation", code=CODE)
    nothing = problem(svc.call("PUT", f"/campaigns/{CODE}/units/SNV/criteria/1.4/explanation", "clerk",
                               json={"version": 1, "response": "Không có gì"}), 422, "invalid")
    assert "no deduction" in nothing["detail"]
    for phase in ("appraisal_2", "explanation_2", "bonus_penalty"):
        advance(svc, phase, code=CODE)
    # two points of penalty where the unit declared one: the total goes down, so a reason is owed
    owed = problem(appraise(svc, "appraiser", "SNV", "P.1", 1, code=CODE, version=0, points=2), 422, "invalid")
    assert "reason" in owed["detail"]
    raised = appraise(svc, "appraiser", "SNV", "P.1", 1, 200, code=CODE, version=0, points=2,
                      reason="Hai cán bộ bị kỷ luật").json()
    assert raised["score"]["criterion"]["final_points"] == 2
    # a unit that declared no penalty declared 0: a penalty found is a deduction, with its reason
    problem(appraise(svc, "appraiser", "STP", "P.1", 1, code=CODE, version=0, points=1), 422, "invalid")
    appraise(svc, "appraiser", "STP", "P.1", 1, 200, code=CODE, version=0, points=1, reason="Một cán bộ bị kỷ luật")
    advance(svc, "bonus_penalty_explanation", code=CODE)
    explained = svc.call("PUT", f"/campaigns/{CODE}/units/SNV/criteria/P.1/explanation", "clerk", 200,
                         json={"version": 1, "response": "Một trường hợp đã được xóa kỷ luật"}).json()
    assert explained["appraisal"]["response"] == "Một trường hợp đã được xóa kỷ luật"
    svc.call("PUT", f"/campaigns/{CODE}/units/STP/criteria/P.1/explanation", "clerk2", 200,
             json={"version": 1, "response": "Quyết định kỷ luật đã bị hủy"})
    # the council takes a penalty point off again in answer: not a deduction, so no reason owed
    lowered = appraise(svc, "chair", "SNV", "P.1", 1, 200, code=CODE, version=2, points=1).json()
    assert lowered["score"]["criterion"]["final_points"] == 1
    assert lowered["appraisal"]["response"] == "Một trường hợp đã được xóa kỷ luật"  # the explanation stays on record

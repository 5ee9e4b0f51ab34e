"""The steps after round 2 in the pages (issue #14's workflow): the clerk answers a round-2 deduction
in the explanation of round 2, the council appraises a bonus criterion in its own step and the clerk
explains it in the next, and the council's dashboard counts each step. On the first set (which has a
bonus criterion, T.1), on SQLite and on PostgreSQL (the service tests' `service` fixture)."""

from __future__ import annotations

import re
from decimal import Decimal

from tests.service.conftest import PASSWORD, Service
from tests.service.helpers import CODE, advance, entry, round_2_deduction

from .test_pages import login

UNIT_PAGE = f"/c/{CODE}/units/SNV"


def as_person(svc: Service, username: str) -> str:
    """The web session of `username` on the test's client (one at a time); its CSRF token."""
    svc.client.cookies.clear()
    return login(svc.client, username, PASSWORD)


def forms_of(html: str) -> list[str]:
    return re.findall(r'<form method="post" action="([^"]+)"', html)


def test_round_2_and_bonus_deductions_are_explained_in_their_own_steps(service: Service) -> None:
    svc = service
    round_2_deduction(svc)

    # explanation of round 2: a form for round 2's deduction, none for the bonus criterion yet
    advance(svc, "explanation_2")
    csrf = as_person(svc, "clerk-snv")
    home = svc.client.get("/home").text
    assert "Cần làm: giải trình các tiêu chí bị trừ điểm ở vòng 2" in home
    page = svc.client.get(UNIT_PAGE).text
    assert "Giai đoạn: giải trình vòng 2" in page and "vòng 2 chấm 1,00" in page
    assert forms_of(page).count(f"/c/{CODE}/units/SNV/criteria/1.2/explanation") == 1
    assert f"/c/{CODE}/units/SNV/criteria/T.1/explanation" not in forms_of(page)
    sent = svc.client.post(f"{UNIT_PAGE}/criteria/1.2/explanation", follow_redirects=False,
                           data={"csrf": csrf, "version": "1", "response": "Ban hành đúng hạn <b>5/UBND</b>"})
    assert sent.status_code == 303, sent.text
    answered = entry(svc, "SNV", "1.2")["appraisals"]
    assert [(a["round"], a["response"]) for a in answered] == [(2, "Ban hành đúng hạn <b>5/UBND</b>")]
    assert "Ban hành đúng hạn &lt;b&gt;5/UBND&lt;/b&gt;" in svc.client.get(UNIT_PAGE).text

    # the council's dashboard shows the step and counts it; the chair may revise round 2 in answer
    csrf = as_person(svc, "chair")
    board = svc.client.get(f"/c/{CODE}/council").text
    assert "Giai đoạn: giải trình vòng 2" in board and "Giải trình vòng 2" in board
    assert "Đã giải trình 1/1 điểm bị trừ (1 đơn vị bị trừ điểm)" in board
    assert "Điểm thưởng, điểm trừ" in board  # the set has a bonus criterion: its columns are shown
    page = svc.client.get(UNIT_PAGE).text
    assert f"/c/{CODE}/units/SNV/criteria/1.2/appraisal/2" in forms_of(page)
    assert f"/c/{CODE}/units/SNV/criteria/1.2/appraisal/1" not in forms_of(page)
    assert f"/c/{CODE}/units/SNV/criteria/T.1/appraisal/1" not in forms_of(page)

    # the bonus and penalty step: one appraisal of the bonus criterion, nothing else
    advance(svc, "bonus_penalty")
    csrf = as_person(svc, "appraiser")
    assert "Cần làm: thẩm định điểm thưởng, điểm trừ" in svc.client.get("/home").text
    page = svc.client.get(UNIT_PAGE).text
    assert [f for f in forms_of(page) if "/appraisal/" in f] == [f"/c/{CODE}/units/SNV/criteria/T.1/appraisal/1"]
    assert "Thẩm định điểm thưởng, điểm trừ" in page
    missing = svc.client.post(f"{UNIT_PAGE}/criteria/T.1/appraisal/1", data={"csrf": csrf, "version": "0",
                                                                            "points": "0,5", "reason": ""})
    assert missing.status_code == 422 and "T.1" in missing.text  # lowers the bonus claimed: a reason is owed
    done = svc.client.post(f"{UNIT_PAGE}/criteria/T.1/appraisal/1", follow_redirects=False,
                           data={"csrf": csrf, "version": "0", "points": "0,5", "reason": "Một bằng khen"})
    assert done.status_code == 303, done.text

    # the bonus and penalty explanation: the clerk answers it; round 2 is closed
    advance(svc, "bonus_penalty_explanation")
    csrf = as_person(svc, "clerk-snv")
    page = svc.client.get(UNIT_PAGE).text
    assert [f for f in forms_of(page) if f.endswith("/explanation")] == [f"/c/{CODE}/units/SNV/criteria/T.1/explanation"]
    assert "đơn vị kê khai 1,00, Hội đồng thẩm định chấm 0,50" in page
    sent = svc.client.post(f"{UNIT_PAGE}/criteria/T.1/explanation", follow_redirects=False,
                           data={"csrf": csrf, "version": "1", "response": "Bằng khen thứ hai: Quyết định 88/QĐ-TTg"})
    assert sent.status_code == 303, sent.text
    late = svc.client.post(f"{UNIT_PAGE}/criteria/1.2/explanation",
                           data={"csrf": csrf, "version": "2", "response": "x"})
    assert late.status_code == 403
    bonus = entry(svc, "SNV", "T.1")["appraisals"]
    assert [(a["round"], a["points"], a["response"]) for a in bonus] == [
        (1, Decimal("0.5"), "Bằng khen thứ hai: Quyết định 88/QĐ-TTg")]
    as_person(svc, "chair")
    board = svc.client.get(f"/c/{CODE}/council").text
    assert "Đã giải trình 1/1 điểm bị trừ (1 đơn vị bị trừ điểm)" in board

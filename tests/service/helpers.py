"""Building a campaign through the API, as a province's administrator would, for the tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.service.conftest import ROOT, Service

FIRST_SET = ROOT / "examples" / "first-set" / "criteria.toml"
PROVINCE_2018 = ROOT / "examples" / "province-2018" / "campaign.toml"
CODE = "first-2024"
ROLES = {"chair": "chair", "appraiser": "appraiser", "appraiser2": "appraiser", "viewer": "viewer",
         "system": "system", "clerk-snv": "clerk", "clerk-stp": "clerk"}
UNITS = {"clerk-snv": "SNV", "clerk-stp": "STP"}


def upload_set(svc: Service, path: Path = FIRST_SET, text: bytes | None = None) -> str:
    response = svc.call("POST", "/criteria-sets", "admin", content=text if text is not None else path.read_bytes(),
                        headers={"Content-Type": "application/toml"})
    assert response.status_code in (200, 201), response.text
    return response.json()["sha256"]


def first_campaign(svc: Service, *, schedule: dict[str, Any] | None = None) -> str:
    """Campaign `first-2024` on the first set: units SNV and STP, one account per role."""
    sha = upload_set(svc)
    svc.call("POST", "/campaigns", "admin", 201, json={
        "code": CODE, "name": "Chỉ số CCHC 2024 (thử)", "year": 2024, "criteria_set": sha,
        "schedule": schedule or {}})
    svc.call("POST", f"/campaigns/{CODE}/units", "admin", 201,
             json={"code": "SNV", "name": "Sở Nội vụ", "kind": "department", "period": "2024"})
    svc.call("POST", f"/campaigns/{CODE}/units", "admin", 201,
             json={"code": "STP", "name": "Sở Tư pháp", "kind": "department", "period": "2024"})
    for username, role in ROLES.items():
        svc.account(username)
        svc.call("POST", f"/campaigns/{CODE}/members", "admin", 201,
                 json={"username": username, "role": role, "unit": UNITS.get(username)})
    return CODE


def version(svc: Service, code: str = CODE) -> int:
    return int(svc.call("GET", f"/campaigns/{code}", "admin", 200).json()["version"])


def advance(svc: Service, to: str, who: str = "chair", code: str = CODE) -> Any:
    return svc.call("POST", f"/campaigns/{code}/phase", who, 200, json={"to": to, "version": version(svc, code)})


def entry(svc: Service, unit: str, criterion: str, who: str = "admin", code: str = CODE) -> dict[str, Any]:
    return svc.call("GET", f"/campaigns/{code}/units/{unit}/criteria/{criterion}", who, 200).json()


def save(svc: Service, who: str, unit: str, criterion: str, expect: int | None = None, code: str = CODE,
         **body: Any) -> Any:
    return svc.call("PUT", f"/campaigns/{code}/units/{unit}/criteria/{criterion}", who, expect, json=body)


def appraise(svc: Service, who: str, unit: str, criterion: str, round: int, expect: int | None = None,
             code: str = CODE, **body: Any) -> Any:
    return svc.call("PUT", f"/campaigns/{code}/units/{unit}/criteria/{criterion}/appraisals/{round}", who, expect,
                    json=body)


def round_2_deduction(svc: Service, reason: str = "Kế hoạch ban hành muộn") -> None:
    """The first campaign in round 2, with SNV self-assessed on 1.2 (2 points) and on the bonus T.1
    (1 point), and round 2 lowering 1.2 to 1 point: what the explanation steps after it start from."""
    first_campaign(svc)
    advance(svc, "self_assessment", who="admin")
    save(svc, "clerk-snv", "SNV", "1.2", 200, version=0, self_assessment=2)
    save(svc, "clerk-snv", "SNV", "T.1", 200, version=0, self_assessment=1)
    for phase in ("appraisal_1", "explanation", "appraisal_2"):
        advance(svc, phase)
    appraise(svc, "appraiser", "SNV", "1.2", 2, 200, version=0, points=1, reason=reason)


def problem(response: Any, status: int, kind: str) -> dict[str, Any]:
    """The response is an RFC 9457 problem of this status and kind; its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["type"] == f"urn:parrules:problem:{kind}", body
    assert body["status"] == status and body["title"] and body["detail"]
    return body

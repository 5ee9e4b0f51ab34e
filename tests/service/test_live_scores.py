"""A unit's live score after a save: the engine's result, with the evidence checks' measurements
remembered by the content they read (`parrules/service/measurements.py`) — never a different figure
from the one `parrules campaign` gives, and measured again when the evidence changes."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from parrules import to_json
from parrules.service import measurements
from parrules.service.transfer import import_campaign
from tests.service.conftest import Service
from tests.service.helpers import PROVINCE_2018, problem

CAMPAIGN = "par-province-2018"
UNITS = ("94", "01", "79")


def _units(results: bytes) -> dict[str, dict[str, Any]]:
    return {u["unit"]["code"]: u for u in json.loads(results, parse_float=Decimal)["units"]}


def _same_figures(live: dict[str, Any], run: dict[str, Any]) -> None:
    """The live `UnitResult` says what the campaign JSON says of the unit (the campaign JSON leaves
    out a leaf's empty keys and its maximum, which the set gives)."""
    for key in ("total_points", "base_points", "bonus_points", "penalty_points", "index", "band", "incomplete"):
        assert live[key] == run[key], key
    assert [leaf["code"] for leaf in live["leaves"]] == [leaf["code"] for leaf in run["leaves"]]
    for ours, theirs in zip(live["leaves"], run["leaves"]):
        for key, value in ours.items():
            if key in theirs:
                assert value == theirs[key], (ours["code"], key)
            else:
                assert key == "max_points" or value in (None, [], {}, False), (ours["code"], key, value)
        assert set(theirs) <= set(ours), ours["code"]


def test_live_scores_are_the_campaign_run_and_saves_reuse_the_measurements(service: Service) -> None:
    svc = service
    with svc.database.writing() as session:
        import_campaign(session, PROVINCE_2018)
    svc.account("clerk-94")
    svc.call("POST", f"/campaigns/{CAMPAIGN}/members", "admin", 201,
             json={"username": "clerk-94", "role": "clerk", "unit": "94"})
    measurements.forget()
    run = _units(svc.call("GET", f"/campaigns/{CAMPAIGN}/results", "admin", 200).content)
    fresh = {code: svc.call("GET", f"/campaigns/{CAMPAIGN}/units/{code}/score", "admin", 200).content
             for code in UNITS}
    for code in UNITS:
        _same_figures(json.loads(fresh[code], parse_float=Decimal), run[code])
    # remembered measurements give the very bytes the checks gave
    found, made = measurements.counts()
    assert made > 0
    again = {code: svc.call("GET", f"/campaigns/{CAMPAIGN}/units/{code}/score", "admin", 200).content
             for code in UNITS}
    assert again == fresh
    assert measurements.counts()[1] == made and measurements.counts()[0] > found

    # a save changes no evidence: no check measures anything again, and the figure moves at once
    saved = svc.call("PUT", f"/campaigns/{CAMPAIGN}/units/94/criteria/1.1.1", "clerk-94", 200,
                     json={"version": 1, "self_assessment": 0}).json()
    assert measurements.counts()[1] == made
    assert saved["score"]["criterion"]["self_points"] == 0
    assert Decimal(str(saved["score"]["total_points"])) < run["94"]["total_points"] or \
        saved["score"]["criterion"]["final_stage"] != "self"
    live = json.loads(svc.call("GET", f"/campaigns/{CAMPAIGN}/units/94/score", "clerk-94", 200).content,
                      parse_float=Decimal)
    _same_figures(live, _units(svc.call("GET", f"/campaigns/{CAMPAIGN}/results", "admin", 200).content)["94"])
    # another unit's live score stays another unit's: the clerk of 94 is refused it
    problem(svc.call("GET", f"/campaigns/{CAMPAIGN}/units/01/score", "clerk-94"), 403, "forbidden")


def test_new_survey_data_is_measured_again(service: Service) -> None:
    svc = service
    with svc.database.writing() as session:
        import_campaign(session, PROVINCE_2018)
    before = json.loads(svc.call("GET", f"/campaigns/{CAMPAIGN}/units/94/score", "admin", 200).content,
                        parse_float=Decimal)
    survey = (PROVINCE_2018.parent / "data" / "survey.csv").read_text("utf-8-sig").splitlines()
    # every answer of unit 94's forms becomes the best one (A)
    changed = [line.rsplit(",", 1)[0] + ",A" if line.startswith("94,") else line for line in survey]
    assert changed != survey
    for phase in ("appraisal_1", "explanation", "appraisal_2", "explanation_2", "bonus_penalty",
                  "bonus_penalty_explanation", "survey"):
        version = svc.call("GET", f"/campaigns/{CAMPAIGN}", "admin", 200).json()["version"]
        svc.call("POST", f"/campaigns/{CAMPAIGN}/phase", "admin", 200, json={"to": phase, "version": version})
    svc.call("PUT", f"/campaigns/{CAMPAIGN}/data/survey", "admin", 200,
             content=("\n".join(changed) + "\n").encode("utf-8"), headers={"Content-Type": "text/csv"})
    after = json.loads(svc.call("GET", f"/campaigns/{CAMPAIGN}/units/94/score", "admin", 200).content,
                       parse_float=Decimal)
    run = _units(svc.call("GET", f"/campaigns/{CAMPAIGN}/results", "admin", 200).content)["94"]
    _same_figures(after, run)
    leaf = {leaf["code"]: leaf for leaf in after["leaves"]}
    old = {leaf["code"]: leaf for leaf in before["leaves"]}
    assert leaf["8.1.1"]["verified"] != old["8.1.1"]["verified"]
    assert to_json(after) != to_json(before)

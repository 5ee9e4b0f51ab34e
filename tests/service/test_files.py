"""Files and the service are one model: `examples/province-2018` imported, scored in the service,
exported, and compared with `parrules campaign` on the files (issue #14, "Proof")."""

from __future__ import annotations

import io
import json
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from parrules.cli.main import main as parrules_main
from parrules.service.demo import prepare
from parrules.service.transfer import import_campaign
from tests.service.conftest import ROOT, Service
from tests.service.helpers import (
    CODE,
    PROVINCE_2018,
    advance,
    appraise,
    round_2_deduction,
)

CAMPAIGN = "par-province-2018"


def cli_campaign(campaign_file: Path, out: Path) -> bytes:
    """`parrules campaign FILE -o OUT --formats json`: the campaign JSON it writes."""
    assert parrules_main(["campaign", str(campaign_file), "-o", str(out), "--formats", "json", "--quiet"]) == 0
    return (out / f"{CAMPAIGN}.json").read_bytes()


@pytest.fixture(scope="module")
def files_json(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return cli_campaign(PROVINCE_2018, tmp_path_factory.mktemp("files-run"))


def without_submission_inputs(document: dict[str, Any]) -> dict[str, Any]:
    """The campaign JSON less what names the submission files (`submissions/94.toml` and its hash in
    the files' run, `submissions/94.json` and its hash in the export's), and so the seal, the hash of
    the whole document, when the library writes one."""
    document.pop("seal", None)
    for unit in document["units"]:
        unit["provenance"]["inputs"] = [i for i in unit["provenance"]["inputs"]
                                        if not i["path"].startswith("submissions/")]
    return document


def test_an_imported_campaign_scores_as_parrules_campaign_on_its_files(service: Service, files_json: bytes,
                                                                       tmp_path: Path) -> None:
    svc = service
    with svc.database.writing() as session:
        import_campaign(session, PROVINCE_2018)
    svc.account("council")
    svc.call("POST", f"/campaigns/{CAMPAIGN}/members", "admin", 201, json={"username": "council", "role": "viewer"})
    served = svc.call("GET", f"/campaigns/{CAMPAIGN}/results", "council", 200).content

    # the same results as the files, unit by unit and figure by figure; only the submissions' names differ
    ours = json.loads(served, parse_float=Decimal)
    theirs = json.loads(files_json, parse_float=Decimal)
    assert len(ours["units"]) == 63 and ours["complete"] is True
    soc_trang = next(u for u in ours["units"] if u["unit"]["code"] == "94")
    assert soc_trang["total_points"] == Decimal("78.35") and soc_trang["band"] == "B"
    assert [i["path"] for i in soc_trang["provenance"]["inputs"] if i["path"].startswith("submissions/")] == \
        ["submissions/94.json"]
    assert without_submission_inputs(ours) == without_submission_inputs(theirs)

    # the export is files `parrules campaign` runs to the very bytes the service served
    archive = svc.call("GET", f"/campaigns/{CAMPAIGN}/export", "council", 200).content
    assert archive == svc.call("GET", f"/campaigns/{CAMPAIGN}/export", "admin", 200).content  # deterministic
    with zipfile.ZipFile(io.BytesIO(archive)) as unpacked:
        names = unpacked.namelist()
        assert all(n.startswith(f"{CAMPAIGN}/") and ".." not in n for n in names)
        unpacked.extractall(tmp_path / "export")
    exported = tmp_path / "export" / CAMPAIGN
    assert sorted(p.name for p in (exported / "data").iterdir()) == ["dossiers.csv", "register.csv", "services.csv",
                                                                     "survey.csv"]
    assert (exported / "criteria-set.toml").read_bytes() == (ROOT / "criteria_sets/par-province-2018.toml").read_bytes()
    assert cli_campaign(exported / "campaign.toml", tmp_path / "out") == served


def test_the_demo_opens_the_example_campaign_with_an_account_per_role(service: Service) -> None:
    svc = service
    lines = prepare(svc.database, svc.settings)
    accounts = {line.split()[1]: line.split()[-1] for line in lines if line.startswith("  ")}
    assert set(accounts) == {"admin", "chair", "appraiser", "viewer", "clerk-94", "province-app"}
    clerk = svc.client.post("/api/v1/auth/login", json={"username": "clerk-94", "password": accounts["clerk-94"]})
    assert clerk.status_code == 200
    headers = {"Authorization": f"Bearer {clerk.json()['token']}"}
    units = svc.client.get(f"/api/v1/campaigns/{CAMPAIGN}/units", headers=headers).json()
    assert units == [{"code": "94", "cohort": "", "kind": "province", "name": "Sóc Trăng"}]
    score = svc.client.get(f"/api/v1/campaigns/{CAMPAIGN}/units/94/score", headers=headers)
    assert score.status_code == 200
    assert json.loads(score.content, parse_float=Decimal)["total_points"] == Decimal("78.35")
    system = {"Authorization": f"Bearer {accounts['province-app']}"}
    assert svc.client.get(f"/api/v1/campaigns/{CAMPAIGN}", headers=system).json()["your_role"] == "system"
    again = prepare(svc.database, svc.settings)  # a second start keeps the campaign and renews the passwords
    assert not any(line.startswith("imported") for line in again)
    assert svc.client.post("/api/v1/auth/login", json={"username": "clerk-94",
                                                       "password": accounts["clerk-94"]}).status_code == 401


def test_round_2_and_bonus_explanations_go_into_the_files_and_score_the_same(service: Service, tmp_path: Path) -> None:
    """The explanation of round 2 and of a bonus criterion are each the `response` of the round they
    answer in the exported submission (docs/submissions.md), and `parrules campaign` on the export
    gives the service's results byte for byte, explanations included."""
    svc = service
    round_2_deduction(svc)
    advance(svc, "explanation_2")
    svc.call("PUT", f"/campaigns/{CODE}/units/SNV/criteria/1.2/explanation", "clerk-snv", 200,
             json={"version": 1, "response": "Ban hành đúng hạn: công văn 5/UBND"})
    advance(svc, "bonus_penalty")
    appraise(svc, "appraiser", "SNV", "T.1", 1, 200, version=0, points=Decimal("0.5"), reason="Một bằng khen")
    advance(svc, "bonus_penalty_explanation")
    svc.call("PUT", f"/campaigns/{CODE}/units/SNV/criteria/T.1/explanation", "clerk-snv", 200,
             json={"version": 1, "response": "Bằng khen thứ hai: Quyết định 88/QĐ-TTg"})

    served = svc.call("GET", f"/campaigns/{CODE}/results", "viewer", 200).content
    results = json.loads(served, parse_float=Decimal)
    snv = next(u for u in results["units"] if u["unit"]["code"] == "SNV")
    leaves = {leaf["code"]: leaf for leaf in snv["leaves"]}
    assert [(a["round"], a["response"]) for a in leaves["1.2"]["appraisals"]] == [
        (2, "Ban hành đúng hạn: công văn 5/UBND")]
    assert [(a["round"], a["response"]) for a in leaves["T.1"]["appraisals"]] == [
        (1, "Bằng khen thứ hai: Quyết định 88/QĐ-TTg")]

    with zipfile.ZipFile(io.BytesIO(svc.call("GET", f"/campaigns/{CODE}/export", "viewer", 200).content)) as unpacked:
        unpacked.extractall(tmp_path / "export")
    exported = tmp_path / "export" / CODE
    submission = json.loads((exported / "submissions" / "SNV.json").read_bytes(), parse_float=Decimal)
    assert {(a["code"], a["round"], a["points"], a["reason"], a["response"]) for a in submission["appraisals"]} == {
        ("1.2", 2, Decimal("1"), "Kế hoạch ban hành muộn", "Ban hành đúng hạn: công văn 5/UBND"),
        ("T.1", 1, Decimal("0.5"), "Một bằng khen", "Bằng khen thứ hai: Quyết định 88/QĐ-TTg")}
    out = tmp_path / "out"
    assert parrules_main(["campaign", str(exported / "campaign.toml"), "-o", str(out), "--formats", "json", "--quiet",
                          "--provisional"]) == 0  # criteria nobody answered: incomplete, as the service says too
    assert (out / f"{CODE}.json").read_bytes() == served

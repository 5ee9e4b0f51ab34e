"""Last year's results and the code mapping uploaded to a campaign made through the API: checked by
the library when they arrive, kept by hash, exported as `parrules campaign` reads them."""

from __future__ import annotations

import io
import json
import zipfile

from tests.service.conftest import ROOT, Service
from tests.service.helpers import problem, upload_set

EXAMPLE = ROOT / "examples" / "province-2018"
CODE = "tinh-2018"


def _campaign(svc: Service) -> None:
    sha = upload_set(svc, ROOT / "criteria_sets" / "par-province-2018.toml")
    svc.call("POST", "/campaigns", "admin", 201, json={"code": CODE, "name": "Chỉ số CCHC 2018", "year": 2018,
                                                       "criteria_set": sha})
    for username, role in (("clerk", "clerk"), ("appraiser", "appraiser"), ("viewer", "viewer")):
        svc.account(username)
        if role == "clerk":
            svc.call("POST", f"/campaigns/{CODE}/units", "admin", 201, json={"code": "94", "name": "Sóc Trăng"})
        svc.call("POST", f"/campaigns/{CODE}/members", "admin", 201,
                 json={"username": username, "role": role, "unit": "94" if role == "clerk" else None})


def test_last_years_results_and_the_mapping_are_checked_kept_and_exported(service: Service) -> None:
    svc = service
    _campaign(svc)
    previous = (EXAMPLE / "previous" / "par-province-2017.json").read_bytes()
    mapping = (EXAMPLE / "mapping.toml").read_bytes()
    json_type, toml_type = {"Content-Type": "application/json"}, {"Content-Type": "application/toml"}
    # only the campaign's administrator uploads them
    for who in ("clerk", "appraiser", "viewer"):
        problem(svc.call("PUT", f"/campaigns/{CODE}/previous", who, content=previous, headers=json_type), 403,
                "forbidden")
    problem(svc.call("PUT", f"/campaigns/{CODE}/previous", "admin", content=previous, headers=toml_type), 415,
            "unsupported-media-type")
    # the mapping reads last year's codes: alone, the library refuses it, and nothing is kept
    alone = problem(svc.call("PUT", f"/campaigns/{CODE}/mapping", "admin", content=mapping, headers=toml_type),
                    422, "invalid")
    assert alone["problems"][0]["file"] == "campaign.toml"
    broken = problem(svc.call("PUT", f"/campaigns/{CODE}/previous", "admin", content=b'{"units": 3}',
                              headers=json_type), 422, "invalid")
    assert all(p["file"].startswith("previous/") for p in broken["problems"])
    saved = svc.call("PUT", f"/campaigns/{CODE}/previous?name=par-province-2017.json", "admin", 200,
                     content=previous, headers=json_type).json()
    assert saved["file"] == "previous/par-province-2017.json" and saved["size"] == len(previous)
    bad_mapping = problem(svc.call("PUT", f"/campaigns/{CODE}/mapping", "admin", content=b'[codes]\n"9.9" = "1.1"\n',
                                   headers=toml_type), 422, "invalid")
    assert bad_mapping["problems"] and all(p["file"] == "mapping.toml" for p in bad_mapping["problems"])
    svc.call("PUT", f"/campaigns/{CODE}/mapping?name=../../etc/passwd", "admin", 200, content=mapping,
             headers=toml_type)
    archive = zipfile.ZipFile(io.BytesIO(svc.call("GET", f"/campaigns/{CODE}/export", "viewer", 200).content))
    names = archive.namelist()
    assert f"{CODE}/previous/par-province-2017.json" in names and f"{CODE}/mapping.toml" in names  # not a client's path
    assert archive.read(f"{CODE}/previous/par-province-2017.json") == previous
    campaign_file = archive.read(f"{CODE}/campaign.toml").decode()
    assert 'previous_results = "previous/par-province-2017.json"' in campaign_file
    assert 'code_mapping = "mapping.toml"' in campaign_file
    # the results compare with last year through the mapping
    results = json.loads(svc.call("GET", f"/campaigns/{CODE}/results", "viewer", 200).content)
    yoy = results["year_over_year"]
    assert (yoy["previous_results"], yoy["mapping"], yoy["previous_set"]) == \
        ("previous/par-province-2017.json", "mapping.toml", "par-province-2948")
    trail = [e["action"] for e in svc.call("GET", f"/campaigns/{CODE}/audit", "admin", 200).json()]
    assert trail.count("campaign.previous") == 1 and trail.count("campaign.mapping") == 1

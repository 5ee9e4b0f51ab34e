"""The OpenAPI document other systems generate their clients from, and evidence documents' files."""

from __future__ import annotations

import hashlib
from typing import Any

from tests.service.conftest import Service
from tests.service.helpers import CODE, advance, first_campaign, problem


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [*([node["$ref"]] if "$ref" in node else []), *(r for v in node.values() for r in _refs(v))]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def test_the_openapi_document_describes_every_route_and_its_problems(service: Service) -> None:
    document = service.client.get("/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    schemas = document["components"]["schemas"]
    for ref in _refs(document):  # every reference resolves, so a generator finds every type
        assert ref.startswith("#/components/schemas/") and ref.rsplit("/", 1)[1] in schemas, ref
    operations = [(path, method, op) for path, item in document["paths"].items() for method, op in item.items()]
    assert len(operations) >= 30
    ids = [op["operationId"] for _, _, op in operations]
    assert len(ids) == len(set(ids))
    for path, method, op in operations:
        assert path.startswith("/api/v1/"), path
        assert op.get("summary"), (path, method)
        if op.get("security") == []:
            assert path == "/api/v1/auth/login"
            continue
        assert "application/problem+json" in op["responses"]["403"]["content"], (path, method)
    assert document["security"] == [{"bearer": []}]
    assert schemas["Results"]["properties"]["format"] == {"const": "parrules.results/1"}
    upload = document["paths"]["/api/v1/criteria-sets"]["post"]["requestBody"]["content"]
    assert "application/toml" in upload
    save = document["paths"]["/api/v1/campaigns/{campaign}/units/{unit}/criteria/{code}"]["put"]
    body = save["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert set(schemas[body]["properties"]) == {"version", "self_assessment", "answer"}
    assert {"409", "403", "422"} <= set(save["responses"])


def test_evidence_files_are_kept_by_hash_within_limits_and_only_for_their_unit(service: Service) -> None:
    svc = service
    first_campaign(svc)
    problem(svc.call("POST", f"/campaigns/{CODE}/units/SNV/documents", "clerk-snv", json={"number": "1"}),
            403, "wrong-phase")
    advance(svc, "self_assessment", who="admin")
    created = svc.call("POST", f"/campaigns/{CODE}/units/SNV/documents", "clerk-snv", 201,
                       json={"number": "12/KH-SNV", "date": "2024-01-15", "title": "Kế hoạch CCHC năm 2024",
                             "kind": "Kế hoạch", "criteria": ["1.1"]}).json()
    problem(svc.call("POST", f"/campaigns/{CODE}/units/SNV/documents", "clerk-snv", json={"criteria": ["9.9"]}),
            422, "invalid")
    doc = created["id"]
    url = f"/campaigns/{CODE}/units/SNV/documents/{doc}/file"
    pdf = b"%PDF-1.4\n% evidence\n"
    problem(svc.call("PUT", url, "clerk-snv", params={"version": 1}, content=b"MZ\x90",
                     headers={"Content-Type": "application/x-msdownload"}), 415, "unsupported-media-type")
    problem(svc.call("PUT", url, "clerk-stp", params={"version": 1}, content=pdf,
                     headers={"Content-Type": "application/pdf"}), 403, "forbidden")
    problem(svc.call("PUT", url, "appraiser", params={"version": 1}, content=pdf,
                     headers={"Content-Type": "application/pdf"}), 403, "forbidden")
    attached = svc.call("PUT", url, "clerk-snv", 200, params={"version": 1}, content=pdf,
                        headers={"Content-Type": "application/pdf"}).json()
    assert attached["file"] == {"sha256": hashlib.sha256(pdf).hexdigest(), "suffix": ".pdf"}
    problem(svc.call("PUT", url, "clerk-snv", params={"version": 1}, content=pdf,
                     headers={"Content-Type": "application/pdf"}), 409, "stale-version")
    big = b"0" * (svc.settings.max_evidence_bytes + 1)
    problem(svc.call("PUT", url, "clerk-snv", params={"version": 2}, content=big,
                     headers={"Content-Type": "application/pdf"}), 413, "too-large")
    got = svc.call("GET", url, "appraiser", 200)
    assert got.content == pdf and got.headers["x-content-type-options"] == "nosniff"
    assert got.headers["content-disposition"] == f'attachment; filename="SNV-{doc}.pdf"'
    problem(svc.call("GET", url, "clerk-stp"), 403, "forbidden")
    submission = svc.call("GET", f"/campaigns/{CODE}/units/SNV/submission", "clerk-snv", 200).json()
    assert submission["documents"][0]["file"] == f"evidence/SNV/{hashlib.sha256(pdf).hexdigest()[:16]}.pdf"
    # the engine sees the document: 1.1 (a plan issued by its deadline) is computed from it
    score = svc.call("GET", f"/campaigns/{CODE}/units/SNV/score", "clerk-snv", 200).json()
    leaf = next(leaf for leaf in score["leaves"] if leaf["code"] == "1.1")
    assert leaf["computed_points"] == 1 and "12/KH-SNV" in leaf["explanation"]
    assert not score["warnings"]  # the file is there for the check, under a name the service chose

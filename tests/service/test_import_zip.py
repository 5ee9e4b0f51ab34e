"""A zipped campaign folder imported through the API, and every way an upload could reach outside
its folder or flood the disk refused (issue #14: "every path checked")."""

from __future__ import annotations

import dataclasses
import io
import stat
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import parrules
from parrules.service.app import create_app
from tests.service.conftest import ROOT, Service
from tests.service.helpers import problem

FIRST = ROOT / "examples" / "first-set"
CAMPAIGN_TOML = ('[campaign]\nid = "first-zip"\nname = "Thử qua zip"\ncriteria_set = "criteria.toml"\n'
                 'submissions = ["submissions"]\n')
ZIP = {"Content-Type": "application/zip"}


def campaign_zip(extra: dict[str, bytes] | None = None, campaign: str = CAMPAIGN_TOML, top: str = "first-zip/") -> bytes:
    files = {"campaign.toml": campaign.encode(), "criteria.toml": (FIRST / "criteria.toml").read_bytes()}
    for path in (FIRST / "submissions").rglob("*"):
        if path.is_file():
            files[f"submissions/{path.relative_to(FIRST / 'submissions').as_posix()}"] = path.read_bytes()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in {**files, **(extra or {})}.items():
            archive.writestr(top + name, content)
    return buffer.getvalue()


def raw_zip(*entries: tuple[zipfile.ZipInfo | str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, content in entries:
            archive.writestr(info, content)
    return buffer.getvalue()


def _leftovers(svc: Service) -> list[Path]:
    return list(svc.settings.cache_dir.glob("upload-*")) if svc.settings.cache_dir.exists() else []


def test_a_zipped_campaign_is_imported_and_scores_as_its_files(service: Service, tmp_path: Path) -> None:
    svc = service
    made = svc.call("POST", "/campaigns/import?phase=appraisal_1", "admin", 201, content=campaign_zip(),
                    headers=ZIP).json()
    assert (made["code"], made["phase"]) == ("first-zip", "appraisal_1")
    assert [u["code"] for u in svc.call("GET", "/campaigns/first-zip/units", "admin", 200).json()] == ["SNV", "STP"]
    served = parrules.CampaignResult  # the same figures as `parrules campaign` on the files
    folder = tmp_path / "files"
    with zipfile.ZipFile(io.BytesIO(campaign_zip())) as archive:
        archive.extractall(folder)
    theirs = parrules.run_campaign(parrules.load_campaign(folder / "first-zip" / "campaign.toml")).run
    results = svc.call("GET", "/campaigns/first-zip/results", "admin", 200).json()
    assert served and {u["unit"]["code"]: str(u["total_points"]) for u in results["units"]} == \
        {u.unit.code: str(u.total_points) for u in theirs.units}
    documents = svc.call("GET", "/campaigns/first-zip/units/SNV", "admin", 200).json()["documents"]
    assert any(d["file"] for d in documents)  # the evidence came along, stored by its hash
    trail = svc.call("GET", "/campaigns/first-zip/audit", "admin", 200).json()
    assert [e["action"] for e in trail] == ["campaign.import"]
    # the same again: the campaign exists
    problem(svc.call("POST", "/campaigns/import", "admin", content=campaign_zip(), headers=ZIP), 422, "invalid")
    assert _leftovers(svc) == []


def test_only_a_site_administrator_imports_and_only_a_zip(service: Service) -> None:
    svc = service
    svc.account("clerk")
    problem(svc.call("POST", "/campaigns/import", "clerk", content=campaign_zip(), headers=ZIP), 403, "forbidden")
    problem(svc.call("POST", "/campaigns/import", "admin", content=campaign_zip(),
                     headers={"Content-Type": "text/plain"}), 415, "unsupported-media-type")
    problem(svc.call("POST", "/campaigns/import", "admin", content=b"not a zip", headers=ZIP), 422, "invalid")
    problem(svc.call("POST", "/campaigns/import?phase=published", "admin", content=campaign_zip(), headers=ZIP),
            422, "invalid")
    small = dataclasses.replace(svc.settings, max_body_bytes=2000)
    with TestClient(create_app(small)) as client:
        big = client.post("/api/v1/campaigns/import", content=campaign_zip(), headers={**ZIP, **svc.headers("admin")})
    problem(big, 413, "too-large")
    assert svc.call("GET", "/campaigns", "admin", 200).json() == []


def _link(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


UNSAFE = {
    "a path going up": raw_zip(("first-zip/campaign.toml", CAMPAIGN_TOML.encode()), ("first-zip/../../evil.txt", b"x")),
    "an absolute path": raw_zip(("/tmp/evil.txt", b"x"), ("campaign.toml", CAMPAIGN_TOML.encode())),
    "a drive": raw_zip(("C:/evil.txt", b"x"), ("campaign.toml", CAMPAIGN_TOML.encode())),
    "a backslash": raw_zip(("first-zip\\..\\evil.txt", b"x"), ("campaign.toml", CAMPAIGN_TOML.encode())),
    "a symbolic link": campaign_zip() and raw_zip((_link("first-zip/criteria.toml"), b"/etc/passwd"),
                                                  ("first-zip/campaign.toml", CAMPAIGN_TOML.encode())),
    "the same name twice": raw_zip(("campaign.toml", CAMPAIGN_TOML.encode()), ("Campaign.TOML", b"x")),
    "a zip bomb": raw_zip(("campaign.toml", CAMPAIGN_TOML.encode()), ("data/zeros.csv", b"0" * 30_000_000)),
    "a set outside": campaign_zip(campaign=CAMPAIGN_TOML.replace('"criteria.toml"', '"../../../../etc/passwd"')),
    "an absolute set": campaign_zip(campaign=CAMPAIGN_TOML.replace('"criteria.toml"', f'"{FIRST / "criteria.toml"}"')),
    "data outside": campaign_zip(campaign=CAMPAIGN_TOML + '[campaign.data]\nx = "/etc/hostname"\n'),
    "submissions outside": campaign_zip(campaign=CAMPAIGN_TOML.replace('["submissions"]', f'["{FIRST}/submissions"]')),
    "no campaign file": raw_zip(("readme.txt", b"x")),
}


@pytest.mark.parametrize("kind", sorted(UNSAFE))
def test_an_unsafe_upload_is_refused_and_leaves_nothing(service: Service, kind: str) -> None:
    svc = service
    refused = problem(svc.call("POST", "/campaigns/import", "admin", content=UNSAFE[kind], headers=ZIP), 422, "invalid")
    assert refused["problems"], refused
    server = str(svc.settings.data_dir.resolve())  # a problem never shows where the server unpacked it
    assert all(server not in str(p) and "upload-" not in str(p) for p in refused["problems"]), refused
    assert svc.call("GET", "/campaigns", "admin", 200).json() == []
    assert _leftovers(svc) == []
    assert not (svc.settings.cache_dir.parent / "evil.txt").exists()

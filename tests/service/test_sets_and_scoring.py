"""Criteria sets (upload, validate, the official table, diff) and stateless scoring, against the
library and the CLI on the same input."""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import parrules
from parrules.cli.main import main as parrules_main
from tests.service.conftest import ROOT, Service
from tests.service.helpers import FIRST_SET, problem, upload_set

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

SUBMISSIONS = sorted((ROOT / "examples" / "first-set" / "submissions").glob("*.toml"))
TOML = {"Content-Type": "application/toml"}


def cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    capsys.readouterr()
    assert parrules_main(args) == 0
    return capsys.readouterr().out


def as_json_submission(path: Path) -> bytes:
    """A TOML submission in the JSON form a web app sends (dates as ISO text, numbers exact)."""
    return parrules.to_json(tomllib.loads(path.read_text("utf-8"), parse_float=Decimal))


def test_stateless_scoring_is_the_library_byte_for_byte(service: Service, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    sha = upload_set(service)
    posted = [json.loads(as_json_submission(p), parse_float=Decimal) for p in SUBMISSIONS]
    served = service.call("POST", f"/criteria-sets/{sha}/score", "admin", 200, json={"submissions": posted})
    assert served.headers["content-type"] == "application/json"

    criteria = parrules.load_criteria_set(FIRST_SET)
    subs = [parrules.submission_from_dict(doc, base_dir=tmp_path, source=f"submissions[{i}]")
            for i, doc in enumerate(posted)]
    assert served.content == parrules.to_json(parrules.score_many(criteria, subs).to_dict(), indent=False)

    # and the CLI on the same submissions as JSON files gives the same figures; only the files'
    # provenance (their path and hash) is the CLI's own
    files = []
    for path in SUBMISSIONS:
        target = tmp_path / f"{path.stem}.json"
        target.write_bytes(as_json_submission(path))
        files.append(str(target))
    scored = json.loads(cli(["score", str(FIRST_SET), *files, "--format", "json"], capsys), parse_float=Decimal)
    ours = json.loads(served.content, parse_float=Decimal)
    for unit in (*scored["units"], *ours["units"]):
        unit["provenance"]["inputs"] = []
    assert ours == scored
    assert [u["total_points"] for u in ours["units"]] == [Decimal("16.75"), Decimal("12.64")]


def test_a_bad_submission_gets_the_library_problems(service: Service) -> None:
    sha = upload_set(service)
    posted = {"unit": {"code": "X", "name": "X"}, "self_assessment": {"1.2": 5, "9.9": 1}}
    body = problem(service.call("POST", f"/criteria-sets/{sha}/score", "admin", json={"submissions": [posted]}),
                   422, "invalid")
    assert {(p["file"], p["path"]) for p in body["problems"]} == {("submissions[0]", 'self_assessment."1.2"'),
                                                                  ("submissions[0]", 'self_assessment."9.9"')}
    problem(service.call("POST", f"/criteria-sets/{'0' * 64}/score", "admin", json={"submissions": [posted]}),
            404, "not-found")


def test_a_set_with_problems_is_refused_with_file_key_and_line(service: Service) -> None:
    text = FIRST_SET.read_text("utf-8").replace('max_points = 2\nrule = "choice"', 'max_points = 3\nrule = "choice"')
    refused = problem(service.call("POST", "/criteria-sets/validate", "admin", content=text.encode(), headers=TOML),
                      422, "invalid")
    with pytest.raises(parrules.ProblemsError) as library:
        parrules.criteria_set_from_text(text, name="criteria-set.toml")
    assert refused["problems"] == [p.to_dict() for p in library.value.problems]
    assert any(p["line"] and p["path"].startswith('criteria."1') for p in refused["problems"])
    syntax = problem(service.call("POST", "/criteria-sets/validate", "admin", content=b"[set\nid = 1", headers=TOML),
                     422, "invalid")
    assert syntax["problems"][0]["line"] == 1 and syntax["problems"][0]["code"] == "syntax"
    extends = problem(service.call("POST", "/criteria-sets", "admin", content=b'extends = "/etc/passwd"\n',
                                   headers=TOML), 422, "invalid")
    assert extends["problems"][0]["code"] == "extends_refused"
    problem(service.call("POST", "/criteria-sets/validate", "admin", content=b"x", headers={"Content-Type": "image/png"}),
            415, "unsupported-media-type")
    problem(service.call("POST", "/criteria-sets/validate", "admin", content=b"#" * (2 * 1024 * 1024 + 1),
                         headers=TOML), 413, "too-large")
    valid = service.call("POST", "/criteria-sets/validate", "admin", 200, content=FIRST_SET.read_bytes(), headers=TOML)
    assert valid.json()["valid"] is True and valid.json()["leaves"] == 9
    assert service.call("GET", "/criteria-sets", "admin", 200).json() == []  # validating keeps nothing


def test_sets_are_kept_once_read_as_the_official_table_and_diffed(service: Service, tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    service.account("someone")
    problem(service.call("POST", "/criteria-sets", "someone", content=FIRST_SET.read_bytes(), headers=TOML),
            403, "forbidden")
    sha = upload_set(service)
    assert service.call("POST", "/criteria-sets", "admin", 200, content=FIRST_SET.read_bytes(),
                        headers=TOML).json()["sha256"] == sha  # the same content: the same set, kept once
    assert service.call("GET", f"/criteria-sets/{sha}/toml", "someone", 200).content == FIRST_SET.read_bytes()
    table = service.call("GET", f"/criteria-sets/{sha}/table", "someone", 200)
    assert table.text == cli(["doc", str(FIRST_SET)], capsys)
    html = service.call("GET", f"/criteria-sets/{sha}/table", "someone", 200, params={"format": "html"}).text
    assert html == cli(["doc", str(FIRST_SET), "--format", "html"], capsys)

    revised = FIRST_SET.read_text("utf-8").replace('id = "first-set"', 'id = "first-set-2025"').replace(
        'name = "Mức độ hoàn thành kế hoạch CCHC"', 'name = "Mức độ hoàn thành kế hoạch CCHC năm"').replace(
        'name = "Bộ tiêu chí mẫu', 'name = "<script>alert(1)</script> Bộ tiêu chí mẫu')
    (tmp_path / "revised.toml").write_text(revised, "utf-8")
    new = upload_set(service, text=revised.encode())
    diffed = service.call("GET", f"/criteria-sets/{sha}/diff/{new}", "someone", 200)
    assert diffed.content.decode() == cli(["diff", str(FIRST_SET), str(tmp_path / "revised.toml"), "--format", "json"],
                                          capsys)
    assert json.loads(diffed.content)["renamed"]
    page = service.call("GET", f"/criteria-sets/{new}/table", "someone", 200, params={"format": "html"}).text
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    listed: list[dict[str, Any]] = service.call("GET", "/criteria-sets", "someone", 200).json()
    assert [s["id"] for s in listed] == ["first-set", "first-set-2025"]

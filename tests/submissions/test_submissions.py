"""Submissions in TOML and JSON give the same results; library users can build one from a mapping."""

import json
from decimal import Decimal as D

import pytest

import parrules

from ..conftest import ROOT


@pytest.fixture(autouse=True)
def _english():
    """These tests read the English texts of problems (a Vietnamese run is pinned in
    tests/sets/test_problem_language.py): the library speaks the voice active when a problem is made."""
    with parrules.speaking(language="en"):
        yield


EXAMPLE = ROOT / "examples" / "first-set"


def test_json_submission_scores_like_the_toml_one(tmp_path, registry):
    criteria = parrules.load_criteria_set(EXAMPLE / "criteria.toml", registry)
    toml_sub = parrules.load_submission(EXAMPLE / "submissions" / "so-tu-phap.toml")
    payload = {
        "unit": {"code": "STP", "name": "Sở Tư pháp", "kind": "department", "period": "2024"},
        "self_assessment": {k: str(v) for k, v in toml_sub.self_assessment.items()},
        "answers": {"1.2": "Từ 80% đến dưới 100%", "1.3": 0, "2.1": 100, "2.2": 61.0, "2.3": "na",
                    "3": {"Rất hài lòng": 80, "Hài lòng": 90, "Bình thường": 20, "Không hài lòng": 10}},
        "documents": [{"number": "05/KH-STP", "date": "2024-02-20", "kind": "Kế hoạch", "criteria": ["1.1"]}],
        "appraisals": [{"code": "1.4", "round": 1, "points": 0.5, "by": "Hội đồng thẩm định tỉnh"}],
    }
    path = tmp_path / "stp.json"
    path.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    from_json = parrules.score(criteria, parrules.load_submission(path))
    from_toml = parrules.score(criteria, toml_sub)
    assert from_json.total_points == from_toml.total_points == D("12.64")
    assert [leaf.final_points for leaf in from_json.leaves] == [leaf.final_points for leaf in from_toml.leaves]


def test_submission_from_a_mapping(registry):
    criteria = parrules.load_criteria_set(EXAMPLE / "criteria.toml", registry)
    sub = parrules.submission_from_dict({"unit": {"code": "X", "name": "Sở X"}, "answers": {"2.1": "99.5"}})
    assert parrules.score(criteria, sub).leaf("2.1").final_points == D(2)


def test_json_syntax_error_names_the_line(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{\n  "unit": {"code": "X",\n}\n', encoding="utf-8")
    try:
        parrules.load_submission(path)
    except parrules.ProblemsError as exc:
        (problem,) = exc.problems
        assert problem.line == 3 and problem.message.startswith("JSON syntax error")
    else:
        raise AssertionError("a syntax error must be reported")

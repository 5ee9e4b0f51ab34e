"""Nothing a clerk wrote is dropped without a word: a round given twice, evidence for no criterion."""

from __future__ import annotations

from pathlib import Path

import pytest

import parrules
from parrules.testing import build_set


@pytest.fixture(autouse=True)
def _english():
    """These tests read the English texts of problems (a Vietnamese run is pinned in
    tests/sets/test_problem_language.py): the library speaks the voice active when a problem is made."""
    with parrules.speaking(language="en"):
        yield


HEAD = '[unit]\ncode = "U1"\nname = "U1"\nkind = "department"\nperiod = 2024\n\n[self_assessment]\n"1" = 1\n'


@pytest.fixture
def criteria() -> parrules.CriteriaSet:
    return build_set({"1": {"name": "Một", "max_points": 2, "rule": "manual"}},
                     registry=parrules.Registry(entry_points=False))


def _problems(tmp_path: Path, criteria: parrules.CriteriaSet, text: str) -> list[parrules.Problem]:
    path = tmp_path / "u.toml"
    path.write_text(HEAD + text, encoding="utf-8")
    with pytest.raises(parrules.ProblemsError) as caught:
        parrules.score_many(criteria, [parrules.load_submission(path)], language="en")
    return caught.value.problems


def test_two_appraisals_of_one_round_are_refused(tmp_path: Path, criteria: parrules.CriteriaSet) -> None:
    (problem,) = _problems(tmp_path, criteria, '[[appraisals]]\ncode = "1"\nround = 1\npoints = 2\nreason = "a"\n'
                                               '[[appraisals]]\ncode = "1"\nround = 1\npoints = 0\nreason = "b"\n')
    assert "round 1 twice" in problem.message and problem.path == "appraisals"


def test_evidence_attached_to_no_criterion_is_refused(tmp_path: Path, criteria: parrules.CriteriaSet) -> None:
    (problem,) = _problems(tmp_path, criteria, '[[documents]]\nnumber = "12/KH"\ntitle = "Kế hoạch"\n'
                                               'criteria = ["9.9"]\n')
    assert "attached to '9.9'" in problem.message and problem.path == "documents[0].criteria"

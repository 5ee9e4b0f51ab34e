"""A JSON submission says what TOML would: a key given twice, or a non-number, is a problem, not lost."""

from __future__ import annotations

from pathlib import Path

import pytest

import parrules


@pytest.fixture(autouse=True)
def _english():
    """These tests read the English texts of problems (a Vietnamese run is pinned in
    tests/sets/test_problem_language.py): the library speaks the voice active when a problem is made."""
    with parrules.speaking(language="en"):
        yield



@pytest.mark.parametrize("body, said", [
    ('{"unit": {"code": "A", "name": "A", "kind": "department", "period": 2024},'
     ' "answers": {"1": 80, "1": 95}}', "key '1' is given twice"),
    ('{"unit": {"code": "A", "name": "A", "kind": "department", "period": 2024}, "answers": {"1": NaN}}',
     "NaN is not a JSON number"),
    ('{"unit": {"code": "A", "name": "A", "kind": "department", "period": 2024}, "answers": {"1": Infinity}}',
     "Infinity is not a JSON number"),
])
def test_json_that_would_lose_or_game_a_figure_is_refused(tmp_path: Path, body: str, said: str) -> None:
    path = tmp_path / "a.json"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(parrules.ProblemsError) as caught:
        parrules.load_submission(path)
    (problem,) = caught.value.problems
    assert said in problem.message and problem.file == str(path)

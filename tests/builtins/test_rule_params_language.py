"""A set's rule parameters that the built-in validators refuse are said in the run's language, and
each problem still points at the parameter it is about (the loader reads the key from the start of
the message), in Vietnamese as in English."""

from __future__ import annotations

import pytest

import parrules

HEAD = """[set]
id = "t"
name = "Bộ tiêu chí thử"
level = "department"
total_points = 4

[criteria."1"]
name = "A"
max_points = 4
"""

# rule parameters, the key path the problem names, a phrase in Vietnamese, the same in English
CASES = {
    "cap": ('rule = "proportional"\ncap = 0.0001\nfloor = 5', 'criteria."1".floor',
            "floor 5 phải nhỏ hơn cap 0.0001", "floor 5 must be below cap 0.0001"),
    "deduction": ('rule = "deduction"\nper_occurrence = 5', 'criteria."1".per_occurrence',
                  "per_occurrence 5 lớn hơn điểm tối đa 4", "per_occurrence 5 is more than the maximum 4"),
    "band worth": ('rule = "bands"\nbands = [{ from = 90, points = 5 }, { below = 90, points = 0 }]',
                   'criteria."1".bands[0]', "bands[0] đáng 5 điểm", "bands[0] is worth 5 points"),
    "band gap": ('rule = "bands"\nbands = [{ from = 95, points = 4 }, { below = 90, points = 0 }]',
                 'criteria."1".bands', "bands bỏ trống từ 90 đến dưới 95", "bands leave 90 to below 95 uncovered"),
}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_refused_parameter_is_said_in_the_runs_language(case: str, language: str) -> None:
    params, path, vietnamese, english = CASES[case]
    with parrules.speaking(language=language), pytest.raises(parrules.ProblemsError) as caught:
        parrules.criteria_set_from_text(HEAD + params + "\n", parrules.Registry(entry_points=False))
    [problem] = caught.value.problems
    assert problem.path == path
    said, other = (vietnamese, english) if language == "vi" else (english, vietnamese)
    assert said in problem.message and other not in problem.message, problem.message

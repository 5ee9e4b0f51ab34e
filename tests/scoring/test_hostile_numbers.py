"""A number that is not a PAR figure — infinite, NaN, absurdly large or fine — never earns points."""

from __future__ import annotations

import types
from decimal import Decimal

import pytest

import parrules
from parrules import Measurement, hookimpl
from parrules.testing import build_set, build_submission, registry_with

RATE = {"1": {"name": "Tỷ lệ", "max_points": 2, "rule": "proportional"}}


@pytest.mark.parametrize("answer", ["Infinity", "inf", "-Infinity", "NaN", "1e400", "1E-50", "9" * 40])
def test_a_text_answer_that_is_no_figure_errors_instead_of_scoring(answer: str) -> None:
    criteria = build_set(RATE, registry=parrules.Registry(entry_points=False))
    run = parrules.score_many(criteria, [build_submission("U1", answers={"1": answer}),
                                         build_submission("U2", answers={"1": "50"})])
    bad, good = run.unit("U1"), run.unit("U2")
    assert bad.leaf("1").status == "error" and bad.leaf("1").final_points is None
    assert bad.incomplete and not run.complete
    assert good.leaf("1").final_points == Decimal("1.00")  # the other unit is scored as ever


def test_a_plugin_metric_of_infinity_errors_instead_of_full_points() -> None:
    module = types.ModuleType("inf_metric")

    def measure(units, params):
        return {u.code: Measurement({"rate": float("inf")}, {"rate": "∞ %"}) for u in units}

    @hookimpl
    def register_checks(register):
        register("demo.inf", measure, description="an infinite rate", metrics={"rate": "rate"})

    module.register_checks = register_checks  # type: ignore[attr-defined]
    criteria = build_set({"1": {"name": "Tỷ lệ", "max_points": 2, "rule": "proportional", "check": "demo.inf",
                                "metric": "rate"}}, registry=registry_with(module))
    leaf = parrules.score_many(criteria, [build_submission("U1")]).unit("U1").leaf("1")
    assert leaf.status == "error" and "không phải là số hữu hạn" in leaf.error and leaf.final_points is None


def test_to_decimal_keeps_the_bounds_of_a_figure() -> None:
    assert parrules.to_decimal("83,55") == Decimal("83.55")
    assert parrules.to_decimal(10**15) == Decimal(10**15)
    for bad in ("Infinity", float("nan"), 10**16, "1e-25", Decimal("sNaN")):
        with pytest.raises(ValueError):
            parrules.to_decimal(bad)


def _write(tmp_path, answer: str):
    path = tmp_path / "u.toml"
    path.write_text(f'[unit]\ncode = "U1"\nname = "U1"\nkind = "department"\nperiod = 2024\n\n'
                    f'[answers]\n"1" = {answer}\n', encoding="utf-8")
    return path


@pytest.mark.parametrize("answer", ["1e99999999", "nan", "inf"])
def test_validate_refuses_a_number_no_figure_can_be_with_its_place(tmp_path, answer: str) -> None:
    from parrules.submissions.submission import figure_problems, validate_submission

    criteria = build_set(RATE, registry=parrules.Registry(entry_points=False))
    sub = parrules.load_submission(_write(tmp_path, answer))
    with parrules.speaking(language="en"):  # the English text is read below
        (problem,) = [*validate_submission(criteria, sub), *figure_problems(criteria, sub)]
    assert problem.path == 'answers."1"' and problem.line == 8
    assert "not a number a criterion can be scored on" in problem.message and len(str(problem)) < 400


@pytest.mark.parametrize("answer", ["nan", "inf"])
def test_scoring_refuses_nan_and_infinity_with_their_place(tmp_path, answer: str) -> None:
    criteria = build_set(RATE, registry=parrules.Registry(entry_points=False))
    with pytest.raises(parrules.ProblemsError) as caught:
        parrules.score_many(criteria, [parrules.load_submission(_write(tmp_path, answer))], language="en")
    (problem,) = caught.value.problems
    assert problem.path == 'answers."1"' and "not a number a criterion can be scored on" in problem.message


def test_a_figure_out_of_bounds_errors_alike_in_every_unit_whatever_the_others_answer(tmp_path) -> None:
    """Whether a unit is refused must not depend on what other units answered, nor on its appraisals."""
    criteria = build_set(RATE, registry=parrules.Registry(entry_points=False))
    for other in ("50", 50, "50.0"):
        subs = [build_submission("A", answers={"1": Decimal("1E+20")}),
                build_submission("B", answers={"1": other if isinstance(other, int) else Decimal(other)}),
                build_submission("C", answers={"1": Decimal("1E+20")},  # an appraisal: checked in full
                                 appraisals=[{"code": "1", "round": 1, "points": 1, "reason": "x"}])]
        run = parrules.score_many(criteria, subs)
        assert run.unit("A").leaf("1").status == "error"
        assert run.unit("C").leaf("1").final_stage == "appraisal"  # scored by its appraisal, not refused
        assert run.unit("B").leaf("1").final_points == Decimal("1.00")


def test_nan_inside_a_table_errors_its_criterion_and_validate_says_so(tmp_path) -> None:
    from parrules.submissions.submission import figure_problems

    criteria = build_set({"1": {"name": "Khảo sát", "max_points": 2, "rule": "survey", "weights": {"A": 100, "B": 0}}},
                         registry=parrules.Registry(entry_points=False))
    sub = parrules.load_submission(_write(tmp_path, "{ A = nan, B = 1 }"))
    leaf = parrules.score_many(criteria, [sub]).unit("U1").leaf("1")
    assert leaf.status == "error" and leaf.final_points is None
    (problem,) = figure_problems(criteria, sub)
    assert problem.path == 'answers."1"'


def test_an_absurd_magnitude_errors_its_criterion_and_stays_short_in_the_json(tmp_path) -> None:
    """An 11-character number used to become a 200 MB JSON when the declared answer was written."""
    criteria = build_set(RATE, registry=parrules.Registry(entry_points=False))
    run = parrules.score_many(criteria, [parrules.load_submission(_write(tmp_path, "1e99999999"))])
    leaf = run.unit("U1").leaf("1")
    assert leaf.status == "error" and not run.complete
    assert len(parrules.to_json(run.to_dict())) < 10_000

"""The pytest plugin parrules ships for plugin authors (`pytest11` entry point → parrules.testing)."""

from __future__ import annotations

from decimal import Decimal

import pytest

import parrules
from parrules.testing import (
    assert_explains,
    assert_points,
    assert_problem,
    assert_status,
    assert_total,
    build_set,
    build_submission,
    registry_with,
)

pytest_plugins = ["pytester"]

AUTHOR_PLUGIN = '''
from decimal import Decimal
from parrules import Measurement, Scored, hookimpl

def evaluate(units, params):
    return {u.code: Measurement({"doubled": Decimal(u.figures["n"]) * 2}, {"doubled": "n × 2"}) for u in units}

def half(leaf, values):
    return [Scored(leaf.max_points / 2, "half") for _ in values]

@hookimpl
def register_checks(register):
    register("myplug.doubled", evaluate, description="n doubled", metrics={"doubled": "n × 2"})

@hookimpl
def register_rule_kinds(register):
    register("myplug_half", half, description="always half")
'''

AUTHOR_TESTS = '''
from parrules.testing import assert_points, assert_total, assert_explains

def test_only_my_plugin(parrules_registry):
    assert set(parrules_registry.checks) == {"document.deadline", "myplug.doubled"}
    assert "myplug_half" in parrules_registry.rule_kinds
    names = {p.name for p in parrules_registry.plugins()}
    assert names == {"parrules.builtin_rules", "parrules.builtin_checks", "parrules.builtin_reports",
                     "parrules.builtin_commands", "myplug"}

def test_score(parrules_set, parrules_submission, parrules_score):
    criteria = parrules_set({
        "1": {"name": "Một", "max_points": 4, "rule": "proportional", "check": "myplug.doubled"},
        "2": {"name": "Hai", "max_points": 2, "rule": "myplug_half"},
    })
    assert criteria.meta.total_points == 6
    result = parrules_score(criteria, parrules_submission("U1", figures={"n": 25}, answers={"2": 1}))
    assert_points(result, "1", 2)
    assert_explains(result, "1", "n × 2")
    assert_points(result, "2", 1)
    assert_total(result, 3)

def test_engine(parrules_engine, parrules_set, parrules_submission):
    criteria = parrules_set({"1": {"name": "Một", "max_points": 2, "rule": "myplug_half"}})
    run = parrules_engine.score_many(criteria, [parrules_submission("U1", answers={"1": 3})])
    assert run.unit("U1").leaf("1").final_points == 1  # the set's own rule kind, from parrules_registry

def test_failing_assertion_shows_explanation(parrules_set, parrules_submission, parrules_score):
    criteria = parrules_set({"1": {"name": "Một", "max_points": 4, "rule": "proportional",
                                   "check": "myplug.doubled"}})
    result = parrules_score(criteria, parrules_submission("U1", figures={"n": 25}))
    assert_points(result, "1", 3)
'''


def test_author_suite_runs_with_the_fixtures(pytester):
    pytester.makepyfile(myplug=AUTHOR_PLUGIN, test_author=AUTHOR_TESTS)
    pytester.makeini("[pytest]\nparrules_plugins = myplug\n")
    pytester.syspathinsert()
    result = pytester.runpytest()
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(["*criterion 1: 2.00 points, expected 3 (status partial; n × 2*"])


def test_without_the_ini_option_only_builtins_are_registered(pytester):
    pytester.makepyfile(test_bare="""
        def test_bare(parrules_registry):
            assert {p.name for p in parrules_registry.plugins()} == {
                "parrules.builtin_rules", "parrules.builtin_checks", "parrules.builtin_reports",
                "parrules.builtin_commands"}
    """)
    pytester.runpytest().assert_outcomes(passed=1)


def test_entry_point_is_declared():
    from importlib import metadata

    found = [ep for ep in metadata.entry_points(group="pytest11") if ep.value == "parrules.testing"]
    assert [ep.name for ep in found] == ["parrules"]


# -- the helpers used directly -------------------------------------------------------------------
CRITERIA = {
    "1": {"name": "Kế hoạch", "max_points": 2, "rule": "yes_no"},
    "2": {"name": "Đúng hạn", "max_points": 3, "rule": "bands",
          "bands": [{"from": 90, "points": 3}, {"below": 90, "points": 1}]},
    "T": {"name": "Thưởng", "max_points": 1, "role": "bonus"},
    "T.1": {"name": "Khen thưởng", "max_points": 1, "rule": "bonus"},
}


def test_build_set_totals_the_base_fields_only():
    criteria = build_set(CRITERIA, registry=registry_with())
    assert criteria.meta.total_points == Decimal(5)
    assert build_set(CRITERIA, registry=registry_with(), id="x", year=2025).meta.year == 2025


def test_builders_and_assertions():
    criteria = build_set(CRITERIA)
    sub = build_submission("U9", answers={"1": True, "2": 92.5, "T.1": 0.5})
    result = parrules.score(criteria, sub)
    assert_points(result, "2", 3)
    assert_points(result, "2", "3.00")
    assert_status(result, "1", "full")
    assert_total(result, "5.5")
    assert_explains(result, "2", "92,5 %", "mức ≥ 90 %")
    with pytest.raises(AssertionError, match=r"criterion 2: 3.00 points, expected 1 .*mức"):
        assert_points(result, "2", 1)
    with pytest.raises(AssertionError, match="total 5.50, expected 5"):
        assert_total(result, 5)
    with pytest.raises(AssertionError, match="lacks"):
        assert_explains(result, "1", "no such words")
    with pytest.raises(AssertionError, match="status full, expected error"):
        assert_status(result, "1", "error")


def test_assert_problem():
    with pytest.raises(parrules.ProblemsError) as caught, parrules.speaking(language="en"):
        build_set({"1": {"name": "Một", "max_point": 2, "rule": "yes_no"}}, registry=registry_with(),
                  total_points=2)
    assert_problem(caught, path='criteria."1".max_point', contains="did you mean 'max_points'")
    with pytest.raises(AssertionError, match="no problem at 'criteria.x'"):
        assert_problem(caught, path="criteria.x")

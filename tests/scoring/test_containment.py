"""A plugin that raises anything — sys.exit included — errors its criterion; the run goes on."""

from __future__ import annotations

import sys
import types
from decimal import Decimal

import pytest

import parrules
from parrules import Measurement, hookimpl
from parrules.testing import build_set, build_submission, registry_with


def _plugin() -> types.ModuleType:
    module = types.ModuleType("exiting_plugin")

    def exits(units, params):
        sys.exit(3)

    def interrupted(units, params):
        raise KeyboardInterrupt

    def fine(units, params):
        return {u.code: Measurement({"n": Decimal(1)}, {"n": "one"}) for u in units}

    def exiting_rule(leaf, values):
        raise SystemExit("rule gave up")

    @hookimpl
    def register_checks(register):
        register("demo.exits", exits, description="calls sys.exit", metrics={"n": "n"})
        register("demo.interrupted", interrupted, description="as if Ctrl-C", metrics={"n": "n"})
        register("demo.fine", fine, description="works", metrics={"n": "n"})

    @hookimpl
    def register_rule_kinds(register):
        register("demo_exit", exiting_rule, description="calls sys.exit")

    module.register_checks = register_checks  # type: ignore[attr-defined]
    module.register_rule_kinds = register_rule_kinds  # type: ignore[attr-defined]
    return module


@pytest.fixture
def registry() -> parrules.Registry:
    return registry_with(_plugin())


def test_a_check_calling_sys_exit_errors_its_criterion_only(registry: parrules.Registry) -> None:
    criteria = build_set({
        "1": {"name": "Thoát", "max_points": 1, "rule": "proportional", "check": "demo.exits", "metric": "n"},
        "2": {"name": "Tốt", "max_points": 1, "rule": "proportional", "check": "demo.fine", "metric": "n"},
        "3": {"name": "Luật", "max_points": 1, "rule": "demo_exit"},
    }, registry=registry)
    run = parrules.score_many(criteria, [build_submission("U1", answers={"3": 1})])
    unit = run.unit("U1")
    assert unit.leaf("1").status == "error" and "SystemExit" in unit.leaf("1").error
    assert unit.leaf("2").status != "error"
    assert unit.leaf("3").status == "error" and "rule gave up" in unit.leaf("3").error
    assert [leaf.code for leaf in unit.incomplete] == ["1", "3"] and not run.complete


def test_ctrl_c_in_a_check_still_stops_the_run(registry: parrules.Registry) -> None:
    criteria = build_set({"1": {"name": "Dừng", "max_points": 1, "rule": "proportional",
                                "check": "demo.interrupted", "metric": "n"}}, registry=registry)
    with pytest.raises(KeyboardInterrupt):
        parrules.score_many(criteria, [build_submission("U1")])


def test_a_unit_is_found_by_the_nfd_spelling_of_its_code() -> None:
    import unicodedata

    criteria = build_set({"1": {"name": "Một", "max_points": 1, "rule": "yes_no"}},
                         registry=parrules.Registry(entry_points=False))
    run = parrules.score_many(criteria, [build_submission("ĐẮK-MIL", answers={"1": True})])
    nfd = unicodedata.normalize("NFD", "ĐẮK-MIL")
    assert nfd != "ĐẮK-MIL" and run.unit(nfd).unit.code == "ĐẮK-MIL"
    assert run.unit(nfd).leaf("1").final_points == 1

"""Plugins: registered for one test, validated as they register, failing safely."""

from decimal import Decimal as D
from importlib import metadata

import pytest

import parrules
from parrules import hookimpl
from parrules.cli.main import main

SET = """
[criteria."1"]
name = "Số hóa hồ sơ"
max_points = 2
rule = "proportional"
check = "local.digitised"
metric = "share"
"""


class DigitisedCheck:
    """A province's check: share of dossiers digitised at reception, from a declared figure."""

    def __init__(self, fail_for: str | None = None, explode: bool = False) -> None:
        self.fail_for = fail_for
        self.explode = explode
        self.calls = 0

    def evaluate(self, units, params):
        self.calls += 1
        if self.explode:
            raise RuntimeError("database is down")
        out = {}
        for unit in units:
            if unit.code == self.fail_for:
                out[unit.code] = ValueError("export has no column 'Số hóa'")
            else:
                share = unit.figures["digitised"]
                out[unit.code] = parrules.Measurement({"share": share}, {"share": f"{share} % digitised"})
        return out

    @hookimpl
    def register_checks(self, register):
        register("local.digitised", self.evaluate, description="Share digitised at reception",
                 metrics={"share": "percent"}, params_schema={"type": "object", "additionalProperties": False})


def test_plugin_registered_for_one_test(registry, make_set, make_sub):
    plugin = DigitisedCheck()
    registry.add_plugin(plugin, name="local")
    criteria = make_set(SET, total="2")
    subs = [make_sub('[figures]\ndigitised = 50\n', code="A"), make_sub('[figures]\ndigitised = 100\n', code="B")]
    run = parrules.score_many(criteria, subs, registry=registry)
    assert [u.leaf("1").final_points for u in run.units] == [D(1), D(2)]
    assert run.unit("A").leaf("1").explanation == "50 % digitised → 50 % × 2 → 1 of 2"
    assert plugin.calls == 1                               # one call for all units
    assert ("local", "test") in run.unit("A").provenance.plugins
    registry.remove_plugin("local")
    assert "local.digitised" not in registry.checks


def test_check_failing_for_one_unit_marks_that_leaf_error_and_the_run_goes_on(registry, make_set, make_sub):
    registry.add_plugin(DigitisedCheck(fail_for="A"), name="local")
    criteria = make_set(SET, total="2")
    subs = [make_sub('[figures]\ndigitised = 50\n', code="A"), make_sub('[figures]\ndigitised = 80\n', code="B")]
    run = parrules.score_many(criteria, subs, registry=registry)
    a, b = run.unit("A").leaf("1"), run.unit("B").leaf("1")
    assert a.status == "error" and "export has no column 'Số hóa'" in a.error
    assert (b.status, b.final_points) == ("partial", D("1.60"))


def test_check_that_raises_errors_every_unit_but_self_assessment_is_not_taken_silently(registry, make_set, make_sub):
    registry.add_plugin(DigitisedCheck(explode=True), name="local")
    criteria = make_set(SET, total="2")
    run = parrules.score_many(criteria, [make_sub('[self_assessment]\n"1" = 2\n')], registry=registry)
    leaf = run.units[0].leaf("1")
    assert leaf.status == "error" and "database is down" in leaf.error
    assert leaf.final_points is None and run.units[0].total_points == D(0)


def test_appraisal_still_settles_a_leaf_whose_check_failed(registry, make_set, make_sub):
    registry.add_plugin(DigitisedCheck(explode=True), name="local")
    criteria = make_set(SET, total="2")
    sub = make_sub('[[appraisals]]\ncode = "1"\npoints = 1.5\nreason = "kiểm tra trực tiếp"\n')
    leaf = parrules.score(criteria, sub, registry=registry).leaf("1")
    assert (leaf.status, leaf.final_points) == ("partial", D("1.5"))
    assert [f.kind for f in leaf.flags] == ["error"]


class BrokenRule:
    @hookimpl
    def register_rule_kinds(self, register):
        register("local.rule", lambda leaf, values: [], description="x",
                 params_schema={"type": "object", "properties": {"n": {"type": "nonsense"}}})


class NoDescription:
    @hookimpl
    def register_rule_kinds(self, register):
        register("local.rule", lambda leaf, values: [])


@pytest.mark.parametrize(("plugin", "message"), [
    (NoDescription(), "needs a description"),
    (BrokenRule(), "params_schema is not a valid JSON Schema"),
])
def test_invalid_registration_is_reported_and_the_plugin_skipped(plugin, message):
    reg = parrules.Registry(entry_points=False)
    reg.add_plugin(plugin, name="bad")
    assert "local.rule" not in reg.rule_kinds
    assert [f.name for f in reg.failures] == ["bad"]
    assert message in reg.failures[0].error
    assert "yes_no" in reg.rule_kinds                      # the built-ins are untouched


class Misspelled:
    @hookimpl
    def register_chekcs(self, register):  # a typo in the hook name
        pass


def test_misspelled_hook_is_an_error():
    with pytest.raises(parrules.PluginError, match="register_chekcs"):
        parrules.Registry(entry_points=False).add_plugin(Misspelled(), name="typo")


def _fake_entry_points(monkeypatch, *eps):
    def entry_points(group):
        assert group == "parrules"
        return list(eps)

    monkeypatch.setattr("parrules.plugins.registry.metadata.entry_points", entry_points)


def test_plugin_whose_import_fails_is_reported_and_skipped(monkeypatch, capsys):
    broken = metadata.EntryPoint(name="broken", value="parrules_no_such_module_xyz", group="parrules")
    good = metadata.EntryPoint(name="good", value="tests.sample_plugin", group="parrules")
    _fake_entry_points(monkeypatch, broken, good)
    reg = parrules.Registry()
    assert [f.name for f in reg.failures] == ["broken"]
    assert "No module named 'parrules_no_such_module_xyz'" in reg.failures[0].error
    assert "sample.double" in reg.rule_kinds
    monkeypatch.setattr("parrules.plugins.registry._default", None)
    assert main(["plugins"]) == 0
    captured = capsys.readouterr()
    assert "plugin broken was skipped" in captured.err and "sample.double" in captured.out


def test_environment_variable_limits_which_plugins_load(monkeypatch):
    good = metadata.EntryPoint(name="good", value="tests.sample_plugin", group="parrules")
    _fake_entry_points(monkeypatch, good)
    monkeypatch.setenv("PARRULES_PLUGINS", "")
    assert "sample.double" not in parrules.Registry().rule_kinds
    monkeypatch.setenv("PARRULES_PLUGINS", "other, good")
    assert "sample.double" in parrules.Registry().rule_kinds


def test_trace_prints_hook_calls(monkeypatch, capsys):
    monkeypatch.setenv("PARRULES_TRACE", "1")
    parrules.Registry(entry_points=False)
    assert "register_rule_kinds" in capsys.readouterr().err


def test_rule_returning_points_out_of_range_is_caught(registry, make_set, make_sub):
    registry.add_plugin(__import__("tests.sample_plugin", fromlist=["x"]), name="sample")
    criteria = make_set('[criteria."1"]\nname = "A"\nmax_points = 2\nrule = "sample.double"\n', total="2")
    leaf = parrules.score(criteria, make_sub('[answers]\n"1" = 1.5\n'), registry=registry).leaf("1")
    assert leaf.status == "error" and "gave 3 points, outside 0..2" in leaf.error
    ok = parrules.score(criteria, make_sub('[answers]\n"1" = 0.75\n'), registry=registry).leaf("1")
    assert ok.final_points == D("1.50")


def test_check_and_rule_trails_join_without_repeating_the_value(registry, make_set, make_sub):
    class Rate:
        @hookimpl
        def register_checks(self, register):
            register("local.rate", lambda units, params: {
                u.code: parrules.Measurement({"rate": D("87.5")}, {"rate": "7 of 8 dossiers on time → 87.5 %"})
                for u in units}, description="rate", metrics={"rate": "percent"})

    registry.add_plugin(Rate(), name="rate")
    criteria = make_set('[criteria."1"]\nname = "A"\nmax_points = 1\nrule = "bands"\ncheck = "local.rate"\n'
                        'bands = [ { from = 90, points = 1 }, { below = 90, points = 0 } ]\n', total="1")
    leaf = parrules.score(criteria, make_sub(), registry=registry).leaf("1")
    assert leaf.explanation == "7 of 8 dossiers on time → 87.5 % → band <90 % → 0 of 1"

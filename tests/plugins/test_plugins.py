"""Plugins: registered for one test, validated as they register, failing safely."""

import json
from decimal import Decimal as D
from importlib import metadata
from pathlib import Path

import pytest

import parrules
from parrules import hookimpl, reports
from parrules.cli.main import main

from ..conftest import ROOT

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
    run = parrules.score_many(criteria, subs)
    assert [u.leaf("1").final_points for u in run.units] == [D(1), D(2)]
    assert run.unit("A").leaf("1").explanation == "50 % digitised → 50 % × 2 → 1/2 điểm"
    assert plugin.calls == 1                               # one call for all units
    assert ("local", "test") in run.unit("A").provenance.plugins
    registry.remove_plugin("local")
    assert "local.digitised" not in registry.checks


def test_check_failing_for_one_unit_marks_that_leaf_error_and_the_run_goes_on(registry, make_set, make_sub):
    registry.add_plugin(DigitisedCheck(fail_for="A"), name="local")
    criteria = make_set(SET, total="2")
    subs = [make_sub('[figures]\ndigitised = 50\n', code="A"), make_sub('[figures]\ndigitised = 80\n', code="B")]
    run = parrules.score_many(criteria, subs)
    a, b = run.unit("A").leaf("1"), run.unit("B").leaf("1")
    assert a.status == "error" and "export has no column 'Số hóa'" in a.error
    assert (b.status, b.final_points) == ("partial", D("1.60"))


def test_check_that_raises_errors_every_unit_but_self_assessment_is_not_taken_silently(registry, make_set, make_sub):
    registry.add_plugin(DigitisedCheck(explode=True), name="local")
    criteria = make_set(SET, total="2")
    run = parrules.score_many(criteria, [make_sub('[self_assessment]\n"1" = 2\n')])
    leaf = run.units[0].leaf("1")
    assert leaf.status == "error" and "database is down" in leaf.error
    assert leaf.final_points is None and run.units[0].total_points == D(0)


def test_appraisal_still_settles_a_leaf_whose_check_failed(registry, make_set, make_sub):
    registry.add_plugin(DigitisedCheck(explode=True), name="local")
    criteria = make_set(SET, total="2")
    sub = make_sub('[[appraisals]]\ncode = "1"\npoints = 1.5\nreason = "kiểm tra trực tiếp"\n')
    leaf = parrules.score(criteria, sub).leaf("1")
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
    assert main(["plugins", "--lang", "en"]) == 0
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
    leaf = parrules.score(criteria, make_sub('[answers]\n"1" = 1.5\n')).leaf("1")
    assert leaf.status == "error" and "cho 3 điểm, ngoài khoảng 0–2" in leaf.error
    ok = parrules.score(criteria, make_sub('[answers]\n"1" = 0.75\n')).leaf("1")
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
    leaf = parrules.score(criteria, make_sub(), language="en").leaf("1")  # the plugin writes English
    assert leaf.explanation == "7 of 8 dossiers on time → 87.5 % → band <90 % → 0 of 1"


# -- report formats and commands from a province's own package ------------------------------------
FIRST_SET = ROOT / "examples" / "first-set"


class Portal:
    """A province's report format (unit codes and totals) and command (hello), registered like the built-ins."""

    def __init__(self, output: object = None, arguments: object = None) -> None:
        self.output = output
        self.arguments = arguments if arguments is not None else self.hello_arguments
        self.seen: list[bool] = []

    def codes(self, data, *, vietnamese=False):
        self.seen.append(vietnamese)
        if self.output is not None:
            return self.output
        return "".join(f"{u['unit']['code']} {u['total_points']}\n" for u in data["units"]).encode()

    @staticmethod
    def hello_arguments(parser):
        parser.add_argument("who")
        parser.add_argument("--code", type=int, default=0)

    @staticmethod
    def hello(args):
        print(f"xin chào {args.who}")
        return args.code

    @hookimpl
    def register_report_formats(self, register):
        register("local.codes", self.codes, suffix=".codes.txt", description="Unit codes and totals")

    @hookimpl
    def register_commands(self, register):
        register("local-hello", self.hello, help="greet someone", arguments=self.arguments)


def main_with(registry: parrules.Registry, monkeypatch: pytest.MonkeyPatch, argv: list[str]) -> int:
    """`parrules ARGV` with `registry` as the process-wide registry; argparse's exits become the code."""
    monkeypatch.setattr("parrules.plugins.registry._default", registry)
    try:
        return main(argv)
    except SystemExit as exc:
        return int(exc.code or 0)


def first_set_campaign(tmp_path: Path) -> Path:
    """A campaign file over examples/first-set (units SNV and STP)."""
    toml = tmp_path / "campaign.toml"
    toml.write_text(f'[campaign]\nid = "first"\nname = "Thử"\ncriteria_set = "{(FIRST_SET / "criteria.toml").as_posix()}"\n'
                    f'submissions = ["{(FIRST_SET / "submissions").as_posix()}"]\n', encoding="utf-8")
    return toml


def test_plugin_adds_a_report_format_to_render_campaign_and_report(tmp_path, monkeypatch, capsys):
    registry = parrules.Registry(entry_points=False)
    plugin = Portal()
    registry.add_plugin(plugin, name="local")
    assert registry.report_formats["local.codes"].plugin == "local"
    assert list(registry.report_formats) == ["json", "csv", "md", "xlsx", "html", "docx", "local.codes"]
    monkeypatch.setattr("parrules.plugins.registry._default", registry)
    assert reports.formats()[-1] == "local.codes" and reports.SUFFIXES["local.codes"] == ".codes.txt"

    out = tmp_path / "out"
    assert main_with(registry, monkeypatch, ["campaign", str(first_set_campaign(tmp_path)), "-o", str(out),
                                             "--formats", "json,local.codes", "--lang", "en"]) == 0
    assert (out / "first.codes.txt").read_text() == "SNV 16.75\nSTP 12.64\n"
    data = json.loads((out / "first.json").read_bytes(), parse_float=D)
    assert reports.render(data, "local.codes", vietnamese=True) == b"SNV 16.75\nSTP 12.64\n"
    assert plugin.seen == [False, True]

    report = tmp_path / "codes.txt"
    assert main_with(registry, monkeypatch, ["report", str(out / "first.json"), "--format", "local.codes",
                                             "-o", str(report)]) == 0
    assert report.read_bytes() == b"SNV 16.75\nSTP 12.64\n"
    capsys.readouterr()
    assert main_with(registry, monkeypatch, ["report", str(out / "first.json"), "--format", "nope", "-o", "x"]) == 2
    assert "'local.codes'" in capsys.readouterr().err         # argparse lists the plugin's format as a choice
    with pytest.raises(ValueError, match="formats are: json, csv, md, xlsx, html, docx, local.codes"):
        reports.render(data, "nope")


def test_report_format_that_returns_text_is_an_error_not_a_corrupt_file(tmp_path, monkeypatch, capsys):
    registry = parrules.Registry(entry_points=False)
    registry.add_plugin(Portal(output="not bytes"), name="local")
    assert main_with(registry, monkeypatch, ["campaign", str(first_set_campaign(tmp_path)), "-o", str(tmp_path),
                                             "--formats", "local.codes"]) == 1
    assert "report format 'local.codes' of plugin local returned str, not bytes" in capsys.readouterr().err
    assert not (tmp_path / "first.codes.txt").exists()


def test_plugin_adds_a_command_to_the_parser_and_main(monkeypatch, capsys):
    registry = parrules.Registry(entry_points=False)
    registry.add_plugin(Portal(), name="local")
    assert registry.commands["local-hello"].plugin == "local"
    assert list(registry.commands)[-1] == "local-hello"     # after the built-ins, in --help too
    assert main_with(registry, monkeypatch, ["--help"]) == 0
    assert "local-hello" in capsys.readouterr().out.split("report", 1)[1]
    assert main_with(registry, monkeypatch, ["local-hello", "Đắk Nông"]) == 0
    assert capsys.readouterr().out == "xin chào Đắk Nông\n"
    assert main_with(registry, monkeypatch, ["local-hello", "x", "--code", "1"]) == 1   # its exit code
    assert main_with(registry, monkeypatch, ["local-hello"]) == 2                         # its own usage
    info = next(i for i in registry.plugins() if i.name == "local")
    assert (info.report_formats, info.commands) == (("local.codes",), ("local-hello",))
    assert info.hooks == ("register_commands", "register_report_formats")


def test_plugins_command_lists_report_formats_and_commands(monkeypatch, capsys):
    registry = parrules.Registry(entry_points=False)
    registry.add_plugin(Portal(), name="local")
    assert main_with(registry, monkeypatch, ["plugins", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "\nreport formats:\n" in out and "  local.codes          Unit codes and totals (.codes.txt)  [local]" in out
    assert "\ncommands:\n" in out and "  local-hello          greet someone  [local]" in out
    assert main_with(registry, monkeypatch, ["plugins", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["report_formats"]["local.codes"] == {"plugin": "local", "description": "Unit codes and totals",
                                                     "suffix": ".codes.txt"}
    assert data["commands"]["local-hello"] == {"plugin": "local", "help": "greet someone"}
    assert data["commands"]["score"]["plugin"] == "parrules.builtin_commands"
    local = next(p for p in data["plugins"] if p["name"] == "local")
    assert (local["report_formats"], local["commands"]) == (["local.codes"], ["local-hello"])


class Taken:
    def __init__(self, hook: str, name: str, **meta: object) -> None:
        self.hook, self.name, self.meta = hook, name, meta

    @hookimpl
    def register_report_formats(self, register):
        if self.hook == "report":
            register(self.name, lambda data, *, vietnamese=False: b"", **self.meta)

    @hookimpl
    def register_commands(self, register):
        if self.hook == "command":
            register(self.name, lambda args: 0, **self.meta)


@pytest.mark.parametrize(("plugin", "message"), [
    (Taken("report", "html", suffix=".html", description="x"), "report format 'html' is registered twice"),
    (Taken("command", "score", help="x"), "command 'score' is registered twice"),
    (Taken("report", "local.x", suffix="txt", description="x"), "needs a file suffix such as '.html', got 'txt'"),
    (Taken("report", "local.x", suffix=".txt"), "'local.x' needs a description"),
    (Taken("command", "local-x"), "'local-x' needs a help (users see it in `parrules --help`)"),
    (Taken("command", "local.x", help="x"), "name 'local.x' must be lowercase words joined by '-' or '_'"),
    (Taken("command", "local-x", help="x", arguments="--flag"), "arguments '--flag' is not callable"),
])
def test_invalid_report_format_or_command_is_a_failure_and_the_plugin_skipped(plugin, message):
    reg = parrules.Registry(entry_points=False)
    reg.add_plugin(plugin, name="bad")
    assert [f.name for f in reg.failures] == ["bad"] and message in reg.failures[0].error
    assert "bad" not in {i.name for i in reg.plugins()}
    assert list(reg.report_formats) == ["json", "csv", "md", "xlsx", "html", "docx"]  # the built-ins are untouched
    assert reg.commands["score"].plugin == "parrules.builtin_commands" and "local-x" not in reg.commands


def test_command_whose_options_fail_is_skipped_and_parrules_still_runs(monkeypatch, capsys):
    def broken(parser):
        raise RuntimeError("no options today")

    registry = parrules.Registry(entry_points=False)
    registry.add_plugin(Portal(arguments=broken), name="local")
    assert main_with(registry, monkeypatch, ["schema", "submission", "--lang", "en"]) == 0
    captured = capsys.readouterr()
    assert "warning: command local-hello of plugin local was skipped: RuntimeError: no options today" in captured.err
    assert '"$schema"' in captured.out
    assert main_with(registry, monkeypatch, ["local-hello", "x"]) == 2

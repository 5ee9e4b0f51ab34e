"""The command line as a user runs it: exit codes, messages without tracebacks, JSON out."""

import json
import subprocess
import sys

import jsonschema
import pytest

from parrules.cli.main import main
from parrules.files.schemas import generated_schema, shipped_schema

from ..conftest import ROOT

EXAMPLE = ROOT / "examples" / "first-set"


def run_cli(*args, cwd=None, module="parrules.cli.main"):
    return subprocess.run([sys.executable, "-m", module, *map(str, args)], capture_output=True,
                          text=True, cwd=cwd, env={"PARRULES_PLUGINS": "", "PATH": "/usr/bin:/bin"})


def test_validate_ok():
    proc = run_cli("validate", EXAMPLE / "criteria.toml", EXAMPLE / "submissions")
    assert proc.returncode == 0, proc.stderr
    # one line for the set, one for the submissions: not a line per file (issue #12)
    assert proc.stdout.splitlines() == [
        f"ok: {EXAMPLE / 'criteria.toml'}: bộ tiêu chí 'first-set' — 12 mục, 9 tiêu chí chấm điểm, 20 điểm",
        "ok: 2 báo cáo tự đánh giá hợp lệ với bộ tiêu chí 'first-set'"]
    one = run_cli("validate", EXAMPLE / "criteria.toml", EXAMPLE / "submissions" / "so-noi-vu.toml", "--lang", "en")
    assert one.stdout.splitlines()[-1] == "ok: 1 submission valid against set 'first-set': Sở Nội vụ (SNV)"


def test_problems_exit_1_without_traceback(write):
    bad = write("bad.toml", '[set]\nid = "x"\nname = "x"\nlevel = "department"\ntotal_points = 1\n'
                            '[criteria."1"]\nname = "A"\nmax_point = 1\nrule = "manual"\n')
    proc = run_cli("validate", bad, "--lang", "en")
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert f"error: {bad}:8: criteria.\"1\".max_point: unknown key 'max_point' in [criteria.\"1\"] " \
           "(did you mean 'max_points'?)" in proc.stderr
    # the typo once, not again as "missing"; validate scores nothing, so it does not say "nothing was scored"
    assert proc.stderr.splitlines()[-1] == "1 problem found."
    scored = run_cli("score", bad, EXAMPLE / "submissions")
    assert scored.returncode == 1 and scored.stderr.splitlines()[-1] == \
        "Có 1 lỗi trong dữ liệu; chưa chấm điểm đơn vị nào."  # Vietnamese unless the set or --lang says otherwise


def test_missing_file_is_a_data_problem(tmp_path):
    proc = run_cli("score", "--lang", "en", tmp_path / "nope.toml", tmp_path / "sub.toml")
    assert proc.returncode == 1 and "criteria set not found" in proc.stderr and "Traceback" not in proc.stderr
    proc = run_cli("score", tmp_path / "nope.toml", tmp_path / "sub.toml")  # Vietnamese unless told otherwise
    assert proc.returncode == 1 and "không tìm thấy bộ tiêu chí" in proc.stderr and "not found" not in proc.stderr


def test_wrong_usage_exits_2():
    assert run_cli("score").returncode == 2
    assert run_cli("frobnicate").returncode == 2


def test_score_json_to_file_matches_the_published_schema(tmp_path, capsys):
    out = tmp_path / "out" / "results.json"
    assert main(["score", str(EXAMPLE / "criteria.toml"), str(EXAMPLE / "submissions"),
                 "--format", "json", "-o", str(out)]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(shipped_schema("results")).validate(data)
    assert [u["unit"]["code"] for u in data["units"]] == ["SNV", "STP"]
    assert data["units"][0]["total_points"] == 16.75
    assert not list(out.parent.glob(".*.tmp"))             # the temporary file was renamed into place


def test_vietnamese_number_format(capsys):
    assert main(["score", str(EXAMPLE / "criteria.toml"), str(EXAMPLE / "submissions" / "so-noi-vu.toml"),
                 "--lang", "vi"]) == 0
    assert "Chỉ số: 83,75 %" in capsys.readouterr().out
    assert main(["score", str(EXAMPLE / "criteria.toml"), str(EXAMPLE / "submissions" / "so-noi-vu.toml"),
                 "--lang", "en"]) == 0
    assert "Index: 83.75 %" in capsys.readouterr().out


@pytest.mark.parametrize("name", ["criteria-set", "submission", "results", "campaign-file"])
def test_shipped_schemas_are_in_sync_with_the_models(name):
    assert shipped_schema(name) == generated_schema(name), (
        f"run: parrules schema {name} -o parrules/schemas/{name}.schema.json")


def test_shipped_sets_and_examples_validate_against_the_editor_schema():
    from parrules.files.reading import tomllib

    schema = shipped_schema("criteria-set")
    validator = jsonschema.Draft202012Validator(schema)
    paths = [EXAMPLE / "criteria.toml", *sorted((ROOT / "criteria_sets").glob("*.toml")),
             *sorted((ROOT / "docs").rglob("*.toml")), *sorted((ROOT / "examples").rglob("*set*.toml"))]
    for path in paths:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        errors = [e.message for e in validator.iter_errors(json.loads(json.dumps(data, default=str)))]
        assert not errors, (path, errors[:3])


def test_editor_schema_accepts_a_tailored_set_and_rejects_a_typo():
    validator = jsonschema.Draft202012Validator(shipped_schema("criteria-set"))
    tailored = {"extends": "base.toml", "criteria": {"2.1": {"max_points": 5}}, "not_applicable": ["2.2"],
                "remove": ["3"], "add": {"2.3": {"name": "Số hóa", "max_points": 1, "rule": "yes_no"}}}
    assert not list(validator.iter_errors(tailored))
    standalone = {"criteria": {"1": {"name": "A", "max_points": 1, "rule": "yes_no"}}}
    assert any("'set' is a required property" in e.message for e in validator.iter_errors(standalone))
    assert list(validator.iter_errors({**tailored, "extend": "x"}))


def test_plugins_json_lists_builtins():
    proc = run_cli("plugins", "--json")
    data = json.loads(proc.stdout)
    assert {"parrules.builtin_rules", "parrules.builtin_checks"} <= {p["name"] for p in data["plugins"]}
    assert data["rule_kinds"]["bands"]["plugin"] == "parrules.builtin_rules"
    assert list(data["report_formats"]) == ["csv", "docx", "html", "json", "md", "xlsx"]  # sorted keys in JSON
    assert data["report_formats"]["xlsx"]["plugin"] == "parrules.builtin_reports"
    assert data["commands"]["campaign"]["plugin"] == "parrules.builtin_commands"


def test_python_m_parrules_cli_is_the_command():
    proc = run_cli("--lang", "en", "--help", module="parrules.cli")
    assert proc.returncode == 0 and proc.stdout.startswith("usage: parrules [-h] [--version]")
    listed = [line.split()[0] for line in proc.stdout.splitlines() if line.startswith("    ") and line[4] != " "]
    assert listed == ["validate", "score", "plugins", "schema", "show", "diff", "new", "doc", "campaign", "report",
                      "serve"]
    assert run_cli("frobnicate", module="parrules.cli").returncode == 2


def test_commands_are_plugins_and_no_command_imports_the_main_module():
    """Each command is a module of parrules.cli registered by parrules.builtins.commands; none imports
    parrules.cli.main (which builds the parser from the registry), so there is no import cycle."""
    from parrules.builtins.commands import COMMANDS
    from parrules.testing import registry_with

    registry = registry_with()
    assert [c.NAME for c in COMMANDS] == list(registry.commands)
    for module in COMMANDS:
        command = registry.commands[module.NAME]
        assert (command.run, command.arguments, command.plugin) == (module.run, module.arguments,
                                                                     "parrules.builtin_commands")
    for path in [*(ROOT / "parrules" / "cli").glob("*.py"), ROOT / "parrules" / "builtins" / "commands.py"]:
        text = path.read_text(encoding="utf-8")
        assert "import_module" not in text, path
        if path.name not in ("main.py", "__main__.py"):
            assert "parrules.cli.main" not in text, path


def test_new_set_offers_every_level_a_set_can_have():
    from typing import get_args

    from parrules.cli.new import LEVELS
    from parrules.sets.model import Level

    assert get_args(Level) == LEVELS


def test_every_example_campaign_file_matches_its_schema():
    from pathlib import Path

    from parrules.files.reading import read_document

    validator = jsonschema.Draft202012Validator(shipped_schema("campaign-file"))
    files = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*/campaign.toml"))
    assert files
    for path in files:
        validator.validate(read_document(path).data)
    with pytest.raises(jsonschema.ValidationError):
        validator.validate({"campaign": {"id": "x", "name": "y", "criteria_set": "s.toml", "submissions": ["a"],
                                         "rank_by": "points"}})

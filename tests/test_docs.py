"""The documentation is executed: every rule kind's example scores as shown, every hook is documented
and tested (as datasette's suite checks), every command and export is described."""

from __future__ import annotations

import ast
import re
import types
from decimal import Decimal
from functools import partial
from pathlib import Path

import pytest

import parrules
from parrules.files.reading import tomllib
from parrules.plugins import hookspecs
from parrules.testing import build_set, build_submission, registry_with

from .plugins.test_plugins import first_set_campaign, main_with

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
_BLOCK = re.compile(r"```(\w+)\n(.*?)```", re.S)


def _sections(name: str, level: str) -> dict[str, str]:
    """Markdown sections of one heading level, keyed by the heading's text."""
    text = (DOCS / name).read_text(encoding="utf-8")
    parts = re.split(rf"^{level} (.+)$", text, flags=re.M)
    return {parts[i].strip(): parts[i + 1] for i in range(1, len(parts), 2)}


def _blocks(section: str, language: str) -> list[str]:
    return [body for lang, body in _BLOCK.findall(section) if lang == language]


def _hooks() -> list[str]:
    return sorted(name for name, value in vars(hookspecs).items() if hasattr(value, "parrules_spec"))


def _rule_sections() -> dict[str, str]:
    found = {}
    for heading, body in _sections("authoring.md", "###").items():
        match = re.fullmatch(r"`([a-z0-9_.]+)`", heading)
        if match:
            found[match.group(1)] = body
    return found


def _examples() -> list[tuple[str, str, list[str]]]:
    """(rule kind, TOML block, table row) for every row of every example table in authoring.md: the
    answer, the points, the explanation (Vietnamese, the default) and the one an English run writes."""
    out = []
    for kind, body in _rule_sections().items():
        # a table belongs to the TOML block before it
        for chunk in re.split(r"(?=```toml\n)", body):
            blocks = _blocks(chunk, "toml")
            rows = [line for line in chunk.splitlines() if line.startswith("| `")]
            out.extend((kind, blocks[0], [c.strip() for c in row.strip("|").split(" | ")]) for row in rows)
    return out


# -- authoring.md -------------------------------------------------------------------------------
def test_every_builtin_rule_kind_has_an_example():
    builtins = {name for name, kind in registry_with().rule_kinds.items() if kind.plugin.startswith("parrules.")}
    sections = _rule_sections()
    missing = sorted(builtins - set(sections))
    assert not missing, f"docs/authoring.md has no '### `KIND`' section for rule kinds {missing}"
    without_table = sorted(k for k in builtins if not any(kind == k for kind, _, _ in _examples()))
    assert not without_table, f"docs/authoring.md: no example table (answer | points | explanation) for {without_table}"


@pytest.mark.parametrize("kind, block, row", _examples(), ids=lambda v: v if isinstance(v, str) and len(v) < 20 else "")
def test_authoring_example_scores_as_documented(kind, block, row):
    answer, points, explanation, english = row
    criteria_tables = tomllib.loads(block, parse_float=Decimal)["criteria"]
    registry = registry_with()
    criteria = build_set(criteria_tables, registry=registry)
    code = criteria.leaves[-1]
    assert criteria.nodes[code].rule.name == kind
    value = answer.strip("`")
    if value.startswith("self = "):
        sub = build_submission(self_assessment={code: tomllib.loads(f"v = {value[7:]}", parse_float=Decimal)["v"]})
    else:
        sub = build_submission(answers={code: tomllib.loads(f"v = {value}", parse_float=Decimal)["v"]})
    leaf = parrules.score(criteria, sub).leaf(code)
    assert leaf.final_points == Decimal(points), leaf.explanation
    assert leaf.explanation == explanation
    assert parrules.score(criteria, sub, language="en").leaf(code).explanation == english


def test_authoring_tailoring_example_is_valid_toml():
    section = _sections("authoring.md", "##")["Tailoring a set: `extends`"]
    (block,) = _blocks(section, "toml")
    data = tomllib.loads(block)
    assert set(data) == {"extends", "remove", "not_applicable", "set", "criteria", "add"}


# -- plugins.md ---------------------------------------------------------------------------------
def _hook_section(hook: str) -> str:
    sections = _sections("plugins.md", "###")
    return sections.get(f"Hook: `{hook}`", "")


def test_every_hook_is_documented():
    hooks = _hooks()
    assert hooks, "no hook specifications found"
    for hook in hooks:
        section = _hook_section(hook)
        assert section, f"docs/plugins.md has no '### Hook: `{hook}`' section"
        assert _blocks(section, "python"), f"docs/plugins.md: the {hook} section has no Python example"
        assert f"def {hook}(" in _blocks(section, "python")[0], f"the {hook} example does not implement it"


def test_plugin_hooks_have_tests():
    """Every hook has a test named test_hook_<hook> somewhere in tests/ (the datasette convention)."""
    names = set()
    for path in Path(__file__).parent.rglob("test_*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names |= {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
    missing = [hook for hook in _hooks() if f"test_hook_{hook}" not in names]
    assert not missing, f"hooks without a test_hook_<name> test: {missing}"


def _example_plugin(hook: str) -> types.ModuleType:
    module = types.ModuleType(f"docs_example_{hook}")
    exec(compile(_blocks(_hook_section(hook), "python")[0], f"docs/plugins.md ({hook})", "exec"), module.__dict__)
    return module


def _example_set(hook: str, registry: parrules.Registry) -> parrules.CriteriaSet:
    """The docs' example criterion, alone in a set under code "1"."""
    block = _blocks(_hook_section(hook), "toml")[0]
    (table,) = tomllib.loads(block, parse_float=Decimal)["criteria"].values()
    return build_set({"1": table}, registry=registry)


def test_hook_register_rule_kinds():
    registry = registry_with(_example_plugin("register_rule_kinds"))
    kind = registry.rule_kinds["dak_nong_at_least"]
    assert kind.plugin == "docs_example_register_rule_kinds"
    criteria = _example_set("register_rule_kinds", registry)
    leaf = parrules.score(criteria, build_submission(answers={"1": 85})).leaf("1")
    assert leaf.final_points == Decimal(2)
    assert leaf.explanation == "85 vs threshold 80 → 2 of 2"  # as docs/plugins.md says
    low = parrules.score(criteria, build_submission(answers={"1": 79.5})).leaf("1")
    assert low.final_points == Decimal(0)
    with pytest.raises(parrules.ProblemsError, match="threshold is a percentage"):
        build_set({"1": {"name": "x", "max_points": 1, "rule": "dak_nong_at_least", "threshold": 120}},
                  registry=registry)


def test_hook_register_checks():
    registry = registry_with(_example_plugin("register_checks"))
    check = registry.checks["dak_nong.figure_share"]
    assert dict(check.metrics) == {"share": "part ÷ whole × 100"}
    criteria = _example_set("register_checks", registry)
    run = parrules.score_many(criteria, [
        build_submission("U1", figures={"digitised": 45, "received": 60}),
        build_submission("U2", figures={"received": 60}),
    ])
    assert run.unit("U1").leaf("1").final_points == Decimal("1.5")  # 75 % of 2, as the docs say
    assert "45 of 60" in run.unit("U1").leaf("1").explanation
    assert run.unit("U2").leaf("1").status == "error"


def test_hook_register_report_formats(tmp_path, monkeypatch):
    registry = registry_with(_example_plugin("register_report_formats"))
    fmt = registry.report_formats["dak_nong_tsv"]
    assert (fmt.suffix, fmt.plugin) == (".tsv", "docs_example_register_report_formats")
    assert main_with(registry, monkeypatch, ["campaign", str(first_set_campaign(tmp_path)), "-o", str(tmp_path),
                                             "--formats", "json"]) == 0
    out = tmp_path / "diem.tsv"
    assert main_with(registry, monkeypatch, ["report", str(tmp_path / "first.json"), "--format", "dak_nong_tsv",
                                             "-o", str(out), "--vi"]) == 0
    # as docs/plugins.md says, with the example's totals
    assert out.read_text(encoding="utf-8") == "SNV\tSở Nội vụ\t16,75\nSTP\tSở Tư pháp\t12,64\n"


def test_hook_register_commands(monkeypatch, capsys):
    registry = registry_with(_example_plugin("register_commands"))
    assert registry.commands["dak-nong-checklist"].plugin == "docs_example_register_commands"
    assert list(registry.commands)[-1] == "dak-nong-checklist"  # after the built-ins
    assert main_with(registry, monkeypatch, ["dak-nong-checklist", str(ROOT / "examples/first-set/criteria.toml")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "[ ] 1.1 Ban hành kế hoạch CCHC năm đúng thời hạn (1 points)"  # as docs/plugins.md says


def test_hook_calls_are_traced(monkeypatch, capsys):
    monkeypatch.setenv("PARRULES_TRACE", "1")
    registry = parrules.Registry(entry_points=False)
    registry.add_plugin(_example_plugin("register_checks"), name="docs_example")
    err = capsys.readouterr().err
    for hook in _hooks():
        assert f"parrules trace: call {hook}(register) → " in err
    assert "parrules trace: call register_checks(register) → docs_example" in err
    assert "parrules trace: register_checks → docs_example: done" in err
    monkeypatch.delenv("PARRULES_TRACE")
    parrules.Registry(entry_points=False)
    assert "parrules trace" not in capsys.readouterr().err


def test_plugins_md_texts_example_speaks_both_languages(tmp_path):
    section = _sections("plugins.md", "##")["Texts in Vietnamese and English"]
    (tmp_path / "messages.toml").write_text(_blocks(section, "toml")[0], encoding="utf-8")
    namespace: dict[str, object] = {"__file__": str(tmp_path / "plugin.py")}
    exec(compile(_blocks(section, "python")[0], "docs/plugins.md (texts)", "exec"), namespace)
    measure = namespace["share_measurement"]
    assert measure(45, 60).explain("share") == "45/60 hồ sơ được số hóa → 75 %"  # as the section says
    with parrules.speaking("en", percent_decimals=1):
        assert measure(Decimal(2), Decimal(3)).explain("share") == "2 of 3 dossiers digitised → 66.7 %"


def test_plugins_md_testing_example_passes():
    section = _sections("plugins.md", "##")["Testing a plugin: `parrules.testing`"]
    namespace: dict[str, object] = {}
    exec(compile(_blocks(section, "python")[0], "docs/plugins.md (testing)", "exec"), namespace)
    registry = registry_with(_example_plugin("register_rule_kinds"))
    engine = parrules.Engine()
    namespace["test_threshold"](
        partial(build_set, registry=registry), build_submission,
        lambda criteria, sub: engine.score_many(criteria, [sub]),
    )


# -- cli.md and api.md --------------------------------------------------------------------------
def test_every_command_is_documented():
    headings = " ".join(_sections("cli.md", "##"))
    missing = [name for name in registry_with().commands if f"`parrules {name}" not in headings]
    assert not missing, f"docs/cli.md has no '## `parrules NAME …`' section for {missing}"


def test_every_export_is_documented():
    text = (DOCS / "api.md").read_text(encoding="utf-8")
    missing = [name for name in parrules.__all__ if not re.search(rf"`{re.escape(name)}[`(]", text)]
    assert not missing, f"docs/api.md does not describe {missing}"


def test_api_example_runs(monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    (block,) = _blocks((DOCS / "api.md").read_text(encoding="utf-8"), "python")
    exec(compile(block, "docs/api.md", "exec"), {})
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(list((ROOT / "examples/first-set/submissions").glob("*.toml")))
    assert all(re.match(r"^\S+ \d+,\d\d \S+$", line) for line in lines), lines

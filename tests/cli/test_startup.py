"""Start-up (issue #13): `import parrules` and `parrules --help` load only what they use.

Checked as behaviour — which modules a fresh interpreter holds afterwards — never as a time: the
benchmark (benchmarks/bench_startup.py) measures the time.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

import parrules
from parrules.plugins.hookspecs import hookimpl

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("duckdb", "jsonschema", "pydantic", "orjson", "importlib.metadata", "parrules.campaign",
         "parrules.scoring", "parrules.sets", "parrules.records", "parrules.reports", "parrules.builtins.rules",
         "parrules.builtins.checks", "parrules.builtins.reports")


def _loaded_after(code: str, **env: str) -> list[str]:
    """The HEAVY modules a fresh interpreter holds after running `code` (its exit is ignored)."""
    script = (f"import sys\ntry:\n    exec({code!r})\nexcept SystemExit:\n    pass\n"
              f"import json\nsys.__stdout__.write(json.dumps(sorted(m for m in {list(HEAVY)!r} if m in sys.modules)))")
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT,
                          env={"PATH": "/usr/bin:/bin", **env}, check=False)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.splitlines()[-1])


def test_import_parrules_loads_none_of_the_heavy_modules() -> None:
    assert _loaded_after("import parrules; from parrules import hookimpl, Measurement, Catalogue") == []


def test_parrules_help_loads_none_of_the_heavy_modules() -> None:
    """The built-in commands only: an installed plugin's own imports are its business (docs/plugins.md)."""
    help_run = "import sys; sys.argv = ['parrules', '--help']; from parrules.cli.main import main; main()"
    assert _loaded_after(help_run, PARRULES_PLUGINS="") == []
    assert _loaded_after(help_run.replace("'--help'", "'--lang', 'en', '--help'"), PARRULES_PLUGINS="") == []


def test_parrules_help_with_the_standard_plugins_loads_none_of_the_heavy_modules() -> None:
    """The standard plugins import duckdb, pydantic and the scoring code only when a check runs, so a
    province with them installed gets the same start-up. They import `parrules.records` (its names
    are their public API), which itself imports duckdb only when a check reads a file."""
    help_run = "import sys; sys.argv = ['parrules', '--help']; from parrules.cli.main import main; main()"
    assert _loaded_after(help_run) == ["parrules.records"]


def test_a_public_name_is_imported_when_first_used() -> None:
    loaded = _loaded_after("import parrules; parrules.Engine")
    assert "parrules.scoring" in loaded and "parrules.campaign" not in loaded


def _type_checking_imports() -> dict[str, str]:
    """Name → module, from the imports under `if TYPE_CHECKING:` in parrules/__init__.py."""
    tree = ast.parse((ROOT / "parrules" / "__init__.py").read_text(encoding="utf-8"))
    block = next(node for node in tree.body if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING")
    names = {}
    for node in block.body:
        assert isinstance(node, ast.ImportFrom)
        for alias in node.names:
            names[alias.asname or alias.name] = f"{node.module}.{alias.name}" if node.module == "parrules" else node.module
    return names


def test_the_lazy_names_are_the_names_type_checkers_see() -> None:
    public = dict(vars(parrules)["_PUBLIC"])
    assert public == _type_checking_imports()
    assert sorted(public) == sorted(set(parrules.__all__) - {"__version__"})
    for name in parrules.__all__:
        value = getattr(parrules, name)
        module = sys.modules[public[name]] if name in public else parrules
        assert value is (module if public.get(name) == f"parrules.{name}" else getattr(module, name)), name
    assert set(parrules.__all__) <= set(dir(parrules))
    with pytest.raises(AttributeError, match="no attribute 'nonsense'"):
        parrules.nonsense  # noqa: B018


def test_registry_collects_a_hook_when_its_items_are_first_looked_at() -> None:
    code = "import parrules; r = parrules.Registry(entry_points=False); list(r.commands)"
    assert _loaded_after(code) == []
    collected = _loaded_after(code + "; r.rule_kinds")
    assert "parrules.builtins.rules" in collected
    # the built-in rule kinds' schemas are plain: judged well formed without importing jsonschema
    assert "jsonschema" not in collected


def test_a_campaign_run_imports_no_jsonschema() -> None:
    """Every schema of the standard plugins and every parameter of the example set is plain, so a whole
    campaign (set, submissions, checks, every report) runs without jsonschema; it is imported only
    to word a problem or judge a schema beyond the plain keywords."""
    run = ("import sys, tempfile; out = tempfile.mkdtemp(); sys.argv = ['parrules', 'campaign', "
           "'examples/province-2018/campaign.toml', '-q', '-o', out + '/x']\n"
           "try:\n    from parrules.cli.main import main; main()\nfinally:\n"
           "    import shutil; shutil.rmtree(out)")
    loaded = _loaded_after(run)
    assert "parrules.campaign" in loaded and "duckdb" in loaded
    assert "jsonschema" not in loaded


class CommandAndBadRule:
    """A plugin whose command is fine but whose rule kind's parameter schema is not a JSON Schema."""

    @hookimpl
    def register_commands(self, register):  # type: ignore[no-untyped-def]
        register("local-x", lambda args: 0, help="x")

    @hookimpl
    def register_rule_kinds(self, register):  # type: ignore[no-untyped-def]
        register("local.rule", lambda leaf, values: [], description="x",
                 params_schema={"type": "object", "properties": {"n": {"type": "nonsense"}}})


def test_an_invalid_schema_drops_the_plugin_before_its_command_runs(monkeypatch, capsys) -> None:
    from parrules.cli.main import main

    registry = parrules.Registry(entry_points=False)
    registry.add_plugin(CommandAndBadRule(), name="bad")
    assert "local-x" in registry.commands                 # listed before its rule kinds are looked at
    monkeypatch.setattr("parrules.plugins.registry._default", registry)
    assert main(["--lang", "en", "local-x"]) == 2         # but never run
    assert "warning: plugin bad was skipped: PluginError: bad: 'local.rule': params_schema is not a valid" \
        in capsys.readouterr().err
    assert [f.name for f in registry.failures] == ["bad"]
    assert "local-x" not in registry.commands and "local.rule" not in registry.rule_kinds
    assert "yes_no" in registry.rule_kinds and "score" in registry.commands


def test_a_catalogue_on_demand_reads_a_file_when_one_of_its_keys_is_first_said(tmp_path) -> None:
    from parrules.messages import Catalogue, CatalogueError, speaking

    (tmp_path / "cli.toml").write_text('[cli.hello]\nvi = "xin chào {n:count}"\nen = "hello {n:count}"\n',
                                       encoding="utf-8")
    (tmp_path / "other.toml").write_text('[other.x]\nvi = "x"\n', encoding="utf-8")  # no English: refused when read
    catalogue = Catalogue.on_demand(tmp_path)
    with speaking("vi"):
        assert catalogue.say("cli.hello", n=1234) == "xin chào 1.234"   # other.toml not read yet
    with pytest.raises(CatalogueError, match="other.x: no text in en"):
        "other.x" in catalogue  # noqa: B015
    (tmp_path / "other.toml").write_text('[cli.hello]\nvi = "a"\nen = "b"\n', encoding="utf-8")
    with pytest.raises(CatalogueError, match="cli.hello: given twice"):
        list(Catalogue.on_demand(tmp_path).keys())


def test_a_command_help_loads_no_scoring_code() -> None:
    from parrules.cli.common import DEFAULT_CHECK_TIMEOUT
    from parrules.scoring import checks

    assert DEFAULT_CHECK_TIMEOUT == checks.DEFAULT_CHECK_TIMEOUT
    for command in ("score", "validate", "show"):
        code = f"import sys; sys.argv = ['parrules', {command!r}, '--help']; from parrules.cli.main import main; main()"
        assert _loaded_after(code, PARRULES_PLUGINS="") == [], command

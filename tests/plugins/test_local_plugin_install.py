"""The example province-local plugin, installed on its own into a fresh venv, is found and scores."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from ..fresh_venv import LOCAL_PLUGIN, bin_path, fresh_venv, run

EXAMPLE = LOCAL_PLUGIN / "example"


@pytest.fixture(scope="module")
def venv(tmp_path_factory):
    return fresh_venv(tmp_path_factory)


def test_plugin_is_discovered_by_entry_point(venv):
    done = run([bin_path(venv, "parrules"), "plugins", "--json"])
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    local = next(p for p in data["plugins"] if p["name"] == "local_example")
    assert local["builtin"] is False
    assert local["version"] == "0.1.0"
    assert local["checks"] == ["local.digitised_at_reception"]
    assert local["hooks"] == ["register_checks"]
    assert data["checks"]["local.digitised_at_reception"]["plugin"] == "local_example"
    assert data["failures"] == []


def test_plugins_table_shows_version_hooks_rule_kinds_and_checks(venv):
    done = run([bin_path(venv, "parrules"), "plugins", "--lang", "en"])
    assert done.returncode == 0, done.stderr
    header = done.stdout.splitlines()[0].split()
    assert header == ["plugin", "version", "hooks", "rule", "kinds", "checks"]
    row = next(line for line in done.stdout.splitlines() if line.startswith("local_example "))
    assert row.split() == ["local_example", "0.1.0", "register_checks", "—", "local.digitised_at_reception"]
    assert "local.digitised_at_reception" in done.stdout.split("checks:", 1)[1]


def test_plugin_is_used_in_a_score(venv, tmp_path):
    out = tmp_path / "results.json"
    done = run([bin_path(venv, "parrules"), "score", EXAMPLE / "criteria.toml", EXAMPLE / "submissions",
                "--data", f"dossiers={EXAMPLE / 'dossiers.csv'}", "--format", "json", "-o", out])
    assert done.returncode == 0, done.stderr
    results = json.loads(out.read_text(encoding="utf-8"), parse_float=Decimal)
    units = {u["unit"]["code"]: u for u in results["units"]}
    snv = {leaf["code"]: leaf for leaf in units["000.00.20.H21"]["leaves"]}
    # Sở Nội vụ: 3 of its 4 dossiers digitised → 75 % of 2 points; plus 1 for the yes/no criterion
    assert Decimal(str(snv["1.1"]["final_points"])) == Decimal("1.5")
    assert "3/4 hồ sơ được số hóa khi tiếp nhận" in snv["1.1"]["explanation"]
    assert Decimal(str(units["000.00.20.H21"]["total_points"])) == Decimal("2.5")
    stp = {leaf["code"]: leaf for leaf in units["000.00.19.H21"]["leaves"]}
    # Sở Tư pháp: one unreadable row is not counted, 1 of 2 → 50 %
    assert Decimal(str(stp["1.1"]["final_points"])) == Decimal(1)
    plugins = units["000.00.20.H21"]["provenance"]["plugins"]
    assert {"name": "local_example", "version": "0.1.0"} in plugins
    inputs = [i["path"] for i in units["000.00.20.H21"]["provenance"]["inputs"]]
    assert any(path.endswith("dossiers.csv") for path in inputs)


def test_trace_shows_every_hook_call(venv):
    done = run([bin_path(venv, "parrules"), "plugins", "--lang", "en"], env={"PARRULES_TRACE": "1"})
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert "parrules trace: call register_checks(register) → local_example" in lines
    assert "parrules trace: register_checks → local_example: done" in lines
    assert "parrules trace: call register_rule_kinds(register) → parrules.builtin_rules" in lines
    quiet = run([bin_path(venv, "parrules"), "plugins", "--lang", "en"])
    assert "register_checks" not in quiet.stderr


def test_plugin_passes_its_own_tests_in_the_venv(venv):
    done = run([bin_path(venv, "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=LOCAL_PLUGIN)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "5 passed" in done.stdout

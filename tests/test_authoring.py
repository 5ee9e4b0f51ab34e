"""`parrules new plugin` writes a package that installs and passes its own tests; `new set` validates."""

from __future__ import annotations

import json

import pytest

import parrules
from parrules.authoring import plugin_names, write_set
from parrules.cli.main import main

from .fresh_venv import bin_path, fresh_venv, run


@pytest.fixture(autouse=True)
def _english():
    """These tests read the English texts of problems (a Vietnamese run is pinned in
    tests/sets/test_problem_language.py): the library speaks the voice active when a problem is made."""
    with parrules.speaking(language="en"):
        yield



@pytest.fixture(scope="module")
def venv(tmp_path_factory):
    return fresh_venv(tmp_path_factory)


def test_new_set_writes_a_commented_set_that_validates(tmp_path, capsys, registry):
    target = tmp_path / "criteria.toml"
    assert main(["new", "set", str(target), "--id", "quang-tri-2025", "--level", "district"]) == 0
    text = target.read_text(encoding="utf-8")
    assert text.count("#") > 10
    criteria = parrules.load_criteria_set(target, registry)
    assert (criteria.id, criteria.meta.level) == ("quang-tri-2025", "district")
    assert {n.rule.name for n in criteria.nodes.values() if n.rule} == {
        "yes_no", "choice", "bands", "proportional", "bonus"}
    capsys.readouterr()
    assert main(["validate", str(target)]) == 0
    assert "ok:" in capsys.readouterr().out


def test_new_set_explains_its_keys_in_the_language_of_the_run(tmp_path, registry):
    with parrules.speaking(language="vi"):
        vietnamese = write_set(tmp_path / "vi.toml").read_text(encoding="utf-8")
    english = write_set(tmp_path / "en.toml").read_text(encoding="utf-8")  # pinned English
    assert "# Bộ tiêu chí cho parrules. Kiểm tra bằng lệnh:  parrules validate vi.toml" in vietnamese
    assert "# đơn vị trả lời có (đủ điểm) hoặc không (0 điểm)" in vietnamese and "the unit answers" not in vietnamese
    assert "# the unit answers yes (full points) or no (0)" in english and "đơn vị trả lời" not in english
    # the comments are all that differs: both sets are the same set
    assert parrules.load_criteria_set(tmp_path / "vi.toml", registry).nodes.keys() == \
        parrules.load_criteria_set(tmp_path / "en.toml", registry).nodes.keys()


def test_new_refuses_to_overwrite(tmp_path, capsys):
    target = tmp_path / "criteria.toml"
    target.write_text("keep me", encoding="utf-8")
    assert main(["new", "set", str(target)]) == 1
    assert target.read_text(encoding="utf-8") == "keep me"
    assert main(["new", "plugin", "x", "--dir", str(tmp_path)]) == 0
    assert main(["new", "plugin", "x", "--dir", str(tmp_path)]) == 1
    assert "already exists" in capsys.readouterr().err


@pytest.mark.parametrize("bad", ["9lives", "", "éé"])
def test_plugin_name_must_start_with_a_letter(bad, tmp_path, capsys):
    assert main(["new", "plugin", bad, "--dir", str(tmp_path)]) == 1
    assert "must start with a letter" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_names_derived_from_what_the_user_typed():
    names = plugin_names("Quang Tri")
    assert names == {"slug": "quang-tri", "dist": "parrules-quang-tri", "module": "parrules_quang_tri",
                     "entry": "quang_tri", "check": "quang_tri.figure_share", "rule": "quang_tri_at_least"}
    assert plugin_names("parrules-hue")["dist"] == "parrules-hue"


def test_new_plugin_installs_and_passes_its_own_tests(venv, tmp_path):
    assert main(["new", "plugin", "dak-nong", "--dir", str(tmp_path)]) == 0
    package = tmp_path / "parrules-dak-nong"
    assert (package / "pyproject.toml").is_file() and (package / "tests" / "test_plugin.py").is_file()
    done = run([bin_path(venv, "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check", package])
    assert done.returncode == 0, done.stdout + done.stderr
    listed = run([bin_path(venv, "parrules"), "plugins", "--json"])
    plugin = next(p for p in json.loads(listed.stdout)["plugins"] if p["name"] == "dak_nong")
    assert plugin["checks"] == ["dak_nong.figure_share"]
    assert plugin["rule_kinds"] == ["dak_nong_at_least"]
    assert plugin["hooks"] == ["register_checks", "register_rule_kinds"]
    tests = run([bin_path(venv, "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=package)
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "5 passed" in tests.stdout

"""A set that `extends` another: overrides, local criteria, removals, N/A, errors and provenance."""

from __future__ import annotations

import hashlib
from decimal import Decimal

import pytest

import parrules
from parrules.cli.main import main

from ..sample_sets import CENTRAL


@pytest.fixture(autouse=True)
def _english():
    """These tests read the English texts of problems (a Vietnamese run is pinned in
    tests/sets/test_problem_language.py): the library speaks the voice active when a problem is made."""
    with parrules.speaking(language="en"):
        yield


BASE = CENTRAL

LOCAL = """
extends = "../central/base.toml"
remove = ["1.2"]
not_applicable = ["2.2"]

[set]
id = "dak-nong-2024"
total_points = 11

[criteria."1"]
max_points = 2

[criteria."2"]
max_points = 9

[criteria."2.1"]
max_points = 5
rule = "proportional"
cap = 90

[add."2.3"]
name = "Số hóa hồ sơ khi tiếp nhận"
max_points = 2
rule = "proportional"
"""


@pytest.fixture
def chain(write):
    base = write("central/base.toml", BASE)
    local = write("local/set.toml", LOCAL)
    return base, local


def test_overrides_removals_and_local_criteria_resolve(chain, registry):
    _, local = chain
    criteria = parrules.load_criteria_set(local, registry)
    assert criteria.id == "dak-nong-2024"
    assert criteria.meta.name == "Bộ tiêu chí trung ương"  # inherited
    assert [b.code for b in criteria.meta.bands] == ["A", "B"]
    assert list(criteria.leaves) == ["1.1", "2.1", "2.2", "2.3"]
    assert "1.2" not in criteria.nodes
    node = criteria.nodes["2.1"]
    assert node.max_points == Decimal(5)
    assert node.rule.name == "proportional"
    assert dict(node.params) == {"cap": Decimal(90)}  # the base's bands were dropped with its rule
    assert criteria.nodes["2.2"].spec.allow_na is True
    assert criteria.nodes["2.3"].name == "Số hóa hồ sơ khi tiếp nhận"


def test_tailored_set_scores_with_local_rules(chain, registry, make_sub):
    _, local = chain
    criteria = parrules.load_criteria_set(local, registry)
    sub = make_sub('[answers]\n"1.1" = true\n"2.1" = 45\n"2.2" = "na"\n"2.3" = 50\n')
    result = parrules.score(criteria, sub)
    assert result.leaf("2.1").final_points == Decimal("2.5")  # 45 % of a 90 % cap × 5
    assert result.leaf("2.2").status == "not_applicable"
    assert result.leaf("2.3").final_points == Decimal(1)
    assert result.total_points == Decimal("5.5")
    assert result.applicable_max == Decimal(9)  # 11 minus the N/A criterion


def test_criterion_marked_not_applicable_is_na_for_units_that_do_not_answer_it(chain, registry, make_sub):
    _, local = chain
    criteria = parrules.load_criteria_set(local, registry)
    assert criteria.nodes["2.2"].spec.applicable is False
    silent = parrules.score(criteria, make_sub('[answers]\n"2.1" = 45\n'))
    assert silent.leaf("2.2").status == "not_applicable"
    assert silent.applicable_max == Decimal(9)
    appraised = parrules.score(criteria, make_sub('[[appraisals]]\ncode = "2.2"\npoints = 1\n'))
    assert appraised.leaf("2.2").status != "not_applicable"
    assert appraised.applicable_max == Decimal(11)


def test_content_hash_covers_the_base(chain, registry):
    base, local = chain
    before = parrules.load_criteria_set(local, registry)
    assert [digest for _, digest in before.sources] == [
        "sha256:" + hashlib.sha256(p.read_bytes()).hexdigest() for p in (local, base)
    ]
    base.write_text(base.read_text(encoding="utf-8").replace("Báo cáo CCHC", "Báo cáo"), encoding="utf-8")
    after = parrules.load_criteria_set(local, registry)
    assert after.content_hash != before.content_hash


def test_the_resolved_set_must_add_up(write, registry):
    write("central/base.toml", BASE)
    local = write("local/set.toml", LOCAL.replace("max_points = 9", "max_points = 8").replace(
        "total_points = 11", "total_points = 10"))
    with pytest.raises(parrules.ProblemsError) as caught:
        parrules.load_criteria_set(local, registry)
    (problem,) = caught.value.problems
    assert problem.path == 'criteria."2".max_points'
    assert problem.file == str(local)
    assert problem.line == LOCAL.lstrip().splitlines().index('[criteria."2"]') + 2
    assert "add up to 9" in problem.message


def test_a_problem_in_the_base_points_at_the_base_file(write, registry):
    broken = BASE.replace('rule = "yes_no"\n', 'rule = "yes_noo"\n', 1)
    base = write("central/base.toml", broken)
    local = write("local/set.toml", LOCAL)
    with pytest.raises(parrules.ProblemsError) as caught:
        parrules.load_criteria_set(local, registry)
    (problem,) = caught.value.problems
    assert problem.file == str(base)
    assert problem.path == 'criteria."1.1".rule'
    assert problem.line == broken.splitlines().index('rule = "yes_noo"') + 1
    assert "did you mean 'yes_no'" in problem.hint


def test_missing_base_is_a_clear_error(write, registry):
    local = write("local/set.toml", 'extends = "../nowhere.toml"\n')
    with pytest.raises(parrules.ProblemsError) as caught:
        parrules.load_criteria_set(local, registry)
    (problem,) = caught.value.problems
    assert (problem.file, problem.path, problem.line, problem.code) == (str(local), "extends", 1, "missing_base")
    assert "nowhere.toml" in problem.message


def test_cycle_is_a_clear_error(write, registry):
    a = write("a.toml", 'extends = "b.toml"\n')
    write("b.toml", '# second\nextends = "a.toml"\n')
    with pytest.raises(parrules.ProblemsError) as caught:
        parrules.load_criteria_set(a, registry)
    (problem,) = caught.value.problems
    assert problem.code == "cycle"
    assert problem.line == 2
    assert "a.toml → b.toml → a.toml" in problem.message


def test_override_of_unknown_code_and_other_tailoring_mistakes_in_one_run(write, registry):
    write("central/base.toml", BASE)
    local = write("local/set.toml", """
        extends = "../central/base.toml"
        remove = ["3.1"]
        not_applicable = ["9"]
        replace = true

        [criteria."2.4"]
        max_points = 1

        [add."2.1"]
        name = "Trùng mã"
        max_points = 1
        rule = "yes_no"

        [criteria."2.2"]
        max_point = 3
    """)
    with pytest.raises(parrules.ProblemsError) as caught:
        parrules.load_criteria_set(local, registry)
    found = {(p.path, p.code): p for p in caught.value.problems}
    assert found[('criteria."2.4"', "override_unknown")].line == 6
    assert "[add.\"2.4\"]" in found[('criteria."2.4"', "override_unknown")].hint
    assert found[("remove", "override_unknown")].line == 2
    assert found[("not_applicable", "override_unknown")].line == 3
    assert found[("replace", "unknown_key")].line == 4
    assert found[('add."2.1"', "add_existing")].line == 9
    typo = found[('criteria."2.2".max_point', "unknown_key")]
    assert typo.hint == "did you mean 'max_points'?"
    assert typo.line == 15
    assert len(caught.value.problems) == 6


def test_chain_of_three_sets(write, registry):
    write("central/base.toml", BASE)
    write("local/set.toml", LOCAL)
    district = write("local/district.toml", """
        extends = "set.toml"
        [set]
        id = "dak-mil-2024"
        [criteria."2.3"]
        name = "Số hóa hồ sơ (huyện)"
    """)
    criteria = parrules.load_criteria_set(district, registry)
    assert criteria.id == "dak-mil-2024"
    assert criteria.nodes["2.3"].name == "Số hóa hồ sơ (huyện)"
    assert len(criteria.sources) == 3


def test_show_resolved_prints_a_set_that_loads_alone(chain, registry, tmp_path, capsys):
    _, local = chain
    assert main(["show", "--resolved", str(local)]) == 0
    text = capsys.readouterr().out
    assert "extends" not in text.split("\n\n", 1)[1]
    flat = tmp_path / "flat.toml"
    flat.write_text(text, encoding="utf-8")
    again = parrules.load_criteria_set(flat, registry)
    original = parrules.load_criteria_set(local, registry)
    assert again.meta == original.meta
    assert {c: (n.name, n.max_points, n.rule and n.rule.name, dict(n.params)) for c, n in again.nodes.items()} == \
        {c: (n.name, n.max_points, n.rule and n.rule.name, dict(n.params)) for c, n in original.nodes.items()}


def test_show_tree_lists_sources(chain, capsys):
    _, local = chain
    assert main(["show", str(local)]) == 0
    out = capsys.readouterr().out
    assert "dak-nong-2024" in out and "base.toml" in out and "2.3" in out


def test_set_from_text_extends_relative_to_the_current_directory(chain, registry, monkeypatch):
    base, _ = chain
    monkeypatch.chdir(base.parent)
    text = 'extends = "base.toml"\n[set]\nid = "from-text"\n[criteria."2.2"]\nallow_na = true\n'
    criteria = parrules.criteria_set_from_text(text, registry)
    assert criteria.id == "from-text" and criteria.nodes["2.2"].spec.allow_na is True
    assert len(criteria.sources) == 2


def test_show_resolved_writes_a_file(chain, registry, tmp_path):
    _, local = chain
    target = tmp_path / "out" / "effective.toml"
    assert main(["show", "--resolved", str(local), "-o", str(target)]) == 0
    assert parrules.load_criteria_set(target, registry).id == "dak-nong-2024"


def test_set_level_not_applicable_is_not_shown_as_declared_by_the_unit(chain, registry, make_sub):
    _, local = chain
    criteria = parrules.load_criteria_set(local, registry)
    silent = parrules.score(criteria, make_sub('[answers]\n"2.1" = 45\n')).leaf("2.2")
    said = parrules.score(criteria, make_sub('[answers]\n"2.2" = "na"\n')).leaf("2.2")
    assert (silent.status, silent.declared) == ("not_applicable", None)
    assert (said.status, said.declared) == ("not_applicable", "na")

"""`parrules diff`: added, removed, renamed, moved, maxima and rules changed, in text and JSON."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

import parrules
from parrules.cli import main
from parrules.setdiff import diff_sets, render_text

OLD = """
[set]
id = "par-2023"
name = "Bộ chỉ số 2023"
level = "department"
total_points = 10

[criteria."1"]
name = "Chỉ đạo, điều hành"
max_points = 4

[criteria."1.1"]
name = "Kế hoạch CCHC"
max_points = 2
rule = "yes_no"

[criteria."1.2"]
name = "Báo cáo CCHC"
max_points = 2
rule = "deduction"
per_occurrence = 0.5

[criteria."2"]
name = "Thủ tục hành chính"
max_points = 6

[criteria."2.1"]
name = "Hồ sơ đúng hạn"
max_points = 3
rule = "bands"
bands = [{ from = 95, points = 3 }, { below = 95, points = 0 }]

[criteria."2.2"]
name = "Công khai TTHC"
max_points = 2
rule = "yes_no"

[criteria."2.3"]
name = "Sáng kiến"
max_points = 1
rule = "manual"
"""

# 2024: "Công khai TTHC" moved from 2.2 to 2.3, 2.2 is a new criterion, "Sáng kiến" was dropped,
# 1.1 renamed, 2.1 worth more and scored proportionally, 1.2 deducts more per late report.
NEW = """
[set]
id = "par-2024"
name = "Bộ chỉ số 2024"
level = "department"
total_points = 11

[criteria."1"]
name = "Chỉ đạo, điều hành"
max_points = 4

[criteria."1.1"]
name = "Ban hành kế hoạch CCHC đúng hạn"
max_points = 2
rule = "yes_no"

[criteria."1.2"]
name = "Báo cáo  CCHC"
max_points = 2
rule = "deduction"
per_occurrence = 1

[criteria."2"]
name = "Thủ tục hành chính"
max_points = 7

[criteria."2.1"]
name = "Hồ sơ đúng hạn"
max_points = 4
rule = "proportional"

[criteria."2.2"]
name = "Số hóa hồ sơ"
max_points = 1
rule = "yes_no"

[criteria."2.3"]
name = "Công khai TTHC"
max_points = 2
rule = "yes_no"
"""


@pytest.fixture
def pair(write):
    return write("old.toml", OLD), write("new.toml", NEW)


def test_every_kind_of_change_is_found(pair, registry):
    old, new = (parrules.load_criteria_set(p, registry) for p in pair)
    diff = diff_sets(old, new)
    assert diff.added == [{"code": "2.2", "name": "Số hóa hồ sơ", "max_points": Decimal(1)}]
    assert diff.removed == [{"code": "2.3", "name": "Sáng kiến", "max_points": Decimal(1)}]
    assert diff.moved == [{"old_code": "2.2", "new_code": "2.3", "name": "Công khai TTHC"}]
    assert diff.renamed == [{"code": "1.1", "old_name": "Kế hoạch CCHC",
                             "new_name": "Ban hành kế hoạch CCHC đúng hạn"}]
    assert [(c["code"], c["old"], c["new"]) for c in diff.max_points] == [
        ("2", Decimal(6), Decimal(7)), ("2.1", Decimal(3), Decimal(4))]
    rules = {c["code"]: c for c in diff.rules}
    assert set(rules) == {"1.2", "2.1"}  # whitespace in "Báo cáo  CCHC" is not a rename
    assert rules["1.2"]["old"] == {"rule": "deduction", "params": {"per_occurrence": Decimal("0.5")}}
    assert rules["1.2"]["new"] == {"rule": "deduction", "params": {"per_occurrence": Decimal(1)}}
    assert rules["2.1"]["new"] == {"rule": "proportional"}
    assert {c["key"] for c in diff.set_changes} == {"id", "name", "total_points"}


def test_identical_sets_have_no_differences(pair, registry):
    old = parrules.load_criteria_set(pair[0], registry)
    diff = diff_sets(old, old)
    assert diff.empty
    assert render_text(diff).endswith("no differences\n")


def test_text_output(pair, capsys):
    assert main(["diff", str(pair[0]), str(pair[1])]) == 0
    out = capsys.readouterr().out
    assert "  + 2.2 Số hóa hồ sơ (1 points)" in out
    assert "  - 2.3 Sáng kiến (1 points)" in out
    assert '  1.1: "Kế hoạch CCHC" → "Ban hành kế hoạch CCHC đúng hạn"' in out
    assert "  2.2 → 2.3: Công khai TTHC" in out
    assert "  2.1: 3 → 4  Hồ sơ đúng hạn" in out
    assert "      was: deduction, per_occurrence = 0.5" in out
    assert "      now: deduction, per_occurrence = 1" in out
    assert "  total_points: 10 → 11" in out


def test_json_output_to_file(pair, tmp_path):
    target = tmp_path / "out" / "diff.json"
    assert main(["diff", str(pair[0]), str(pair[1]), "--format", "json", "-o", str(target)]) == 0
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["format"] == "parrules.setdiff/1"
    assert data["old"]["id"] == "par-2023" and data["new"]["sha256"].startswith("sha256:")
    assert data["moved"] == [{"old_code": "2.2", "new_code": "2.3", "name": "Công khai TTHC"}]
    assert data["rules"][0]["old"]["params"] == {"per_occurrence": 0.5}
    assert data["max_points"][1] == {"code": "2.1", "name": "Hồ sơ đúng hạn", "old": 3, "new": 4}


def test_moved_criterion_with_changed_rule_names_both_codes(write, registry):
    old = parrules.load_criteria_set(write("a.toml", OLD), registry)
    moved = NEW.replace('name = "Công khai TTHC"\nmax_points = 2\nrule = "yes_no"',
                        'name = "Công khai TTHC"\nmax_points = 2\nrule = "proportional"')
    diff = diff_sets(old, parrules.load_criteria_set(write("b.toml", moved), registry))
    change = next(c for c in diff.rules if c["code"] == "2.3")
    assert change["old_code"] == "2.2"
    assert (change["old"]["rule"], change["new"]["rule"]) == ("yes_no", "proportional")


def test_diff_of_a_broken_set_reports_problems(pair, write, capsys):
    broken = write("broken.toml", OLD.replace("max_points = 4\n", "max_points = 5\n", 1))
    assert main(["diff", str(pair[0]), str(broken)]) == 1
    err = capsys.readouterr().err
    assert "children of '1' add up to 4" in err and "Traceback" not in err

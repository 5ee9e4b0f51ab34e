"""`parrules diff`: added, removed, renamed, moved, maxima and rules changed, in text and JSON."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

import parrules
from parrules.cli.main import main
from parrules.sets.diff import diff_sets, render_text

from ..sample_sets import CENTRAL


@pytest.fixture(autouse=True)
def _english():
    """These tests read the English texts of problems (a Vietnamese run is pinned in
    tests/sets/test_problem_language.py): the library speaks the voice active when a problem is made."""
    with parrules.speaking(language="en"):
        yield


OLD = CENTRAL

# The next year: "Báo cáo CCHC" was dropped, 1.1 renamed, "Bưu chính công ích" moved from 2.2 to 2.3,
# 2.2 is a new criterion, 2.1 is worth more and scored proportionally.
NEW = """
[set]
id = "par-2025"
name = "Bộ chỉ số 2025"
level = "department"
total_points = 10

[criteria."1"]
name = "Chỉ đạo, điều hành"
max_points = 2

[criteria."1.1"]
name = "Ban hành kế hoạch CCHC đúng hạn"
max_points = 2
rule = "yes_no"

[criteria."2"]
name = "Thủ tục hành chính"
max_points = 8

[criteria."2.1"]
name = "Hồ sơ  đúng hạn"
max_points = 5
rule = "proportional"

[criteria."2.2"]
name = "Số hóa hồ sơ"
max_points = 1
rule = "yes_no"

[criteria."2.3"]
name = "Bưu chính công ích"
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
    assert diff.removed == [{"code": "1.2", "name": "Báo cáo CCHC", "max_points": Decimal(2)}]
    assert diff.moved == [{"old_code": "2.2", "new_code": "2.3", "name": "Bưu chính công ích"}]
    assert diff.renamed == [{"code": "1.1", "old_name": "Kế hoạch CCHC",
                             "new_name": "Ban hành kế hoạch CCHC đúng hạn"}]  # "Hồ sơ  đúng hạn" is not a rename
    assert [(c["code"], c["old"], c["new"]) for c in diff.max_points] == [
        ("1", Decimal(4), Decimal(2)), ("2", Decimal(6), Decimal(8)), ("2.1", Decimal(4), Decimal(5))]
    (rule,) = diff.rules
    assert rule["code"] == "2.1"
    assert rule["old"] == {"rule": "bands", "params": {"bands": [
        {"from": Decimal(95), "points": Decimal(4)}, {"from": Decimal(80), "below": Decimal(95), "points": Decimal(2)},
        {"below": Decimal(80), "points": Decimal(0)}]}}
    assert rule["new"] == {"rule": "proportional"}
    assert {c["key"] for c in diff.set_changes} == {"id", "name", "bands"}  # NEW has no bands


def test_identical_sets_have_no_differences(pair, registry):
    old = parrules.load_criteria_set(pair[0], registry)
    diff = diff_sets(old, old)
    assert diff.empty
    assert render_text(diff).endswith("no differences\n")


def test_text_output(pair, capsys):
    assert main(["diff", "--lang", "en", str(pair[0]), str(pair[1])]) == 0
    out = capsys.readouterr().out
    assert "  + 2.2 Số hóa hồ sơ (1 points)" in out
    assert "  - 1.2 Báo cáo CCHC (2 points)" in out
    assert '  1.1: "Kế hoạch CCHC" → "Ban hành kế hoạch CCHC đúng hạn"' in out
    assert "  2.2 → 2.3: Bưu chính công ích" in out
    assert "  2.1: 4 → 5  Hồ sơ  đúng hạn" in out
    assert "      was: bands, bands = [{ from = 95, points = 4 }, { from = 80, below = 95, points = 2 }, " \
           "{ below = 80, points = 0 }]" in out
    assert "      now: proportional" in out
    assert "  id: central-2024 → par-2025" in out


def test_text_output_in_vietnamese(pair, capsys):
    assert main(["diff", "--lang", "vi", str(pair[0]), str(pair[1])]) == 0
    out = capsys.readouterr().out
    assert "\nthêm:\n  + 2.2 Số hóa hồ sơ (1 điểm)" in out
    assert "\nbỏ:\n  - 1.2 Báo cáo CCHC (2 điểm)" in out
    assert "\nthay đổi điểm tối đa:\n" in out and "\nthay đổi cách chấm:\n" in out
    assert "      trước: bands, bands = [{ from = 95" in out and "      nay: proportional" in out
    assert not [word for word in ("added", "removed", " points)", "was:", "now:", "criteria set") if word in out]


def test_json_output_to_file(pair, tmp_path):
    target = tmp_path / "out" / "diff.json"
    assert main(["diff", str(pair[0]), str(pair[1]), "--format", "json", "-o", str(target)]) == 0
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["format"] == "parrules.setdiff/1"
    assert data["old"]["id"] == "central-2024" and data["new"]["sha256"].startswith("sha256:")
    assert data["moved"] == [{"old_code": "2.2", "new_code": "2.3", "name": "Bưu chính công ích"}]
    assert data["rules"][0]["old"]["params"]["bands"][1] == {"from": 80, "below": 95, "points": 2}
    assert data["max_points"][2] == {"code": "2.1", "name": "Hồ sơ  đúng hạn", "old": 4, "new": 5}


def test_moved_criterion_with_changed_rule_names_both_codes(write, registry):
    old = parrules.load_criteria_set(write("a.toml", OLD), registry)
    moved = NEW.replace('name = "Bưu chính công ích"\nmax_points = 2\nrule = "yes_no"',
                        'name = "Bưu chính công ích"\nmax_points = 2\nrule = "proportional"')
    diff = diff_sets(old, parrules.load_criteria_set(write("b.toml", moved), registry))
    change = next(c for c in diff.rules if c["code"] == "2.3")
    assert change["old_code"] == "2.2"
    assert (change["old"]["rule"], change["new"]["rule"]) == ("yes_no", "proportional")


def test_diff_of_a_broken_set_reports_problems(pair, write, capsys):
    broken = write("broken.toml", OLD.replace("max_points = 4\n", "max_points = 5\n", 1))
    assert main(["diff", str(pair[0]), str(broken)]) == 1
    err = capsys.readouterr().err
    assert "children of '1' add up to 4" in err and "Traceback" not in err

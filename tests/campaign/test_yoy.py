"""Year over year: a unit that moved, across a set revised between the years through a code mapping."""

from __future__ import annotations

from decimal import Decimal

import pytest

import parrules
from parrules.campaign.ranking import rank_units
from parrules.campaign.yoy import compare, load_mapping, load_previous

from ..campaign_data import SET, hand_set, unit

REGISTRY = parrules.Registry(entry_points=False)

# 2025 revision: old 1.3 dropped (its 10 points moved to 1.2), old 2.1 renumbered 2.2 (max 20),
# old 2.2 renumbered 2.3, and a new 2.1.
NEW_SET = SET.replace('id = "hand"', 'id = "hand-2025"').split('[criteria."1"]')[0] + """
[criteria."1"]
name = "Lĩnh vực một"
max_points = 60

[criteria."1.1"]
name = "Tiêu chí 1.1"
max_points = 30
rule = "manual"

[criteria."1.2"]
name = "Tiêu chí 1.2 (gộp 1.3 cũ)"
max_points = 30
rule = "manual"

[criteria."2"]
name = "Lĩnh vực hai"
max_points = 40

[criteria."2.1"]
name = "Tiêu chí mới"
max_points = 5
rule = "manual"

[criteria."2.2"]
name = "Tiêu chí 2.1 cũ"
max_points = 20
rule = "manual"

[criteria."2.3"]
name = "Tiêu chí 2.2 cũ"
max_points = 15
rule = "manual"
"""

MAPPING = """
[mapping]
from_set = "hand"
to_set = "hand-2025"

[mapping.codes]
"1.3" = ""
"2.1" = "2.2"
"2.2" = "2.3"
"""


@pytest.fixture
def years(tmp_path):
    old_set = hand_set(tmp_path, SET, "old.toml")
    old = parrules.score_many(old_set, [
        unit("A", {"1.1": "30", "1.2": "20", "1.3": "10", "2.1": "25", "2.2": "5"}),   # 90
        unit("B", {"1.1": "30", "1.2": "20", "1.3": "10", "2.1": "20", "2.2": "5"}),   # 85
        unit("C", {"1.1": "24", "1.2": "20", "1.3": "10", "2.1": "20", "2.2": "0"}),   # 74
    ])
    previous = tmp_path / "results-2024.json"
    parrules.write_atomic(previous, parrules.to_json(old.to_dict()))  # what `parrules score --format json` writes
    new_set = hand_set(tmp_path, NEW_SET, "new.toml")
    new = parrules.score_many(new_set, [
        unit("A", {"1.1": "30", "1.2": "25", "2.1": "5", "2.2": "15", "2.3": "5"}),    # 80
        unit("B", {"1.1": "30", "1.2": "30", "2.1": "0", "2.2": "20", "2.3": "5"}),    # 85
        unit("C", {"1.1": "30", "1.2": "30", "2.1": "5", "2.2": "20", "2.3": "10"}),   # 95
        unit("N", {"1.1": "10"}),                                                      # new this year
    ])
    mapping_path = tmp_path / "mapping.toml"
    mapping_path.write_text(MAPPING, encoding="utf-8")
    return new_set, new, previous, mapping_path


def test_unit_that_moved_across_the_revised_set(years) -> None:
    new_set, new, previous, mapping_path = years
    ranking = rank_units(new_set, new.units)
    prev = load_previous(previous)
    yoy = compare(new_set, ranking.placings, prev, load_mapping(mapping_path, prev.criteria_set_id, new_set))
    c = yoy.units["C"]
    assert (c.index.previous, c.index.current, c.index.change) == (Decimal("74.00"), Decimal("95.00"), Decimal("21.00"))
    assert c.total.change == Decimal("21.00")
    assert (c.rank.previous, c.rank.current, c.rank.change) == (3, 1, 2)
    assert c.direction == "up"
    a = yoy.units["A"]
    assert (a.rank.previous, a.rank.current, a.rank.change, a.direction) == (1, 3, -2, "down")
    field2 = next(f for f in c.fields if f.code == "2")
    assert (field2.points.previous, field2.points.current, field2.points.change) == \
        (Decimal("20.00"), Decimal("35.00"), Decimal("15.00"))
    assert (field2.percent.previous, field2.percent.current, field2.percent.change) == \
        (Decimal("50.00"), Decimal("87.50"), Decimal("37.50"))
    assert (field2.rank.previous, field2.rank.current) == (3, 1)
    # Renumbered criteria compare with their predecessor; nothing is guessed for the rest.
    assert c.criteria["2.2"].previous == Decimal("20") and c.criteria["2.2"].change == Decimal("0")
    assert c.criteria["2.3"].previous == Decimal("0") and c.criteria["2.3"].change == Decimal("10")
    assert "2.1" not in c.criteria
    assert yoy.removed == ("1.3",)
    assert yoy.added == ("2.1",)
    assert yoy.missing_units == ("N",) and not yoy.units["N"].found


def test_without_a_mapping_renumbered_codes_are_compared_by_code(years) -> None:
    new_set, new, previous, _ = years
    ranking = rank_units(new_set, new.units)
    yoy = compare(new_set, ranking.placings, load_previous(previous))
    # Without the mapping old 2.1 is compared with new 2.1 — which is why a revised set needs one.
    assert yoy.units["C"].criteria["2.1"].previous == Decimal("20")
    assert "1.3" in yoy.removed and "2.3" in yoy.added


def test_mapping_to_an_unknown_code_names_file_line_and_key(years, tmp_path) -> None:
    new_set, _, _, _ = years
    bad = tmp_path / "bad.toml"
    bad.write_text('[mapping.codes]\n"2.1" = "2.2"\n"2.2" = "9.9"\n', encoding="utf-8")
    with pytest.raises(parrules.ProblemsError) as info:
        load_mapping(bad, "hand", new_set)
    problem = info.value.problems[0]
    assert problem.line == 3 and "9.9" in problem.message and problem.path == 'mapping.codes."2.2"'


def test_previous_file_that_is_not_results_is_refused(tmp_path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"format": "something"}', encoding="utf-8")
    with pytest.raises(parrules.ProblemsError) as info:
        load_previous(path)
    assert "not a parrules results file" in info.value.problems[0].message

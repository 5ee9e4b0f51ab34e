"""Year over year: a unit that moved, across a set revised between the years through a code mapping."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

import parrules
from parrules.campaign.ranking import rank_units
from parrules.campaign.yoy import compare, load_mapping, load_previous

from ..campaign_data import SET, hand_set, unit


@pytest.fixture(autouse=True)
def _english():
    """These tests read the English texts of problems (a Vietnamese run is pinned in
    tests/sets/test_problem_language.py): the library speaks the voice active when a problem is made."""
    with parrules.speaking(language="en"):
        yield


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


# -- the mapping checked against both years ------------------------------------------------------
def _mapping(tmp_path, text: str):
    path = tmp_path / "mapping.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_revision_mapping_passes_the_checks_against_both_years(years) -> None:
    new_set, _, previous, mapping_path = years
    mapping = load_mapping(mapping_path, load_previous(previous), new_set)
    assert mapping.codes == {"1.3": "", "2.1": "2.2", "2.2": "2.3"}


def test_an_old_code_last_year_does_not_have_is_a_typo_with_a_hint(years, tmp_path) -> None:
    new_set, _, previous, _ = years
    path = _mapping(tmp_path, '[mapping.codes]\n"1.3" = ""\n"21" = "2.2"\n"2.2" = "2.3"\n')
    with pytest.raises(parrules.ProblemsError) as info:
        load_mapping(path, load_previous(previous), new_set)
    [problem] = info.value.problems
    assert (problem.file, problem.path, problem.line) == (str(path), 'mapping.codes."21"', 3)
    assert "'21' is not a criterion of last year's results" in problem.message and "set 'hand'" in problem.message
    assert problem.hint == "did you mean '2.1'?"


def test_an_old_code_merged_into_one_that_keeps_its_code_must_say_so(years, tmp_path) -> None:
    new_set, new, previous, _ = years
    prev = load_previous(previous)
    # Old 1.3 folded into new 1.2; old 1.2 keeps its code implicitly: the two would be added silently.
    path = _mapping(tmp_path, '[mapping.codes]\n"2.1" = "2.2"\n"2.2" = "2.3"\n"1.3" = "1.2"\n')
    with pytest.raises(parrules.ProblemsError) as info:
        load_mapping(path, prev, new_set)
    [problem] = info.value.problems
    assert (problem.path, problem.line) == ('mapping.codes."1.3"', 4)
    assert "added together" in problem.message and '"1.2" = "1.2"' in problem.hint
    # Said explicitly, it is what the mapping means: last year's 1.2 + 1.3 compare with this year's 1.2.
    path.write_text('[mapping.codes]\n"2.1" = "2.2"\n"2.2" = "2.3"\n"1.3" = "1.2"\n"1.2" = "1.2"\n', encoding="utf-8")
    yoy = compare(new_set, rank_units(new_set, new.units).placings, prev, load_mapping(path, prev, new_set))
    change = yoy.units["C"].criteria["1.2"]
    assert (change.previous, change.current) == (Decimal("30"), Decimal("30"))
    assert "1.3" not in yoy.removed


# -- last year's results edited by hand -----------------------------------------------------------
def _edit(data: dict, keys: tuple, value: object) -> None:
    """Set (or, for DELETE, remove) the value at `keys` of a parsed JSON document."""
    target = data
    for key in keys[:-1]:
        target = target[key]
    if value is DELETE:
        del target[keys[-1]]
    else:
        target[keys[-1]] = value


DELETE = object()
HAND_EDITS = [  # (keys, new value, the key path the problem names, words of its message)
    (("units", 1, "total_points"), "85", "units[1].total_points", "must be a number"),
    (("units", 1, "total_points"), Decimal("1E+20"), "units[1].total_points", "larger than any figure"),
    (("units", 1, "total_points"), Decimal("1E+999999"), "units[1].total_points", "larger than any figure"),
    (("units", 0, "index"), True, "units[0].index", "must be a number"),
    (("units", 0, "index"), DELETE, "units[0].index", "is missing"),
    (("units", 2, "nodes", 0, "percent"), Decimal("1E-30"), "units[2].nodes[0].percent", "more precision"),
    (("units", 2, "nodes", 0, "points"), [1], "units[2].nodes[0].points", "must be a number"),
    (("units", 2, "nodes", 1), "1.1", "units[2].nodes[1]", "must be an object"),
    (("units", 2, "nodes"), {}, "units[2].nodes", "must be a list"),
    (("units", 2, "leaves", 0, "final_points"), "ten", "units[2].leaves[0].final_points", "must be a number"),
    (("units", 2, "leaves", 0, "code"), DELETE, "units[2].leaves[0].code", "is missing"),
    (("units", 2, "leaves", 1, "code"), "1.1", "units[2].leaves[1].code", "listed twice"),
    (("units", 1, "unit", "code"), 14, "units[1].unit.code", "must be a text"),
    (("units", 1, "unit", "code"), " ", "units[1].unit.code", "must not be empty"),
    (("units", 1, "unit"), {"name": "Sở B"}, "units[1].unit.code", "is missing"),
    (("units", 1, "unit", "code"), "A", "units[1].unit.code", "listed twice (also at units[0])"),
    (("units", 1, "unit", "name"), ["B"], "units[1].unit.name", "must be a text"),
    (("units", 1, "unit"), DELETE, "units[1].unit", "is missing"),
    (("units", 1, "band"), 5, "units[1].band", "must be a text or null"),
    (("units", 1), None, "units[1]", "must be an object"),
    (("units",), {"A": {}}, "units", "must be a list"),
    (("units",), DELETE, "units", "is missing"),
    (("criteria_set",), "hand", "criteria_set", "must be an object"),
    (("criteria_set", "id"), 2024, "criteria_set.id", "must be a text"),
    (("format",), "parrules.results/9", "format", "not a parrules results file"),
    (("format",), ["parrules.results/1"], "format", "not a parrules results file"),
]
RANK_EDITS = [  # on a campaign JSON, whose ranks are read from the file
    (("units", 0, "placing", "rank"), 0, "units[0].placing.rank", "a rank must be a whole number from 1"),
    (("units", 0, "placing", "rank"), -3, "units[0].placing.rank", "a rank must be a whole number from 1"),
    (("units", 0, "placing", "rank"), Decimal("1.5"), "units[0].placing.rank", "whole number"),
    (("units", 0, "placing", "rank"), True, "units[0].placing.rank", "whole number"),
    (("units", 0, "placing", "rank"), "1", "units[0].placing.rank", "not '1'"),
    (("units", 0, "placing", "field_ranks", "1"), 0, 'units[0].placing.field_ranks."1"', "whole number"),
    (("units", 0, "placing", "field_ranks"), [1, 2], "units[0].placing.field_ranks", "must be an object"),
    (("units", 0, "placing"), "first", "units[0].placing", "must be an object"),
    (("criteria_set", "criteria", 3), "1.3", "criteria_set.criteria[3]", "must be an object"),
]


def _previous(tmp_path, data: dict) -> Path:
    path = tmp_path / "edited.json"
    parrules.write_atomic(path, parrules.to_json(data))
    return path


@pytest.mark.parametrize(("keys", "value", "where", "words"), HAND_EDITS, ids=[e[2] + ":" + e[3] for e in HAND_EDITS])
def test_a_hand_edited_results_file_is_a_problem_naming_the_key(years, tmp_path, keys, value, where, words) -> None:
    _, _, previous, _ = years
    data = json.loads(previous.read_bytes(), parse_float=Decimal)
    load_previous(_previous(tmp_path, data))  # as written, it loads
    _edit(data, keys, value)
    path = _previous(tmp_path, data)
    with pytest.raises(parrules.ProblemsError) as info:
        load_previous(path)
    assert [(p.file, p.path) for p in info.value.problems] == [(str(path), where)]
    assert words in info.value.problems[0].message


@pytest.fixture
def campaign_json(tmp_path) -> Path:
    """A real campaign JSON (`parrules campaign -o`), with ranks."""
    from parrules.campaign.run import load_campaign, run_campaign

    from .test_campaign import write_campaign

    result = run_campaign(load_campaign(write_campaign(tmp_path / "last-year"), REGISTRY))
    path = tmp_path / "campaign.json"
    result.write_json(path)
    return path


@pytest.mark.parametrize(("keys", "value", "where", "words"), RANK_EDITS, ids=[e[2] + ":" + e[3] for e in RANK_EDITS])
def test_a_hand_edited_campaign_json_is_a_problem_naming_the_key(campaign_json, tmp_path, keys, value, where,
                                                                words) -> None:
    data = json.loads(campaign_json.read_bytes(), parse_float=Decimal)
    assert load_previous(campaign_json).units["SA"].rank == 1
    _edit(data, keys, value)
    path = _previous(tmp_path, data)
    with pytest.raises(parrules.ProblemsError) as info:
        load_previous(path)
    assert [p.path for p in info.value.problems] == [where]
    assert words in info.value.problems[0].message


def test_every_mistake_of_a_results_file_is_said_in_one_run(years, tmp_path) -> None:
    _, _, previous, _ = years
    data = json.loads(previous.read_bytes(), parse_float=Decimal)
    _edit(data, ("units", 0, "total_points"), "x")
    _edit(data, ("units", 2, "index"), Decimal("1E+400"))
    with pytest.raises(parrules.ProblemsError) as info:
        load_previous(_previous(tmp_path, data))
    assert [p.path for p in info.value.problems] == ["units[0].total_points", "units[2].index"]


def test_non_standard_json_in_previous_results_is_a_problem_of_the_file(years, tmp_path) -> None:
    _, _, previous, _ = years
    path = tmp_path / "nan.json"
    head, units = previous.read_bytes().split(b'"units"', 1)
    edited = re.sub(rb'"total_points": [0-9.]+', b'"total_points": NaN', units, count=1)
    assert edited != units
    path.write_bytes(head + b'"units"' + edited)
    with pytest.raises(parrules.ProblemsError) as info:
        load_previous(path)
    assert info.value.problems[0].file == str(path) and "NaN" in info.value.problems[0].message


def _key_paths(value: object, keys: tuple = ()) -> list[tuple]:
    """Every key path of a JSON value, lists followed into their first entry only."""
    out = [keys] if keys else []
    if isinstance(value, dict):
        for key, inner in value.items():
            out += _key_paths(inner, (*keys, key))
    elif isinstance(value, list) and value:
        out += _key_paths(value[0], (*keys, 0))
    return out


def test_any_value_edited_to_any_type_loads_or_is_a_problem_at_that_key(campaign_json, tmp_path) -> None:
    """Every key of a unit and of the file set to a value of another type: the file loads (a key the
    comparison does not read) or each problem names that key — never a traceback."""
    from parrules.errors import key_path

    base = json.loads(campaign_json.read_bytes(), parse_float=Decimal)
    paths = [p for p in _key_paths(base) if "gaps" not in p and p[:1] not in (("cohorts",), ("statistics",))]
    assert len(paths) > 60
    for keys in paths:
        for value in (None, "x", [], Decimal("-1E+30")):
            data = json.loads(campaign_json.read_bytes(), parse_float=Decimal)
            _edit(data, keys, value)
            path = _previous(tmp_path, data)
            try:
                load_previous(path)
            except parrules.ProblemsError as exc:
                assert all(p.file == str(path) and p.path.startswith(key_path(*keys)) for p in exc.problems), \
                    (keys, value, [str(p) for p in exc.problems])

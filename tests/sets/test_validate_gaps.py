"""Bands that leave a gap are reported by `validate` (docs/authoring.md promises it), with the key.

A rate in the gap used to pass validation and then error its criterion in every unit that declared
it, so the unit's figure was incomplete; the same set now stops at `validate`, before any run.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

import parrules
from parrules.amounts import gaps

from .cli_cases import run


@pytest.fixture(autouse=True)
def _english():
    """These tests read the English texts of problems (a Vietnamese run is pinned in
    tests/sets/test_problem_language.py): the library speaks the voice active when a problem is made."""
    with parrules.speaking(language="en"):
        yield


HEAD = '[set]\nid = "t"\nname = "Thử"\nlevel = "department"\ntotal_points = 4\n'
LEAF = '[criteria."1"]\nname = "Tỷ lệ đúng hạn"\nmax_points = 4\nrule = "bands"\n'


def _validate(tmp_path, capsys, text: str):
    path = tmp_path / "set.toml"
    path.write_text(text, encoding="utf-8")
    return run(capsys, "validate", path), str(path)


@pytest.mark.parametrize("bands", [
    "[{ from = 95, points = 4 }, { from = 80, below = 90, points = 2 }, { below = 80, points = 0 }]",
    "[{ below = 80, points = 0 }, { from = 80, below = 90, points = 2 }, { from = 95, points = 4 }]",  # lowest first
])
def test_a_gap_between_a_leafs_bands_is_reported_at_the_bands_key(bands, tmp_path, capsys):
    ran, file = _validate(tmp_path, capsys, HEAD + LEAF + f"bands = {bands}\n")
    assert ran.code == 1 and ran.err.count("error: ") == 1, ran.err
    assert ran.names(file, 'criteria."1".bands', 10), ran.err
    assert ("bands leave 90 to below 95 uncovered, between 80–<90 and ≥95: end the lower band below 95, or start "
            "the upper one from 90") in ran.err


def test_the_set_with_a_gap_would_have_errored_a_unit_in_the_gap(tmp_path):
    """What validate now refuses is what scoring could not score: 92 % falls in no band."""
    text = HEAD + LEAF + "bands = [{ from = 95, points = 4 }, { from = 80, below = 90, points = 2 }]\n"
    with pytest.raises(parrules.ProblemsError) as caught:
        parrules.criteria_set_from_text(text, parrules.Registry(entry_points=False))
    assert "90 to below 95 uncovered" in caught.value.problems[0].message
    closed = text.replace("below = 90", "below = 95")
    criteria = parrules.criteria_set_from_text(closed, parrules.Registry(entry_points=False))
    leaf = parrules.score(criteria, parrules.submission_from_dict(
        {"unit": {"code": "U", "name": "U"}, "answers": {"1": Decimal(92)}})).leaf("1")
    assert leaf.final_points == Decimal("2.00")


def test_overlapping_bands_give_the_overlap_and_no_false_gap(tmp_path, capsys):
    bands = "[{ from = 0, below = 100, points = 1 }, { from = 10, below = 20, points = 2 }, { from = 50, points = 4 }]"
    ran, file = _validate(tmp_path, capsys, HEAD + LEAF + f"bands = {bands}\n")
    assert ran.code == 1 and "overlap" in ran.err and "uncovered" not in ran.err, ran.err


def test_open_ends_are_not_gaps(tmp_path, capsys, registry):
    """Below the lowest band and from the highest on, a value matches no band by the set's choice."""
    text = HEAD + LEAF + "bands = [{ from = 90, points = 4 }, { from = 50, below = 90, points = 2 }]\n"
    path = tmp_path / "set.toml"
    path.write_text(text, encoding="utf-8")
    assert parrules.load_criteria_set(path, registry).leaves == ("1",)


def test_a_gap_between_the_sets_bands_is_reported(tmp_path, capsys):
    head = HEAD + 'bands = [{ code = "A", from = 90 }, { code = "B", from = 70, below = 80 }, { code = "C", below = 70 }]\n'
    ran, file = _validate(tmp_path, capsys, head + LEAF.replace('rule = "bands"', 'rule = "yes_no"'))
    assert ran.code == 1 and ran.err.count("error: ") == 1, ran.err
    assert ran.names(file, "set.bands", 6), ran.err
    assert "no band covers an index from 80 to below 90: between bands 'B' and 'A'" in ran.err


def test_gaps_reads_bounds_as_overlapping_does():
    def bounds(r):
        return r

    d = Decimal
    assert gaps([(d(95), None), (d(80), d(90)), (None, d(80))], bounds) == [((d(80), d(90)), (d(95), None))]
    assert gaps([(None, d(80)), (d(80), None)], bounds) == []  # they meet: 80 is in the upper one
    assert gaps([(d(0), d(100)), (d(10), d(20)), (d(50), d(60))], bounds) == []  # the first covers the room
    assert gaps([(d(90), None)], bounds) == [] and gaps([], bounds) == []

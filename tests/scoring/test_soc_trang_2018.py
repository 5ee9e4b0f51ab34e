"""Sóc Trăng in the 2018 provincial PAR Index: the engine must reproduce what Bộ Nội vụ published.

Published (seed 004, baosoctrang.org.vn): field points 7.93/9, 9.09/10, 10.49/13, 9.43/12, 10.50/13.5,
7.66/12.5, 9.55/13.5, 13.70/16.5; percentages 88.11 / 90.90 / 80.69 / 78.58 / 77.78 / 61.28 / 70.74 /
83.03; total 78.35; group B (75 % to under 80 %). The example submission carries appraisal rounds by
Bộ Nội vụ whose split across sub-criteria is illustrative; the sums, percentages and band are the
engine's own arithmetic.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

import parrules

ROOT = Path(__file__).resolve().parents[2]
CAMPAIGN = ROOT / "examples" / "province-2018"
PUBLISHED = {
    "1": ("7.93", "88.11"), "2": ("9.09", "90.90"), "3": ("10.49", "80.69"), "4": ("9.43", "78.58"),
    "5": ("10.50", "77.78"), "6": ("7.66", "61.28"), "7": ("9.55", "70.74"), "8": ("13.70", "83.03"),
}
DATA = {name: CAMPAIGN / "data" / f"{name}.csv" for name in ("dossiers", "services", "register", "survey")}


@pytest.fixture(scope="module")
def result() -> parrules.UnitResult:
    criteria = parrules.load_criteria_set(ROOT / "criteria_sets" / "par-province-2018.toml")
    submission = parrules.load_submission(CAMPAIGN / "submissions" / "94.toml")
    assert submission.name == "Sóc Trăng"
    return parrules.score(criteria, submission, data=DATA)


def test_total_and_band_as_published(result: parrules.UnitResult) -> None:
    assert result.total_points == Decimal("78.35")
    assert result.index == Decimal("78.35")
    assert result.band == "B"


def test_every_field_as_published(result: parrules.UnitResult) -> None:
    fields = {node.code: node for node in result.nodes if node.depth == 0}
    assert set(fields) == set(PUBLISHED)
    for code, (points, pct) in PUBLISHED.items():
        assert fields[code].points == Decimal(points), code
        assert fields[code].percent == Decimal(pct), code


def test_every_leaf_is_appraised_by_the_ministry(result: parrules.UnitResult) -> None:
    for leaf in result.leaves:
        assert leaf.final_stage == "appraisal", leaf.code
        assert leaf.appraisals[-1].by == "Bộ Nội vụ", leaf.code
        assert not [f for f in leaf.flags if f.kind == "error"], (leaf.code, leaf.flags)


def test_rounding_would_show_if_a_leaf_changed(result: parrules.UnitResult) -> None:
    """The published totals are not echoed: they are the sum of 76 appraised leaves."""
    assert len(result.leaves) == 76
    total = sum((leaf.final_points for leaf in result.leaves if leaf.final_points is not None), Decimal(0))
    assert total == Decimal("78.35")

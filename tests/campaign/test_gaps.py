"""Gap analysis: losses largest first with their explanation, and targets checked by re-scoring."""

from __future__ import annotations

from decimal import Decimal

import parrules
from parrules.campaign.gaps import analyse
from parrules.campaign.ranking import rank_units

from ..campaign_data import hand_set, unit

REGISTRY = parrules.Registry(entry_points=False)


def _rank(criteria, subs):
    run = parrules.score_many(criteria, subs)
    return rank_units(criteria, run.units)


def _subs(extra_appraisals: dict[str, str] | None = None):
    # Target unit T: 1.1 24/30, 1.2 14/20 (appraised down from 20), 1.3 9/10, 2.1 20/25, 2.2 7/15 = 74 (band C).
    target = unit("T", {"1.1": "24", "1.2": "20", "1.3": "9", "2.1": "20", "2.2": "7"},
                  appraisals={"1.2": "14", **(extra_appraisals or {})})
    return [unit("A", {"1.1": "30", "1.2": "20", "1.3": "10", "2.1": "25", "2.2": "5"}),  # 90
            unit("B", {"1.1": "30", "1.2": "20", "1.3": "10", "2.1": "20", "2.2": "5"}),  # 85
            target]


def test_losses_largest_first_with_explanations(tmp_path) -> None:
    criteria = hand_set(tmp_path)
    ranking = _rank(criteria, _subs())
    gaps = analyse(criteria, ranking)["T"]
    assert [(loss.code, loss.lost) for loss in gaps.losses] == [
        ("2.2", Decimal("8")), ("1.1", Decimal("6")), ("1.2", Decimal("6")), ("2.1", Decimal("5")), ("1.3", Decimal("1"))]
    appraised = next(loss for loss in gaps.losses if loss.code == "1.2")
    assert appraised.explanation == "Thẩm định lần 1: 14 điểm — thẩm định"


def test_fewest_criteria_to_next_band_and_rank_reach_them_when_rescored(tmp_path) -> None:
    criteria = hand_set(tmp_path)
    ranking = _rank(criteria, _subs())
    t = ranking.placing("T")
    assert (t.unit.index, t.unit.band, t.rank) == (Decimal("74.00"), "C", 3)
    gaps = analyse(criteria, ranking)["T"]

    band = gaps.next_band
    assert band is not None and band.label == "B" and band.reachable
    assert band.criteria == ("2.2",)  # +8 -> 82: one criterion is enough, and it reaches A as well
    rank = gaps.next_rank
    assert rank is not None and rank.label == "2" and rank.needed_index == Decimal("85.00")
    assert rank.criteria == ("2.2", "1.1")  # 74 + 8 + 6 = 88 >= 85; 2.2 alone (82) is not enough

    # Re-score with the suggested criteria at full marks (appraisal rounds at max): the targets are met.
    full = {code: str(criteria.nodes[code].max_points) for code in rank.criteria}
    again = _rank(criteria, _subs({**full}))
    t2 = again.placing("T")
    assert t2.unit.index == rank.resulting_index == Decimal("88.00")
    assert t2.rank == 2 and t2.unit.band == "A"
    only_band = _rank(criteria, _subs({code: str(criteria.nodes[code].max_points) for code in band.criteria}))
    assert only_band.placing("T").unit.band in ("B", "A")
    assert only_band.placing("T").rank == 3  # the band target alone does not lift the rank: both answers differ


def test_minimal_means_one_fewer_criterion_falls_short(tmp_path) -> None:
    criteria = hand_set(tmp_path)
    ranking = _rank(criteria, _subs())
    rank = analyse(criteria, ranking)["T"].next_rank
    assert rank is not None
    fewer = {code: str(criteria.nodes[code].max_points) for code in rank.criteria[:-1]}
    assert _rank(criteria, _subs(fewer)).placing("T").rank == 3
    # No single criterion is enough: the largest single loss is 8 points (74 + 8 = 82 < 85).
    assert max(loss.lost for loss in analyse(criteria, ranking)["T"].losses) == Decimal("8")


def test_top_unit_has_no_rank_target_and_top_band_no_band_target(tmp_path) -> None:
    criteria = hand_set(tmp_path)
    gaps = analyse(criteria, _rank(criteria, _subs()))["A"]
    assert gaps.next_rank is None and gaps.next_band is None
    assert [loss.code for loss in gaps.losses] == ["2.2"]

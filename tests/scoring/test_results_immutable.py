"""Units in the same situation share one result object; nothing done through one unit's result can
show up on another's, because there is nothing to change."""

from __future__ import annotations

import dataclasses

import pytest

import parrules
from parrules.testing import build_set, build_submission

CRITERIA = {
    "1": {"name": "Lĩnh vực một", "max_points": 4},
    "1.1": {"name": "Có kế hoạch", "max_points": 2, "rule": "yes_no"},
    "1.2": {"name": "Tỷ lệ đúng hạn", "max_points": 2, "rule": "bands",
            "bands": [{"from": 90, "points": 2}, {"below": 90, "points": 0}]},
}


@pytest.fixture
def twins() -> tuple[parrules.UnitResult, parrules.UnitResult]:
    criteria = build_set(CRITERIA)
    subs = [build_submission(code, answers={"1.1": False, "1.2": 80}) for code in ("A", "B")]
    run = parrules.score_many(criteria, subs)
    return run.unit("A"), run.unit("B")


def test_units_in_the_same_situation_share_results(twins: tuple[parrules.UnitResult, ...]) -> None:
    a, b = twins
    assert a.leaf("1.1") is b.leaf("1.1")  # shared: which is why it must not change
    assert a.node("1") is b.node("1")


def test_a_shared_leaf_cannot_be_changed_through_one_unit(twins: tuple[parrules.UnitResult, ...]) -> None:
    a, b = twins
    before = b.leaf("1.1").to_dict()
    leaf = a.leaf("1.1")
    with pytest.raises(dataclasses.FrozenInstanceError):
        leaf.final_points = leaf.max_points  # type: ignore[misc]
    with pytest.raises(AttributeError):
        leaf.flags.append(parrules.Flag("note", "added by a web app"))  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        leaf.appraisals[0] = None  # type: ignore[index]
    assert b.leaf("1.1").to_dict() == before


def test_a_shared_node_and_the_unit_cannot_be_changed(twins: tuple[parrules.UnitResult, ...]) -> None:
    a, b = twins
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.nodes[0].points = parrules.to_decimal(99)  # type: ignore[misc]
    with pytest.raises(TypeError):
        a.nodes[0] = b.nodes[0]  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.total_points = parrules.to_decimal(99)  # type: ignore[misc]
    with pytest.raises(AttributeError):
        a.warnings.append("x")  # type: ignore[attr-defined]
    assert b.node("1").points == a.node("1").points == parrules.to_decimal(0)


def test_a_shared_table_answer_cannot_be_changed_through_one_unit() -> None:
    criteria = build_set({"1": {"name": "Khảo sát", "max_points": 2, "rule": "survey",
                                "weights": {"A": 100, "B": 0}}}, registry=parrules.Registry(entry_points=False))
    answers = {"1": {"A": 3, "B": 1}}
    run = parrules.score_many(criteria, [build_submission(code, answers=answers) for code in ("A", "B")])
    a, b = run.unit("A"), run.unit("B")
    with pytest.raises(TypeError):
        a.leaf("1").declared["A"] = 99  # type: ignore[index]
    assert b.leaf("1").to_dict()["declared"] == {"A": 3, "B": 1}
    assert b.leaf("1").final_points == parrules.to_decimal("1.50")


def test_results_still_compare_by_value(twins: tuple[parrules.UnitResult, ...]) -> None:
    a, b = twins
    again = parrules.score_many(build_set(CRITERIA, registry=parrules.Registry(entry_points=False)),
                                [build_submission("A", answers={"1.1": False, "1.2": 80})]).unit("A")
    assert again is not a and again == a and again.leaf("1.2") == a.leaf("1.2")
    assert a != b  # another unit


def test_every_result_type_is_frozen_and_slotted() -> None:
    from parrules.campaign.gaps import GapAnalysis, Loss, Target
    from parrules.campaign.ranking import Cohort, FieldStats, Placing, Ranking, Statistics
    from parrules.campaign.yoy import Change, FieldChange, RankChange, UnitChange, YearOverYear
    from parrules.scoring.results import AppraisalRound, UnitInfo

    for kind in (parrules.Flag, AppraisalRound, parrules.LeafResult, parrules.NodeResult, UnitInfo,
                 parrules.Provenance, parrules.UnitResult, parrules.RunResult, Loss, Target, GapAnalysis,
                 FieldStats, Statistics, Placing, Cohort, Ranking, Change, RankChange, FieldChange, UnitChange,
                 YearOverYear, parrules.CampaignResult):
        params = kind.__dataclass_params__  # type: ignore[attr-defined]
        assert params.frozen, kind
        assert hasattr(kind, "__slots__"), kind
        for f in dataclasses.fields(kind):
            assert "list[" not in str(f.type) and "dict[" not in str(f.type), (kind, f.name, f.type)


def test_the_cheap_constructor_keeps_the_dataclass_signature() -> None:
    import inspect

    from parrules.campaign.gaps import Target

    for kind in (parrules.LeafResult, parrules.NodeResult, parrules.UnitResult, Target):
        params = list(inspect.signature(kind.__init__).parameters)[1:]
        assert params == [f.name for f in dataclasses.fields(kind)], kind
    flag = parrules.Flag(kind="error", message="m")  # keywords work as the dataclass's did
    assert flag == parrules.Flag("error", "m") and repr(flag) == "Flag(kind='error', message='m')"
    target = Target("band", "A", parrules.to_decimal(80))
    assert target.criteria == () and target.reachable is True  # defaults kept

"""Ranking within cohorts: shared ranks, tie-breaks, per-field ranks, band edges, mean and median."""

from __future__ import annotations

from decimal import Decimal

import parrules
from parrules.campaign.ranking import competition_ranks, rank_units

from ..campaign_data import SET, hand_set, split, unit


def test_competition_ranks_share_and_skip() -> None:
    ranks = competition_ranks({"a": (Decimal("90"),), "b": (Decimal("85"),), "c": (Decimal("85"),),
                               "d": (Decimal("70"),), "e": None})
    assert ranks == {"a": 1, "b": 2, "c": 2, "d": 4, "e": None}


def _run(tmp_path, subs, **kwargs):
    criteria = hand_set(tmp_path)
    run = parrules.score_many(criteria, subs)
    return criteria, rank_units(criteria, run.units, **kwargs)


def test_departments_and_districts_are_ranked_apart_with_ties_shared(tmp_path) -> None:
    subs = [unit("D1", split("90")), unit("D2", split("85.5")), unit("D3", split("85.5")), unit("D4", split("70")),
            unit("H1", split("60"), kind="district"), unit("H2", split("95"), kind="district")]
    _, ranking = _run(tmp_path, subs)
    assert [c.name for c in ranking.cohorts] == ["departments", "districts"]
    departments = {p.unit.unit.code: p.rank for p in ranking.cohorts[0].placings}
    assert departments == {"D1": 1, "D2": 2, "D3": 2, "D4": 4}
    districts = {p.unit.unit.code: (p.rank, p.cohort_size) for p in ranking.cohorts[1].placings}
    assert districts == {"H2": (1, 2), "H1": (2, 2)}
    # Display order: by rank, ties by name.
    assert [p.unit.unit.code for p in ranking.cohorts[0].placings] == ["D1", "D2", "D3", "D4"]


def test_declared_tie_break_splits_what_it_can(tmp_path) -> None:
    # D2 and D3 both 85.5, but D3 has more in field 1; D4 and D5 are equal in everything.
    subs = [unit("D2", {"1.1": "30", "1.2": "10", "2.1": "25", "2.2": "15", "1.3": "5.5"}),
            unit("D3", {"1.1": "30", "1.2": "20", "1.3": "10", "2.1": "25", "2.2": "0.5"}),
            unit("D4", split("70")), unit("D5", split("70"))]
    _, ranking = _run(tmp_path, subs, tie_break=["field:1"])
    ranks = {p.unit.unit.code: p.rank for p in ranking.placings}
    assert ranks == {"D3": 1, "D2": 2, "D4": 3, "D5": 3}
    fields = {p.unit.unit.code: p.field_ranks for p in ranking.placings}
    # Field 1: D3 60, D4 60, D5 60 (shared 1st), D2 45.5; field 2: D2 40, D3 25.5, D4 = D5 10.
    assert fields["D3"] == {"1": 1, "2": 2}
    assert fields["D2"] == {"1": 4, "2": 1}
    assert fields["D4"] == fields["D5"] == {"1": 1, "2": 3}


def test_band_edge_exactly_80_percent_is_the_higher_band(tmp_path) -> None:
    subs = [unit("E1", split("80.00")), unit("E2", split("79.99")), unit("E3", split("75")), unit("E4", split("74.99"))]
    criteria, ranking = _run(tmp_path, subs)
    bands = {p.unit.unit.code: (p.unit.index, p.unit.band) for p in ranking.placings}
    assert bands == {"E1": (Decimal("80.00"), "A"), "E2": (Decimal("79.99"), "B"),
                     "E3": (Decimal("75.00"), "B"), "E4": (Decimal("74.99"), "C")}
    assert ranking.statistics.band_counts == {"A": 1, "B": 2, "C": 1}


def test_mean_and_median_overall_and_per_field_rounded_as_the_set_says(tmp_path) -> None:
    subs = [unit("D1", split("90")), unit("D2", split("85.5")), unit("D3", split("70")),
            unit("D4", {"1.1": "10", "1.2": "0", "1.3": "0", "2.1": "20", "2.2": "0"})]
    _, ranking = _run(tmp_path, subs)
    stats = ranking.statistics
    # (90 + 85.5 + 70 + 30) / 4 = 68.875 -> 68.88 (half up); median (70 + 85.5) / 2 = 77.75
    assert stats.mean_index == Decimal("68.88")
    assert stats.median_index == Decimal("77.75")
    # Field 1 (max 60): 60, 60, 60, 10 -> mean 47.5 points, median 60; percent 79.17 (79.1666…)
    field = stats.fields["1"]
    assert (field.mean_points, field.median_points) == (Decimal("47.50"), Decimal("60.00"))
    assert field.mean_percent == Decimal("79.17")
    # Field 2 (max 40): 30, 25.5, 10, 20 -> mean 21.375 -> 21.38; median (20 + 25.5) / 2 = 22.75
    assert (stats.fields["2"].mean_points, stats.fields["2"].median_points) == (Decimal("21.38"), Decimal("22.75"))


def test_campaign_cohorts_override_the_set_and_unknown_kinds_rank_together(tmp_path) -> None:
    subs = [unit("D1", split("90")), unit("H1", split("95"), kind="district")]
    _, ranking = _run(tmp_path, subs, cohorts={"tất cả": ["department", "district"]})
    assert [(c.name, [p.rank for p in c.placings]) for c in ranking.cohorts] == [("tất cả", [1, 2])]


def test_a_unit_whose_figure_is_incomplete_is_not_ranked_nor_counted_in_the_statistics(tmp_path) -> None:
    """U3 left 1.3 and 2.2 unanswered: its 70 points are not a complete figure, so it gets no rank and
    no band count, and the means and medians are those of the complete units."""
    subs = [unit("U1", split("90")), unit("U2", split("80")), unit("U3", {"1.1": "30", "1.2": "20", "2.1": "20"})]
    _, ranking = _run(tmp_path, subs)
    places = {p.unit.unit.code: p.rank for p in ranking.placings}
    assert places == {"U1": 1, "U2": 2, "U3": None}
    u3 = next(p.unit for p in ranking.placings if p.unit.unit.code == "U3")
    assert [(leaf.code, leaf.status) for leaf in u3.incomplete] == [("1.3", "not_evaluated"), ("2.2", "not_evaluated")]
    stats = ranking.statistics
    assert (stats.units, stats.ranked) == (3, 2)
    assert stats.band_counts["incomplete"] == 1 and stats.mean_index == Decimal("85.00")


# A set with a field that may be N/A (2) and a penalty part (P): the points are what each unit says.
_NA_AND_PENALTY = SET.replace('''[criteria."2.1"]
name = "Tiêu chí 2.1"
max_points = 25
rule = "manual"
''', '''[criteria."2.1"]
name = "Tiêu chí 2.1"
max_points = 25
rule = "manual"
allow_na = true
''').replace('''[criteria."2.2"]
name = "Tiêu chí 2.2"
max_points = 15
rule = "manual"
''', '''[criteria."2.2"]
name = "Tiêu chí 2.2"
max_points = 15
rule = "manual"
allow_na = true

[criteria."P"]
name = "Điểm trừ"
max_points = 5
role = "penalty"

[criteria."P.1"]
name = "Vi phạm kỷ luật hành chính"
max_points = 5
rule = "penalty"
per_item = 1
''')


def _own(code: str, points: dict[str, str], name: str | None = None, cohort: str = "") -> parrules.Submission:
    """A unit whose self-assessment is `points` as given ("na" stays "na"); P.1 is a count of violations."""
    return parrules.submission_from_dict({
        "unit": {"code": code, "name": name or f"Đơn vị {code}", "kind": "department", "period": 2024,
                 **({"cohort": cohort} if cohort else {})},
        "answers": {"P.1": int(points["P.1"])},
        "self_assessment": {c: p if p == "na" else Decimal(p) for c, p in points.items() if c != "P.1"}})


def _rank_own(tmp_path, subs, **kwargs):
    criteria = hand_set(tmp_path, _NA_AND_PENALTY)
    return rank_units(criteria, parrules.score_many(criteria, subs).units, **kwargs)


def _full(**changes: str) -> dict[str, str]:
    points = {"1.1": "30", "1.2": "20", "1.3": "10", "2.1": "25", "2.2": "15", "P.1": "0"}
    points.update({code.replace("_", "."): value for code, value in changes.items()})
    return points


def test_the_least_penalised_unit_ranks_first_on_the_penalty_part(tmp_path) -> None:
    subs = [_own("A", _full(P_1="5")), _own("B", _full(P_1="0")), _own("C", _full(P_1="2"))]
    ranking = _rank_own(tmp_path, subs)
    penalty = {p.unit.unit.code: p.field_ranks["P"] for p in ranking.placings}
    assert penalty == {"B": 1, "C": 2, "A": 3}
    overall = {p.unit.unit.code: p.rank for p in ranking.placings}
    assert overall == {"B": 1, "C": 2, "A": 3}  # the same order as the totals: 100, 98, 95


def test_field_ranks_split_ties_by_the_declared_tie_break(tmp_path) -> None:
    # Field 1 is full (100 %) for both; the tie-break (total points) puts H above L on field 1 too.
    subs = [_own("L", _full(**{"2_1": "10"})), _own("H", _full(**{"2_1": "20"}))]
    split_ = {p.unit.unit.code: p.field_ranks["1"] for p in _rank_own(tmp_path, subs, tie_break=["total_points"]).placings}
    assert split_ == {"H": 1, "L": 2}
    shared = {p.unit.unit.code: p.field_ranks["1"] for p in _rank_own(tmp_path, subs).placings}
    assert shared == {"H": 1, "L": 1}  # no tie-break declared: equal percentages share the rank


def test_a_field_that_is_na_is_left_out_of_its_points_and_percent_statistics_alike(tmp_path) -> None:
    subs = [_own("X", _full(**{"2_1": "na", "2_2": "na"})), _own("Y", _full(**{"2_1": "5", "2_2": "15"})),
            _own("Z", _full())]
    stats = _rank_own(tmp_path, subs).statistics.fields["2"]
    # Y 20 of 40 (50 %), Z 40 of 40 (100 %); X has nothing applicable in field 2: not a 0.
    assert (stats.mean_points, stats.median_points) == (Decimal("30.00"), Decimal("30.00"))
    assert (stats.mean_percent, stats.median_percent) == (Decimal("75.00"), Decimal("75.00"))
    assert stats.units == 2
    assert stats.to_dict()["units"] == 2
    assert _rank_own(tmp_path, subs).statistics.fields["1"].units == 3


def test_units_sharing_a_rank_are_listed_in_vietnamese_alphabetical_order(tmp_path) -> None:
    names = ["Tuy Đức", "Đắk R'Lấp", "Đắk Mil", "Cư Jút", "Dương Minh Châu"]
    subs = [_own(f"U{i}", _full(), name=n) for i, n in enumerate(names)] + [_own("Z", _full(P_1="1"), name="Ân Thi")]
    ranking = _rank_own(tmp_path, subs)
    listed = [(p.rank, p.unit.unit.name) for p in ranking.placings]
    assert listed == [(1, "Cư Jút"), (1, "Dương Minh Châu"), (1, "Đắk Mil"), (1, "Đắk R'Lấp"), (1, "Tuy Đức"),
                      (6, "Ân Thi")]


def test_cohorts_nobody_declared_are_listed_in_vietnamese_alphabetical_order(tmp_path) -> None:
    """Cohorts the set declares come in its order; those only units name (their own `cohort`) after
    them, alphabetically as a reader expects: Đ after D, before T (code-point order puts Đ last)."""
    subs = [_own("T", _full(), cohort="Thị xã"), _own("D", _full(), cohort="Đô thị"),
            _own("B", _full(), cohort="Bình Dương"), _own("S", _full())]
    ranking = _rank_own(tmp_path, subs)
    assert [c.name for c in ranking.cohorts] == ["departments", "Bình Dương", "Đô thị", "Thị xã"]


def test_a_tie_break_on_the_penalty_part_puts_the_least_penalised_first(tmp_path) -> None:
    # Both total 98: A lost 2 points in field 1, B was penalised 2 points.
    subs = [_own("B", _full(P_1="2")), _own("A", _full(**{"1_1": "28"}))]
    ranks = {p.unit.unit.code: p.rank for p in _rank_own(tmp_path, subs, tie_break=["field:P"]).placings}
    assert ranks == {"A": 1, "B": 2}


def _last_year(tmp_path, subs):
    """Last year's results as `parrules score --format json` writes them (no ranks: they are recomputed)."""
    from parrules.campaign.yoy import load_previous

    criteria = hand_set(tmp_path, _NA_AND_PENALTY)
    path = tmp_path / "last-year.json"
    path.write_bytes(parrules.to_json(parrules.score_many(criteria, subs).to_dict()))
    return load_previous(path)


def test_last_years_penalty_ranks_are_recomputed_the_same_way(tmp_path) -> None:
    from parrules.campaign.yoy import compare

    subs = [_own("A", _full(P_1="5")), _own("B", _full(P_1="0")), _own("C", _full(P_1="2"))]
    previous = _last_year(tmp_path, subs)
    ranking = _rank_own(tmp_path, subs)  # the same figures this year: no rank moved
    changes = compare(hand_set(tmp_path, _NA_AND_PENALTY), ranking.placings, previous).units
    penalty = {code: next(f.rank for f in change.fields if f.code == "P") for code, change in changes.items()}
    assert {code: (r.previous, r.current, r.change) for code, r in penalty.items()} == {
        "A": (3, 3, 0), "B": (1, 1, 0), "C": (2, 2, 0)}


def test_no_change_is_computed_from_an_incomplete_figure(tmp_path) -> None:
    from parrules.campaign.yoy import compare

    previous = _last_year(tmp_path, [_own("A", _full()), _own("B", _full())])
    gap = _full()
    del gap["2.2"]  # nothing scores 2.2 this year: B's 85 is not a complete figure
    ranking = _rank_own(tmp_path, [_own("A", _full(**{"1_1": "28"})), _own("B", gap)])
    changes = compare(hand_set(tmp_path, _NA_AND_PENALTY), ranking.placings, previous).units
    assert changes["A"].total.change == Decimal("-2")
    assert (changes["B"].total.previous, changes["B"].total.change, changes["B"].index.change) == (
        Decimal("100"), None, None)
    assert all(f.points.change is None for f in changes["B"].fields)

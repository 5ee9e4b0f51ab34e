"""Every built-in rule kind at its boundaries, scored through the engine as a user would."""

from decimal import Decimal as D

import pytest

import parrules


def score_one(make_set, make_sub, criterion: str, answer: str, registry, max_points: str = "1"):
    criteria = make_set(f'[criteria."1"]\nname = "Tiêu chí"\nmax_points = {max_points}\n{criterion}',
                        total=max_points)
    result = parrules.score(criteria, make_sub(f'[answers]\n"1" = {answer}\n'))
    return result.leaf("1")


BANDS = """rule = "bands"
bands = [ { from = 100, points = 1 }, { from = 90, below = 100, points = 0.5 }, { below = 90, points = 0 } ]
"""


@pytest.mark.parametrize(("rate", "points"), [
    ("100", "1"), ("100.0", "1"), ("99.99", "0.5"), ("90", "0.5"), ("89.99", "0"), ("0", "0"),
])
def test_bands_lower_bound_inclusive_upper_exclusive(make_set, make_sub, registry, rate, points):
    leaf = score_one(make_set, make_sub, BANDS, rate, registry)
    assert leaf.final_points == D(points)


def test_bands_explanation_reads_like_the_form(make_set, make_sub, registry):
    leaf = score_one(make_set, make_sub, BANDS, "95", registry)
    assert leaf.explanation == "95 % → mức từ 90 % đến dưới 100 % → 0,5/1 điểm"


def test_bands_percent_of_maximum(make_set, make_sub, registry):
    crit = 'rule = "bands"\nbands = [ { from = 80, percent = 100 }, { from = 50, below = 80, percent = 50 } ]\n'
    assert score_one(make_set, make_sub, crit, "79.9", registry, "3").final_points == D("1.50")
    leaf = score_one(make_set, make_sub, crit, "49", registry, "3")
    assert leaf.status == "error" and "không có mức nào bao gồm 49 %" in leaf.error


@pytest.mark.parametrize(("answer", "points"), [("true", "2"), ("false", "0"), ('"có"', "2"), ('"không"', "0")])
def test_yes_no(make_set, make_sub, registry, answer, points):
    leaf = score_one(make_set, make_sub, 'rule = "yes_no"', answer, registry, "2")
    assert leaf.final_points == D(points)


CHOICE = 'rule = "choice"\noptions = { "Xuất sắc" = 100, "Tốt" = 75, "Hoàn thành" = 50, "Không" = 0 }'


@pytest.mark.parametrize(("answer", "points"), [("Xuất sắc", "2"), ("Tốt", "1.5"), ("Hoàn thành", "1"), ("Không", "0")])
def test_choice_shares(make_set, make_sub, registry, answer, points):
    assert score_one(make_set, make_sub, CHOICE, f'"{answer}"', registry, "2").final_points == D(points)


def test_choice_matches_decomposed_vietnamese(make_set, make_sub, registry):
    import unicodedata

    nfd = unicodedata.normalize("NFD", "Xuất sắc")
    assert nfd != "Xuất sắc"
    assert score_one(make_set, make_sub, CHOICE, f'"{nfd}"', registry, "2").final_points == D(2)


def test_choice_unknown_option_is_an_input_error(make_set, make_sub, registry):
    leaf = score_one(make_set, make_sub, CHOICE, '"Giỏi"', registry, "2")
    assert leaf.status == "error"
    assert "không có lựa chọn 'Giỏi'" in leaf.error


@pytest.mark.parametrize(("rate", "points"), [("0", "0"), ("25", "1"), ("50", "2"), ("80", "2"), ("9.99", "0")])
def test_proportional_floor_and_cap(make_set, make_sub, registry, rate, points):
    crit = 'rule = "proportional"\nfloor = 10\ncap = 50'
    assert score_one(make_set, make_sub, crit, rate, registry, "2").final_points == D(points)


def test_proportional_rounds_where_the_set_says(make_set, make_sub, registry):
    leaf = score_one(make_set, make_sub, 'rule = "proportional"', "33.333", registry, "1")
    assert leaf.final_points == D("0.33")


@pytest.mark.parametrize(("count", "points"), [("0", "1"), ("1", "0.75"), ("4", "0"), ("9", "0")])
def test_deduction_per_occurrence_never_below_zero(make_set, make_sub, registry, count, points):
    crit = 'rule = "deduction"\nper_occurrence = 0.25'
    assert score_one(make_set, make_sub, crit, count, registry).final_points == D(points)


def test_deduction_negative_count_is_an_input_error(make_set, make_sub, registry):
    leaf = score_one(make_set, make_sub, 'rule = "deduction"\nper_occurrence = 0.25', "-1", registry)
    assert leaf.status == "error" and "là số âm" in leaf.error


@pytest.mark.parametrize(("answer", "points"), [
    ('"nhẹ"', "1"), ('"nghiêm trọng"', "0"), ('{ "nhẹ" = 2 }', "0"), ("{}", "2"),
])
def test_deduction_by_severity(make_set, make_sub, registry, answer, points):
    crit = 'rule = "deduction"\nseverities = { "nhẹ" = 50, "nghiêm trọng" = 100 }'
    assert score_one(make_set, make_sub, crit, answer, registry, "2").final_points == D(points)


def test_survey_weighted_mean_over_forms(make_set, make_sub, registry):
    crit = 'rule = "survey"\nweights = { A = 100, B = 60, C = 20, D = 0 }'
    # (10×100 + 5×60 + 5×20 + 0) / 20 forms = 70 % of 2 points
    leaf = score_one(make_set, make_sub, crit, "{ A = 10, B = 5, C = 5, D = 0 }", registry, "2")
    assert leaf.final_points == D("1.40")
    assert leaf.explanation == "20 phiếu, bình quân gia quyền 70 % → 1,4/2 điểm"


def test_manual_takes_only_appraisal_or_self(make_set, make_sub, registry):
    criteria = make_set('[criteria."1"]\nname = "Sáng kiến"\nmax_points = 1\nrule = "manual"\n', total="1")
    self_only = parrules.score(criteria, make_sub('[self_assessment]\n"1" = 1\n')).leaf("1")
    assert (self_only.final_points, self_only.final_stage, self_only.computed_points) == (D(1), "self", None)
    appraised = parrules.score(criteria, make_sub(
        '[self_assessment]\n"1" = 1\n[[appraisals]]\ncode = "1"\npoints = 0.5\nreason = "chưa được công nhận"\n'
    )).leaf("1")
    assert (appraised.final_points, appraised.final_stage) == (D("0.5"), "appraisal")


def test_bonus_and_penalty_are_capped_and_outside_the_base(make_set, make_sub, registry):
    criteria = make_set("""
        [criteria."1"]
        name = "Cơ bản"
        max_points = 10
        rule = "proportional"

        [criteria."T"]
        name = "Điểm thưởng"
        max_points = 2
        role = "bonus"

        [criteria."T.1"]
        name = "Khen thưởng"
        max_points = 2
        rule = "bonus"
        per_item = 1

        [criteria."T.2"]
        name = "Sáng kiến cấp tỉnh"
        max_points = 1.5
        rule = "bonus"

        [criteria."P"]
        name = "Điểm trừ"
        max_points = 3
        role = "penalty"

        [criteria."P.1"]
        name = "Vi phạm kỷ luật"
        max_points = 5
        rule = "penalty"
        per_item = 2
        """)
    sub = make_sub('[answers]\n"1" = 90\n"T.1" = 5\n"T.2" = 1\n"P.1" = 2\n')
    result = parrules.score(criteria, sub)
    assert result.leaf("T.1").final_points == D(2)        # 5 × 1, capped at its maximum 2
    assert result.leaf("P.1").final_points == D(4)        # 2 × 2
    assert (result.base_points, result.bonus_points, result.penalty_points) == (D(9), D(2), D(3))
    assert result.total_points == D(8)                    # 9 + 2 (group cap) − 3 (group cap)
    assert result.applicable_max == D(10)                 # bonus and penalty stay outside the base
    assert result.index == D("80.00")


def test_penalty_never_takes_the_total_below_zero(make_set, make_sub, registry):
    criteria = make_set("""
        [criteria."1"]
        name = "Cơ bản"
        max_points = 10
        rule = "proportional"

        [criteria."P"]
        name = "Điểm trừ"
        max_points = 5
        role = "penalty"

        [criteria."P.1"]
        name = "Vi phạm"
        max_points = 5
        rule = "penalty"
        """)
    result = parrules.score(criteria, make_sub('[answers]\n"1" = 20\n"P.1" = 5\n'))
    assert result.total_points == D(0)

"""Scoring many units at once shares work between units in the same situation; it must never share
results between units that differ. Every unit scored in a crowd must equal that unit scored alone."""

from __future__ import annotations

import json
from decimal import Decimal

import parrules
from parrules.campaign.run import campaign_result, spec_for
from parrules.cli.main import main
from parrules.reports import render

from ..campaign_data import hand_set

SET = """
[set]
id = "crowd"
name = "Bộ tiêu chí đám đông"
level = "province"
total_points = 20
bands = [{ code = "A", from = 80 }, { code = "B", from = 50, below = 80 }]

[criteria."1"]
name = "Lĩnh vực một"
max_points = 10

[criteria."1.1"]
name = "Có kế hoạch"
max_points = 2
rule = "yes_no"
allow_na = true
evidence = ["Kế hoạch năm"]

[criteria."1.2"]
name = "Tỷ lệ đúng hạn"
max_points = 2
rule = "bands"
bands = [{ from = 100, points = 2 }, { from = 80, below = 100, points = 1 }, { below = 80, points = 0 }]

[criteria."1.3"]
name = "Tỷ lệ trực tuyến"
max_points = 2
rule = "proportional"

[criteria."1.4"]
name = "Kiểm tra"
max_points = 2
rule = "choice"
options = { "Tốt" = 100, "Khá" = 50, "Kém" = 0 }

[criteria."1.5"]
name = "Cán bộ khen thưởng"
max_points = 2
rule = "manual"
allow_na = true

[criteria."2"]
name = "Lĩnh vực hai"
max_points = 10

[criteria."2.1"]
name = "Vi phạm"
max_points = 4
rule = "deduction"
severities = { "nhẹ" = 25, "nặng" = 50 }

[criteria."2.2"]
name = "Khảo sát"
max_points = 4
rule = "survey"
weights = { "Hài lòng" = 100, "Bình thường" = 50, "Không" = 0 }

[criteria."2.3"]
name = "Không áp dụng năm nay"
max_points = 2
rule = "yes_no"
applicable = false
"""


def crowd(tmp_path):
    """Units that differ in one thing each from the first, several of them twice."""
    (tmp_path / "ke-hoach.pdf").write_text("x", encoding="utf-8")

    def unit(code: str, **changes: object) -> dict:
        data: dict = {
            "unit": {"code": code, "name": f"Đơn vị {code}", "kind": "province", "period": 2024},
            "answers": {"1.1": True, "1.2": Decimal("90"), "1.3": Decimal("75"), "1.4": "Khá",
                        "2.1": {"nhẹ": 1}, "2.2": {"Hài lòng": 30, "Bình thường": 10}},
            "self_assessment": {"1.5": Decimal("1.5")},
        }
        for key, value in changes.items():
            section, _, code_ = key.partition("__")
            data.setdefault(section, {})[code_.replace("_", ".")] = value
        return data

    plain = [unit("P1"), unit("P2")]
    varied = [
        unit("D1", answers__1_2=Decimal("90.0")),            # same value, another spelling
        unit("D2", answers__1_1="1"),                        # not a yes or no
        unit("D3", answers__1_1="na"),                       # declared not applicable
        unit("D4", answers__1_1="có"),                       # a yes in words
        unit("D5", self_assessment__1_5=Decimal("1.50")),
        unit("D6", self_assessment__1_5="na"),
        unit("D7", answers__2_1={"nhẹ": Decimal("1.0")}),    # a table with another spelling inside
        unit("D8", answers__2_1={"nặng": 1}),
        unit("D9", answers__2_2={"Bình thường": 10, "Hài lòng": 30}),  # same table, keys in another order
        unit("D10", answers__2_3=True),                      # answers a criterion the set made N/A
        unit("D11", answers__1_3=Decimal("120")),            # above the cap
        unit("D12", answers__1_4="Tốt"),
    ]
    appraised = unit("AP")
    appraised["appraisals"] = [{"code": "1.3", "points": Decimal("1"), "reason": "thiếu minh chứng"}]
    documented = unit("DOC")
    documented["documents"] = [{"number": "01/KH", "title": "Kế hoạch", "file": "ke-hoach.pdf", "criteria": ["1.1"]}]
    missing = unit("MISS")
    missing["documents"] = [{"number": "02/KH", "title": "Kế hoạch", "file": "khong-co.pdf", "criteria": ["1.1"]}]
    datas = plain + varied + [appraised, documented, missing] + [unit(f"R{i}") for i in range(3)] + varied
    for i, data in enumerate(datas):  # the repeated ones need codes of their own
        data["unit"]["code"] = f"{data['unit']['code']}-{i}"
    return [parrules.submission_from_dict(d, base_dir=tmp_path) for d in datas]


def test_every_unit_scored_in_a_crowd_equals_it_scored_alone(tmp_path) -> None:
    criteria = hand_set(tmp_path, SET)
    subs = crowd(tmp_path)
    together = parrules.score_many(criteria, subs)
    for sub, result in zip(subs, together.units):
        alone = parrules.score(criteria, sub)
        assert parrules.to_json(result.to_dict()) == parrules.to_json(alone.to_dict()), sub.code
    by_code = {u.unit.code.split("-")[0]: u for u in together.units}
    leaf = {code: {leaf.code: leaf for leaf in u.leaves} for code, u in by_code.items()}
    # what must be shared is, what must differ does
    assert leaf["P1"]["1.2"] is leaf["P2"]["1.2"] is leaf["R0"]["1.2"]
    assert str(leaf["D1"]["1.2"].declared) == "90.0" and leaf["D1"]["1.2"] is not leaf["P1"]["1.2"]
    assert leaf["D2"]["1.1"].status == "error" and leaf["P1"]["1.1"].status == "full"
    assert leaf["D3"]["1.1"].status == "not_applicable" and leaf["D3"]["1.1"].declared == "na"
    assert leaf["D10"]["2.3"].declared is True and leaf["P1"]["2.3"].declared is None
    assert leaf["D6"]["1.5"].status == "not_applicable"
    assert str(leaf["D7"]["2.1"].declared["nhẹ"]) == "1.0"
    assert leaf["AP"]["1.3"].final_points == Decimal("1") and leaf["AP"]["1.3"] is not leaf["P1"]["1.3"]
    assert not leaf["DOC"]["1.1"].flags and [f.kind for f in leaf["MISS"]["1.1"].flags] == ["evidence_file_missing"]
    assert [f.kind for f in leaf["P1"]["1.1"].flags] == ["missing_evidence"]


def test_a_bad_answer_in_a_crowd_is_reported_for_its_unit(tmp_path) -> None:
    criteria = hand_set(tmp_path, SET)
    subs = crowd(tmp_path)
    bad = parrules.submission_from_dict({"unit": {"code": "BAD", "name": "Sai"},
                                         "answers": {"1.3": Decimal("-5"), "1.4": 3},
                                         "self_assessment": {"1.5": Decimal("9")}}, source="bad.toml")
    try:
        parrules.score_many(criteria, [*subs, bad])
    except parrules.ProblemsError as exc:
        found = {(p.file, p.path) for p in exc.problems}
    else:
        raise AssertionError("a bad answer was scored")
    assert found == {("bad.toml", 'answers."1.4"'), ("bad.toml", 'self_assessment."1.5"')}


def test_campaign_json_names_things_once_and_reports_still_show_them(tmp_path) -> None:
    criteria = hand_set(tmp_path, SET)
    result = campaign_result(spec_for(criteria, id="crowd"), criteria, crowd(tmp_path))
    raw = result.to_json()
    assert raw == render(result.to_dict(), "json")  # the fast writer and the plain path agree byte for byte
    data = json.loads(raw)
    assert data["format"] == "parrules.campaign/2"
    assert {c["code"]: c["field"] for c in data["criteria_set"]["criteria"]}["2.2"] == "2"
    unit = data["units"][0]
    assert all(set(node) == {"code", "points", "percent", "applicable_max"} for node in unit["nodes"])
    for leaf in unit["leaves"]:
        assert "max_points" not in leaf and None not in leaf.values() and [] not in leaf.values()
    losses = unit["gaps"]["losses"]
    assert losses and all(set(loss) == {"code", "lost"} for loss in losses)
    markdown = render(result.to_dict(), "md").decode("utf-8")
    first = losses[0]["code"]
    explanation = next(leaf["explanation"] for leaf in unit["leaves"] if leaf["code"] == first)
    name = next(c["name"] for c in data["criteria_set"]["criteria"] if c["code"] == first)
    assert f"| {first} {name} |" in markdown and explanation.replace("<", "&lt;") in markdown


def test_report_asks_to_re_run_a_campaign_json_of_an_older_format(tmp_path, capsys) -> None:
    old = tmp_path / "old.json"
    old.write_text('{"format": "parrules.campaign/1", "units": []}', encoding="utf-8")
    assert main(["report", str(old), "-o", str(tmp_path / "r.html")]) == 1
    assert "re-run `parrules campaign" in capsys.readouterr().err


SPELLED = """
[set]
id = "spelled"
name = "Cách viết số"
level = "province"
total_points = 7
rounding = { decimals = 2, at = "report" }

[criteria."1"]
name = "Lĩnh vực một"
max_points = 5

[criteria."1.1"]
name = "a"
max_points = 2.5
rule = "manual"
allow_na = true

[criteria."1.2"]
name = "b"
max_points = 1.25
rule = "manual"
allow_na = true

[criteria."1.3"]
name = "c"
max_points = 1.25
rule = "manual"
allow_na = true

[criteria."2"]
name = "Tỷ lệ"
max_points = 2
rule = "proportional"
"""


def test_numbers_spelled_differently_are_not_shared(tmp_path) -> None:
    """2.50 and 2.5, 75.00 and 75, -0 and 0 are equal numbers but print differently: never shared."""
    criteria = hand_set(tmp_path, SPELLED)

    def unit(code: str, own: dict, rate: object) -> parrules.Submission:
        return parrules.submission_from_dict({"unit": {"code": code, "name": code}, "self_assessment": own,
                                              "answers": {"2": rate}})

    subs = [unit("X", {"1.1": Decimal("1"), "1.2": "na", "1.3": "na"}, Decimal("75")),
            unit("Y", {"1.1": "na", "1.2": Decimal("0.5"), "1.3": Decimal("0.5")}, Decimal("75.00")),
            unit("Z", {"1.1": Decimal("1")}, Decimal("-0")),
            unit("W", {"1.1": Decimal("1")}, Decimal("0")),
            unit("V", {"1.1": Decimal("1")}, -0.0),
            unit("U", {"1.1": Decimal("1")}, 0.0)]
    together = parrules.score_many(criteria, subs)
    for sub, result in zip(subs, together.units):
        alone = parrules.score(criteria, sub)
        assert parrules.to_json(result.to_dict()) == parrules.to_json(alone.to_dict()), sub.code
    by_code = {u.unit.code: u for u in together.units}
    assert str(by_code["Y"].node("1").applicable_max) == "2.50"
    assert str(by_code["X"].node("1").applicable_max) == "2.5"
    assert str(by_code["Y"].leaf("2").final_points) != str(by_code["X"].leaf("2").final_points)


def test_nan_and_infinity_answers_are_refused_with_their_place(tmp_path) -> None:
    criteria = hand_set(tmp_path, SPELLED)
    good = parrules.submission_from_dict({"unit": {"code": "A", "name": "A"}, "answers": {"2": Decimal("60")}})
    for bad_value in (Decimal("NaN"), Decimal("Infinity"), float("nan")):
        bad = parrules.submission_from_dict({"unit": {"code": "B", "name": "B"}, "answers": {"2": bad_value}},
                                            source="b.toml")
        try:
            parrules.score_many(criteria, [good, bad], language="en")
        except parrules.ProblemsError as exc:
            assert [(p.file, p.path) for p in exc.problems] == [("b.toml", 'answers."2"')]
            assert "not a number a criterion can be scored on" in exc.problems[0].message
        else:
            raise AssertionError(f"{bad_value} was scored")

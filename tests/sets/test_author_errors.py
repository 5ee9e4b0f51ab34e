"""Authors' common mistakes get an answer that helps: file, line, key path, what is wrong, the fix.

Each case is checked through the CLI (`parrules validate`) as a clerk meets it: exit code 1, no
traceback, and the exact line printed.
"""

from __future__ import annotations

import unicodedata

import pytest

from parrules.cli.main import main

from ..sample_sets import CENTRAL

GOOD = CENTRAL


def _line(text: str, fragment: str, nth: int = 1) -> int:
    hits = [i for i, line in enumerate(text.splitlines(), start=1) if fragment in line]
    return hits[nth - 1]


def _case(old: str, new: str, at: str, expected: str, nth: int = 1):
    assert old in GOOD, old
    text = GOOD.replace(old, new, 1)
    return text, f"error: set.toml:{_line(text, at, nth)}: {expected}"


NFD_CODE = unicodedata.normalize("NFD", "Đ.ố")
NFC_CODE = unicodedata.normalize("NFC", "Đ.ố")

CASES = {
    "misspelled key": _case(
        'name = "Kế hoạch CCHC"\nmax_points = 2', 'name = "Kế hoạch CCHC"\nmax_point = 2', "max_point =",
        "criteria.\"1.1\".max_point: unknown key 'max_point' in [criteria.\"1.1\"] (did you mean 'max_points'?)"),
    "misspelled rule parameter": _case(
        "per_occurrence = 0.5", "per_occurence = 0.5", "per_occurence",
        "criteria.\"1.2\".per_occurence: unknown key 'per_occurence' in [criteria.\"1.2\"] "
        "(did you mean 'per_occurrence'?)"),
    "misspelled set key": _case(
        'level = "department"', 'levle = "department"', "levle",
        "set.levle: unknown key 'levle' in [set] (did you mean 'level'?)"),
    "wrong type": _case(
        'rule = "yes_no"', 'rule = "yes_no"\nallow_na = "có"', "allow_na",
        "criteria.\"1.1\".allow_na: must be true or false, not 'có'"),
    "a string for a number": _case(
        "total_points = 10", 'total_points = "10"', "total_points",
        "set.total_points: must be a number without quotes, not '10'"),
    "a decimal comma in quotes": _case(
        "per_occurrence = 0.5", 'per_occurrence = 0.5\n', "max_points = 2", "", 2),
    "a band over the maximum": _case(
        "{ from = 95, points = 4 }", "{ from = 95, points = 5 }", 'bands = [',
        "criteria.\"2.1\".bands[0]: rule 'bands': bands[0] is worth 5 points, more than the maximum 4", 2),
    "overlapping bands": _case(
        "{ from = 80, below = 95, points = 2 }", "{ from = 80, below = 99, points = 2 }", 'bands = [',
        "criteria.\"2.1\".bands: rule 'bands': bands overlap: 80–<99 and ≥95 "
        "(lower bounds are inclusive, upper bounds exclusive)", 2),
    "children not adding up": _case(
        'name = "Chỉ đạo, điều hành"\nmax_points = 4', 'name = "Chỉ đạo, điều hành"\nmax_points = 5',
        "max_points = 5",
        "criteria.\"1\".max_points: children of '1' add up to 4 (2 + 2), not its max_points 5 "
        "(fix the maximum of the parent or of a child)"),
    "total not adding up": _case(
        "total_points = 10", "total_points = 12", "total_points",
        "set.total_points: top-level fields add up to 10, not total_points 12 "
        "(bonus and penalty parts (role = \"bonus\"/\"penalty\") are not counted)"),
    "orphan code": _case(
        '[criteria."1.2"]', '[criteria."3.2"]', '[criteria."3.2"]',
        "criteria.\"3.2\": criterion '3.2' has no parent: '3' is not defined "
        "(add [criteria.\"3\"] or fix the code)"),
    "unknown rule kind": _case(
        'rule = "yes_no"', 'rule = "yes_on"', "yes_on",
        "criteria.\"1.1\".rule: no installed plugin provides the rule kind 'yes_on' (did you mean 'yes_no'?)"),
    "unknown check": _case(
        'rule = "yes_no"', 'rule = "yes_no"\ncheck = "document.deadlin"\nmetric = "on_time"', "check =",
        "criteria.\"1.1\".check: no installed plugin provides the check 'document.deadlin' "
        "(did you mean 'document.deadline'?)"),
    "unknown metric": _case(
        'rule = "yes_no"',
        'rule = "yes_no"\ncheck = "document.deadline"\nmetric = "ontime"\ncheck_params = { deadline = 2025-01-31 }',
        "metric =",
        "criteria.\"1.1\".metric: check 'document.deadline' has no metric 'ontime' (did you mean 'on_time'?)"),
    "missing [set]": (GOOD[GOOD.index('[criteria."1"]'):], None),
    "missing required key": _case(
        'name = "Báo cáo CCHC"\n', "", '[criteria."1.2"]',
        "criteria.\"1.2\".name: required key 'name' is missing in [criteria.\"1.2\"] (add name = …)"),
    "leaf without a rule": _case(
        'rule = "yes_no"\n', "", '[criteria."1.1"]',
        "criteria.\"1.1\": leaf '1.1' has no rule (add rule = \"...\" (bands, bonus, choice, deduction, manual, "
        "penalty, proportional, survey, yes_no))"),
    "invalid level": _case(
        'level = "department"', 'level = "huyện"', "level",
        "set.level: must be one of ministry, province, department, district, district_office, commune, not 'huyện'"),
    "invalid id": _case(
        'id = "central-2024"', 'id = "Quảng Trị 2025"', "id =",
        "set.id: id 'Quảng Trị 2025' may only use lowercase letters, digits, '.', '-' and '_' "
        "(e.g. id = \"quang-tri-2025\")"),
    "option worth text": _case(
        'rule = "yes_no"', 'rule = "choice"\noptions = { "Tốt" = 100, "Kém" = "0" }', "options",
        "criteria.\"1.1\".options.\"Kém\": rule 'choice': must be a number (no quotes), not '0'"),
    "TOML syntax error": _case(
        'name = "Báo cáo CCHC"', 'name = "Báo cáo CCHC', "Báo cáo CCHC",
        "TOML syntax error: Illegal character '\\n' (a text in quotes is not closed on this line: "
        "add the closing \")"),
    "table written twice": _case(
        '[criteria."2"]', '[criteria."1.1"]\n[criteria."2"]', '[criteria."1.1"]', "", 2),
    "duplicate code after NFC normalisation": (
        GOOD.replace('[criteria."1.1"]', f'[criteria."{NFC_CODE}"]').replace('[criteria."1.2"]',
                                                                             f'[criteria."{NFD_CODE}"]'),
        None),
}
# The two cases that need a computed expectation
CASES["a decimal comma in quotes"] = _case(
    'name = "Báo cáo CCHC"\nmax_points = 2', 'name = "Báo cáo CCHC"\nmax_points = "2,5"', '"2,5"',
    "criteria.\"1.2\".max_points: must be a number: write 2.5 (no quotes, a point for decimals), not '2,5'")
CASES["table written twice"] = _case(
    '[criteria."2"]', '[criteria."1.1"]\nname = "Lặp"\n\n[criteria."2"]', '[criteria."1.1"]',
    "TOML syntax error: Cannot declare ('criteria', '1.1') twice "
    "(this table appears twice in the file: merge the two or renumber one)", 2)
CASES["missing [set]"] = (CASES["missing [set]"][0],
                          "error: set.toml: set: the [set] table with the set's metadata is missing "
                          "(start the file with [set] id = ..., name = ..., level = ..., total_points = ...)")


@pytest.fixture
def validate(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)

    def run(text: str) -> tuple[int, list[str]]:
        (tmp_path / "set.toml").write_text(text, encoding="utf-8")
        code = main(["validate", "--lang", "en", "set.toml"])
        err = capsys.readouterr().err
        assert "Traceback" not in err
        return code, err.splitlines()

    return run


def test_the_good_set_validates(validate):
    assert validate(GOOD) == (0, [])


@pytest.mark.parametrize("name", [n for n in CASES if n != "duplicate code after NFC normalisation"])
def test_common_mistake(name, validate):
    text, expected = CASES[name]
    code, lines = validate(text)
    assert code == 1
    assert expected in lines, "\n".join(lines)
    assert lines[-1] in ("1 problem found.", f"{sum(line.startswith('error: ') for line in lines)} problems found.")


def test_duplicate_code_after_nfc_normalisation(validate):
    code, lines = validate(CASES["duplicate code after NFC normalisation"][0])
    assert code == 1
    duplicate = [unicodedata.normalize("NFC", line) for line in lines if "defined twice" in line]
    assert len(duplicate) == 1
    assert f"criteria.\"{NFC_CODE}\": code '{NFC_CODE}' is defined twice: the two spellings look alike" in duplicate[0]
    assert "(delete or renumber one of the two tables)" in duplicate[0]


def test_every_mistake_of_a_file_in_one_run(validate):
    text = GOOD.replace("max_points = 2\nrule = \"yes_no\"", "max_point = 2\nrule = \"yes_on\"", 1) \
        .replace("total_points = 10", 'total_points = "10"') \
        .replace("{ from = 95, points = 4 }", "{ from = 95, points = 5 }") \
        .replace('[criteria."1.2"]', '[criteria."3.2"]')
    code, lines = validate(text)
    assert code == 1
    problems = [line for line in lines if line.startswith("error: ")]
    assert lines[-1] == f"{len(problems)} problems found."  # validate scores nothing, so it does not say so
    for fragment in ("unknown key 'max_point'", "rule kind 'yes_on'", "set.total_points: must be a number",
                     "bands[0] is worth 5 points", "'3.2' has no parent"):
        assert any(fragment in line for line in problems), (fragment, problems)
    # a misspelt required key is reported once, as the typo: not again as "missing", nor its parent
    # as a leaf without a rule or a sum that does not add up
    assert len(problems) == 5, problems


def test_problems_of_submissions_are_reported_with_the_set(validate, tmp_path, capsys):
    (tmp_path / "set.toml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "u.toml").write_text(
        '[unit]\ncode = "U1"\nname = "Huyện A"\nkind = "department"\nperiod = 2025\n\n'
        '[answers]\n"1.1" = true\n"9.9" = 1\n', encoding="utf-8")
    code = main(["validate", "set.toml", "u.toml"])
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    assert "u.toml:9:" in err and "9.9" in err

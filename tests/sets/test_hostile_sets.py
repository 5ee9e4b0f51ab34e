"""A hostile or broken criteria set gets one clear problem — file, key path, line — never a traceback.

Numbers in a set (maxima, caps, floors, thresholds, band limits, shares, check parameters) go through
the one number path, `amounts.to_decimal`; sets nested beyond any real one, codes with digits of other
scripts, `decimals` out of 0–6 and paths no file can have are refused with what to write instead.
"""

from __future__ import annotations

import time
import types
from pathlib import Path

import pytest

import parrules
from parrules import hookimpl
from parrules.sets.codes import MAX_LEVELS, code_sort_key
from parrules.testing import registry_with

from .cli_cases import run


@pytest.fixture(autouse=True)
def _english():
    """These tests read the English texts of problems (a Vietnamese run is pinned in
    tests/sets/test_problem_language.py): the library speaks the voice active when a problem is made."""
    with parrules.speaking(language="en"):
        yield


HEAD = """[set]
id = "t"
name = "Thử"
level = "department"
total_points = 4
"""

LEAF = '[criteria."1"]\nname = "Tỷ lệ"\nmax_points = 4\n'


def _write(tmp_path: Path, text: str, name: str = "set.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _line(text: str, fragment: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if fragment in line)


# (what the leaf says after name and max_points, the line holding the bad number, the key path)
NUMBERS = {
    "infinite cap": ('rule = "proportional"\ncap = inf\n', "cap =", 'criteria."1".cap'),
    "NaN cap (a traceback in the schema's comparison)": ('rule = "proportional"\ncap = nan\n', "cap =",
                                                          'criteria."1".cap'),
    "NaN floor": ('rule = "proportional"\nfloor = nan\n', "floor =", 'criteria."1".floor'),
    "a cap of 1e400": ('rule = "proportional"\ncap = 1e400\n', "cap =", 'criteria."1".cap'),
    "NaN band points": ('rule = "bands"\nbands = [{ from = 90, points = nan }, { below = 90, points = 0 }]\n',
                        "bands =", 'criteria."1".bands[0].points'),
    "an infinite band limit": ('rule = "bands"\nbands = [{ from = inf, points = 4 }, { below = 90, points = 0 }]\n',
                               "bands =", 'criteria."1".bands[0].from'),
    "NaN per occurrence": ('rule = "deduction"\nper_occurrence = nan\n', "per_occurrence", 'criteria."1".per_occurrence'),
    "NaN severity share": ('rule = "deduction"\nseverities = { "nặng" = nan }\n', "severities",
                           'criteria."1".severities."nặng"'),
    "NaN option share": ('rule = "choice"\noptions = { "Tốt" = nan, "Kém" = 0 }\n', "options",
                         'criteria."1".options."Tốt"'),
    "a survey weight of 1e-50": ('rule = "survey"\nweights = { A = 100, B = 1e-50 }\n', "weights",
                                 'criteria."1".weights.B'),
    "an integer of 20 digits": ('rule = "deduction"\nper_occurrence = 10000000000000000000\n', "per_occurrence",
                                'criteria."1".per_occurrence'),
}


@pytest.mark.parametrize("name", NUMBERS)
def test_a_number_no_figure_can_be_in_rule_parameters_is_one_problem(name, tmp_path, capsys, monkeypatch):
    body, at, key = NUMBERS[name]
    text = HEAD + LEAF + body
    monkeypatch.chdir(tmp_path)
    _write(tmp_path, text)
    for command in ("validate", "score"):  # validate says what score refuses, in the same words
        args = [command, "set.toml"] + ([_unit(tmp_path)] if command == "score" else [])
        ran = run(capsys, *args)
        assert ran.code == 1
        assert ran.names("set.toml", key, _line(text, at)), ran.err
        assert ran.err.count("error: ") == 1, ran.err
        line = ran.line_of("set.toml", key)
        assert "finite" in line or "larger" in line or "precision" in line
        assert "nan and inf are not figures" in line  # what to do


def _unit(tmp_path: Path) -> str:
    path = tmp_path / "u.toml"
    path.write_text('[unit]\ncode = "U1"\nname = "U1"\n[answers]\n"1" = 1\n', encoding="utf-8")
    return path.name


@pytest.mark.parametrize(("old", "new", "key"), [
    ("total_points = 4", "total_points = inf", "set.total_points"),
    ('level = "department"', 'level = "department"\nbands = [{ code = "A", from = nan }]', "set.bands[0].from"),
])
def test_a_number_no_figure_can_be_in_the_set_table_is_one_problem(old, new, key, tmp_path, capsys):
    text = HEAD.replace(old, new) + LEAF + 'rule = "yes_no"\n'
    ran = run(capsys, "validate", _write(tmp_path, text))
    assert ran.code == 1 and ran.names(str(tmp_path / "set.toml"), key, _line(text, new.splitlines()[-1])), ran.err
    assert ran.err.count("error: ") == 1, ran.err  # no second message about the same key, no sum against ∞
    assert "not a finite number" in ran.err and "nan and inf are not figures" in ran.err  # the one number path


@pytest.mark.parametrize(("body", "key"), [
    ('rule = "deduction"\nseverities = { "nặng" = "100" }\n', 'criteria."1".severities."nặng"'),
    ('rule = "bands"\nbands = [{ from = "90", points = 4 }, { below = 90, points = 0 }]\n', 'criteria."1".bands[0].from'),
    ('rule = "proportional"\ncap = "Infinity"\n', 'criteria."1".cap'),
])
def test_text_where_a_rule_parameter_needs_a_number_is_one_problem(body, key, tmp_path, capsys):
    ran = run(capsys, "validate", _write(tmp_path, HEAD + LEAF + body))
    assert ran.code == 1 and ran.err.count("error: ") == 1, ran.err
    assert ran.names(str(tmp_path / "set.toml"), key, 10) and "must be a number (no quotes)" in ran.err


def test_max_points_beyond_any_figure_is_refused_not_summed(tmp_path, capsys):
    text = HEAD + '[criteria."1"]\nname = "A"\nmax_points = 1e30\nrule = "yes_no"\n'
    ran = run(capsys, "validate", _write(tmp_path, text))
    assert ran.code == 1 and ran.err.count("error: ") == 1
    assert ran.names(str(tmp_path / "set.toml"), 'criteria."1".max_points', 8)
    assert "larger than any figure" in ran.err


def test_a_nan_in_check_parameters_is_one_problem_not_a_traceback_in_the_schema():
    module = types.ModuleType("limit_check")

    @hookimpl
    def register_checks(register):
        register("demo.limit", lambda units, params: {}, description="a limit", metrics={"rate": "rate"},
                 params_schema={"type": "object", "properties": {"limit": {"type": "number", "minimum": 0}}})

    module.register_checks = register_checks  # type: ignore[attr-defined]
    text = HEAD + LEAF + 'rule = "proportional"\ncheck = "demo.limit"\ncheck_params = { limit = nan }\n'
    with pytest.raises(parrules.ProblemsError) as caught:
        parrules.criteria_set_from_text(text, registry_with(module), name="set.toml")
    (problem,) = caught.value.problems
    assert problem.path == 'criteria."1".check_params.limit' and problem.line == 11
    assert "not a finite number" in problem.message


# -- sets nested far beyond any real one ------------------------------------------------------------
def _deep_codes(levels: int) -> str:
    parts = [HEAD.replace("total_points = 4", "total_points = 1")]
    for depth in range(1, levels + 1):
        rule = 'rule = "yes_no"\n' if depth == levels else ""
        parts.append(f'[criteria."{".".join(["1"] * depth)}"]\nname = "Mức {depth}"\nmax_points = 1\n{rule}')
    return "\n".join(parts)


@pytest.mark.parametrize("levels", [MAX_LEVELS + 1, 1_200, 3_000])
def test_codes_deeper_than_32_levels_are_one_problem(levels, tmp_path, capsys):
    text = _deep_codes(levels)
    start = time.perf_counter()
    ran = run(capsys, "validate", _write(tmp_path, text))
    assert time.perf_counter() - start < 20
    assert ran.code == 1 and ran.err.count("error: ") == 1, ran.err
    first = ".".join(["1"] * (MAX_LEVELS + 1))
    assert f":{_line(text, first + chr(34))}: " in ran.err
    assert f"has {MAX_LEVELS + 1} levels; a set has at most {MAX_LEVELS}" in ran.err
    if levels > MAX_LEVELS + 1:
        assert f"{levels - MAX_LEVELS - 1:,} more codes have more than {MAX_LEVELS} levels" in ran.err


def test_a_set_of_32_levels_is_accepted(tmp_path, registry):
    criteria = parrules.load_criteria_set(_write(tmp_path, _deep_codes(MAX_LEVELS)), registry)
    assert len(criteria.nodes) == MAX_LEVELS and len(list(criteria.walk())) == MAX_LEVELS


@pytest.mark.parametrize(("body", "key"), [
    # a table header of 3,000 levels (tomllib's time grows with the square of a key's depth)
    ('rule = "yes_no"\n[criteria."1".check_params.' + ".".join(["a"] * 3_000) + ']\nz = 1\n',
     'criteria."1".check_params.a.a.a…'),
    # a 100 KB dotted key on one line
    ('rule = "yes_no"\ncheck_params.' + ".".join(['"a"'] * 25_000) + ' = 1\n', 'criteria."1".check_params.a.a.a…'),
    # inline lists 200 deep in a rule parameter
    ('rule = "bands"\nbands = ' + "[" * 200 + "]" * 200 + "\n", 'criteria."1".bands[0][0][0]…'),
])
def test_tables_nested_beyond_32_levels_are_one_problem(body, key, tmp_path, capsys):
    text = HEAD + LEAF + body
    start = time.perf_counter()
    ran = run(capsys, "validate", _write(tmp_path, text))
    assert time.perf_counter() - start < 10
    assert ran.code == 1 and ran.err.count("error: ") == 1, ran.err
    assert ran.names(str(tmp_path / "set.toml"), key, 10), ran.err
    assert "nested more than 32 levels deep" in ran.err


def test_a_tailored_set_nested_3000_deep_is_one_problem_not_a_recursion_error(tmp_path, capsys):
    _write(tmp_path, HEAD + LEAF + 'rule = "yes_no"\n', "base.toml")
    text = 'extends = "base.toml"\n[criteria."1".' + ".".join(["a"] * 3_000) + "]\nz = 1\n"
    ran = run(capsys, "validate", _write(tmp_path, text, "tailored.toml"))
    assert ran.code == 1 and ran.err.count("error: ") == 1, ran.err
    assert ran.names(str(tmp_path / "tailored.toml"), 'criteria."1".a.a.a.a…', 2), ran.err


def test_a_chain_of_40_tailored_sets_stops_at_32(tmp_path, capsys):
    _write(tmp_path, HEAD + LEAF + 'rule = "yes_no"\n', "c0.toml")
    for i in range(1, 41):
        _write(tmp_path, f'extends = "c{i - 1}.toml"\n', f"c{i}.toml")
    ran = run(capsys, "validate", tmp_path / "c40.toml")
    assert ran.code == 1 and ran.err.count("error: ") == 1, ran.err
    assert "more than 32 sets extend one another" in ran.err and ": extends: " in ran.err
    assert run(capsys, "validate", tmp_path / "c30.toml").code == 0  # 31 files: within the bound


def test_a_set_from_text_nested_deep_is_a_problem_not_a_recursion_error():
    text = HEAD + LEAF + 'rule = "bands"\nbands = ' + "[" * 5_000 + "]" * 5_000 + "\n"
    with pytest.raises(parrules.ProblemsError) as caught:
        parrules.criteria_set_from_text(text, parrules.Registry(entry_points=False))
    (problem,) = caught.value.problems
    assert "nested too deeply" in problem.message


# -- codes with digits of other scripts ----------------------------------------------------------
@pytest.mark.parametrize(("code", "digit", "fixed"), [
    ("1.²", "² (superscript two)", "1.2"),       # isdigit(), but int() refuses it: was a traceback
    ("1.١", "١ (arabic-indic digit one)", "1.1"),  # int() reads it as 1: sorted as 1.1, another code
    ("1.１", "１ (fullwidth digit one)", "1.1"),
])
def test_a_code_with_a_digit_of_another_script_is_refused_with_the_code_to_write(code, digit, fixed, tmp_path,
                                                                                 capsys):
    text = HEAD + '[criteria."1"]\nname = "A"\nmax_points = 4\n\n' \
        f'[criteria."{code}"]\nname = "B"\nmax_points = 4\nrule = "yes_no"\n'
    ran = run(capsys, "validate", _write(tmp_path, text))
    assert ran.code == 1 and ran.err.count("error: ") == 1, ran.err
    line = ran.line_of(str(tmp_path / "set.toml"), f'criteria."{code}"')
    char, name = digit.split(" ", 1)
    assert f":{_line(text, code)}: " in line
    assert f"uses the digit '{char}' {name}; codes are written with the digits 0–9: '{fixed}'" in line


def test_any_text_sorts_as_a_code_without_error():
    """Codes from last year's results or a mapping are not checked by the set's loader."""
    codes = ["1.10", "1.²", "١", "1.2", "T", "1.１"]
    assert sorted(codes, key=code_sort_key)[:2] == ["1.2", "1.10"]


def test_letters_of_any_script_are_still_codes(tmp_path, registry):
    text = HEAD + '[criteria."Đ"]\nname = "A"\nmax_points = 4\n\n[criteria."Đ.a"]\nname = "B"\nmax_points = 4\n' \
        'rule = "yes_no"\n'
    assert parrules.load_criteria_set(_write(tmp_path, text), registry).leaves == ("Đ.a",)


# -- decimals --------------------------------------------------------------------------------------
@pytest.mark.parametrize(("key", "value"), [("decimals", "7"), ("decimals", "-1"),
                                            ("percent_decimals", "1000000000")])
def test_decimals_are_bounded_0_to_6_with_a_clear_message(key, value, tmp_path, capsys):
    text = HEAD + f"\n[set.rounding]\n{key} = {value}\n\n" + LEAF + 'rule = "yes_no"\n'
    ran = run(capsys, "validate", _write(tmp_path, text))
    assert ran.code == 1 and ran.err.count("error: ") == 1, ran.err
    assert ran.names(str(tmp_path / "set.toml"), f"set.rounding.{key}", _line(text, f"{key} ="))
    assert f"must be from 0 to 6, not {value}" in ran.err


# -- paths no file can have --------------------------------------------------------------------
@pytest.mark.parametrize(("name", "said"), [
    ("a\0b.toml", "NUL character"),
    ("a" * 300 + ".toml", "305 bytes long; file systems take at most 255"),
    ("x/" * 2_100 + "set.toml", "bytes long; file systems take at most 4,096"),
])
@pytest.mark.parametrize("command", ["validate", "score"])
def test_a_set_path_no_file_can_have_is_one_problem(name, said, command, tmp_path, capsys):
    args = [command, str(tmp_path / name)] + ([str(tmp_path / "u.toml")] if command == "score" else [])
    ran = run(capsys, *args)
    assert ran.code == 1 and ran.err.count("error: ") == 1, ran.err
    assert said in ran.err and "cannot read criteria set" in ran.err
    assert len(ran.err) < 500  # the path is shortened, not printed whole


def test_extends_with_a_nul_character_is_one_problem(tmp_path, capsys):
    ran = run(capsys, "validate", _write(tmp_path, 'extends = "base\\u0000.toml"\n'))
    assert ran.code == 1 and ran.names(str(tmp_path / "set.toml"), "extends", 1), ran.err
    assert "NUL character" in ran.err


def test_a_number_no_figure_can_be_in_a_tailoring_is_named_in_the_tailored_file(tmp_path, capsys):
    _write(tmp_path, HEAD + LEAF + 'rule = "proportional"\n', "base.toml")
    tailored = _write(tmp_path, 'extends = "base.toml"\n\n[criteria."1"]\ncap = inf\n', "tailored.toml")
    ran = run(capsys, "validate", tailored)
    assert ran.code == 1 and ran.err.count("error: ") == 1, ran.err
    assert ran.names(str(tailored), 'criteria."1".cap', 4) and "not a finite number" in ran.err


def test_a_maximum_finer_than_the_sets_decimals_is_refused(tmp_path, capsys):
    """decimals = 0 and a maximum of 0.25: rounded up at the leaf, a yes earned 1 point of 0.25."""
    text = HEAD.replace("total_points = 4", "total_points = 1") + '\n[set.rounding]\ndecimals = 0\nmode = "up"\n\n' \
        '[criteria."1"]\nname = "A"\nmax_points = 0.25\nrule = "yes_no"\n\n' \
        '[criteria."2"]\nname = "B"\nmax_points = 0.75\nrule = "yes_no"\n'
    ran = run(capsys, "validate", _write(tmp_path, text))
    assert ran.code == 1 and ran.err.count("error: ") == 2, ran.err
    assert ran.names(str(tmp_path / "set.toml"), 'criteria."1".max_points', _line(text, "max_points = 0.25"))
    assert "max_points 0.25 has more decimals than the set keeps (decimals = 0)" in ran.err

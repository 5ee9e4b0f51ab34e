"""`validate` is the promise: what scoring would error in a submission, validate reports first.

An answer the criterion's rule cannot score (a negative count, text where a number belongs, a rate no
band covers) used to pass `validate` and then error its criterion at `score` (exit 3, the unit's
figure incomplete). The judge is now the same for both — the rule, through `scoring.rules` — so
validate names the file, key and line of each such answer, and a submission validate passes scores
complete. Paths no file can have, answers nested beyond any real one, and files of thousands of
unknown codes get one short message each.
"""

from __future__ import annotations

import json
import os
import threading
import time
from decimal import Decimal
from pathlib import Path

import pytest

import parrules
from parrules.submissions.submission import answer_problems

from ..sets.cli_cases import run


@pytest.fixture(autouse=True)
def _english():
    """These tests read the English texts of problems (a Vietnamese run is pinned in
    tests/sets/test_problem_language.py): the library speaks the voice active when a problem is made."""
    with parrules.speaking(language="en"):
        yield


SET = """[set]
id = "t"
name = "Thử"
level = "department"
total_points = 12

[criteria."1"]
name = "Báo cáo trễ hạn"
max_points = 2
rule = "deduction"
per_occurrence = 0.5

[criteria."2"]
name = "Tỷ lệ trực tuyến"
max_points = 2
rule = "proportional"

[criteria."3"]
name = "Khảo sát"
max_points = 2
rule = "survey"
weights = { A = 100, B = 50, C = 0 }

[criteria."4"]
name = "Vi phạm"
max_points = 2
rule = "deduction"
severities = { "nhẹ" = 25, "nặng" = 100 }

[criteria."5"]
name = "Tỷ lệ đúng hạn"
max_points = 4
rule = "bands"
bands = [{ from = 90, points = 4 }, { from = 50, below = 90, points = 2 }, { from = 0, below = 50, points = 0 }]

[criteria."T"]
name = "Khen thưởng"
max_points = 1
role = "bonus"
rule = "bonus"
per_item = 0.25
"""

GOOD = {"1": "1", "2": "40", "3": "{ A = 10, B = 5 }", "4": '{ "nhẹ" = 1 }', "5": "95", "T": "2"}
UNIT = '[unit]\ncode = "{code}"\nname = "Đơn vị {code}"\nkind = "department"\nperiod = 2024\n\n[answers]\n'


def _folder(tmp_path: Path, **changed: str) -> Path:
    """The set and two units: U1 answers well, U2 as `changed` says."""
    (tmp_path / "set.toml").write_text(SET, encoding="utf-8")
    subs = tmp_path / "subs"
    subs.mkdir(exist_ok=True)
    for code, answers in (("U1", GOOD), ("U2", {**GOOD, **changed})):
        body = "".join(f'"{k}" = {v}\n' for k, v in answers.items())
        (subs / f"{code}.toml").write_text(UNIT.format(code=code) + body, encoding="utf-8")
    return subs


def _u2_with(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, extra: str, old: str = "", new: str = "") -> Path:
    """The folder of `_folder`, run from `tmp_path`, with `extra` appended to U2's file (and `old`
    replaced by `new` in it)."""
    monkeypatch.chdir(tmp_path)
    subs = _folder(tmp_path)
    path = subs / "U2.toml"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new) + extra, encoding="utf-8")
    return subs


# (the criterion, what U2 answers instead)
REFUSED = {
    "a negative count": ("1", "-3"),
    "a fractional count": ("1", "1.5"),
    "a negative item count of a bonus per_item": ("T", "-2"),
    "text where a rate belongs": ("2", '"ba mươi"'),
    "a negative rate": ("2", "-5"),
    "text inside a survey table": ("3", '{ A = "mười", B = 5 }'),
    "a negative count in a survey table": ("3", "{ A = -1, B = 5 }"),
    "the text Infinity inside a table": ("3", '{ A = "Infinity", B = 5 }'),
    "a negative count in a severity table": ("4", '{ "nặng" = -1 }'),
    "a rate no band covers": ("5", "-5"),
    "an unknown option of a survey": ("3", "{ D = 1 }"),
}


@pytest.mark.parametrize("name", REFUSED)
def test_validate_reports_what_score_would_error(name, tmp_path, capsys, monkeypatch):
    code, answer = REFUSED[name]
    monkeypatch.chdir(tmp_path)
    subs = _folder(tmp_path, **{code: answer})
    key = f'answers."{code}"' if code != "T" else "answers.T"
    line = 8 + list(GOOD).index(code)

    checked = run(capsys, "validate", "set.toml", subs.name)
    assert checked.code == 1 and checked.err.count("error: ") == 1, checked.err
    assert checked.names("subs/U2.toml", key, line), checked.err

    scored = run(capsys, "score", "set.toml", subs.name)
    assert scored.code == 3, scored.err  # what validate refused: the criterion errors, the figure is incomplete
    said = scored.err.splitlines()  # the summary names U2 and the criterion, in the run's language
    assert any(line.startswith(f"  U2 (Đơn vị U2): {code} ") for line in said) and "U1 (" not in scored.err


def test_a_submission_validate_passes_scores_complete(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    subs = _folder(tmp_path)
    assert run(capsys, "validate", "set.toml", subs.name).code == 0
    scored = run(capsys, "score", "set.toml", subs.name, "--format", "json")
    assert scored.code == 0
    assert all(not unit["incomplete"] for unit in json.loads(scored.out)["units"])


ANSWERS = [Decimal(-1), Decimal(0), Decimal("0.5"), Decimal(3), Decimal(150), Decimal("-0"), "12", "-3", "x", "",
           "83,55", "Infinity", "1e400", {"A": Decimal(1)}, {"A": Decimal(-1)}, {"nặng": Decimal(2)},
           {"nặng": "y"}, {"A": Decimal(0), "B": Decimal(0)}, {"D": Decimal(1)}, True, "có"]


@pytest.mark.parametrize("code", ["1", "2", "3", "4", "5", "T"])
def test_validate_refuses_exactly_the_answers_scoring_errors(code):
    """For every rule kind and a spread of answers, good and bad: `answer_problems` (or the checks
    before it, `validate_submission`) finds a problem if and only if scoring errors the criterion."""
    from parrules.submissions.submission import validate_submission

    criteria = parrules.criteria_set_from_text(SET, parrules.Registry(entry_points=False))
    for answer in ANSWERS:
        sub = parrules.submission_from_dict({"unit": {"code": "U", "name": "U"}, "answers": {code: answer}})
        found = [*validate_submission(criteria, sub), *answer_problems(criteria, [sub])]
        try:
            leaf = parrules.score(criteria, sub).leaf(code)
        except parrules.ProblemsError:  # scoring refuses what validate_submission refuses
            assert found, answer
            continue
        assert bool(found) == (leaf.status == "error"), (code, answer, found, leaf.error)


def test_minus_zero_is_zero_and_never_printed_as_minus_zero(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    subs = _folder(tmp_path, **{"1": '"-0"', "2": '"-0.0"'})
    scored = run(capsys, "score", "set.toml", subs.name, "--format", "json")
    assert scored.code == 0 and '"final_points": -' not in scored.out
    assert parrules.to_decimal("-0").is_signed() is False


# -- paths no file can have, in what a submission names -------------------------------------------
@pytest.mark.parametrize(("table", "key", "said"), [
    ('[[documents]]\nnumber = "12/KH"\nfile = "a\\u0000b.pdf"\n', "documents[0].file", "NUL character"),
    ('[[documents]]\nnumber = "12/KH"\nfile = "' + "a" * 300 + '.pdf"\n', "documents[0].file",
     "304 bytes long; file systems take at most 255"),
    ('[data]\ndossiers = "x\\u0000.csv"\n', "data.dossiers", "NUL character"),
    ('[data]\ndossiers = "' + "d/" * 2_100 + 'x.csv"\n', "data.dossiers", "bytes long; file systems take at most 4,096"),
])
@pytest.mark.parametrize("command", ["validate", "score"])
def test_a_path_no_file_can_have_inside_a_submission_is_one_problem(table, key, said, command, tmp_path, capsys,
                                                                   monkeypatch):
    subs = _u2_with(tmp_path, monkeypatch, "\n" + table)
    text = (subs / "U2.toml").read_text(encoding="utf-8")
    ran = run(capsys, command, "set.toml", subs.name)
    assert ran.code == 1 and ran.err.count("error: ") == 1, ran.err
    line = next(i for i, t in enumerate(text.splitlines(), start=1) if t.startswith(key.split(".")[-1].split("[")[0]))
    assert ran.names("subs/U2.toml", key, line), ran.err
    assert said in ran.err and "cannot name a file" in ran.err


@pytest.mark.parametrize(("name", "said"), [("u\0.toml", "NUL character"),
                                            ("u" * 300 + ".toml", "file systems take at most 255")])
def test_a_submission_path_no_file_can_have_is_one_problem(name, said, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _folder(tmp_path)
    ran = run(capsys, "validate", "set.toml", name)
    assert ran.code == 1 and ran.err.count("error: ") == 1 and said in ran.err, ran.err
    assert "cannot read submission" in ran.err


def test_validate_reports_a_data_file_that_is_not_there(tmp_path, capsys, monkeypatch):
    """Scoring would error the criteria a check of it measures; validate says so first."""
    subs = _u2_with(tmp_path, monkeypatch, '\n[data]\ndossiers = "ho-so.csv"\n')
    ran = run(capsys, "validate", "set.toml", subs.name)
    assert ran.code == 1 and ran.names("subs/U2.toml", "data.dossiers", 16), ran.err
    assert "data file 'dossiers' not found" in ran.err
    (subs / "ho-so.csv").write_text("ma,han\n", encoding="utf-8")
    assert run(capsys, "validate", "set.toml", subs.name).code == 0


# -- sizes and depths no real submission has --------------------------------------------------
@pytest.mark.parametrize(("answer", "key"), [
    ("{ A = " + "[" * 40 + "1" + "]" * 40 + " }", 'answers."3".A[0][0][0]…'),
    ("{ " + "A = { " * 40 + "B = 1" + " }" * 41, 'answers."3".A.A.A.A…'),
])
@pytest.mark.parametrize("command", ["validate", "score"])
def test_answers_nested_beyond_32_levels_are_one_problem(answer, key, command, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    subs = _folder(tmp_path, **{"3": answer})
    ran = run(capsys, command, "set.toml", subs.name)
    assert ran.code == 1 and ran.err.count("error: ") == 1, ran.err
    assert ran.names("subs/U2.toml", key), ran.err
    assert "nested more than 32 levels deep" in ran.err


def test_a_header_900_levels_deep_is_one_problem_not_a_recursion_error(tmp_path, capsys, monkeypatch):
    subs = _u2_with(tmp_path, monkeypatch, '\n[answers."3".' + ".".join(["A"] * 900) + "]\nB = 1\n")
    ran = run(capsys, "score", "set.toml", subs.name)
    assert ran.code == 1 and ran.names("subs/U2.toml", 'answers."3".A.A.A.A…', 15), ran.err


def test_a_100_kb_dotted_key_costs_what_its_length_does(tmp_path, capsys, monkeypatch):
    subs = _u2_with(tmp_path, monkeypatch, '"' + '"."'.join(["a"] * 25_000) + '" = 1\n')
    start = time.perf_counter()
    ran = run(capsys, "validate", "set.toml", subs.name)
    assert time.perf_counter() - start < 5  # tomllib alone took 18 s on this line
    assert ran.code == 1 and ran.names("subs/U2.toml", "answers.a.a.a.a.a…", 14), ran.err


def test_fifty_thousand_unknown_codes_are_a_few_lines(tmp_path, capsys, monkeypatch):
    subs = _u2_with(tmp_path, monkeypatch, "".join(f'"9.{i}" = 1\n' for i in range(50_000)))
    start = time.perf_counter()
    ran = run(capsys, "validate", "set.toml", subs.name)
    assert time.perf_counter() - start < 20
    assert ran.code == 1 and ran.names("subs/U2.toml", 'answers."9.0"', 14), ran.err
    assert ran.err.count("error: ") == 11, ran.err
    assert "49,990 more codes in [answers] are not criteria of set 't'" in ran.err


def test_an_answer_to_a_code_with_an_arabic_indic_digit_says_the_code_to_write(tmp_path, capsys, monkeypatch):
    subs = _u2_with(tmp_path, monkeypatch, "", '"5" = 95', '"٥" = 95')
    ran = run(capsys, "validate", "set.toml", subs.name)
    assert ran.code == 1 and ran.names("subs/U2.toml", 'answers."٥"', 12), ran.err
    assert "codes are written with the digits 0–9: '5'" in ran.err


def test_an_appraisal_round_beyond_99_is_one_problem(tmp_path, capsys, monkeypatch):
    """A round of 10^29 used to reach the JSON writer, which cannot write it (a traceback)."""
    subs = _u2_with(tmp_path, monkeypatch, '\n[[appraisals]]\ncode = "1"\nround = '
                    + "1" + "0" * 29 + '\npoints = 1\nreason = "trễ"\n')
    ran = run(capsys, "score", "set.toml", subs.name, "--format", "json")
    assert ran.code == 1 and ran.names("subs/U2.toml", "appraisals[0].round", 17), ran.err
    assert "must be from 1 to 99" in ran.err


@pytest.mark.parametrize("literal", ["inf", "-inf", "nan"])
def test_a_toml_inf_is_refused_when_the_other_units_answer_whole_numbers(literal, tmp_path, capsys, monkeypatch):
    """U1 answers the whole number 40, U2 `inf`: the column mixes int and Decimal, and the check of
    non-finite values once looked only at all-Decimal and float columns, so U2 scored as an error."""
    monkeypatch.chdir(tmp_path)
    subs = _folder(tmp_path, **{"2": literal})
    ran = run(capsys, "score", "set.toml", subs.name)
    assert ran.code == 1 and ran.names("subs/U2.toml", 'answers."2"', 9), ran.err
    assert "is not a number a criterion can be scored on" in ran.err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_among_the_submissions_is_refused_at_once_never_read(tmp_path, capsys, monkeypatch):
    """Reading a FIFO waits for a writer forever: one hostile name in a folder stalled the whole run."""
    subs = _u2_with(tmp_path, monkeypatch, "")
    pipe = subs / "zz-pipe.toml"
    os.mkfifo(pipe)
    stop = threading.Event()

    def free_a_blocked_reader() -> None:  # without the fix, the read returns after 5 s instead of never
        if not stop.wait(5):
            with open(pipe, "wb"):
                pass

    feeder = threading.Thread(target=free_a_blocked_reader, daemon=True)
    feeder.start()
    start = time.perf_counter()
    ran = run(capsys, "validate", "set.toml", subs.name)
    elapsed = time.perf_counter() - start
    stop.set()
    feeder.join()
    assert elapsed < 4 and ran.code == 1, ran.err
    assert "subs/zz-pipe.toml: cannot read submission: it is a named pipe (FIFO), not a file" in ran.err

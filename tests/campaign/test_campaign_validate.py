"""`parrules validate campaign.toml`: everything `parrules campaign` would refuse, said before a run.

Each case breaks one input of a working campaign (the file, its set, a submission, last year's
results, the code mapping) and checks that `validate` exits 1 naming the file and key, and that
`campaign` refuses it with the very same problems — the two share one list of checks — or, where a
run would only be incomplete (exit 3), that `validate` says why before it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

import parrules
from parrules.cli.main import main

from .test_campaign import write_campaign


@pytest.fixture(autouse=True)
def _english():
    """These tests read the English texts of problems (a Vietnamese run is pinned in
    tests/sets/test_problem_language.py): the library speaks the voice active when a problem is made."""
    with parrules.speaking(language="en"):
        yield


MAPPING = '[mapping]\nfrom_set = "hand"\nto_set = "hand"\n\n[mapping.codes]\n"2.2" = "2.2"\n'


def full_campaign(root: Path) -> Path:
    """A campaign with every input a campaign can name: last year's results (a campaign JSON) and a mapping."""
    write_campaign(root)
    last_year = parrules.run_campaign(parrules.load_campaign(root / "campaign" / "campaign.toml"))
    (root / "campaign" / "previous").mkdir()
    last_year.write_json(root / "campaign" / "previous" / "2023.json")
    (root / "campaign" / "mapping.toml").write_text(MAPPING, encoding="utf-8")
    return write_campaign(root, 'previous_results = "previous/2023.json"\ncode_mapping = "mapping.toml"\n')


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    """`parrules ARGV` in English (`--lang en`): the problems' English texts are compared."""
    code = main([str(argv[0]), "--lang", "en", *map(str, argv[1:])])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def problems(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("error: ")]


def test_a_sound_campaign_validates_with_one_summary_line(tmp_path, capsys) -> None:
    path = full_campaign(tmp_path)
    code, out, err = run(capsys, "validate", "--lang", "en", path)
    assert (code, err) == (0, "")
    assert out == (f"ok: {path}: 4 submissions, set 'hand', previous results of 4 units, "
                   "code mapping of 1 codes\n")
    assert run(capsys, "validate", "--quiet", path) == (0, "", "")
    assert run(capsys, "campaign", path)[0] == 0


def test_a_set_file_is_still_validated_as_a_set(tmp_path, capsys) -> None:
    write_campaign(tmp_path)
    code, out, _ = run(capsys, "validate", "--lang", "en", tmp_path / "sets" / "hand.toml",
                       tmp_path / "campaign" / "submissions")
    assert code == 0 and "set 'hand'" in out and out.count("ok: ") == 2  # the set, then its 4 submissions
    assert run(capsys, "validate", "-q", tmp_path / "sets" / "hand.toml") == (0, "", "")


def test_a_campaign_file_with_submissions_is_wrong_usage(tmp_path, capsys) -> None:
    path = write_campaign(tmp_path)
    code, _, err = run(capsys, "validate", "--lang", "en", path, tmp_path / "campaign" / "submissions")
    assert code == 2 and "names its own submissions" in err


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _edit_previous(root: Path, edit: Callable[[list], None]) -> None:
    """Edit last year's results as a clerk would by hand: parsed, changed, written back."""
    path = root / "campaign" / "previous" / "2023.json"
    data = json.loads(path.read_bytes(), parse_float=Decimal)
    edit(data["units"])
    parrules.write_atomic(path, parrules.to_json(data))


Edit = tuple[str, str, str] | Callable[[Path], None]  # (file under the root, text, its replacement), or a function
CAMPAIGN, SUB, MAP = "campaign/campaign.toml", "campaign/submissions/so-b.toml", "campaign/mapping.toml"
REFUSED: dict[str, tuple[Edit, str, str]] = {  # the edit, where the problem is, words of its message
    "a path the campaign names is missing": (
        (CAMPAIGN, 'code_mapping = "mapping.toml"', 'code_mapping = "map.toml"'),
        "campaign/campaign.toml:7: campaign.code_mapping: 'map.toml' not found", ""),
    "a tie-break key names no field": (
        (CAMPAIGN, "code_mapping", 'tie_break = ["field:9"]\ncode_mapping'),
        "campaign/campaign.toml:7: campaign.tie_break:", "'9' is not a field"),
    "the time limit of checks is not a number of seconds": (
        (CAMPAIGN, "code_mapping", 'check_timeout = -5\ncode_mapping'),
        "campaign/campaign.toml:7: campaign.check_timeout: expected a number of seconds", "not -5"),
    "the set has a mistake": (
        ("sets/hand.toml", "max_points = 15", "max_points = -15"),
        'campaign/../sets/hand.toml:44: criteria."2.2".max_points', "-15"),
    "a submission does not parse": (
        (SUB, 'name = "Sở B"', 'name = "Sở B'), "campaign/submissions/so-b.toml:3: TOML syntax error", ""),
    "two submissions share a unit code": (
        (SUB, 'code = "SB"', 'code = "SA"'), "campaign/submissions/so-", "unit code 'SA' is also used by"),
    "a submission self-assesses a code the set does not have": (
        (SUB, '"2.2" = 0', '"2.2" = 0\n"2.9" = 0'),
        'campaign/submissions/so-b.toml:13: self_assessment."2.9"', "not a criterion"),
    "a submission self-assesses more than the maximum": (
        (SUB, '"2.1" = 20', '"2.1" = 40'), 'campaign/submissions/so-b.toml:11: self_assessment."2.1"', "40"),
    "last year's results were edited by hand": (
        lambda root: _edit_previous(root, lambda units: units[2].update(total_points="80")),
        "campaign/previous/2023.json: units[2].total_points: must be a number or null", ""),
    "last year's results list a unit twice": (
        lambda root: _edit_previous(root, lambda units: units.append(units[0])),
        "campaign/previous/2023.json: units[4].unit.code: unit 'SA' is listed twice", ""),
    "the mapping names an old code last year does not have": (
        (MAP, '"2.2" = "2.2"', '"22" = "2.2"'),
        "campaign/mapping.toml:6: mapping.codes.\"22\": '22' is not a criterion of last year's results",
        "did you mean '2.2'?"),
    "the mapping silently adds an old code into one that keeps its code": (
        (MAP, '"2.2" = "2.2"', '"1.3" = "1.2"'), 'campaign/mapping.toml:6: mapping.codes."1.3"', '"1.2" = "1.2"'),
    "the mapping maps onto a code the set does not have": (
        (MAP, '"2.2" = "2.2"', '"2.2" = "2.5"'),
        "campaign/mapping.toml:6: mapping.codes.\"2.2\": '2.5' is not a criterion of set 'hand'", ""),
}


def breaks(root: Path, case: str) -> None:
    edit = REFUSED[case][0]
    if callable(edit):
        edit(root)
    else:
        _replace(root / edit[0], edit[1], edit[2])


@pytest.mark.parametrize("case", list(REFUSED))
def test_what_campaign_refuses_validate_reports_with_the_same_problems(tmp_path, capsys, monkeypatch, case) -> None:
    path = full_campaign(tmp_path)
    monkeypatch.chdir(tmp_path)  # problems name files as given: relative to here
    path = path.relative_to(tmp_path)
    _, where, words = REFUSED[case]
    breaks(tmp_path, case)
    code, out, err = run(capsys, "validate", path)
    assert code == 1 and "ok:" not in out, err
    found = problems(err)
    assert any(line.startswith(f"error: {where}") and words in line for line in found), err
    quiet = run(capsys, "validate", "-q", path)
    assert quiet[:2] == (1, "") and problems(quiet[2]) == found
    refused, _, err_run = run(capsys, "campaign", path, "-o", "out")
    assert refused == 1 and problems(err_run) == found
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_every_input_s_mistakes_are_said_in_one_run(tmp_path, capsys) -> None:
    """The mapping is still checked against this year's set when last year's results are wrong."""
    path = full_campaign(tmp_path)
    for case in ("a submission self-assesses a code the set does not have", "last year's results were edited by hand",
                 "the mapping maps onto a code the set does not have"):
        breaks(tmp_path, case)
    code, _, err = run(capsys, "validate", path)
    files = [line.split(":")[1].strip() for line in problems(err)]
    assert code == 1 and len(files) == 3, err
    assert sorted(Path(f).name for f in files) == ["2023.json", "mapping.toml", "so-b.toml"]


def test_what_a_run_would_leave_incomplete_validate_reports_first(tmp_path, capsys) -> None:
    path = full_campaign(tmp_path)
    _replace(tmp_path / SUB, '"2.2" = 0\n', "")  # nothing scores 2.2 for Sở B
    code, _, err = run(capsys, "validate", path)
    assert code == 1
    [line] = problems(err)
    assert "so-b.toml: answers.\"2.2\"" in line and "not evaluated" in line
    assert run(capsys, "campaign", path)[0] == 3  # the run would go on, incomplete


def test_a_figure_no_criterion_can_hold_is_reported_before_the_run(tmp_path, capsys) -> None:
    path = full_campaign(tmp_path)
    set_file = tmp_path / "sets" / "hand.toml"
    text = set_file.read_text(encoding="utf-8")
    set_file.write_text(text[:text.rindex('rule = "manual"')] + 'rule = "proportional"\n', encoding="utf-8")
    _replace(tmp_path / SUB, "[self_assessment]", '[answers]\n"2.2" = 1e20\n\n[self_assessment]')
    code, _, err = run(capsys, "validate", path)
    assert code == 1
    assert any("so-b.toml:8: answers.\"2.2\"" in line and "not a number a criterion can be scored on" in line
               for line in problems(err)), err
    assert run(capsys, "campaign", path)[0] == 3  # scoring errors the criterion: incomplete

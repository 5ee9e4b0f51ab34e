"""`parrules report` on a campaign JSON edited by hand: one clear problem, exit 1, no file written.

Each case edits the JSON a real campaign wrote, as a clerk with a text editor (or a hostile one)
would; every format must refuse it the same way — the file and the key path named, no traceback —
and leave the output path as it was.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import parrules
from parrules.campaign.run import campaign_result, spec_for
from parrules.cli.main import main
from parrules.reports.common import ReportData, data_problems

from ..campaign_data import hand_set, split, unit

FORMATS = ("html", "csv", "md", "xlsx", "json")
Edit = Callable[[dict[str, Any]], Any]


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The campaign JSON of four units in two cohorts, as `parrules campaign -o` writes it."""
    folder = tmp_path_factory.mktemp("campaign")
    criteria = hand_set(folder)
    subs = [unit("A", split("87.59")), unit("B", split("83.55")), unit("C", split("60")),
            unit("H", split("75"), kind="district")]
    path = campaign_result(spec_for(criteria, id="r"), criteria, subs).write_json(folder / "r.json")
    return json.loads(path.read_text(encoding="utf-8"))


def _set(*keys: object, value: Any) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        *parents, last = keys
        for key in parents:
            data = data[key]  # type: ignore[index]
        data[last] = value  # type: ignore[index]
    return edit


def _drop(*keys: object) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        *parents, last = keys
        for key in parents:
            data = data[key]  # type: ignore[index]
        del data[last]  # type: ignore[arg-type]
    return edit


def _nested(levels: int) -> Any:
    value: Any = 1
    for _ in range(levels):
        value = [value]
    return value


# (case, edit of the data, key path the problem names, words of its message)
EDITS: list[tuple[str, Edit, str, str]] = [
    ("decimals just past the bound", _set("criteria_set", "decimals", value=7),
     "criteria_set.decimals", "must be from 0 to 6, not 7"),
    ("a billion decimals", _set("criteria_set", "decimals", value=10**9),
     "criteria_set.decimals", "must be from 0 to 6, not 1000000000"),
    ("negative percent decimals", _set("criteria_set", "percent_decimals", value=-1),
     "criteria_set.percent_decimals", "must be from 0 to 6, not -1"),
    ("decimals as text", _set("criteria_set", "decimals", value="2"),
     "criteria_set.decimals", "is not of type 'integer'"),
    ("a total as text", _set("units", 0, "total_points", value="tám mươi"),
     "units[0].total_points", "is not of type 'number'"),
    ("a total as yes/no", _set("units", 0, "total_points", value=True),
     "units[0].total_points", "is not of type 'number'"),
    ("a missing index", _drop("units", 0, "index"), "units[0].index", "this key is missing"),
    ("a missing criteria list", _drop("criteria_set", "criteria"), "criteria_set.criteria", "this key is missing"),
    ("no units key", _drop("units"), "units", "this key is missing"),
    ("units not a list", _set("units", value={}), "units", "is not of type 'array'"),
    ("a huge total", _set("units", 0, "total_points", value=Decimal("1E+300")),
     "units[0].total_points", "larger than any figure"),
    ("a total finer than any figure", _set("units", 0, "total_points", value=Decimal("1E-300")),
     "units[0].total_points", "more precision than any figure"),
    ("a huge maximum", _set("criteria_set", "criteria", 0, "max_points", value=Decimal(10**20)),
     "criteria_set.criteria[0].max_points", "larger than any figure"),
    ("a huge cohort mean", _set("cohorts", 0, "statistics", "mean_index", value=Decimal("1E+308")),
     "cohorts[0].statistics.mean_index", "larger than any figure"),
    ("a huge rank", _set("units", 0, "placing", "rank", value=Decimal(10**30)), "units[0].placing.rank",
     "larger than any figure"),
    ("a declared value nested 200 deep", _set("units", 0, "leaves", 0, "declared", value=_nested(200)),
     "units[0].leaves[0].declared", "nested more than 40 levels deep"),
    ("a unit given twice", lambda d: d["units"][1]["unit"].update(code=d["units"][0]["unit"]["code"]),
     "units[1].unit.code", "is given twice (also units[0])"),
    ("a unit in no cohort", lambda d: d["cohorts"][0]["units"].clear(), "units[", "is in no cohort"),
    ("a cohort listing a unit the file has not", lambda d: d["cohorts"][0]["units"].append("KHÔNG-CÓ"),
     "cohorts[0].units[", "lists 'KHÔNG-CÓ', which is not a unit of the file"),
    ("no cohorts at all", _set("cohorts", value=[]), "units[0].unit.code", "is in no cohort"),
    ("no units at all", lambda d: (d.update(units=[]), d.update(cohorts=[])), "units", "the file has no unit"),
]

# (case, the file's text from the written one, words of the problem) — what JSON itself cannot hold
TEXTS: list[tuple[str, Callable[[str], str], str]] = [
    ("a NaN literal", lambda t: t.replace('"total_points":', '"total_points":NaN,"x":', 1), "NaN is not a JSON number"),
    ("an Infinity literal", lambda t: t.replace('"index":', '"index":-Infinity,"x":', 1),
     "-Infinity is not a JSON number"),
    ("an index of 400 digits", lambda t: _number(t, "index", "1" * 400), "units[0].index: 1111"),
    ("an integer of 5000 digits", lambda t: t.replace('"decimals":2', '"decimals":' + "9" * 5000, 1),
     "not a number a PAR input can hold"),
    ("nesting deeper than the parser goes", lambda t: t.rstrip()[:-1] + ',"x":' + "[" * 100_000 + "]" * 100_000 + "}",
     "nested too deeply"),
    ("a key given twice", lambda t: t.replace('{"campaign":', '{"complete":true,"campaign":', 1), "given twice"),
    ("cut short", lambda t: t[: len(t) // 2], "JSON syntax error"),
]


def _number(text: str, key: str, literal: str) -> str:
    """The text with the first number under `key` written as `literal`."""
    return re.sub(f'"{key}":[-+0-9.eE]+', f'"{key}":{literal}', text, count=1)


def _report(source: Path, fmt: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, Path]:
    out = source.with_name(f"report-{fmt}.out")
    out.write_bytes(b"last month's report")
    # in English: the words asserted are the English ones (the file's campaign speaks Vietnamese)
    code = main(["report", str(source), "--format", fmt, "-o", str(out), "--lang", "en"])
    return code, capsys.readouterr().err, out


def _refused(tmp_path: Path, source: Path, fmt: str, capsys: pytest.CaptureFixture[str]) -> str:
    code, err, out = _report(source, fmt, capsys)
    assert code == 1, err
    assert "Traceback" not in err and f"error: {source}" in err
    assert out.read_bytes() == b"last month's report"  # left as it was
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([source.name, out.name])  # no temp file left
    return err


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("case", "edit", "where", "words"), EDITS, ids=[c[0] for c in EDITS])
def test_a_hand_edit_is_one_clear_problem(tmp_path: Path, written: dict[str, Any], capsys: pytest.CaptureFixture[str],
                                          fmt: str, case: str, edit: Edit, where: str, words: str) -> None:
    data = copy.deepcopy(written)
    edit(data)
    source = tmp_path / "edited.json"
    source.write_bytes(parrules.to_json(data))
    err = _refused(tmp_path, source, fmt, capsys)
    first = err.splitlines()[0]
    assert first.startswith(f"error: {source}: {where}") and words in first, first


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("case", "text", "words"), TEXTS, ids=[c[0] for c in TEXTS])
def test_a_file_json_cannot_hold_is_one_clear_problem(tmp_path: Path, written: dict[str, Any],
                                                      capsys: pytest.CaptureFixture[str], fmt: str, case: str,
                                                      text: Callable[[str], str], words: str) -> None:
    source = tmp_path / "edited.json"
    source.write_text(text(parrules.to_json(written, indent=False).decode("utf-8")), encoding="utf-8")
    err = _refused(tmp_path, source, fmt, capsys)
    assert words in err.splitlines()[0], err


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_file_as_written_is_rendered(tmp_path: Path, written: dict[str, Any],
                                         capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    """No false alarm: every figure a run writes, at the bounds the set allows, passes."""
    data = copy.deepcopy(written)
    data["criteria_set"].update(decimals=6, percent_decimals=0)
    data["units"][0]["leaves"][0]["declared"] = _nested(30)  # as deep as a submission's answer may go
    source = tmp_path / "r.json"
    source.write_bytes(parrules.to_json(data))
    code, err, out = _report(source, fmt, capsys)
    assert code == 0, err
    assert out.read_bytes() != b"last month's report"


def test_the_checks_name_every_problem_up_to_ten(written: dict[str, Any]) -> None:
    data = copy.deepcopy(written)
    assert data_problems(data, "r.json") == []
    for entry in data["units"]:
        for leaf in entry["leaves"]:
            leaf["final_points"] = Decimal("1E+20")
    problems = data_problems(data, "r.json")
    assert len(problems) == 11 and problems[-1].message == "… and 10 more values like these"
    assert [p.path for p in problems[:2]] == ["units[0].leaves[0].final_points", "units[0].leaves[1].final_points"]


def test_report_data_refuses_decimals_a_set_cannot_declare(written: dict[str, Any]) -> None:
    """A plugin's renderer given the data directly meets the same bound, not a gigabyte string."""
    data = copy.deepcopy(written)
    data["criteria_set"]["decimals"] = 10**9
    with pytest.raises(ValueError, match="less than or equal to 6"):
        ReportData(data)

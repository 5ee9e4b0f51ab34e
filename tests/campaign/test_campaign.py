"""Campaign files: paths relative to the file, clear problems, a full run through the CLI."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

import parrules
from parrules.campaign.run import load_campaign, run_campaign
from parrules.cli.campaign import ProgressBar
from parrules.cli.main import main

from ..campaign_data import SET

UNITS = {
    "so-a": ("SA", "Sở A", "department", {"1.1": 30, "1.2": 20, "1.3": 10, "2.1": 25, "2.2": 5}),      # 90
    "so-b": ("SB", "Sở B", "department", {"1.1": 30, "1.2": 20, "1.3": 10, "2.1": 20, "2.2": 0}),      # 80
    "so-c": ("SC", "Sở C", "department", {"1.1": 30, "1.2": 20, "1.3": 10, "2.1": 20, "2.2": 0}),      # 80
    "huyen-x": ("HX", "Huyện X", "district", {"1.1": 20, "1.2": 20, "1.3": 10, "2.1": 20, "2.2": 0}),  # 70
}


def write_campaign(root: Path, extra: str = "") -> Path:
    (root / "sets").mkdir(parents=True, exist_ok=True)
    (root / "sets" / "hand.toml").write_text(SET, encoding="utf-8")
    subs = root / "campaign" / "submissions"
    subs.mkdir(parents=True, exist_ok=True)
    for stem, (code, name, kind, points) in UNITS.items():
        lines = [f'[unit]\ncode = "{code}"\nname = "{name}"\nkind = "{kind}"\nperiod = 2024\n\n[self_assessment]']
        lines += [f'"{c}" = {p}' for c, p in points.items()]
        (subs / f"{stem}.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    path = root / "campaign" / "campaign.toml"
    path.write_text(f"""[campaign]
id = "thu-2024"
name = "Chỉ số CCHC năm 2024 (thử)"
criteria_set = "../sets/hand.toml"
submissions = ["submissions"]
{extra}""", encoding="utf-8")
    return path


def test_campaign_runs_with_paths_relative_to_its_file(tmp_path) -> None:
    campaign = load_campaign(write_campaign(tmp_path), parrules.Registry(entry_points=False))
    assert len(campaign.submission_files) == 4
    result = run_campaign(campaign)
    ranks = {p.unit.unit.code: (p.cohort, p.rank) for p in result.ranking.placings}
    assert ranks == {"SA": ("departments", 1), "SB": ("departments", 2), "SC": ("departments", 2),
                     "HX": ("districts", 1)}
    data = result.to_dict()
    assert data["format"] == "parrules.campaign/2"
    assert [u["unit"]["code"] for u in data["units"]] == ["SA", "SB", "SC", "HX"]
    assert data["statistics"]["mean_index"] == Decimal("80.00")


def test_missing_paths_are_reported_with_key_and_line(tmp_path) -> None:
    path = write_campaign(tmp_path, 'previous_results = "previous/2023.json"\n[campaign.data]\ndossiers = "nope.csv"\n')
    with pytest.raises(parrules.ProblemsError) as info, parrules.speaking(language="en"):
        load_campaign(path)
    found = {(p.path, p.line) for p in info.value.problems}
    assert ("campaign.previous_results", 6) in found
    assert ("campaign.data.dossiers", 8) in found
    assert all("not found" in p.message for p in info.value.problems)


def test_unknown_tie_break_key_is_a_problem(tmp_path) -> None:
    path = write_campaign(tmp_path, 'tie_break = ["field:9"]\n')
    with pytest.raises(parrules.ProblemsError) as info, parrules.speaking(language="en"):
        load_campaign(path, parrules.Registry(entry_points=False))
    assert "'9' is not a field" in info.value.problems[0].message


def test_cli_campaign_writes_every_report_and_report_rerenders(tmp_path, capsys) -> None:
    path = write_campaign(tmp_path)
    out = tmp_path / "out"
    assert main(["campaign", str(path), "-o", str(out), "--lang", "vi", "--progress"]) == 0
    captured = capsys.readouterr()
    assert "Sở A" in captured.out and "90,00" in captured.out
    assert "chấm điểm" in captured.err and "[" in captured.err and "4/4" in captured.err
    for suffix in ("json", "csv", "md", "xlsx", "html"):
        assert (out / f"thu-2024.{suffix}").stat().st_size > 0
    assert main(["report", str(out / "thu-2024.json"), "--format", "md", "-o", str(tmp_path / "again.md")]) == 0
    assert (tmp_path / "again.md").read_text(encoding="utf-8") == \
        parrules.reports.render(json.loads((out / "thu-2024.json").read_bytes(), parse_float=Decimal), "md").decode()


def test_campaign_json_serves_as_next_years_previous_results(tmp_path, capsys) -> None:
    path = write_campaign(tmp_path)
    out = tmp_path / "out"
    assert main(["campaign", str(path), "-o", str(out), "--formats", "json"]) == 0
    (tmp_path / "campaign" / "previous").mkdir()
    (out / "thu-2024.json").rename(tmp_path / "campaign" / "previous" / "2023.json")
    path = write_campaign(tmp_path, 'previous_results = "previous/2023.json"\n')
    result = run_campaign(load_campaign(path))
    assert result.yoy is not None and result.yoy.units["SB"].rank.previous == 2
    assert result.yoy.units["SB"].index.change == Decimal("0.00")


def test_report_refuses_a_json_that_is_not_a_campaign(tmp_path, capsys) -> None:
    bad = tmp_path / "x.json"
    bad.write_text('{"format": "parrules.results/1", "units": []}', encoding="utf-8")
    assert main(["report", str(bad), "-o", str(tmp_path / "r.html")]) == 1
    assert "not a campaign JSON" in capsys.readouterr().err
    assert not (tmp_path / "r.html").exists()


def test_progress_bar_draws_tenths_when_asked_and_not_a_terminal() -> None:
    import io

    from parrules.messages import speaking

    stream = io.StringIO()
    with speaking("en"):
        bar = ProgressBar(stream, force=True)  # --progress
        for i in range(1, 1001):
            bar("loading", i, 1000)
    lines = stream.getvalue().splitlines()
    # 0 %, every tenth, 100 %
    assert len(lines) == 11 and lines[-1].startswith("loading  [" + "#" * 30 + "] 1000/1000")
    quiet = io.StringIO()
    unasked = ProgressBar(quiet)  # not a terminal, no --progress: nothing drawn, however long the run
    for i in range(1, 1001):
        unasked("loading", i, 1000)
    assert quiet.getvalue() == ""


def test_benchmark_prints_its_table_at_tiny_size(tmp_path) -> None:
    """The scale benchmark runs end to end and prints every figure (no time limit asserted)."""
    import subprocess
    import sys

    script = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_campaign.py"
    done = subprocess.run([sys.executable, str(script), "--sizes", "3,7", "--out", str(tmp_path)],
                          capture_output=True, text=True, timeout=600, check=True)
    lines = done.stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.split()[:2] == ["units", "leaf"])
    for word in ("evals/s", "peak RSS MiB", "bare evals/s", "÷ bare", "zen evals/s", "× zen"):
        assert word in lines[header]
    rows = [line.split() for line in lines[header + 2: header + 4]]
    assert [r[0] for r in rows] == ["3", "7"]
    assert all(float(r[3].replace(",", "")) > 0 and r[8] != "n/a" for r in rows), done.stdout
    assert (tmp_path / "campaign-7.json").stat().st_size > 0


def test_fast_campaign_json_is_byte_identical_to_the_plain_path(tmp_path) -> None:
    from parrules.reports import render

    path = write_campaign(tmp_path)
    result = run_campaign(load_campaign(path, parrules.Registry(entry_points=False)))
    assert result.to_json() == render(result.to_dict(), "json")


def test_units_in_the_same_situation_share_a_leaf_result_and_only_then(tmp_path) -> None:
    from ..campaign_data import hand_set

    text = """
[set]
id = "share"
name = "Chia sẻ"
level = "department"
total_points = 10

[criteria."1"]
name = "Tỷ lệ trực tuyến"
max_points = 10
rule = "proportional"
"""
    criteria = hand_set(tmp_path, text)

    def sub(code: str, answer: object, self_points: str | None = None, appraisal: str | None = None):
        data: dict = {"unit": {"code": code, "name": code}, "answers": {"1": answer}}
        if self_points is not None:
            data["self_assessment"] = {"1": Decimal(self_points)}
        if appraisal is not None:
            data["appraisals"] = [{"code": "1", "points": Decimal(appraisal), "reason": "r"}]
        return parrules.submission_from_dict(data)

    subs = [sub("A", Decimal("50"), "5"), sub("A2", Decimal("50"), "5"), sub("B", Decimal("50"), "5.0"),
            sub("C", Decimal("50.0"), "5"), sub("D", Decimal("50"), "5", appraisal="4"), sub("E", Decimal("60"), "5")]
    run = parrules.score_many(criteria, subs)
    leaf = {u.unit.code: u.leaves[0] for u in run.units}
    assert leaf["A"] is leaf["A2"]
    for other in ("B", "C", "D", "E"):
        assert leaf[other] is not leaf["A"]
    assert str(leaf["B"].self_points) == "5.0" and str(leaf["C"].declared) == "50.0"
    assert leaf["D"].final_points == Decimal("4") and leaf["E"].final_points == Decimal("6.00")
    assert [u.total_points for u in run.units] == [Decimal("5.00")] * 4 + [Decimal("4.00"), Decimal("6.00")]

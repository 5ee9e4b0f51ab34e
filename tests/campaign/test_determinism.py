"""Same inputs, same bytes: a campaign run from any working directory, or from another checkout,
writes the same JSON, CSV, Markdown, HTML and XLSX — provenance names every input relative to the
campaign file's folder (for `score`, the set file's), with forward slashes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from parrules.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "province-2018"
FORMATS = ("json", "csv", "md", "html", "xlsx", "docx")
UNITS = ("01.toml", "14.toml", "94.toml")
CAMPAIGN = """[campaign]
id = "par-province-2018"
name = "Chỉ số CCHC năm 2018 (ví dụ)"
criteria_set = "../../criteria_sets/par-province-2018.toml"
submissions = ["submissions"]

[campaign.data]
dossiers = "data/dossiers.csv"
services = "data/services.csv"
register = "data/register.csv"
survey = "data/survey.csv"
"""


def province_campaign(root: Path, *, last_year: bool = True) -> Path:
    """The quick-start campaign (evidence checks reading campaign-wide data files) on three units,
    laid out as in the repository, with last year's results and a code mapping beside it."""
    folder = root / "examples" / "province-2018"
    (folder / "submissions").mkdir(parents=True)
    (root / "criteria_sets").mkdir()
    shutil.copy(ROOT / "criteria_sets" / "par-province-2018.toml", root / "criteria_sets")
    shutil.copytree(EXAMPLE / "data", folder / "data")
    for name in UNITS:
        shutil.copy(EXAMPLE / "submissions" / name, folder / "submissions")
    campaign = folder / "campaign.toml"
    campaign.write_text(CAMPAIGN, encoding="utf-8")
    if not last_year:
        return campaign
    assert main(["campaign", str(campaign), "-o", str(root / "last-year"), "--formats", "json"]) == 0
    (folder / "previous").mkdir()
    (root / "last-year" / "par-province-2018.json").rename(folder / "previous" / "2017.json")
    (folder / "mapping.toml").write_text('[mapping.codes]\n"1.1" = "1.1"\n', encoding="utf-8")
    campaign.write_text(CAMPAIGN.replace("[campaign.data]", 'previous_results = "previous/2017.json"\n'
                                         'code_mapping = "mapping.toml"\n\n[campaign.data]'), encoding="utf-8")
    return campaign


def outputs(folder: Path) -> dict[str, bytes]:
    return {fmt: (folder / f"par-province-2018.{fmt}").read_bytes() for fmt in FORMATS}


def test_a_campaign_writes_the_same_bytes_from_any_working_directory(tmp_path, monkeypatch, capsys) -> None:
    campaign = province_campaign(tmp_path / "repo")
    moved = tmp_path / "elsewhere" / "checkout"  # the same files in another place: another checkout
    shutil.copytree(tmp_path / "repo", moved)
    runs = {}
    for name, cwd, given in [("from the checkout", tmp_path / "repo", "examples/province-2018/campaign.toml"),
                             ("from the campaign's folder", campaign.parent, "campaign.toml"),
                             ("from elsewhere, absolute", tmp_path, str(campaign)),
                             ("from below, with ..", campaign.parent / "data", "../campaign.toml"),
                             ("from another checkout", moved, "examples/province-2018/campaign.toml")]:
        monkeypatch.chdir(cwd)
        out = tmp_path / "out" / name
        assert main(["campaign", given, "-o", str(out), "--formats", ",".join(FORMATS)]) == 0, capsys.readouterr().err
        runs[name] = outputs(out)
    first = runs.pop("from the checkout")
    for name, got in runs.items():
        for fmt in FORMATS:
            assert got[fmt] == first[fmt], f"{fmt} differs when run {name}"
    data = json.loads(first["json"])
    unit = next(u for u in data["units"] if u["unit"]["code"] == "01")
    inputs = [i["path"] for i in unit["provenance"]["inputs"]]
    assert inputs == ["data/dossiers.csv", "data/register.csv", "data/services.csv", "data/survey.csv",
                      "submissions/01.toml"]
    assert data["year_over_year"]["previous_results"] == "previous/2017.json"
    assert data["year_over_year"]["mapping"] == "mapping.toml"


def test_score_names_inputs_relative_to_the_set_file(tmp_path, monkeypatch) -> None:
    province_campaign(tmp_path, last_year=False)
    got = []
    for cwd in (tmp_path, tmp_path / "examples" / "province-2018"):
        monkeypatch.chdir(cwd)
        root = Path("../..") if cwd != tmp_path else Path()
        example = root / "examples" / "province-2018"
        out = tmp_path / f"results-{len(got)}.json"
        assert main(["score", str(root / "criteria_sets" / "par-province-2018.toml"), str(example / "submissions"),
                     "--data", f"dossiers={example / 'data' / 'dossiers.csv'}", "--format", "json", "-o", str(out),
                     "--provisional"]) == 0
        got.append(out.read_bytes())
    assert got[0] == got[1]
    inputs = [i["path"] for i in json.loads(got[0])["units"][0]["provenance"]["inputs"]]
    assert inputs == ["../examples/province-2018/data/dossiers.csv", "../examples/province-2018/submissions/01.toml"]

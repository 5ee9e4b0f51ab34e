"""The example campaigns: each scores with no errors, and the committed files are what the generator writes."""

from __future__ import annotations

import importlib.util
import json
import sys
from decimal import Decimal
from pathlib import Path
from types import ModuleType

import pytest

import parrules

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
CAMPAIGNS = sorted(EXAMPLES.glob("*/campaign.toml"))
UNITS = {"province-2018": 63, "province-2017": 63, "province-2023": 63, "dak-nong-2020-departments": 20,
         "dak-nong-2020-districts": 8, "dak-mil-2020-communes": 10}


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("examples_generate", EXAMPLES / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _campaign(path: Path) -> tuple[parrules.CriteriaSet, list[parrules.Submission], dict[str, Path]]:
    """campaign.toml read minimally: set, submission folders, campaign-wide data files."""
    spec = tomllib.loads(path.read_text(encoding="utf-8"))["campaign"]
    base = path.parent
    criteria = parrules.load_criteria_set(base / spec["criteria_set"])
    files: list[Path] = []
    for entry in spec["submissions"]:
        target = base / entry
        files.extend(sorted(target.glob("*.toml")) if target.is_dir() else [target])
    data = {name: base / rel for name, rel in spec.get("data", {}).items()}
    return criteria, parrules.load_submissions(files), data


def test_every_campaign_is_shipped() -> None:
    assert {p.parent.name for p in CAMPAIGNS} == set(UNITS)


@pytest.mark.parametrize("path", CAMPAIGNS, ids=lambda p: p.parent.name)
def test_campaign_scores_with_no_errors(path: Path) -> None:
    criteria, subs, data = _campaign(path)
    assert len(subs) == UNITS[path.parent.name]
    assert all(Path(p).is_file() for p in data.values())
    run = parrules.score_many(criteria, subs, data=data)
    errors = [(u.unit.code, leaf.code, leaf.error) for u in run.units for leaf in u.leaves if leaf.error]
    assert errors == []
    for unit in run.units:
        assert unit.index is not None and 0 <= unit.index <= 100, unit.unit.code
        assert not unit.warnings, (unit.unit.code, unit.warnings)
    # the evidence checks really scored: every check-driven leaf has a computed value or a settled N/A
    check_leaves = [code for code in criteria.leaves if criteria.nodes[code].check is not None]
    computed = sum(1 for u in run.units for leaf in u.leaves
                   if leaf.code in check_leaves and (leaf.computed_points is not None or leaf.status == "not_applicable"))
    assert computed == len(check_leaves) * len(run.units)
    # appraisal rounds with reasons exist, and indexes differ between units
    assert any(leaf.appraisals for u in run.units for leaf in u.leaves)
    assert len({u.index for u in run.units}) > len(run.units) // 2


@pytest.mark.parametrize("folder", sorted(UNITS))
def test_committed_output_is_what_the_generator_writes(folder: str, tmp_path: Path) -> None:
    generator = _generator()
    campaign = next(c for c in generator.CAMPAIGNS if c.folder == folder)
    generator.generate(campaign, root=tmp_path)
    fresh = sorted(p.relative_to(tmp_path / folder) for p in (tmp_path / folder).rglob("*") if p.is_file())
    committed = sorted(p.relative_to(EXAMPLES / folder) for p in (EXAMPLES / folder).rglob("*") if p.is_file())
    assert fresh == committed
    for rel in fresh:
        assert (tmp_path / folder / rel).read_bytes() == (EXAMPLES / folder / rel).read_bytes(), rel


def test_last_years_results_are_what_parrules_makes_of_the_2017_example_now(tmp_path: Path) -> None:
    """The committed previous results cannot go stale: they are byte for byte the JSON the documented
    command writes for the committed 2017 example today (regenerate with `examples/generate.py`)."""
    from parrules.cli.main import main

    out = tmp_path / "out"
    assert main(["campaign", str(EXAMPLES / "province-2017" / "campaign.toml"), "-o", str(out), "--formats", "json"]) == 0
    committed = EXAMPLES / "province-2018" / "previous" / "par-province-2017.json"
    assert (out / "par-province-2017.json").read_bytes() == committed.read_bytes(), (
        "examples/province-2018/previous/ is stale: run .venv/bin/python examples/generate.py")


def test_the_2018_example_compares_with_2017_across_the_revised_set() -> None:
    """The quick start's campaign carries last year: every province is found in 2017, Sóc Trăng keeps
    its published 2018 result (31/63, 78.35, group B), and the code mapping joins what the revision
    merged — 2018's 7.4 is 2017's 7.1.3 and 7.5.1 added."""
    result = parrules.run_campaign(parrules.load_campaign(EXAMPLES / "province-2018" / "campaign.toml"))
    yoy = result.yoy
    assert yoy is not None and yoy.previous_set == "par-province-2948" and yoy.mapping_path == "mapping.toml"
    assert yoy.missing_units == () and all(change.found for change in yoy.units.values())
    placing = result.ranking.placing("94")
    assert (placing.rank, placing.cohort_size, placing.unit.total_points, placing.unit.band) == (
        31, 63, Decimal("78.35"), "B")
    previous = json.loads((EXAMPLES / "province-2018" / "previous" / "par-province-2017.json").read_text(encoding="utf-8"))
    old = next(u for u in previous["units"] if u["unit"]["code"] == "94")
    old_leaves = {leaf["code"]: Decimal(str(leaf.get("final_points", 0))) for leaf in old["leaves"]}
    soc_trang = yoy.units["94"]
    assert soc_trang.total.previous == Decimal(str(old["total_points"]))
    assert soc_trang.total.change == Decimal("78.35") - Decimal(str(old["total_points"]))
    assert soc_trang.rank.previous == old["placing"]["rank"]
    merged = soc_trang.criteria["7.4"]
    assert merged.previous == old_leaves["7.1.3"] + old_leaves["7.5.1"]
    assert "7.5.1" not in yoy.removed and "5.8" not in yoy.added  # mapped, not lost
    assert "4.4" in yoy.removed and "6.3.3" in yoy.added  # what the revision dropped and added

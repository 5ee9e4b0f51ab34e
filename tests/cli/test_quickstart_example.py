"""The README's example: the figures it shows are the figures the engine produces."""

from decimal import Decimal

import parrules
from parrules.cli.main import main

from ..conftest import ROOT

EXAMPLE = ROOT / "examples" / "first-set"


def test_example_scores_as_the_readme_says(registry):
    criteria = parrules.load_criteria_set(EXAMPLE / "criteria.toml", registry)
    subs = parrules.load_submissions(sorted((EXAMPLE / "submissions").glob("*.toml")))
    run = parrules.score_many(criteria, subs)
    snv, stp = run.unit("SNV"), run.unit("STP")
    assert (snv.total_points, snv.index, snv.band) == (Decimal("16.75"), Decimal("83.75"), "tuong_doi_cao")
    assert snv.leaf("2.1").explanation == "98.7 % → band 90 %–<100 % → 2 of 4"
    assert (stp.total_points, stp.applicable_max, stp.index) == (Decimal("12.64"), Decimal(18), Decimal("70.22"))
    assert stp.leaf("2.3").status == "not_applicable"
    assert not [leaf for unit in run.units for leaf in unit.errors]


def test_quickstart_command_prints_the_table(capsys):
    code = main(["score", str(EXAMPLE / "criteria.toml"), str(EXAMPLE / "submissions")])
    out = capsys.readouterr().out
    assert code == 0
    assert "SNV  Sở Nội vụ   5.25  5.73  4.77  1.00  16.75     83.75  tuong_doi_cao" in out

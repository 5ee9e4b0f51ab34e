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
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = readme.split('print(unit.leaf("2.1").explanation)', 1)[1].split("# ", 1)[1].split("\n", 1)[0]
    assert snv.leaf("2.1").explanation == shown  # in the set's language, Vietnamese
    assert (stp.total_points, stp.applicable_max, stp.index) == (Decimal("12.64"), Decimal(18), Decimal("70.22"))
    assert stp.leaf("2.3").status == "not_applicable"
    assert not [leaf for unit in run.units for leaf in unit.errors]


def test_quickstart_command_prints_the_table_the_readme_shows(capsys):
    """The README's first-set example, line for line: the table on standard output (plain, as piped)
    and the summary line on standard error."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = "$ .venv/bin/parrules score examples/first-set/criteria.toml examples/first-set/submissions/\n"
    shown = readme.split(command, 1)[1].split("```", 1)[0].splitlines()
    code = main(["score", str(EXAMPLE / "criteria.toml"), str(EXAMPLE / "submissions")])
    captured = capsys.readouterr()
    assert code == 0
    assert captured.out.splitlines() + captured.err.splitlines() == shown
    assert "STP  Sở Tư pháp  2,50  6,00  4,14  chưa đánh giá      12,64     70,22  Nhóm trung bình" in shown
